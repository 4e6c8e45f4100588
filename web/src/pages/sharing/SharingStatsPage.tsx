import { useState } from 'react';
import { Alert, Card, Space, Typography } from 'antd';
import { ApiError, shareStatsApi } from '../../api';
import { useCurrentUser } from '../../auth/AuthContext';
import { useI18n } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { LoadError } from '../../components/LoadError';
import { CallStatsView, PeriodSwitch } from '../../components/sharing/CallStats';
import { normaliseOrgStats } from '../../lib/sharing';

/** Gateway calls of the organisation's apps (as consumer) and to its data (as provider), per day and per outcome. */
export default function SharingStatsPage() {
  const { t } = useI18n();
  const user = useCurrentUser();
  const [days, setDays] = useState(30);
  const { data, error, loading, reload } = useAsync(() => shareStatsApi.organisation(days).then(normaliseOrgStats), [days]);
  const unavailable = error instanceof ApiError && error.status === 404;
  return (
    <div data-testid="page-sharing-stats">
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={4} className="ts-page-title">
          {t('menu.sharingStats')}
        </Typography.Title>
        <PeriodSwitch value={days} onChange={setDays} />
      </Space>
      <Typography.Paragraph type="secondary">{t('stats.intro', { org: user.organisation.name })}</Typography.Paragraph>
      {unavailable ? <Alert type="info" showIcon title={t('stats.unavailable')} /> : <LoadError error={error} onRetry={reload} />}
      <Card title={t('stats.asConsumer')} loading={loading && !data} style={{ marginBottom: 16 }}>
        {data && <CallStatsView stats={data.asConsumer} days={days} testId="stats-consumer" />}
      </Card>
      <Card title={t('stats.asProvider')} loading={loading && !data}>
        {data && <CallStatsView stats={data.asProvider} days={days} testId="stats-provider" />}
      </Card>
    </div>
  );
}
