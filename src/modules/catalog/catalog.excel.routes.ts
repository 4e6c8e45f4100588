import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SIGNED_IN, rolesAccess } from '../../core/auth/access.js';
import type { UserActor } from '../../core/auth/actor.js';
import { InputError, UnsupportedMediaError } from '../../core/errors.js';
import { acceptBinaryBodies } from '../../core/http/auth-hooks.js';
import { errorResponses } from '../../core/http/schemas.js';
import { contentDisposition, exportCatalogWorkbook, writeCatalogWorkbook } from './catalog.excel.js';
import { ROUTE_ROLES } from './catalog.policy.js';
import { CatalogListFilters } from './catalog.schemas.js';
import type { CatalogService } from './catalog.service.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const IMPORT_TYPES = [XLSX_TYPE, 'application/octet-stream'];
const IMPORT_BODY_LIMIT = 20 * 1024 * 1024;

const Workbook = (description: string) => ({
  description,
  content: { [XLSX_TYPE]: { schema: { type: 'string', format: 'binary' } } },
});

/**
 * The body is binary (OpenAPI 3.1: a schema with contentMediaType only) and is validated by reading it;
 * `type: string` would make Ajv refuse the Buffer.
 */
const WorkbookBody = {
  content: Object.fromEntries(IMPORT_TYPES.map((t) => [t, { schema: { contentMediaType: XLSX_TYPE, description: 'The workbook (.xlsx) in the template’s format' } }])),
};

const ImportProblemSchema = Type.Object({
  sheet: Type.String({ description: '目录 or 信息项' }),
  row: Type.Integer({ minimum: 1, description: 'Row number as Excel shows it (the header is row 1)' }),
  column: Type.String({ description: 'The column’s header, e.g. 字段名' }),
  code: Type.String(),
  message: Type.String({ description: 'Chinese' }),
  messageEn: Type.String(),
});

const ImportResultSchema = Type.Object({
  created: Type.Integer({ minimum: 0 }),
  updated: Type.Integer({ minimum: 0 }),
  unchanged: Type.Integer({ minimum: 0 }),
  dryRun: Type.Boolean(),
  errors: Type.Array(ImportProblemSchema),
});

const day = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');

/** The catalog's Excel template, import and export (issue 3 item 5). */
export const catalogExcelRoutes: FastifyPluginAsyncTypebox<{ catalog: CatalogService }> = async (app, { catalog }) => {
  // This plugin is its own encapsulation context: the workbook media types are accepted here only.
  acceptBinaryBodies(app, IMPORT_TYPES, IMPORT_BODY_LIMIT);

  app.get('/catalogs/template.xlsx', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['catalog'],
      summary: 'The Excel template for importing entries / 目录导入模板',
      description: 'Sheets 目录 and 信息项 with drop-downs for every coded column, notes on each header and an example row (序号 示例, skipped on import).',
      response: { 200: Workbook('The template (.xlsx)'), ...errorResponses(401) },
    },
    handler: async (_request, reply) => {
      const body = await writeCatalogWorkbook([], { example: true });
      return reply.type(XLSX_TYPE).header('content-disposition', contentDisposition('catalog-template.xlsx', '目录导入模板.xlsx')).send(body);
    },
  });

  app.get('/catalogs/export.xlsx', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['catalog'],
      summary: 'Export a search result as an Excel workbook / 目录导出',
      description: `The filters of GET /catalogs; the workbook has the template's format with codes filled, so it can be edited and imported again. At most 50,000 entries (EXPORT_TOO_LARGE).`,
      querystring: Type.Object({ ...CatalogListFilters }),
      response: { 200: Workbook('The entries found (.xlsx)'), ...errorResponses(400, 401) },
    },
    handler: async (request, reply) => {
      const body = await exportCatalogWorkbook(catalog, request.actor as UserActor, request.query);
      const name = `catalog-export-${day()}.xlsx`;
      return reply.type(XLSX_TYPE).header('content-disposition', contentDisposition(name, `目录导出-${day()}.xlsx`)).send(body);
    },
  });

  app.post('/catalogs/import', {
    config: { access: rolesAccess(...ROUTE_ROLES.edit) },
    bodyLimit: IMPORT_BODY_LIMIT,
    schema: {
      tags: ['catalog'],
      summary: 'Import entries from an Excel workbook / 目录批量导入',
      description:
        'Body: the workbook (Content-Type application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/octet-stream). ' +
        'All or nothing: with any error nothing is written and every error names its sheet, row and column. A row with 目录编码 changes ' +
        'that entry (a published or returned one gets a new draft version); a row without it changes your entry of the same name, else ' +
        'creates one. Rows that change nothing count as unchanged. dryRun=true only checks.',
      querystring: Type.Object({ dryRun: Type.Optional(Type.Boolean({ default: false })) }),
      body: WorkbookBody,
      response: { 200: ImportResultSchema, ...errorResponses(400, 401, 403, 413, 415) },
    },
    handler: async (request) => {
      const body: unknown = request.body;
      if (body === undefined || body === null) {
        throw new InputError('IMPORT_BODY_MISSING', 'Send the workbook as the request body', '请在请求体中上传 Excel 工作簿');
      }
      if (!Buffer.isBuffer(body)) {
        throw new UnsupportedMediaError('UNSUPPORTED_MEDIA_TYPE', `Send the workbook as ${XLSX_TYPE}`, '请以 Excel 工作簿（.xlsx）格式上传');
      }
      return catalog.importWorkbook(request.actor, body, { dryRun: request.query.dryRun ?? false });
    },
  });
};
