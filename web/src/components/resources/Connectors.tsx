import { useEffect, useRef, useState, type Key } from 'react';
import { Link } from 'react-router-dom';
import {
  Alert,
  Button,
  Checkbox,
  Col,
  Descriptions,
  Divider,
  Drawer,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Radio,
  Row,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Tooltip,
  Typography,
  type TableColumnsType,
} from 'antd';
import { ClockCircleOutlined, EditOutlined, ExperimentOutlined, LockOutlined, PlayCircleOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import {
  ApiError,
  connectorApi,
  type Connector,
  type ConnectorConfig,
  type ConnectorInput,
  type ConnectorKind,
  type ConnectorPatch,
  type ConnectorRun,
  type ConnectorTestResult,
  type HttpConnectorConfig,
  type HttpPaging,
  type LoadMode,
  type PagingStyle,
  type Resource,
  type SqlConnectorConfig,
} from '../../api';
import { useI18n, type MessageKey } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { useFeedback } from '../../hooks/useFeedback';
import { LoadError } from '../LoadError';
import { formatTime } from '../../lib/format';
import { buttonTestId, rowTestId } from '../../lib/testid';
import { KeyValueList, pairsToRecord, recordToPairs, type Pair } from './KeyValueList';

/** Runs that are not over yet: the page polls while one is shown (a retry waits longer, so less often). */
const ACTIVE = new Set(['queued', 'running', 'retrying']);
const POLL_MS = 2000;
const RETRY_POLL_MS = 5000;
const pollDelay = (statuses: readonly string[]): number | null =>
  statuses.some((s) => s === 'queued' || s === 'running') ? POLL_MS : statuses.includes('retrying') ? RETRY_POLL_MS : null;

const RUN_COLOR: Record<string, string> = {
  queued: 'default',
  running: 'processing',
  succeeded: 'green',
  failed: 'red',
  retrying: 'orange',
};

export function RunStatusTag({ status, testId }: { status: string; testId?: string }) {
  const { t } = useI18n();
  const key = `runStatus.${status}` as MessageKey;
  const label = t(key);
  return (
    <Tag color={RUN_COLOR[status] ?? 'default'} data-testid={testId} data-status={status}>
      {label === key ? status : label}
    </Tag>
  );
}

const DEFAULT_PORT: Record<ConnectorKind, number | undefined> = { postgres: 5432, mysql: 3306, http: undefined };

interface FormValues {
  name: string;
  kind: ConnectorKind;
  // postgres / mysql
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  ssl?: boolean;
  source?: 'table' | 'query';
  table?: string;
  query?: string;
  watermarkColumn?: string;
  batchSize?: number;
  // http
  url?: string;
  headers?: Pair[];
  secretName?: string;
  secretValue?: string;
  pagingStyle?: 'none' | PagingStyle;
  pageParam?: string;
  sizeParam?: string;
  offsetParam?: string;
  cursorParam?: string;
  pageSize?: number;
  firstPage?: number;
  itemsPath?: string;
  nextCursorPath?: string;
  maxPages?: number;
  watermarkParam?: string;
  watermarkField?: string;
  // both (per page for http, per query for postgres and mysql)
  timeoutSeconds?: number;
  columns?: Pair[];
  clearSecret?: boolean;
  scheduled: boolean;
  intervalMinutes?: number;
  mode: LoadMode;
  maxErrors?: number;
  maxAttempts?: number;
  enabled: boolean;
  resetWatermark?: boolean;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const trimmed = (v: string | undefined): string | undefined => (v?.trim() ? v.trim() : undefined);

function initialValues(c: Connector | null): FormValues {
  if (!c) return { name: '', kind: 'postgres', port: 5432, source: 'table', pagingStyle: 'none', scheduled: true, intervalMinutes: 60, mode: 'upsert', maxErrors: 1000, maxAttempts: 3, enabled: true, headers: [], columns: [] };
  const cfg = c.config;
  const paging = (cfg.paging ?? null) as Record<string, unknown> | null;
  const common = {
    name: c.name,
    kind: c.kind,
    columns: recordToPairs(cfg.columns as Record<string, unknown> | undefined),
    scheduled: c.intervalMinutes !== null && c.intervalMinutes !== undefined,
    intervalMinutes: c.intervalMinutes ?? 60,
    mode: c.mode,
    maxErrors: c.maxErrors,
    maxAttempts: c.maxAttempts,
    enabled: c.enabled,
  };
  if (c.kind === 'http') {
    return {
      ...common,
      url: str(cfg.url),
      headers: recordToPairs(cfg.headers as Record<string, unknown> | undefined),
      secretName: str(cfg.secretHeader),
      pagingStyle: (str(paging?.style) as PagingStyle | undefined) ?? 'none',
      pageParam: str(paging?.pageParam),
      sizeParam: str(paging?.sizeParam),
      offsetParam: str(paging?.offsetParam),
      cursorParam: str(paging?.cursorParam),
      pageSize: num(paging?.pageSize),
      firstPage: num(paging?.firstPage),
      itemsPath: str(cfg.itemsPath),
      nextCursorPath: str(cfg.nextCursorPath),
      maxPages: num(cfg.maxPages),
      watermarkParam: str(cfg.watermarkParam),
      watermarkField: str(cfg.watermarkField),
      timeoutSeconds: num(cfg.timeoutSeconds),
    };
  }
  return {
    ...common,
    host: str(cfg.host),
    port: num(cfg.port),
    database: str(cfg.database),
    user: str(cfg.user),
    ssl: cfg.ssl === true,
    source: str(cfg.query) ? 'query' : 'table',
    table: str(cfg.table),
    query: str(cfg.query),
    watermarkColumn: str(cfg.watermarkColumn),
    batchSize: num(cfg.batchSize),
    timeoutSeconds: num(cfg.timeoutSeconds),
  };
}

/** The form → the kind's config object (the server validates it again, kind by kind). */
function configOf(v: FormValues): ConnectorConfig {
  const columns = pairsToRecord(v.columns);
  const mapping = Object.keys(columns).length ? { columns } : {};
  if (v.kind === 'http') {
    const style = v.pagingStyle ?? 'none';
    const paging =
      style === 'none'
        ? {}
        : {
            paging: {
              style,
              ...(style === 'page' && trimmed(v.pageParam) ? { pageParam: trimmed(v.pageParam) } : {}),
              ...(style === 'offset' && trimmed(v.offsetParam) ? { offsetParam: trimmed(v.offsetParam) } : {}),
              ...(style === 'cursor' && trimmed(v.cursorParam) ? { cursorParam: trimmed(v.cursorParam) } : {}),
              ...(trimmed(v.sizeParam) ? { sizeParam: trimmed(v.sizeParam) } : {}),
              ...(v.pageSize ? { pageSize: v.pageSize } : {}),
              ...(style === 'page' && (v.firstPage === 0 || v.firstPage === 1) ? { firstPage: v.firstPage } : {}),
            },
          };
    const config: HttpConnectorConfig = {
      url: (v.url ?? '').trim(),
      headers: pairsToRecord(v.headers),
      ...(trimmed(v.secretName) ? { secretHeader: trimmed(v.secretName) } : {}),
      ...paging,
      itemsPath: (v.itemsPath ?? '').trim(),
      ...(style === 'cursor' && trimmed(v.nextCursorPath) ? { nextCursorPath: trimmed(v.nextCursorPath) } : {}),
      ...(v.maxPages ? { maxPages: v.maxPages } : {}),
      ...(trimmed(v.watermarkParam) ? { watermarkParam: trimmed(v.watermarkParam) } : {}),
      ...(trimmed(v.watermarkField) ? { watermarkField: trimmed(v.watermarkField) } : {}),
      ...(v.timeoutSeconds ? { timeoutSeconds: v.timeoutSeconds } : {}),
      ...mapping,
    };
    return config;
  }
  const config: SqlConnectorConfig = {
    host: (v.host ?? '').trim(),
    port: v.port ?? DEFAULT_PORT[v.kind] ?? 0,
    database: (v.database ?? '').trim(),
    user: (v.user ?? '').trim(),
    ssl: !!v.ssl,
    ...(v.source === 'query' ? { query: (v.query ?? '').trim() } : { table: (v.table ?? '').trim() }),
    ...(trimmed(v.watermarkColumn) ? { watermarkColumn: trimmed(v.watermarkColumn) } : {}),
    ...(v.batchSize ? { batchSize: v.batchSize } : {}),
    ...(v.timeoutSeconds ? { timeoutSeconds: v.timeoutSeconds } : {}),
    ...mapping,
  };
  return config;
}

/** The typed secret (password or the secret header's value); empty = none / keep the registered one. */
const secretOf = (v: FormValues): string | undefined => (v.kind === 'http' ? v.secretValue : v.password) || undefined;

function ConnectorDrawer({ resource, connector, onClose, onDone }: { resource: Resource; connector: Connector | null; onClose: () => void; onDone: (c: Connector) => void }) {
  const { t } = useI18n();
  const { errorText } = useFeedback();
  const [form] = Form.useForm<FormValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const kind = (Form.useWatch('kind', form) as ConnectorKind | undefined) ?? connector?.kind ?? 'postgres';
  const source = Form.useWatch('source', form) as FormValues['source'];
  const pagingStyle = (Form.useWatch('pagingStyle', form) as FormValues['pagingStyle']) ?? 'none';
  const scheduled = Form.useWatch('scheduled', form) as boolean | undefined;
  const clearSecret = Form.useWatch('clearSecret', form) as boolean | undefined;
  const required = (label: string) => [{ required: true, whitespace: true, message: t('connector.required', { field: label }) }];
  const keepHint = connector?.hasSecret ? t('connector.secretKeep') : undefined;
  /** The watermark parameter and field go together. */
  const pairedWith = (other: keyof FormValues) => ({ getFieldValue }: { getFieldValue: (name: keyof FormValues) => unknown }) => ({
    validator: (_: unknown, v: string | undefined) =>
      !!v?.trim() === !!String(getFieldValue(other) ?? '').trim() ? Promise.resolve() : Promise.reject(new Error(t('connector.watermarkPair'))),
  });

  const submit = async () => {
    const v = await form.validateFields();
    const config = configOf(v);
    const secret = secretOf(v);
    setBusy(true);
    setError(null);
    try {
      if (connector) {
        const patch: ConnectorPatch = {
          name: v.name.trim(),
          config,
          ...(v.clearSecret ? { secret: null } : secret ? { secret } : {}),
          intervalMinutes: v.scheduled ? (v.intervalMinutes ?? 60) : null,
          mode: v.mode,
          ...(v.maxErrors !== undefined && v.maxErrors !== null ? { maxErrors: v.maxErrors } : {}),
          ...(v.maxAttempts ? { maxAttempts: v.maxAttempts } : {}),
          enabled: v.enabled,
          ...(v.resetWatermark ? { resetWatermark: true } : {}),
        };
        onDone(await connectorApi.update(connector.id, patch));
      } else {
        const body: ConnectorInput = {
          name: v.name.trim(),
          kind: v.kind,
          config,
          ...(secret ? { secret } : {}),
          ...(v.scheduled ? { intervalMinutes: v.intervalMinutes ?? 60 } : {}),
          mode: v.mode,
          ...(v.maxErrors !== undefined && v.maxErrors !== null ? { maxErrors: v.maxErrors } : {}),
          ...(v.maxAttempts ? { maxAttempts: v.maxAttempts } : {}),
          enabled: v.enabled,
        };
        onDone(await connectorApi.create(resource.id, body));
      }
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const targetOptions = (resource.columns ?? []).map((c) => ({ value: c.column, label: `${c.column}（${c.name}）` }));

  return (
    <Drawer
      open
      size={760}
      title={connector ? t('connector.editTitle', { name: connector.name }) : t('connector.createTitle')}
      onClose={onClose}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={busy} onClick={() => void submit().catch(() => undefined)} data-testid="connector-form-submit">
            {connector ? t('common.save') : t('common.create')}
          </Button>
        </Space>
      }
      data-testid="connector-form"
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="connector-form-error" />}
      <Form
        form={form}
        layout="vertical"
        initialValues={initialValues(connector)}
        onValuesChange={(changed: Partial<FormValues>) => {
          // A new kind brings its usual port unless one was typed for it.
          if (changed.kind && changed.kind !== 'http') form.setFieldValue('port', DEFAULT_PORT[changed.kind]);
        }}
      >
        <Row gutter={16}>
          <Col span={14}>
            <Form.Item name="name" label={t('connector.name')} rules={required(t('connector.name'))}>
              <Input maxLength={100} placeholder={t('connector.namePlaceholder')} data-testid="connector-form-name" />
            </Form.Item>
          </Col>
          <Col span={10}>
            <Form.Item name="kind" label={t('connector.kind')}>
              <Radio.Group optionType="button" disabled={!!connector} data-testid="connector-form-kind">
                <Radio.Button value="postgres">
                  <span data-testid="connector-form-kind-postgres">PostgreSQL</span>
                </Radio.Button>
                <Radio.Button value="mysql">
                  <span data-testid="connector-form-kind-mysql">MySQL</span>
                </Radio.Button>
                <Radio.Button value="http">
                  <span data-testid="connector-form-kind-http">HTTP</span>
                </Radio.Button>
              </Radio.Group>
            </Form.Item>
          </Col>
        </Row>

        {kind !== 'http' ? (
          <>
            <Divider titlePlacement="start">{t('connector.sectionDatabase')}</Divider>
            <Row gutter={16}>
              <Col span={16}>
                <Form.Item name="host" label={t('connector.host')} rules={required(t('connector.host'))} extra={t('connector.hostHelp')}>
                  <Input placeholder="10.20.1.15" data-testid="connector-form-host" />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name="port" label={t('connector.port')} rules={[{ required: true, message: t('connector.required', { field: t('connector.port') }) }]}>
                  <InputNumber min={1} max={65535} style={{ width: '100%' }} data-testid="connector-form-port" />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name="database" label={t('connector.database')} rules={required(t('connector.database'))}>
                  <Input data-testid="connector-form-database" />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name="user" label={t('connector.user')} rules={required(t('connector.user'))}>
                  <Input autoComplete="off" data-testid="connector-form-user" />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name="password" label={<Space><LockOutlined />{t('connector.password')}</Space>}>
                  <Input.Password autoComplete="new-password" placeholder={keepHint} disabled={clearSecret} data-testid="connector-form-password" />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="ssl" label={t('connector.ssl')} valuePropName="checked" extra={t('connector.sslHelp')}>
              <Switch data-testid="connector-form-ssl" />
            </Form.Item>
            <Form.Item name="source" label={t('connector.source')}>
              <Radio.Group data-testid="connector-form-source">
                <Radio value="table">
                  <span data-testid="connector-form-source-table">{t('connector.sourceTable')}</span>
                </Radio>
                <Radio value="query">
                  <span data-testid="connector-form-source-query">{t('connector.sourceQuery')}</span>
                </Radio>
              </Radio.Group>
            </Form.Item>
            {source === 'query' ? (
              <Form.Item name="query" label={t('connector.query')} rules={required(t('connector.query'))} extra={t('connector.queryHelp')}>
                <Input.TextArea rows={4} className="mono" placeholder="select id_no, name, updated_at from persons" data-testid="connector-form-query" />
              </Form.Item>
            ) : (
              <Form.Item name="table" label={t('connector.table')} rules={required(t('connector.table'))}>
                <Input className="mono" placeholder="public.persons" data-testid="connector-form-table" />
              </Form.Item>
            )}
            <Form.Item name="watermarkColumn" label={t('connector.watermarkColumn')} extra={t('connector.watermarkColumnHelp')}>
              <Input className="mono" placeholder="updated_at" data-testid="connector-form-watermark" />
            </Form.Item>
            <Row gutter={12}>
              <Col span={12}>
                <Form.Item name="batchSize" label={t('connector.batchSize')}>
                  <InputNumber min={100} max={10_000} placeholder="1000" style={{ width: '100%' }} data-testid="connector-form-batch-size" />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="timeoutSeconds" label={t('connector.queryTimeout')}>
                  <InputNumber min={1} max={3600} placeholder="600" suffix={t('connector.seconds')} style={{ width: '100%' }} data-testid="connector-form-query-timeout" />
                </Form.Item>
              </Col>
            </Row>
          </>
        ) : (
          <>
            <Divider titlePlacement="start">{t('connector.sectionHttp')}</Divider>
            <Form.Item name="url" label={t('connector.url')} rules={[...required(t('connector.url')), { type: 'url', message: t('api.urlInvalid') }]} extra={t('connector.hostHelp')}>
              <Input className="mono" placeholder="https://api.example.gov.cn/v1/records" prefix={<Typography.Text type="secondary">GET</Typography.Text>} data-testid="connector-form-url" />
            </Form.Item>
            <Form.Item label={t('api.headers')}>
              <KeyValueList name="headers" keyPlaceholder={t('api.headerName')} valuePlaceholder={t('api.headerValue')} addLabel={t('api.headerAdd')} testId="connector-form-headers" />
            </Form.Item>
            <Form.Item label={<Space><LockOutlined />{t('api.secretHeader')}</Space>} extra={t('api.secretHelp')}>
              <Space wrap>
                <Form.Item name="secretName" noStyle>
                  <Input placeholder={t('api.secretName')} style={{ width: 200 }} data-testid="connector-form-secret-name" />
                </Form.Item>
                <Form.Item name="secretValue" noStyle>
                  <Input.Password placeholder={keepHint ?? t('api.secretValue')} autoComplete="new-password" style={{ width: 260 }} disabled={clearSecret} data-testid="connector-form-secret-value" />
                </Form.Item>
              </Space>
            </Form.Item>
            <Row gutter={16}>
              <Col span={12}>
                <Form.Item name="itemsPath" label={t('connector.itemsPath')} rules={required(t('connector.itemsPath'))} extra={t('connector.itemsPathHelp')}>
                  <Input className="mono" placeholder="data.items" data-testid="connector-form-items-path" />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="pagingStyle" label={t('connector.paging')}>
                  <Select
                    data-testid="connector-form-paging"
                    options={[
                      { value: 'none', label: t('connector.paging.none') },
                      { value: 'page', label: t('connector.paging.page') },
                      { value: 'offset', label: t('connector.paging.offset') },
                      { value: 'cursor', label: t('connector.paging.cursor') },
                    ]}
                  />
                </Form.Item>
              </Col>
            </Row>
            {pagingStyle !== 'none' && (
              <Row gutter={16}>
                {pagingStyle === 'page' && (
                  <>
                    <Col span={8}>
                      <Form.Item name="pageParam" label={t('connector.pageParam')}>
                        <Input className="mono" placeholder="page" data-testid="connector-form-page-param" />
                      </Form.Item>
                    </Col>
                    <Col span={8}>
                      <Form.Item name="firstPage" label={t('connector.firstPage')}>
                        <Select<number> allowClear placeholder="1" options={[{ value: 1, label: '1' }, { value: 0, label: '0' }]} data-testid="connector-form-first-page" />
                      </Form.Item>
                    </Col>
                  </>
                )}
                {pagingStyle === 'offset' && (
                  <Col span={8}>
                    <Form.Item name="offsetParam" label={t('connector.offsetParam')}>
                      <Input className="mono" placeholder="offset" data-testid="connector-form-offset-param" />
                    </Form.Item>
                  </Col>
                )}
                {pagingStyle === 'cursor' && (
                  <>
                    <Col span={8}>
                      <Form.Item name="cursorParam" label={t('connector.cursorParam')}>
                        <Input className="mono" placeholder="cursor" data-testid="connector-form-cursor-param" />
                      </Form.Item>
                    </Col>
                    <Col span={8}>
                      <Form.Item name="nextCursorPath" label={t('connector.nextCursorPath')} rules={required(t('connector.nextCursorPath'))}>
                        <Input className="mono" placeholder="data.next" data-testid="connector-form-next-cursor" />
                      </Form.Item>
                    </Col>
                  </>
                )}
                <Col span={8}>
                  <Form.Item name="sizeParam" label={t('connector.sizeParam')}>
                    <Input className="mono" placeholder="pageSize" data-testid="connector-form-size-param" />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="pageSize" label={t('connector.pageSize')}>
                    <InputNumber min={1} max={10_000} style={{ width: '100%' }} placeholder="100" data-testid="connector-form-page-size" />
                  </Form.Item>
                </Col>
                <Col span={8}>
                  <Form.Item name="maxPages" label={t('connector.maxPages')}>
                    <InputNumber min={1} max={100_000} style={{ width: '100%' }} data-testid="connector-form-max-pages" />
                  </Form.Item>
                </Col>
              </Row>
            )}
            <Row gutter={16}>
              <Col span={8}>
                <Form.Item name="watermarkParam" label={t('connector.watermarkParam')} dependencies={['watermarkField']} rules={[pairedWith('watermarkField')]}>
                  <Input className="mono" placeholder="updatedSince" data-testid="connector-form-watermark-param" />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name="watermarkField" label={t('connector.watermarkField')} dependencies={['watermarkParam']} rules={[pairedWith('watermarkParam')]}>
                  <Input className="mono" placeholder="updatedAt" data-testid="connector-form-watermark-field" />
                </Form.Item>
              </Col>
              <Col span={8}>
                <Form.Item name="timeoutSeconds" label={t('connector.timeoutSeconds')}>
                  <InputNumber min={1} max={300} placeholder="30" suffix={t('connector.seconds')} style={{ width: '100%' }} data-testid="connector-form-timeout" />
                </Form.Item>
              </Col>
            </Row>
            <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>{t('connector.watermarkParamHelp')}</Typography.Paragraph>
          </>
        )}
        {connector?.hasSecret && (
          <Form.Item name="clearSecret" valuePropName="checked">
            <Checkbox data-testid="connector-form-secret-clear">{kind === 'http' ? t('api.secretClear') : t('connector.passwordClear')}</Checkbox>
          </Form.Item>
        )}

        <Divider titlePlacement="start">{t('connector.sectionMapping')}</Divider>
        <Typography.Paragraph type="secondary">{t('connector.mappingHelp')}</Typography.Paragraph>
        <Form.Item>
          <KeyValueList
            name="columns"
            keyPlaceholder={t('connector.mappingSource')}
            valuePlaceholder={t('connector.mappingTarget')}
            addLabel={t('connector.mappingAdd')}
            testId="connector-form-columns"
            valueInput={(i) => <Select options={targetOptions} placeholder={t('connector.mappingTarget')} style={{ width: 260 }} showSearch data-testid={`connector-form-columns-value-${i}`} />}
          />
        </Form.Item>

        <Divider titlePlacement="start">{t('connector.sectionSchedule')}</Divider>
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="scheduled" label={t('connector.scheduled')} valuePropName="checked">
              <Switch data-testid="connector-form-scheduled" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="intervalMinutes" label={t('connector.interval')} rules={scheduled ? [{ required: true, message: t('connector.required', { field: t('connector.interval') }) }] : []}>
              <InputNumber min={1} max={525_600} disabled={!scheduled} suffix={t('connector.minutes')} style={{ width: '100%' }} data-testid="connector-form-interval" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="enabled" label={t('connector.enabled')} valuePropName="checked">
              <Switch data-testid="connector-form-enabled" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="mode" label={t('load.mode')}>
              <Select<LoadMode>
                data-testid="connector-form-mode"
                options={[
                  { value: 'upsert', label: t('connector.mode.upsert') },
                  { value: 'replace', label: t('connector.mode.replace') },
                ]}
              />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="maxErrors" label={t('connector.maxErrors')} extra={t('connector.maxErrorsHelp')}>
              <InputNumber min={0} max={1_000_000} style={{ width: '100%' }} data-testid="connector-form-max-errors" />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="maxAttempts" label={t('connector.maxAttempts')} extra={t('connector.maxAttemptsHelp')}>
              <InputNumber min={1} max={20} style={{ width: '100%' }} data-testid="connector-form-max-attempts" />
            </Form.Item>
          </Col>
        </Row>
        {connector && connector.watermark !== null && connector.watermark !== undefined && (
          <Form.Item name="resetWatermark" valuePropName="checked" extra={t('connector.resetWatermarkHelp', { watermark: watermarkText(connector.watermark) })}>
            <Checkbox data-testid="connector-form-reset-watermark">{t('connector.resetWatermark')}</Checkbox>
          </Form.Item>
        )}
      </Form>
    </Drawer>
  );
}

function PagingSummary({ paging }: { paging: HttpPaging | undefined }) {
  const { t } = useI18n();
  if (!paging) return <>{t('connector.paging.none')}</>;
  const param = paging.style === 'page' ? paging.pageParam : paging.style === 'offset' ? paging.offsetParam : paging.cursorParam;
  return (
    <span>
      {t(`connector.paging.${paging.style}`)}{' '}
      <span className="mono">
        {param ?? ''}
        {paging.sizeParam ? ` · ${paging.sizeParam}=${paging.pageSize ?? ''}` : ''}
        {paging.style === 'page' && paging.firstPage !== undefined ? ` · ${t('connector.firstPage')} ${paging.firstPage}` : ''}
      </span>
    </span>
  );
}

function watermarkText(w: string | null | undefined | unknown): string {
  if (w === null || w === undefined || w === '') return '—';
  return typeof w === 'string' || typeof w === 'number' ? String(w) : JSON.stringify(w);
}

function ScheduleDialog({ connector, onClose, onDone }: { connector: Connector; onClose: () => void; onDone: (c: Connector) => void }) {
  const { t } = useI18n();
  const { errorText } = useFeedback();
  const [scheduled, setScheduled] = useState(connector.intervalMinutes !== null);
  const [minutes, setMinutes] = useState<number | null>(connector.intervalMinutes ?? 60);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    if (scheduled && !minutes) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await connectorApi.update(connector.id, { intervalMinutes: scheduled ? minutes : null }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('connector.scheduleTitle', { name: connector.name })}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      okButtonProps={buttonTestId('connector-schedule-submit')}
      confirmLoading={busy}
      onOk={() => void save()}
      onCancel={onClose}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Space orientation="vertical">
        <Space>
          <Switch checked={scheduled} onChange={setScheduled} data-testid="connector-schedule-on" />
          {scheduled ? t('connector.scheduled') : t('connector.manualOnly')}
        </Space>
        <Space>
          {t('connector.interval')}
          <InputNumber min={1} max={525_600} value={minutes} disabled={!scheduled} onChange={(v) => setMinutes(v)} suffix={t('connector.minutes')} data-testid="connector-schedule-interval" />
        </Space>
      </Space>
    </Modal>
  );
}

/** The sample a test read: the source's columns and at most five rows. Nothing is written. */
function TestResultModal({ connector, result, error, onClose }: { connector: Connector; result: ConnectorTestResult | null; error: string | null; onClose: () => void }) {
  const { t, lang } = useI18n();
  const ok = !!result?.ok && !error;
  const message = result ? (lang === 'zh' ? result.messageZh || result.message : result.message || result.messageZh) : undefined;
  // The sample is as it would be loaded (mapped to the resource's columns); `columns` are the source's.
  const sampleColumns = [...new Set((result?.sample ?? []).flatMap((r) => Object.keys(r)))];
  return (
    <Modal open width={900} title={t('connector.testTitle', { name: connector.name })} footer={<Button onClick={onClose}>{t('common.close')}</Button>} onCancel={onClose}>
      <div data-testid="connector-test-result" data-ok={String(ok)}>
        <Alert
          type={ok ? 'success' : 'error'}
          showIcon
          title={ok ? t('connector.testOk') : t('connector.testFailed')}
          description={
            error ?? (message || result?.code ? (
              <span data-testid="connector-test-message">
                {message} {result?.code && <Typography.Text type="secondary" className="mono">{result.code}</Typography.Text>}
              </span>
            ) : undefined)
          }
          style={{ marginBottom: 16 }}
        />
        {result && result.columns.length > 0 && (
          <Typography.Paragraph data-testid="connector-test-columns">
            {t('connector.testColumns')}{' '}
            {result.columns.map((c) => (
              <Tag key={c} className="mono">{c}</Tag>
            ))}
          </Typography.Paragraph>
        )}
        {result && result.sample.length > 0 && (
          <>
            <Typography.Text type="secondary">{t('connector.testSample')}</Typography.Text>
            <Table<Record<string, unknown>>
              rowKey={(_, i) => String(i)}
              size="small"
              pagination={false}
              dataSource={result.sample}
              scroll={{ x: Math.max(600, sampleColumns.length * 140) }}
              style={{ marginTop: 8 }}
              data-testid="connector-test-sample"
              columns={sampleColumns.map((c) => ({
                key: c,
                title: <span className="mono">{c}</span>,
                dataIndex: c,
                ellipsis: true,
                render: (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v)),
              }))}
            />
          </>
        )}
      </div>
    </Modal>
  );
}

