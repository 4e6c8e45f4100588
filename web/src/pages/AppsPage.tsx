import { useState } from 'react';
import { Alert, Button, Card, Collapse, Descriptions, Form, Input, Modal, Popconfirm, Space, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined, ReloadOutlined, StopOutlined } from '@ant-design/icons';
import { appApi, type AppCredential, type AppStatus, type CreatedAppCredential, type Role } from '../api';
import { useAuth } from '../auth/AuthContext';
import { useI18n } from '../i18n';
import { useAsync } from '../hooks/useAsync';
import { useFeedback } from '../hooks/useFeedback';
import { formatTime } from '../lib/format';
import { buttonTestId, rowTestId } from '../lib/testid';
import { LoadError } from '../components/LoadError';

/** Roles that hold credentials for their own organisation (security_admin only oversees). */
const HOLDER_ROLES: Role[] = ['consumer', 'catalog_editor', 'provider_approver', 'data_authority'];

const SIGNATURE_HELP = `X-Tianshu-App:       <appKey>
X-Tianshu-Timestamp: <milliseconds since epoch>
X-Tianshu-Nonce:     <random string, used once>
X-Tianshu-Signature: lowercase hex of
    HMAC-SM3(secret,
      METHOD + "\\n" +
      PATH_WITH_QUERY + "\\n" +
      TIMESTAMP + "\\n" +
      NONCE + "\\n" +
      hex(SM3(body)))`;

const SIGNATURE_EXAMPLE = `GET
/api/v1/gateway/example?page=1
1767225600000
6f1c0f1e-2b7d-4c55-9d0a-51a0c4e9b0f2
1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b`;

function CreateDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (app: CreatedAppCredential) => void }) {
  const { t } = useI18n();
  const { errorText } = useFeedback();
  const [form] = Form.useForm<{ name: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      onCreated(await appApi.create(v.name.trim()));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('apps.create')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      okButtonProps={buttonTestId('app-form-submit')}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Form form={form} layout="vertical" onFinish={() => void submit()}>
        <Form.Item name="name" label={t('apps.name')} extra={t('apps.nameHelp')} rules={[{ required: true, whitespace: true, message: t('apps.nameRequired') }]}>
          <Input maxLength={100} autoFocus data-testid="app-form-name" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The only time the secret is visible. Closing needs an explicit acknowledgement. */
function SecretDialog({ app, onClose }: { app: CreatedAppCredential; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Modal
      open
      title={t('apps.createdTitle')}
      closable={false}
      mask={{ closable: false }}
      keyboard={false}
      footer={
        <Button type="primary" onClick={onClose} data-testid="app-secret-ack">
          {t('apps.secretAck')}
        </Button>
      }
      width={620}
    >
      <Alert type="warning" showIcon title={t('apps.secretWarning')} style={{ marginBottom: 16 }} data-testid="app-secret-warning" />
      <Descriptions
        column={1}
        bordered
        size="small"
        items={[
          { key: 'name', label: t('apps.name'), children: app.name },
          {
            key: 'appKey',
            label: 'appKey',
            children: (
              <Typography.Text className="mono" copyable={{ text: app.appKey }} data-testid="app-secret-appKey">
                {app.appKey}
              </Typography.Text>
            ),
          },
          {
            key: 'secret',
            label: 'secret',
            children: (
              <Typography.Text className="mono" copyable={{ text: app.secret }} data-testid="app-secret-secret">
                {app.secret}
              </Typography.Text>
            ),
          },
        ]}
      />
    </Modal>
  );
}

export default function AppsPage() {
  const { t } = useI18n();
  const { hasRole } = useAuth();
  const { ok, fail } = useFeedback();
  const isSecurityAdmin = hasRole('security_admin');
  const canCreate = hasRole(...HOLDER_ROLES);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedAppCredential | null>(null);

  const { data, loading, error, reload } = useAsync(() => appApi.list({ page, pageSize }), [page, pageSize]);

  const revoke = async (app: AppCredential) => {
    try {
      await appApi.revoke(app.id);
      ok(t('apps.revoked', { name: app.name }));
      reload();
    } catch (e) {
      fail(e);
    }
  };

  const columns: TableColumnsType<AppCredential> = [
    { title: t('apps.name'), dataIndex: 'name', render: (v: string) => <strong>{v}</strong> },
    {
      title: 'appKey',
      dataIndex: 'appKey',
      width: 240,
      render: (v: string) => (
        <Typography.Text className="mono" style={{ whiteSpace: 'nowrap' }} copyable={{ text: v }}>
          {v}
        </Typography.Text>
      ),
    },
    ...(isSecurityAdmin ? [{ title: t('apps.organisation'), dataIndex: 'organisationName' }] : []),
    {
      title: t('apps.status'),
      dataIndex: 'status',
      width: 100,
      render: (v: AppStatus) => <Tag color={v === 'active' ? 'green' : 'default'}>{t(`appStatus.${v}`)}</Tag>,
    },
    { title: t('common.createdAt'), dataIndex: 'createdAt', width: 170, render: (v: string) => formatTime(v) },
    {
      title: t('apps.createdBy'),
      dataIndex: 'createdByName',
      width: 140,
      render: (v: string | null, r: AppCredential) => <Tooltip title={r.createdBy ?? ''}>{v ?? '—'}</Tooltip>,
    },
    { title: t('apps.lastUsed'), dataIndex: 'lastUsedAt', width: 170, render: (v: string | null) => formatTime(v) },
    { title: t('apps.revokedAt'), dataIndex: 'revokedAt', width: 170, render: (v: string | null) => formatTime(v) },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 100,
      fixed: 'right',
      render: (_, r) =>
        r.status === 'active' ? (
          <Popconfirm
            title={t('apps.revokeConfirmTitle', { name: r.name })}
            description={t('apps.revokeConfirm')}
            okText={t('apps.revoke')}
            okButtonProps={{ danger: true, ...buttonTestId('app-revoke-confirm') }}
            cancelText={t('common.cancel')}
            onConfirm={() => revoke(r)}
          >
            <Button type="link" danger size="small" icon={<StopOutlined />} data-testid={`app-revoke-${r.appKey}`}>
              {t('apps.revoke')}
            </Button>
          </Popconfirm>
        ) : null,
    },
  ];

  return (
    <div data-testid="page-apps">
      <Typography.Title level={4} className="ts-page-title">
        {t('menu.apps')}
      </Typography.Title>
      <Card>
        <Typography.Paragraph type="secondary">{isSecurityAdmin ? t('apps.introAll') : t('apps.intro')}</Typography.Paragraph>
        <Space style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }}>
          <Button icon={<ReloadOutlined />} onClick={reload}>
            {t('common.refresh')}
          </Button>
          {canCreate && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="app-create">
              {t('apps.create')}
            </Button>
          )}
        </Space>
        <LoadError error={error} onRetry={reload} />
        <Table<AppCredential>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          onRow={(r) => rowTestId(`app-row-${r.appKey}`)}
          scroll={{ x: 1200 }}
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
      <Collapse
        style={{ marginTop: 16, background: '#fff' }}
        defaultActiveKey={['help']}
        items={[
          {
            key: 'help',
            label: t('apps.helpTitle'),
            children: (
              <div data-testid="app-signing-help">
                <Typography.Paragraph>{t('apps.helpIntro')}</Typography.Paragraph>
                <pre className="mono">{SIGNATURE_HELP}</pre>
                <Typography.Paragraph style={{ marginTop: 12 }}>{t('apps.helpExample')}</Typography.Paragraph>
                <pre className="mono">{SIGNATURE_EXAMPLE}</pre>
                <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
                  {t('apps.helpRules')}
                </Typography.Paragraph>
              </div>
            ),
          },
        ]}
      />
      {creating && (
        <CreateDialog
          onClose={() => setCreating(false)}
          onCreated={(app) => {
            setCreating(false);
            setCreated(app);
            reload();
          }}
        />
      )}
      {created && <SecretDialog app={created} onClose={() => setCreated(null)} />}
    </div>
  );
}
