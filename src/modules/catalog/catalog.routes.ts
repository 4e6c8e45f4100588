import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SIGNED_IN, rolesAccess } from '../../core/auth/access.js';
import { errorResponses, Page, PageQuery, paging, Uuid } from '../../core/http/schemas.js';
import { catalogExcelRoutes } from './catalog.excel.routes.js';
import { ROUTE_ROLES } from './catalog.policy.js';
import {
  CatalogDiffSchema,
  CatalogEntryInput,
  CatalogEntrySchema,
  CatalogListFilters,
  CatalogSearchHitSchema,
  CatalogVersionSchema,
  CreateInformationSystemBody,
  EntryParams,
  FacetsSchema,
  InformationSystemSchema,
  ReturnReason,
} from './catalog.schemas.js';
import type { CatalogService } from './catalog.service.js';

export const catalogRoutes: FastifyPluginAsyncTypebox<{ catalog: CatalogService }> = async (app, { catalog }) => {
  // ---- information systems (政务信息系统) ----
  app.post('/information-systems', {
    config: { access: rolesAccess(...ROUTE_ROLES.systemCreate) },
    schema: {
      tags: ['catalog'],
      summary: "Register an information system of your organisation / 登记政务信息系统",
      body: CreateInformationSystemBody,
      response: { 201: InformationSystemSchema, ...errorResponses(400, 401, 403, 409) },
    },
    handler: async (request, reply) => reply.status(201).send(await catalog.createSystem(request.actor, request.body)),
  });

  app.get('/information-systems', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['catalog'],
      summary: 'List information systems / 政务信息系统列表',
      querystring: Type.Object({ organisationId: Type.Optional(Uuid), ...PageQuery }),
      response: { 200: Page(InformationSystemSchema), ...errorResponses(400, 401) },
    },
    handler: async (request) => {
      const p = paging(request.query);
      const result = await catalog.listSystems(request.actor, request.query, p);
      return { ...result, page: p.page, pageSize: p.pageSize };
    },
  });

  app.get('/information-systems/:id', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['catalog'],
      summary: 'One information system / 政务信息系统详情',
      params: Type.Object({ id: Uuid }),
      response: { 200: InformationSystemSchema, ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => catalog.getSystem(request.actor, request.params.id),
  });

  app.put('/information-systems/:id', {
    config: { access: rolesAccess(...ROUTE_ROLES.systemCreate) },
    schema: {
      tags: ['catalog'],
      summary: "Rename or describe your organisation's information system / 修改政务信息系统",
      params: Type.Object({ id: Uuid }),
      body: CreateInformationSystemBody,
      response: { 200: InformationSystemSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => catalog.updateSystem(request.actor, request.params.id, request.body),
  });

  app.delete('/information-systems/:id', {
    config: { access: rolesAccess(...ROUTE_ROLES.systemCreate) },
    schema: {
      tags: ['catalog'],
      summary: 'Delete an information system no entry names as its source / 删除政务信息系统',
      params: Type.Object({ id: Uuid }),
      response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => {
      await catalog.deleteSystem(request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  });

  // ---- catalog entries (政务数据目录) ----
  app.post('/catalogs', {
    config: { access: rolesAccess(...ROUTE_ROLES.edit) },
    schema: {
      tags: ['catalog'],
      summary: 'Register a catalog entry (draft) for your organisation / 编制目录',
      body: CatalogEntryInput,
      response: { 201: CatalogEntrySchema, ...errorResponses(400, 401, 403) },
    },
    handler: async (request, reply) => reply.status(201).send(await catalog.create(request.actor, request.body)),
  });

  app.get('/catalogs', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['catalog'],
      summary: 'Search and browse the catalog with facets / 目录检索',
      description:
        'Chinese full-text search (jieba) over name, summary, info item names and provider, or an exact code; ' +
        'facets are counts over the filtered set; each item carries the highlights of its matches.',
      querystring: Type.Object({ ...CatalogListFilters, ...PageQuery }),
      response: {
        200: Type.Intersect([
          Page(CatalogSearchHitSchema),
          Type.Object({
            facets: FacetsSchema,
            approximate: Type.Boolean({
              description:
                'true past 1,000 matches: total and facet counts are estimated from a sample (show them as 约), and relevance ranks the first 1,000 matches',
            }),
          }),
        ]),
        ...errorResponses(400, 401),
      },
    },
    handler: async (request) => {
      const p = paging(request.query);
      const result = await catalog.list(request.actor, request.query, p);
      return { ...result, page: p.page, pageSize: p.pageSize };
    },
  });

  app.get('/catalogs/:id', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['catalog'],
      summary: 'One catalog entry, by id or code / 目录详情',
      params: EntryParams,
      response: { 200: CatalogEntrySchema, ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => catalog.get(request.actor, request.params.id),
  });

  app.put('/catalogs/:id', {
    config: { access: rolesAccess(...ROUTE_ROLES.edit) },
    schema: {
      tags: ['catalog'],
      summary: 'Change an entry (a published one gets a new draft version) / 修改目录',
      params: EntryParams,
      body: CatalogEntryInput,
      response: { 200: CatalogEntrySchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => catalog.update(request.actor, request.params.id, request.body),
  });

  app.post('/catalogs/:id/submit', {
    config: { access: rolesAccess(...ROUTE_ROLES.edit) },
    schema: {
      tags: ['catalog'],
      summary: 'Submit a draft for review / 提交审核',
      params: EntryParams,
      response: { 200: CatalogEntrySchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => catalog.submit(request.actor, request.params.id),
  });

  app.post('/catalogs/:id/return', {
    config: { access: rolesAccess(...ROUTE_ROLES.review) },
    schema: {
      tags: ['catalog'],
      summary: 'Return a submitted entry with reasons / 退回',
      params: EntryParams,
      body: Type.Object({ reasons: Type.Array(ReturnReason, { minItems: 1, maxItems: 100 }) }, { additionalProperties: false }),
      response: { 200: CatalogEntrySchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => catalog.returnEntry(request.actor, request.params.id, request.body.reasons),
  });

  app.post('/catalogs/:id/approve', {
    config: { access: rolesAccess(...ROUTE_ROLES.review) },
    schema: {
      tags: ['catalog'],
      summary: 'Approve and publish a submitted entry / 审核通过并发布',
      params: EntryParams,
      response: { 200: CatalogEntrySchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => catalog.approve(request.actor, request.params.id),
  });

  app.post('/catalogs/:id/retire', {
    config: { access: rolesAccess(...ROUTE_ROLES.retire) },
    schema: {
      tags: ['catalog'],
      summary: 'Retire a published entry / 撤销目录',
      params: EntryParams,
      body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000, pattern: '\\S' }) }, { additionalProperties: false }),
      response: { 200: CatalogEntrySchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => catalog.retire(request.actor, request.params.id, request.body.reason),
  });

  app.get('/catalogs/:id/versions', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['catalog'],
      summary: 'Every version of an entry / 版本历史',
      params: EntryParams,
      response: { 200: Type.Object({ items: Type.Array(CatalogVersionSchema) }), ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => ({ items: await catalog.versions(request.actor, request.params.id) }),
  });

  app.get('/catalogs/:id/diff', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['catalog'],
      summary: 'Compare two versions field by field / 版本比对',
      params: EntryParams,
      querystring: Type.Object({ from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }) }),
      response: { 200: CatalogDiffSchema, ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => catalog.diff(request.actor, request.params.id, request.query.from, request.query.to),
  });

  // Excel template, import and export, in a child context: only it accepts workbook bodies.
  await app.register(catalogExcelRoutes, { catalog });
};
