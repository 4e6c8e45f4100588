import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Radio,
  Select,
  Space,
  Steps,
  Table,
  Tabs,
  Tag,
  Typography,
  Upload,
  type TableColumnsType,
} from 'antd';
import { CheckCircleOutlined, CloudUploadOutlined, InboxOutlined, ReloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { ApiError, resourceApi, type LoadMode, type LoadRecord, type LoadResult, type LoadRowProblem, type Resource } from '../../api';
import { useAuth, useCurrentUser } from '../../auth/AuthContext';
import { useI18n } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { useFeedback } from '../../hooks/useFeedback';
import { LoadError } from '../../components/LoadError';
import { PageSpinner } from '../../components/PageSpinner';
import { fieldValue } from '../../components/catalog/CatalogBits';
import { LoadCounts, LoadErrorsTable, LoadStatusTag, RecordsTable, ResourceColumnsTable } from '../../components/resources/ResourceBits';
import { ApiConfigCard, InvokePanel } from '../../components/resources/ApiResource';
import { FileVersionsPanel } from '../../components/resources/FileResource';
import { ConnectorsPanel } from '../../components/resources/Connectors';
import { formatBytes, formatTime, shortHash } from '../../lib/format';
import { buttonTestId, rowTestId } from '../../lib/testid';

type Charset = 'auto' | 'utf-8' | 'gbk';

/** A load refused as a whole (422 LOAD_TOO_MANY_ERRORS): the message and the rows listed in error.details. */
interface Refused {
  message: string;
  errors: LoadRowProblem[];
}

function refusedOf(e: unknown, errorText: (e: unknown) => string): Refused | null {
  if (!(e instanceof ApiError) || e.code !== 'LOAD_TOO_MANY_ERRORS') return null;
  return { message: errorText(e), errors: Array.isArray(e.details) ? (e.details as LoadRowProblem[]) : [] };
}

function Report({ result, refused, testId }: { result: LoadResult | null; refused: Refused | null; testId: string }) {
  const { t } = useI18n();
  if (refused) {
    return (
      <div data-testid={testId}>
        <Alert type="error" showIcon title={t('upload.tooMany')} description={refused.message} style={{ marginBottom: 16 }} data-testid={`${testId}-too-many`} />
        {refused.errors.length > 0 && <LoadErrorsTable errors={refused.errors} testId={`${testId}-errors`} />}
      </div>
    );
  }
  if (!result) return null;
  const n = result.rejected;
  const status = result.dryRun
    ? n > 0
      ? { type: 'warning' as const, title: t('upload.checkFailed', { n }) }
      : { type: 'success' as const, title: t('upload.checkOk') }
    : result.status === 'succeeded'
      ? n > 0
        ? { type: 'warning' as const, title: t('upload.loadPartial', { n }) }
        : { type: 'success' as const, title: t('upload.loadOk') }
      : { type: 'error' as const, title: <LoadStatusTag status={result.status} /> };
  return (
    <div data-testid={testId}>
      <Alert type={status.type} showIcon title={status.title} style={{ marginBottom: 16 }} data-testid={`${testId}-status`} />
      <Descriptions
        size="small"
        column={{ xs: 1, md: 3 }}
        style={{ marginBottom: 16 }}
        items={[
          { key: 'format', label: t('upload.format'), children: <span className="mono">{result.format}</span> },
          { key: 'encoding', label: t('upload.encoding'), children: <span className="mono" data-testid={`${testId}-encoding`}>{result.encoding ?? '—'}</span> },
          { key: 'status', label: t('load.status'), children: <LoadStatusTag status={result.status} /> },
        ]}
      />
      <LoadCounts counts={result} dryRun={result.dryRun} testId={`${testId}-counts`} />
      {result.preview && result.preview.header.length > 0 && (
        <>
          <Typography.Title level={5}>{t('upload.preview')}</Typography.Title>
          <Table<string[]>
            rowKey={(_, i) => String(i)}
            size="small"
            pagination={false}
            dataSource={result.preview.rows}
            scroll={{ x: Math.max(600, result.preview.header.length * 140) }}
            style={{ marginBottom: 16 }}
            data-testid={`${testId}-preview`}
            columns={result.preview.header.map((h, i) => ({ key: String(i), title: h, ellipsis: true, render: (_: unknown, row: string[]) => row[i] ?? '' }))}
          />
        </>
      )}
      {result.errors.length > 0 && (
        <>
          <Typography.Title level={5}>{t('upload.report')}</Typography.Title>
          {result.errorsTruncated && <Alert type="info" showIcon title={t('upload.truncated', { n: result.errors.length })} style={{ marginBottom: 12 }} />}
          <LoadErrorsTable errors={result.errors} testId={`${testId}-errors`} />
        </>
      )}
    </div>
  );
}

function UploadWizard({ resource, onLoaded }: { resource: Resource; onLoaded: () => void }) {
  const { t } = useI18n();
  const { modal } = App.useApp();
  const { errorText } = useFeedback();
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<LoadMode>('upsert');
  const [charset, setCharset] = useState<Charset>('auto');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [check, setCheck] = useState<{ result: LoadResult | null; refused: Refused | null } | null>(null);
  const [loaded, setLoaded] = useState<{ result: LoadResult | null; refused: Refused | null } | null>(null);

  const step = loaded ? 2 : check ? 1 : 0;
  const reset = () => {
    setCheck(null);
    setLoaded(null);
    setError(null);
  };

  const run = async (dryRun: boolean) => {
    if (!file) {
      setError(t('upload.noFile'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await resourceApi.load(resource.id, file, { mode, dryRun, ...(charset !== 'auto' ? { charset } : {}) });
      if (dryRun) setCheck({ result, refused: null });
      else {
        setLoaded({ result, refused: null });
        onLoaded();
      }
    } catch (e) {
      const refused = refusedOf(e, errorText);
      if (!refused) setError(errorText(e));
      else if (dryRun) setCheck({ result: null, refused });
      else setLoaded({ result: null, refused });
    } finally {
      setBusy(false);
    }
  };

  const load = () => {
    if (mode !== 'replace') return void run(false);
    modal.confirm({
      title: t('upload.replaceConfirm'),
      okText: t('upload.load'),
      okButtonProps: { danger: true, ...buttonTestId('upload-replace-confirm') },
      cancelText: t('common.cancel'),
      onOk: () => run(false),
    });
  };

  // An empty file only makes sense as "replace with nothing"; otherwise some row must pass.
  const canLoad = !!check?.result && (check.result.rowsRead === 0 ? mode === 'replace' : check.result.rejected < check.result.rowsRead);

  return (
    <div data-testid="resource-upload">
      <Steps
        size="small"
        current={step}
        style={{ marginBottom: 24 }}
        items={[{ title: t('upload.stepChoose') }, { title: t('upload.stepCheck') }, { title: t('upload.stepLoad') }]}
      />
      <Typography.Paragraph type="secondary">{t('upload.intro')}</Typography.Paragraph>
      <Space orientation="vertical" style={{ width: '100%' }} size="middle">
        <Upload.Dragger
          accept=".csv,.txt,.xlsx,.ndjson,.jsonl,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/x-ndjson"
          maxCount={1}
          multiple={false}
          disabled={busy}
          // The file goes as the raw request body, not through antd's multipart upload.
          beforeUpload={(f) => {
            setFile(f);
            reset();
            return false;
          }}
          onRemove={() => {
            setFile(null);
            reset();
          }}
          fileList={file ? [{ uid: 'file', name: file.name, status: 'done' }] : []}
          data-testid="upload-file"
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p>{t('upload.choose')}</p>
          <p style={{ color: 'rgba(0,0,0,0.45)' }}>{t('upload.fileHint')}</p>
        </Upload.Dragger>
        <Space wrap size="large">
          <Space>
            {t('upload.mode')}
            <Radio.Group
              value={mode}
              disabled={busy}
              onChange={(e) => {
                setMode(e.target.value as LoadMode);
                reset();
              }}
              data-testid="upload-mode"
            >
              <Radio value="upsert" data-testid="upload-mode-upsert">{t('upload.mode.upsert')}</Radio>
              <Radio value="replace" data-testid="upload-mode-replace">{t('upload.mode.replace')}</Radio>
            </Radio.Group>
          </Space>
          <Space>
            {t('upload.charset')}
            <Select<Charset>
              value={charset}
              disabled={busy}
              style={{ width: 130 }}
              onChange={(v) => {
                setCharset(v);
                reset();
              }}
              options={[
                { value: 'auto', label: t('upload.charset.auto') },
                { value: 'utf-8', label: 'UTF-8' },
                { value: 'gbk', label: 'GBK' },
              ]}
              data-testid="upload-charset"
            />
          </Space>
        </Space>
        <Space wrap>
          {step === 0 && (
            <Button type="primary" icon={<SafetyCertificateOutlined />} loading={busy} onClick={() => void run(true)} data-testid="upload-check">
              {busy ? t('upload.checking') : t('upload.check')}
            </Button>
          )}
          {step === 1 && (
            <Button type="primary" danger={mode === 'replace'} icon={<CloudUploadOutlined />} loading={busy} disabled={!canLoad} onClick={load} data-testid="upload-load">
              {busy ? t('upload.loading') : t('upload.load')}
            </Button>
          )}
          {step > 0 && (
            <Button
              icon={<ReloadOutlined />}
              disabled={busy}
              onClick={() => {
                setFile(null);
                reset();
              }}
              data-testid="upload-again"
            >
              {t('upload.again')}
            </Button>
          )}
        </Space>
        {error && <Alert type="error" showIcon title={error} data-testid="upload-error" />}
      </Space>
      {check && !loaded && (
        <Card size="small" title={t('upload.report')} style={{ marginTop: 16 }}>
          <Report result={check.result} refused={check.refused} testId="upload-check-report" />
        </Card>
      )}
      {loaded && (
        <Card size="small" title={<Space><CheckCircleOutlined />{t('upload.result')}</Space>} style={{ marginTop: 16 }}>
          <Report result={loaded.result} refused={loaded.refused} testId="upload-load-report" />
        </Card>
      )}
    </div>
  );
}

function Loads({ resource, canResume, reloadKey, onResumed, highlight }: { resource: Resource; canResume: boolean; reloadKey: number; onResumed: () => void; highlight?: string | null }) {
  const { t } = useI18n();
  const { ok, fail } = useFeedback();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [resuming, setResuming] = useState<string | null>(null);
  const { data, error, loading, reload } = useAsync(() => resourceApi.loads(resource.id, { page, pageSize }), [resource.id, page, pageSize, reloadKey]);

  const resume = async (r: LoadRecord) => {
    setResuming(r.loadId);
    try {
      await resourceApi.resume(resource.id, r.loadId);
      ok(t('load.resumed'));
      onResumed();
      reload();
    } catch (e) {
      fail(e);
    } finally {
      setResuming(null);
    }
  };

  const columns: TableColumnsType<LoadRecord> = [
    { title: t('load.startedAt'), dataIndex: 'startedAt', width: 170, render: formatTime },
    { title: t('load.status'), dataIndex: 'status', width: 100, render: (s: string) => <LoadStatusTag status={s} /> },
    { title: t('load.mode'), dataIndex: 'mode', width: 90, render: (m: string) => <span className="mono">{m}</span> },
    { title: t('load.source'), dataIndex: 'source', width: 90 },
    { title: t('upload.format'), key: 'format', width: 120, render: (_, r) => <span className="mono">{r.encoding ? `${r.format} · ${r.encoding}` : r.format}</span> },
    { title: t('load.rowsRead'), dataIndex: 'rowsRead', width: 90, align: 'right' },
    { title: t('load.inserted'), dataIndex: 'inserted', width: 80, align: 'right' },
    { title: t('load.updated'), dataIndex: 'updated', width: 80, align: 'right' },
    { title: t('load.deleted'), dataIndex: 'deleted', width: 80, align: 'right' },
    { title: t('load.rejected'), dataIndex: 'rejected', width: 80, align: 'right', render: (v: number) => (v > 0 ? <Typography.Text type="danger">{v}</Typography.Text> : v) },
    { title: t('load.finishedAt'), dataIndex: 'finishedAt', width: 170, render: formatTime },
    { title: 'SM3', dataIndex: 'contentSm3', width: 150, render: (v: string | null) => (v ? <span className="mono" title={v}>{shortHash(v, 6)}</span> : '—') },
    ...(canResume
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 90,
            fixed: 'right' as const,
            render: (_: unknown, r: LoadRecord) =>
              r.resumable ? (
                <Button size="small" loading={resuming === r.loadId} onClick={() => void resume(r)} data-testid={`load-resume-${r.loadId}`}>
                  {t('load.resume')}
                </Button>
              ) : null,
          },
        ]
      : []),
  ];
  return (
    <div data-testid="resource-loads">
      <LoadError error={error} onRetry={reload} />
      <Table<LoadRecord>
        rowKey="loadId"
        size="small"
        loading={loading}
        columns={columns}
        dataSource={data?.items ?? []}
        locale={{ emptyText: t('load.none') }}
        scroll={{ x: 1500 }}
        onRow={(r) => ({ ...rowTestId(`load-row-${r.loadId}`), ...(r.loadId === highlight ? { style: { background: '#e6f4ff' } } : {}) })}
        expandable={{
          defaultExpandedRowKeys: highlight ? [highlight] : [],
          rowExpandable: (r) => r.errors.length > 0,
          expandedRowRender: (r) => <LoadErrorsTable errors={r.errors} testId={`load-errors-${r.loadId}`} />,
        }}
        pagination={{
          current: page,
          pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (total) => t('common.total', { total }),
          onChange: (p, s) => {
            setPage(p);
            setPageSize(s);
          },
        }}
      />
    </div>
  );
}

function Rows({ resource, reloadKey }: { resource: Resource; reloadKey: number }) {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const { data, error, loading, reload } = useAsync(() => resourceApi.rows(resource.id, { page, pageSize }), [resource.id, page, pageSize, reloadKey]);
  if (error instanceof ApiError && error.status === 403) {
    return <Alert type="info" showIcon title={t('resource.rowsForbidden')} data-testid="resource-rows-forbidden" />;
  }
  if (error instanceof ApiError && error.status === 409) {
    return <Alert type="info" showIcon title={t('resource.notTable')} description={error.message} data-testid="resource-rows-not-table" />;
  }
  return (
    <div data-testid="resource-rows">
      <LoadError error={error} onRetry={reload} />
      {!loading && !error && data?.total === 0 ? (
        <Typography.Text type="secondary" data-testid="resource-rows-empty">{t('resource.rowsEmpty')}</Typography.Text>
      ) : (
        <RecordsTable
          columns={resource.columns}
          records={data?.items ?? []}
          loading={loading}
          testId="resource-rows-table"
          pagination={{
            current: page,
            pageSize,
            total: data?.total ?? 0,
            onChange: (p, s) => {
              setPage(p);
              setPageSize(s);
            },
          }}
        />
      )}
    </div>
  );
}

export default function ResourcePage() {
  const { id = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const { t } = useI18n();
  const { hasRole } = useAuth();
  const user = useCurrentUser();
  const [tick, setTick] = useState(0);
  const { data: resource, error, loading, reload } = useAsync(() => resourceApi.get(id), [id, tick]);

  if (!resource) return loading ? <PageSpinner /> : <LoadError error={error} onRetry={reload} />;

  const isProviderEditor = hasRole('catalog_editor') && user.organisationId === resource.providerId;
  const isTable = resource.kind === 'table';
  const canLoad = isProviderEditor && isTable;
  const changed = () => setTick((x) => x + 1);
  const latest = resource.latestFile ?? null;

  const meta = [
    { key: 'catalog', label: t('resource.catalog'), children: <Link to={`/catalog/entries/${resource.catalog.id}`} className="mono" data-testid="resource-catalog">{resource.catalog.code}</Link> },
    { key: 'version', label: t('field.version'), children: t('catalog.versionShort', { v: resource.catalog.version }) },
    { key: 'kind', label: t('resource.kind'), children: fieldValue(t, 'format', resource.kind) },
    ...(isTable
      ? [
          { key: 'rowCount', label: t('resource.rowCount'), children: <span data-testid="resource-rowCount">{resource.rowCount.toLocaleString()}</span> },
          { key: 'lastLoadedAt', label: t('resource.lastLoadedAt'), children: <span data-testid="resource-lastLoadedAt">{resource.lastLoadedAt ? formatTime(resource.lastLoadedAt) : t('resource.neverLoaded')}</span> },
          { key: 'retention', label: t('resource.retention'), children: t('resource.retentionDays', { n: resource.changeRetentionDays }) },
        ]
      : []),
    ...(resource.kind === 'file'
      ? [
          {
            key: 'latestFile',
            label: t('file.latest'),
            children: latest ? (
              <span data-testid="resource-latestFile">
                v{latest.version} · {latest.fileName} · {formatBytes(latest.size)}
              </span>
            ) : (
              <span data-testid="resource-latestFile">{t('file.none')}</span>
            ),
          },
          { key: 'lastLoadedAt', label: t('file.lastUploadedAt'), children: <span data-testid="resource-lastLoadedAt">{resource.lastLoadedAt ? formatTime(resource.lastLoadedAt) : t('file.never')}</span> },
        ]
      : []),
    { key: 'createdAt', label: t('resource.createdAt'), children: formatTime(resource.createdAt) },
    { key: 'updatedAt', label: t('field.updatedAt'), children: formatTime(resource.updatedAt) },
  ];

  const tableTabs = [
    ...(canLoad ? [{ key: 'upload', label: <span data-testid="resource-tab-upload">{t('resource.tabUpload')}</span>, children: <UploadWizard resource={resource} onLoaded={changed} /> }] : []),
    { key: 'rows', label: <span data-testid="resource-tab-rows">{t('resource.tabRows')}</span>, children: <Rows resource={resource} reloadKey={tick} /> },
    {
      key: 'loads',
      label: <span data-testid="resource-tab-loads">{t('resource.tabLoads')}</span>,
      children: <Loads resource={resource} canResume={isProviderEditor} reloadKey={tick} onResumed={changed} highlight={search.get('load')} />,
    },
    {
      key: 'connectors',
      label: <span data-testid="resource-tab-connectors">{t('resource.tabConnectors')}</span>,
      children: <ConnectorsPanel resource={resource} canEdit={isProviderEditor} onRunEnded={changed} />,
    },
  ];
  const tabs =
    resource.kind === 'api'
      ? [{ key: 'try', label: <span data-testid="resource-tab-try">{t('resource.tabTry')}</span>, children: <InvokePanel resource={resource} /> }]
      : resource.kind === 'file'
        ? [{ key: 'files', label: <span data-testid="resource-tab-files">{t('resource.tabFiles')}</span>, children: <FileVersionsPanel resource={resource} canUpload={isProviderEditor} onChanged={changed} /> }]
        : tableTabs;
  const wanted = search.get('tab');
  const activeTab = tabs.some((x) => x.key === wanted) ? (wanted as string) : tabs[0]!.key;

  return (
    <div data-testid="page-resource">
      <Typography.Title level={4} className="ts-page-title" style={{ marginBottom: 4 }} data-testid="resource-name">
        {resource.name}
      </Typography.Title>
      <Space size={4} wrap style={{ marginBottom: 16 }}>
        <Tag color="geekblue" data-testid="resource-kind">{fieldValue(t, 'format', resource.kind)}</Tag>
        {isTable && <Tag>{t('resource.rowCount')} {resource.rowCount.toLocaleString()}</Tag>}
        {resource.kind === 'file' && resource.fileCount !== undefined && <Tag>{t('file.count', { n: resource.fileCount })}</Tag>}
      </Space>
      <Card title={t('detail.basic')} style={{ marginBottom: 16 }}>
        <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} items={meta} data-testid="resource-meta" />
      </Card>
      {resource.columns && (
        <Card title={`${t('resource.columns')}（${resource.columns.length}）`} style={{ marginBottom: 16 }}>
          <ResourceColumnsTable resource={resource} />
        </Card>
      )}
      {resource.kind === 'api' && <ApiConfigCard resource={resource} canEdit={isProviderEditor} onChanged={changed} />}
      <Card>
        <Tabs
          activeKey={activeTab}
          onChange={(key) =>
            setSearch(
              (prev) => {
                const next = new URLSearchParams(prev);
                next.set('tab', key);
                next.delete('load');
                return next;
              },
              { replace: true },
            )
          }
          items={tabs}
        />
      </Card>
    </div>
  );
}
