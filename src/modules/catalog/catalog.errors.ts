import { ConflictError, InputError, NotAllowedError, NotFoundError } from '../../core/errors.js';

/** One problem found in an entry: its own stable code and where it is (`items[3].column`). */
export interface EntryProblem {
  code: string;
  field: string;
  message: string;
  messageZh: string;
}

const STATUS_ZH: Record<string, string> = { draft: '草稿', submitted: '待审核', returned: '已退回', published: '已发布', retired: '已撤销' };

/** The catalog module's refusals; codes are part of the public contract. */
export const catalogErrors = {
  entryInvalid: (problems: EntryProblem[]) =>
    new InputError(
      'CATALOG_ENTRY_INVALID',
      `The catalog entry has ${problems.length} problem(s): ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
      `目录存在 ${problems.length} 处问题：${problems.map((p) => `${p.field}：${p.messageZh}`).join('；')}`,
      problems.map((p) => ({ ...p })),
    ),
  entryNotFound: (id: string) => new NotFoundError('CATALOG_NOT_FOUND', `Catalog entry ${id} does not exist`, `目录 ${id} 不存在`, { id }),
  versionNotFound: (version: number) =>
    new NotFoundError('CATALOG_VERSION_NOT_FOUND', `Version ${version} does not exist`, `版本 ${version} 不存在`, { version }),
  invalidTransition: (action: string, status: string) =>
    new ConflictError(
      'INVALID_TRANSITION',
      `Cannot ${action} an entry whose status is ${status}`,
      `目录当前状态为“${STATUS_ZH[status] ?? status}”，不能执行此操作`,
      { status, action },
    ),
  notReviewer: () =>
    new NotAllowedError(
      'NOT_REVIEWER',
      'Only the data authority responsible for the provider may review this entry',
      '只有负责该提供部门的数据主管部门可以审核此目录',
    ),
  notProvider: () =>
    new NotAllowedError('NOT_PROVIDER', 'Only the provider organisation may change this entry', '只有目录提供部门可以修改此目录'),
  noAuthority: () =>
    new ConflictError(
      'NO_RESPONSIBLE_AUTHORITY',
      'No data authority is responsible for your organisation, so the entry cannot be reviewed',
      '未找到负责本部门的数据主管部门，目录无法提交审核',
    ),
  systemNotFound: (id: string) =>
    new NotFoundError('SYSTEM_NOT_FOUND', `Information system ${id} does not exist`, `政务信息系统 ${id} 不存在`, { id }),
  systemInUse: (codes: string[]) =>
    new ConflictError(
      'SYSTEM_IN_USE',
      `The system is the source of catalog entries (${codes.join(', ')}); change those entries first`,
      `该系统是目录（${codes.join('、')}）的来源系统，请先修改这些目录`,
      { codes },
    ),
  systemNameTaken: (name: string) =>
    new ConflictError('SYSTEM_NAME_TAKEN', `Your organisation already has a system named ${name}`, `本部门已有名为 ${name} 的政务信息系统`),
};
