import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Alert, Button, Card, Descriptions, Space, Table, Tag, Typography } from 'antd';
import { EditOutlined, StopOutlined } from '@ant-design/icons';
import { ApiError, catalogApi, grantApi, type Grant, type User } from '../../api';
import { useCurrentUser } from '../../auth/AuthContext';
import { useI18n } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { useFeedback } from '../../hooks/useFeedback';
import { LoadError } from '../../components/LoadError';
import { PageSpinner } from '../../components/PageSpinner';
import { fieldValue } from '../../components/catalog/CatalogBits';
import { CallStatsView, PeriodSwitch } from '../../components/sharing/CallStats';
import { EditTermsDialog, RevokeDialog } from '../../components/sharing/GrantDialogs';
import { GatewayHelp } from '../../components/sharing/GatewayHelp';
import { FeedSubscriptions } from '../../components/sharing/FeedSubscriptions';
import { ExportGrantButton } from '../../components/sharing/ExportBits';
import { ObjectionFileButton } from '../../components/sharing/ObjectionDialogs';
import { GrantStatusTag, MaskTag, MethodTags, RowFilterText } from '../../components/sharing/SharingBits';
import type { TermsItem } from '../../components/sharing/GrantTermsFields';
import { formatTime } from '../../lib/format';
import { normaliseStats } from '../../lib/sharing';
import { rowTestId } from '../../lib/testid';

/** Who may do what with an active grant (the server checks again). */
function grantPermissions(g: Grant, user: Pick<User, 'organisationId' | 'roles'>) {
  const active = g.status === 'active';
  const has = (r: User['roles'][number]) => user.roles.includes(r);
  const provider = active && has('provider_approver') && user.organisationId === g.providerId;
  // A data_authority reading another organisation's grant is the providers' responsible authority.
  const authority = active && has('data_authority') && user.organisationId !== g.providerId && user.organisationId !== g.consumerId;
  const consumer = active && has('consumer') && user.organisationId === g.consumerId;
  return { edit: provider, revoke: provider || authority, giveUp: consumer && !provider };
}

function GrantCalls({ grantId }: { grantId: string }) {
  const { t } = useI18n();
  const [days, setDays] = useState(30);
  const { data, error, loading, reload } = useAsync(() => grantApi.calls(grantId, days).then(normaliseStats), [grantId, days]);
  const unavailable = error instanceof ApiError && error.status === 404;
  return (
    <Card title={t('stats.grantTitle')} extra={<PeriodSwitch value={days} onChange={setDays} />} loading={loading && !data} style={{ marginBottom: 16 }}>
      {unavailable ? <Alert type="info" showIcon title={t('stats.unavailable')} /> : <LoadError error={error} onRetry={reload} />}
      {data && <CallStatsView stats={data} days={days} testId="grant-calls" />}
    </Card>
  );
}

