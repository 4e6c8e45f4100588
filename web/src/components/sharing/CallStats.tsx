import { useMemo } from 'react';
import { Col, Empty, Row, Segmented, Statistic } from 'antd';
import type { CallStats } from '../../api';
import { useI18n } from '../../i18n';
import { EChart, type ChartOption } from '../charts/EChart';
import { fillDays, totals } from '../../lib/sharing';

export const STATS_PERIODS = [7, 30, 90] as const;

export function PeriodSwitch({ value, onChange }: { value: number; onChange: (days: number) => void }) {
  const { t } = useI18n();
  return (
    <Segmented<number>
      value={value}
      onChange={onChange}
      options={STATS_PERIODS.map((d) => ({ value: d, label: t('stats.lastDays', { n: d }) }))}
      data-testid="stats-period"
    />
  );
}

/** Totals, calls per day (allowed and refused, stacked, rows returned as a line) and calls per outcome. */
export function CallStatsView({ stats, days, testId }: { stats: CallStats; days: number; testId: string }) {
  const { t } = useI18n();
  const filled = useMemo(() => fillDays(stats.days, days), [stats, days]);
  const sum = totals(filled);

  const daily = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('stats.ok'), t('stats.refused'), t('stats.rows')] },
      grid: { left: 48, right: 56, top: 56, bottom: 32 },
      xAxis: { type: 'category', data: filled.map((d) => d.day.slice(5)) },
      yAxis: [
        { type: 'value', name: t('stats.calls'), minInterval: 1 },
        { type: 'value', name: t('stats.rows'), minInterval: 1, splitLine: { show: false } },
      ],
      series: [
        { name: t('stats.ok'), type: 'bar', stack: 'calls', data: filled.map((d) => d.ok), itemStyle: { color: '#52c41a' } },
        { name: t('stats.refused'), type: 'bar', stack: 'calls', data: filled.map((d) => d.refused), itemStyle: { color: '#ff4d4f' } },
        { name: t('stats.rows'), type: 'line', yAxisIndex: 1, showSymbol: false, data: filled.map((d) => d.rows), itemStyle: { color: '#1f4e99' } },
      ],
    }),
    [filled, t],
  );

  const outcomes = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'item' },
      legend: { type: 'scroll', bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['40%', '68%'],
          top: 0,
          bottom: 40,
          // Error codes are long: the legend and the tooltip name them, not labels around the ring.
          label: { show: false },
          data: stats.byOutcome.map((o) => ({ name: o.outcome === 'ok' ? t('stats.ok') : o.outcome, value: o.calls })),
        },
      ],
    }),
    [stats, t],
  );

  return (
    <div data-testid={testId}>
      <Row gutter={16} style={{ marginBottom: 8 }}>
        {(['calls', 'ok', 'refused', 'rows'] as const).map((k) => (
          <Col key={k} xs={12} md={6}>
            <Statistic
              title={t(`stats.${k}`)}
              value={sum[k]}
              styles={k === 'refused' && sum[k] > 0 ? { content: { color: '#cf1322' } } : undefined}
              data-testid={`${testId}-${k}`}
            />
          </Col>
        ))}
      </Row>
      {sum.calls === 0 ? (
        <Empty description={t('stats.none')} data-testid={`${testId}-empty`} />
      ) : (
        <Row gutter={16}>
          <Col xs={24} lg={16}>
            <EChart option={daily} testId={`${testId}-daily`} />
          </Col>
          <Col xs={24} lg={8}>
            <EChart option={outcomes} testId={`${testId}-outcomes`} />
          </Col>
        </Row>
      )}
    </div>
  );
}
