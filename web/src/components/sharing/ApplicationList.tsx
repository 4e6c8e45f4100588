import { useState } from 'react';
import { Link } from 'react-router-dom';
import { Button, Card, Select, Space, Table, Typography, type TableColumnsType } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { APPLICATION_STATUSES, sharingApi, type Application, type ApplicationScope, type ApplicationStatus } from '../../api';
import { useI18n, type MessageKey } from '../../i18n';
import { usePaging } from '../../hooks/usePaging';
import { useAsync } from '../../hooks/useAsync';
import { LoadError } from '../LoadError';
import { formatTime } from '../../lib/format';
import { rowTestId } from '../../lib/testid';
import { ApplicationActions } from './ApplicationActions';
import { ApplicationDeadline, ApplicationStatusTag, MethodTags } from './SharingBits';

const TEXT: Record<ApplicationScope, { title: MessageKey; intro: MessageKey; empty: MessageKey }> = {
  mine: { title: 'menu.sharingMine', intro: 'applications.introMine', empty: 'applications.emptyMine' },
  approval: { title: 'menu.sharingApprovals', intro: 'applications.introApproval', empty: 'applications.emptyApproval' },
  countersign: { title: 'menu.sharingCountersign', intro: 'applications.introCountersign', empty: 'applications.emptyCountersign' },
};

/**
 * 我的申请 (mine), 审批 (approval: the organisation's entries, oldest due first) and 会签
 * (countersign: the authority's) — one list, three scopes.
 */
export function ApplicationListPage({ scope }: { scope: ApplicationScope }) {
  const { t } = useI18n();
  const [status, setStatus] = useState<ApplicationStatus | undefined>();
  const { page, pageSize, reset, pagination } = usePaging();
  const { data, error, loading, reload } = useAsync(
    () => sharingApi.list({ scope, ...(status ? { status } : {}), page, pageSize }),
    [scope, status, page, pageSize],
  );
  const text = TEXT[scope];

  const columns: TableColumnsType<Application> = [
    {
      title: t('application.entry'),
      key: 'entry',
      width: 280,
      render: (_, a) => (
        <div>
          <Link to={`/sharing/applications/${a.id}`} data-testid={`application-open-${a.id}`}>
            {a.catalog.name}
          </Link>
          <div className="mono" style={{ color: 'rgba(0,0,0,0.45)' }}>{a.catalog.code}</div>
        </div>
      ),
    },
    scope === 'mine'
      ? { title: t('application.provider'), key: 'provider', width: 180, render: (_, a) => a.providerName }
      : {
          title: t('application.applicant'),
          key: 'applicant',
          width: 200,
          render: (_, a) => (
            <div>
              {a.applicant.organisationName}
              <div style={{ color: 'rgba(0,0,0,0.45)' }}>{a.applicant.displayName}</div>
            </div>
          ),
        },
    ...(scope === 'countersign' ? [{ title: t('application.provider'), key: 'provider', width: 180, render: (_: unknown, a: Application) => a.providerName }] : []),
    { title: t('application.items'), key: 'items', width: 90, render: (_, a) => t('application.itemsN', { n: a.items.length }) },
    { title: t('application.methods'), key: 'methods', width: 170, render: (_, a) => <MethodTags methods={a.methods} /> },
    { title: t('application.status'), dataIndex: 'status', width: 100, render: (v: ApplicationStatus, a) => <ApplicationStatusTag status={v} testId={`application-status-${a.id}`} /> },
    { title: t('application.dueDate'), key: 'due', width: 200, render: (_, a) => <ApplicationDeadline app={a} /> },
    { title: t('application.createdAt'), dataIndex: 'createdAt', width: 170, render: formatTime },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 190,
      fixed: 'right',
      render: (_, a) => <ApplicationActions app={a} size="small" onChanged={reload} />,
    },
  ];

  return (
    <div data-testid={`page-sharing-${scope}`}>
      <Typography.Title level={4} className="ts-page-title">
        {t(text.title)}
      </Typography.Title>
      <Card>
        <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
          <Typography.Text type="secondary">{t(text.intro)}</Typography.Text>
          <Space>
            {scope === 'mine' && (
              <Select<ApplicationStatus>
                allowClear
                placeholder={t('application.allStatuses')}
                value={status}
                onChange={(v) => {
                  setStatus(v);
                  reset();
                }}
                options={APPLICATION_STATUSES.map((s) => ({ value: s, label: t(`application.status.${s}`) }))}
                style={{ width: 140 }}
                data-testid="applications-status"
              />
            )}
            <Button icon={<ReloadOutlined />} onClick={reload} data-testid="applications-refresh">
              {t('common.refresh')}
            </Button>
          </Space>
        </Space>
        <LoadError error={error} onRetry={reload} />
        <Table<Application>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          locale={{ emptyText: t(text.empty) }}
          onRow={(a) => ({ ...rowTestId(`application-row-${a.id}`), style: a.deadlineState === 'overdue' ? { background: '#fff1f0' } : undefined })}
          scroll={{ x: 1400 }}
          data-testid="applications-table"
          pagination={pagination(data?.total)}
        />
      </Card>
    </div>
  );
}
