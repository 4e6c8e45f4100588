import { Type } from 'typebox';
import { IsoTime, Nullable, PageQuery, Uuid } from '../../../core/http/schemas.js';

/** Shapes only: which fields each kind needs, texts and limits are checked by the service. */

const FreeText = Type.String({ maxLength: 10_000 });
const DateOnly = Type.String({ format: 'date', description: 'YYYY-MM-DD (China date)' });

export const ObjectionKindSchema = Type.Enum(['data', 'refusal']);
export const ObjectionStatusSchema = Type.Enum(['open', 'resolved', 'arbitrated', 'withdrawn']);

export const ObjectionInputSchema = Type.Object(
  {
    kind: ObjectionKindSchema,
    grantId: Type.Optional(Uuid),
    recordKey: Type.Optional(Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 1000, description: 'data: keys of the records in question (at most 100)' })),
    items: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 2000, description: 'data: column names of the granted items in question' })),
    description: Type.Optional(FreeText),
    applicationId: Type.Optional(Uuid),
    reason: Type.Optional(FreeText),
  },
  {
    additionalProperties: false,
    $id: 'ShareObjectionInput',
    title: 'ShareObjectionInput',
    description: "data: { grantId, recordKey?, items?, description } by the grant's consumer; refusal: { applicationId, reason } by the applicant of a rejected application",
  },
);

export const ResolveBody = Type.Object(
  {
    outcome: Type.Enum(['corrected', 'confirmed', 'rejected'], { description: 'corrected: the data was wrong and is corrected; confirmed: checked, the data stands; rejected: the objection is not accepted' }),
    comment: Type.Optional(FreeText),
  },
  { additionalProperties: false },
);

export const ArbitrateBody = Type.Object(
  {
    outcome: Type.Enum(['upheld', 'overturned', 'superseded'], {
      description:
        'upheld: the refusal stands; overturned: the application goes back to the step that refused it (the provider, or the authority countersigning); superseded: the applicant applied again or holds a grant, so there is nothing to reopen',
    }),
    comment: Type.Optional(FreeText),
  },
  { additionalProperties: false },
);

export const WithdrawBody = Type.Object({ reason: Type.Optional(FreeText) }, { additionalProperties: false });

export const ObjectionSchema = Type.Object(
  {
    id: Uuid,
    kind: ObjectionKindSchema,
    status: ObjectionStatusSchema,
    grantId: Nullable(Uuid),
    applicationId: Nullable(Uuid),
    catalog: Type.Object({ id: Uuid, code: Type.String(), name: Type.String() }),
    objector: Type.Object({ organisationId: Uuid, organisationName: Type.String(), userId: Uuid, displayName: Type.String() }),
    providerId: Uuid,
    providerName: Type.String(),
    authorityId: Nullable(Uuid),
    recordKeys: Type.Array(Type.String()),
    items: Type.Array(Type.String()),
    description: Type.String(),
    dueDate: Nullable(DateOnly),
    deadlineState: Nullable(Type.Enum(['open', 'due_soon', 'overdue'])),
    escalatedAt: Nullable(IsoTime),
    outcome: Nullable(Type.Enum(['corrected', 'confirmed', 'rejected', 'upheld', 'overturned', 'superseded'])),
    outcomeComment: Nullable(Type.String()),
    decidedBy: Nullable(Type.Object({ id: Uuid, displayName: Type.String() })),
    decidedAt: Nullable(IsoTime),
    can: Type.Object({ resolve: Type.Boolean(), arbitrate: Type.Boolean(), withdraw: Type.Boolean() }, { description: 'What the caller may do now' }),
    createdAt: IsoTime,
  },
  { $id: 'ShareObjection', title: 'ShareObjection' },
);

export const ObjectionListQuery = Type.Object({
  scope: Type.Optional(
    Type.Enum(['mine', 'assigned', 'arbitration'], {
      description:
        "mine: those your organisation filed (consumer); assigned: those about your organisation as provider (provider_approver) — objections to its data, which it answers, and objections to its refusals, which it only reads; arbitration: your authority's queue (data_authority) — refusals it arbitrates and its providers' overdue data objections. Default: the first your roles allow, in that order.",
    }),
  ),
  status: Type.Optional(ObjectionStatusSchema),
  kind: Type.Optional(ObjectionKindSchema),
  ...PageQuery,
});

export const IdParams = Type.Object({ id: Uuid });
