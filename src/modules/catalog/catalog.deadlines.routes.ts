import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SIGNED_IN } from '../../core/auth/access.js';
import { errorResponses, Page, paging } from '../../core/http/schemas.js';
import { DeadlineListQuery, DeadlineSchema, DeadlineSummarySchema, LinkedResourceSchema } from './catalog.deadlines.schemas.js';
import { EntryParams } from './catalog.schemas.js';
import type { CatalogService } from './catalog.service.js';

/**
 * Deadlines (Guideline 四(二)3) and linked resources. `/catalogs/deadlines` is a static path, so the
 * router prefers it to `/catalogs/:id` (find-my-way: static segments win over parameters).
 * Linking itself has no route yet: the resources module (issue 4) calls CatalogService.linkResource.
 */
export const catalogDeadlineRoutes: FastifyPluginAsyncTypebox<{ catalog: CatalogService }> = async (app, { catalog }) => {
  app.get('/catalogs/deadlines', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['catalog'],
      summary: 'Deadlines of your organisation, or of the entries it reviews / 办理期限',
      querystring: DeadlineListQuery,
      response: {
        200: Type.Intersect([Page(DeadlineSchema), Type.Object({ summary: DeadlineSummarySchema })]),
        ...errorResponses(400, 401, 403),
      },
    },
    handler: async (request) => {
      const p = paging(request.query);
      const result = await catalog.deadlines.list(request.actor, request.query, p);
      return { ...result, page: p.page, pageSize: p.pageSize };
    },
  });

  app.get('/catalogs/:id/deadlines', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['catalog'],
      summary: "An entry's deadlines, for its provider and reviewer / 目录办理期限",
      params: EntryParams,
      response: { 200: Type.Object({ items: Type.Array(DeadlineSchema) }), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => ({ items: await catalog.deadlines.forEntry(request.actor, request.params.id) }),
  });

  app.get('/catalogs/:id/resources', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['catalog'],
      summary: 'Data resources linked to an entry / 目录关联的数据资源',
      params: EntryParams,
      response: { 200: Type.Object({ items: Type.Array(LinkedResourceSchema) }), ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => ({ items: await catalog.deadlines.resources(request.actor, request.params.id) }),
  });
};
