import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { APP, SIGNED_IN, rolesAccess } from '../../core/auth/access.js';
import { declaredBodySm3 } from '../../core/http/auth-hooks.js';
import { errorResponses, IsoTime, Nullable, Page, PageQuery, paging, Uuid } from '../../core/http/schemas.js';
import { InputError } from '../../core/errors.js';
import { MAX_TIMEOUT_MS, MAX_UPSTREAM_BYTES, MIN_TIMEOUT_MS } from './resources.api.js';
import * as E from './resources.errors.js';
import { contentDisposition, type FileVersion } from './resources.files.js';
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

const Method = Type.Union([Type.Literal('GET'), Type.Literal('POST')]);

const ApiSchema = Type.Object(
  {
    url: Type.String(),
    method: Method,
    headers: Type.Record(Type.String(), Type.String()),
    secretHeaderName: Nullable(Type.String()),
    hasSecret: Type.Boolean({ description: 'A credential is sealed for the secret header; its value is never shown' }),
    timeoutMs: Type.Integer(),
  },
  { description: 'kind api: the upstream the node calls' },
);

const FileVersionSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    fileName: Type.String(),
    mediaType: Type.String(),
    size: Type.Integer({ minimum: 1, description: 'bytes' }),
    sm3: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SM3 of the bytes, lowercase hex' }),
    note: Nullable(Type.String()),
    uploadedBy: Nullable(Type.String()),
    uploadedAt: IsoTime,
  },
  { $id: 'FileVersion', title: 'FileVersion' },
);

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
    api: Type.Optional(ApiSchema),
    fileCount: Type.Optional(Type.Integer({ minimum: 0, description: 'kind file: the number of versions' })),
    latestFile: Type.Optional(Nullable(FileVersionSchema)),
  },
  { $id: 'Resource', title: 'Resource' },
);

const HeaderMap = Type.Record(Type.String(), Type.String({ maxLength: 4000 }), { maxProperties: 20, description: 'Plain headers, shown to readers: no credentials' });
const SecretHeader = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100 }), value: Type.String({ minLength: 1, maxLength: 4000 }) },
  { description: 'The credential header (e.g. Authorization, X-Api-Key): sealed with the node key, added to every call, never shown' },
);
const Timeout = Type.Integer({ minimum: MIN_TIMEOUT_MS, maximum: MAX_TIMEOUT_MS, description: `default 10000` });
const ApiInput = Type.Object({
  url: Type.String({ minLength: 1, maxLength: 2048, description: 'http(s) URL of the upstream; calls may add a path under it' }),
  method: Method,
  headers: Type.Optional(HeaderMap),
  secretHeader: Type.Optional(SecretHeader),
  timeoutMs: Type.Optional(Timeout),
});

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