export default function GrantPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const user = useCurrentUser();
  const { ok } = useFeedback();
  const { data: loaded, error, loading, reload } = useAsync(() => grantApi.get(id), [id]);
  const [grant, setGrant] = useState<Grant | undefined>();
  useEffect(() => setGrant(loaded), [loaded]);
  const [dialog, setDialog] = useState<'none' | 'edit' | 'revoke'>('none');
  const catalogId = grant?.catalog.id;
  const { data: entry } = useAsync(() => (catalogId ? catalogApi.get(catalogId).catch(() => null) : Promise.resolve(null)), [catalogId]);

  if (!grant) return loading ? <PageSpinner /> : <LoadError error={error} onRetry={reload} />;

  const can = grantPermissions(grant, user);
  const items: TermsItem[] = grant.items.map((c) => {
    const i = entry?.items.find((x) => x.column === c);
    return { column: c, name: i?.name ?? c, piiKind: i?.piiKind ?? null };
  });
  const keyColumns = entry?.items.filter((i) => i.isKey).map((i) => i.column) ?? [];
  const changed = (g: Grant, message: string) => {
    setDialog('none');
    setGrant(g);
    ok(message);
  };

  const details = [
    { key: 'code', label: t('field.code'), children: <Link to={`/catalog/entries/${grant.catalog.id}`} className="mono">{grant.catalog.code}</Link> },
    { key: 'status', label: t('grant.statusLabel'), children: <GrantStatusTag status={grant.status} testId="grant-status" /> },
    { key: 'provider', label: t('application.provider'), children: grant.providerName },
    { key: 'consumer', label: t('grant.consumer'), children: grant.consumerName },
    { key: 'methods', label: t('application.methods'), children: <MethodTags methods={grant.methods} /> },
    { key: 'rate', label: t('terms.rateLimit'), children: <span data-testid="grant-rate-limit">{grant.rateLimitPerMinute}</span> },
    { key: 'rowFilter', label: t('terms.rowFilter'), children: <RowFilterText filter={grant.rowFilter} /> },
    { key: 'ip', label: t('terms.ipAllow'), children: grant.ipAllow.length ? <span className="mono">{grant.ipAllow.join(', ')}</span> : t('grant.anyAddress') },
    { key: 'validFrom', label: t('grant.validFrom'), children: formatTime(grant.validFrom) },
    { key: 'expiresAt', label: t('grant.expiresAt'), children: formatTime(grant.expiresAt) },
    {
      key: 'application',
      label: t('grant.application'),
      children: grant.applicationId ? <Link to={`/sharing/applications/${grant.applicationId}`}>{t('grant.viewApplication')}</Link> : '—',
    },
    { key: 'createdAt', label: t('grant.createdAt'), children: formatTime(grant.createdAt) },
    ...(grant.status === 'revoked'
      ? [
          { key: 'revokedAt', label: t('grant.revokedAt'), children: formatTime(grant.revokedAt) },
          { key: 'revokeReason', label: t('grant.revokeReason'), children: grant.revokeReason ?? '—' },
        ]
      : []),
  ];

  return (
    <div data-testid="page-sharing-grant">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap align="start">
        <div>
          <Typography.Title level={4} className="ts-page-title" style={{ marginBottom: 4 }}>
            {t('grant.title', { name: grant.catalog.name })}
          </Typography.Title>
          <GrantStatusTag status={grant.status} />
        </div>
        <Space wrap>
          <ExportGrantButton grant={grant} />
          {/* The consumer may object to the data it received (异议), whatever the grant's status now. */}
          {user.organisationId === grant.consumerId && user.roles.includes('consumer') && <ObjectionFileButton grantId={grant.id} />}
          {can.edit && (
            <Button icon={<EditOutlined />} onClick={() => setDialog('edit')} data-testid="grant-edit">
              {t('grant.edit')}
            </Button>
          )}
          {(can.revoke || can.giveUp) && (
            <Button danger icon={<StopOutlined />} onClick={() => setDialog('revoke')} data-testid="grant-revoke">
              {can.revoke ? t('grant.revoke') : t('grant.giveUp')}
            </Button>
          )}
        </Space>
      </Space>
      <Card title={t('grant.terms')} style={{ marginBottom: 16 }}>
        <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} items={details} data-testid="grant-details" />
      </Card>
      <Card title={t('grant.items')} style={{ marginBottom: 16 }}>
        <Table<TermsItem>
          rowKey="column"
          size="small"
          pagination={false}
          dataSource={items}
          onRow={(i) => rowTestId(`grant-item-${i.column}`)}
          columns={[
            { title: t('item.name'), dataIndex: 'name' },
            { title: t('item.column'), dataIndex: 'column', render: (v: string) => <span className="mono">{v}</span> },
            { title: t('item.piiKind'), dataIndex: 'piiKind', render: (v: string | null) => (v ? <Tag color="orange">{fieldValue(t, 'piiKind', v)}</Tag> : '—') },
            { title: t('terms.maskRule'), key: 'mask', render: (_, i) => <MaskTag rule={grant.masking[i.column] ?? 'none'} /> },
          ]}
        />
      </Card>
      {user.organisationId === grant.consumerId && (
        <Card title={t('gateway.title')} style={{ marginBottom: 16 }}>
          <GatewayHelp grant={grant} keyColumns={keyColumns} />
        </Card>
      )}
      {grant.methods.includes('table') && <FeedSubscriptions grant={grant} canManage={user.organisationId === grant.consumerId && user.roles.includes('consumer')} />}
      <GrantCalls grantId={grant.id} />
      {dialog === 'edit' && <EditTermsDialog grant={grant} items={items} onClose={() => setDialog('none')} onDone={(g) => changed(g, t('grant.updated'))} />}
      {dialog === 'revoke' && (
        <RevokeDialog grant={grant} giveUp={!can.revoke} onClose={() => setDialog('none')} onDone={(g) => changed(g, can.revoke ? t('grant.revoked') : t('grant.givenUp'))} />
      )}
    </div>
  );
}
