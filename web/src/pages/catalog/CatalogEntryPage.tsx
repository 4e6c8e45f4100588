import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Empty,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
  type TableColumnsType,
} from 'antd';
import { CheckOutlined, EditOutlined, MinusCircleOutlined, PlusOutlined, RollbackOutlined, SendOutlined, StopOutlined } from '@ant-design/icons';
import {
  ApiError,
  catalogApi,
  informationSystemApi,
  resourceApi,
  type CatalogDiff,
  type CatalogEntry,
  type CatalogVersion,
  type InfoItem,
  type Resource,
  type ResourceKind,
  type ReturnReason,
} from '../../api';
import { useAuth, useCurrentUser } from '../../auth/AuthContext';
import { useI18n, type MessageKey } from '../../i18n';
import { ApiConfigFields, apiFormInitial, apiInputOf, type ApiFormValues } from '../../components/resources/ApiResource';
import { useAsync } from '../../hooks/useAsync';
import { useFeedback } from '../../hooks/useFeedback';
import { LoadError } from '../../components/LoadError';
import { PageSpinner } from '../../components/PageSpinner';
import { FormatTag, OpenTag, ShareTag, StatusTag, fieldLabel, fieldValue, ITEM_FIELD_KEYS } from '../../components/catalog/CatalogBits';
import { InfoItemsTable } from '../../components/catalog/InfoItemsTable';
import { ReturnReasons } from '../../components/catalog/ReturnReasons';
import { DeadlineTable } from '../../components/catalog/DeadlineTable';
import { EntrySharing } from '../../components/sharing/EntrySharing';
import { ENTRY_FIELD_NAMES } from '../../lib/catalog-form';
import { formatTime } from '../../lib/format';
import { buttonTestId, rowTestId } from '../../lib/testid';

/** Endpoints added by other workstreams answer 404 on an older server: show "not available" then. */
async function optional<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}


function ReturnDialog({ entry, onClose, onDone }: { entry: CatalogEntry; onClose: () => void; onDone: (e: CatalogEntry) => void }) {
  const { t } = useI18n();
  const { errorText } = useFeedback();
  const [form] = Form.useForm<{ reasons: { field?: string; message?: string }[] }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const options = [
    ...ENTRY_FIELD_NAMES.map((f) => ({ value: f, label: fieldLabel(t, f) })),
    { value: 'items', label: t('field.items') },
    ...entry.items.map((_, i) => ({ value: `items[${i}]`, label: fieldLabel(t, `items[${i}]`, entry.items) })),
  ];
  const submit = async () => {
    const v = await form.validateFields();
    const reasons: ReturnReason[] = v.reasons.map((r) => ({ ...(r.field ? { field: r.field } : {}), message: (r.message ?? '').trim() }));
    setBusy(true);
    setError(null);
    try {
      onDone(await catalogApi.returnEntry(entry.id, reasons));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      width={720}
      title={t('detail.returnTitle')}
      okText={t('detail.return')}
      okButtonProps={{ danger: true, ...buttonTestId('return-submit') }}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
    >
      <Typography.Paragraph type="secondary">{t('detail.returnHelp')}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="return-error" />}
      <Form form={form} layout="vertical" initialValues={{ reasons: [{}] }}>
        <Form.List name="reasons">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Space key={f.key} align="start" style={{ display: 'flex' }} data-testid={`return-row-${i}`}>
                  <Form.Item name={[f.name, 'field']} label={i === 0 ? t('detail.returnField') : undefined} style={{ width: 240 }}>
                    <Select
                      allowClear
                      showSearch={{ optionFilterProp: 'label' }}
                      placeholder={t('detail.returnFieldAny')}
                      options={options}
                      optionRender={(o) => <span data-testid={`return-field-option-${String(o.value)}`}>{o.label}</span>}
                      data-testid={`return-field-${i}`}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'message']}
                    label={i === 0 ? t('detail.returnMessage') : undefined}
                    rules={[{ required: true, whitespace: true, message: t('detail.returnMessageRequired') }]}
                    style={{ width: 380 }}
                  >
                    <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={2000} data-testid={`return-message-${i}`} />
                  </Form.Item>
                  {fields.length > 1 && (
                    <Button type="text" icon={<MinusCircleOutlined />} onClick={() => remove(f.name)} style={{ marginTop: i === 0 ? 30 : 0 }} />
                  )}
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} data-testid="return-add">
                {t('detail.returnAdd')}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}

