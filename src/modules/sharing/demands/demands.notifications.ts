import type { NotificationRenderer } from '../../notifications/index.js';

/**
 * The demands' notification kinds, zh and en. Params always carry `demandId`, `title` and
 * `requester` (the requesting organisation's name).
 */
export const DEMAND_NOTIFICATION_KINDS = {
  'demand.submitted': (p) => ({
    zh: `${str(p.requester)}提出数据需求“${str(p.title)}”，请分派给掌握该数据的部门`,
    en: `${str(p.requester)} filed the data demand "${str(p.title)}"; route it to the organisation that holds the data`,
  }),
  'demand.routed': (p) => ({
    zh: `${str(p.requester)}的数据需求“${str(p.title)}”已分派给本部门，请于 ${str(p.dueDate)} 前答复`,
    en: `${str(p.requester)}'s data demand "${str(p.title)}" was routed to your organisation; answer by ${str(p.dueDate)}`,
  }),
  'demand.answered': (p) => ({
    zh: `数据需求“${str(p.title)}”已由${str(p.provider)}答复：${answerZh(p)}`,
    en: `${str(p.provider)} answered the data demand "${str(p.title)}": ${answerEn(p)}`,
  }),
  'demand.withdrawn': (p) => ({
    zh: `${str(p.requester)}撤回了数据需求“${str(p.title)}”`,
    en: `${str(p.requester)} withdrew the data demand "${str(p.title)}"`,
  }),
  'demand.reminder': (p) => ({
    zh: `${str(p.requester)}的数据需求“${str(p.title)}”须于 ${str(p.dueDate)} 前答复，剩余 ${str(p.workingDaysLeft)} 个工作日`,
    en: `${str(p.requester)}'s data demand "${str(p.title)}" must be answered by ${str(p.dueDate)}: ${str(p.workingDaysLeft)} working day(s) left`,
  }),
  'demand.escalated': (p) => ({
    zh: `${str(p.requester)}分派给${str(p.provider)}的数据需求“${str(p.title)}”已超过答复期限（${str(p.dueDate)}）仍未答复`,
    en: `${str(p.requester)}'s data demand "${str(p.title)}", routed to ${str(p.provider)}, is overdue: it was due ${str(p.dueDate)}`,
  }),
} satisfies Record<string, NotificationRenderer>;

export type DemandNotificationKind = keyof typeof DEMAND_NOTIFICATION_KINDS;

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

function answerZh(p: Record<string, unknown>): string {
  if (p.kind === 'entry') return `可申请目录“${str(p.catalogName)}”（${str(p.catalogCode)}）`;
  if (p.kind === 'planned') return `计划于 ${str(p.plannedDate)} 前编目`;
  return `未掌握该数据，理由：${str(p.reason)}`;
}
function answerEn(p: Record<string, unknown>): string {
  if (p.kind === 'entry') return `apply for the catalog entry "${str(p.catalogName)}" (${str(p.catalogCode)})`;
  if (p.kind === 'planned') return `it will be cataloged by ${str(p.plannedDate)}`;
  return `the data is not held; reason: ${str(p.reason)}`;
}
