import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { APP, rolesAccess } from '../../../core/auth/access.js';
import type { Actor, AppActor, UserActor } from '../../../core/auth/actor.js';
import { unauthenticated } from '../../../core/errors.js';
import { errorResponses, Uuid } from '../../../core/http/schemas.js';
import { ROUTE_ROLES } from '../sharing.policy.js';
import type { ShareRoute } from './call-log.js';
import { DEFAULT_FEED_LIMIT, MAX_FEED_LIMIT, MAX_WAIT_SECONDS } from '../feeds/feed-reader.js';
import { DEFAULT_QUERY_LIMIT, MAX_QUERY_LIMIT, newCallContext, type CallContext, type GatewayService } from './gateway.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on gateway calls: what the call log records when the answer is sent. */
    shareCall: CallContext | null;
  }
}

const CatalogCodeParams = Type.Object({ catalogCode: Type.String({ minLength: 1, maxLength: 100, pattern: '^[^/?#\\s]+$', description: 'The entry’s catalog code (目录编码)' }) });
const COLUMN = '[a-z][a-z0-9_]{0,62}';
const Record_ = Type.Record(Type.String(), Type.Unknown(), { description: 'A record keyed by column name: granted items only, masked as granted' });
const Items = Type.Object({ items: Type.Array(Record_) });

const SIGNING =
  'Signed with an app credential of the consumer organisation (DESIGN §6: X-Tianshu-App, X-Tianshu-Timestamp, X-Tianshu-Nonce, X-Tianshu-Signature over the path with its query and the SM3 of the body). ' +
  'Refusals, in the order checked: 401 SIGNATURE_MISSING, TIMESTAMP_EXPIRED, APP_UNKNOWN, APP_REVOKED, SIGNATURE_INVALID, NONCE_REUSED; 404 ENTRY_NOT_FOUND; ' +
  '403 GRANT_MISSING, GRANT_REVOKED, GRANT_EXPIRED, METHOD_NOT_GRANTED (method api), IP_NOT_ALLOWED; 429 RATE_LIMITED (Retry-After, per grant and minute); ' +
  '409 RESOURCE_NOT_AVAILABLE; 403 ITEM_NOT_GRANTED. Every call, allowed or refused, is recorded (app, grant, entry, a keyed digest of the key or filters, rows returned, latency, outcome) and put into the ledger in batches.';

const StatsQuery = { days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30, description: 'Days counted, today included (Asia/Shanghai)' })) };
const Counts = { calls: Type.Integer({ minimum: 0 }), ok: Type.Integer({ minimum: 0 }), refused: Type.Integer({ minimum: 0 }), rows: Type.Integer({ minimum: 0 }) };
const CallStatsSchema = Type.Object(
  {
    days: Type.Integer(),
    from: Type.String({ format: 'date' }),
    to: Type.String({ format: 'date' }),
    totals: Type.Object(Counts),
    perDay: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), ...Counts })),
    byOutcome: Type.Array(Type.Object({ outcome: Type.String({ description: 'ok, or the error code of the refusal' }), calls: Type.Integer({ minimum: 0 }) })),
  },
  { title: 'CallStats' },
);

/** The caller of a signed route: access APP means the auth hook has put an app there. */
function appOf(actor: Actor): AppActor {
  if (actor.type !== 'app') throw unauthenticated();
  return actor;
}

/** The route's last path segment names it in the call log. */
const routeName = (url: string | undefined): ShareRoute =>
  url?.endsWith('/query') ? 'query' : url?.endsWith('/invoke') ? 'invoke' : url?.endsWith('/changes') ? 'feed' : 'records';

const Change = Type.Object(
  {
    id: Type.String({ description: 'Stable: <resource id>:<seq>; apply each id once' }),
    seq: Type.Integer({ minimum: 1 }),
    op: Type.Union([Type.Literal('insert'), Type.Literal('update'), Type.Literal('delete')]),
    key: Record_,
    rowId: Type.String({ description: 'The row’s identity for your organisation (a keyed digest of the whole key): key your copy by it — masked keys can collide' }),
    record: Type.Union([Record_, Type.Null()], { description: 'The row as it is now (granted items, masked); null for a delete' }),
    at: Type.String({ format: 'date-time', description: 'When the change was committed' }),
  },
  { title: 'Change' },
);

/**
 * The gateway's routes (issue 5): signed machine calls under /share/{catalogCode}, and the call
 * statistics the portal charts. The signed routes live in a scope of their own whose hooks record
 * every call — the auth hook's refusals included — when its answer has been sent.
 */
