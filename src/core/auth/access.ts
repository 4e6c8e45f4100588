import type { Role } from './roles.js';

/**
 * Who may call a route. Every route under /api declares one (checked when routes are registered):
 * - `public`: anyone, signed in or not;
 * - `user`: every signed-in person; `roles`: a signed-in person holding one of them;
 * - `app`: a request signed with an organisation's app credential (DESIGN §6).
 * Finer checks (own organisation, grants) belong to each module's policy.
 */
export type Access = { public: true } | { user: true } | { roles: readonly Role[] } | { app: true };

export const PUBLIC: Access = { public: true };
export const SIGNED_IN: Access = { user: true };
export const APP: Access = { app: true };
export const rolesAccess = (...roles: Role[]): Access => ({ roles });

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /**
     * The body reaches the handler as a stream (bulk data), so a signed request's body digest is
     * the one declared in X-Tianshu-Content-SM3, and the handler checks the bytes against it.
     */
    streamedBody?: boolean;
  }
}
