import { Type } from 'typebox';
import { IsoTime, Nullable, Uuid } from '../../core/http/schemas.js';

const DateOnly = Type.String({ format: 'date', description: 'YYYY-MM-DD (China date)' });

export const DeadlineKindSchema = Type.Enum(['link_resource', 'resubmit'], {
  description: 'link_resource: a published table/api entry must get a linked resource; resubmit: a returned entry must be resubmitted',
});

export const DeadlineSchema = Type.Object(
  {
    id: Uuid,
    kind: DeadlineKindSchema,
    entry: Type.Object({ id: Uuid, code: Type.String(), name: Type.String() }),
    provider: Type.Object({ id: Uuid, name: Type.String() }),
    startedOn: DateOnly,
    dueOn: Type.String({ format: 'date', description: 'The 20th working day after startedOn' }),
    closedAt: Nullable(IsoTime),
    closedReason: Nullable(Type.String({ description: 'resource_linked | resubmitted | retired | not_required' })),
    state: Type.Enum(['open', 'due_soon', 'overdue', 'met', 'missed']),
    workingDaysLeft: Type.Integer({
      description: 'Working days from today (once closed: from the closing day) to the due date; negative when late',
    }),
  },
  { $id: 'CatalogDeadline', title: 'CatalogDeadline' },
);

export const DeadlineListQuery = Type.Object({
  scope: Type.Optional(
    Type.Enum(['mine', 'authority'], {
      default: 'mine',
      description: "mine: your organisation's entries; authority: entries your organisation reviews (data_authority only)",
    }),
  ),
  state: Type.Optional(Type.Enum(['open', 'due_soon', 'overdue', 'closed'], { description: 'open: every open deadline, due soon and overdue included' })),
  kind: Type.Optional(DeadlineKindSchema),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
});

export const DeadlineSummarySchema = Type.Object({
  open: Type.Integer({ minimum: 0, description: 'Every open deadline, due soon and overdue included' }),
  dueSoon: Type.Integer({ minimum: 0 }),
  overdue: Type.Integer({ minimum: 0 }),
});

export const LinkedResourceSchema = Type.Object(
  {
    resourceId: Uuid,
    kind: Type.Enum(['table', 'api', 'file']),
    name: Type.String(),
    linkedAt: IsoTime,
  },
  { $id: 'CatalogLinkedResource', title: 'CatalogLinkedResource' },
);
