import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { PUBLIC, rolesAccess } from '../../../core/auth/access.js';
import { errorResponses, IsoTime, Nullable, Page, PageQuery, paging, Uuid } from '../../../core/http/schemas.js';
import { contentDisposition } from '../../resources/resources.files.js';
import { ROUTE_ROLES } from '../sharing.policy.js';
import { MAX_LINK_MINUTES, MAX_UNFINISHED_PER_USER, type ExportService } from './exports.service.js';

const COLUMN = '^[a-z][a-z0-9_]{0,62}$';
const StatusSchema = Type.Enum(['queued', 'running', 'ready', 'failed', 'expired']);
const FormatSchema = Type.Enum(['csv', 'xlsx']);

export const ExportSchema = Type.Object(
  {
    id: Uuid,
    grantId: Uuid,
    catalog: Type.Object({ id: Uuid, code: Type.String(), name: Type.String() }),
    consumerId: Uuid,
    consumerName: Type.String(),
    providerId: Uuid,
    providerName: Type.String(),
    requestedBy: Type.Object({ id: Uuid, displayName: Type.String() }),
    format: FormatSchema,
    fields: Nullable(Type.Array(Type.String())),
    filters: Nullable(Type.Record(Type.String(), Type.Unknown())),
    status: StatusSchema,
    attempts: Type.Integer({ minimum: 0 }),
    rows: Nullable(Type.Integer({ minimum: 0 })),
    size: Nullable(Type.Integer({ minimum: 0 })),
    sm3: Nullable(Type.String({ description: 'SM3 of the file, lowercase hex' })),
    fileName: Nullable(Type.String()),
    mediaType: Nullable(Type.String()),
    error: Nullable(
      Type.Object({
        code: Type.String(),
        message: Type.String(),
        messageZh: Type.String(),
        stage: Nullable(Type.String({ description: 'read | mask | watermark | encode | store' })),
      }),
    ),
    createdAt: IsoTime,
    startedAt: Nullable(IsoTime),
    finishedAt: Nullable(IsoTime),
    expiresAt: Nullable(IsoTime),
    links: Type.Integer({ minimum: 0 }),
    downloads: Type.Integer({ minimum: 0 }),
    mine: Type.Boolean({ description: 'You asked for it: you may make download links' }),
  },
  { $id: 'ShareExport', title: 'ShareExport' },
);

const ExportInputSchema = Type.Object(
  {
    grantId: Uuid,
    format: FormatSchema,
    fields: Type.Optional(Type.Array(Type.String({ pattern: COLUMN }), { maxItems: 200, description: 'Granted items to export, in this order; every granted item when absent' })),
    filters: Type.Optional(Type.Unknown({ description: "As the gateway's query: { column: value | { op: eq | in | prefix | gte | lte, value | values } }, on granted items that are not masked" })),
  },
  { additionalProperties: false, $id: 'ShareExportInput', title: 'ShareExportInput' },
);

const IdParams = Type.Object({ id: Uuid });
const FileBytes = { description: 'The file (text/csv or xlsx)', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };

/** The link's body is optional; without one (no content type) it means `{}`. */
async function bodyOptional(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}

/**
 * Exports (文件共享): consumers export granted data as files on the job queue, and download them once
 * per link. The download is public: its token is the credential.
 */
