import { ConflictError, InputError, NotAllowedError, NotFoundError } from '../../../core/errors.js';

/** Refusals of the objections part; the codes are part of the public contract. */
export const objectionErrors = {
  notFound: (id: string) => new NotFoundError('OBJECTION_NOT_FOUND', `Objection ${id} does not exist`, `异议 ${id} 不存在`, { id }),
  kindFields: (kind: string, field: string) =>
    new InputError('OBJECTION_INPUT_INVALID', `An objection of kind ${kind} needs ${field}`, `“${kind === 'data' ? '数据' : '拒绝'}”类异议须填写 ${field}`, { kind, field }),
  recordKeysInvalid: (max: number, maxLength: number) =>
    new InputError('RECORD_KEYS_INVALID', `At most ${max} record keys of at most ${maxLength} characters each`, `记录主键最多 ${max} 个，每个不超过 ${maxLength} 个字符`, { max, maxLength }),
  notRejected: (status: string) =>
    new ConflictError('APPLICATION_NOT_REJECTED', `The application is ${status}: only a refusal can be objected to`, '只能对被拒绝的共享申请提出异议', { status }),
  duplicate: (id: string) =>
    new ConflictError('OBJECTION_DUPLICATE', `The refusal was already objected to (${id}): one objection per application`, `已对该拒绝决定提出过异议（${id}），每个申请只能提出一次`, { objectionId: id }),
  superseded: (kind: 'application' | 'grant', id: string) =>
    new ConflictError(
      'OBJECTION_SUPERSEDED',
      kind === 'application'
        ? `Your organisation has applied for this entry again (${id}): that application is decided in its own right`
        : `Your organisation holds a grant in force for this entry (${id})`,
      kind === 'application' ? `本部门已重新申请该目录（${id}），请以新申请为准` : `本部门已持有该目录的有效授权（${id}）`,
      kind === 'application' ? { kind, applicationId: id } : { kind, grantId: id },
    ),
  noAuthority: () =>
    new ConflictError('OBJECTION_NO_AUTHORITY', 'No data authority is responsible for the provider, so nobody could arbitrate', '未找到负责提供部门的数据主管部门，无法仲裁'),
  notOpen: (status: string) =>
    new ConflictError('OBJECTION_NOT_OPEN', `The objection is ${status}: its outcome is recorded`, '该异议已办结', { status }),
  wrongKind: (kind: string) =>
    new NotAllowedError(
      'OBJECTION_WRONG_KIND',
      kind === 'data' ? 'A data objection is resolved by the provider, not arbitrated' : 'An objection to a refusal is arbitrated by the data authority, not resolved by the provider',
      kind === 'data' ? '数据异议由提供部门处理，不经仲裁' : '对拒绝决定的异议由数据主管部门仲裁',
      { kind },
    ),
  notProvider: () =>
    new NotAllowedError('NOT_OBJECTION_PROVIDER', "Only the provider's approvers resolve an objection to its data", '只有提供部门的共享审批人可以处理数据异议'),
  duplicateData: (id: string) =>
    new ConflictError(
      'OBJECTION_DUPLICATE',
      `An objection to the same records of this grant is still open (${id})`,
      `已就该授权的相同记录提出异议且尚未办结（${id}）`,
      { objectionId: id },
    ),
  tooLate: (what: 'refusal' | 'grant', since: string, days: number) =>
    new ConflictError(
      'OBJECTION_TOO_LATE',
      what === 'refusal'
        ? `A refusal can be objected to within ${days} days of it (refused ${since})`
        : `The grant ended ${since}: its data can be objected to within ${days} days of its end`,
      what === 'refusal' ? `须在拒绝决定作出后 ${days} 日内提出异议（${since} 拒绝）` : `授权已于 ${since} 终止，须在终止后 ${days} 日内提出数据异议`,
      { since, days },
    ),
  arbitratorDecidedRefusal: () =>
    new NotAllowedError(
      'ARBITRATOR_DECIDED_REFUSAL',
      'You signed the refusal in dispute: another data_authority of your authority arbitrates it',
      '您参与作出了被异议的拒绝决定，须由本单位其他数据主管人员仲裁',
    ),
  applicationExpired: (validUntil: string) =>
    new ConflictError('APPLICATION_EXPIRED', `The application asked for data until ${validUntil}, which has passed: the refusal cannot be reopened`, `申请的使用期限（${validUntil}）已过，不能撤销拒绝决定重新审批`, { validUntil }),
  entryNotShared: (entryId: string, why: string) =>
    new ConflictError('ENTRY_NOT_SHARED', `The catalog entry is no longer shared (${why}): the refusal cannot be reopened`, `该目录已不再共享（${why}），不能撤销拒绝决定重新审批`, { entryId, why }),
  notSuperseded: () =>
    new ConflictError('OBJECTION_NOT_SUPERSEDED', 'The applicant has neither applied again nor holds a grant for the entry: decide upheld or overturned', '申请部门未重新申请该目录、也未持有有效授权，请作出维持或撤销的仲裁', {}),
  notObjector: () => new NotAllowedError('NOT_OBJECTOR', "Only a consumer of the objecting organisation withdraws its objection", '只有提出异议部门的数据使用人可以撤回异议'),
  notArbitrator: () =>
    new NotAllowedError('NOT_ARBITRATOR', 'Only the data authority responsible for the provider arbitrates a refusal', '只有负责提供部门的数据主管部门可以仲裁'),
};