/** A connector's runs, newest first; polls while one is queued or running. */
function RunsTable({ connector, reloadKey }: { connector: Connector; reloadKey: number }) {
  const { t, lang } = useI18n();
  const [page, setPage] = useState(1);
  const [tick, setTick] = useState(0);
  const { data, error, loading, reload } = useAsync(() => connectorApi.runs(connector.id, { page, pageSize: 10 }), [connector.id, page, reloadKey, tick]);
  const delay = pollDelay((data?.items ?? []).map((r) => r.status));
  useEffect(() => {
    if (delay === null) return;
    const timer = window.setTimeout(() => setTick((x) => x + 1), delay);
    return () => window.clearTimeout(timer);
  }, [delay, data]);

  const columns: TableColumnsType<ConnectorRun> = [
    { title: t('run.startedAt'), key: 'startedAt', width: 170, render: (_, r) => (r.startedAt ? formatTime(r.startedAt) : <Typography.Text type="secondary">{t('run.queuedAt', { time: formatTime(r.queuedAt) })}</Typography.Text>) },
    { title: t('run.trigger'), dataIndex: 'trigger', width: 90, render: (v: string) => <Tag>{t(`run.trigger.${v}` as MessageKey) === `run.trigger.${v}` ? v : t(`run.trigger.${v}` as MessageKey)}</Tag> },
    { title: t('run.attempt'), dataIndex: 'attempt', width: 70, align: 'right' },
    { title: t('load.status'), dataIndex: 'status', width: 100, render: (s: string, r) => <RunStatusTag status={s} testId={`run-status-${r.id}`} /> },
    {
      title: t('run.error'),
      key: 'error',
      width: 300,
      render: (_, r) => (
        <Space orientation="vertical" size={0}>
          {r.error && (
            <span data-testid={`run-error-${r.id}`}>
              <Typography.Text type="danger">{lang === 'zh' ? r.error.messageZh || r.error.message : r.error.message || r.error.messageZh}</Typography.Text>{' '}
              <Typography.Text type="secondary" className="mono">{r.error.code}</Typography.Text>
            </span>
          )}
          {r.nextRetryAt && (
            <Typography.Text type="warning" data-testid={`run-retry-${r.id}`}>
              <ClockCircleOutlined /> {t('run.nextRetry', { time: formatTime(r.nextRetryAt) })}
            </Typography.Text>
          )}
          {!r.error && !r.nextRetryAt && '—'}
        </Space>
      ),
    },
    { title: t('load.rowsRead'), dataIndex: 'rowsRead', width: 90, align: 'right', render: (v: number | null) => v ?? '—' },
    { title: t('load.inserted'), dataIndex: 'inserted', width: 70, align: 'right', render: (v: number | null) => v ?? '—' },
    { title: t('load.updated'), dataIndex: 'updated', width: 70, align: 'right', render: (v: number | null) => v ?? '—' },
    { title: t('load.rejected'), dataIndex: 'rejected', width: 70, align: 'right', render: (v: number | null) => (v ? <Typography.Text type="danger">{v}</Typography.Text> : (v ?? '—')) },
    {
      title: t('run.load'),
      dataIndex: 'loadId',
      width: 90,
      render: (v: string | null) =>
        v ? (
          <Link to={`/resources/${connector.resourceId}?tab=loads&load=${v}`} data-testid={`run-load-${v}`}>
            {t('run.loadLink')}
          </Link>
        ) : (
          '—'
        ),
    },
    {
      title: t('run.watermark'),
      key: 'watermark',
      width: 220,
      render: (_, r) => (
        <>
          {r.watermarkFrom === null && r.watermarkTo === null ? '—' : <span className="mono">{watermarkText(r.watermarkFrom)} → {watermarkText(r.watermarkTo)}</span>}
          {r.watermarkHeld && (
            <Tooltip title={lang === 'zh' ? r.watermarkHeld.messageZh || r.watermarkHeld.message : r.watermarkHeld.message || r.watermarkHeld.messageZh}>
              <Tag color="warning" style={{ marginLeft: 4 }} data-testid="run-watermark-held">
                {t('run.watermarkHeld')}
              </Tag>
            </Tooltip>
          )}
        </>
      ),
    },
    { title: t('load.finishedAt'), dataIndex: 'finishedAt', width: 170, render: formatTime },
  ];
  return (
    <div data-testid={`connector-runs-${connector.id}`}>
      <LoadError error={error} onRetry={reload} />
      <Table<ConnectorRun>
        rowKey="id"
        size="small"
        loading={loading && !data}
        columns={columns}
        dataSource={data?.items ?? []}
        locale={{ emptyText: t('run.none') }}
        scroll={{ x: 1600 }}
        onRow={(r) => rowTestId(`run-row-${r.id}`)}
        pagination={(data?.total ?? 0) > 10 ? { current: page, pageSize: 10, total: data?.total ?? 0, showSizeChanger: false, onChange: setPage } : false}
      />
    </div>
  );
}

