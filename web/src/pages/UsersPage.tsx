import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
  type TableColumnsType,
} from 'antd';
import { EditOutlined, KeyOutlined, LockOutlined, PlusOutlined, ReloadOutlined, SafetyCertificateOutlined, UnlockOutlined } from '@ant-design/icons';
import { ADMIN_ROLES, BUSINESS_ROLES, userApi, type BusinessRole, type Role, type User, type UserStatus } from '../api';
import { useAuth } from '../auth/AuthContext';
import { useI18n } from '../i18n';
import { isStrongPassword } from '../lib/password';
import { useAsync } from '../hooks/useAsync';
import { useFeedback } from '../hooks/useFeedback';
import { formatTime } from '../lib/format';
import { buttonTestId, rowTestId } from '../lib/testid';
import { OrgSelect } from '../components/OrgSelect';
import { RoleTags } from '../components/RoleTags';
import { LoadError } from '../components/LoadError';

const isAdminRole = (r: Role) => (ADMIN_ROLES as readonly Role[]).includes(r);
const isBusinessRole = (r: Role): r is BusinessRole => (BUSINESS_ROLES as readonly Role[]).includes(r);

type Dialog =
  | { kind: 'none' }
  | { kind: 'create' }
  | { kind: 'edit'; user: User }
  | { kind: 'password'; user: User }
  | { kind: 'roles'; user: User };

interface DialogProps {
  onClose: () => void;
  onDone: () => void;
}

/** Shared submit plumbing: busy flag, error shown inside the dialog, success toast. */
function useSubmit(onDone: () => void) {
  const { ok, errorText } = useFeedback();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>, success: string) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      ok(success);
      onDone();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function DialogError({ error }: { error: string | null }) {
  return error ? <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="user-form-error" /> : null;
}

