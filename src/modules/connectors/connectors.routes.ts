import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SIGNED_IN, rolesAccess } from '../../core/auth/access.js';
import { errorResponses, Page, PageQuery, paging, Uuid } from '../../core/http/schemas.js';
import { ConnectorSchema, CreateBody, PatchBody, RunSchema, TestResultSchema } from './connectors.schemas.js';
import type { ConnectorService } from './connectors.service.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const EDITOR = rolesAccess('catalog_editor');

/** Connectors (前置机, issue 4): set-up by the provider's editors, runs on a schedule or by hand, run history. */
export const connectorRoutes: FastifyPluginAsyncTypebox<{ connectors: ConnectorService }> = async (app, { connectors }) => {
  app.post('/resources/:id/connectors', {
    config: { access: EDITOR },
    schema: {
      tags: ['connectors'],
      summary: 'Set up a connector that fills this table resource from a source system / 新建连接器（前置机）',
      description:
        'Kinds: postgres and mysql (a table or query, incremental with watermarkColumn) and http (a paged JSON API). The host must be allowed by the node (TIANSHU_CONNECTOR_HOSTS; by default anything but loopback, link-local, cloud metadata and the node’s own database). ' +
        'The secret (password or secret header value) is sealed and never returned. With intervalMinutes the connector runs at the next tick and then every interval.',
      params: Params,
      body: CreateBody,
      response: { 201: ConnectorSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => reply.status(201).send(await connectors.create(request.actor, request.params.id, request.body)),
  });

  app.get('/connectors', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['connectors'],
      summary: 'Connectors of a resource, or of your organisation / 连接器列表',
      querystring: Type.Object({ resourceId: Type.Optional(Uuid), ...PageQuery }),
      response: { 200: Page(ConnectorSchema), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => {
      const p = paging(request.query);
      return { ...(await connectors.list(request.actor, { resourceId: request.query.resourceId }, p)), page: p.page, pageSize: p.pageSize };
    },
  });

  app.get('/connectors/:id', {
    config: { access: SIGNED_IN },
    schema: { tags: ['connectors'], summary: 'One connector, with its last run / 连接器详情', params: Params, response: { 200: ConnectorSchema, ...errorResponses(401, 403, 404) } },
    handler: async (request) => connectors.get(request.actor, request.params.id),
  });

  app.patch('/connectors/:id', {
    config: { access: EDITOR },
    schema: {
      tags: ['connectors'],
      summary: 'Change a connector / 修改连接器',
      description: 'config replaces the whole configuration; secret null removes the secret; a change of table, query or watermark column (or resetWatermark) makes the next run read everything.',
      params: Params,
      body: PatchBody,
      response: { 200: ConnectorSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => connectors.update(request.actor, request.params.id, request.body),
  });

  app.delete('/connectors/:id', {
    config: { access: EDITOR },
    schema: { tags: ['connectors'], summary: 'Remove a connector and its run history / 删除连接器', params: Params, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } },
    handler: async (request, reply) => {
      await connectors.delete(request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  });

  app.post('/connectors/:id/test', {
    config: { access: EDITOR },
    schema: {
      tags: ['connectors'],
      summary: 'Connect and read a few rows, writing nothing / 测试连接器',
      params: Params,
      response: { 200: TestResultSchema, ...errorResponses(401, 403, 404) },
    },
    handler: async (request) => connectors.test(request.actor, request.params.id),
  });

  app.post('/connectors/:id/run', {
    config: { access: EDITOR },
    schema: {
      tags: ['connectors'],
      summary: 'Run now / 立即执行',
      description: 'Queues a run (202); 409 CONNECTOR_BUSY while one is queued or running, 409 CONNECTOR_DISABLED when disabled.',
      params: Params,
      response: { 202: Type.Object({ runId: Uuid }), ...errorResponses(401, 403, 404, 409) },
    },
    handler: async (request, reply) => reply.status(202).send(await connectors.runNow(request.actor, request.params.id)),
  });

  app.get('/connectors/:id/runs', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['connectors'],
      summary: 'Run history / 运行记录',
      params: Params,
      querystring: Type.Object({ ...PageQuery }),
      response: { 200: Page(RunSchema), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => {
      const p = paging(request.query);
      return { ...(await connectors.runs(request.actor, request.params.id, p)), page: p.page, pageSize: p.pageSize };
    },
  });
};