export const gatewayRoutes: FastifyPluginAsyncTypebox<{ gateway: GatewayService }> = async (app, { gateway }) => {
  await app.register(async (scope) => {
    const share = scope.withTypeProvider<TypeBoxTypeProvider>();
    share.decorateRequest('shareCall', null);
    share.addHook('onRequest', async (request) => {
      const code = (request.params as { catalogCode?: unknown } | undefined)?.catalogCode;
      request.shareCall = newCallContext(routeName(request.routeOptions.url), typeof code === 'string' ? code.slice(0, 100) : null);
    });
    // The code the caller got, read from the error body the error handler wrote (DESIGN §6).
    share.addHook('onSend', async (request, reply, payload) => {
      if (reply.statusCode >= 400 && request.shareCall && typeof payload === 'string') {
        try {
          const code = (JSON.parse(payload) as { error?: { code?: unknown } }).error?.code;
          if (typeof code === 'string') request.shareCall.outcome = code;
        } catch {
          // not JSON: the status says enough
        }
      }
      return payload;
    });
    share.addHook('onResponse', async (request, reply) => {
      const call = request.shareCall;
      if (!call) return;
      const status = reply.statusCode;
      gateway.recordCall(call, { actor: request.actor, status, outcome: status < 400 ? 'ok' : (call.outcome ?? `HTTP_${status}`), latencyMs: reply.elapsedTime });
    });

    share.get('/share/:catalogCode/records', {
      config: { access: APP },
      schema: {
        tags: ['sharing'],
        summary: 'A record by its key, as granted (signed) / 按主键查询共享数据',
        description:
          'key: the value of each key item, repeated in key order for a composite key. fields: granted items to return (comma-separated; default every granted item). ' +
          '→ { items: [record] }, empty when no row has the key or the grant’s row filter excludes it. ' +
          SIGNING,
        params: CatalogCodeParams,
        querystring: Type.Object({
          key: Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 16, description: 'The key value(s); repeat for a composite key (key=a&key=b)' }),
          fields: Type.Optional(Type.String({ pattern: `^${COLUMN}(,${COLUMN}){0,199}$`, description: 'e.g. full_name,phone' })),
        }),
        response: { 200: Items, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
      handler: async (request) =>
        gateway.records(
          appOf(request.actor),
          request.ip,
          request.params.catalogCode,
          { key: request.query.key, fields: request.query.fields?.split(',') },
          request.shareCall!,
        ),
    });

    share.post('/share/:catalogCode/query', {
      config: { access: APP },
      schema: {
        tags: ['sharing'],
        summary: 'Records matching filters, as granted (signed) / 条件查询共享数据',
        description:
          'filters: { column: value } (equality) or { column: { op: eq | in | prefix | gte | lte, value | values } }, on granted items that are not masked ' +
          '(403 FILTER_ON_MASKED_ITEM: a filter compares stored values, which would reveal masked ones); bad shape 400 FILTER_INVALID. ' +
          `Ordered by the key; limit 1–${MAX_QUERY_LIMIT} (default ${DEFAULT_QUERY_LIMIT}); next: an opaque cursor, given when more rows follow, to pass as after. ` +
          SIGNING,
        params: CatalogCodeParams,
        body: Type.Object(
          {
            filters: Type.Optional(Type.Unknown({ description: '{ column: value | { op, value | values } }' })),
            fields: Type.Optional(Type.Array(Type.String({ pattern: `^${COLUMN}$` }), { maxItems: 200 })),
            after: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_QUERY_LIMIT })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Record_), next: Type.Optional(Type.String()) }), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
      handler: async (request) => gateway.query(appOf(request.actor), request.ip, request.params.catalogCode, request.body ?? {}, request.shareCall!),
    });

    share.get('/feeds/:catalogCode/changes', {
      config: { access: APP },
      schema: {
        tags: ['sharing'],
        summary: 'A table’s changes, in order, as granted (signed; long poll) / 库表变更订阅',
        description:
          'For grants with method table. after: the next of the previous page (absent: from the oldest change kept; latest: from now, no items). ' +
          `limit 1–${MAX_FEED_LIMIT} (default ${DEFAULT_FEED_LIMIT}) changes looked at; wait 0–${MAX_WAIT_SECONDS} s: when there is no change yet, answer as soon as one is committed or when the wait is up. ` +
          '→ { items: [{ id, seq, op, key, record, at }], next }. Only changes to rows the grant’s row filter admits; granted items only, masked as granted. ' +
          'A change comes with its row as it is when read (the log keeps keys): apply by id, each once, as an upsert (insert/update) or a delete of the row with that rowId. ' +
          '409 FEED_CURSOR_EXPIRED: changes after `after` are past the retention — read the data with POST /share/{code}/query and follow from after=latest; ' +
          '400 FEED_CURSOR_INVALID; 409 FEED_KEY_NOT_GRANTED (no key item granted). ' +
          SIGNING.replace('METHOD_NOT_GRANTED (method api)', 'METHOD_NOT_GRANTED (method table)'),
        params: CatalogCodeParams,
        querystring: Type.Object({
          after: Type.Optional(Type.String({ maxLength: 20, pattern: '^(\\d{1,15}|latest)$' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_FEED_LIMIT, default: DEFAULT_FEED_LIMIT })),
          wait: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WAIT_SECONDS, default: 0 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Change), next: Type.String() }), ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
      handler: async (request, reply) => {
        // A long poll stops waiting when its caller goes away.
        const gone = new AbortController();
        const onClose = () => gone.abort();
        reply.raw.once('close', onClose);
        try {
          return await gateway.changes(
            appOf(request.actor),
            request.ip,
            request.params.catalogCode,
            { after: request.query.after, limit: request.query.limit ?? DEFAULT_FEED_LIMIT, wait: request.query.wait ?? 0, signal: gone.signal },
            request.shareCall!,
          );
        } finally {
          reply.raw.off('close', onClose);
        }
      },
    });

    share.post('/share/:catalogCode/invoke', {
      config: { access: APP },
      bodyLimit: 1024 * 1024,
      schema: {
        tags: ['sharing'],
        summary: 'Call the entry’s api resource through the gateway (signed) / 接口共享调用',
        description:
          'The node calls the api resource’s upstream (path appended under its URL, query added) with its sealed credential, and relays the status, content type and body. ' +
          'A JSON object or array of objects keeps only granted items, masked; any other answer is refused (502 UPSTREAM_NOT_MASKABLE). ' +
          'Upstream failures: 502 UPSTREAM_UNREACHABLE, 504 UPSTREAM_TIMEOUT. ' +
          SIGNING,
        params: CatalogCodeParams,
        body: Type.Object(
          {
            path: Type.Optional(Type.String({ maxLength: 2048 })),
            query: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), { maxProperties: 100 })),
            body: Type.Optional(Type.Unknown({ description: 'JSON sent to a POST upstream' })),
            resourceId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            status: Type.Integer({ description: 'The upstream’s status' }),
            headers: Type.Record(Type.String(), Type.String(), { description: 'content-type only' }),
            body: Type.Unknown(),
            latencyMs: Type.Integer({ minimum: 0 }),
          }),
          ...errorResponses(400, 401, 403, 404, 409, 429, 502, 504),
        },
      },
      handler: async (request) => gateway.invoke(appOf(request.actor), request.ip, request.params.catalogCode, request.body ?? {}, request.shareCall!),
    });
  });

  app.get('/grants/:id/calls/stats', {
    config: { access: rolesAccess(...ROUTE_ROLES.read) },
    schema: {
      tags: ['sharing'],
      summary: 'Gateway calls under a grant, per day / 授权调用统计',
      description:
        'For the grant’s parties, as for GET /grants/{id}: the consumer organisation’s consumers, the provider’s approvers and the responsible data authority’s reviewers; 404 GRANT_NOT_FOUND for others.',
      params: Type.Object({ id: Uuid }),
      querystring: Type.Object(StatsQuery),
      response: { 200: CallStatsSchema, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => gateway.grantStats(request.actor as UserActor, request.params.id, request.query.days ?? 30),
  });

  app.get('/share/stats', {
    config: { access: rolesAccess(...ROUTE_ROLES.read) },
    schema: {
      tags: ['sharing'],
      summary: 'Gateway calls of an organisation as consumer and as provider, per day / 部门共享调用统计',
      description: 'The caller’s organisation by default; another organisation only for data_authority users of the authority responsible for it (else 403 FORBIDDEN).',
      querystring: Type.Object({ ...StatsQuery, organisationId: Type.Optional(Uuid) }),
      response: {
        200: Type.Object({ organisationId: Uuid, asConsumer: CallStatsSchema, asProvider: CallStatsSchema }),
        ...errorResponses(400, 401, 403),
      },
    },
    handler: async (request) => gateway.organisationStats(request.actor as UserActor, request.query.days ?? 30, request.query.organisationId),
  });
};
