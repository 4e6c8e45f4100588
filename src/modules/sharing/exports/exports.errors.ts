import { AppError, ConflictError, NotAllowedError, NotFoundError, PayloadTooLargeError, RateLimitedError } from '../../../core/errors.js';

/** The link has been used or has expired: it will never work again (HTTP 410 Gone). */
export class GoneError extends AppError {
  readonly status = 410;
}

/**
 * The refusals of exports (文件共享). Refusals about the grant reuse the gateway's codes
 * (GRANT_REVOKED, GRANT_EXPIRED, METHOD_NOT_GRANTED, ITEM_NOT_GRANTED, FILTER_*, RESOURCE_NOT_AVAILABLE);
 * these are the export's own.
 */
export const exportErrors = {
  notFound: (id: string) => new NotFoundError('EXPORT_NOT_FOUND', `Export ${id} does not exist`, `导出任务 ${id} 不存在`, { id }),
  notRequester: () =>
    new NotAllowedError(
      'EXPORT_NOT_REQUESTER',
      'Only the person who asked for the export may download it: the file is watermarked with their name',
      '只有发起导出的人员可以下载该文件（文件带有其身份水印）',
    ),
  notReady: (status: string) =>
    new ConflictError('EXPORT_NOT_READY', `The export is ${status}: a download link is given once it is ready`, `导出任务当前状态为“${STATUS_ZH[status] ?? status}”，完成后才能下载`, { status }),
  expired: (id: string) => new GoneError('EXPORT_EXPIRED', `Export ${id} has expired and its file was deleted; export again`, `导出文件已过期删除，请重新导出`, { id }),
  stale: (id: string) =>
    new ConflictError(
      'EXPORT_STALE',
      `Export ${id} was made under grant terms (items, masking or row filter) that have changed since; export again`,
      '该导出文件生成后，授权条件（信息项、脱敏规则或行过滤）已变更，文件不能再下载，请重新导出',
      { id },
    ),
  linkNotFound: () => new NotFoundError('EXPORT_LINK_NOT_FOUND', 'No download link has this token', '下载链接无效'),
  linkUsed: () => new GoneError('EXPORT_LINK_USED', 'This download link has been used: a link is valid once; ask for a new one', '该下载链接已使用过（每个链接只能使用一次），请重新生成'),
  linkExpired: (expiresAt: string) =>
    new GoneError('EXPORT_LINK_EXPIRED', `This download link expired at ${expiresAt}; ask for a new one`, `该下载链接已于 ${expiresAt} 过期，请重新生成`, { expiresAt }),
  tooMany: (max: number) =>
    new RateLimitedError('EXPORT_LIMIT_REACHED', `You have ${max} exports queued or running; wait for one to finish`, `您已有 ${max} 个导出任务在排队或执行，请等待完成后再导出`, {
      max,
    }),
  tooManyRows: (max: number) =>
    new PayloadTooLargeError('EXPORT_TOO_MANY_ROWS', `An xlsx export holds at most ${max} rows (one worksheet); export as csv or filter the rows`, `xlsx 导出最多 ${max} 行（单个工作表），请改用 csv 或增加筛选条件`, {
      max,
    }),
  tooLarge: (maxBytes: number) =>
    new PayloadTooLargeError('EXPORT_TOO_LARGE', `The export passed ${maxBytes} bytes; filter the rows or ask for fewer items`, `导出文件超过 ${maxBytes} 字节，请增加筛选条件或减少信息项`, { maxBytes }),
};

const STATUS_ZH: Record<string, string> = { queued: '排队中', running: '导出中', ready: '已完成', failed: '失败', expired: '已过期' };

/**
 * An error of one stage of the pipeline (read, mask, watermark, encode, store): the export records
 * the stage with the code, so that a failed export says where it failed.
 */
export class ExportStageError extends Error {
  readonly stage: string;

  constructor(stage: string, cause: unknown) {
    super(`export stage ${stage} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ExportStageError';
    this.stage = stage;
  }
}