function sourceSummary(c: Connector): string {
  const cfg = c.config;
  if (c.kind === 'http') return String(cfg.url ?? '');
  const what = str(cfg.table) ?? (str(cfg.query) ? 'SQL' : '');
  return `${String(cfg.host ?? '')}:${String(cfg.port ?? '')}/${String(cfg.database ?? '')}${what ? ` · ${what}` : ''}`;
}

/**
 * A table resource's connectors (前置机): the node pulls rows from the provider's database or paged
 * JSON API on a schedule and loads them like an upload (source "connector:<name>").
 */
export function ConnectorsPanel({ resource, canEdit, onRunEnded }: { resource: Resource; canEdit: boolean; onRunEnded?: () => void }) {
  const { t } = useI18n();
  const { ok, fail, errorText } = useFeedback();
  const [tick, setTick] = useState(0);
  const [editing, setEditing] = useState<{ connector: Connector | null } | null>(null);
  const [scheduling, setScheduling] = useState<Connector | null>(null);
  const [testing, setTesting] = useState<string | null>(null);
  const [tested, setTested] = useState<{ connector: Connector; result: ConnectorTestResult | null; error: string | null } | null>(null);
  const [running, setRunning] = useState<string | null>(null);
  const [expanded, setExpanded] = useState<readonly Key[]>([]);
  const { data, error, loading, reload } = useAsync(() => connectorApi.list({ resourceId: resource.id, pageSize: 100 }), [resource.id, tick]);
  const refresh = () => setTick((x) => x + 1);

  // While a run is queued, in progress or waiting to retry, the list (last run, next run) follows it;
  // when one ends, the resource (row count, preview, load history) is read again.
  const delay = pollDelay((data?.items ?? []).flatMap((c) => (c.lastRun ? [c.lastRun.status] : [])));
  useEffect(() => {
    if (delay === null) return;
    const timer = window.setTimeout(refresh, delay);
    return () => window.clearTimeout(timer);
  }, [delay, data]);
  const wasActive = useRef(new Set<string>());
  useEffect(() => {
    if (!data) return;
    const now = new Set(data.items.filter((c) => c.lastRun && ACTIVE.has(c.lastRun.status)).map((c) => c.id));
    const ended = [...wasActive.current].some((id) => !now.has(id));
    wasActive.current = now;
    if (ended) onRunEnded?.();
  }, [data]);

  if (error instanceof ApiError && error.status === 404 && error.code !== 'RESOURCE_NOT_FOUND') {
    return <Alert type="info" showIcon title={t('connector.unavailable')} data-testid="connectors-unavailable" />;
  }
  if (error instanceof ApiError && error.status === 403) {
    return <Alert type="info" showIcon title={t('connector.forbidden')} data-testid="connectors-forbidden" />;
  }

  const test = async (c: Connector) => {
    setTesting(c.id);
    try {
      setTested({ connector: c, result: await connectorApi.test(c.id), error: null });
    } catch (e) {
      setTested({ connector: c, result: null, error: errorText(e) });
    } finally {
      setTesting(null);
    }
  };
  const run = async (c: Connector) => {
    setRunning(c.id);
    try {
      await connectorApi.run(c.id);
      // Followed from now: a run that ends before the list is read again still counts as ended.
      wasActive.current.add(c.id);
      ok(t('connector.runQueued', { name: c.name }));
      setExpanded((keys) => (keys.includes(c.id) ? keys : [...keys, c.id]));
      refresh();
    } catch (e) {
      fail(e);
    } finally {
      setRunning(null);
    }
  };
  const toggle = async (c: Connector, enabled: boolean) => {
    try {
      await connectorApi.update(c.id, { enabled });
      ok(enabled ? t('connector.enabledOk', { name: c.name }) : t('connector.disabledOk', { name: c.name }));
      refresh();
    } catch (e) {
      fail(e);
    }
  };
  const remove = async (c: Connector) => {
    try {
      await connectorApi.remove(c.id);
      ok(t('connector.deleted', { name: c.name }));
      refresh();
    } catch (e) {
      fail(e);
    }
  };

  const columns: TableColumnsType<Connector> = [
    { title: t('connector.name'), dataIndex: 'name', render: (v: string) => <strong>{v}</strong> },
    { title: t('connector.kind'), dataIndex: 'kind', width: 100, render: (v: string) => <Tag color="geekblue">{v}</Tag> },
    {
      title: t('connector.source'),
      key: 'source',
      ellipsis: true,
      render: (_, c) => (
        <Space size={4}>
          <span className="mono" title={sourceSummary(c)}>{sourceSummary(c)}</span>
          {c.hasSecret && (
            <Tooltip title={t('connector.hasSecret')}>
              <LockOutlined data-testid={`connector-has-secret-${c.id}`} />
            </Tooltip>
          )}
        </Space>
      ),
    },
    {
      title: t('connector.schedule'),
      key: 'schedule',
      width: 150,
      render: (_, c) => (
        <Space size={4}>
          <span data-testid={`connector-schedule-${c.id}`}>{c.intervalMinutes ? t('connector.every', { n: c.intervalMinutes }) : t('connector.manualOnly')}</span>
          {canEdit && <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setScheduling(c)} aria-label={t('connector.scheduleEdit')} data-testid={`connector-schedule-edit-${c.id}`} />}
        </Space>
      ),
    },
    {
      title: t('connector.enabled'),
      dataIndex: 'enabled',
      width: 80,
      render: (v: boolean, c) => <Switch size="small" checked={v} disabled={!canEdit} onChange={(on) => void toggle(c, on)} data-testid={`connector-enabled-${c.id}`} />,
    },
    {
      title: t('connector.lastRun'),
      key: 'lastRun',
      width: 200,
      render: (_, c) =>
        c.lastRun ? (
          <Space size={4} wrap>
            <RunStatusTag status={c.lastRun.status} testId={`connector-last-status-${c.id}`} />
            <Typography.Text type="secondary">{formatTime(c.lastRun.finishedAt ?? c.lastRun.startedAt)}</Typography.Text>
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('connector.neverRun')}</Typography.Text>
        ),
    },
    { title: t('connector.nextRunAt'), dataIndex: 'nextRunAt', width: 170, render: (v: string | null, c) => (c.enabled && v ? formatTime(v) : '—') },
    {
      title: t('connector.watermark'),
      dataIndex: 'watermark',
      width: 160,
      ellipsis: true,
      render: (v: unknown) => <span className="mono">{watermarkText(v)}</span>,
    },
    ...(canEdit
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 330,
            fixed: 'right' as const,
            render: (_: unknown, c: Connector) => (
              <Space size={0} wrap>
                <Button type="link" size="small" icon={<ExperimentOutlined />} loading={testing === c.id} onClick={() => void test(c)} data-testid={`connector-test-${c.id}`}>
                  {t('connector.test')}
                </Button>
                <Button type="link" size="small" icon={<PlayCircleOutlined />} loading={running === c.id} onClick={() => void run(c)} data-testid={`connector-run-${c.id}`}>
                  {t('connector.run')}
                </Button>
                <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing({ connector: c })} data-testid={`connector-edit-${c.id}`}>
                  {t('common.edit')}
                </Button>
                <Popconfirm
                  title={t('connector.deleteConfirm', { name: c.name })}
                  okText={t('common.delete')}
                  okButtonProps={{ danger: true, ...buttonTestId(`connector-delete-confirm-${c.id}`) }}
                  cancelText={t('common.cancel')}
                  onConfirm={() => remove(c)}
                >
                  <Button type="link" size="small" danger data-testid={`connector-delete-${c.id}`}>
                    {t('common.delete')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]
      : []),
  ];

  return (
    <div data-testid="resource-connectors">
      <Typography.Paragraph type="secondary">{t('connector.intro')}</Typography.Paragraph>
      <Space style={{ marginBottom: 12 }}>
        {canEdit && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ connector: null })} data-testid="connector-create">
            {t('connector.create')}
          </Button>
        )}
        <Button icon={<ReloadOutlined />} onClick={reload} data-testid="connectors-refresh">
          {t('common.refresh')}
        </Button>
      </Space>
      <LoadError error={error} onRetry={reload} />
      <Table<Connector>
        rowKey="id"
        size="small"
        loading={loading && !data}
        columns={columns}
        dataSource={data?.items ?? []}
        locale={{ emptyText: t('connector.none') }}
        scroll={{ x: 1500 }}
        pagination={false}
        onRow={(c) => rowTestId(`connector-row-${c.id}`)}
        data-testid="connectors"
        expandable={{
          expandedRowKeys: expanded,
          onExpandedRowsChange: (keys) => setExpanded(keys),
          expandedRowRender: (c) => (
            <>
              <ConnectorDetails connector={c} />
              <Typography.Title level={5} style={{ marginTop: 12 }}>{t('run.history')}</Typography.Title>
              <RunsTable connector={c} reloadKey={tick} />
            </>
          ),
        }}
      />
      {editing && (
        <ConnectorDrawer
          resource={resource}
          connector={editing.connector}
          onClose={() => setEditing(null)}
          onDone={(c) => {
            ok(editing.connector ? t('connector.updated', { name: c.name }) : t('connector.created', { name: c.name }));
            setEditing(null);
            refresh();
          }}
        />
      )}
      {scheduling && (
        <ScheduleDialog
          connector={scheduling}
          onClose={() => setScheduling(null)}
          onDone={(c) => {
            ok(t('connector.updated', { name: c.name }));
            setScheduling(null);
            refresh();
          }}
        />
      )}
      {tested && <TestResultModal connector={tested.connector} result={tested.result} error={tested.error} onClose={() => setTested(null)} />}
    </div>
  );
}

