/**
 * Demands (数据需求): a consumer's wish for data no catalog entry describes (Guideline 四(四),
 * 共享需求统一受理、数据供需统一对接). See docs/DECISIONS.md (demands and objections).
 */

export type DemandStatus = 'submitted' | 'routed' | 'answered' | 'withdrawn';
export type DemandAnswerKind = 'entry' | 'planned' | 'not_held';
export type DemandStepKind = 'submitted' | 'routed' | 'answered' | 'withdrawn' | 'reminded' | 'escalated';

export interface DemandInput {
  title: string;
  description: string;
  /** Free-text names of the data items wished for. */
  items?: string[] | undefined;
  purpose: string;
  legalBasis?: string | undefined;
  /** YYYY-MM-DD, after today. */
  expectedBy?: string | undefined;
}

export interface DemandAnswerInput {
  kind: DemandAnswerKind;
  /** kind entry: a published entry of the provider's (id or code). */
  catalogId?: string | undefined;
  /** kind planned: the date by which the provider will catalog the data. */
  plannedDate?: string | undefined;
  /** kind planned: what will be cataloged; kind entry: optional. */
  comment?: string | undefined;
  /** kind not_held: why the provider does not hold the data. */
  reason?: string | undefined;
}

export interface DemandAnswer {
  kind: DemandAnswerKind;
  catalog: { id: string; code: string; name: string } | null;
  plannedDate: string | null;
  /** The comment (entry, planned) or the reason (not_held). */
  text: string | null;
  answeredAt: string;
}

export interface DemandStep {
  step: DemandStepKind;
  actor: { id: string; displayName: string } | null;
  organisationId: string | null;
  organisationName: string | null;
  details: Record<string, unknown>;
  at: string;
}

export interface Demand {
  id: string;
  status: DemandStatus;
  title: string;
  description: string;
  items: string[];
  purpose: string;
  legalBasis: string | null;
  expectedBy: string | null;
  requester: { organisationId: string; organisationName: string; userId: string; displayName: string };
  /** The data authority responsible for the requester: it routes the demand. */
  authorityId: string | null;
  /** The provider it is routed to now. */
  provider: { organisationId: string; name: string } | null;
  dueDate: string | null;
  deadlineState: 'open' | 'due_soon' | 'overdue' | null;
  escalatedAt: string | null;
  answer: DemandAnswer | null;
  /** What the caller may do now. */
  can: { route: boolean; answer: boolean; withdraw: boolean };
  /** Oldest first; on the detail only. */
  timeline?: DemandStep[];
  createdAt: string;
  updatedAt: string;
}
