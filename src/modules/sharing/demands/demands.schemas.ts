import { Type } from 'typebox';
import { IsoTime, Nullable, PageQuery, Uuid } from '../../../core/http/schemas.js';

/** Shapes only: texts, dates and items are checked by the service, each problem with its own code. */

const FreeText = Type.String({ maxLength: 10_000 });
const DateOnly = Type.String({ format: 'date', description: 'YYYY-MM-DD (China date)' });

export const DemandStatusSchema = Type.Enum(['submitted', 'routed', 'answered', 'withdrawn']);
const AnswerKind = Type.Enum(['entry', 'planned', 'not_held']);

export const DemandInputSchema = Type.Object(
  {
    title: Type.String({ maxLength: 1000 }),
    description: FreeText,
    items: Type.Optional(Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 1000, description: 'Names of the data items wished for (free text), at most 100' })),
    purpose: FreeText,
    legalBasis: Type.Optional(FreeText),
    expectedBy: Type.Optional(Type.String({ maxLength: 10, description: 'YYYY-MM-DD, after today' })),
  },
  { additionalProperties: false, $id: 'ShareDemandInput', title: 'ShareDemandInput' },
);

export const RouteBody = Type.Object({ providerOrgId: Uuid, comment: Type.Optional(FreeText) }, { additionalProperties: false });

export const AnswerBody = Type.Object(
  {
    kind: AnswerKind,
    catalogId: Type.Optional(Type.String({ pattern: '^[0-9A-Za-z-]{1,100}$', description: 'kind entry: a published entry of yours (id or code)' })),
    plannedDate: Type.Optional(Type.String({ maxLength: 10, description: 'kind planned: YYYY-MM-DD, within a year' })),
    comment: Type.Optional(FreeText),
    reason: Type.Optional(FreeText),
  },
  {
    additionalProperties: false,
    description: "entry: { catalogId, comment? } — the requester can apply for it; planned: { plannedDate, comment } — it will be cataloged by then; not_held: { reason }",
  },
);

export const ReasonBody = Type.Object({ reason: Type.Optional(FreeText) }, { additionalProperties: false });

const StepSchema = Type.Object({
  step: Type.Enum(['submitted', 'routed', 'answered', 'withdrawn', 'reminded', 'escalated']),
  actor: Nullable(Type.Object({ id: Uuid, displayName: Type.String() })),
  organisationId: Nullable(Uuid),
  organisationName: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
  at: IsoTime,
});

export const DemandSchema = Type.Object(
  {
    id: Uuid,
    status: DemandStatusSchema,
    title: Type.String(),
    description: Type.String(),
    items: Type.Array(Type.String()),
    purpose: Type.String(),
    legalBasis: Nullable(Type.String()),
    expectedBy: Nullable(DateOnly),
    requester: Type.Object({ organisationId: Uuid, organisationName: Type.String(), userId: Uuid, displayName: Type.String() }),
    authorityId: Nullable(Uuid),
    provider: Nullable(Type.Object({ organisationId: Uuid, name: Type.String() })),
    dueDate: Nullable(DateOnly),
    deadlineState: Nullable(Type.Enum(['open', 'due_soon', 'overdue'])),
    escalatedAt: Nullable(IsoTime),
    answer: Nullable(
      Type.Object({
        kind: AnswerKind,
        catalog: Nullable(Type.Object({ id: Uuid, code: Type.String(), name: Type.String() })),
        plannedDate: Nullable(DateOnly),
        text: Nullable(Type.String()),
        answeredAt: IsoTime,
      }),
    ),
    can: Type.Object({ route: Type.Boolean(), answer: Type.Boolean(), withdraw: Type.Boolean() }, { description: 'What the caller may do now' }),
    timeline: Type.Optional(Type.Array(StepSchema, { description: 'Oldest first; on the detail only' })),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  { $id: 'ShareDemand', title: 'ShareDemand' },
);

export const DemandListQuery = Type.Object({
  scope: Type.Optional(
    Type.Enum(['mine', 'routing', 'assigned'], {
      description:
        "mine: your organisation's demands (consumer); routing: those your authority routes, waiting ones first (data_authority); assigned: those routed to your organisation, the most urgent first (provider_approver). Default: the first your roles allow.",
    }),
  ),
  status: Type.Optional(DemandStatusSchema),
  ...PageQuery,
});

export const IdParams = Type.Object({ id: Uuid });
