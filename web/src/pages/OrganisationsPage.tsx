import { useState } from 'react';
import { Button, Card, Col, Drawer, Row, Form, Input, Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { EditOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import {
  ORG_KINDS,
  ORG_LEVELS,
  organisationApi,
  type CreateOrganisationRequest,
  type OrgKind,
  type OrgLevel,
  type Organisation,
} from '../api';
import { useAuth } from '../auth/AuthContext';
import { useI18n } from '../i18n';
import { useAsync } from '../hooks/useAsync';
import { useFeedback } from '../hooks/useFeedback';
import { validateUscc } from '../lib/uscc';
import { formatTime } from '../lib/format';
import { rowTestId } from '../lib/testid';
import { DivisionCascader } from '../components/DivisionCascader';
import { OrgSelect } from '../components/OrgSelect';
import { LoadError } from '../components/LoadError';

interface FormValues {
  code: string;
  name: string;
  divisionCode: string;
  level: OrgLevel;
  kind: OrgKind;
  parentId: string | null;
}

const KIND_COLOURS: Record<OrgKind, string> = { government: 'blue', data_authority: 'gold', department: 'default' };

function OrganisationDrawer({
  editing,
  open,
  onClose,
  onSaved,
}: {
  /** null = create */
  editing: Organisation | null;
  open: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const { ok, errorText } = useFeedback();
  const [form] = Form.useForm<FormValues>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      if (editing) {
        await organisationApi.update(editing.id, {
          name: v.name.trim(),
          divisionCode: v.divisionCode,
          level: v.level,
          kind: v.kind,
          parentId: v.parentId ?? null,
        });
        ok(t('org.updated'));
      } else {
        const body: CreateOrganisationRequest = {
          code: v.code.trim().toUpperCase(),
          name: v.name.trim(),
          divisionCode: v.divisionCode,
          level: v.level,
          kind: v.kind,
        };
        if (v.parentId) body.parentId = v.parentId;
        await organisationApi.create(body);
        ok(t('org.created'));
      }
      onSaved();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={520}
      title={editing ? t('org.edit') : t('org.create')}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={busy} onClick={() => void submit().catch(() => undefined)} data-testid="org-form-submit">
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      {error && (
        <Typography.Paragraph type="danger" data-testid="org-form-error">
          {error}
        </Typography.Paragraph>
      )}
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={
          editing
            ? { ...editing }
            : { kind: 'department' as OrgKind, parentId: null }
        }
      >
        <Form.Item
          name="code"
          label={t('org.code')}
          extra={editing ? t('org.codeImmutable') : t('org.codeHelp')}
          normalize={(v: string) => v.toUpperCase()}
          rules={[
            { required: true, message: t('org.codeRequired') },
            {
              validator: (_, v: string | undefined) => {
                if (!v || editing) return Promise.resolve();
                const problem = validateUscc(v);
                return problem ? Promise.reject(new Error(t(`org.uscc.${problem}`))) : Promise.resolve();
              },
            },
          ]}
        >
          <Input maxLength={18} disabled={!!editing} className="mono" data-testid="org-form-code" />
        </Form.Item>
        <Form.Item name="name" label={t('org.name')} rules={[{ required: true, whitespace: true, message: t('org.nameRequired') }]}>
          <Input maxLength={100} data-testid="org-form-name" />
        </Form.Item>
        <Form.Item
          name="divisionCode"
          label={t('org.division')}
          extra={editing ? t('org.currentDivision', { name: editing.divisionName, code: editing.divisionCode }) : undefined}
          rules={[{ required: true, message: t('org.divisionRequired') }]}
        >
          <DivisionCascader
            data-testid="org-form-division"
            // The server requires level and division to agree; follow the division by default.
            onPickLevel={(l) => {
              if ((ORG_LEVELS as readonly string[]).includes(l)) form.setFieldValue('level', l as OrgLevel);
            }}
          />
        </Form.Item>
        <Row gutter={12}>
          <Col span={12}>
            <Form.Item name="level" label={t('org.level')} rules={[{ required: true }]}>
              <Select options={ORG_LEVELS.map((l) => ({ value: l, label: t(`orgLevel.${l}`) }))} data-testid="org-form-level" />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="kind" label={t('org.kind')} rules={[{ required: true }]}>
              <Select options={ORG_KINDS.map((k) => ({ value: k, label: t(`orgKind.${k}`) }))} data-testid="org-form-kind" />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="parentId" label={t('org.parent')}>
          <OrgSelect
            allowClear
            initialLabel={editing?.parentName ?? null}
            excludeId={editing?.id}
            placeholder={t('org.parentPlaceholder')}
            data-testid="org-form-parent"
          />
        </Form.Item>
      </Form>
    </Drawer>
  );
}

export default function OrganisationsPage() {
  const { t } = useI18n();
  const { hasRole } = useAuth();
  const canEdit = hasRole('platform_admin');
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  // `key` remounts the drawer (and its form) on every open, so it never shows stale values.
  const [drawer, setDrawer] = useState<{ open: boolean; editing: Organisation | null; key: number }>({ open: false, editing: null, key: 0 });
  const openDrawer = (editing: Organisation | null) => setDrawer((d) => ({ open: true, editing, key: d.key + 1 }));
  const closeDrawer = () => setDrawer((d) => ({ ...d, open: false }));

  const { data, loading, error, reload } = useAsync(
    () => organisationApi.list({ q: query, page, pageSize }),
    [query, page, pageSize],
  );

  const columns: TableColumnsType<Organisation> = [
    { title: t('org.name'), dataIndex: 'name', width: 260, render: (v: string) => <strong>{v}</strong> },
    { title: t('org.code'), dataIndex: 'code', width: 190, render: (v: string) => <span className="mono">{v}</span> },
    { title: t('org.division'), dataIndex: 'divisionName', render: (v: string, r) => <span title={r.divisionCode}>{v}</span> },
    { title: t('org.level'), dataIndex: 'level', width: 100, render: (v: OrgLevel) => t(`orgLevel.${v}`) },
    { title: t('org.kind'), dataIndex: 'kind', width: 130, render: (v: OrgKind) => <Tag color={KIND_COLOURS[v]}>{t(`orgKind.${v}`)}</Tag> },
    { title: t('org.parent'), dataIndex: 'parentName', render: (v: string | null) => v ?? '—' },
    { title: t('common.createdAt'), dataIndex: 'createdAt', width: 170, render: (v: string) => formatTime(v) },
  ];
  if (canEdit) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 90,
      fixed: 'right',
      render: (_, r) => (
        <Button type="link" size="small" icon={<EditOutlined />} onClick={() => openDrawer(r)} data-testid={`org-edit-${r.code}`}>
          {t('common.edit')}
        </Button>
      ),
    });
  }

  return (
    <div data-testid="page-organisations">
      <Typography.Title level={4} className="ts-page-title">
        {t('menu.organisations')}
      </Typography.Title>
      <Card>
        <Space style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }} wrap>
          <Space wrap>
            <Input.Search
              allowClear
              placeholder={t('org.searchPlaceholder')}
              value={q}
              onChange={(e) => setQ(e.target.value)}
              onSearch={(v) => {
                setQuery(v.trim());
                setPage(1);
              }}
              style={{ width: 320 }}
              data-testid="org-search"
            />
            <Button icon={<ReloadOutlined />} onClick={reload}>
              {t('common.refresh')}
            </Button>
          </Space>
          {canEdit && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => openDrawer(null)} data-testid="org-create">
              {t('org.create')}
            </Button>
          )}
        </Space>
        <LoadError error={error} onRetry={reload} />
        <Table<Organisation>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          onRow={(r) => rowTestId(`org-row-${r.code}`)}
          scroll={{ x: 1200 }}
          pagination={{
            current: page,
            pageSize,
            total: data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: [10, 20, 50, 100],
            showTotal: (n) => t('common.total', { total: n }),
            onChange: (p, s) => {
              setPage(s === pageSize ? p : 1);
              setPageSize(s);
            },
          }}
        />
      </Card>
      <OrganisationDrawer
        key={drawer.key}
        open={drawer.open}
        editing={drawer.editing}
        onClose={closeDrawer}
        onSaved={() => {
          closeDrawer();
          reload();
        }}
      />
    </div>
  );
}
