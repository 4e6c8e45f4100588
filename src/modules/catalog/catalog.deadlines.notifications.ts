import type { NotificationRenderer } from '../notifications/index.js';

/**
 * The catalog's notification kinds, with their text in Chinese and English. Registered with the
 * notifications service when the node starts; the text is rendered from the stored params when read,
 * so wording can improve without touching stored notifications.
 */
export const CATALOG_NOTIFICATION_KINDS = {
  'catalog.submitted': (p) => ({
    zh: `${str(p.provider)}提交了目录“${str(p.name)}”（${str(p.code)}，第 ${str(p.version)} 版），请审核`,
    en: `${str(p.provider)} submitted the catalog entry "${str(p.name)}" (${str(p.code)}, version ${str(p.version)}) for review`,
  }),
  'catalog.returned': (p) => ({
    zh: `目录“${str(p.name)}”（${str(p.code)}）被退回，共 ${str(p.reasons)} 条意见，请于 ${str(p.dueOn)} 前修改并重新提交`,
    en: `The catalog entry "${str(p.name)}" (${str(p.code)}) was returned with ${str(p.reasons)} reason(s); resubmit it by ${str(p.dueOn)}`,
  }),
  'catalog.published': (p) => ({
    zh: `目录“${str(p.name)}”（${str(p.code)}，第 ${str(p.version)} 版）已审核发布${p.linkDueOn ? `，请于 ${str(p.linkDueOn)} 前关联数据资源` : ''}`,
    en: `The catalog entry "${str(p.name)}" (${str(p.code)}, version ${str(p.version)}) was approved and published${
      p.linkDueOn ? `; link its data resource by ${str(p.linkDueOn)}` : ''
    }`,
  }),
  'catalog.deadline.due_soon': (p) => ({
    zh: `目录“${str(p.name)}”（${str(p.code)}）须于 ${str(p.dueOn)} 前${task(p.deadlineKind).zh}，剩余 ${str(p.workingDaysLeft)} 个工作日`,
    en: `The catalog entry "${str(p.name)}" (${str(p.code)}): ${task(p.deadlineKind).en} by ${str(p.dueOn)}, ${str(p.workingDaysLeft)} working day(s) left`,
  }),
  'catalog.deadline.overdue': (p) => ({
    zh: `${str(p.provider)}的目录“${str(p.name)}”（${str(p.code)}）${task(p.deadlineKind).zh}已逾期（期限 ${str(p.dueOn)}）`,
    en: `${str(p.provider)}'s catalog entry "${str(p.name)}" (${str(p.code)}) is overdue: ${task(p.deadlineKind).en} was due ${str(p.dueOn)}`,
  }),
} satisfies Record<string, NotificationRenderer>;

export type CatalogNotificationKind = keyof typeof CATALOG_NOTIFICATION_KINDS;

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

function task(kind: unknown): { zh: string; en: string } {
  return kind === 'resubmit'
    ? { zh: '修改并重新提交', en: 'resubmit it' }
    : { zh: '关联并注册数据资源', en: 'link and register its data resource' };
}
