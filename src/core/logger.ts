import type { FastifyServerOptions } from 'fastify';
import type { LoggerOptions } from 'pino';

/** Paths whose values never reach a log line, wherever they appear in a logged object. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-tianshu-signature"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.secret',
  '*.token',
  '*.privateKey',
  '*.nodeKey',
  'headers.authorization',
  'err.params',
  'err.parameters',
  'err.query',
];

/**
 * Credentials that travel in a URL path, as `[prefix, what follows]`: the one-time download token of
 * exports (…/exports/download/<token>) is the whole credential, and Fastify logs every request's URL.
 */
const SECRET_PATHS: readonly RegExp[] = [/(\/exports\/download\/)[^/?#]+/g];

/** A URL as it may be logged: tokens in its path replaced by [redacted] (the query is kept). */
export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) return url;
  let out = url;
  for (const re of SECRET_PATHS) out = out.replace(re, '$1[redacted]');
  return out;
}

/** The request as Fastify logs it (its own serializer's fields), with the URL redacted. */
function requestSerializer(req: {
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number | undefined } | null;
}): Record<string, unknown> {
  return {
    method: req.method,
    url: redactUrl(req.url),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket ? req.socket.remotePort : undefined,
  };
}

/** The serializers every logger of the node uses (Fastify keeps a logger instance's own over its defaults). */
export const LOG_SERIALIZERS = { req: requestSerializer };

/** Options of the node's logger: the pino instance `tianshu start` makes, or Fastify's own. */
export function loggerOptions(level: string): LoggerOptions & NonNullable<Exclude<FastifyServerOptions['logger'], boolean>> {
  return { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, serializers: LOG_SERIALIZERS };
}
