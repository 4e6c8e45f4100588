import { AppError, ConflictError, InputError, NotAllowedError, NotFoundError, RateLimitedError } from '../../../core/errors.js';

/**
 * The gateway's refusals (issue 5: distinct codes). Authentication failures (bad signature, old
 * timestamp, reused nonce …) are the identity module's 401s; these come after, in the order the
 * gateway checks: the entry, the grant, the method, the address, the rate, the data, the request.
 */

export const entryNotFound = (code: string) =>
  new NotFoundError('ENTRY_NOT_FOUND', `No shared catalog entry has the code ${code}`, `目录编码 ${code} 不存在或未提供共享数据`, { catalogCode: code });

export const grantMissing = (code: string) =>
  new NotAllowedError('GRANT_MISSING', `Your organisation has no grant for ${code}; apply for it first (POST /applications)`, `本部门未获得目录 ${code} 的共享授权，请先提交共享申请`, {
    catalogCode: code,
  });

export const grantRevoked = (code: string, revokedAt: string | null) =>
  new NotAllowedError('GRANT_REVOKED', `The grant for ${code} has been revoked`, `目录 ${code} 的共享授权已被撤销`, { catalogCode: code, revokedAt });

export const grantExpired = (code: string, expiresAt: string) =>
  new NotAllowedError('GRANT_EXPIRED', `The grant for ${code} expired at ${expiresAt}`, `目录 ${code} 的共享授权已于 ${expiresAt} 到期`, { catalogCode: code, expiresAt });

export const methodNotGranted = (method: string, granted: readonly string[]) =>
  new NotAllowedError('METHOD_NOT_GRANTED', `The grant does not include the share method ${method}`, `授权不含共享方式 ${method}`, { method, granted });

export const ipNotAllowed = (ip: string) =>
  new NotAllowedError('IP_NOT_ALLOWED', `Calls from ${ip} are not allowed by the grant's address list`, `授权的 IP 白名单不允许来自 ${ip} 的调用`, { ip });

export const rateLimited = (perMinute: number, retryAfterSeconds: number) =>
  new RateLimitedError('RATE_LIMITED', `The grant allows ${perMinute} calls a minute; retry after ${retryAfterSeconds} s`, `超过授权的调用频率（每分钟 ${perMinute} 次），请 ${retryAfterSeconds} 秒后重试`, {
    perMinute,
    retryAfterSeconds,
  });

export const resourceNotAvailable = (code: string, kind: 'table' | 'api') =>
  new ConflictError(
    'RESOURCE_NOT_AVAILABLE',
    kind === 'table' ? `The provider has not loaded data for ${code} yet` : `The entry ${code} has no api resource to call`,
    kind === 'table' ? `提供部门尚未为目录 ${code} 加载数据` : `目录 ${code} 未挂接接口资源`,
    { catalogCode: code, kind },
  );

export const itemNotGranted = (items: readonly string[]) =>
  new NotAllowedError('ITEM_NOT_GRANTED', `Not granted: ${items.join(', ')}`, `未获授权的信息项：${items.join('、')}`, { items });

export const filterOnMaskedItem = (items: readonly string[]) =>
  new NotAllowedError(
    'FILTER_ON_MASKED_ITEM',
    `Filtering on masked items is not allowed (it would reveal their values): ${items.join(', ')}`,
    `不能按脱敏信息项筛选（否则可推知其原值）：${items.join('、')}`,
    { items },
  );

export const filterInvalid = (message: string, messageZh: string, details?: Record<string, unknown>) => new InputError('FILTER_INVALID', message, messageZh, details);

export const grantTermsInvalid = (why: string, whyZh: string) =>
  new ConflictError('GRANT_TERMS_INVALID', `The grant's row filter cannot be applied (${why}); the provider must correct the grant`, `授权的行过滤条件无法执行（${whyZh}），请提供部门修改授权`);

export const grantNotFound = (id: string) => new NotFoundError('GRANT_NOT_FOUND', `Grant ${id} does not exist`, `授权 ${id} 不存在`, { id });

export const organisationNotFound = (id: string) => new NotFoundError('ORGANISATION_NOT_FOUND', `Organisation ${id} does not exist`, `部门 ${id} 不存在`, { id });

/** The upstream answered, but not in a form the grant can be applied to (a 502, like the resources module's upstream errors). */
export class BadGatewayError extends AppError {
  readonly status = 502;
}

export const upstreamNotMaskable = () =>
  new BadGatewayError(
    'UPSTREAM_NOT_MASKABLE',
    'The upstream answered with something other than JSON records keyed by item names; it cannot be restricted to the grant, so it is not relayed',
    '上游接口返回的不是按信息项字段组织的 JSON 记录，无法按授权筛选和脱敏，不予转发',
  );
