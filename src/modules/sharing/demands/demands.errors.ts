import { ConflictError, InputError, NotAllowedError, NotFoundError } from '../../../core/errors.js';

const STATUS_ZH: Record<string, string> = { submitted: '待分派', routed: '待答复', answered: '已答复', withdrawn: '已撤回' };
const zh = (s: string): string => STATUS_ZH[s] ?? s;

/** Refusals of the demands part; the codes are part of the public contract. */
export const demandErrors = {
  notFound: (id: string) => new NotFoundError('DEMAND_NOT_FOUND', `Demand ${id} does not exist`, `数据需求 ${id} 不存在`, { id }),
  noAuthority: () =>
    new ConflictError(
      'DEMAND_NO_AUTHORITY',
      'No data authority is responsible for your organisation, so nobody could route the demand',
      '未找到负责本部门的数据主管部门，需求无法分派',
    ),
  expectedByInvalid: (value: string, earliest: string) =>
    new InputError('EXPECTED_BY_INVALID', `expectedBy must be a date from ${earliest} on: ${value}`, `期望日期须为 ${earliest} 及以后的日期：${value}`, { expectedBy: value, earliest }),
  itemsInvalid: (max: number, maxLength: number) =>
    new InputError('DEMAND_ITEMS_INVALID', `At most ${max} data items of at most ${maxLength} characters each`, `数据项最多 ${max} 个，每项不超过 ${maxLength} 个字符`, { max, maxLength }),
  notRoutable: (status: string) =>
    new ConflictError(
      'DEMAND_NOT_ROUTABLE',
      `The demand is ${status}: it is routed when submitted, or again after a provider answered that it does not hold the data`,
      `该需求当前为“${zh(status)}”：仅待分派的需求，或提供部门答复“未掌握”后，可以分派`,
      { status },
    ),
  notRouted: (status: string) =>
    new ConflictError('DEMAND_NOT_ROUTED', `The demand is ${status}: it is not waiting for your answer`, `该需求当前为“${zh(status)}”，不在待答复环节`, { status }),
  closed: (status: string) =>
    new ConflictError('DEMAND_CLOSED', `The demand is ${status}: it can no longer be withdrawn`, `该需求当前为“${zh(status)}”，不能撤回`, { status }),
  notAuthority: () =>
    new NotAllowedError('NOT_DEMAND_AUTHORITY', 'Only the data authority responsible for the requester routes a demand', '只有负责需求部门的数据主管部门可以分派需求'),
  notProvider: () =>
    new NotAllowedError('NOT_DEMAND_PROVIDER', "Only the approvers of the organisation the demand is routed to answer it", '只有需求分派到的提供部门的共享审批人可以答复'),
  notRequester: () =>
    new NotAllowedError('NOT_REQUESTER', 'Only a consumer of the requesting organisation may withdraw its demand', '只有提出需求部门的数据使用人可以撤回需求'),
  providerInvalid: (id: string, why: 'unknown' | 'requester' | 'outside') =>
    new InputError(
      'DEMAND_PROVIDER_INVALID',
      why === 'unknown'
        ? `Organisation ${id} does not exist`
        : why === 'requester'
          ? 'The requester cannot be the provider of its own demand'
          : 'The organisation is outside your responsibility: route only to organisations your authority is responsible for',
      why === 'unknown' ? `部门 ${id} 不存在` : why === 'requester' ? '不能把需求分派给提出需求的部门本身' : '只能分派给本数据主管部门负责的部门',
      { providerOrgId: id, reason: why },
    ),
  entryNotProviders: (id: string) =>
    new InputError('DEMAND_ENTRY_NOT_PROVIDERS', `Catalog entry ${id} is not one of your organisation's`, `目录 ${id} 不是本部门提供的目录`, { catalogId: id }),
  answerIncomplete: (kind: string, field: string) =>
    new InputError('DEMAND_ANSWER_INCOMPLETE', `An answer of kind ${kind} needs ${field}`, `“${kind}”类答复须填写 ${field}`, { kind, field }),
  plannedDateInvalid: (value: string, earliest: string, latest: string) =>
    new InputError(
      'PLANNED_DATE_INVALID',
      `plannedDate must be a date from ${earliest} to ${latest}: ${value}`,
      `计划编目日期须为 ${earliest} 至 ${latest} 之间的日期：${value}`,
      { plannedDate: value, earliest, latest },
    ),
};
