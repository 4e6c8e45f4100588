import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { UnavailableError } from './core/errors.js';
import { installErrorHandling } from './core/http/error-handler.js';
import { installAuth } from './core/http/auth-hooks.js';
import { loggerOptions } from './core/logger.js';
import { catalogDeadlineRoutes, catalogRoutes } from './modules/catalog/index.js';
import { connectorRoutes } from './modules/connectors/index.js';
import { resourceRoutes } from './modules/resources/index.js';
import { identityRoutes } from './modules/identity/index.js';
import { ledgerRoutes } from './modules/ledger/index.js';
import { notificationRoutes } from './modules/notifications/index.js';
import { platformRoutes } from './modules/platform/index.js';
import { exportRoutes, gatewayRoutes, sharingRoutes } from './modules/sharing/index.js';
import { demandRoutes, objectionRoutes } from './modules/sharing/index.js';
import { feedRoutes } from './modules/sharing/index.js';
import type { Node } from './node.js';

export const API_PREFIX = '/api/v1';

export interface BuildAppOptions {
  /** The node's logger, shared with the HTTP layer; false silences request logs (tests). */
  logger?: FastifyBaseLogger | false;
}

/** The node's HTTP face: core plugins first, then every module under /api/v1, then the portal. */
export async function buildApp(node: Node, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger === false
      ? { logger: false }
      : options.logger
        ? { loggerInstance: options.logger }
        : { logger: loggerOptions(node.config.logLevel) }),
    // Behind a load balancer the client address comes from X-Forwarded-For.
    trustProxy: process.env.TIANSHU_TRUST_PROXY === 'true',
    bodyLimit: 10 * 1024 * 1024,
    // Requests arriving while the node stops get the contract's error body (hook below), not Fastify's.
    return503OnClosing: false,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const portalIndex = path.join(node.config.webDir, 'index.html');
  installErrorHandling(app, fs.existsSync(portalIndex) ? { portalRoute: isPortalRoute } : {});
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async () => {
    if (closing) throw new UnavailableError('SHUTTING_DOWN', 'The node is shutting down; retry on another node', '节点正在停止，请稍后重试或访问其他节点');
  });
  installAuth(app, () => node.identity);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tianshu (天枢) platform node API',
        version: '1',
        description:
          'The HTTP API of a Tianshu node. People sign in with POST /auth/login and send `Authorization: Bearer <token>`; machines sign requests with HMAC-SM3 (X-Tianshu-App, X-Tianshu-Timestamp, X-Tianshu-Nonce, X-Tianshu-Signature).',
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          signedApp: { type: 'apiKey', in: 'header', name: 'X-Tianshu-Signature' },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const access = route.config?.access;
      const security = !access || 'public' in access ? [] : 'app' in access ? [{ signedApp: [] }] : [{ bearer: [] }];
      return { schema: { ...schema, security } as typeof schema, url };
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(platformRoutes, { prefix: API_PREFIX, db: node.db, config: node.config, calendar: node.calendar, publicKey: node.keys.ledgerPublicKey });
  await app.register(identityRoutes, { prefix: API_PREFIX, identity: node.identity });
  await app.register(ledgerRoutes, { prefix: API_PREFIX, ledger: node.ledger });
  await app.register(catalogRoutes, { prefix: API_PREFIX, catalog: node.catalog });
  await app.register(catalogDeadlineRoutes, { prefix: API_PREFIX, catalog: node.catalog });
  await app.register(resourceRoutes, { prefix: API_PREFIX, resources: node.resources });
  await app.register(connectorRoutes, { prefix: API_PREFIX, connectors: node.connectors });
  await app.register(notificationRoutes, { prefix: API_PREFIX, notifications: node.notifications });
  await app.register(sharingRoutes, { prefix: API_PREFIX, sharing: node.sharing });
  await app.register(gatewayRoutes, { prefix: API_PREFIX, gateway: node.gateway });
  await app.register(feedRoutes, { prefix: API_PREFIX, subscriptions: node.subscriptions });
  await app.register(demandRoutes, { prefix: API_PREFIX, demands: node.demands });
  await app.register(objectionRoutes, { prefix: API_PREFIX, objections: node.objections });
  await app.register(exportRoutes, { prefix: API_PREFIX, exports: node.exports });

  registerPortal(app, node.config.webDir);
  return app;
}

/**
 * Serves the built portal. Files are looked up on each request (a rebuilt portal needs no restart);
 * any other GET outside /api, /docs and /assets gets index.html so client-side routes work.
 */
function registerPortal(app: FastifyInstance, webDir: string): void {
  const index = path.join(webDir, 'index.html');
  if (!fs.existsSync(index)) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/plain; charset=utf-8').send('Tianshu API is running; the portal is not built (npm run build:web). API docs: /docs\n'),
    );
    return;
  }
  void app.register(fastifyStatic, { root: webDir, prefix: '/', wildcard: true, index: ['index.html'] });
}

/** Client-side routes of the portal: a GET for a page, not for an API path, a file or the docs. */
export function isPortalRoute(method: string, url: string): boolean {
  const pathname = url.split('?')[0] ?? '/';
  return method === 'GET' && !/^\/(api|assets|docs)(\/|$)/.test(pathname) && !/\.[A-Za-z0-9]+$/.test(pathname);
}
