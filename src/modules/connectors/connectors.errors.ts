import { AppError, ConflictError, InputError, NotAllowedError, NotFoundError } from '../../core/errors.js';

/**
 * The source a connector reads from failed (unreachable, refused the query, answered badly). Shown
 * on the run; `retryable` says whether trying again later may help (a network fault may pass, a
 * wrong password or a missing table will not).
 */
export class SourceError extends AppError {
  /** 502 by default; 504 when the source was too slow, 400 when the configured query is at fault. */
  readonly status: number;
  readonly retryable: boolean;

  constructor(code: string, message: string, messageZh: string, retryable: boolean, details?: Record<string, unknown>, status = 502) {
    super(code, message, messageZh, details);
    this.retryable = retryable;
    this.status = status;
  }
}

export const connectorNotFound = (id: string) => new NotFoundError('CONNECTOR_NOT_FOUND', `Connector ${id} does not exist`, `连接器 ${id} 不存在`, { id });

export const notProvider = () =>
  new NotAllowedError('NOT_PROVIDER', "Only the providing organisation's catalog editors may do this", '仅提供部门的编目人员可以执行此操作');

export const kindUnknown = (kind: string, known: readonly string[]) =>
  new InputError('CONNECTOR_KIND_UNKNOWN', `There is no connector kind ${kind}; the kinds are ${known.join(', ')}`, `不支持连接器类型 ${kind}；可用类型：${known.join('、')}`, { kind, known: [...known] });

export interface ConfigProblem {
  path: string;
  message: string;
}

export const configInvalid = (problems: readonly ConfigProblem[]) =>
  new InputError(
    'CONNECTOR_CONFIG_INVALID',
    `The connector configuration is invalid: ${problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ')}`,
    `连接器配置不正确：${problems.map((p) => `${p.path || '/'} ${p.message}`).join('；')}`,
    problems.map((p) => ({ ...p })),
  );

export const secretUnused = (kind: string) =>
  new InputError('CONNECTOR_SECRET_UNUSED', `This ${kind} connector has nowhere to use a secret (for http, name the secretHeader first)`, `该 ${kind} 连接器配置中没有使用密钥的位置（http 类型须先指定 secretHeader）`);

/**
 * The connector has a secret and the request moves it elsewhere (another server, port, database or
 * user; for http another origin or header) without giving it again: the editor making the change
 * may not know the secret, so it must not follow the settings to a server they choose.
 */
export const secretRequired = (fields: readonly string[]) =>
  new InputError(
    'CONNECTOR_SECRET_REQUIRED',
    `Changing ${fields.join(', ')} would send the saved secret to another place: give the secret again in the same request (or null to remove it)`,
    `修改 ${fields.join('、')} 会将已保存的密钥发往其他位置：请在同一请求中重新提供密钥（或设为 null 删除）`,
    { fields: [...fields] },
  );

export const columnUnknown = (columns: readonly string[], known: readonly string[]) =>
  new InputError(
    'CONNECTOR_COLUMN_UNKNOWN',
    `Not columns of the resource: ${columns.join(', ')}; its columns are ${known.join(', ')}`,
    `以下不是数据资源的字段：${columns.join('、')}；可用字段：${known.join('、')}`,
    { unknown: [...columns], columns: [...known] },
  );

export const watermarkNeedsUpsert = () =>
  new InputError(
    'CONNECTOR_WATERMARK_NEEDS_UPSERT',
    'An incremental connector (with a watermark) must load in upsert mode: replace would delete every row the increment does not carry',
    '增量连接器（设置了水位字段）必须使用 upsert 模式：replace 会删除本次增量之外的所有数据',
  );

export const hostBlocked = (host: string) =>
  new NotAllowedError(
    'CONNECTOR_HOST_BLOCKED',
    `The node may not connect to ${host} (loopback, link-local, cloud metadata and the node's own database are refused; TIANSHU_CONNECTOR_HOSTS lists what is allowed)`,
    `节点不允许连接 ${host}（本机回环、链路本地、云元数据地址及本节点数据库均被禁止；允许的主机由 TIANSHU_CONNECTOR_HOSTS 配置）`,
    { host },
  );

export const hostUnresolved = (host: string) =>
  new SourceError('CONNECTOR_HOST_UNRESOLVED', `The host name ${host} does not resolve`, `无法解析主机名 ${host}`, true, { host });

