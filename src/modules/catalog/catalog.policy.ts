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

/**
 * The organisation whose entries the caller reviews: its own, when it holds data_authority there.
 * Membership alone is not enough: the authority's administrators (三员) and other staff do not review.
 */
export function reviewerOrganisation(actor: UserActor): string | null {
  return hasRole(actor, 'data_authority') ? actor.organisationId : null;
}

/**
 * Insiders see an entry's latest version, drafts included: the provider's people, and the reviewers
 * (data_authority users) of the authority responsible for it. Everyone else, other accounts of that
 * authority included, sees the version in force only (DECISIONS 13).
 */
export function isInsider(actor: UserActor, entry: { provider_id: string; reviewer_org_id: string | null }): boolean {
  return actor.organisationId === entry.provider_id || (entry.reviewer_org_id !== null && entry.reviewer_org_id === reviewerOrganisation(actor));
}

export const ROUTE_ROLES = {
  edit: RULES['entry.edit'] as readonly Role[],
  review: RULES['entry.review'] as readonly Role[],
  retire: RULES['entry.retire'] as readonly Role[],
  systemCreate: RULES['system.create'] as readonly Role[],
};