function CreateUserDialog({ onClose, onDone }: DialogProps) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ username: string; displayName: string; organisationId: string; password: string }>();
  const { busy, error, run } = useSubmit(onDone);
  const submit = async () => {
    const v = await form.validateFields();
    await run(
      () => userApi.create({ username: v.username.trim(), displayName: v.displayName.trim(), organisationId: v.organisationId, password: v.password }),
      t('users.created', { username: v.username.trim() }),
    );
  };
  return (
    <Modal
      open
      title={t('users.create')}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      okButtonProps={buttonTestId('user-form-submit')}
      data-testid="user-create-dialog"
    >
      <Alert type="info" showIcon title={t('users.separationNote')} style={{ marginBottom: 16 }} />
      <DialogError error={error} />
      <Form form={form} layout="vertical">
        <Form.Item
          name="username"
          label={t('user.username')}
          extra={t('users.usernameRule')}
          rules={[
            { required: true, message: t('users.usernameRequired') },
            { pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/, message: t('users.usernameRule') },
          ]}
        >
          <Input autoComplete="off" data-testid="user-form-username" />
        </Form.Item>
        <Form.Item name="displayName" label={t('user.displayName')} rules={[{ required: true, whitespace: true, message: t('users.displayNameRequired') }]}>
          <Input data-testid="user-form-displayName" />
        </Form.Item>
        <Form.Item name="organisationId" label={t('user.organisation')} rules={[{ required: true, message: t('users.organisationRequired') }]}>
          <OrgSelect data-testid="user-form-organisation" />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('users.initialPassword')}
          extra={t('password.rule')}
          rules={[
            { required: true, message: t('password.newRequired') },
            { validator: (_, v: string | undefined) => (!v || isStrongPassword(v) ? Promise.resolve() : Promise.reject(new Error(t('password.rule')))) },
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="user-form-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function EditUserDialog({ user, onClose, onDone }: DialogProps & { user: User }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ displayName: string; organisationId: string; status: UserStatus }>();
  const { busy, error, run } = useSubmit(onDone);
  const submit = async () => {
    const v = await form.validateFields();
    await run(
      () => userApi.update(user.id, { displayName: v.displayName.trim(), organisationId: v.organisationId, status: v.status }),
      t('users.updated'),
    );
  };
  return (
    <Modal
      open
      title={`${t('users.edit')} · ${user.username}`}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      okButtonProps={buttonTestId('user-edit-submit')}
    >
      <DialogError error={error} />
      <Form form={form} layout="vertical" initialValues={{ displayName: user.displayName, organisationId: user.organisationId, status: user.status }}>
        <Form.Item name="displayName" label={t('user.displayName')} rules={[{ required: true, whitespace: true, message: t('users.displayNameRequired') }]}>
          <Input data-testid="user-edit-displayName" />
        </Form.Item>
        <Form.Item name="organisationId" label={t('user.organisation')} rules={[{ required: true, message: t('users.organisationRequired') }]}>
          <OrgSelect initialLabel={user.organisation.name} data-testid="user-edit-organisation" />
        </Form.Item>
        <Form.Item name="status" label={t('user.status')}>
          <Radio.Group
            optionType="button"
            options={[
              { value: 'active', label: t('userStatus.active') },
              { value: 'disabled', label: t('userStatus.disabled') },
            ]}
            data-testid="user-edit-status"
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function ResetPasswordDialog({ user, onClose, onDone }: DialogProps & { user: User }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ password: string; confirm: string }>();
  const { busy, error, run } = useSubmit(onDone);
  const submit = async () => {
    const v = await form.validateFields();
    await run(() => userApi.resetPassword(user.id, v.password), t('users.passwordReset', { username: user.username }));
  };
  return (
    <Modal
      open
      title={`${t('users.resetPassword')} · ${user.username}`}
      okText={t('common.confirm')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void submit().catch(() => undefined)}
      onCancel={onClose}
      okButtonProps={buttonTestId('user-password-submit')}
    >
      <DialogError error={error} />
      <Form form={form} layout="vertical">
        <Form.Item
          name="password"
          label={t('password.new')}
          extra={t('password.rule')}
          rules={[
            { required: true, message: t('password.newRequired') },
            { validator: (_, v: string | undefined) => (!v || isStrongPassword(v) ? Promise.resolve() : Promise.reject(new Error(t('password.rule')))) },
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="user-password-new" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('password.confirm')}
          dependencies={['password']}
          rules={[
            { required: true, message: t('password.confirmRequired') },
            ({ getFieldValue }) => ({
              validator: (_, value: string | undefined) =>
                !value || value === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="user-password-confirm" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RolesDialog({ user, onClose, onDone }: DialogProps & { user: User }) {
  const { t } = useI18n();
  const [roles, setRoles] = useState<BusinessRole[]>(user.roles.filter(isBusinessRole));
  const { busy, error, run } = useSubmit(onDone);
  return (
    <Modal
      open
      title={`${t('users.assignRoles')} · ${user.displayName}（${user.username}）`}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      onOk={() => void run(() => userApi.setRoles(user.id, roles), t('users.rolesSaved'))}
      onCancel={onClose}
      okButtonProps={buttonTestId('roles-form-submit')}
    >
      <Typography.Paragraph type="secondary">{t('users.rolesNote')}</Typography.Paragraph>
      <DialogError error={error} />
      <Checkbox.Group<BusinessRole> value={roles} onChange={setRoles} style={{ width: '100%' }}>
        <Space orientation="vertical">
          {BUSINESS_ROLES.map((r) => (
            <Checkbox key={r} value={r} data-testid={`roles-form-${r}`}>
              <strong>{t(`role.${r}`)}</strong>
              <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
                {t(`roleDesc.${r}`)}
              </Typography.Text>
            </Checkbox>
          ))}
        </Space>
      </Checkbox.Group>
    </Modal>
  );
}

export default function UsersPage() {
  const { t } = useI18n();
  const { hasRole, user: me } = useAuth();
  const { ok, fail } = useFeedback();
  const isPlatformAdmin = hasRole('platform_admin');
  const isSecurityAdmin = hasRole('security_admin');
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [orgId, setOrgId] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [dialog, setDialog] = useState<Dialog>({ kind: 'none' });

  const { data, loading, error, reload } = useAsync(
    () => userApi.list({ q: query, organisationId: orgId ?? undefined, page, pageSize }),
    [query, orgId, page, pageSize],
  );

  const close = () => setDialog({ kind: 'none' });
  const done = () => {
    close();
    reload();
  };

  const unlock = async (u: User) => {
    try {
      await userApi.unlock(u.id);
      ok(t('users.unlocked', { username: u.username }));
      reload();
    } catch (e) {
      fail(e);
    }
  };

  const columns: TableColumnsType<User> = [
    { title: t('user.username'), dataIndex: 'username', render: (v: string) => <span className="mono" style={{ fontSize: 13 }}>{v}</span> },
    { title: t('user.displayName'), dataIndex: 'displayName' },
    { title: t('user.organisation'), key: 'org', render: (_, r) => r.organisation.name },
    { title: t('user.roles'), dataIndex: 'roles', render: (v: Role[]) => <RoleTags roles={v} /> },
    {
      title: t('user.status'),
      dataIndex: 'status',
      width: 110,
      render: (v: UserStatus, r) => (
        <Space size={4} wrap>
          <Tag color={v === 'active' ? 'green' : 'default'}>{t(`userStatus.${v}`)}</Tag>
          {r.locked && (
            <Tag color="red" icon={<LockOutlined />} data-testid={`user-locked-${r.username}`}>
              {t('users.locked')}
            </Tag>
          )}
        </Space>
      ),
    },
    { title: t('user.lastLogin'), dataIndex: 'lastLoginAt', width: 170, render: (v: string | null) => formatTime(v) },
  ];
  if (isPlatformAdmin || isSecurityAdmin) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      fixed: 'right',
      width: isPlatformAdmin && isSecurityAdmin ? 300 : 190,
      render: (_, r) => {
        // 三员 accounts are changed only from the server's CLI (the API refuses), so neither
        // administrator gets buttons for them; nobody edits their own roles either.
        const isProtected = r.roles.some(isAdminRole);
        const rolesLocked = isProtected || r.id === me?.id;
        return (
          <Space size={0} wrap>
            {isProtected && (
              <Tooltip title={t('users.protectedHint')}>
                <Tag icon={<LockOutlined />} data-testid={`user-protected-${r.username}`}>
                  {t('users.protected')}
                </Tag>
              </Tooltip>
            )}
            {isPlatformAdmin && !isProtected && (
              <>
                <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setDialog({ kind: 'edit', user: r })} data-testid={`user-edit-${r.username}`}>
                  {t('common.edit')}
                </Button>
                <Button type="link" size="small" icon={<KeyOutlined />} onClick={() => setDialog({ kind: 'password', user: r })} data-testid={`user-reset-${r.username}`}>
                  {t('users.resetPassword')}
                </Button>
              </>
            )}
            {isSecurityAdmin && !isProtected && (
              <Tooltip title={rolesLocked ? t('users.rolesLockedHint') : undefined}>
                <Button
                  type="link"
                  size="small"
                  icon={<SafetyCertificateOutlined />}
                  disabled={rolesLocked}
                  onClick={() => setDialog({ kind: 'roles', user: r })}
                  data-testid={`user-roles-${r.username}`}
                >
                  {t('users.assignRoles')}
                </Button>
              </Tooltip>
            )}
            {isSecurityAdmin && r.locked && (
              <Popconfirm
                title={t('users.unlockConfirm', { username: r.username })}
                okText={t('users.unlock')}
                cancelText={t('common.cancel')}
                onConfirm={() => unlock(r)}
              >
                <Button type="link" size="small" icon={<UnlockOutlined />} data-testid={`user-unlock-${r.username}`}>
                  {t('users.unlock')}
                </Button>
              </Popconfirm>
            )}
          </Space>
        );
      },
    });
  }

  return (
    <div data-testid="page-users">
      <Typography.Title level={4} className="ts-page-title">
        {t('menu.users')}
      </Typography.Title>
      <Card>
        <Space style={{ marginBottom: 16, width: '100%', justifyContent: 'space-between' }} wrap>
          <Space wrap>
            <Input.Search
              allowClear
              placeholder={t('users.searchPlaceholder')}
              value={q}
              onChange={(e) => setQ(e.target.value)}
              onSearch={(v) => {
                setQuery(v.trim());
                setPage(1);
              }}
              style={{ width: 280 }}
              data-testid="user-search"
            />
            <OrgSelect
              allowClear
              value={orgId}
              onChange={(v) => {
                setOrgId(v);
                setPage(1);
              }}
              placeholder={t('users.filterOrganisation')}
              style={{ width: 260 }}
              data-testid="user-filter-organisation"
            />
            <Button icon={<ReloadOutlined />} onClick={reload}>
              {t('common.refresh')}
            </Button>
          </Space>
          {isPlatformAdmin && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setDialog({ kind: 'create' })} data-testid="user-create">
              {t('users.create')}
            </Button>
          )}
        </Space>
        <LoadError error={error} onRetry={reload} />
        <Table<User>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={data?.items ?? []}
          onRow={(r) => rowTestId(`user-row-${r.username}`)}
          scroll={{ x: 1100 }}
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
      {dialog.kind === 'create' && <CreateUserDialog onClose={close} onDone={done} />}
      {dialog.kind === 'edit' && <EditUserDialog user={dialog.user} onClose={close} onDone={done} />}
      {dialog.kind === 'password' && <ResetPasswordDialog user={dialog.user} onClose={close} onDone={done} />}
      {dialog.kind === 'roles' && <RolesDialog user={dialog.user} onClose={close} onDone={done} />}
    </div>
  );
}
