import type { ApplicationRow, DecisionRow, GrantRow } from './sharing.repository.js';
import type { Application, Decision, Grant } from './sharing.types.js';

/** Rows as the API shows them. Pure: no database, no clock but the one passed in. */

/** A grant past its expiry still reads `active` in the table; what callers see is `expired`. */
export function toGrant(row: GrantRow, now: Date): Grant {
  const status = row.status === 'revoked' ? 'revoked' : row.expires_at.getTime() <= now.getTime() ? 'expired' : 'active';
  return {
    id: row.id,
    applicationId: row.application_id,
    consumerId: row.consumer_org_id,
    consumerName: row.consumer_name,
    providerId: row.provider_org_id,
    providerName: row.provider_name,
    catalog: { id: row.catalog_entry_id, code: row.catalog_code, name: row.catalog_name },
    items: row.items,
    masking: row.masking,
    rowFilter: row.row_filter,
    methods: row.methods,
    rateLimitPerMinute: row.rate_limit_per_minute,
    ipAllow: row.ip_allow,
    validFrom: row.valid_from.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    status,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    revokeReason: row.revoke_reason,
    createdAt: row.created_at.toISOString(),
  };
}

export function toDecision(row: DecisionRow): Decision {
  return {
    step: row.step,
    outcome: row.outcome,
    actor: row.actor_user_id ? { id: row.actor_user_id, displayName: row.actor_name ?? '' } : null,
    organisationId: row.organisation_id,
    comment: row.comment,
    reason: row.reason,
    legalBasis: row.legal_basis,
    at: row.at.toISOString(),
  };
}

/** Where an open application stands against its due date (computed on read, never stored). */
export type DeadlineState = Application['deadlineState'];

export function toApplication(row: ApplicationRow, decisions: readonly DecisionRow[], deadlineState: DeadlineState): Application {
  const open = row.status === 'pending' || row.status === 'countersigning';
  return {
    id: row.id,
    batchId: row.batch_id,
    status: row.status,
    applicant: {
      organisationId: row.applicant_org_id,
      organisationName: row.applicant_org_name,
      userId: row.applicant_user_id,
      displayName: row.applicant_user_name,
    },
    catalog: {
      id: row.catalog_entry_id,
      code: row.catalog_code,
      name: row.catalog_name,
      version: row.catalog_version,
      shareType: row.share_type,
      securityGrade: row.security_grade,
    },
    providerId: row.provider_org_id,
    providerName: row.provider_name,
    items: row.items,
    purpose: row.purpose,
    legalBasis: row.legal_basis,
    scenario: row.scenario,
    methods: row.methods,
    validUntil: row.valid_until,
    dueDate: open ? row.due_date : null,
    deadlineState: open ? deadlineState : null,
    // Only applications that wait for an answer have a due date; those granted at once need no one's signature.
    needsCountersignature: row.due_date !== null && isCoreOrImportant(row.security_grade),
    escalatedAt: row.escalated_at?.toISOString() ?? null,
    decidedAt: row.decided_at?.toISOString() ?? null,
    grantId: row.grant_id,
    defaultMasking: row.default_masking,
    proposedTerms: row.proposed_terms,
    decisions: decisions.map(toDecision),
    createdAt: row.created_at.toISOString(),
  };
}

/** Core and important data (GB/T 43697) need the data authority's countersignature after the provider's approval. */
export function isCoreOrImportant(securityGrade: string): boolean {
  return securityGrade === 'core' || securityGrade === 'important';
}
