/**
 * Objections (数据异议, Guideline: 数据异议统一处理): to data received under a grant, or to the refusal
 * of an application. See docs/DECISIONS.md (demands and objections).
 */

export type ObjectionKind = 'data' | 'refusal';
export type ObjectionStatus = 'open' | 'resolved' | 'arbitrated' | 'withdrawn';
export type DataOutcome = 'corrected' | 'confirmed' | 'rejected';
/** superseded: closed because the applicant applied again or holds a grant (nothing to reopen). */
export type ArbitrationOutcome = 'upheld' | 'overturned' | 'superseded';

/** data: { grantId, recordKey?, items?, description }; refusal: { applicationId, reason }. */
export interface ObjectionInput {
  kind: ObjectionKind;
  grantId?: string | undefined;
  /** data: keys of the records in question (their key column's values). */
  recordKey?: string[] | undefined;
  /** data: column names of the granted items in question. */
  items?: string[] | undefined;
  description?: string | undefined;
  applicationId?: string | undefined;
  reason?: string | undefined;
}

export interface Objection {
  id: string;
  kind: ObjectionKind;
  status: ObjectionStatus;
  grantId: string | null;
  applicationId: string | null;
  catalog: { id: string; code: string; name: string };
  objector: { organisationId: string; organisationName: string; userId: string; displayName: string };
  providerId: string;
  providerName: string;
  /** The data authority responsible for the provider: reads data objections, arbitrates refusals. */
  authorityId: string | null;
  /** data: keys of the records in question. */
  recordKeys: string[];
  /** data: the granted items in question. */
  items: string[];
  /** data: what is wrong; refusal: why the refusal should not stand. */
  description: string;
  dueDate: string | null;
  deadlineState: 'open' | 'due_soon' | 'overdue' | null;
  escalatedAt: string | null;
  outcome: DataOutcome | ArbitrationOutcome | null;
  outcomeComment: string | null;
  decidedBy: { id: string; displayName: string } | null;
  decidedAt: string | null;
  /** What the caller may do now. */
  can: { resolve: boolean; arbitrate: boolean; withdraw: boolean };
  createdAt: string;
}
