import type { NotificationRenderer } from '../notifications/index.js';

/**
 * The sharing module's notification kinds, with their text in Chinese and English. Registered with
 * the notifications service when the node starts; rendered from the stored params when read.
 * Params always carry `applicationId` or `grantId`, `code` and `name` (the catalog entry's).
 */
export const SHARING_NOTIFICATION_KINDS = {
  'sharing.submitted': (p) => ({
    zh: `${str(p.applicant)}申请共享目录“${str(p.name)}”（${str(p.code)}），请于 ${str(p.dueDate)} 前审批`,
    en: `${str(p.applicant)} applied to share the catalog entry "${str(p.name)}" (${str(p.code)}); decide by ${str(p.dueDate)}`,
  }),
  'sharing.countersign': (p) => ({
    zh: `${str(p.provider)}已同意${str(p.applicant)}共享${gradeZh(p.securityGrade)}目录“${str(p.name)}”（${str(p.code)}）的申请，请于 ${str(p.dueDate)} 前会签`,
    en: `${str(p.provider)} approved ${str(p.applicant)}'s application for the ${gradeEn(p.securityGrade)} entry "${str(p.name)}" (${str(p.code)}); countersign by ${str(p.dueDate)}`,
  }),
  'sharing.granted': (p) => ({
    zh: `共享申请已通过：目录“${str(p.name)}”（${str(p.code)}）已授权，有效期至 ${str(p.validUntil)}`,
    en: `Application granted: the catalog entry "${str(p.name)}" (${str(p.code)}) is yours to use until ${str(p.validUntil)}`,
  }),
  'sharing.rejected': (p) => ({
    zh: `共享申请未通过：目录“${str(p.name)}”（${str(p.code)}），理由：${str(p.reason)}；依据：${str(p.legalBasis)}`,
    en: `Application refused: the catalog entry "${str(p.name)}" (${str(p.code)}); reason: ${str(p.reason)}; legal basis: ${str(p.legalBasis)}`,
  }),
  'sharing.withdrawn': (p) => ({
    zh: `${str(p.applicant)}撤回了目录“${str(p.name)}”（${str(p.code)}）的共享申请`,
    en: `${str(p.applicant)} withdrew its application for the catalog entry "${str(p.name)}" (${str(p.code)})`,
  }),
  'sharing.reminder': (p) => ({
    zh: `${str(p.applicant)}对目录“${str(p.name)}”（${str(p.code)}）的共享申请须于 ${str(p.dueDate)} 前${p.status === 'countersigning' ? '会签' : '审批'}，剩余 ${str(p.workingDaysLeft)} 个工作日`,
    en: `${str(p.applicant)}'s application for "${str(p.name)}" (${str(p.code)}) must be ${p.status === 'countersigning' ? 'countersigned' : 'decided'} by ${str(p.dueDate)}: ${str(p.workingDaysLeft)} working day(s) left`,
  }),
  'sharing.escalated': (p) => ({
    zh: `${str(p.applicant)}对${str(p.provider)}目录“${str(p.name)}”（${str(p.code)}）的共享申请已超过办理期限（${str(p.dueDate)}）仍未${p.status === 'countersigning' ? '会签' : '审批'}`,
    en: `${str(p.applicant)}'s application for ${str(p.provider)}'s entry "${str(p.name)}" (${str(p.code)}) is overdue: it was due ${str(p.dueDate)} and is still ${p.status === 'countersigning' ? 'awaiting countersignature' : 'undecided'}`,
  }),
  'sharing.revoked': (p) => ({
    zh: `${str(p.consumer)}对目录“${str(p.name)}”（${str(p.code)}）的共享授权已被${str(p.by)}撤销，理由：${str(p.reason)}`,
    en: `${str(p.consumer)}'s grant for the catalog entry "${str(p.name)}" (${str(p.code)}) was revoked by ${str(p.by)}; reason: ${str(p.reason)}`,
  }),
  'sharing.terms_changed': (p) => ({
    zh: `${str(p.provider)}修改了目录“${str(p.name)}”（${str(p.code)}）的共享授权条件（脱敏、行过滤、频率、IP 或截止时间）`,
    en: `${str(p.provider)} changed the terms of the grant for "${str(p.name)}" (${str(p.code)}) (masking, row filter, rate, addresses or expiry)`,
  }),
} satisfies Record<string, NotificationRenderer>;

export type SharingNotificationKind = keyof typeof SHARING_NOTIFICATION_KINDS;

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const gradeZh = (g: unknown): string => (g === 'core' ? '核心数据' : g === 'important' ? '重要数据' : '');
const gradeEn = (g: unknown): string => (g === 'core' ? 'core-data' : g === 'important' ? 'important-data' : '');
