import type { NotificationRenderer } from '../../notifications/index.js';

/**
 * The objections' notification kinds, zh and en. Params always carry `objectionId`, `kind`, `code`
 * and `name` (the catalog entry's) and `objector` (the objecting organisation's name).
 */
export const OBJECTION_NOTIFICATION_KINDS = {
  'objection.filed': (p) =>
    p.kind === 'refusal'
      ? {
          zh: `${str(p.objector)}对${str(p.provider)}拒绝共享目录“${str(p.name)}”（${str(p.code)}）的决定提出异议，请于 ${str(p.dueDate)} 前仲裁`,
          en: `${str(p.objector)} objects to ${str(p.provider)}'s refusal to share "${str(p.name)}" (${str(p.code)}); arbitrate by ${str(p.dueDate)}`,
        }
      : {
          zh: `${str(p.objector)}对目录“${str(p.name)}”（${str(p.code)}）的共享数据提出异议，请于 ${str(p.dueDate)} 前核实处理`,
          en: `${str(p.objector)} objects to data of "${str(p.name)}" (${str(p.code)}) it received; check and answer by ${str(p.dueDate)}`,
        },
  'objection.resolved': (p) => ({
    zh: `${str(p.provider)}已处理对目录“${str(p.name)}”（${str(p.code)}）数据的异议：${OUTCOME_ZH[str(p.outcome)] ?? str(p.outcome)}`,
    en: `${str(p.provider)} answered the objection to data of "${str(p.name)}" (${str(p.code)}): ${OUTCOME_EN[str(p.outcome)] ?? str(p.outcome)}`,
  }),
  'objection.arbitrated': (p) =>
    p.outcome === 'overturned'
      ? p.reopenedTo === 'countersigning'
        ? {
            zh: `对目录“${str(p.name)}”（${str(p.code)}）拒绝决定的异议经仲裁成立：拒绝决定撤销，申请重新交由数据主管部门会签，期限 ${str(p.dueDate)}`,
            en: `The objection to the refusal of "${str(p.name)}" (${str(p.code)}) was upheld by arbitration: the refusal is overturned and the application awaits the authority's countersignature again, due ${str(p.dueDate)}`,
          }
        : {
            zh: `对目录“${str(p.name)}”（${str(p.code)}）拒绝决定的异议经仲裁成立：拒绝决定撤销，申请重新交由${str(p.provider)}审批，期限 ${str(p.dueDate)}`,
            en: `The objection to the refusal of "${str(p.name)}" (${str(p.code)}) was upheld by arbitration: the refusal is overturned and the application is with ${str(p.provider)} again, due ${str(p.dueDate)}`,
          }
      : p.outcome === 'superseded'
        ? {
            zh: `对目录“${str(p.name)}”（${str(p.code)}）拒绝决定的异议已办结：申请部门已重新申请或已获授权，以新申请为准`,
            en: `The objection to the refusal of "${str(p.name)}" (${str(p.code)}) was closed: the applicant applied again or holds a grant, which stands instead`,
          }
        : {
            zh: `对目录“${str(p.name)}”（${str(p.code)}）拒绝决定的异议经仲裁不成立，维持拒绝决定`,
            en: `Arbitration kept the refusal of "${str(p.name)}" (${str(p.code)}): the objection was not upheld`,
          },
  'objection.withdrawn': (p) => ({
    zh: `${str(p.objector)}已撤回对目录“${str(p.name)}”（${str(p.code)}）的${p.kind === 'refusal' ? '拒绝决定' : '数据'}异议`,
    en: `${str(p.objector)} withdrew its objection to ${p.kind === 'refusal' ? 'the refusal of' : 'data of'} "${str(p.name)}" (${str(p.code)})`,
  }),
  'objection.reminder': (p) => ({
    zh: `${str(p.objector)}对目录“${str(p.name)}”（${str(p.code)}）的异议须于 ${str(p.dueDate)} 前${p.kind === 'refusal' ? '仲裁' : '处理'}，剩余 ${str(p.workingDaysLeft)} 个工作日`,
    en: `${str(p.objector)}'s objection about "${str(p.name)}" (${str(p.code)}) must be ${p.kind === 'refusal' ? 'arbitrated' : 'answered'} by ${str(p.dueDate)}: ${str(p.workingDaysLeft)} working day(s) left`,
  }),
  'objection.escalated': (p) => ({
    zh: `${str(p.objector)}对目录“${str(p.name)}”（${str(p.code)}）的异议已超过办理期限（${str(p.dueDate)}）仍未${p.kind === 'refusal' ? '仲裁' : '处理'}`,
    en: `${str(p.objector)}'s objection about "${str(p.name)}" (${str(p.code)}) is overdue: it was due ${str(p.dueDate)}`,
  }),
} satisfies Record<string, NotificationRenderer>;

export type ObjectionNotificationKind = keyof typeof OBJECTION_NOTIFICATION_KINDS;

const OUTCOME_ZH: Record<string, string> = { corrected: '数据已更正', confirmed: '经核实数据无误', rejected: '异议不予采纳' };
const OUTCOME_EN: Record<string, string> = { corrected: 'the data was corrected', confirmed: 'the data was checked and stands', rejected: 'the objection was rejected' };
const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
