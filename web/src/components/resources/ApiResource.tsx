import { useState } from 'react';
import { Alert, Button, Card, Checkbox, Descriptions, Form, Input, InputNumber, Modal, Select, Space, Tag, Typography } from 'antd';
import { EditOutlined, LockOutlined, SendOutlined } from '@ant-design/icons';
import { ApiError, resourceApi, type ApiResourceConfig, type ApiResourceInput, type ApiResourcePatch, type HttpMethod, type InvokeResult, type Resource } from '../../api';
import { useI18n } from '../../i18n';
import { useFeedback } from '../../hooks/useFeedback';
import { buttonTestId } from '../../lib/testid';
import { KeyValueList, pairsToRecord, recordToPairs, type Pair } from './KeyValueList';

export interface ApiFormValues {
  url: string;
  method: HttpMethod;
  headers?: Pair[];
  secretName?: string;
  secretValue?: string;
  clearSecret?: boolean;
  timeoutMs?: number | null;
}

export function apiFormInitial(config: ApiResourceConfig | null | undefined): ApiFormValues {
  if (!config) return { url: '', method: 'GET', headers: [] };
  return {
    url: config.url,
    method: config.method,
    headers: recordToPairs(config.headers),
    secretName: config.secretHeaderName ?? '',
    secretValue: '',
    clearSecret: false,
    timeoutMs: config.timeoutMs ?? null,
  };
}

/** The body of POST /catalogs/{id}/resources for kind 'api'. */
export function apiInputOf(v: ApiFormValues): ApiResourceInput {
  const name = (v.secretName ?? '').trim();
  const value = v.secretValue ?? '';
  return {
    url: v.url.trim(),
    method: v.method,
    headers: pairsToRecord(v.headers),
    ...(name && value ? { secretHeader: { name, value } } : {}),
    ...(v.timeoutMs ? { timeoutMs: v.timeoutMs } : {}),
  };
}

/** PATCH /resources/{id}/api: the secret is sent only when typed anew or cleared; empty keeps it. */
export function apiPatchOf(v: ApiFormValues): ApiResourcePatch {
  const name = (v.secretName ?? '').trim();
  const value = v.secretValue ?? '';
  return {
    url: v.url.trim(),
    method: v.method,
    headers: pairsToRecord(v.headers),
    ...(v.clearSecret ? { secretHeader: null } : name && value ? { secretHeader: { name, value } } : {}),
    ...(v.timeoutMs ? { timeoutMs: v.timeoutMs } : {}),
  };
}

