import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Button, Card, Segmented, Select, Space, Table, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import type { Objection, ObjectionKind, ObjectionScope, ObjectionStatus } from '../../api';
import { OBJECTION_STATUSES } from '../../api/types';
import { useCurrentUser } from '../../auth/AuthContext';
import { useI18n } from '../../i18n';
import { usePaging } from '../../hooks/usePaging';
import { useAsync } from '../../hooks/useAsync';
import { LoadError } from '../../components/LoadError';
import { formatTime } from '../../lib/format';
import { rowTestId } from '../../lib/testid';
import { objectionApi, ObjectionKindTag, ObjectionOutcomeTag, ObjectionStatusTag } from '../../components/sharing/ObjectionBits';
import { ObjectionActions } from '../../components/sharing/ObjectionDialogs';
import { ApplicationDeadline } from '../../components/sharing/SharingBits';

/** 异议: those the organisation filed (consumer), those about its data (provider approver), and those its authority arbitrates (data authority). */
export default function ObjectionsPage() {
  const { t } = useI18n();
  const user = useCurrentUser();
  const navigate = useNavigate();
  const roleOf = { mine: 'consumer', assigned: 'provider_approver', arbitration: 'data_authority' } as const;
  const scopes = (['mine', 'assigned', 'arbitration'] as const).filter((s) => user.roles.includes(roleOf[s]));
  const [scope, setScope] = useState<ObjectionScope>(scopes[0] ?? 'mine');
  const [status, setStatus] = useState<ObjectionStatus | undefined>();
  const [kind, setKind] = useState<ObjectionKind | undefined>();
  const { page, pageSize, reset, pagination } = usePaging();
  const { data, error, loading, reload } = useAsync(
    () => objectionApi.list({ scope, ...(status ? { status } : {}), ...(kind ? { kind } : {}), page, pageSize }),
    [scope, status, kind, page, pageSize],
  );

  const columns: TableColumnsType<Objection> = [
    {
      title: t('objection.subject'),
      key: 'subject',
      width: 260,
      render: (_, o) => (
        <div>
          <Link to={`/sharing/objections/${o.id}`} data-testid={`objection-open-${o.id}`}>
            {o.catalog.name}
          </Link>
          <div className="mono" style={{ color: 'rgba(0,0,0,0.45)' }}>{o.catalog.code}</div>
        </div>
      ),
    },
    { title: t('objection.kind'), key: 'kind', width: 110, render: (_, o) => <ObjectionKindTag kind={o.kind} /> },
    {
      title: t('objection.objector'),
      key: 'objector',
      width: 200,
      render: (_, o) => (
        <div>
          {o.objector.organisationName}
          <div style={{ color: 'rgba(0,0,0,0.45)' }}>{o.objector.displayName}</div>
        </div>
      ),
    },
    { title: t('objection.provider'), key: 'provider', width: 180, render: (_, o) => o.providerName },
    {
      title: t('objection.status'),
      key: 'status',
      width: 170,
      render: (_, o) => (
        <Space size={4}>
          <ObjectionStatusTag status={o.status} testId={`objection-status-${o.id}`} />
          {o.outcome && <ObjectionOutcomeTag outcome={o.outcome} />}
        </Space>
      ),
    },
    { title: t('objection.dueDate'), key: 'due', width: 200, render: (_, o) => <ApplicationDeadline app={o} /> },
    { title: t('objection.createdAt'), dataIndex: 'createdAt', width: 170, render: formatTime },
    { title: t('common.actions'), key: 'actions', width: 140, fixed: 'right', render: (_, o) => <ObjectionActions objection={o} size="small" onChanged={reload} /> },
  ];

  return (
    <div data-testid="page-sharing-objections">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <Typography.Title level={4} className="ts-page-title" style={{ margin: 0 }}>
          {t('menu.sharingObjections')}
        </Typography.Title>
        {user.roles.includes('consumer') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/sharing/objections/new')} data-testid="objection-new">
            {t('objection.new')}
          </Button>
        )}
      </Space>
      <Card>
        <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
          <Space wrap>
            {scopes.length > 1 && (
              <Segmented<ObjectionScope>
                value={scope}
                onChange={(v) => {
                  setScope(v);
                  reset();
                }}
                options={scopes.map((s) => ({ value: s, label: t(`objection.scope.${s}`) }))}
                data-testid="objections-scope"
              />
            )}
            <Typography.Text type="secondary">{t(`objection.intro.${scope}`)}</Typography.Text>
          </Space>
          <Space>
            <Select<ObjectionKind>
              allowClear
              placeholder={t('objection.allKinds')}
              value={kind}
              onChange={(v) => {
                setKind(v);
                reset();
              }}
              options={(['data', 'refusal'] as const).map((k) => ({ value: k, label: t(`objection.kind.${k}`) }))}
              style={{ width: 140 }}
              data-testid="objections-kind"
            />
            <Select<ObjectionStatus>
              allowClear
              placeholder={t('application.allStatuses')}
              value={status}
              onChange={(v) => {
                setStatus(v);
                reset();
              }}
              options={OBJECTION_STATUSES.map((s) => ({ value: s, label: t(`objection.status.${s}`) }))}
              style={{ width: 140 }}
              data-testid="objections-status"
            />
            <Button icon={<ReloadOutlined />} onClick={reload} data-testid="objections-refresh">
              {t('common.refresh')}
            </Button>
          </Space>
        </Space>
        <LoadError error={error} onRetry={reload} />
        <Table<Objection>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          locale={{ emptyText: t('objection.empty') }}
          onRow={(o) => ({ ...rowTestId(`objection-row-${o.id}`), style: o.deadlineState === 'overdue' ? { background: '#fff1f0' } : undefined })}
          scroll={{ x: 1400 }}
          data-testid="objections-table"
          pagination={pagination(data?.total)}
        />
      </Card>
    </div>
  );
}
