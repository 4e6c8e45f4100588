import { useState } from 'react';
import { Link } from 'react-router-dom';
import { Button, Card, Input, Select, Space, Table, Tabs, Typography, type TableColumnsType } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { GRANT_STATUSES, grantApi, type Grant, type GrantStatus } from '../../api';
import { useAuth } from '../../auth/AuthContext';
import { useI18n } from '../../i18n';
import { usePaging } from '../../hooks/usePaging';
import { useAsync } from '../../hooks/useAsync';
import { LoadError } from '../../components/LoadError';
import { GrantStatusTag, MethodTags } from '../../components/sharing/SharingBits';
import { formatTime } from '../../lib/format';
import { rowTestId } from '../../lib/testid';

type Side = 'consumer' | 'provider';

function GrantTable({ side }: { side: Side }) {
  const { t } = useI18n();
  const [status, setStatus] = useState<GrantStatus | undefined>();
  const [code, setCode] = useState('');
  const { page, pageSize, reset, pagination } = usePaging();
  const { data, error, loading, reload } = useAsync(
    () => grantApi.list({ as: side, ...(status ? { status } : {}), ...(code ? { catalogCode: code } : {}), page, pageSize }),
    [side, status, code, page, pageSize],
  );
  const columns: TableColumnsType<Grant> = [
    {
      title: t('application.entry'),
      key: 'entry',
      width: 280,
      render: (_, g) => (
        <div>
          <Link to={`/sharing/grants/${g.id}`} data-testid={`grant-open-${g.id}`}>
            {g.catalog.name}
          </Link>
          <div className="mono" style={{ color: 'rgba(0,0,0,0.45)' }}>{g.catalog.code}</div>
        </div>
      ),
    },
    side === 'consumer'
      ? { title: t('application.provider'), key: 'provider', width: 180, render: (_, g) => g.providerName }
      : { title: t('grant.consumer'), key: 'consumer', width: 180, render: (_, g) => g.consumerName },
    { title: t('application.items'), key: 'items', width: 90, render: (_, g) => t('application.itemsN', { n: g.items.length }) },
    { title: t('application.methods'), key: 'methods', width: 170, render: (_, g) => <MethodTags methods={g.methods} /> },
    { title: t('grant.statusLabel'), dataIndex: 'status', width: 90, render: (v: GrantStatus, g) => <GrantStatusTag status={v} testId={`grant-status-${g.id}`} /> },
    { title: t('grant.expiresAt'), dataIndex: 'expiresAt', width: 170, render: formatTime },
    { title: t('grant.createdAt'), dataIndex: 'createdAt', width: 170, render: formatTime },
  ];
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <Space wrap>
          <Select<GrantStatus>
            allowClear
            placeholder={t('grant.allStatuses')}
            value={status}
            onChange={(v) => {
              setStatus(v);
              reset();
            }}
            options={GRANT_STATUSES.map((s) => ({ value: s, label: t(`grant.status.${s}`) }))}
            style={{ width: 140 }}
            data-testid={`grants-status-${side}`}
          />
          <Input.Search
            allowClear
            placeholder={t('grant.searchCode')}
            onSearch={(v) => {
              setCode(v.trim());
              reset();
            }}
            style={{ width: 260 }}
          />
        </Space>
        <Button icon={<ReloadOutlined />} onClick={reload}>
          {t('common.refresh')}
        </Button>
      </Space>
      <LoadError error={error} onRetry={reload} />
      <Table<Grant>
        rowKey="id"
        size="middle"
        loading={loading}
        columns={columns}
        dataSource={data?.items ?? []}
        locale={{ emptyText: side === 'consumer' ? t('grant.emptyConsumer') : t('grant.emptyProvider') }}
        onRow={(g) => rowTestId(`grant-row-${g.id}`)}
        scroll={{ x: 1200 }}
        data-testid={`grants-table-${side}`}
        pagination={pagination(data?.total)}
      />
    </>
  );
}

/** The organisation's grants as consumer (used) and as provider (given); the authority sees its providers'. */
export default function GrantsPage() {
  const { t } = useI18n();
  const { hasRole } = useAuth();
  const sides: Side[] = [...(hasRole('consumer') ? (['consumer'] as const) : []), ...(hasRole('provider_approver', 'data_authority') ? (['provider'] as const) : [])];
  return (
    <div data-testid="page-sharing-grants">
      <Typography.Title level={4} className="ts-page-title">
        {t('menu.sharingGrants')}
      </Typography.Title>
      <Card>
        <Typography.Paragraph type="secondary">{t('grant.intro')}</Typography.Paragraph>
        <Tabs
          destroyOnHidden
          items={sides.map((s) => ({
            key: s,
            label: <span data-testid={`grants-tab-${s}`}>{s === 'consumer' ? t('grant.asConsumer') : hasRole('provider_approver') ? t('grant.asProvider') : t('grant.asAuthority')}</span>,
            children: <GrantTable side={s} />,
          }))}
        />
      </Card>
    </div>
  );
}
