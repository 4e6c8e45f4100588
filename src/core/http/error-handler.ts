import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

export interface ErrorBody {
  error: { code: string; message: string; messageZh: string; details?: unknown };
}

const send = (reply: FastifyReply, status: number, body: ErrorBody['error']): FastifyReply =>
  reply.status(status).send({ error: body });

/** Fastify's own client errors, mapped to stable codes with both languages. */
const FASTIFY_CODES: Record<string, { status: number; code: string; message: string; messageZh: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'This content type is not accepted here',
    messageZh: '不支持该内容类型',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: 'The request body is too large',
    messageZh: '请求体过大',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'MALFORMED_BODY',
    message: 'The JSON body is empty',
    messageZh: '请求体为空',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'MALFORMED_BODY',
    message: 'The body is not valid JSON',
    messageZh: '请求体不是合法的 JSON',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'MALFORMED_BODY',
    message: 'Content-Length does not match the body',
    messageZh: '请求体长度与 Content-Length 不符',
  },
};

export interface ErrorHandlingOptions {
  /** Paths the portal routes in the browser: answered with its index.html rather than a 404. */
  portalRoute?: (method: string, url: string) => boolean;
}

/**
 * Database errors caused by the input, not by a bug: text the database cannot store (NUL
 * characters), numbers out of range, and unique violations that a service's own check raced with.
 */
function postgresClientError(err: unknown): { status: number; body: ErrorBody['error'] } | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  if (code === '22021' || code === '22P05' || code === '22P02' || code === '22003' || code === '22008' || code === '22007') {
    return {
      status: 400,
      body: { code: 'INVALID_VALUE', message: 'A value in the request cannot be stored (bad character, format or range)', messageZh: '请求中的某个值无法存储（字符、格式或范围不合法）' },
    };
  }
  if (code === '23505') {
    return {
      status: 409,
      body: { code: 'CONFLICT', message: 'The change conflicts with existing data; reload and try again', messageZh: '与现有数据冲突，请刷新后重试' },
    };
  }
  return undefined;
}

export function installErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions = {}): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.error({ err }, 'service unavailable');
      const retryAfter = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      if (err.status === 429 && typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
      return send(reply, err.status, {
        code: err.code,
        message: err.message,
        messageZh: err.messageZh,
        ...(err.details === undefined ? {} : { details: err.details }),
      });
    }
    const fastifyError = err as FastifyError;
    if (fastifyError.validation) {
      const details = fastifyError.validation.map((v) => ({
        location: fastifyError.validationContext ?? 'request',
        path: v.instancePath || '/',
        message: v.message ?? 'is invalid',
      }));
      const summary = details.map((d) => `${d.location}${d.path === '/' ? '' : d.path} ${d.message}`).join('; ');
      return send(reply, 400, {
        code: 'VALIDATION_FAILED',
        message: `The request is invalid: ${summary}`,
        messageZh: `请求参数不合法：${summary}`,
        details,
      });
    }
    const pg = postgresClientError(err);
    if (pg) return send(reply, pg.status, pg.body);
    const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
    if (known) return send(reply, known.status, { code: known.code, message: known.message, messageZh: known.messageZh });
    if (fastifyError instanceof SyntaxError || fastifyError.statusCode === 400) {
      return send(reply, 400, { code: 'MALFORMED_REQUEST', message: 'The request is malformed', messageZh: '请求格式错误' });
    }
    if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      return send(reply, fastifyError.statusCode, {
        code: 'BAD_REQUEST',
        message: 'The request cannot be processed',
        messageZh: '无法处理该请求',
      });
    }
    // A bug or an outage: log everything, reveal nothing.
    request.log.error({ err }, 'unhandled error');
    return send(reply, 500, {
      code: 'INTERNAL_ERROR',
      message: 'An internal error occurred; it has been logged',
      messageZh: '服务器内部错误，已记录',
    });
  });

  app.setNotFoundHandler((request, reply) => {
    if (options.portalRoute?.(request.method, request.url)) {
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    }
    return send(reply, 404, {
      code: 'ROUTE_NOT_FOUND',
      message: `No route ${request.method} ${request.url.split('?')[0]}`,
      messageZh: '请求的接口不存在',
    });
  });
}
