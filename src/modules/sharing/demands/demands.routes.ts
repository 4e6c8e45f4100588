import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { rolesAccess } from '../../../core/auth/access.js';
import { errorResponses, Page, paging } from '../../../core/http/schemas.js';
import { AnswerBody, DemandInputSchema, DemandListQuery, DemandSchema, IdParams, ReasonBody, RouteBody } from './demands.schemas.js';
import type { DemandService } from './demands.service.js';

async function bodyOptional(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}

/** Demands (数据需求): filed by consumers, routed by the data authority, answered by providers. */
export const demandRoutes: FastifyPluginAsyncTypebox<{ demands: DemandService }> = async (app, { demands }) => {
  app.post('/demands', {
    config: { access: rolesAccess('consumer') },
    schema: {
      tags: ['sharing'],
      summary: 'File a demand for data no catalog entry describes / 提出数据需求',
      body: DemandInputSchema,
      response: { 201: DemandSchema, ...errorResponses(400, 401, 403, 409) },
    },
    handler: async (request, reply) => reply.status(201).send(await demands.file(request.actor, request.body)),
  });

  app.get('/demands', {
    config: { access: rolesAccess('consumer', 'provider_approver', 'data_authority') },
    schema: {
      tags: ['sharing'],
      summary: "Your organisation's demands, the authority's routing queue, or those assigned to you / 需求列表",
      querystring: DemandListQuery,
      response: { 200: Page(DemandSchema), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const p = paging(request.query);
      const result = await demands.list(request.actor, request.query, p);
      return { ...result, page: p.page, pageSize: p.pageSize };
    },
  });

  app.get('/demands/:id', {
    config: { access: rolesAccess('consumer', 'provider_approver', 'data_authority') },
    schema: {
      tags: ['sharing'],
      summary: 'One demand with its timeline / 需求详情',
      params: IdParams,
      response: { 200: DemandSchema, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => demands.get(request.actor, request.params.id),
  });

  app.post('/demands/:id/route', {
    config: { access: rolesAccess('data_authority') },
    schema: {
      tags: ['sharing'],
      summary: 'Route a demand to the organisation that holds the data (the responsible authority; answer due in 10 working days) / 分派需求',
      params: IdParams,
      body: RouteBody,
      response: { 200: DemandSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => demands.route(request.actor, request.params.id, request.body),
  });

  app.post('/demands/:id/answer', {
    config: { access: rolesAccess('provider_approver') },
    schema: {
      tags: ['sharing'],
      summary: 'Answer a demand routed to you: an entry, a planned date, or not held (with the reason) / 答复需求',
      params: IdParams,
      body: AnswerBody,
      response: { 200: DemandSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => demands.answer(request.actor, request.params.id, request.body),
  });

  app.post('/demands/:id/withdraw', {
    config: { access: rolesAccess('consumer') },
    schema: {
      tags: ['sharing'],
      summary: 'Withdraw an open demand / 撤回需求',
      params: IdParams,
      body: ReasonBody,
      response: { 200: DemandSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    preValidation: bodyOptional,
    handler: async (request) => demands.withdraw(request.actor, request.params.id, request.body),
  });
};