/** A download's body: bytes, served with the file's own media type (a plain object: no type to infer for the reply). */
const FileBytes = { description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };

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
      description:
        'The kind must be the entry’s format. table: a table in this node typed from the info items of the version in force, the key items as its primary key (one per entry). ' +
        'api (with `api`): an upstream HTTP API the node calls for its readers; the secret header is sealed and never shown. file: versioned files (POST /resources/{id}/files). ' +
        'Meets the entry’s link-resource deadline.',
      params: Params,
      body: Type.Object({
        kind: Type.Union([Type.Literal('table'), Type.Literal('api'), Type.Literal('file')]),
        name: Type.Optional(Type.String({ maxLength: 200 })),
        api: Type.Optional(ApiInput),
      }),
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
      ...(request.routeOptions.config.streamedBody ? { expectedSm3: declaredBodySm3(request) } : {}),
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
    config: { access: APP, streamedBody: true },
    schema: {
      tags: ['resources'],
      summary: 'Push data from the provider’s own system (signed app request) / 数据推送',
      description:
        'A signed request (DESIGN §6) with an app credential of the providing organisation, and the header X-Tianshu-Content-SM3: the hex SM3 of the body, which the signature covers in place of hashing a body the node reads as a stream. ' +
        `Bytes with another digest are refused (400 CONTENT_DIGEST_MISMATCH) and nothing is kept. The load is recorded with source push:<appKey>. ${loadDescription}`,
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

  app.patch('/resources/:id/api', {
    config: { access: rolesAccess('catalog_editor') },
    schema: {
      tags: ['resources'],
      summary: 'Change an api resource’s upstream / 修改接口资源的上游配置',
      description: 'Absent fields stay as they are; secretHeader replaces the credential, null removes it.',
      params: Params,
      body: Type.Object({
        url: Type.Optional(ApiInput.properties.url),
        method: Type.Optional(Method),
        headers: Type.Optional(HeaderMap),
        secretHeader: Type.Optional(Nullable(SecretHeader)),
        timeoutMs: Type.Optional(Timeout),
      }),
      response: { 200: ResourceSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => resources.updateApi(request.actor, request.params.id, request.body),
  });

  app.post('/resources/:id/invoke', {
    config: { access: SIGNED_IN },
    bodyLimit: MAX_UPSTREAM_BYTES,
    schema: {
      tags: ['resources'],
      summary: 'Call an api resource’s upstream through the node (providing organisation and its data authority) / 接口调用',
      description:
        'The node calls the registered URL (path appended under it, query added to the registered one) with the registered headers and the sealed credential, ' +
        'and relays the status, content type and body (JSON parsed when JSON, else text; at most 1 MiB, else 502 UPSTREAM_TOO_LARGE). Redirects are not followed. ' +
        'Unreachable: 502 UPSTREAM_UNREACHABLE; no answer within timeoutMs: 504 UPSTREAM_TIMEOUT; an address the node does not call: 403 UPSTREAM_HOST_BLOCKED.',
      params: Params,
      body: Type.Object({
        path: Type.Optional(Type.String({ maxLength: 2048, description: 'Relative to the registered URL, e.g. persons/630102199003070011' })),
        query: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), { maxProperties: 100 })),
        body: Type.Optional(Type.Unknown({ description: 'JSON sent to a POST upstream' })),
      }),
      response: {
        200: Type.Object({
          status: Type.Integer({ description: 'The upstream’s status' }),
          headers: Type.Record(Type.String(), Type.String(), { description: 'content-type only' }),
          body: Type.Unknown(),
          latencyMs: Type.Integer({ minimum: 0 }),
        }),
        ...errorResponses(400, 401, 403, 404, 409, 413, 502, 504),
      },
    },
    handler: async (request) => resources.invoke(request.actor, request.params.id, request.body),
  });

  // Any media type is a file: in this scope only, bodies are handed through as streams, unparsed.
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    scope.post('/resources/:id/files', {
      config: { access: rolesAccess('catalog_editor') },
      schema: {
        tags: ['resources'],
        summary: 'Upload a new version of a file resource’s file / 上传文件（新版本）',
        description:
          'Body: the file, of any media type (kept and served with it; none given: application/octet-stream). Streamed into the database in 1 MiB parts; ' +
          'it becomes version n+1 once whole, with its SM3 digest (recorded in the ledger). Larger than the node’s limit (1 GiB by default): 413 FILE_TOO_LARGE.',
        params: Params,
        querystring: Type.Object({ name: Type.String({ minLength: 1, maxLength: 255, description: 'The file name, e.g. 2025年人口统计.pdf' }), note: Type.Optional(Type.String({ maxLength: 500 })) }),
        body: { content: { 'application/octet-stream': { schema: { description: 'The file’s bytes (any media type)' } } } },
        response: { 201: FileVersionSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415) },
      },
      handler: async (request, reply) => {
        const stream = request.body as Readable | undefined;
        if (!stream || typeof stream.iterator !== 'function') throw E.fileEmpty();
        const length = request.headers['content-length'];
        // Refused midway (413), the request stream is left as it is rather than destroyed (the
        // default when a for-await stops); the rest is not read, and the connection closes after the answer.
        const body = { [Symbol.asyncIterator]: () => stream.iterator({ destroyOnReturn: false }) as AsyncIterator<Uint8Array> };
        let file: FileVersion;
        try {
          file = await resources.uploadFile(request.actor, request.params.id, {
            fileName: request.query.name,
            note: request.query.note,
            contentType: request.headers['content-type'],
            declaredSize: length === undefined ? undefined : Number(length),
            body,
          });
        } catch (err) {
          if (!stream.readableEnded) void reply.header('connection', 'close');
          throw err;
        }
        return reply.status(201).send(file);
      },
    });
  });

  app.get('/resources/:id/files', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['resources'],
      summary: 'Versions of a file resource’s file, newest first (providing organisation and its data authority) / 文件版本',
      params: Params,
      querystring: Type.Object({ ...PageQuery }),
      response: { 200: Page(FileVersionSchema), ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => {
      const p = paging(request.query);
      return { ...(await resources.fileVersions(request.actor, request.params.id, p)), page: p.page, pageSize: p.pageSize };
    },
  });

  app.get('/resources/:id/files/:version', {
    config: { access: SIGNED_IN },
    // A HEAD would record a download in the ledger without one.
    exposeHeadRoute: false,
    schema: {
      tags: ['resources'],
      summary: 'Download one version (providing organisation and its data authority) / 下载文件',
      description: 'The bytes as uploaded, with their media type, Content-Disposition (the UTF-8 name per RFC 5987) and X-Content-SM3. Recorded in the ledger.',
      params: Type.Object({ id: Params.properties.id, version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }),
      response: { 200: FileBytes, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => {
      const { file, body } = await resources.openFile(request.actor, request.params.id, request.params.version);
      return reply
        .type(file.mediaType)
        .headers({
          'content-length': String(file.size),
          'content-disposition': contentDisposition(file.fileName),
          'x-content-sm3': file.sm3,
          // Uploaded content is never run as part of the portal, whatever its type.
          'x-content-type-options': 'nosniff',
          'content-security-policy': "sandbox; default-src 'none'",
          'cache-control': 'private, no-store',
        })
        .send(Readable.from(body));
    },
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
