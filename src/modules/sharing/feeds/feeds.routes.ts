import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { rolesAccess } from '../../../core/auth/access.js';
import { errorResponses, Uuid } from '../../../core/http/schemas.js';
import { ROUTE_ROLES } from '../sharing.policy.js';
import { MAX_FAILURES } from './webhooks.js';
import { MAX_SUBSCRIPTIONS_PER_GRANT, type SubscriptionService } from './subscriptions.js';

const IdParams = Type.Object({ id: Uuid });

const SubscriptionSchema = Type.Object(
  {
    id: Uuid,
    grantId: Uuid,
    catalogCode: Type.String(),
    url: Type.String(),
    status: Type.Union([Type.Literal('active'), Type.Literal('paused')]),
    pausedReason: Type.Union([Type.String(), Type.Null()], { description: 'consumer, failures, or the grant’s refusal code (GRANT_REVOKED …)' }),
    cursor: Type.String({ description: 'The last change sequence number delivered or passed over' }),
    failures: Type.Integer({ minimum: 0 }),
    nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastDeliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastError: Type.Union([Type.Object({ code: Type.String(), message: Type.String(), messageZh: Type.Optional(Type.String()) }), Type.Null()]),
    createdBy: Type.Object({ id: Uuid, displayName: Type.String() }),
    createdAt: Type.String({ format: 'date-time' }),
    deliveries: Type.Optional(
      Type.Array(
        Type.Object({
          deliveryId: Type.String(),
          firstSeq: Type.Integer(),
          lastSeq: Type.Integer(),
          changes: Type.Integer(),
          attempt: Type.Integer(),
          status: Type.Union([Type.Integer(), Type.Null()]),
          outcome: Type.String({ description: 'delivered, HTTP_<status>, or the failure’s code' }),
          latencyMs: Type.Integer(),
          at: Type.String({ format: 'date-time' }),
        }),
      ),
    ),
  },
  { title: 'FeedSubscription' },
);

const DELIVERY =
  'The node POSTs { subscriptionId, catalogCode, items: [change], next } — changes as GET /feeds/{code}/changes gives them — with X-Tianshu-Delivery (<subscription>:<cursor>: the same on every attempt from that cursor; a retry may carry more changes), ' +
  'X-Tianshu-Timestamp (unix seconds) and X-Tianshu-Signature: hex HMAC-SM3(secret, timestamp + "\\n" + delivery id + "\\n" + body). ' +
  `Any 2xx moves on; otherwise the same changes are sent again with a doubling backoff (5 s … 1 h), and after ${MAX_FAILURES} failures in a row the subscription is paused. ` +
  'A grant that no longer allows the feed pauses it too.';

/** Webhook subscriptions to change feeds (issue 5): made by the grant's consumers, seen by its parties. */
export const feedRoutes: FastifyPluginAsyncTypebox<{ subscriptions: SubscriptionService }> = async (app, { subscriptions }) => {
  app.post('/grants/:id/subscriptions', {
    config: { access: rolesAccess(...ROUTE_ROLES.apply) },
    schema: {
      tags: ['sharing'],
      summary: 'Subscribe a system to a grant’s changes (webhook) / 订阅变更推送',
      description:
        `For a grant with method table, by a consumer of its organisation; at most ${MAX_SUBSCRIPTIONS_PER_GRANT} per grant (409 SUBSCRIPTIONS_TOO_MANY). ` +
        'from: latest (default: changes from now) or beginning (the oldest change kept). → 201 { subscription, secret }: the signing secret is shown only here. ' +
        '400 WEBHOOK_URL_INVALID, WEBHOOK_HOST_NOT_ALLOWED (the node’s host policy, as for connectors); 403 METHOD_NOT_GRANTED, GRANT_REVOKED, GRANT_EXPIRED. ' +
        DELIVERY,
      params: IdParams,
      body: Type.Object(
        { url: Type.String({ minLength: 1, maxLength: 2000 }), from: Type.Optional(Type.Union([Type.Literal('latest'), Type.Literal('beginning')])) },
        { additionalProperties: false },
      ),
      response: { 201: Type.Object({ subscription: SubscriptionSchema, secret: Type.String() }), ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => reply.code(201).send(await subscriptions.create(request.actor, request.params.id, request.body)),
  });

  app.get('/grants/:id/subscriptions', {
    config: { access: rolesAccess(...ROUTE_ROLES.read) },
    schema: {
      tags: ['sharing'],
      summary: 'A grant’s webhook subscriptions / 授权的变更订阅',
      description: 'For the grant’s parties (its consumers, the provider’s approvers, the responsible authority); 404 GRANT_NOT_FOUND for others.',
      params: IdParams,
      response: { 200: Type.Object({ items: Type.Array(SubscriptionSchema) }), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => subscriptions.list(request.actor, request.params.id),
  });

  app.get('/subscriptions/:id', {
    config: { access: rolesAccess(...ROUTE_ROLES.read) },
    schema: {
      tags: ['sharing'],
      summary: 'A webhook subscription with its latest deliveries / 订阅详情与推送记录',
      params: IdParams,
      response: { 200: SubscriptionSchema, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => subscriptions.get(request.actor, request.params.id),
  });

  app.post('/subscriptions/:id/pause', {
    config: { access: rolesAccess(...ROUTE_ROLES.apply) },
    schema: { tags: ['sharing'], summary: 'Pause deliveries / 暂停推送', params: IdParams, response: { 200: SubscriptionSchema, ...errorResponses(400, 401, 403, 404) } },
    handler: async (request) => subscriptions.pause(request.actor, request.params.id),
  });

  app.post('/subscriptions/:id/resume', {
    config: { access: rolesAccess(...ROUTE_ROLES.apply) },
    schema: {
      tags: ['sharing'],
      summary: 'Resume deliveries where they stopped / 恢复推送',
      description:
        'Failures are forgotten and the next attempt is made at once. ?from= start again from now (latest) or from the oldest change kept (beginning) instead of where it stopped — ' +
        'for a subscription paused with FEED_CURSOR_EXPIRED, once the receiver has read the data afresh.',
      params: IdParams,
      querystring: Type.Object({ from: Type.Optional(Type.Union([Type.Literal('latest'), Type.Literal('beginning')])) }),
      response: { 200: SubscriptionSchema, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => subscriptions.resume(request.actor, request.params.id, request.query.from),
  });

  app.delete('/subscriptions/:id', {
    config: { access: rolesAccess(...ROUTE_ROLES.apply) },
    schema: { tags: ['sharing'], summary: 'End a subscription / 删除订阅', params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } },
    handler: async (request, reply) => {
      await subscriptions.remove(request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  });
};
