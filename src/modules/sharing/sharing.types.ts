/**
 * The shapes the sharing module shows (API and portal) and shares between its parts: applications
 * (共享申请), the decisions on them, and grants (授权). See docs/DECISIONS.md §25.
 */

export type ShareMethod = 'api' | 'table' | 'file';
export type ApplicationStatus = 'pending' | 'countersigning' | 'granted' | 'rejected' | 'withdrawn';

/**
 * How a granted item's values reach the consumer. `none`: as stored; `redact`: null; the others keep
 * what identifies least — name 张*, resident ID first 6 and last 4, phone 138****5678, bank card first 4
 * and last 4, email a***@example.org, address cut after the district.
 */
export const MASK_RULES = ['none', 'name', 'resident_id', 'phone', 'bank_card', 'email', 'address', 'redact'] as const;
export type MaskRule = (typeof MASK_RULES)[number];

/** The default rule for an info item's PII kind (GB/T 35273 kinds, DESIGN §4). */
export function defaultMaskRule(piiKind: string | null | undefined): MaskRule {
  switch (piiKind) {
    case 'name':
    case 'resident_id':
    case 'phone':
    case 'bank_card':
    case 'email':
    case 'address':
      return piiKind;
    case 'passport':
    case 'biometric':
    case 'health':
      return 'redact';
    default:
      return 'none';
  }
}

/**
 * Which rows a grant admits. `$consumerDivision` as a value stands for the consumer organisation's
 * division code with its trailing zero pairs cut (630100 → 6301), so that a prefix filter gives a
 * city the rows of its own area (数据回流).
 */
export interface RowFilter {
  column: string;
  op: 'eq' | 'prefix' | 'in';
  value?: string;
  values?: string[];
}

export interface ApplicationInput {
  catalogId: string;
  /** Column names of the entry's info items; all of them when absent. */
  items?: string[] | undefined;
  purpose: string;
  legalBasis: string;
  scenario: string;
  methods: ShareMethod[];
  /** YYYY-MM-DD, the last day the data may be used. */
  validUntil: string;
}

export interface Decision {
  step: 'auto' | 'provider' | 'authority' | 'applicant' | 'arbitration';
  outcome: 'approved' | 'rejected' | 'withdrawn' | 'reopened';
  actor: { id: string; displayName: string } | null;
  organisationId: string | null;
  comment: string | null;
  reason: string | null;
  legalBasis: string | null;
  at: string;
}

export interface Application {
  id: string;
  batchId: string | null;
  status: ApplicationStatus;
  applicant: { organisationId: string; organisationName: string; userId: string; displayName: string };
  catalog: { id: string; code: string; name: string; version: number; shareType: 'unconditional' | 'conditional'; securityGrade: string };
  providerId: string;
  providerName: string;
  items: string[];
  purpose: string;
  legalBasis: string;
  scenario: string;
  methods: ShareMethod[];
  validUntil: string;
  /** The working day by which it must be answered; null once answered. */
  dueDate: string | null;
  /** open / due_soon (≤ 2 working days left) / overdue, while it waits; null once answered. */
  deadlineState: 'open' | 'due_soon' | 'overdue' | null;
  needsCountersignature: boolean;
  escalatedAt: string | null;
  decidedAt: string | null;
  grantId: string | null;
  /** The masking each requested item gets unless the approver changes it (by the item's PII kind). */
  defaultMasking?: Record<string, MaskRule> | undefined;
  /** The terms set at the provider's approval (and the countersignature), applied to the grant. */
  proposedTerms?: GrantTerms | null | undefined;
  decisions: Decision[];
  createdAt: string;
}

/** Terms an approver may set when approving (and the provider may change later). */
export interface GrantTerms {
  masking?: Record<string, MaskRule> | undefined;
  rowFilter?: RowFilter | null | undefined;
  rateLimitPerMinute?: number | undefined;
  ipAllow?: string[] | undefined;
  /** Not later than the application's validUntil (end of that day, Asia/Shanghai). */
  expiresAt?: string | undefined;
}

export interface Grant {
  id: string;
  applicationId: string | null;
  consumerId: string;
  consumerName: string;
  providerId: string;
  providerName: string;
  catalog: { id: string; code: string; name: string };
  items: string[];
  masking: Record<string, MaskRule>;
  rowFilter: RowFilter | null;
  methods: ShareMethod[];
  rateLimitPerMinute: number;
  ipAllow: string[];
  validFrom: string;
  expiresAt: string;
  /** active; expired (past expiresAt, computed); revoked. */
  status: 'active' | 'expired' | 'revoked';
  revokedAt: string | null;
  revokeReason: string | null;
  createdAt: string;
}

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;
/** Working days a conditional application may wait for its answer (国发〔2016〕51号, DESIGN §5). */
export const ANSWER_WORKING_DAYS = 10;
