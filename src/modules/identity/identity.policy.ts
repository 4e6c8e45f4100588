import type { Actor } from '../../core/auth/actor.js';
import { hasRole } from '../../core/auth/actor.js';
import type { Role } from '../../core/auth/roles.js';

/**
 * Who may do what in identity (三员分立): the platform administrator keeps accounts and
 * organisations, the security administrator grants roles and unlocks accounts, the audit
 * administrator only reads. Accounts holding the security or audit role are out of the platform
 * administrator's reach, so no single administrator can take over another's duties.
 */
export type IdentityAction =
  | 'organisation.read'
  | 'organisation.write'
  | 'user.read'
  | 'user.write'
  | 'user.roles'
  | 'user.unlock'
  | 'app.create'
  | 'app.readAll'
  | 'app.revokeAny';

const RULES: Record<IdentityAction, readonly Role[] | 'any-user'> = {
  'organisation.read': 'any-user',
  'organisation.write': ['platform_admin'],
  'user.read': ['platform_admin', 'security_admin', 'audit_admin'],
  'user.write': ['platform_admin'],
  'user.roles': ['security_admin'],
  'user.unlock': ['security_admin'],
  'app.create': ['consumer', 'catalog_editor', 'provider_approver', 'data_authority'],
  'app.readAll': ['security_admin'],
  'app.revokeAny': ['security_admin'],
};

export function can(actor: Actor, action: IdentityAction): boolean {
  const rule = RULES[action];
  if (actor.type !== 'user') return false;
  return rule === 'any-user' ? true : hasRole(actor, ...rule);
}

export const ROUTE_ROLES = {
  organisationWrite: RULES['organisation.write'] as readonly Role[],
  userRead: RULES['user.read'] as readonly Role[],
  userWrite: RULES['user.write'] as readonly Role[],
  userRoles: RULES['user.roles'] as readonly Role[],
  userUnlock: RULES['user.unlock'] as readonly Role[],
  appUse: ['consumer', 'catalog_editor', 'provider_approver', 'data_authority', 'security_admin'] as readonly Role[],
  appCreate: RULES['app.create'] as readonly Role[],
};

/** Accounts that only the CLI on the server may change. */
export function isProtectedAccount(roles: readonly Role[]): boolean {
  return roles.includes('security_admin') || roles.includes('audit_admin') || roles.includes('platform_admin');
}
