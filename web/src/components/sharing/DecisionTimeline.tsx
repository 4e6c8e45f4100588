import { Timeline, Typography } from 'antd';
import type { Application, Decision } from '../../api';
import { useI18n, type MessageKey } from '../../i18n';
import { formatTime } from '../../lib/format';

const COLOURS: Record<Decision['outcome'], string> = { approved: 'green', rejected: 'red', withdrawn: 'gray', reopened: 'blue' };

function Line({ label, text }: { label: string; text: string | null }) {
  if (!text) return null;
  return (
    <div>
      <Typography.Text type="secondary">{label}：</Typography.Text>
      <span style={{ whiteSpace: 'pre-wrap' }}>{text}</span>
    </div>
  );
}

/** Submitted → each step taken (auto grant, provider, authority, withdrawal) → the step it waits for. */
export function DecisionTimeline({ app }: { app: Application }) {
  const { t } = useI18n();
  const items = [
    {
      color: 'blue',
      content: (
        <div data-testid="timeline-submitted">
          <strong>{t('timeline.submitted')}</strong> · {app.applicant.displayName}（{app.applicant.organisationName}）
          <div style={{ color: 'rgba(0,0,0,0.45)' }}>{formatTime(app.createdAt)}</div>
        </div>
      ),
    },
    ...app.decisions.map((d, i) => ({
      color: COLOURS[d.outcome] ?? 'blue',
      content: (
        <div data-testid={`timeline-decision-${i}`}>
          <strong>
            {t(`timeline.step.${d.step}` as MessageKey)} · {t(`timeline.outcome.${d.outcome}` as MessageKey)}
          </strong>
          {d.actor && ` · ${d.actor.displayName}`}
          <div style={{ color: 'rgba(0,0,0,0.45)' }}>{formatTime(d.at)}</div>
          <Line label={t('decide.comment')} text={d.comment} />
          <Line label={t('decide.reason')} text={d.reason} />
          <Line label={t('decide.legalBasis')} text={d.legalBasis} />
        </div>
      ),
    })),
    ...(app.status === 'pending' || app.status === 'countersigning'
      ? [
          {
            color: 'gray',
            loading: true,
            content: (
              <div data-testid="timeline-waiting">
                {app.status === 'pending' ? t('timeline.waitProvider', { provider: app.providerName }) : t('timeline.waitAuthority')}
                {app.dueDate && <div style={{ color: 'rgba(0,0,0,0.45)' }}>{t('timeline.dueBy', { date: app.dueDate })}</div>}
              </div>
            ),
          },
        ]
      : []),
  ];
  return <Timeline items={items} data-testid="application-timeline" />;
}
