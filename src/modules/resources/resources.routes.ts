import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { APP, SIGNED_IN, rolesAccess } from '../../core/auth/access.js';
import { errorResponses, IsoTime, Nullable, Page, PageQuery, paging, Uuid } from '../../core/http/schemas.js';
import { InputError } from '../../core/errors.js';
import { LOAD_MEDIA_TYPES, XLSX_MEDIA_TYPE, formatOf } from './resources.load.js';
import type { ResourceService } from './resources.service.js';

const ColumnSchema = Type.Object({
  name: Type.String(),
  column: Type.String(),
  dataType: Type.String(),
  length: Nullable(Type.Integer()),
  isKey: Type.Boolean(),
  piiKind: Nullable(Type.String()),
});

const ResourceSchema = Type.Object(
  {
    id: Uuid,
    kind: Type.Union([Type.Literal('table'), Type.Literal('api'), Type.Literal('file')]),
    name: Type.String(),
    catalog: Type.Object({ id: Uuid, code: Type.String(), version: Type.Integer() }),
    providerId: Uuid,
    columns: Nullable(Type.Array(ColumnSchema)),
    rowCount: Type.Integer({ minimum: 0 }),
    lastLoadedAt: Nullable(IsoTime),
    changeRetentionDays: Type.Integer(),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  { $id: 'Resource', title: 'Resource' },
);

const RowProblemSchema = Type.Object({
  row: Type.Integer({ minimum: 1, description: '1 = the first data row' }),
  column: Type.String({ description: 'The column name, or empty for the whole row' }),
  code: Type.String(),
  message: Type.String(),
  messageZh: Type.String(),
});

const counts = {
  rowsRead: Type.Integer({ minimum: 0 }),
  inserted: Type.Integer({ minimum: 0 }),
  updated: Type.Integer({ minimum: 0 }),
  deleted: Type.Integer({ minimum: 0 }),
  unchanged: Type.Integer(),
  rejected: Type.Integer({ minimum: 0 }),
  errors: Type.Array(RowProblemSchema),
};

const LoadResultSchema = Type.Object({
  loadId: Nullable(Uuid),
  status: Type.String(),
  dryRun: Type.Boolean(),
  format: Type.String(),
  encoding: Nullable(Type.String()),
  ...counts,
  errorsTruncated: Type.Boolean(),
  preview: Type.Optional(Type.Object({ header: Type.Array(Type.String()), rows: Type.Array(Type.Array(Type.String())) })),
});

const LoadRecordSchema = Type.Object({
  loadId: Uuid,
  status: Type.String(),
  mode: Type.String(),
  source: Type.String(),
  format: Type.String(),
  encoding: Nullable(Type.String()),
  ...counts,
  contentSm3: Nullable(Type.String()),
  startedBy: Nullable(Type.String()),
  startedAt: IsoTime,
  finishedAt: Nullable(IsoTime),
  resumable: Type.Boolean(),
});

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const DataBody = {
  content: Object.fromEntries(Object.keys(LOAD_MEDIA_TYPES).map((t) => [t, { schema: { description: 'The file: CSV (UTF-8 or GBK/GB18030), xlsx or NDJSON' } }])),
};

/** `text/csv; charset=gbk` → gbk. */
const charsetOf = (contentType: string | undefined): string | undefined => /;\s*charset="?([^";]+)"?/i.exec(contentType ?? '')?.[1]?.trim();

