import { AppError, ConflictError, InputError, NotAllowedError, NotFoundError } from '../../core/errors.js';

const STATUS_ZH: Record<string, string> = {
  pending: '待审批',
  countersigning: '待会签',
  granted: '已授权',
  rejected: '已拒绝',
  withdrawn: '已撤回',
  active: '有效',
  expired: '已过期',
  revoked: '已撤销',
};
const METHOD_ZH: Record<string, string> = { api: '接口', table: '库表', file: '文件' };
const FIELD_ZH: Record<string, string> = { purpose: '用途', legalBasis: '法律依据', scenario: '应用场景', reason: '理由', comment: '意见' };

/** One problem of one application in a batch (the cart): where it is and the code a single apply would give. */
export interface BatchProblem {
  index: number;
  code: string;
  message: string;
  messageZh: string;
  details?: unknown;
}

/** The sharing module's refusals; the codes are part of the public contract. */
export const sharingErrors = {
  // ---- applying ----
  entryNotFound: (id: string) => new NotFoundError('ENTRY_NOT_FOUND', `Catalog entry ${id} does not exist`, `目录 ${id} 不存在`, { id }),
  entryNotPublished: (id: string, status: string) =>
    new ConflictError('ENTRY_NOT_PUBLISHED', `Catalog entry ${id} is not in force (${status}): it cannot be applied for`, `目录 ${id} 不在发布状态，不能申请`, { id, status }),
  entryNotShared: (nonShareBasis: string | null) =>
    new InputError(
      'ENTRY_NOT_SHARED',
      `The entry is not shared (不予共享)${nonShareBasis ? `: ${nonShareBasis}` : ''}`,
      `该目录不予共享${nonShareBasis ? `，依据：${nonShareBasis}` : ''}`,
      { nonShareBasis },
    ),
  applyOwnEntry: () =>
    new InputError('APPLY_OWN_ENTRY', "Your organisation provides this entry: its data is already yours to use", '该目录由本部门提供，无需申请共享'),
  itemUnknown: (names: string[]) =>
    new InputError('ITEM_UNKNOWN', `The entry has no info item ${names.join(', ')}`, `目录中没有信息项 ${names.join('、')}`, { items: names }),
  itemNotShared: (names: string[]) =>
    new InputError('ITEM_NOT_SHARED', `Info item(s) ${names.join(', ')} are not shared (不予共享)`, `信息项 ${names.join('、')} 不予共享`, { items: names }),
  noItems: () => new InputError('ITEM_UNKNOWN', 'The entry has no info item that may be shared', '该目录没有可共享的信息项', { items: [] }),
  methodNotOffered: (asked: string[], offered: string[]) =>
    new InputError(
      'METHOD_NOT_OFFERED',
      asked.length === 0 ? `Choose at least one of the methods the entry offers: ${offered.join(', ')}` : `The entry does not offer ${asked.join(', ')}; it offers ${offered.join(', ') || 'none'}`,
      asked.length === 0
        ? `请至少选择一种共享方式：${offered.map((m) => METHOD_ZH[m] ?? m).join('、')}`
        : `该目录不提供${asked.map((m) => METHOD_ZH[m] ?? m).join('、')}方式，可选：${offered.map((m) => METHOD_ZH[m] ?? m).join('、') || '无'}`,
      { methods: asked, offered },
    ),
  textRequired: (field: string) =>
    new InputError('TEXT_REQUIRED', `${field} must not be blank`, `${FIELD_ZH[field] ?? field}不能为空`, { field }),
  textTooLong: (field: string, max: number) =>
    new InputError('TEXT_TOO_LONG', `${field} is longer than ${max} characters`, `${FIELD_ZH[field] ?? field}不能超过 ${max} 个字符`, { field, max }),
  validUntilInvalid: (validUntil: string, earliest: string, latest: string) =>
    new InputError(
      'VALID_UNTIL_INVALID',
      `validUntil must be a date from ${earliest} to ${latest} (after today, at most three years ahead): ${validUntil}`,
      `有效期须为 ${earliest} 至 ${latest} 之间的日期（晚于今天，最长三年）：${validUntil}`,
      { validUntil, earliest, latest },
    ),
  duplicate: (kind: 'application' | 'grant', id: string) =>
    new ConflictError(
      'APPLICATION_DUPLICATE',
      kind === 'application' ? `Your organisation already has an open application for this entry (${id})` : `Your organisation already holds a grant in force for this entry (${id})`,
      kind === 'application' ? `本部门已有该目录的在办申请（${id}）` : `本部门已持有该目录的有效授权（${id}）`,
      kind === 'application' ? { kind, id, applicationId: id } : { kind, id, grantId: id },
    ),
  duplicateInBatch: (index: number) =>
    new ConflictError('APPLICATION_DUPLICATE', `The same entry is already in this batch at index ${index}`, `同一目录已在本申请单第 ${index + 1} 项中`, { index }),
  batchSize: (max: number) => new InputError('BATCH_SIZE_INVALID', `A batch holds 1 to ${max} applications`, `申请单须包含 1 至 ${max} 项申请`, { max }),
  batchInvalid: (problems: BatchProblem[]) =>
    new InputError(
      'APPLICATION_BATCH_INVALID',
      `${problems.length} problem(s) in the batch; nothing was submitted: ${problems.map((p) => `[${p.index}] ${p.code}`).join(', ')}`,
      `申请单中有 ${problems.length} 处问题，均未提交：${problems.map((p) => `第 ${p.index + 1} 项 ${p.messageZh}`).join('；')}`,
      problems.map((p) => ({ ...p })),
    ),
  noAuthority: () =>
    new ConflictError(
      'NO_RESPONSIBLE_AUTHORITY',
      'No data authority is responsible for the provider, so core or important data cannot be countersigned',
      '未找到负责提供部门的数据主管部门，核心和重要数据无法会签',
    ),

  // ---- deciding ----
  applicationNotFound: (id: string) => new NotFoundError('APPLICATION_NOT_FOUND', `Application ${id} does not exist`, `共享申请 ${id} 不存在`, { id }),
  notPending: (status: string) =>
    new ConflictError(
      'APPLICATION_NOT_PENDING',
      `The application is ${status}: it is not waiting for your decision`,
      `该申请当前状态为“${STATUS_ZH[status] ?? status}”，不在您的审批环节`,
      { status },
    ),
  notApprover: () =>
    new NotAllowedError(
      'NOT_APPROVER',
      "Only the provider's approvers (and, for countersignature, the responsible data authority) decide this application",
      '只有提供部门的共享审批人（会签环节为负责的数据主管部门）可以审批此申请',
    ),
  countersignerIsApprover: () =>
    new NotAllowedError('COUNTERSIGNER_IS_APPROVER', 'The countersignature must come from someone other than the approver', '会签人不能是审批人本人'),
  rejectionNeedsLegalBasis: () =>
    new InputError(
      'REJECTION_NEEDS_LEGAL_BASIS',
      'A refusal states its reason and its legal basis (非因法定事由不得拒绝)',
      '拒绝共享须说明理由和法律依据（非因法定事由不得拒绝）',
    ),
  notApplicant: () =>
    new NotAllowedError('NOT_APPLICANT', "Only a consumer of the applicant organisation may withdraw its application", '只有申请部门的数据使用人可以撤回申请'),

  // ---- grants ----
  grantNotFound: (id: string) => new NotFoundError('GRANT_NOT_FOUND', `Grant ${id} does not exist`, `授权 ${id} 不存在`, { id }),
  grantNotActive: (status: string) =>
    new ConflictError('GRANT_NOT_ACTIVE', `The grant is ${status}`, `该授权${STATUS_ZH[status] ?? status}，不能再变更`, { status }),
  notGrantProvider: () =>
    new NotAllowedError('NOT_GRANT_PROVIDER', "Only the provider's approvers change a grant's terms", '只有提供部门的共享审批人可以修改授权条件'),
  revokeNeedsReason: () => new InputError('REVOKE_NEEDS_REASON', 'Revoking a grant needs a reason', '撤销授权须说明理由'),
  itemNotGranted: (names: string[]) =>
    new InputError('ITEM_NOT_GRANTED', `Info item(s) ${names.join(', ')} are not in the grant`, `信息项 ${names.join('、')} 不在授权范围内`, { items: names }),
  maskRuleInvalid: (column: string, rule: string, rules: readonly string[]) =>
    new InputError('MASK_RULE_INVALID', `Unknown masking rule ${rule} for ${column} (one of ${rules.join(', ')})`, `信息项 ${column} 的脱敏规则 ${rule} 无效`, { column, rule, rules }),
  rowFilterInvalid: (reason: string, reasonZh: string) =>
    new InputError('ROW_FILTER_INVALID', `The row filter is invalid: ${reason}`, `行过滤条件无效：${reasonZh}`, { reason }),
  rateLimitInvalid: (min: number, max: number) =>
    new InputError('RATE_LIMIT_INVALID', `rateLimitPerMinute must be an integer from ${min} to ${max}`, `每分钟调用上限须为 ${min} 至 ${max} 之间的整数`, { min, max }),
  ipAllowInvalid: (values: string[]) =>
    new InputError('IP_ALLOW_INVALID', `Not an IP address or CIDR block: ${values.join(', ')}`, `不是合法的 IP 地址或网段：${values.join('、')}`, { values }),
  expiresAtInvalid: (latest: string) =>
    new InputError(
      'EXPIRES_AT_INVALID',
      `expiresAt must be a time in the future and not after the application's validity (${latest})`,
      `授权截止时间须晚于当前时间，且不晚于申请的有效期（${latest}）`,
      { latest },
    ),
};

/** An error as one line of a batch's details. */
export function batchProblem(index: number, err: AppError): BatchProblem {
  return { index, code: err.code, message: err.message, messageZh: err.messageZh, ...(err.details === undefined ? {} : { details: err.details }) };
}
