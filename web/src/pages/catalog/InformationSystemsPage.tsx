import { useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, Modal, Popconfirm, Space, Switch, Table, Typography, type TableColumnsType } from 'antd';
import { EditOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { informationSystemApi, organisationApi, type InformationSystem } from '../../api';
import { useAuth, useCurrentUser } from '../../auth/AuthContext';
import { useI18n } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { useFeedback } from '../../hooks/useFeedback';
import { LoadError } from '../../components/LoadError';
import { formatTime } from '../../lib/format';
import { buttonTestId, rowTestId } from '../../lib/testid';

function SystemDialog({ system, onClose, onDone }: { system: InformationSystem | null; onClose: () => void; onDone: (s: InformationSystem) => void }) {
  const { t } = useI18n();
  const { errorText } = useFeedback();
  const [form] = Form.useForm<{ name: string; description?: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const v = await form.validateFields();
    const body = { name: v.name.trim(), description: v.description?.trim() ?? '' };
    setBusy(true);
    setError(null);
    try {
      onDone(system ? await informationSystemApi.update(system.id, body) : await informationSystemApi.create(body));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={system ? t('systems.edit') : t('systems.register')}
      okText={system ? t('common.save') : t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      okButtonProps={buttonTestId('system-form-submit')}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="system-form-error" />}
      <Form form={form} layout="vertical" initialValues={system ? { name: system.name, description: system.description } : {}}>
        <Form.Item name="name" label={t('systems.name')} rules={[{ required: true, whitespace: true, message: t('systems.nameRequired') }]}>
          <Input maxLength={200} autoFocus data-testid="system-form-name" />
        </Form.Item>
        <Form.Item name="description" label={t('systems.description')}>
          <Input.TextArea rows={3} maxLength={4000} data-testid="system-form-description" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Organisation names for the ids on the page, fetched once each. */
function useOrganisationNames(ids: readonly string[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const key = [...new Set(ids)].sort().join(',');
  useEffect(() => {
    const missing = key.split(',').filter((id) => id && !(id in names));
    if (missing.length === 0) return;
    let live = true;
    void Promise.all(missing.map((id) => organisationApi.get(id).then((o) => [id, o.name] as const).catch(() => [id, id] as const))).then((pairs) => {
      if (live) setNames((n) => ({ ...n, ...Object.fromEntries(pairs) }));
    });
    return () => {
      live = false;
    };
  }, [key]);
  return names;
}

export default function InformationSystemsPage() {
  const { t } = useI18n();
  const { hasRole } = useAuth();
  const user = useCurrentUser();
  const { ok, fail } = useFeedback();
  const canEdit = hasRole('catalog_editor');
  const [mineOnly, setMineOnly] = useState(canEdit);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [dialog, setDialog] = useState<{ system: InformationSystem | null } | null>(null);
  const { data, error, loading, reload } = useAsync(
    () => informationSystemApi.list({ ...(mineOnly ? { organisationId: user.organisationId } : {}), page, pageSize }),
    [mineOnly, page, pageSize, user.organisationId],
  );
  const names = useOrganisationNames((data?.items ?? []).map((s) => s.organisationId));

  const remove = async (s: InformationSystem) => {
    try {
      await informationSystemApi.remove(s.id);
      ok(t('systems.deleted', { name: s.name }));
      reload();
    } catch (e) {
      fail(e);
    }
  };

  const own = (s: InformationSystem) => canEdit && s.organisationId === user.organisationId;
  const columns: TableColumnsType<InformationSystem> = [
    { title: t('systems.name'), dataIndex: 'name', render: (v: string) => <strong>{v}</strong> },
    { title: t('systems.description'), dataIndex: 'description', render: (v: string) => v || '—' },
    { title: t('systems.organisation'), dataIndex: 'organisationId', width: 220, render: (v: string) => names[v] ?? '…' },
    { title: t('common.createdAt'), dataIndex: 'createdAt', width: 170, render: formatTime },
    ...(canEdit
      ? [
          {
            title: t('common.actions'),
            key: 'actions',
            width: 150,
            render: (_: unknown, s: InformationSystem) =>
              own(s) ? (
                <Space size={0}>
                  <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setDialog({ system: s })} data-testid={`system-edit-${s.id}`}>
                    {t('common.edit')}
                  </Button>
                  <Popconfirm
                    title={t('systems.deleteConfirm', { name: s.name })}
                    okText={t('common.delete')}
                    okButtonProps={{ danger: true }}
                    cancelText={t('common.cancel')}
                    onConfirm={() => remove(s)}
                  >
                    <Button type="link" size="small" danger data-testid={`system-delete-${s.id}`}>
                      {t('common.delete')}
                    </Button>
                  </Popconfirm>
                </Space>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <div data-testid="page-catalog-systems">
      <Typography.Title level={4} className="ts-page-title">
        {t('menu.catalogSystems')}
      </Typography.Title>
      <Card>
        <Typography.Paragraph type="secondary">{t('systems.intro')}</Typography.Paragraph>
        <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
          <Space>
            <Button icon={<ReloadOutlined />} onClick={reload}>
              {t('common.refresh')}
            </Button>
            <Switch
              checked={mineOnly}
              onChange={(v) => {
                setMineOnly(v);
                setPage(1);
              }}
              data-testid="systems-mine"
            />
            {t('systems.mineOnly')}
          </Space>
          {canEdit && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog({ system: null })} data-testid="system-create">
              {t('systems.register')}
            </Button>
          )}
        </Space>
        <LoadError error={error} onRetry={reload} />
        <Table<InformationSystem>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          onRow={(s) => rowTestId(`system-row-${s.name}`)}
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
      {dialog && (
        <SystemDialog
          system={dialog.system}
          onClose={() => setDialog(null)}
          onDone={(s) => {
            setDialog(null);
            ok(dialog.system ? t('systems.updated', { name: s.name }) : t('systems.created', { name: s.name }));
            reload();
          }}
        />
      )}
    </div>
  );
}