export const exportRoutes: FastifyPluginAsyncTypebox<{ exports: ExportService }> = async (app, { exports }) => {
  app.post('/exports', {
    config: { access: rolesAccess('consumer') },
    schema: {
      tags: ['sharing'],
      summary: 'Export the data a grant gives as a CSV or xlsx file (file sharing) / 文件共享导出',
      description:
        'For a grant of your organisation whose methods include file: the rows the gateway would give (granted items, masked as granted, the grant’s row filter on top of your filters), ' +
        'built on the job queue (queued → running → ready | failed). Refusals: 404 GRANT_NOT_FOUND (not your organisation’s grant); 403 GRANT_REVOKED, GRANT_EXPIRED, METHOD_NOT_GRANTED (method file), ' +
        `ITEM_NOT_GRANTED, FILTER_ON_MASKED_ITEM; 400 FILTER_INVALID; 409 RESOURCE_NOT_AVAILABLE; 429 EXPORT_LIMIT_REACHED (${MAX_UNFINISHED_PER_USER} unfinished exports per person).`,
      body: ExportInputSchema,
      response: { 202: ExportSchema, ...errorResponses(400, 401, 403, 404, 409, 429) },
    },
    handler: async (request, reply) => reply.status(202).send(await exports.request(request.actor, request.body)),
  });

  app.get('/exports', {
    config: { access: rolesAccess(...ROUTE_ROLES.read) },
    schema: {
      tags: ['sharing'],
      summary: "Your organisation's exports, or exports of its (or its providers') data / 导出列表",
      querystring: Type.Object({
        as: Type.Optional(Type.Enum(['consumer', 'provider'], { description: 'Both sides you may see when absent; a data authority sees its providers’ as provider' })),
        status: Type.Optional(StatusSchema),
        grantId: Type.Optional(Uuid),
        ...PageQuery,
      }),
      response: { 200: Page(ExportSchema), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const p = paging(request.query);
      const result = await exports.list(request.actor, request.query, p);
      return { ...result, page: p.page, pageSize: p.pageSize };
    },
  });

  app.get('/exports/:id', {
    config: { access: rolesAccess(...ROUTE_ROLES.read) },
    schema: {
      tags: ['sharing'],
      summary: 'One export: status, rows, size, SM3, expiry / 导出详情',
      description: 'For the parties of its grant (the consumer organisation’s consumers, the provider’s approvers, the responsible data authority); 404 EXPORT_NOT_FOUND for others.',
      params: IdParams,
      response: { 200: ExportSchema, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => exports.get(request.actor, request.params.id),
  });

  app.post('/exports/:id/link', {
    config: { access: rolesAccess('consumer') },
    schema: {
      tags: ['sharing'],
      summary: 'A one-time download link for a ready export (the person who asked for it) / 生成一次性下载链接',
      description:
        `url: a path under /api/v1 holding a random token (kept by the node as its SM3 only), valid for one download and for ttlMinutes (default and at most ${MAX_LINK_MINUTES}), never past the file’s expiry. ` +
        'Refusals: 404 EXPORT_NOT_FOUND; 403 EXPORT_NOT_REQUESTER (the file is watermarked with the requester), GRANT_REVOKED, GRANT_EXPIRED; 409 EXPORT_NOT_READY, ' +
        'EXPORT_STALE (the grant’s items, masking or row filter changed since the file was made: export again); 410 EXPORT_EXPIRED.',
      params: IdParams,
      body: Type.Object({ ttlMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LINK_MINUTES })) }, { additionalProperties: false }),
      response: { 200: Type.Object({ url: Type.String(), expiresAt: IsoTime }), ...errorResponses(400, 401, 403, 404, 409, 410) },
    },
    preValidation: bodyOptional,
    handler: async (request) => exports.createLink(request.actor, request.params.id, request.body),
  });

  app.get('/exports/download/:token', {
    config: { access: PUBLIC },
    // A HEAD would use up the link without a download.
    exposeHeadRoute: false,
    schema: {
      tags: ['sharing'],
      summary: 'Download an export once, by its link (no sign-in: the token is the credential) / 下载导出文件',
      description:
        'The file with Content-Disposition (UTF-8 name), Content-Length and X-Content-SM3: the SM3 of the whole file (lowercase hex, the export’s sm3), sent before the body ' +
        'so that the client verifies what it received. The file is streamed part by part, never held whole; the node checks the parts against the same digest as they go and, ' +
        'when they do not match, breaks the connection before the end (the body is then shorter than Content-Length): a client keeps a file only when its SM3 equals X-Content-SM3. ' +
        'The link is used up when the download starts; a refused download leaves it unused. ' +
        'Refusals: 404 EXPORT_LINK_NOT_FOUND; 410 EXPORT_LINK_USED, EXPORT_LINK_EXPIRED, EXPORT_EXPIRED; 403 GRANT_REVOKED, GRANT_EXPIRED (the grant ended since), ' +
        'IP_NOT_ALLOWED (the grant’s IP allow-list does not hold the address the download comes from); 409 EXPORT_STALE (the grant’s terms changed since the file was made).',
      params: Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }) }),
      response: {
        200: FileBytes,
        ...errorResponses(400, 401, 403, 404, 409, 410),
      },
    },
    handler: async (request, reply) => {
      const file = await exports.download(request.params.token, request.ip);
      return reply
        .type(file.mediaType)
        .headers({
          'content-length': String(file.size),
          'content-disposition': contentDisposition(file.fileName),
          'x-content-sm3': file.sm3,
          'x-content-type-options': 'nosniff',
          'content-security-policy': "sandbox; default-src 'none'",
          'cache-control': 'private, no-store',
          // The token is in the URL: it must not travel on as a referrer.
          'referrer-policy': 'no-referrer',
        })
        .send(Readable.from(file.body));
    },
  });
};