export const nameTaken = (name: string) =>
  new ConflictError('CONNECTOR_NAME_TAKEN', `The resource already has a connector named ${name}`, `该数据资源已有名为“${name}”的连接器`, { name });

export const resourceNotTable = (kind: string) =>
  new ConflictError('CONNECTOR_RESOURCE_NOT_TABLE', `Connectors load table resources, not ${kind}`, `连接器只能向库表资源加载数据，当前资源类型为 ${kind}`, { kind });

export const busy = (runId: string | undefined) =>
  new ConflictError('CONNECTOR_BUSY', 'A run of this connector is already queued or running', '该连接器已有排队或正在执行的任务', runId ? { runId } : undefined);

export const disabled = () => new ConflictError('CONNECTOR_DISABLED', 'The connector is disabled; enable it first', '连接器已停用，请先启用');

export const keyUnmapped = (columns: readonly string[]) =>
  new InputError(
    'CONNECTOR_KEY_UNMAPPED',
    `The source supplies no value for the key column(s) ${columns.join(', ')}; map a source column to each`,
    `数据源未提供主键字段 ${columns.join('、')} 的值，请为其映射源字段`,
    { columns: [...columns] },
  );

// ---- failures of the source, raised by the kinds

export const sourceUnreachable = (host: string, reason: string) =>
  new SourceError('CONNECTOR_SOURCE_UNREACHABLE', `Could not reach ${host} (${reason})`, `无法连接数据源 ${host}（${reason}）`, true, { host });

export const sourceTimeout = (host: string) =>
  new SourceError('CONNECTOR_SOURCE_TIMEOUT', `${host} did not answer in time`, `数据源 ${host} 响应超时`, true, { host }, 504);

export const sourceAuthFailed = (host: string) =>
  new SourceError('CONNECTOR_SOURCE_AUTH_FAILED', `${host} refused the user name or password`, `数据源 ${host} 拒绝了用户名或密码`, false, { host });

/** The source ran the query and refused it; its own message says why (a missing table, a typo). */
export const sourceQueryFailed = (detail: string) =>
  new SourceError('CONNECTOR_SOURCE_QUERY_FAILED', `The source refused the query: ${detail}`, `数据源拒绝执行查询：${detail}`, false);

/**
 * The source refused the configured query as a statement: a syntax error, more than one statement
 * (the SQL kinds send it so that only one is accepted), or a write in the read-only transaction.
 * The settings must change; trying again will not help.
 */
export const queryInvalid = (detail: string) =>
  new SourceError(
    'CONNECTOR_QUERY_INVALID',
    `The query must be a single SELECT statement that reads only; the source refused it: ${detail}`,
    `查询必须是单条只读的 SELECT 语句；数据源拒绝执行：${detail}`,
    false,
    undefined,
    400,
  );

export const sourceStatus = (status: number) =>
  new SourceError(
    'CONNECTOR_SOURCE_STATUS',
    `The source answered HTTP ${status}`,
    `数据源返回 HTTP ${status}`,
    // Overload and server faults may pass; a 4xx says the request itself is wrong.
    status === 408 || status === 429 || status >= 500,
    { status },
  );

export const responseInvalid = (reason: string, reasonZh: string) =>
  new SourceError('CONNECTOR_RESPONSE_INVALID', `The source's answer cannot be read: ${reason}`, `无法解析数据源的响应：${reasonZh}`, false);

export const tooManyPages = (maxPages: number) =>
  new SourceError(
    'CONNECTOR_TOO_MANY_PAGES',
    `The source had more than ${maxPages} pages; raise maxPages, or check that it honours the paging parameters`,
    `数据源超过 ${maxPages} 页；请调大 maxPages，或检查数据源是否支持分页参数`,
    false,
    { maxPages },
  );

/** Not an error of the run: why its watermark stayed where it was (recorded on the run). */
export const watermarkHeld = (rejected: number) => ({
  code: 'CONNECTOR_WATERMARK_HELD',
  message: `The loader refused ${rejected} row(s), so the watermark did not move: the next run reads them again (fix them at the source, or reset the watermark)`,
  messageZh: `加载时有 ${rejected} 行被拒绝，水位未前移：下次运行将重新读取这些行（请在数据源修正，或重置水位）`,
});

export const emptyReplace = () =>
  new SourceError(
    'CONNECTOR_SOURCE_EMPTY',
    'The source returned no rows; in replace mode that would empty the resource, so nothing was loaded',
    '数据源未返回任何数据；replace 模式下这将清空数据资源，本次未加载',
    false,
  );
