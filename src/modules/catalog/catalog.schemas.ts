import { Type, type Static } from 'typebox';
import { IsoTime, Nullable, Uuid } from '../../core/http/schemas.js';

export const ResourceTypeSchema = Type.Enum(['basic', 'thematic', 'department']);
export const FormatSchema = Type.Enum(['table', 'api', 'file']);
export const ShareTypeSchema = Type.Enum(['unconditional', 'conditional', 'none']);
export const ShareMethodSchema = Type.Enum(['api', 'table', 'file']);
export const OpenTypeSchema = Type.Enum(['unconditional', 'conditional', 'none']);
export const UpdateCycleSchema = Type.Enum(['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular']);
export const SecurityGradeSchema = Type.Enum(['core', 'important', 'general']);
export const DataTypeSchema = Type.Enum(['string', 'integer', 'decimal', 'date', 'datetime', 'boolean', 'binary']);
export const EntryStatusSchema = Type.Enum(['draft', 'submitted', 'returned', 'published', 'retired']);
export const VersionStatusSchema = Type.Enum(['draft', 'submitted', 'returned', 'published', 'superseded', 'retired']);

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });

/**
 * Shapes only; the rules a reviewer would check by hand (column names, key items, lengths, PII
 * kinds, share-type coherence) are checked by the service so that every problem gets its own code
 * and all of them are reported at once. `column` and `piiKind` are plain strings here for that reason.
 */
export const InfoItemInput = Type.Object(
  {
    name: Text(200),
    column: Type.String({ maxLength: 100 }),
    dataType: DataTypeSchema,
    length: Type.Optional(Type.Integer()),
    isKey: Type.Optional(Type.Boolean()),
    piiKind: Type.Optional(Type.String({ maxLength: 40 })),
    shareType: Type.Optional(ShareTypeSchema),
    /** The data element (数据元) the item instantiates, by its identifier in a data-element standard. */
    dataElement: Type.Optional(Type.String({ maxLength: 100 })),
    /** Item-level grade (GB/T 43697): never above the entry's. */
    securityGrade: Type.Optional(SecurityGradeSchema),
  },
  { additionalProperties: false },
);
export type InfoItemInputType = Static<typeof InfoItemInput>;

export const CatalogEntryInput = Type.Object(
  {
    name: Text(200),
    summary: Text(4000),
    resourceType: ResourceTypeSchema,
    category: Type.String({ maxLength: 40 }),
    format: FormatSchema,
    shareType: ShareTypeSchema,
    shareCondition: Type.Optional(Type.String({ maxLength: 2000 })),
    nonShareBasis: Type.Optional(Type.String({ maxLength: 2000 })),
    shareMethods: Type.Array(ShareMethodSchema, { maxItems: 3 }),
    openType: OpenTypeSchema,
    updateCycle: UpdateCycleSchema,
    securityGrade: SecurityGradeSchema,
    sensitivityLevel: Type.Optional(Type.Integer()),
    sourceSystemIds: Type.Optional(Type.Array(Uuid, { maxItems: 50 })),
    // The 500-item limit is the service's (ITEM_COUNT_INVALID); this bound only stops abuse.
    items: Type.Array(InfoItemInput, { maxItems: 2000 }),
  },
  { additionalProperties: false },
);
export type CatalogEntryInputType = Static<typeof CatalogEntryInput>;

export const InfoItemSchema = Type.Object({
  name: Type.String(),
  column: Type.String(),
  dataType: DataTypeSchema,
  length: Nullable(Type.Integer()),
  isKey: Type.Boolean(),
  piiKind: Nullable(Type.String()),
  shareType: Nullable(ShareTypeSchema),
  dataElement: Nullable(Type.String()),
  securityGrade: Nullable(SecurityGradeSchema),
});

export const ReturnReason = Type.Object(
  { field: Type.Optional(Type.String({ maxLength: 200 })), message: Text(2000) },
  { additionalProperties: false },
);

const contentProperties = {
  name: Type.String(),
  summary: Type.String(),
  resourceType: ResourceTypeSchema,
  category: Type.String(),
  format: FormatSchema,
  shareType: ShareTypeSchema,
  shareCondition: Nullable(Type.String()),
  nonShareBasis: Nullable(Type.String()),
  shareMethods: Type.Array(ShareMethodSchema),
  openType: OpenTypeSchema,
  updateCycle: UpdateCycleSchema,
  securityGrade: SecurityGradeSchema,
  sensitivityLevel: Nullable(Type.Integer()),
  sourceSystemIds: Type.Array(Uuid),
  items: Type.Array(InfoItemSchema),
};

export const CatalogContentSchema = Type.Object(contentProperties);

