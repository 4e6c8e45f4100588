import { Suspense, useMemo, useState } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { App, Avatar, Button, Dropdown, Layout, Menu, Space, Tag, Typography, type MenuProps } from 'antd';
import { GlobalOutlined, LockOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { useAuth, useCurrentUser } from '../auth/AuthContext';
import { useI18n } from '../i18n';
import { useNodeInfo } from '../hooks/useNodeInfo';
import { MENU_GROUPS, ROUTES, canAccess, type RouteDef } from '../routes';
import ChangePasswordModal from '../components/ChangePasswordModal';
import { RoleTags } from '../components/RoleTags';
import { Logo } from '../components/Logo';
import { PageSpinner } from '../components/PageSpinner';
import { NotificationBell } from '../components/NotificationBell';

const { Header, Sider, Content } = Layout;

type MenuItem = Required<MenuProps>['items'][number];

/** The route whose path is the longest prefix of the location, so sub-paths keep their menu item lit. */
function activeRoute(pathname: string, routes: readonly RouteDef[]): RouteDef | undefined {
  return [...routes]
    .filter((r) => pathname === r.path || (r.path !== '/' && pathname.startsWith(`${r.path}/`)))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

export default function AppLayout() {
  const { t, lang, setLang } = useI18n();
  const { logout } = useAuth();
  const user = useCurrentUser();
  const node = useNodeInfo();
  const navigate = useNavigate();
  const location = useLocation();
  // The hook form (not Modal.confirm) so the dialog gets the theme and locale from context.
  const { modal } = App.useApp();
  const [pwdOpen, setPwdOpen] = useState(false);
  const [collapsed, setCollapsed] = useState(false);

  const visible = useMemo(() => ROUTES.filter((r) => !r.hideInMenu && canAccess(r, user.roles)), [user.roles]);

  const items = useMemo<MenuItem[]>(() => {
    const toItem = (r: RouteDef): MenuItem => ({
      key: r.key,
      icon: r.icon,
      label: <span data-testid={`menu-${r.key}`}>{t(r.labelKey)}</span>,
    });
    const top = visible.filter((r) => !r.group).map(toItem);
    const groups = MENU_GROUPS.flatMap((g): MenuItem[] => {
      const children = visible.filter((r) => r.group === g.key).map(toItem);
      return children.length ? [{ type: 'group', key: `group-${g.key}`, label: t(g.labelKey), children }] : [];
    });
    return [...top, ...groups];
  }, [visible, t]);

  const current = activeRoute(location.pathname, ROUTES);

  const switchLang = () => setLang(lang === 'zh' ? 'en' : 'zh');

  const confirmLogout = () => {
    modal.confirm({
      title: t('user.logoutConfirm'),
      okText: t('user.logout'),
      cancelText: t('common.cancel'),
      onOk: async () => {
        await logout();
        navigate('/login', { replace: true });
      },
    });
  };

  const userMenu: MenuProps = {
    items: [
      {
        key: 'profile',
        disabled: true,
        style: { cursor: 'default' },
        label: (
          <div style={{ maxWidth: 300, padding: '4px 0', color: 'rgba(0,0,0,0.88)' }} data-testid="user-menu-profile">
            <div style={{ fontWeight: 600 }}>
              {user.displayName} <Typography.Text type="secondary">({user.username})</Typography.Text>
            </div>
            <div style={{ margin: '4px 0' }}>{user.organisation.name}</div>
            <RoleTags roles={user.roles} />
          </div>
        ),
      },
      { type: 'divider' },
      {
        key: 'password',
        icon: <LockOutlined />,
        label: <span data-testid="user-menu-password">{t('user.changePassword')}</span>,
      },
      {
        key: 'lang',
        icon: <GlobalOutlined />,
        label: <span data-testid="user-menu-lang">{t('lang.switchTo')}</span>,
      },
      { type: 'divider' },
      {
        key: 'logout',
        icon: <LogoutOutlined />,
        danger: true,
        label: <span data-testid="user-menu-logout">{t('user.logout')}</span>,
      },
    ],
    onClick: ({ key }) => {
      if (key === 'password') setPwdOpen(true);
      else if (key === 'lang') switchLang();
      else if (key === 'logout') confirmLogout();
    },
  };

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Header className="ts-header">
        <div className="ts-brand" onClick={() => navigate('/')} style={{ cursor: 'pointer' }}>
          <Logo size={28} />
          <span>{t('app.brand')}</span>
        </div>
        {node && (
          <div className="ts-node" data-testid="header-node" title={`${node.name} (${node.code})`}>
            {node.name}
            <Tag style={{ marginLeft: 8, color: '#fff', background: 'rgba(255,255,255,0.18)', border: 'none' }}>
              {t(`nodeLevel.${node.level}`)}
            </Tag>
          </div>
        )}
        <div className="ts-spacer" />
        <NotificationBell />
        <Button type="text" className="ts-lang" icon={<GlobalOutlined />} onClick={switchLang} data-testid="lang-switch">
          {t('lang.switchTo')}
        </Button>
        <Dropdown menu={userMenu} trigger={['click']} placement="bottomRight">
          <span className="ts-user" data-testid="user-menu">
            <Avatar size="small" style={{ background: '#fff', color: '#1f4e99' }} icon={<UserOutlined />} />
            <Space size={4}>
              <span>{user.displayName}</span>
              <span style={{ opacity: 0.75, fontSize: 12 }}>{user.organisation.name}</span>
            </Space>
          </span>
        </Dropdown>
      </Header>
      <Layout>
        <Sider
          width={208}
          collapsible
          collapsed={collapsed}
          onCollapse={setCollapsed}
          theme="light"
          style={{ borderRight: '1px solid #e8e8e8' }}
        >
          <Menu
            mode="inline"
            selectedKeys={current ? [current.key] : []}
            items={items}
            onClick={({ key }) => {
              const r = ROUTES.find((x) => x.key === key);
              if (r) navigate(r.path);
            }}
            style={{ borderInlineEnd: 'none', paddingTop: 8 }}
            data-testid="side-menu"
          />
        </Sider>
        <Content className="ts-content">
          <Suspense fallback={<PageSpinner />}>
            <Outlet />
          </Suspense>
        </Content>
      </Layout>
      <ChangePasswordModal open={pwdOpen} onClose={() => setPwdOpen(false)} />
    </Layout>
  );
}