/** The connector's settings as registered (the password or secret header value never comes back). */
function ConnectorDetails({ connector: c }: { connector: Connector }) {
  const { t } = useI18n();
  const cfg = c.config;
  const columns = cfg.columns && typeof cfg.columns === 'object' ? Object.entries(cfg.columns as Record<string, unknown>) : [];
  const items = [
    ...(c.kind === 'http'
      ? [
          { key: 'url', label: t('connector.url'), children: <span className="mono">{String(cfg.url ?? '')}</span> },
          { key: 'itemsPath', label: t('connector.itemsPath'), children: <span className="mono">{String(cfg.itemsPath ?? '—')}</span> },
          { key: 'paging', label: t('connector.paging'), children: <PagingSummary paging={cfg.paging as HttpPaging | undefined} /> },
          {
            key: 'secret',
            label: t('api.secretHeader'),
            children: (
              <span data-testid={`connector-secret-${c.id}`}>
                {str(cfg.secretHeader) ? <span className="mono">{String(cfg.secretHeader)}: </span> : null}
                {c.hasSecret ? <Tag icon={<LockOutlined />} color="green">{t('api.secretSet')}</Tag> : <Tag>{t('api.secretNone')}</Tag>}
              </span>
            ),
          },
        ]
      : [
          { key: 'db', label: t('connector.database'), children: <span className="mono">{`${String(cfg.user ?? '')}@${String(cfg.host ?? '')}:${String(cfg.port ?? '')}/${String(cfg.database ?? '')}`}</span> },
          {
            key: 'src',
            label: str(cfg.query) ? t('connector.query') : t('connector.table'),
            children: <span className="mono" style={{ whiteSpace: 'pre-wrap' }}>{String(cfg.query ?? cfg.table ?? '')}</span>,
          },
          { key: 'wm', label: t('connector.watermarkColumn'), children: <span className="mono">{String(cfg.watermarkColumn ?? '—')}</span> },
          {
            key: 'secret',
            label: t('connector.password'),
            children: <span data-testid={`connector-secret-${c.id}`}>{c.hasSecret ? <Tag icon={<LockOutlined />} color="green">{t('api.secretSet')}</Tag> : <Tag>{t('api.secretNone')}</Tag>}</span>,
          },
        ]),
    { key: 'mode', label: t('load.mode'), children: t(c.mode === 'replace' ? 'connector.mode.replace' : 'connector.mode.upsert') },
    { key: 'limits', label: t('connector.limits'), children: t('connector.limitsValue', { errors: c.maxErrors, attempts: c.maxAttempts }) },
    {
      key: 'columns',
      label: t('connector.sectionMapping'),
      children: columns.length ? (
        <Space wrap size={4}>
          {columns.map(([from, to]) => (
            <Tag key={from} className="mono">{from} → {String(to)}</Tag>
          ))}
        </Space>
      ) : (
        t('connector.mappingSame')
      ),
    },
    { key: 'updated', label: t('field.updatedAt'), children: formatTime(c.updatedAt) },
  ];
  return <Descriptions size="small" bordered column={{ xs: 1, md: 2 }} items={items} data-testid={`connector-details-${c.id}`} />;
}