export const CatalogEntrySchema = Type.Object(
  {
    id: Uuid,
    code: Type.String(),
    status: EntryStatusSchema,
    version: Type.Integer(),
    versionStatus: VersionStatusSchema,
    publishedVersion: Nullable(Type.Integer()),
    provider: Type.Object({ id: Uuid, name: Type.String(), code: Type.String() }),
    reviewerOrganisationId: Nullable(Uuid),
    ...contentProperties,
    returnReasons: Nullable(Type.Array(ReturnReason)),
    retiredReason: Nullable(Type.String()),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  { $id: 'CatalogEntry' },
);

export const CatalogVersionSchema = Type.Object(
  {
    version: Type.Integer(),
    status: VersionStatusSchema,
    content: CatalogContentSchema,
    returnReasons: Nullable(Type.Array(ReturnReason)),
    createdBy: Nullable(Uuid),
    createdAt: IsoTime,
    updatedAt: IsoTime,
    submittedBy: Nullable(Uuid),
    submittedAt: Nullable(IsoTime),
    decidedBy: Nullable(Uuid),
    decidedAt: Nullable(IsoTime),
  },
  { $id: 'CatalogVersion' },
);

const Change = Type.Object({ field: Type.String(), before: Type.Unknown(), after: Type.Unknown() });
export const CatalogDiffSchema = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  fields: Type.Array(Change),
  items: Type.Object({
    added: Type.Array(InfoItemSchema),
    removed: Type.Array(InfoItemSchema),
    changed: Type.Array(Type.Object({ column: Type.String(), changes: Type.Array(Change) })),
  }),
});

const Count = Type.Array(
  Type.Object({
    value: Type.String(),
    count: Type.Integer({ minimum: 0 }),
    /** The organisation's name for the provider facet. */
    label: Type.Optional(Type.String()),
  }),
);
/** Counts over the filtered set (every filter applied); at most 50 values per facet, most frequent first. */
export const FacetsSchema = Type.Object({
  status: Count,
  provider: Count,
  resourceType: Count,
  shareType: Count,
  openType: Count,
  updateCycle: Count,
  securityGrade: Count,
  /** By 类, the first segment of the category. */
  category: Count,
  format: Count,
});

/** Where the query matched, as plain text and UTF-16 ranges [start, end) — never HTML. */
export const HighlightSchema = Type.Object({
  field: Type.Enum(['name', 'summary', 'item', 'provider']),
  /** The field's text; for the summary, a window of at most 160 characters around the first match. */
  text: Type.String(),
  ranges: Type.Array(Type.Tuple([Type.Integer({ minimum: 0 }), Type.Integer({ minimum: 0 })])),
});

export const SortSchema = Type.Enum(['relevance', 'recent', 'name']);

/** The filters of GET /catalogs (also those of the Excel export). */
export const CatalogListFilters = {
  q: Type.Optional(Type.String({ maxLength: 200 })),
  provider: Type.Optional(Uuid),
  status: Type.Optional(EntryStatusSchema),
  shareType: Type.Optional(ShareTypeSchema),
  openType: Type.Optional(OpenTypeSchema),
  resourceType: Type.Optional(ResourceTypeSchema),
  format: Type.Optional(FormatSchema),
  updateCycle: Type.Optional(UpdateCycleSchema),
  securityGrade: Type.Optional(SecurityGradeSchema),
  /** A prefix of the category by whole segments: 类 `1`, 类-项 `1-01`, … */
  category: Type.Optional(Type.String({ pattern: '^[1-9](-[0-9]{2}(-[0-9]{3}(-[0-9]{3})?)?)?$' })),
  /** Default: relevance when q is given, else recent. */
  sort: Type.Optional(SortSchema),
  /** own: your organisation's entries; reviewing: other organisations' entries yours reviews (the review queue). */
  scope: Type.Optional(Type.Enum(['own', 'reviewing'])),
};

export const CatalogSearchHitSchema = Type.Intersect([CatalogEntrySchema, Type.Object({ highlights: Type.Array(HighlightSchema) })]);

export const InformationSystemSchema = Type.Object(
  {
    id: Uuid,
    organisationId: Uuid,
    name: Type.String(),
    description: Type.String(),
    createdAt: IsoTime,
  },
  { $id: 'InformationSystem' },
);

export const CreateInformationSystemBody = Type.Object(
  { name: Text(200), description: Type.Optional(Type.String({ maxLength: 4000 })) },
  { additionalProperties: false },
);

/** An entry is addressed by its id (uuid) or its code. */
export const EntryParams = Type.Object({ id: Type.String({ pattern: '^[0-9A-Za-z-]{1,100}$' }) });