const isHttpUrl = (s: string): boolean => {
  try {
    const u = new URL(s.trim());
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

/**
 * The upstream's fields inside a Form: URL, method, headers, one secret header (its value is write-only:
 * a registered one shows as "set", and stays unless a new value is typed or it is cleared), timeout.
 */
export function ApiConfigFields({ existing }: { existing?: ApiResourceConfig | null }) {
  const { t } = useI18n();
  const form = Form.useFormInstance<ApiFormValues>();
  const clear = Form.useWatch('clearSecret', form) as boolean | undefined;
  return (
    <>
      <Form.Item label={t('api.url')} required extra={t('api.urlHelp')}>
        <Space.Compact style={{ width: '100%' }}>
          <Form.Item name="method" noStyle>
            <Select<HttpMethod> style={{ width: 100 }} options={[{ value: 'GET', label: 'GET' }, { value: 'POST', label: 'POST' }]} data-testid="api-form-method" />
          </Form.Item>
          <Form.Item
            name="url"
            noStyle
            rules={[
              { required: true, whitespace: true, message: t('api.urlRequired') },
              { validator: (_, v: string | undefined) => (!v || isHttpUrl(v) ? Promise.resolve() : Promise.reject(new Error(t('api.urlInvalid')))) },
            ]}
          >
            <Input placeholder="https://api.example.gov.cn/v1/licences" data-testid="api-form-url" />
          </Form.Item>
        </Space.Compact>
      </Form.Item>
      <Form.Item label={t('api.headers')}>
        <KeyValueList name="headers" keyPlaceholder={t('api.headerName')} valuePlaceholder={t('api.headerValue')} addLabel={t('api.headerAdd')} testId="api-form-headers" />
      </Form.Item>
      <Form.Item label={<Space><LockOutlined />{t('api.secretHeader')}</Space>} extra={t('api.secretHelp')} style={{ marginBottom: 8 }}>
        <Space wrap>
          <Form.Item name="secretName" noStyle>
            <Input placeholder={t('api.secretName')} style={{ width: 200 }} disabled={clear} data-testid="api-form-secret-name" />
          </Form.Item>
          <Form.Item
            name="secretValue"
            noStyle
            dependencies={['secretName']}
            rules={[
              ({ getFieldValue }) => ({
                validator: (_, v: string | undefined) => {
                  const name = ((getFieldValue('secretName') as string | undefined) ?? '').trim();
                  const renamed = name.toLowerCase() !== (existing?.secretHeaderName ?? '').toLowerCase();
                  // A new name needs its value; the one registered keeps its value when left empty.
                  if (name && !v && (renamed || !existing?.hasSecret) && !getFieldValue('clearSecret')) return Promise.reject(new Error(t('api.secretValueRequired')));
                  return Promise.resolve();
                },
              }),
            ]}
          >
            <Input.Password
              placeholder={existing?.hasSecret ? t('api.secretKeep') : t('api.secretValue')}
              style={{ width: 260 }}
              autoComplete="new-password"
              disabled={clear}
              data-testid="api-form-secret-value"
            />
          </Form.Item>
        </Space>
      </Form.Item>
      {existing?.hasSecret && (
        <Form.Item name="clearSecret" valuePropName="checked" style={{ marginBottom: 8 }}>
          <Checkbox data-testid="api-form-secret-clear">{t('api.secretClear')}</Checkbox>
        </Form.Item>
      )}
      <Form.Item name="timeoutMs" label={t('api.timeout')}>
        <InputNumber min={100} max={60_000} step={1000} placeholder="10000" style={{ width: 160 }} suffix="ms" data-testid="api-form-timeout" />
      </Form.Item>
    </>
  );
}

function EditApiDialog({ resource, onClose, onDone }: { resource: Resource; onClose: () => void; onDone: (r: Resource) => void }) {
  const { t } = useI18n();
  const { errorText } = useFeedback();
  const [form] = Form.useForm<ApiFormValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      onDone(await resourceApi.updateApi(resource.id, apiPatchOf(v)));
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
      title={t('api.editTitle')}
      okText={t('common.save')}
      okButtonProps={buttonTestId('api-edit-submit')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="api-edit-error" />}
      <Form form={form} layout="vertical" initialValues={apiFormInitial(resource.api)}>
        <ApiConfigFields existing={resource.api} />
      </Form>
    </Modal>
  );
}

/** An api resource's registered upstream. The secret header's value is never sent to the portal. */
export function ApiConfigCard({ resource, canEdit, onChanged }: { resource: Resource; canEdit: boolean; onChanged: () => void }) {
  const { t } = useI18n();
  const { ok } = useFeedback();
  const [editing, setEditing] = useState(false);
  const api = resource.api;
  return (
    <Card
      title={t('api.config')}
      style={{ marginBottom: 16 }}
      extra={
        canEdit && api ? (
          <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="api-edit">
            {t('common.edit')}
          </Button>
        ) : null
      }
      data-testid="api-config"
    >
      {!api ? (
        <Typography.Text type="secondary">{t('api.configHidden')}</Typography.Text>
      ) : (
        <Descriptions
          bordered
          size="small"
          column={1}
          items={[
            {
              key: 'url',
              label: t('api.url'),
              children: (
                <Space>
                  <Tag color="blue" data-testid="api-config-method">{api.method}</Tag>
                  <Typography.Text className="mono" copyable data-testid="api-config-url">{api.url}</Typography.Text>
                </Space>
              ),
            },
            {
              key: 'headers',
              label: t('api.headers'),
              children:
                Object.keys(api.headers ?? {}).length === 0 ? (
                  '—'
                ) : (
                  <Space orientation="vertical" size={2} data-testid="api-config-headers">
                    {Object.entries(api.headers).map(([k, v]) => (
                      <span key={k} className="mono">
                        {k}: {v}
                      </span>
                    ))}
                  </Space>
                ),
            },
            {
              key: 'secret',
              label: t('api.secretHeader'),
              children: (
                <span data-testid="api-config-secret">
                  {api.secretHeaderName ? <span className="mono">{api.secretHeaderName}: </span> : null}
                  {api.hasSecret ? (
                    <Tag icon={<LockOutlined />} color="green" data-testid="api-config-has-secret">{t('api.secretSet')}</Tag>
                  ) : (
                    <Tag data-testid="api-config-no-secret">{t('api.secretNone')}</Tag>
                  )}
                </span>
              ),
            },
            { key: 'timeout', label: t('api.timeout'), children: api.timeoutMs ? `${api.timeoutMs} ms` : t('api.timeoutDefault') },
          ]}
        />
      )}
      {editing && (
        <EditApiDialog
          resource={resource}
          onClose={() => setEditing(false)}
          onDone={() => {
            setEditing(false);
            ok(t('api.updated'));
            onChanged();
          }}
        />
      )}
    </Card>
  );
}

interface InvokeFormValues {
  path?: string;
  query?: Pair[];
  body?: string;
}

const statusColor = (s: number): string => (s >= 500 ? 'red' : s >= 400 ? 'orange' : s >= 300 ? 'blue' : 'green');

/** "Try it": the node calls the upstream with the registered (secret) header and shows the answer. */
export function InvokePanel({ resource }: { resource: Resource }) {
  const { t } = useI18n();
  const { errorText } = useFeedback();
  const [form] = Form.useForm<InvokeFormValues>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<InvokeResult | null>(null);
  const [error, setError] = useState<{ code: string; text: string } | null>(null);
  const method = resource.api?.method ?? 'GET';

  const send = async () => {
    const v = await form.validateFields();
    let body: unknown;
    if (method === 'POST' && v.body?.trim()) {
      try {
        body = JSON.parse(v.body);
      } catch {
        form.setFields([{ name: 'body', errors: [t('api.bodyInvalid')] }]);
        return;
      }
    }
    const query = pairsToRecord(v.query);
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(
        await resourceApi.invoke(resource.id, {
          ...(v.path?.trim() ? { path: v.path.trim() } : {}),
          ...(Object.keys(query).length ? { query } : {}),
          ...(body !== undefined ? { body } : {}),
        }),
      );
    } catch (e) {
      setError({ code: e instanceof ApiError ? e.code : 'ERROR', text: errorText(e) });
    } finally {
      setBusy(false);
    }
  };

  const contentType = result ? (result.headers['content-type'] ?? result.headers['Content-Type'] ?? '') : '';
  const shownBody = result ? (typeof result.body === 'string' ? result.body : JSON.stringify(result.body, null, 2)) : '';

  return (
    <div data-testid="api-invoke">
      <Typography.Paragraph type="secondary">{t('api.tryHelp')}</Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item
          name="path"
          label={t('api.path')}
          rules={[{ validator: (_, v: string | undefined) => (!v || (!/^[a-z][a-z0-9+.-]*:/i.test(v.trim()) && !v.split(/[/\\]/).includes('..')) ? Promise.resolve() : Promise.reject(new Error(t('api.pathInvalid')))) }]}
        >
          <Input prefix={<Typography.Text type="secondary" className="mono">{method} {resource.api?.url ?? ''}</Typography.Text>} placeholder="items/42" data-testid="api-invoke-path" />
        </Form.Item>
        <Form.Item label={t('api.query')}>
          <KeyValueList name="query" keyPlaceholder={t('api.paramName')} valuePlaceholder={t('api.paramValue')} addLabel={t('api.paramAdd')} testId="api-invoke-query" />
        </Form.Item>
        {method === 'POST' && (
          <Form.Item name="body" label={t('api.body')}>
            <Input.TextArea rows={5} className="mono" placeholder='{"id": "..."}' data-testid="api-invoke-body" />
          </Form.Item>
        )}
        <Button type="primary" icon={<SendOutlined />} loading={busy} onClick={() => void send().catch(() => undefined)} data-testid="api-invoke-send">
          {t('api.send')}
        </Button>
      </Form>
      {error && (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 16 }}
          title={<span className="mono" data-testid="api-invoke-error-code">{error.code}</span>}
          description={error.text}
          data-testid="api-invoke-error"
        />
      )}
      {result && (
        <Card size="small" style={{ marginTop: 16 }} data-testid="api-invoke-result">
          <Space wrap style={{ marginBottom: 8 }}>
            <Tag color={statusColor(result.status)} data-testid="api-invoke-status">{result.status}</Tag>
            <span data-testid="api-invoke-latency">{t('api.latency', { ms: result.latencyMs })}</span>
            {contentType && <span className="mono">{contentType}</span>}
          </Space>
          <pre className="mono" style={{ maxHeight: 420, overflow: 'auto', background: '#fafafa', padding: 12, margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} data-testid="api-invoke-body-result">
            {shownBody}
          </pre>
        </Card>
      )}
    </div>
  );
}
