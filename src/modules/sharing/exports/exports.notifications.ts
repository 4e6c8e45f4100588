import type { NotificationRenderer } from '../../notifications/index.js';

/** Export notifications, to the person who asked (registered by ExportService). */
export const EXPORT_NOTIFICATION_KINDS = {
  'sharing.export_ready': (p) => ({
    zh: `目录“${str(p.name)}”（${str(p.code)}）的数据已导出（${str(p.format)}，${str(p.rows)} 行），可在“数据导出”中生成下载链接`,
    en: `The export of "${str(p.name)}" (${str(p.code)}) is ready (${str(p.format)}, ${str(p.rows)} rows): make a download link under Data exports`,
  }),
  'sharing.export_failed': (p) => ({
    zh: `目录“${str(p.name)}”（${str(p.code)}）的数据导出失败：${str(p.error)}`,
    en: `The export of "${str(p.name)}" (${str(p.code)}) failed: ${str(p.errorEn)}`,
  }),
} satisfies Record<string, NotificationRenderer>;

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