function RetireDialog({ entry, onClose, onDone }: { entry: CatalogEntry; onClose: () => void; onDone: (e: CatalogEntry) => void }) {
  const { t } = useI18n();
  const { errorText } = useFeedback();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      onDone(await catalogApi.retire(entry.id, v.reason.trim()));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('detail.retireTitle')}
      okText={t('detail.retire')}
      okButtonProps={{ danger: true, ...buttonTestId('retire-submit') }}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical">
        <Form.Item name="reason" label={t('detail.retireReason')} rules={[{ required: true, whitespace: true, message: t('detail.retireReasonRequired') }]}>
          <Input.TextArea rows={3} maxLength={2000} data-testid="retire-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function DiffView({ diff }: { diff: CatalogDiff }) {
  const { t } = useI18n();
  const empty = diff.fields.length === 0 && diff.items.added.length === 0 && diff.items.removed.length === 0 && diff.items.changed.length === 0;
  if (empty) return <Empty description={t('versions.noChanges')} data-testid="diff-view" />;
  const itemName = (i: InfoItem) => `${i.name}（${i.column}）`;
  return (
    <div data-testid="diff-view">
      {diff.fields.length > 0 && (
        <>
          <Typography.Title level={5}>{t('versions.fields')}</Typography.Title>
          <Table
            rowKey="field"
            size="small"
            pagination={false}
            dataSource={diff.fields}
            onRow={(r) => rowTestId(`diff-field-${r.field}`)}
            columns={[
              { title: t('versions.compare'), dataIndex: 'field', width: 160, render: (f: string) => fieldLabel(t, f) },
              { title: t('versions.before'), dataIndex: 'before', render: (v: unknown, r) => <del style={{ color: '#a8071a' }}>{fieldValue(t, r.field, v)}</del> },
              { title: t('versions.after'), dataIndex: 'after', render: (v: unknown, r) => <span style={{ color: '#237804' }}>{fieldValue(t, r.field, v)}</span> },
            ]}
          />
        </>
      )}
      {diff.items.added.length > 0 && (
        <>
          <Typography.Title level={5} style={{ marginTop: 16 }}>{t('versions.itemsAdded')}</Typography.Title>
          <Space wrap data-testid="diff-items-added">
            {diff.items.added.map((i) => <Tag color="green" key={i.column}>+ {itemName(i)}</Tag>)}
          </Space>
        </>
      )}
      {diff.items.removed.length > 0 && (
        <>
          <Typography.Title level={5} style={{ marginTop: 16 }}>{t('versions.itemsRemoved')}</Typography.Title>
          <Space wrap data-testid="diff-items-removed">
            {diff.items.removed.map((i) => <Tag color="red" key={i.column}>− {itemName(i)}</Tag>)}
          </Space>
        </>
      )}
      {diff.items.changed.length > 0 && (
        <>
          <Typography.Title level={5} style={{ marginTop: 16 }}>{t('versions.itemsChanged')}</Typography.Title>
          <Table
            rowKey={(r) => `${r.column}.${r.field}`}
            size="small"
            pagination={false}
            data-testid="diff-items-changed"
            dataSource={diff.items.changed.flatMap((c) => c.changes.map((ch) => ({ column: c.column, ...ch })))}
            columns={[
              { title: t('item.column'), dataIndex: 'column', width: 140, render: (v: string) => <span className="mono">{v}</span> },
              { title: t('versions.compare'), dataIndex: 'field', width: 140, render: (f: string) => { const k = ITEM_FIELD_KEYS[f]; return k ? t(k) : f; } },
              { title: t('versions.before'), dataIndex: 'before', render: (v: unknown, r) => <del style={{ color: '#a8071a' }}>{fieldValue(t, r.field, v)}</del> },
              { title: t('versions.after'), dataIndex: 'after', render: (v: unknown, r) => <span style={{ color: '#237804' }}>{fieldValue(t, r.field, v)}</span> },
            ]}
          />
        </>
      )}
    </div>
  );
}

