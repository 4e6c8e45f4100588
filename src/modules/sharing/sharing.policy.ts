import type { Actor, UserActor } from '../../core/auth/actor.js';
import { hasRole } from '../../core/auth/actor.js';
import type { Role } from '../../core/auth/roles.js';

/**
 * Who takes part in an application or a grant. Route access only says which roles may call; these
 * add the organisation: the applicant (consumer) organisation's `consumer`s, the provider's
 * `provider_approver`s, and the `data_authority` users of the authority responsible for the provider
 * (recorded when the application was made). Nobody else learns that the object exists (404), other
 * accounts of those organisations included: applications and grants say which data an organisation
 * uses, which is its own business and the provider's (三员 and catalog editors have no part in it).
 */
export interface Parties {
  /** The caller is a consumer of the applicant (consumer) organisation. */
  applicant: boolean;
  /** The caller is a provider_approver of the providing organisation. */
  provider: boolean;
  /** The caller is a data_authority of the authority responsible for the provider. */
  authority: boolean;
}

export function partiesOf(
  actor: Actor,
  subject: { applicantOrgId: string; providerOrgId: string; authorityOrgId: string | null },
): Parties {
  if (actor.type !== 'user') return { applicant: false, provider: false, authority: false };
  return {
    applicant: actor.organisationId === subject.applicantOrgId && hasRole(actor, 'consumer'),
    provider: actor.organisationId === subject.providerOrgId && hasRole(actor, 'provider_approver'),
    authority: subject.authorityOrgId !== null && actor.organisationId === subject.authorityOrgId && hasRole(actor, 'data_authority'),
  };
}

export const isParty = (p: Parties): boolean => p.applicant || p.provider || p.authority;

export function isUser(actor: Actor): actor is UserActor {
  return actor.type === 'user';
}

/** The roles each route admits; the service then checks the organisation (partiesOf). */
export const ROUTE_ROLES = {
  apply: ['consumer'],
  read: ['consumer', 'provider_approver', 'data_authority'],
  decide: ['provider_approver', 'data_authority'],
  withdraw: ['consumer'],
  changeGrant: ['provider_approver'],
  revokeGrant: ['consumer', 'provider_approver', 'data_authority'],
} as const satisfies Record<string, readonly Role[]>;
