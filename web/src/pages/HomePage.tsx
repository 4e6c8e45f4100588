import { useNavigate } from 'react-router-dom';
import { Alert, Card, Col, Descriptions, Row, Statistic, Typography } from 'antd';
import { appApi, ledgerApi, organisationApi, userApi, type Role } from '../api';
import { useCurrentUser } from '../auth/AuthContext';
import { useI18n, type MessageKey } from '../i18n';
import { useAsync } from '../hooks/useAsync';
import { useNodeInfo } from '../hooks/useNodeInfo';
import { RoleTags } from '../components/RoleTags';
import { ROUTES, canAccess } from '../routes';
import { formatTime } from '../lib/format';

interface Stat {
  key: string;
  labelKey: MessageKey;
  /** Needs at least one of these roles; the API would refuse the others anyway. */
  roles: Role[];
  load: () => Promise<number>;
  path: string;
}

// pageSize=1: only `total` is wanted.
const STATS: Stat[] = [
  { key: 'organisations', labelKey: 'home.stat.organisations', roles: ['platform_admin', 'security_admin'], load: () => organisationApi.list({ pageSize: 1 }).then((p) => p.total), path: '/organisations' },
  { key: 'users', labelKey: 'home.stat.users', roles: ['platform_admin', 'security_admin'], load: () => userApi.list({ pageSize: 1 }).then((p) => p.total), path: '/users' },
  { key: 'apps', labelKey: 'home.stat.apps', roles: ['security_admin'], load: () => appApi.list({ pageSize: 1 }).then((p) => p.total), path: '/apps' },
  { key: 'ledger', labelKey: 'home.stat.ledger', roles: ['audit_admin'], load: () => ledgerApi.head().then((h) => h.treeSize), path: '/ledger' },
];

function StatCard({ stat }: { stat: Stat }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const { data, error, loading } = useAsync(stat.load, [stat.key]);
  return (
    <Card hoverable onClick={() => navigate(stat.path)} data-testid={`home-stat-${stat.key}`}>
      <Statistic title={t(stat.labelKey)} value={error ? '—' : (data ?? 0)} loading={loading} />
    </Card>
  );
}

export default function HomePage() {
  const { t } = useI18n();
  const user = useCurrentUser();
  const node = useNodeInfo();
  const navigate = useNavigate();
  const stats = STATS.filter((s) => s.roles.some((r) => user.roles.includes(r)));
  const shortcuts = ROUTES.filter((r) => r.key !== 'home' && !r.hideInMenu && canAccess(r, user.roles));

  return (
    <div data-testid="page-home">
      <Typography.Title level={3} className="ts-page-title">
        {t('home.welcome', { name: user.displayName })}
      </Typography.Title>
      {user.roles.length === 0 && (
        <Alert type="info" showIcon title={t('home.noRoles')} style={{ marginBottom: 16 }} data-testid="home-no-roles" />
      )}
      {stats.length > 0 && (
        <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
          {stats.map((s) => (
            <Col key={s.key} xs={24} sm={12} lg={6}>
              <StatCard stat={s} />
            </Col>
          ))}
        </Row>
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={t('home.identity')} style={{ height: '100%' }}>
            <Descriptions
              column={1}
              size="small"
              items={[
                { key: 'u', label: t('user.username'), children: user.username },
                { key: 'd', label: t('user.displayName'), children: user.displayName },
                { key: 'o', label: t('user.organisation'), children: `${user.organisation.name}（${user.organisation.code}）` },
                { key: 'r', label: t('user.roles'), children: <RoleTags roles={user.roles} /> },
                { key: 'l', label: t('user.lastLogin'), children: formatTime(user.lastLoginAt) },
              ]}
              data-testid="home-identity"
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('home.node')} style={{ height: '100%' }}>
            {node ? (
              <Descriptions
                column={1}
                size="small"
                items={[
                  { key: 'n', label: t('node.name'), children: node.name },
                  { key: 'c', label: t('node.code'), children: node.code },
                  { key: 'l', label: t('node.level'), children: t(`nodeLevel.${node.level}`) },
                  { key: 'p', label: t('node.parent'), children: node.parentCode ?? t('node.noParent') },
                  { key: 'k', label: t('node.publicKey'), children: <span className="mono">{node.publicKey}</span> },
                ]}
                data-testid="home-node"
              />
            ) : (
              <Typography.Text type="secondary">{t('common.loading')}</Typography.Text>
            )}
          </Card>
        </Col>
      </Row>
      {shortcuts.length > 0 && (
        <Card title={t('home.shortcuts')} style={{ marginTop: 16 }}>
          <Row gutter={[16, 16]}>
            {shortcuts.map((r) => (
              <Col key={r.key} xs={12} md={8} lg={6} xxl={4}>
                <Card hoverable size="small" onClick={() => navigate(r.path)} data-testid={`home-shortcut-${r.key}`}>
                  <span style={{ color: '#1f4e99', marginRight: 8 }}>{r.icon}</span>
                  {t(r.labelKey)}
                </Card>
              </Col>
            ))}
          </Row>
        </Card>
      )}
    </div>
  );
}
