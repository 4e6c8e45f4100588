import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { Access } from '../auth/access.js';
import { ANONYMOUS, type Actor, type AppActor, type UserActor } from '../auth/actor.js';
import secureJson from 'secure-json-parse';
import { forbidden, UnauthenticatedError, unauthenticated } from '../errors.js';

/** A route as registered, with its declared access: the basis of the refusal tests of every route. */
export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
  schema: RouteOptions['schema'];
}

declare module 'fastify' {
  interface FastifyInstance {
    routeAccessTable: RouteAccess[];
  }
  interface FastifyRequest {
    actor: Actor;
    /** The body exactly as received, for signature checks (JSON bodies only). */
    rawBody: Buffer | undefined;
  }
}

/** The parts of a signed machine request (DESIGN §6). */
export interface SignedRequest {
  method: string;
  pathWithQuery: string;
  appKey: string | undefined;
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  body: Buffer;
  /**
   * For a body streamed to its handler (a data push), the SM3 the client declared in
   * X-Tianshu-Content-SM3: the signature is checked over it, and the handler checks that the bytes
   * it reads have that digest before it keeps anything.
   */
  bodySm3?: string | undefined;
}

/** Provided by the identity module: the core checks callers without knowing where users live. */
export interface Authenticator {
  userFromToken(token: string): Promise<UserActor | undefined>;
  /** Resolves the app or throws an UnauthenticatedError saying exactly what is wrong. */
  appFromSignedRequest(request: SignedRequest): Promise<AppActor>;
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Enforces each route's declared `access`. People are resolved in onRequest (so an anonymous or
 * wrong-role caller is refused before its input is even parsed); signed apps in preValidation,
 * because the signature covers the body.
 */
export function installAuth(app: FastifyInstance, authenticator: () => Authenticator): void {
  // Decorators must not hold shared objects (Fastify v5); each request starts anonymous.
  app.decorateRequest('actor', null as never);
  app.decorateRequest('rawBody', undefined);

  const table: RouteAccess[] = [];
  app.decorate('routeAccessTable', table);
  app.addHook('onRoute', (route: RouteOptions) => {
    const url = route.url ?? '';
    if (!url.startsWith('/api/')) return;
    const access = route.config?.access;
    if (!access) throw new Error(`route ${String(route.method)} ${url} does not declare its access`);
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') table.push({ method, url, access, schema: route.schema });
    }
  });

  app.addHook('onRequest', async (request) => {
    request.actor = ANONYMOUS;
    const access = request.routeOptions.config.access;
    if (!access || 'app' in access) return;
    const authorization = header(request, 'authorization');
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const user = match ? await authenticator().userFromToken(match[1]!) : undefined;
      if (!user) {
        // A bad token is an error even on a public route: the caller believes it is signed in.
        throw new UnauthenticatedError('TOKEN_INVALID', 'The token is invalid or has expired', '登录凭证无效或已过期');
      }
      request.actor = user;
    }
    assertUserAccess(request.actor, access);
  });

  app.addHook('preValidation', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access || !('app' in access)) return;
    const actor = await authenticator().appFromSignedRequest({
      method: request.method,
      pathWithQuery: request.url,
      appKey: header(request, 'x-tianshu-app'),
      timestamp: header(request, 'x-tianshu-timestamp'),
      nonce: header(request, 'x-tianshu-nonce'),
      signature: header(request, 'x-tianshu-signature'),
      body: request.rawBody ?? Buffer.alloc(0),
      // Asked for once the caller says which app it is: an unsigned request hears that first.
      ...(request.routeOptions.config.streamedBody && header(request, 'x-tianshu-app') !== undefined ? { bodySm3: declaredBodySm3(request) } : {}),
    });
    request.actor = actor;
  });

  // Keep the exact bytes of every body: signatures are over what was sent, not a re-serialisation,
  // and no content type may slip past them. JSON is parsed with Fastify's prototype-poisoning guard.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const buffer = body as Buffer;
    request.rawBody = buffer;
    if (buffer.length === 0) {
      done(null, undefined);
      return;
    }
    try {
      done(null, secureJson.parse(buffer, undefined, { protoAction: 'error', constructorAction: 'error' }) as unknown);
    } catch {
      const err = Object.assign(new Error('The body is not valid JSON'), {
        code: 'FST_ERR_CTP_INVALID_JSON_BODY',
        statusCode: 400,
      });
      done(err, undefined);
    }
  });
  // Any other media type is refused (415) until a module registers a parser for it; such a parser
  // must set request.rawBody too, or signed requests would not cover its bodies.
}

/** X-Tianshu-Content-SM3 of a streamed, signed body: 64 hex digits, required. */
export function declaredBodySm3(request: FastifyRequest): string {
  const value = header(request, 'x-tianshu-content-sm3');
  if (value === undefined || !/^[0-9a-f]{64}$/i.test(value)) {
    throw new UnauthenticatedError(
      'CONTENT_DIGEST_MISSING',
      'A streamed signed body needs X-Tianshu-Content-SM3: the lowercase hex SM3 of the body, which the signature covers',
      '流式签名请求须携带 X-Tianshu-Content-SM3 头（请求体的 SM3 十六进制摘要，签名覆盖该摘要）',
    );
  }
  return value.toLowerCase();
}

function assertUserAccess(actor: Actor, access: Access): void {
  if ('public' in access) return;
  if (actor.type !== 'user') throw unauthenticated();
  if ('user' in access) return;
  if ('roles' in access && !actor.roles.some((r) => access.roles.includes(r))) throw forbidden();
}

/**
 * Accepts bodies of the given media types as a Buffer, in the plugin (encapsulation context) that calls
 * it only: every other route keeps answering 415 for them. The bytes are kept in rawBody, like JSON
 * bodies, so signed requests cover them.
 */
export function acceptBinaryBodies(app: FastifyInstance, mediaTypes: readonly string[], bodyLimit: number): void {
  app.addContentTypeParser([...mediaTypes], { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, body);
  });
}
