import { Type } from 'typebox';
import { IsoTime, Nullable, PageQuery, Uuid } from '../../core/http/schemas.js';
import { MASK_RULES } from './sharing.types.js';

/**
 * Shapes only. The rules (non-blank texts of at most 2,000 characters, items of the entry, methods it
 * offers, the validity window, term limits) are the service's, so that each problem gets its own
 * code and a batch reports every problem with its index. Length bounds here only stop abuse.
 */

const FreeText = Type.String({ maxLength: 10_000 });
const DateOnly = Type.String({ format: 'date', description: 'YYYY-MM-DD (China date)' });
const Column = Type.String({ minLength: 1, maxLength: 100 });

export const ShareMethodSchema = Type.Enum(['api', 'table', 'file']);
export const ApplicationStatusSchema = Type.Enum(['pending', 'countersigning', 'granted', 'rejected', 'withdrawn']);
export const GrantStatusSchema = Type.Enum(['active', 'expired', 'revoked']);
export const MaskRuleSchema = Type.Enum([...MASK_RULES]);

export const RowFilterSchema = Type.Object(
  {
    column: Column,
    op: Type.Enum(['eq', 'prefix', 'in']),
    value: Type.Optional(Type.String({ maxLength: 200 })),
    values: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 1000 })),
  },
  { additionalProperties: false, description: "Rows the grant admits; the value `$consumerDivision` stands for the consumer organisation's division code (数据回流)" },
);

export const GrantTermsSchema = Type.Object(
  {
    masking: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), MaskRuleSchema, { description: 'Rule per granted item; items not named keep theirs' })),
    rowFilter: Type.Optional(Nullable(RowFilterSchema)),
    rateLimitPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    ipAllow: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100, description: 'IP addresses or CIDR blocks; empty: any address' })),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', description: "Not after the end of the application's validUntil (Asia/Shanghai)" })),
  },
  { additionalProperties: false },
);

export const ApplicationInputSchema = Type.Object(
  {
    catalogId: Type.String({ pattern: '^[0-9A-Za-z-]{1,100}$', description: "The entry's id (or code)" }),
    items: Type.Optional(Type.Array(Column, { maxItems: 2000, description: "Column names of the entry's info items; every shared item when absent" })),
    purpose: FreeText,
    legalBasis: FreeText,
    scenario: FreeText,
    methods: Type.Array(ShareMethodSchema, { maxItems: 3 }),
    validUntil: Type.String({ maxLength: 10, description: 'YYYY-MM-DD: after today, at most three years ahead' }),
  },
  { additionalProperties: false, $id: 'ShareApplicationInput', title: 'ShareApplicationInput' },
);

export const BatchInputSchema = Type.Object(
  // The 1–50 rule is the service's (BATCH_SIZE_INVALID); this bound only stops abuse.
  { applications: Type.Array(ApplicationInputSchema, { maxItems: 500 }) },
  { additionalProperties: false },
);

const DecisionSchema = Type.Object({
  step: Type.Enum(['auto', 'provider', 'authority', 'applicant', 'arbitration']),
  outcome: Type.Enum(['approved', 'rejected', 'withdrawn', 'reopened']),
  actor: Nullable(Type.Object({ id: Uuid, displayName: Type.String() })),
  organisationId: Nullable(Uuid),
  comment: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  legalBasis: Nullable(Type.String()),
  at: IsoTime,
});

const MaskingSchema = Type.Record(Type.String(), MaskRuleSchema);

export const ApplicationSchema = Type.Object(
  {
    id: Uuid,
    batchId: Nullable(Uuid),
    status: ApplicationStatusSchema,
    applicant: Type.Object({ organisationId: Uuid, organisationName: Type.String(), userId: Uuid, displayName: Type.String() }),
    catalog: Type.Object({
      id: Uuid,
      code: Type.String(),
      name: Type.String(),
      version: Type.Integer(),
      shareType: Type.Enum(['unconditional', 'conditional']),
      securityGrade: Type.String(),
    }),
    providerId: Uuid,
    providerName: Type.String(),
    items: Type.Array(Type.String()),
    purpose: Type.String(),
    legalBasis: Type.String(),
    scenario: Type.String(),
    methods: Type.Array(ShareMethodSchema),
    validUntil: DateOnly,
    dueDate: Nullable(DateOnly),
    deadlineState: Nullable(Type.Enum(['open', 'due_soon', 'overdue'])),
    needsCountersignature: Type.Boolean(),
    escalatedAt: Nullable(IsoTime),
    decidedAt: Nullable(IsoTime),
    grantId: Nullable(Uuid),
    defaultMasking: Type.Optional(MaskingSchema),
    proposedTerms: Type.Optional(Nullable(GrantTermsSchema)),
    decisions: Type.Array(DecisionSchema),
    createdAt: IsoTime,
  },
  { $id: 'ShareApplication', title: 'ShareApplication' },
);

export const GrantSchema = Type.Object(
  {
    id: Uuid,
    applicationId: Nullable(Uuid),
    consumerId: Uuid,
    consumerName: Type.String(),
    providerId: Uuid,
    providerName: Type.String(),
    catalog: Type.Object({ id: Uuid, code: Type.String(), name: Type.String() }),
    items: Type.Array(Type.String()),
    masking: MaskingSchema,
    rowFilter: Nullable(RowFilterSchema),
    methods: Type.Array(ShareMethodSchema),
    rateLimitPerMinute: Type.Integer(),
    ipAllow: Type.Array(Type.String()),
    validFrom: IsoTime,
    expiresAt: IsoTime,
    status: GrantStatusSchema,
    revokedAt: Nullable(IsoTime),
    revokeReason: Nullable(Type.String()),
    createdAt: IsoTime,
  },
  { $id: 'ShareGrant', title: 'ShareGrant' },
);

export const IdParams = Type.Object({ id: Uuid });

export const ApplicationListQuery = Type.Object({
  scope: Type.Optional(
    Type.Enum(['mine', 'approval', 'countersign'], {
      description:
        "mine: your organisation's applications (consumer); approval: pending applications for your organisation's entries, the most urgent first (provider_approver); countersign: those waiting for your authority's countersignature or escalated to it (data_authority). A status shows that status instead of the queue. Default: the first of them your roles allow.",
    }),
  ),
  status: Type.Optional(ApplicationStatusSchema),
  catalogId: Type.Optional(Uuid),
  ...PageQuery,
});

export const GrantListQuery = Type.Object({
  as: Type.Optional(Type.Enum(['consumer', 'provider'], { description: 'Both sides you may see when absent; a data authority sees its providers’ grants as provider' })),
  status: Type.Optional(GrantStatusSchema),
  catalogCode: Type.Optional(Type.String({ maxLength: 100 })),
  ...PageQuery,
});

export const ApproveBody = Type.Object(
  { comment: Type.Optional(FreeText), grant: Type.Optional(GrantTermsSchema) },
  { additionalProperties: false },
);

/** Both are required; a missing or blank one is REJECTION_NEEDS_LEGAL_BASIS (the service's check). */
export const RejectBody = Type.Object({ reason: Type.Optional(FreeText), legalBasis: Type.Optional(FreeText) }, { additionalProperties: false });

export const ReasonBody = Type.Object({ reason: Type.Optional(FreeText) }, { additionalProperties: false });
