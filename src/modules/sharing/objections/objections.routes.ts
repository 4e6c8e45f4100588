import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { rolesAccess } from '../../../core/auth/access.js';
import { errorResponses, Page, paging } from '../../../core/http/schemas.js';
import { ArbitrateBody, IdParams, ObjectionInputSchema, ObjectionListQuery, ObjectionSchema, ResolveBody, WithdrawBody } from './objections.schemas.js';
import type { ObjectionService } from './objections.service.js';

/** Objections (异议): to data received under a grant (the provider resolves), or to a refusal (the authority arbitrates). */
export const objectionRoutes: FastifyPluginAsyncTypebox<{ objections: ObjectionService }> = async (app, { objections }) => {
  app.post('/objections', {
    config: { access: rolesAccess('consumer') },
    schema: {
      tags: ['sharing'],
      summary: 'Object to data received under a grant, or to the refusal of an application / 提出异议',
      body: ObjectionInputSchema,
      response: { 201: ObjectionSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => reply.status(201).send(await objections.file(request.actor, request.body)),
  });

  app.get('/objections', {
    config: { access: rolesAccess('consumer', 'provider_approver', 'data_authority') },
    schema: {
      tags: ['sharing'],
      summary: 'Objections your organisation filed, or those you act on / 异议列表',
      querystring: ObjectionListQuery,
      response: { 200: Page(ObjectionSchema), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const p = paging(request.query);
      const result = await objections.list(request.actor, request.query, p);
      return { ...result, page: p.page, pageSize: p.pageSize };
    },
  });

  app.get('/objections/:id', {
    config: { access: rolesAccess('consumer', 'provider_approver', 'data_authority') },
    schema: {
      tags: ['sharing'],
      summary: 'One objection / 异议详情',
      params: IdParams,
      response: { 200: ObjectionSchema, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => objections.get(request.actor, request.params.id),
  });

  app.post('/objections/:id/resolve', {
    config: { access: rolesAccess('provider_approver') },
    schema: {
      tags: ['sharing'],
      summary: "Answer an objection to your organisation's data (within 5 working days) / 处理数据异议",
      params: IdParams,
      body: ResolveBody,
      response: { 200: ObjectionSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => objections.resolve(request.actor, request.params.id, request.body),
  });

  app.post('/objections/:id/arbitrate', {
    config: { access: rolesAccess('data_authority') },
    schema: {
      tags: ['sharing'],
      summary: 'Arbitrate an objection to a refusal; overturned sends the application back to the step that refused it / 仲裁拒绝异议',
      params: IdParams,
      body: ArbitrateBody,
      response: { 200: ObjectionSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => objections.arbitrate(request.actor, request.params.id, request.body),
  });

  app.post('/objections/:id/withdraw', {
    config: { access: rolesAccess('consumer') },
    schema: {
      tags: ['sharing'],
      summary: 'Withdraw an open objection your organisation filed / 撤回异议',
      params: IdParams,
      body: WithdrawBody,
      response: { 200: ObjectionSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => objections.withdraw(request.actor, request.params.id, request.body ?? {}),
  });
};
