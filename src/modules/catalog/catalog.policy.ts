import type { Actor, UserActor } from '../../core/auth/actor.js';
import { hasRole } from '../../core/auth/actor.js';
import type { Role } from '../../core/auth/roles.js';

/**
 * Who may do what in the catalog. Route access only says which roles may call; the service adds the
 * organisation checks: editors act for their own organisation's entries, reviewers are users with
 * `data_authority` in the authority responsible for the provider (identity.responsibleAuthority).
 */
export type CatalogAction = 'system.create' | 'entry.edit' | 'entry.review' | 'entry.retire' | 'entry.read';

const RULES: Record<CatalogAction, readonly Role[] | 'any-user'> = {
  'system.create': ['catalog_editor'],
  'entry.edit': ['catalog_editor'],
  'entry.review': ['data_authority'],
  'entry.retire': ['catalog_editor', 'data_authority'],
  'entry.read': 'any-user',
};

export function can(actor: Actor, action: CatalogAction): actor is UserActor {
  const rule = RULES[action];
  if (actor.type !== 'user') return false;
  return rule === 'any-user' ? true : hasRole(actor, ...rule);
}

export const ROUTE_ROLES = {
  edit: RULES['entry.edit'] as readonly Role[],
  review: RULES['entry.review'] as readonly Role[],
  retire: RULES['entry.retire'] as readonly Role[],
  systemCreate: RULES['system.create'] as readonly Role[],
};
