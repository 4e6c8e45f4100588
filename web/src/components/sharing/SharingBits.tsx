import { Space, Tag, Tooltip } from 'antd';
import type { Application, ApplicationStatus, GrantStatus, MaskRule, RowFilter, ShareMethod } from '../../api';
import { CONSUMER_DIVISION } from '../../api';
import { useI18n, type MessageKey } from '../../i18n';
import { DeadlineStateTag } from '../catalog/DeadlineTable';
import { formatTime } from '../../lib/format';

const APPLICATION_COLOURS: Record<ApplicationStatus, string> = {
  pending: 'blue',
  countersigning: 'purple',
  granted: 'success',
  rejected: 'error',
  withdrawn: 'default',
};

/** A status the portal does not know yet shows as sent. */
function label(t: (k: MessageKey) => string, key: string, fallback: string): string {
  const text = t(key as MessageKey);
  return text === key ? fallback : text;
}

export function ApplicationStatusTag({ status, testId }: { status: ApplicationStatus; testId?: string }) {
  const { t } = useI18n();
  return (
    <Tag color={APPLICATION_COLOURS[status] ?? 'default'} data-testid={testId} data-status={status}>
      {label(t, `application.status.${status}`, status)}
    </Tag>
  );
}

const GRANT_COLOURS: Record<GrantStatus, string> = { active: 'success', expired: 'warning', revoked: 'default' };

export function GrantStatusTag({ status, testId }: { status: GrantStatus; testId?: string }) {
  const { t } = useI18n();
  return (
    <Tag color={GRANT_COLOURS[status] ?? 'default'} data-testid={testId} data-status={status}>
      {label(t, `grant.status.${status}`, status)}
    </Tag>
  );
}

export function MethodTags({ methods }: { methods: readonly ShareMethod[] }) {
  const { t } = useI18n();
  return (
    <Space size={4} wrap>
      {methods.map((m) => (
        <Tag key={m} color="blue">
          {label(t, `shareMethod.${m}`, m)}
        </Tag>
      ))}
    </Space>
  );
}

export function maskRuleLabel(t: (k: MessageKey) => string, rule: MaskRule | string): string {
  return label(t, `mask.${rule}`, rule);
}

export function MaskTag({ rule }: { rule: MaskRule }) {
  const { t } = useI18n();
  return <Tag color={rule === 'none' ? 'default' : rule === 'redact' ? 'red' : 'orange'}>{maskRuleLabel(t, rule)}</Tag>;
}

export function RowFilterText({ filter }: { filter: RowFilter | null }) {
  const { t } = useI18n();
  if (!filter) return <span>{t('grant.rowFilter.none')}</span>;
  const show = (v: string) => (v === CONSUMER_DIVISION ? t('grant.rowFilter.consumerDivision') : v);
  const value = filter.op === 'in' ? (filter.values ?? []).map(show).join('、') : show(filter.value ?? '');
  return (
    <span data-testid="grant-row-filter">
      <span className="mono">{filter.column}</span> {label(t, `grant.rowFilter.op.${filter.op}`, filter.op)} {value}
    </span>
  );
}

/** The due date with its state while the application waits; escalated ones say so. */
export function ApplicationDeadline({ app }: { app: Pick<Application, 'dueDate' | 'deadlineState' | 'escalatedAt'> }) {
  const { t } = useI18n();
  if (!app.dueDate) return <span>—</span>;
  return (
    <Space size={4} wrap>
      <span className={app.deadlineState === 'overdue' ? 'ts-overdue' : undefined}>{app.dueDate}</span>
      {app.deadlineState && <DeadlineStateTag state={app.deadlineState} />}
      {app.escalatedAt && (
        <Tooltip title={formatTime(app.escalatedAt)}>
          <Tag color="red">{t('application.escalated')}</Tag>
        </Tooltip>
      )}
    </Space>
  );
}
