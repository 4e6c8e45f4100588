import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { Button, Card, Select, Space, Table, Tabs, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import type { ExportStatus, ShareExport } from '../../api';
// A value of types.ts that api/index.ts does not re-export (it lists its values by name).
import { EXPORT_STATUSES } from '../../api/types';
import { useAuth } from '../../auth/AuthContext';
import { useI18n } from '../../i18n';
import { usePaging } from '../../hooks/usePaging';
import { useAsync } from '../../hooks/useAsync';
import { useFeedback } from '../../hooks/useFeedback';
import { LoadError } from '../../components/LoadError';
import { ExportDownloadButton, ExportStatusTag, exportApi, NewExportDialog } from '../../components/sharing/ExportBits';
import { formatBytes, formatTime, shortHash } from '../../lib/format';
import { rowTestId } from '../../lib/testid';

type Side = 'consumer' | 'provider';
/** While an export is queued or running the list looks again this often. */
const POLL_MS = 2000;

function ExportTable({ side, reloadKey }: { side: Side; reloadKey: number }) {
  const { t } = useI18n();
  const [status, setStatus] = useState<ExportStatus | undefined>();
  const { page, pageSize, reset, pagination } = usePaging();
  const { data, error, loading, reload } = useAsync(() => exportApi.list({ as: side, ...(status ? { status } : {}), page, pageSize }), [side, status, page, pageSize, reloadKey]);
  const busy = (data?.items ?? []).some((e) => e.status === 'queued' || e.status === 'running');
  useEffect(() => {
    if (!busy) return;
    const timer = window.setTimeout(reload, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [busy, data, reload]);

  const columns: TableColumnsType<ShareExport> = [
    {
      title: t('application.entry'),
      key: 'entry',
      width: 260,
      render: (_, e) => (
        <div>
          <Link to={`/sharing/grants/${e.grantId}`}>{e.catalog.name}</Link>
          <div className="mono" style={{ color: 'rgba(0,0,0,0.45)' }}>{e.catalog.code}</div>
        </div>
      ),
    },
    side === 'consumer'
      ? { title: t('application.provider'), key: 'provider', width: 160, render: (_, e) => e.providerName }
      : { title: t('grant.consumer'), key: 'consumer', width: 160, render: (_, e) => e.consumerName },
    { title: t('export.requestedBy'), key: 'by', width: 110, render: (_, e) => e.requestedBy.displayName },
    { title: t('export.format'), dataIndex: 'format', width: 80, render: (v: string) => <Tag>{v.toUpperCase()}</Tag> },
    { title: t('export.statusLabel'), key: 'status', width: 100, render: (_, e) => <ExportStatusTag exp={e} testId={`export-status-${e.id}`} /> },
    { title: t('export.rows'), dataIndex: 'rows', width: 90, render: (v: number | null) => (v === null ? '—' : <span data-testid="export-rows">{v}</span>) },
    { title: t('export.size'), dataIndex: 'size', width: 100, render: (v: number | null) => formatBytes(v) },
    {
      title: 'SM3',
      dataIndex: 'sm3',
      width: 150,
      render: (v: string | null) =>
        v ? (
          <Tooltip title={<span className="mono">{v}</span>}>
            <span className="mono">{shortHash(v, 8)}</span>
          </Tooltip>
        ) : (
          '—'
        ),
    },
    { title: t('export.createdAt'), dataIndex: 'createdAt', width: 170, render: formatTime },
    { title: t('export.expiresAt'), dataIndex: 'expiresAt', width: 170, render: formatTime },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 150,
      fixed: 'right',
      render: (_, e) => (
        <Space direction="vertical" size={2}>
          <ExportDownloadButton exp={e} onDone={reload} />
          {e.downloads > 0 && <Typography.Text type="secondary">{t('export.downloads', { n: e.downloads })}</Typography.Text>}
        </Space>
      ),
    },
  ];
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <Select<ExportStatus>
          allowClear
          placeholder={t('grant.allStatuses')}
          value={status}
          onChange={(v) => {
            setStatus(v);
            reset();
          }}
          options={EXPORT_STATUSES.map((s) => ({ value: s, label: t(`export.status.${s}`) }))}
          style={{ width: 140 }}
        />
        <Button icon={<ReloadOutlined />} onClick={reload}>
          {t('common.refresh')}
        </Button>
      </Space>
      <LoadError error={error} onRetry={reload} />
      <Table<ShareExport>
        rowKey="id"
        size="middle"
        loading={loading && !data}
        columns={columns}
        dataSource={data?.items ?? []}
        locale={{ emptyText: t('export.empty') }}
        onRow={(e) => rowTestId(`export-row-${e.id}`)}
        scroll={{ x: 1500 }}
        data-testid={`exports-table-${side}`}
        pagination={pagination(data?.total)}
      />
    </>
  );
}

/**
 * 数据导出 (file sharing): a consumer's exports of granted data with their status, size and SM3, and
 * the download button (a one-time link); the provider and its authority see the exports of their data.
 * `?grantId=` opens the new-export dialog for that grant (the grant page links here).
 */
export default function ExportsPage() {
  const { t } = useI18n();
  const { hasRole } = useAuth();
  const { ok } = useFeedback();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const fromGrant = params.get('grantId') ?? undefined;
  const consumer = hasRole('consumer');
  const [dialog, setDialog] = useState(consumer && fromGrant !== undefined);
  const [reloadKey, setReloadKey] = useState(0);
  const sides: Side[] = [...(consumer ? (['consumer'] as const) : []), ...(hasRole('provider_approver', 'data_authority') ? (['provider'] as const) : [])];
  const close = () => {
    setDialog(false);
    if (fromGrant) navigate('/sharing/exports', { replace: true });
  };
  return (
    <div data-testid="page-sharing-exports">
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={4} className="ts-page-title">
          {t('menu.sharingExports')}
        </Typography.Title>
        {consumer && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog(true)} data-testid="export-new">
            {t('export.new')}
          </Button>
        )}
      </Space>
      <Card>
        <Typography.Paragraph type="secondary">{t('export.intro')}</Typography.Paragraph>
        <Tabs
          destroyOnHidden
          items={sides.map((s) => ({
            key: s,
            label: <span data-testid={`exports-tab-${s}`}>{s === 'consumer' ? t('export.asConsumer') : hasRole('provider_approver') ? t('export.asProvider') : t('export.asAuthority')}</span>,
            children: <ExportTable side={s} reloadKey={reloadKey} />,
          }))}
        />
      </Card>
      {dialog && (
        <NewExportDialog
          grantId={fromGrant}
          onClose={close}
          onDone={() => {
            close();
            setReloadKey((k) => k + 1);
            ok(t('export.queued'));
          }}
        />
      )}
    </div>
  );
}