/** Data resources (issue 4): attach, load, preview, change log, profiles. */
export const resourceRoutes: FastifyPluginAsyncTypebox<{ resources: ResourceService }> = async (app, { resources }) => {
  // Files are read as they arrive (a 1 GB CSV must not be held in memory): the parser hands the
  // request stream through, in this plugin only.
  app.addContentTypeParser(Object.keys(LOAD_MEDIA_TYPES), (_request, payload, done) => done(null, payload));

  app.post('/catalogs/:id/resources', {
    config: { access: rolesAccess('catalog_editor') },
    schema: {
      tags: ['resources'],
      summary: 'Attach a data resource to a published entry of your organisation / 挂接数据资源',
      description: 'kind table: a table in this node typed from the info items of the version in force, the key items as its primary key. Meets the entry’s link-resource deadline.',
      params: Params,
      body: Type.Object({ kind: Type.Union([Type.Literal('table'), Type.Literal('api'), Type.Literal('file')]), name: Type.Optional(Type.String({ maxLength: 200 })) }),
      response: { 201: ResourceSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => reply.status(201).send(await resources.createForEntry(request.actor, request.params.id, request.body)),
  });

  app.get('/resources', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['resources'],
      summary: 'Data resources / 数据资源列表',
      querystring: Type.Object({ catalogId: Type.Optional(Uuid), provider: Type.Optional(Uuid), kind: Type.Optional(Type.Union([Type.Literal('table'), Type.Literal('api'), Type.Literal('file')])), ...PageQuery }),
      response: { 200: Page(ResourceSchema), ...errorResponses(400, 401) },
    },
    handler: async (request) => {
      const p = paging(request.query);
      const result = await resources.list(request.actor, { catalogEntryId: request.query.catalogId, providerId: request.query.provider, kind: request.query.kind }, p);
      return { ...result, page: p.page, pageSize: p.pageSize };
    },
  });

  app.get('/resources/:id', {
    config: { access: SIGNED_IN },
    schema: { tags: ['resources'], summary: 'One data resource, with rowCount and lastLoadedAt / 数据资源详情', params: Params, response: { 200: ResourceSchema, ...errorResponses(401, 404) } },
    handler: async (request) => resources.get(request.actor, request.params.id),
  });

  const loadQuery = Type.Object({
    mode: Type.Optional(Type.Union([Type.Literal('replace'), Type.Literal('upsert')], { default: 'upsert' })),
    charset: Type.Optional(Type.String({ maxLength: 20 })),
    maxErrors: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, default: 1000 })),
    dryRun: Type.Optional(Type.Boolean({ default: false })),
  });
  const loadDescription =
    `Body: the file, as text/csv (charset utf-8, gbk or gb18030 in the Content-Type or the charset parameter; detected when absent), ${XLSX_MEDIA_TYPE} or application/x-ndjson. ` +
    'The header names columns by column name or item name. Every value is checked against its info item; refused rows are reported with row (1 = first data row), column, code and message. ' +
    'mode=replace makes the table the file; upsert adds new keys and updates changed rows (columns absent from the file keep their values). One transaction: readers see the old data or the new. ' +
    'More than maxErrors refused rows (default 1000) abort the load (422 LOAD_TOO_MANY_ERRORS). dryRun=true checks and previews only.';
  const loadHandler = async (request: FastifyRequest<{ Params: { id: string }; Querystring: Static<typeof loadQuery> }>) => {
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim();
    formatOf(mediaType); // 415 before anything else
    const body = request.body as Readable | undefined;
    if (!body || typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function') {
      throw new InputError('LOAD_BODY_MISSING', 'Send the file as the request body', '请在请求体中上传数据文件');
    }
    return resources.load(request.actor, request.params.id, {
      mode: request.query.mode ?? 'upsert',
      mediaType,
      charset: request.query.charset ?? charsetOf(request.headers['content-type']),
      body,
      maxErrors: request.query.maxErrors ?? 1000,
      dryRun: request.query.dryRun ?? false,
    });
  };

  app.post('/resources/:id/data', {
    config: { access: rolesAccess('catalog_editor') },
    schema: {
      tags: ['resources'],
      summary: 'Load a file into a table resource / 数据加载',
      description: loadDescription,
      params: Params,
      querystring: loadQuery,
      body: DataBody,
      response: { 200: LoadResultSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
    },
    handler: loadHandler,
  });

  app.post('/resources/:id/push', {
    config: { access: APP },
    schema: {
      tags: ['resources'],
      summary: 'Push data from the provider’s own system (signed app request) / 数据推送',
      description: `A signed request (DESIGN §6) with an app credential of the providing organisation; the load is recorded with source push:<appKey>. ${loadDescription}`,
      params: Params,
      querystring: loadQuery,
      body: DataBody,
      response: { 200: LoadResultSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
    },
    handler: loadHandler,
  });

  app.get('/resources/:id/loads', {
    config: { access: SIGNED_IN },
    schema: { tags: ['resources'], summary: 'Load history / 加载记录', params: Params, querystring: Type.Object({ ...PageQuery }), response: { 200: Page(LoadRecordSchema), ...errorResponses(400, 401, 403, 404) } },
    handler: async (request) => {
      const p = paging(request.query);
      return { ...(await resources.loads(request.actor, request.params.id, p)), page: p.page, pageSize: p.pageSize };
    },
  });

  app.post('/resources/:id/loads/:loadId/resume', {
    config: { access: rolesAccess('catalog_editor') },
    schema: {
      tags: ['resources'],
      summary: 'Merge a validated load again (after a failure or a stop) / 续传加载',
      params: Type.Object({ id: Type.String({ maxLength: 64 }), loadId: Type.String({ maxLength: 64 }) }),
      response: { 200: LoadResultSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => resources.resume(request.actor, request.params.id, request.params.loadId),
  });

  app.get('/resources/:id/rows', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['resources'],
      summary: 'The data (providing organisation and its data authority) / 数据预览',
      params: Params,
      querystring: Type.Object({ ...PageQuery }),
      response: { 200: Page(Type.Record(Type.String(), Type.Unknown())), ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => {
      const p = paging(request.query);
      return { ...(await resources.rows(request.actor, request.params.id, p)), page: p.page, pageSize: p.pageSize };
    },
  });

  app.get('/resources/:id/changes', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['resources'],
      summary: 'The change log (providing organisation and its data authority) / 变更日志',
      params: Params,
      querystring: Type.Object({ after: Type.Optional(Type.Integer({ minimum: 0, default: 0 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }),
      response: {
        200: Type.Object({ items: Type.Array(Type.Object({ seq: Type.Integer(), op: Type.String(), key: Type.Record(Type.String(), Type.Unknown()), at: IsoTime })), next: Type.Integer() }),
        ...errorResponses(400, 401, 403, 404, 409),
      },
    },
    handler: async (request) => resources.changes(request.actor, request.params.id, request.query.after ?? 0, request.query.limit ?? 100),
  });

  const ProfileSchema = Type.Object({
    key: Type.String(),
    kind: Type.String(),
    sections: Type.Array(Type.Object({ resource: ResourceSchema, records: Type.Array(Type.Record(Type.String(), Type.Unknown())) })),
  });
  app.get('/profiles/person/:idNumber', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['resources'],
      summary: 'One person’s records across table resources keyed by resident ID / 一人一档',
      params: Type.Object({ idNumber: Type.String({ pattern: '^[0-9]{17}[0-9Xx]$' }) }),
      response: { 200: ProfileSchema, ...errorResponses(400, 401) },
    },
    handler: async (request) => resources.profile(request.actor, 'resident_id', request.params.idNumber),
  });
  app.get('/profiles/enterprise/:uscc', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['resources'],
      summary: 'One organisation’s records across table resources keyed by credit code / 一企一档',
      params: Type.Object({ uscc: Type.String({ pattern: '^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$' }) }),
      response: { 200: ProfileSchema, ...errorResponses(400, 401) },
    },
    handler: async (request) => resources.profile(request.actor, 'uscc', request.params.uscc),
  });
};
