/**
 * The error model of DESIGN §6: every refusal carries a stable UPPER_SNAKE code and a message in
 * English and Chinese. Services throw these; one handler in `http/error-handler.ts` maps them to
 * HTTP. Anything else that escapes is a bug and becomes a 500 that reveals nothing.
 */
export type ErrorDetails = Record<string, unknown> | Array<Record<string, unknown>>;

export abstract class AppError extends Error {
  abstract readonly status: number;
  readonly code: string;
  readonly messageZh: string;
  readonly details: ErrorDetails | undefined;

  constructor(code: string, message: string, messageZh: string, details?: ErrorDetails, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.messageZh = messageZh;
    this.details = details;
    this.name = new.target.name;
  }
}

export class InputError extends AppError {
  readonly status = 400;
}
export class UnauthenticatedError extends AppError {
  readonly status = 401;
}
export class NotAllowedError extends AppError {
  readonly status = 403;
}
export class NotFoundError extends AppError {
  readonly status = 404;
}
export class ConflictError extends AppError {
  readonly status = 409;
}
export class PayloadTooLargeError extends AppError {
  readonly status = 413;
}
export class UnsupportedMediaError extends AppError {
  readonly status = 415;
}
export class RateLimitedError extends AppError {
  readonly status = 429;
}
/** The node is shutting down or a dependency is down; safe to retry elsewhere. */
export class UnavailableError extends AppError {
  readonly status = 503;
}

export const notFound = (what: string, whatZh: string, id: string): NotFoundError =>
  new NotFoundError('NOT_FOUND', `${what} ${id} does not exist`, `${whatZh} ${id} 不存在`, { id });

export const forbidden = (): NotAllowedError =>
  new NotAllowedError('FORBIDDEN', 'Your roles do not allow this operation', '您的角色无权执行此操作');

export const unauthenticated = (): UnauthenticatedError =>
  new UnauthenticatedError('UNAUTHENTICATED', 'Sign in first', '请先登录');
