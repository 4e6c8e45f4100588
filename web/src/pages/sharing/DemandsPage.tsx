import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Button, Card, Segmented, Select, Space, Table, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import type { Demand, DemandScope, DemandStatus } from '../../api';
import { DEMAND_STATUSES } from '../../api/types';
import { useCurrentUser } from '../../auth/AuthContext';
import { useI18n } from '../../i18n';
import { usePaging } from '../../hooks/usePaging';
import { useAsync } from '../../hooks/useAsync';
import { LoadError } from '../../components/LoadError';
import { formatTime } from '../../lib/format';
import { rowTestId } from '../../lib/testid';
import { demandApi, DemandStatusTag } from '../../components/sharing/DemandBits';
import { DemandActions } from '../../components/sharing/DemandDialogs';
import { ApplicationDeadline } from '../../components/sharing/SharingBits';

const SCOPE_ROLE = { mine: 'consumer', routing: 'data_authority', assigned: 'provider_approver' } as const;

/**
 * 数据需求: the organisation's own demands (consumer), the authority's routing queue, and the
 * demands routed to the organisation (provider approver) — one list, a scope per role.
 */
export default function DemandsPage() {
  const { t } = useI18n();
  const user = useCurrentUser();
  const navigate = useNavigate();
  const scopes = (['mine', 'routing', 'assigned'] as const).filter((s) => user.roles.includes(SCOPE_ROLE[s]));
  const [scope, setScope] = useState<DemandScope>(scopes[0] ?? 'mine');
  const [status, setStatus] = useState<DemandStatus | undefined>();
  const { page, pageSize, reset, pagination } = usePaging();
  const { data, error, loading, reload } = useAsync(() => demandApi.list({ scope, ...(status ? { status } : {}), page, pageSize }), [scope, status, page, pageSize]);

  const columns: TableColumnsType<Demand> = [
    {
      title: t('demand.titleField'),
      key: 'title',
      width: 260,
      render: (_, d) => (
        <Link to={`/sharing/demands/${d.id}`} data-testid={`demand-open-${d.id}`}>
          {d.title}
        </Link>
      ),
    },
    {
      title: t('demand.requester'),
      key: 'requester',
      width: 200,
      render: (_, d) => (
        <div>
          {d.requester.organisationName}
          <div style={{ color: 'rgba(0,0,0,0.45)' }}>{d.requester.displayName}</div>
        </div>
      ),
    },
    { title: t('demand.provider'), key: 'provider', width: 180, render: (_, d) => d.provider?.name ?? '—' },
    { title: t('demand.status'), key: 'status', width: 110, render: (_, d) => <DemandStatusTag demand={d} testId={`demand-status-${d.id}`} /> },
    { title: t('demand.dueDate'), key: 'due', width: 200, render: (_, d) => <ApplicationDeadline app={d} /> },
    { title: t('demand.createdAt'), dataIndex: 'createdAt', width: 170, render: formatTime },
    { title: t('common.actions'), key: 'actions', width: 200, fixed: 'right', render: (_, d) => <DemandActions demand={d} size="small" onChanged={reload} /> },
  ];

  return (
    <div data-testid="page-sharing-demands">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <Typography.Title level={4} className="ts-page-title" style={{ margin: 0 }}>
          {t('menu.sharingDemands')}
        </Typography.Title>
        {user.roles.includes('consumer') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/sharing/demands/new')} data-testid="demand-new">
            {t('demand.new')}
          </Button>
        )}
      </Space>
      <Card>
        <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
          <Space wrap>
            {scopes.length > 1 && (
              <Segmented<DemandScope>
                value={scope}
                onChange={(v) => {
                  setScope(v);
                  reset();
                }}
                options={scopes.map((s) => ({ value: s, label: t(`demand.scope.${s}`) }))}
                data-testid="demands-scope"
              />
            )}
            <Typography.Text type="secondary">{t(`demand.intro.${scope}`)}</Typography.Text>
          </Space>
          <Space>
            <Select<DemandStatus>
              allowClear
              placeholder={t('application.allStatuses')}
              value={status}
              onChange={(v) => {
                setStatus(v);
                reset();
              }}
              options={DEMAND_STATUSES.map((s) => ({ value: s, label: t(`demand.status.${s}`) }))}
              style={{ width: 140 }}
              data-testid="demands-status"
            />
            <Button icon={<ReloadOutlined />} onClick={reload} data-testid="demands-refresh">
              {t('common.refresh')}
            </Button>
          </Space>
        </Space>
        <LoadError error={error} onRetry={reload} />
        <Table<Demand>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          locale={{ emptyText: t('demand.empty') }}
          onRow={(d) => ({ ...rowTestId(`demand-row-${d.id}`), style: d.deadlineState === 'overdue' ? { background: '#fff1f0' } : undefined })}
          scroll={{ x: 1300 }}
          data-testid="demands-table"
          pagination={pagination(data?.total)}
        />
      </Card>
    </div>
  );
}