function Versions({ entryId, reloadKey }: { entryId: string; reloadKey: number }) {
  const { t } = useI18n();
  const { fail } = useFeedback();
  const { data, error, loading, reload } = useAsync(() => catalogApi.versions(entryId), [entryId, reloadKey]);
  const versions = data?.items ?? [];
  const [from, setFrom] = useState<number | undefined>();
  const [to, setTo] = useState<number | undefined>();
  const [diff, setDiff] = useState<CatalogDiff | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const sorted = [...versions].sort((a, b) => b.version - a.version);
    setTo(sorted[0]?.version);
    setFrom(sorted[1]?.version);
    setDiff(null);
  }, [data]);

  const compare = async () => {
    if (from === undefined || to === undefined) return;
    setBusy(true);
    try {
      setDiff(await catalogApi.diff(entryId, from, to));
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumnsType<CatalogVersion> = [
    { title: t('versions.version'), dataIndex: 'version', width: 90, render: (v: number) => t('catalog.versionShort', { v }) },
    { title: t('versions.status'), dataIndex: 'status', width: 110, render: (s: CatalogVersion['status']) => <StatusTag status={s} /> },
    { title: t('field.name'), key: 'name', render: (_, v) => v.content.name },
    { title: t('field.createdAt'), dataIndex: 'createdAt', width: 170, render: formatTime },
    { title: t('versions.submittedAt'), dataIndex: 'submittedAt', width: 170, render: formatTime },
    { title: t('versions.decidedAt'), dataIndex: 'decidedAt', width: 170, render: formatTime },
  ];
  const options = versions.map((v) => ({ value: v.version, label: t('catalog.versionShort', { v: v.version }) }));
  return (
    <div data-testid="entry-versions">
      <LoadError error={error} onRetry={reload} />
      <Table<CatalogVersion>
        rowKey="version"
        size="small"
        loading={loading}
        pagination={false}
        columns={columns}
        dataSource={versions}
        onRow={(v) => rowTestId(`version-row-${v.version}`)}
        expandable={{
          rowExpandable: (v) => !!v.returnReasons?.length,
          expandedRowRender: (v) => <ReturnReasons reasons={v.returnReasons ?? []} items={v.content.items} title={t('editor.returnReasons')} testId={`version-reasons-${v.version}`} />,
        }}
      />
      <Typography.Title level={5} style={{ marginTop: 16 }}>{t('versions.compare')}</Typography.Title>
      {versions.length < 2 ? (
        <Typography.Text type="secondary">{t('versions.needTwo')}</Typography.Text>
      ) : (
        <>
          <Space wrap style={{ marginBottom: 12 }}>
            {t('versions.from')}
            <Select value={from} onChange={setFrom} options={options} style={{ width: 110 }} data-testid="versions-from" />
            {t('versions.to')}
            <Select value={to} onChange={setTo} options={options} style={{ width: 110 }} data-testid="versions-to" />
            <Button type="primary" loading={busy} onClick={() => void compare()} data-testid="versions-compare">
              {t('versions.run')}
            </Button>
          </Space>
          {diff && <DiffView diff={diff} />}
        </>
      )}
    </div>
  );
}

function AttachDialog({ entry, kind, onClose, onDone }: { entry: CatalogEntry; kind: ResourceKind; onClose: () => void; onDone: (r: Resource) => void }) {
  const { t } = useI18n();
  const { errorText } = useFeedback();
  const [form] = Form.useForm<{ name?: string } & ApiFormValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const v = await form.validateFields();
    const name = (v.name ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      onDone(await resourceApi.create(entry.id, { kind, ...(name ? { name } : {}), ...(kind === 'api' ? { api: apiInputOf(v) } : {}) }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const titleKey = kind === 'api' ? 'resource.attachApiTitle' : kind === 'file' ? 'resource.attachFileTitle' : 'resource.attachTitle';
  const helpKey = kind === 'api' ? 'resource.attachApiHelp' : kind === 'file' ? 'resource.attachFileHelp' : 'resource.attachHelp';
  return (
    <Modal
      open
      width={kind === 'api' ? 720 : 520}
      title={t(titleKey)}
      okText={t('resource.attachOk')}
      okButtonProps={buttonTestId('attach-submit')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
    >
      <Typography.Paragraph type="secondary">{t(helpKey)}</Typography.Paragraph>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="attach-error" />}
      <Form form={form} layout="vertical" initialValues={{ ...(kind === 'api' ? apiFormInitial(null) : {}) }}>
        <Form.Item name="name" label={t('resource.attachName')}>
          <Input maxLength={200} placeholder={entry.name} data-testid="attach-name" />
        </Form.Item>
        {kind === 'api' && <ApiConfigFields />}
      </Form>
    </Modal>
  );
}

const ATTACH_LABEL: Record<ResourceKind, MessageKey> = { table: 'resource.attach', api: 'resource.attachApi', file: 'resource.attachFile' };

function Resources({ entry, canAttach }: { entry: CatalogEntry; canAttach: boolean }) {
  const { t } = useI18n();
  const { ok } = useFeedback();
  const navigate = useNavigate();
  const [attaching, setAttaching] = useState(false);
  const { data, error, loading, reload } = useAsync(() => optional(resourceApi.list({ catalogId: entry.id, pageSize: 100 })), [entry.id]);
  if (error) return <LoadError error={error} onRetry={reload} />;
  if (data === null) return <Typography.Text type="secondary" data-testid="entry-resources-unavailable">{t('detail.resourcesUnavailable')}</Typography.Text>;
  const kind: ResourceKind = entry.format;
  // One table per entry; api and file resources may be several.
  const hasTable = (data?.items ?? []).some((r) => r.kind === 'table');
  const showAttach = canAttach && data !== undefined && !(kind === 'table' && hasTable);
  return (
    <div data-testid="entry-resources-section">
      {showAttach && (
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setAttaching(true)} style={{ marginBottom: 12 }} data-testid={`entry-attach-${kind}`}>
          {t(ATTACH_LABEL[kind])}
        </Button>
      )}
      <Table<Resource>
        rowKey="id"
        size="small"
        loading={loading}
        pagination={false}
        dataSource={data?.items ?? []}
        locale={{ emptyText: t('detail.noResources') }}
        onRow={(r) => rowTestId(`entry-resource-${r.id}`)}
        data-testid="entry-resources"
        columns={[
          { title: t('resource.name'), dataIndex: 'name', render: (v: string, r) => <Link to={`/resources/${r.id}`}>{v}</Link> },
          { title: t('detail.resourceKind'), dataIndex: 'kind', width: 100, render: (v: Resource['kind']) => fieldValue(t, 'format', v) },
          { title: t('field.version'), key: 'version', width: 90, render: (_, r) => t('catalog.versionShort', { v: r.catalog.version }) },
          {
            title: t('resource.summary'),
            key: 'summary',
            width: 260,
            ellipsis: true,
            render: (_, r) =>
              r.kind === 'table' ? (
                t('resource.rowsN', { n: r.rowCount.toLocaleString() })
              ) : r.kind === 'api' ? (
                <span className="mono" title={r.api?.url}>{r.api ? `${r.api.method} ${r.api.url}` : '—'}</span>
              ) : r.latestFile ? (
                <span title={r.latestFile.fileName}>v{r.latestFile.version} · {r.latestFile.fileName}</span>
              ) : (
                t('file.none')
              ),
          },
          { title: t('resource.lastLoadedAt'), dataIndex: 'lastLoadedAt', width: 170, render: formatTime },
          { title: t('resource.createdAt'), dataIndex: 'createdAt', width: 170, render: formatTime },
        ]}
      />
      {attaching && (
        <AttachDialog
          entry={entry}
          kind={kind}
          onClose={() => setAttaching(false)}
          onDone={(r) => {
            setAttaching(false);
            ok(t('resource.attached', { name: r.name }));
            navigate(`/resources/${r.id}`);
          }}
        />
      )}
    </div>
  );
}

function Deadlines({ entryId, reloadKey }: { entryId: string; reloadKey: number }) {
  const { t } = useI18n();
  const { data, error, loading, reload } = useAsync(() => optional(catalogApi.entryDeadlines(entryId)), [entryId, reloadKey]);
  if (error) return <LoadError error={error} onRetry={reload} />;
  if (data === null) return <Typography.Text type="secondary">{t('detail.deadlinesUnavailable')}</Typography.Text>;
  if (data && data.items.length === 0) return <Typography.Text type="secondary" data-testid="entry-deadlines-empty">{t('detail.noDeadlines')}</Typography.Text>;
  return (
    <div data-testid="entry-deadlines">
      <DeadlineTable items={data?.items ?? []} loading={loading} showEntry={false} />
    </div>
  );
}

function SourceSystems({ entry }: { entry: CatalogEntry }) {
  const { t } = useI18n();
  // One list call for the provider's systems rather than one call per id.
  const { data } = useAsync(
    () => (entry.sourceSystemIds.length ? informationSystemApi.list({ organisationId: entry.provider.id, pageSize: 200 }) : Promise.resolve(null)),
    [entry.provider.id, entry.sourceSystemIds.join(',')],
  );
  if (entry.sourceSystemIds.length === 0) return <Typography.Text type="secondary">{t('detail.noSystems')}</Typography.Text>;
  return (
    <Space wrap data-testid="entry-systems">
      {entry.sourceSystemIds.map((id) => {
        const s = data?.items.find((x) => x.id === id);
        return (
          <Tag key={id} color="geekblue" title={s?.description || id}>
            {s?.name ?? id}
          </Tag>
        );
      })}
    </Space>
  );
}

export default function CatalogEntryPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const { hasRole } = useAuth();
  const user = useCurrentUser();
  const navigate = useNavigate();
  const { modal } = App.useApp();
  const { ok, fail } = useFeedback();
  const [dialog, setDialog] = useState<'none' | 'return' | 'retire'>('none');
  const [tick, setTick] = useState(0);
  const { data: loaded, error, loading, reload } = useAsync(() => catalogApi.get(id), [id]);
  const [entry, setEntry] = useState<CatalogEntry | undefined>();
  useEffect(() => setEntry(loaded), [loaded]);

  if (!entry) return loading ? <PageSpinner /> : <LoadError error={error} onRetry={reload} />;

  const changed = (e: CatalogEntry, message: string) => {
    setEntry(e);
    setTick((x) => x + 1);
    setDialog('none');
    ok(message);
  };

  const isProviderEditor = hasRole('catalog_editor') && user.organisationId === entry.provider.id;
  const isReviewer = hasRole('data_authority') && entry.reviewerOrganisationId === user.organisationId;
  const canEdit = isProviderEditor && ['draft', 'returned', 'published'].includes(entry.status);
  const canSubmit = isProviderEditor && entry.status === 'draft';
  const canReview = isReviewer && entry.status === 'submitted';
  const canRetire = entry.status === 'published' && (isProviderEditor || isReviewer);
  // The server attaches to the version in force: a published entry (a pending revision keeps it); the
  // entry's format says which kind of resource (table, api or file).
  const canAttach = isProviderEditor && entry.publishedVersion !== null && entry.status !== 'retired';

  const submit = async () => {
    try {
      changed(await catalogApi.submit(entry.id), t('detail.submitted.ok'));
    } catch (e) {
      fail(e);
    }
  };
  const approve = () =>
    modal.confirm({
      title: t('detail.approveConfirm'),
      content: entry.name,
      okText: t('detail.approve'),
      cancelText: t('common.cancel'),
      okButtonProps: buttonTestId('approve-confirm'),
      onOk: async () => {
        try {
          changed(await catalogApi.approve(entry.id), t('detail.approved'));
        } catch (e) {
          fail(e);
        }
      },
    });

  const reasons = entry.returnReasons ?? [];
  const basic = [
    { key: 'code', label: t('field.code'), children: <span className="mono" data-testid="entry-code">{entry.code}</span> },
    { key: 'provider', label: t('field.provider'), children: entry.provider.name },
    { key: 'status', label: t('field.status'), children: <StatusTag status={entry.status} testId="entry-status" /> },
    {
      key: 'version',
      label: t('field.version'),
      children: (
        <span>
          {t('catalog.versionShort', { v: entry.version })}
          {entry.publishedVersion !== null && entry.publishedVersion !== entry.version && (
            <Typography.Text type="secondary"> {t('catalog.draftOfPublished', { v: entry.publishedVersion })}</Typography.Text>
          )}
        </span>
      ),
    },
    { key: 'category', label: t('field.category'), children: <span className="mono">{entry.category}</span> },
    { key: 'resourceType', label: t('field.resourceType'), children: fieldValue(t, 'resourceType', entry.resourceType) },
    { key: 'format', label: t('field.format'), children: <FormatTag format={entry.format} /> },
    { key: 'updateCycle', label: t('field.updateCycle'), children: fieldValue(t, 'updateCycle', entry.updateCycle) },
    { key: 'shareType', label: t('field.shareType'), children: <ShareTag shareType={entry.shareType} /> },
    { key: 'shareMethods', label: t('field.shareMethods'), children: fieldValue(t, 'shareMethods', entry.shareMethods) },
    ...(entry.shareType === 'conditional' ? [{ key: 'shareCondition', label: t('field.shareCondition'), span: 2, children: entry.shareCondition ?? '—' }] : []),
    ...(entry.shareType === 'none' ? [{ key: 'nonShareBasis', label: t('field.nonShareBasis'), span: 2, children: entry.nonShareBasis ?? '—' }] : []),
    { key: 'openType', label: t('field.openType'), children: <OpenTag openType={entry.openType} /> },
    {
      key: 'securityGrade',
      label: t('field.securityGrade'),
      children: `${fieldValue(t, 'securityGrade', entry.securityGrade)}${entry.sensitivityLevel ? ` · ${t('field.sensitivityLevel')} ${entry.sensitivityLevel}` : ''}`,
    },
    { key: 'createdAt', label: t('field.createdAt'), children: formatTime(entry.createdAt) },
    { key: 'updatedAt', label: t('field.updatedAt'), children: formatTime(entry.updatedAt) },
    { key: 'summary', label: t('field.summary'), span: 2, children: <span style={{ whiteSpace: 'pre-wrap' }}>{entry.summary}</span> },
    ...(entry.retiredReason ? [{ key: 'retiredReason', label: t('field.retiredReason'), span: 2, children: entry.retiredReason }] : []),
  ];

  return (
    <div data-testid="page-catalog-entry">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap align="start">
        <div>
          <Typography.Title level={4} className="ts-page-title" style={{ marginBottom: 4 }} data-testid="entry-name">
            {entry.name}
          </Typography.Title>
          <Space size={4} wrap>
            <StatusTag status={entry.status} />
            <ShareTag shareType={entry.shareType} />
            <OpenTag openType={entry.openType} />
            <FormatTag format={entry.format} />
          </Space>
        </div>
        <Space wrap>
          {canEdit && (
            <Button icon={<EditOutlined />} onClick={() => navigate(`/catalog/entries/${entry.id}/edit`)} data-testid="entry-edit" title={entry.status === 'published' ? t('detail.reviseHelp') : undefined}>
              {t('detail.editDraft')}
            </Button>
          )}
          {canSubmit && (
            <Button type="primary" icon={<SendOutlined />} onClick={() => void submit()} data-testid="entry-submit">
              {t('detail.submit')}
            </Button>
          )}
          {canReview && (
            <>
              <Button danger icon={<RollbackOutlined />} onClick={() => setDialog('return')} data-testid="entry-return">
                {t('detail.return')}
              </Button>
              <Button type="primary" icon={<CheckOutlined />} onClick={approve} data-testid="entry-approve">
                {t('detail.approve')}
              </Button>
            </>
          )}
          {canRetire && (
            <Button danger icon={<StopOutlined />} onClick={() => setDialog('retire')} data-testid="entry-retire">
              {t('detail.retire')}
            </Button>
          )}
        </Space>
      </Space>

      {entry.status === 'returned' && reasons.length > 0 && (
        <ReturnReasons reasons={reasons} items={entry.items} title={isProviderEditor ? t('detail.returned') : t('detail.returnedReviewer')} />
      )}
      {entry.status === 'submitted' && !canReview && <Alert type="info" showIcon title={t('detail.submitted')} style={{ marginBottom: 16 }} />}
      {entry.status === 'retired' && <Alert type="error" showIcon title={t('detail.retired')} description={entry.retiredReason} style={{ marginBottom: 16 }} />}
      <EntrySharing entry={entry} />

      <Card title={t('detail.basic')} style={{ marginBottom: 16 }}>
        <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} items={basic} data-testid="entry-basic" />
      </Card>
      <Card title={`${t('detail.items')}（${entry.items.length}）`} style={{ marginBottom: 16 }}>
        <InfoItemsTable items={entry.items} />
      </Card>
      <Card>
        <Tabs
          items={[
            { key: 'systems', label: t('detail.systems'), children: <SourceSystems entry={entry} /> },
            { key: 'resources', label: <span data-testid="entry-tab-resources">{t('detail.resources')}</span>, children: <Resources entry={entry} canAttach={canAttach} /> },
            { key: 'deadlines', label: t('detail.deadlines'), children: <Deadlines entryId={entry.id} reloadKey={tick} /> },
            { key: 'versions', label: <span data-testid="entry-tab-versions">{t('detail.versions')}</span>, children: <Versions entryId={entry.id} reloadKey={tick} /> },
          ]}
        />
      </Card>
      {dialog === 'return' && <ReturnDialog entry={entry} onClose={() => setDialog('none')} onDone={(e) => changed(e, t('detail.returned.ok'))} />}
      {dialog === 'retire' && <RetireDialog entry={entry} onClose={() => setDialog('none')} onDone={(e) => changed(e, t('detail.retired.ok'))} />}
    </div>
  );
}
