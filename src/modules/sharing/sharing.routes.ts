import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { rolesAccess } from '../../core/auth/access.js';
import { errorResponses, Page, paging, Uuid } from '../../core/http/schemas.js';
import { ROUTE_ROLES } from './sharing.policy.js';
import {
  ApplicationInputSchema,
  ApplicationListQuery,
  ApplicationSchema,
  ApproveBody,
  BatchInputSchema,
  GrantListQuery,
  GrantSchema,
  GrantTermsSchema,
  IdParams,
  ReasonBody,
  RejectBody,
} from './sharing.schemas.js';
import type { SharingService } from './sharing.service.js';

/** Every field of these bodies is optional, so a request without one (no content type) means `{}`. */
async function bodyOptional(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}

/**
 * Applications (共享申请), their decisions and grants (授权). Each route admits the roles that take
 * part; the service then checks the organisation, and answers 404 to anyone not a party.
 */
export const sharingRoutes: FastifyPluginAsyncTypebox<{ sharing: SharingService }> = async (app, { sharing }) => {
  // ---- applications ----
  app.post('/applications', {
    config: { access: rolesAccess(...ROUTE_ROLES.apply) },
    schema: {
      tags: ['sharing'],
      summary: 'Apply to share a catalog entry (granted at once when unconditional) / 共享申请',
      body: ApplicationInputSchema,
      response: { 201: ApplicationSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => reply.status(201).send(await sharing.apply(request.actor, request.body)),
  });

  app.post('/applications/batch', {
    config: { access: rolesAccess(...ROUTE_ROLES.apply) },
    schema: {
      tags: ['sharing'],
      summary: 'Apply for several entries at once, all or nothing (the cart) / 一站式申请',
      description: "On any problem nothing is stored: 400 APPLICATION_BATCH_INVALID whose details give each problem's index and code.",
      body: BatchInputSchema,
      response: { 201: Type.Object({ batchId: Uuid, items: Type.Array(ApplicationSchema) }), ...errorResponses(400, 401, 403, 409) },
    },
    handler: async (request, reply) => reply.status(201).send(await sharing.applyBatch(request.actor, request.body.applications)),
  });

  app.get('/applications', {
    config: { access: rolesAccess(...ROUTE_ROLES.read) },
    schema: {
      tags: ['sharing'],
      summary: 'Your applications, the approval queue or the countersignature queue / 申请列表',
      querystring: ApplicationListQuery,
      response: { 200: Page(ApplicationSchema), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const p = paging(request.query);
      const result = await sharing.listApplications(request.actor, request.query, p);
      return { ...result, page: p.page, pageSize: p.pageSize };
    },
  });

  app.get('/applications/:id', {
    config: { access: rolesAccess(...ROUTE_ROLES.read) },
    schema: {
      tags: ['sharing'],
      summary: 'One application with its decisions / 申请详情',
      params: IdParams,
      response: { 200: ApplicationSchema, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => sharing.getApplication(request.actor, request.params.id),
  });

  app.post('/applications/:id/approve', {
    config: { access: rolesAccess(...ROUTE_ROLES.decide) },
    schema: {
      tags: ['sharing'],
      summary: "Approve (the provider's approver), or countersign core and important data (the data authority) / 审批同意、会签",
      params: IdParams,
      body: ApproveBody,
      response: { 200: ApplicationSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    preValidation: bodyOptional,
    handler: async (request) => sharing.approve(request.actor, request.params.id, request.body),
  });

  app.post('/applications/:id/reject', {
    config: { access: rolesAccess(...ROUTE_ROLES.decide) },
    schema: {
      tags: ['sharing'],
      summary: 'Refuse, with the reason and its legal basis / 拒绝（须说明法定事由）',
      params: IdParams,
      body: RejectBody,
      response: { 200: ApplicationSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => sharing.reject(request.actor, request.params.id, request.body),
  });

  app.post('/applications/:id/withdraw', {
    config: { access: rolesAccess(...ROUTE_ROLES.withdraw) },
    schema: {
      tags: ['sharing'],
      summary: 'Withdraw an application still waiting / 撤回申请',
      params: IdParams,
      body: ReasonBody,
      response: { 200: ApplicationSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    preValidation: bodyOptional,
    handler: async (request) => sharing.withdraw(request.actor, request.params.id, request.body),
  });

  // ---- grants ----
  app.get('/grants', {
    config: { access: rolesAccess(...ROUTE_ROLES.read) },
    schema: {
      tags: ['sharing'],
      summary: "Your organisation's grants, as consumer or provider / 授权列表",
      querystring: GrantListQuery,
      response: { 200: Page(GrantSchema), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const p = paging(request.query);
      const result = await sharing.listGrants(request.actor, request.query, p);
      return { ...result, page: p.page, pageSize: p.pageSize };
    },
  });

  app.get('/grants/:id', {
    config: { access: rolesAccess(...ROUTE_ROLES.read) },
    schema: {
      tags: ['sharing'],
      summary: 'One grant with its terms / 授权详情',
      params: IdParams,
      response: { 200: GrantSchema, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => sharing.getGrant(request.actor, request.params.id),
  });

  app.patch('/grants/:id', {
    config: { access: rolesAccess(...ROUTE_ROLES.changeGrant) },
    schema: {
      tags: ['sharing'],
      summary: "Change an active grant's terms (the provider's approver) / 修改授权条件",
      params: IdParams,
      body: GrantTermsSchema,
      response: { 200: GrantSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => sharing.updateGrant(request.actor, request.params.id, request.body),
  });

  app.post('/grants/:id/revoke', {
    config: { access: rolesAccess(...ROUTE_ROLES.revokeGrant) },
    schema: {
      tags: ['sharing'],
      summary: 'Revoke a grant at once (provider, responsible authority, or the consumer giving it up) / 撤销授权',
      params: IdParams,
      body: ReasonBody,
      response: { 200: GrantSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => sharing.revokeGrant(request.actor, request.params.id, request.body),
  });
};
