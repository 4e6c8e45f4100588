import { AppError, ConflictError, InputError, NotAllowedError, NotFoundError, UnsupportedMediaError } from '../../core/errors.js';
import type { ColumnSpec } from './ingest/values.js';

/** A load refused as a whole, with the rows found wrong so far. */
export class UnprocessableError extends AppError {
  readonly status = 422;
}

export const resourceNotFound = (id: string) => new NotFoundError('RESOURCE_NOT_FOUND', `Resource ${id} does not exist`, `数据资源 ${id} 不存在`, { id });

export const loadNotFound = (id: string) => new NotFoundError('LOAD_NOT_FOUND', `Load ${id} does not exist`, `加载记录 ${id} 不存在`, { id });

export const notProvider = () =>
  new NotAllowedError('NOT_PROVIDER', "Only the providing organisation's catalog editors may do this", '仅提供部门的编目人员可以执行此操作');

export const entryNotPublished = (code: string) =>
  new ConflictError('CATALOG_NOT_PUBLISHED', `The catalog entry ${code} is not published; data is attached to published entries`, `目录 ${code} 尚未发布，数据资源须挂接已发布的目录`, { code });

export const kindMismatch = (kind: string, format: string) =>
  new InputError('RESOURCE_KIND_MISMATCH', `A ${kind} resource cannot be attached to an entry of format ${format}`, `资源类型 ${kind} 与目录的资源格式 ${format} 不符`, { kind, format });

export const tableNeedsKey = () =>
  new InputError('RESOURCE_NEEDS_KEY', 'A table resource needs at least one key item (是否主键) in its catalog entry', '库表资源须在目录中至少标注一个主键信息项');

export const tableExists = (id: string) =>
  new ConflictError('RESOURCE_TABLE_EXISTS', `The entry already has a table resource (${id})`, `该目录已挂接库表资源（${id}）`, { id });

export const notATable = (kind: string) =>
  new ConflictError('RESOURCE_NOT_TABLE', `Data can only be loaded into a table resource, not ${kind}`, `只有库表资源可以加载数据，当前为 ${kind}`, { kind });

export const mediaTypeUnsupported = (mediaType: string) =>
  new UnsupportedMediaError(
    'MEDIA_TYPE_UNSUPPORTED',
    `Send text/csv, the xlsx media type or application/x-ndjson, not ${mediaType}`,
    `请以 text/csv、xlsx 或 application/x-ndjson 格式上传，不支持 ${mediaType}`,
    { mediaType },
  );

export const charsetUnsupported = (charset: string) =>
  new InputError('CHARSET_UNSUPPORTED', `The charset ${charset} is not supported; use utf-8, gbk or gb18030`, `不支持字符集 ${charset}，请使用 utf-8、gbk 或 gb18030`, { charset });

export const headerMissing = () => new InputError('HEADER_MISSING', 'The file has no header row', '文件缺少表头行');

export const headerDuplicate = (cell: string) =>
  new InputError('HEADER_DUPLICATE', `The column ${cell} appears twice in the header`, `表头中“${cell}”出现了两次`, { column: cell });

export const headerUnknown = (cells: readonly string[], columns: readonly ColumnSpec[]) =>
  new InputError(
    'HEADER_UNKNOWN',
    `Not columns of this resource: ${cells.join(', ')}; the columns are ${columns.map((c) => c.column).join(', ')}`,
    `表头中“${cells.join('、')}”不是本资源的字段；可用字段：${columns.map((c) => `${c.name}（${c.column}）`).join('、')}`,
    { unknown: [...cells], columns: columns.map((c) => c.column) },
  );

export const keyColumnMissing = (missing: readonly ColumnSpec[]) =>
  new InputError(
    'KEY_COLUMN_MISSING',
    `The key column(s) ${missing.map((c) => c.column).join(', ')} are missing from the header`,
    `表头缺少主键字段：${missing.map((c) => `${c.name}（${c.column}）`).join('、')}`,
    { columns: missing.map((c) => c.column) },
  );

export const tooManyErrors = (maxErrors: number, errors: ReadonlyArray<object>) =>
  new UnprocessableError(
    'LOAD_TOO_MANY_ERRORS',
    `More than ${maxErrors} rows were refused; nothing was loaded. Fix the rows listed and send the file again`,
    `被拒绝的行超过 ${maxErrors} 行，本次未加载任何数据；请修正所列各行后重新上传`,
    errors.map((e) => ({ ...e })),
  );

export const loadNotResumable = (status: string) =>
  new ConflictError('LOAD_NOT_RESUMABLE', `A load whose status is ${status} cannot be resumed`, `状态为 ${status} 的加载不能续传`, { status });

export const invalidRequest = (code: string, message: string, messageZh: string) => new InputError(code, message, messageZh);
