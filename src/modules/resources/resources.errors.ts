import { AppError, ConflictError, InputError, NotAllowedError, NotFoundError, PayloadTooLargeError, UnsupportedMediaError } from '../../core/errors.js';
import type { ColumnSpec } from './ingest/values.js';

/** A load refused as a whole, with the rows found wrong so far. */
export class UnprocessableError extends AppError {
  readonly status = 422;
}

/** The upstream of an `api` resource failed: unreachable, or it answered with more than the node relays. */
export class BadGatewayError extends AppError {
  readonly status = 502;
}

/** The upstream of an `api` resource did not answer in time. */
export class GatewayTimeoutError extends AppError {
  readonly status = 504;
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

export const wrongKind = (expected: 'api' | 'file', kind: string) =>
  expected === 'api'
    ? new ConflictError('RESOURCE_NOT_API', `Only an api resource has an upstream API; this one is ${kind}`, `只有接口类数据资源才有上游接口，当前为 ${kind}`, { kind })
    : new ConflictError('RESOURCE_NOT_FILE', `Only a file resource keeps files; this one is ${kind}`, `只有文件类数据资源才能上传文件，当前为 ${kind}`, { kind });

export const apiConfigRequired = () =>
  new InputError('API_CONFIG_REQUIRED', 'An api resource needs its upstream: api.url and api.method', '接口类数据资源须填写上游接口（api.url、api.method）');

export const apiConfigNotAllowed = (kind: string) =>
  new InputError('API_CONFIG_NOT_ALLOWED', `A ${kind} resource has no upstream API; leave out api`, `${kind} 类数据资源没有上游接口，请勿填写 api`, { kind });

export const apiUrlInvalid = (reason: string, reasonZh: string) =>
  new InputError('API_URL_INVALID', `The upstream URL is not usable: ${reason}`, `上游接口地址不可用：${reasonZh}`);

export const apiHostNotAllowed = (host: string) =>
  new InputError('API_HOST_NOT_ALLOWED', `This node does not call ${host} (loopback, link-local and metadata addresses, or hosts outside the configured list)`, `本节点不允许访问 ${host}（回环、链路本地、云元数据地址或不在允许列表中的主机）`, { host });

export const apiHeaderInvalid = (name: string) =>
  new InputError('API_HEADER_INVALID', `The header ${name} is not a valid HTTP header name or value (no line breaks; values up to 4,000 characters)`, `请求头 ${name} 的名称或取值不合法（不得含换行，取值不超过 4000 字符）`, { header: name });

export const apiHeaderReserved = (name: string) =>
  new InputError('API_HEADER_RESERVED', `The header ${name} is set by the node or carries a credential; a credential goes in secretHeader, which is sealed and never shown`, `请求头 ${name} 由节点设置或含有凭据；凭据请填写在 secretHeader 中（加密保存，不予显示）`, { header: name });

export const apiHeaderDuplicate = (name: string) =>
  new InputError('API_HEADER_DUPLICATE', `The header ${name} is given twice (header names are case-insensitive)`, `请求头 ${name} 重复（名称不区分大小写）`, { header: name });

export const apiSecretRequired = () =>
  new InputError(
    'API_SECRET_REQUIRED',
    'The upstream (its origin or the credential header) changes: give the credential again in secretHeader, or secretHeader: null to call without one. A sealed credential never follows the address to a new server',
    '上游接口的地址（协议、主机、端口）或凭据请求头发生变化：请在 secretHeader 中重新填写凭据，或设为 null 不带凭据调用。已加密保存的凭据不会随地址变更发往新的服务器',
  );

export const apiPathInvalid = () =>
  new InputError('API_PATH_INVALID', 'The path must stay under the registered URL: relative, without "..", ".", backslashes, "?", "#" or encoded slashes', '路径须位于登记的接口地址之下：使用相对路径，不得含“..”“.”、反斜杠、“?”“#”或编码的斜杠');

export const apiQueryReserved = (name: string) =>
  new InputError('API_QUERY_RESERVED', `The query parameter ${name} is fixed by the registered URL`, `查询参数 ${name} 已由登记的接口地址确定，不能更改`, { name });

export const apiBodyNotAllowed = () =>
  new InputError('API_BODY_NOT_ALLOWED', 'The registered method is GET, which sends no body', '登记的请求方法为 GET，不能携带请求体');

export const upstreamHostBlocked = (host: string) =>
  new NotAllowedError('UPSTREAM_HOST_BLOCKED', `This node does not call ${host}: it resolves to an address that is not allowed`, `本节点不允许访问 ${host}：其解析地址不在允许范围内`, { host });

export const upstreamUnreachable = (reason: string) =>
  new BadGatewayError('UPSTREAM_UNREACHABLE', 'The upstream API could not be reached', '无法连接上游接口', { reason });

export const upstreamTimeout = (timeoutMs: number) =>
  new GatewayTimeoutError('UPSTREAM_TIMEOUT', `The upstream API did not answer within ${timeoutMs} ms`, `上游接口未在 ${timeoutMs} 毫秒内响应`, { timeoutMs });

export const upstreamTooLarge = (maxBytes: number) =>
  new BadGatewayError('UPSTREAM_TOO_LARGE', `The upstream answer is larger than ${maxBytes} bytes, which is what the node relays`, `上游接口返回的内容超过 ${maxBytes} 字节，超出节点转发上限`, { maxBytes });

export const fileNameInvalid = () =>
  new InputError('FILE_NAME_INVALID', 'The file name is 1 to 255 characters, without control characters, "/" or "\\", and not "." or ".."', '文件名须为 1–255 个字符，不得含控制字符、“/”或“\\”，且不能是“.”或“..”');

export const fileMediaTypeInvalid = (mediaType: string) =>
  new UnsupportedMediaError('FILE_MEDIA_TYPE_INVALID', `${mediaType} is not a media type (type/subtype)`, `${mediaType} 不是合法的媒体类型（type/subtype）`, { mediaType });

export const fileEmpty = () => new InputError('FILE_EMPTY', 'The file is empty; send its bytes as the request body', '文件为空，请在请求体中上传文件内容');

export const fileTooLarge = (maxBytes: number) =>
  new PayloadTooLargeError('FILE_TOO_LARGE', `The file is larger than ${maxBytes} bytes, the limit of this node`, `文件超过本节点的上限 ${maxBytes} 字节`, { maxBytes });

export const fileVersionNotFound = (version: number) =>
  new NotFoundError('FILE_VERSION_NOT_FOUND', `Version ${version} of this file does not exist`, `该文件不存在第 ${version} 版`, { version });

export const uploadInterrupted = () =>
  new InputError('FILE_UPLOAD_INTERRUPTED', 'The upload ended before the whole file arrived; nothing was stored', '上传在文件传完之前中断，未保存任何内容');

export const loadTooLarge = (max: number) =>
  new PayloadTooLargeError('LOAD_TOO_LARGE', `The file is larger than ${max} bytes, the most a load takes on this node`, `文件超过本节点单次加载上限（${max} 字节）`, { max });

export const digestMismatch = (declared: string, actual: string) =>
  new InputError('CONTENT_DIGEST_MISMATCH', 'The body does not have the SM3 digest declared in X-Tianshu-Content-SM3; nothing was loaded', '请求体的 SM3 摘要与 X-Tianshu-Content-SM3 声明的不一致，未加载任何数据', { declared, actual });
