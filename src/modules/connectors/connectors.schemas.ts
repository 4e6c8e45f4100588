import { Type } from 'typebox';
import { IsoTime, Nullable, Uuid } from '../../core/http/schemas.js';

/** TypeBox schemas of the connectors API. */

const Mode = Type.Union([Type.Literal('replace'), Type.Literal('upsert')], { description: 'how each run loads: upsert (default) or replace (the source is the whole table)' });

export const RunErrorSchema = Type.Object({ code: Type.String(), message: Type.String(), messageZh: Type.String() });

export const RunSchema = Type.Object(
  {
    id: Uuid,
    connectorId: Uuid,
    trigger: Type.Union([Type.Literal('schedule'), Type.Literal('manual')]),
    attempt: Type.Integer({ minimum: 0, description: 'the attempt running or last run (0 while queued)' }),
    status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('retrying'), Type.Literal('succeeded'), Type.Literal('failed')]),
    queuedAt: IsoTime,
    startedAt: Nullable(IsoTime),
    finishedAt: Nullable(IsoTime),
    nextRetryAt: Nullable(IsoTime),
    rowsRead: Nullable(Type.Integer({ minimum: 0 })),
    loadId: Nullable(Uuid),
    inserted: Nullable(Type.Integer({ minimum: 0 })),
    updated: Nullable(Type.Integer({ minimum: 0 })),
    rejected: Nullable(Type.Integer({ minimum: 0 })),
    watermarkFrom: Nullable(Type.String()),
    watermarkTo: Nullable(Type.String({ description: "the connector's watermark after the run" })),
    watermarkHeld: Type.Union([RunErrorSchema, Type.Null()], {
      description: 'why the watermark did not move although rows were read (CONNECTOR_WATERMARK_HELD: the loader refused rows; the next run reads them again)',
    }),
    error: Nullable(RunErrorSchema),
  },
  { $id: 'ConnectorRun', title: 'ConnectorRun' },
);

const ConfigSchema = Type.Record(Type.String(), Type.Unknown(), {
  description:
    'The kind\'s settings. postgres / mysql: host, port, database, user, ssl, table or query, watermarkColumn, batchSize, timeoutSeconds, columns. ' +
    'http: url, headers, secretHeader, itemsPath, paging {style page|offset|cursor, pageParam, offsetParam, sizeParam, cursorParam, pageSize, firstPage}, nextCursorPath, maxPages, watermarkParam, watermarkField, timeoutSeconds, columns. ' +
    'columns maps source column → resource column (default: same names). Never holds the secret.',
});

export const ConnectorSchema = Type.Object(
  {
    id: Uuid,
    resourceId: Uuid,
    providerId: Uuid,
    name: Type.String(),
    kind: Type.String(),
    config: ConfigSchema,
    hasSecret: Type.Boolean({ description: 'a password or secret header value is stored (sealed); it is never returned' }),
    intervalMinutes: Nullable(Type.Integer({ minimum: 1 })),
    mode: Mode,
    maxErrors: Type.Integer({ minimum: 0 }),
    maxAttempts: Type.Integer({ minimum: 1 }),
    enabled: Type.Boolean(),
    watermark: Nullable(Type.String()),
    nextRunAt: Nullable(IsoTime),
    lastRun: Nullable(RunSchema),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  { $id: 'Connector', title: 'Connector' },
);

const Secret = Type.String({ maxLength: 4096, description: 'postgres / mysql: the password; http: the value of secretHeader. Stored sealed, never returned' });
/**
 * A value or null as one `type: [t, 'null']`, not a union: the request validator coerces types, and
 * in a union it would read null as "" or 0 in one branch, or 0 as null in the other.
 */
const OrNull = <T>(schema: Record<string, unknown>) => Type.Unsafe<T | null>({ ...schema, type: [schema.type, 'null'] });
const Interval = OrNull<number>({ type: 'integer', minimum: 1, maximum: 525_600, description: 'minutes between scheduled runs; null: only when run by hand' });
const MaxErrors = Type.Integer({ minimum: 0, maximum: 10_000_000, description: 'refused rows a run tolerates before its load is aborted (default 1000)' });
const MaxAttempts = Type.Integer({ minimum: 1, maximum: 10, description: 'attempts per run, retried with backoff (default 3)' });
const Name = Type.String({ minLength: 1, maxLength: 100 });

export const CreateBody = Type.Object(
  {
    name: Name,
    kind: Type.String({ minLength: 1, maxLength: 40, description: 'postgres, mysql or http' }),
    config: ConfigSchema,
    secret: Type.Optional(Secret),
    intervalMinutes: Type.Optional(Interval),
    mode: Type.Optional(Mode),
    maxErrors: Type.Optional(MaxErrors),
    maxAttempts: Type.Optional(MaxAttempts),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const PatchBody = Type.Object(
  {
    name: Type.Optional(Name),
    config: Type.Optional(ConfigSchema),
    secret: Type.Optional(OrNull<string>({ type: 'string', maxLength: 4096, description: 'a new secret; null (or empty) removes it' })),
    intervalMinutes: Type.Optional(Interval),
    mode: Type.Optional(Mode),
    maxErrors: Type.Optional(MaxErrors),
    maxAttempts: Type.Optional(MaxAttempts),
    enabled: Type.Optional(Type.Boolean()),
    resetWatermark: Type.Optional(Type.Boolean({ description: 'read everything again at the next run' })),
  },
  { additionalProperties: false },
);

export const TestResultSchema = Type.Object({
  ok: Type.Boolean(),
  sample: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'up to 5 rows as they would be loaded' }),
  columns: Type.Array(Type.String(), { description: "the source's columns" }),
  code: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  messageZh: Type.Optional(Type.String()),
});
