import { useState } from 'react';
import { Alert, Card, Col, Row, Segmented, Statistic, Tabs, Typography } from 'antd';
import { ApiError, catalogApi, type DeadlineScope, type DeadlineStateFilter } from '../../api';
import { useAuth } from '../../auth/AuthContext';
import { useI18n } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { LoadError } from '../../components/LoadError';
import { DeadlineTable } from '../../components/catalog/DeadlineTable';

type Tab = 'all' | DeadlineStateFilter;
const TABS: Tab[] = ['all', 'open', 'due_soon', 'overdue', 'closed'];

export default function CatalogDeadlinesPage() {
  const { t } = useI18n();
  const { hasRole } = useAuth();
  const isEditor = hasRole('catalog_editor');
  const isAuthority = hasRole('data_authority');
  const [scope, setScope] = useState<DeadlineScope>(isEditor ? 'mine' : 'authority');
  const [tab, setTab] = useState<Tab>('all');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const { data, error, loading, reload } = useAsync(
    () => catalogApi.deadlines({ scope, ...(tab === 'all' ? {} : { state: tab }), page, pageSize }),
    [scope, tab, page, pageSize],
  );
  const unavailable = error instanceof ApiError && error.status === 404 && !data;

  return (
    <div data-testid="page-catalog-deadlines">
      <Typography.Title level={4} className="ts-page-title">
        {t('menu.catalogDeadlines')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('deadlines.intro')}</Typography.Paragraph>
      {isEditor && isAuthority && (
        <Segmented<DeadlineScope>
          style={{ marginBottom: 16 }}
          value={scope}
          onChange={(v) => {
            setScope(v);
            setPage(1);
          }}
          options={[
            { value: 'mine', label: t('deadlines.scope.mine') },
            { value: 'authority', label: t('deadlines.scope.authority') },
          ]}
        />
      )}
      {unavailable ? (
        <Alert type="info" showIcon title={t('deadlines.unavailable')} data-testid="deadlines-unavailable" />
      ) : (
        <>
          <Row gutter={16} style={{ marginBottom: 16 }}>
            <Col xs={8}>
              <Card size="small">
                <Statistic title={t('deadlines.summary.open')} value={data?.summary.open ?? 0} data-testid="deadlines-summary-open" />
              </Card>
            </Col>
            <Col xs={8}>
              <Card size="small">
                <Statistic title={t('deadlines.summary.dueSoon')} value={data?.summary.dueSoon ?? 0} styles={{ content: { color: '#d48806' } }} data-testid="deadlines-summary-dueSoon" />
              </Card>
            </Col>
            <Col xs={8}>
              <Card size="small">
                <Statistic title={t('deadlines.summary.overdue')} value={data?.summary.overdue ?? 0} styles={{ content: { color: '#cf1322' } }} data-testid="deadlines-summary-overdue" />
              </Card>
            </Col>
          </Row>
          <Card>
            <Tabs
              activeKey={tab}
              onChange={(k) => {
                setTab(k as Tab);
                setPage(1);
              }}
              items={TABS.map((k) => ({ key: k, label: <span data-testid={`deadlines-tab-${k}`}>{t(`deadlines.tab.${k}`)}</span> }))}
            />
            <LoadError error={error} onRetry={reload} />
            <DeadlineTable
              items={data?.items ?? []}
              loading={loading}
              pagination={{
                current: page,
                pageSize,
                total: data?.total ?? 0,
                showSizeChanger: true,
                showTotal: (n) => t('common.total', { total: n }),
                onChange: (p, s) => {
                  setPage(s === pageSize ? p : 1);
                  setPageSize(s);
                },
              }}
            />
          </Card>
        </>
      )}
    </div>
  );
}
