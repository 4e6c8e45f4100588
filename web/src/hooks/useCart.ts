import { useEffect, useState } from 'react';
import { useCurrentUser } from '../auth/AuthContext';
import { onCartChange, readCart, type CartEntry } from '../lib/cart';

/** The signed-in user's cart, kept in step with changes from any page or tab. */
export function useCart(): { userId: string; entries: CartEntry[] } {
  const user = useCurrentUser();
  const [entries, setEntries] = useState<CartEntry[]>(() => readCart(user.id));
  useEffect(() => {
    setEntries(readCart(user.id));
    return onCartChange(user.id, () => setEntries(readCart(user.id)));
  }, [user.id]);
  return { userId: user.id, entries };
}
