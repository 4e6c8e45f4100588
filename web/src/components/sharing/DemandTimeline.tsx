import { Timeline, Typography } from 'antd';
import type { Demand, DemandStep } from '../../api';
import { useI18n } from '../../i18n';
import { formatTime } from '../../lib/format';
import { labelOr } from './DemandBits';

const COLOURS: Record<DemandStep['step'], string> = { submitted: 'blue', routed: 'blue', answered: 'green', withdrawn: 'gray', reminded: 'orange', escalated: 'red' };

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function Line({ label, text }: { label: string; text: string | null }) {
  if (!text) return null;
  return (
    <div>
      <Typography.Text type="secondary">{label}：</Typography.Text>
      <span style={{ whiteSpace: 'pre-wrap' }}>{text}</span>
    </div>
  );
}

/** Every step of a demand, oldest first, then the one it waits for. */
export function DemandTimeline({ demand }: { demand: Demand }) {
  const { t } = useI18n();
  const steps = demand.timeline ?? [];
  const items = [
    ...steps.map((s, i) => {
      const d = s.details;
      return {
        color: COLOURS[s.step] ?? 'blue',
        content: (
          <div data-testid={`demand-step-${i}`} data-step={s.step}>
            <strong>{labelOr(t, `demand.step.${s.step}`, s.step)}</strong>
            {s.actor && ` · ${s.actor.displayName}`}
            {s.organisationName && `（${s.organisationName}）`}
            <div style={{ color: 'rgba(0,0,0,0.45)' }}>{formatTime(s.at)}</div>
            {s.step === 'routed' && <Line label={t('demand.provider')} text={str(d.providerName)} />}
            {s.step === 'routed' && <Line label={t('demand.dueDate')} text={str(d.dueDate)} />}
            {s.step === 'answered' && <Line label={t('demand.answer.kind')} text={labelOr(t, `demand.answer.kind.${String(d.kind)}`, String(d.kind))} />}
            {s.step === 'answered' && <Line label={t('demand.answer.catalog')} text={str(d.catalogName) && `${String(d.catalogName)}（${String(d.catalogCode)}）`} />}
            {s.step === 'answered' && <Line label={t('demand.answer.plannedDate')} text={str(d.plannedDate)} />}
            {s.step === 'escalated' && <Line label={t('demand.provider')} text={str(d.providerName)} />}
            <Line label={t('decide.comment')} text={str(d.comment)} />
            <Line label={t('decide.reason')} text={str(d.reason)} />
          </div>
        ),
      };
    }),
    ...(demand.status === 'submitted' || demand.status === 'routed' || (demand.status === 'answered' && demand.answer?.kind === 'not_held')
      ? [
          {
            color: 'gray',
            loading: true,
            content: (
              <div data-testid="demand-waiting">
                {demand.status === 'routed' ? t('demand.waitProvider', { provider: demand.provider?.name ?? '' }) : t('demand.waitAuthority')}
                {demand.dueDate && <div style={{ color: 'rgba(0,0,0,0.45)' }}>{t('timeline.dueBy', { date: demand.dueDate })}</div>}
              </div>
            ),
          },
        ]
      : []),
  ];
  return <Timeline items={items} data-testid="demand-timeline" />;
}
