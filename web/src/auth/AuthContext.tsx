import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, authApi, onUnauthorized, tokenStore, type Role, type User } from '../api';

type AuthState =
  | { status: 'loading' }
  | { status: 'anonymous'; expired: boolean }
  | { status: 'signed-in'; user: User };

interface AuthValue {
  state: AuthState;
  /** The signed-in user, or null; convenient for pages behind the guard. */
  user: User | null;
  login: (username: string, password: string) => Promise<User>;
  logout: () => Promise<void>;
  /** Re-read the user after something about them may have changed (e.g. roles). */
  refresh: () => Promise<void>;
  hasRole: (...roles: Role[]) => boolean;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>(() =>
    tokenStore.get() ? { status: 'loading' } : { status: 'anonymous', expired: false },
  );

  const refresh = useCallback(async () => {
    if (!tokenStore.get()) {
      setState({ status: 'anonymous', expired: false });
      return;
    }
    try {
      const { user } = await authApi.me();
      setState({ status: 'signed-in', user });
    } catch (e) {
      // Anything else (server down) also ends the session view, since nothing in the portal
      // works without /auth/me; only a 401 means the session itself ran out.
      tokenStore.clear();
      setState({ status: 'anonymous', expired: e instanceof ApiError && e.status === 401 });
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(
    () =>
      onUnauthorized(() => {
        setState((s) => (s.status === 'anonymous' ? s : { status: 'anonymous', expired: true }));
      }),
    [],
  );

  const login = useCallback(async (username: string, password: string) => {
    const res = await authApi.login({ username, password });
    tokenStore.set(res.token);
    setState({ status: 'signed-in', user: res.user });
    return res.user;
  }, []);

  const logout = useCallback(async () => {
    try {
      await authApi.logout();
    } catch {
      // The token is dropped locally either way; a failed server-side logout only means the
      // token lives until it expires.
    }
    tokenStore.clear();
    setState({ status: 'anonymous', expired: false });
  }, []);

  const value = useMemo<AuthValue>(() => {
    const user = state.status === 'signed-in' ? state.user : null;
    return {
      state,
      user,
      login,
      logout,
      refresh,
      hasRole: (...roles) => !!user && roles.some((r) => user.roles.includes(r)),
    };
  }, [state, login, logout, refresh]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** For pages that only render behind the sign-in guard. */
export function useCurrentUser(): User {
  const { user } = useAuth();
  if (!user) throw new Error('useCurrentUser without a signed-in user');
  return user;
}
