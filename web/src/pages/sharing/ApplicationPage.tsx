import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Card, Col, Descriptions, Row, Space, Tag, Typography } from 'antd';
import { catalogApi, sharingApi, type Application, type GrantTerms } from '../../api';
import { useI18n } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { LoadError } from '../../components/LoadError';
import { PageSpinner } from '../../components/PageSpinner';
import { fieldValue } from '../../components/catalog/CatalogBits';
import { ApplicationActions } from '../../components/sharing/ApplicationActions';
import { ObjectionFileButton } from '../../components/sharing/ObjectionDialogs';
import { useCurrentUser } from '../../auth/AuthContext';
import { DecisionTimeline } from '../../components/sharing/DecisionTimeline';
import { ApplicationDeadline, ApplicationStatusTag, MaskTag, MethodTags, RowFilterText } from '../../components/sharing/SharingBits';
import { formatTime } from '../../lib/format';

/** Items by name where the entry can be read, else by column. */
function ItemTags({ app }: { app: Application }) {
  const { data: entry } = useAsync(() => catalogApi.get(app.catalog.id).catch(() => null), [app.catalog.id]);
  return (
    <Space size={4} wrap data-testid="application-items">
      {app.items.map((c) => {
        const name = entry?.items.find((i) => i.column === c)?.name;
        return (
          <Tag key={c} title={c}>
            {name ? `${name}（${c}）` : c}
          </Tag>
        );
      })}
    </Space>
  );
}

/** The terms the provider set when approving, shown while the authority countersigns. */
function ProposedTerms({ terms }: { terms: GrantTerms }) {
  const { t } = useI18n();
  const items = [
    ...(terms.masking
      ? [{ key: 'masking', label: t('terms.masking'), span: 2, children: <Space size={4} wrap>{Object.entries(terms.masking).map(([c, r]) => <span key={c}><span className="mono">{c}</span> <MaskTag rule={r} /></span>)}</Space> }]
      : []),
    ...(terms.rowFilter !== undefined ? [{ key: 'rowFilter', label: t('terms.rowFilter'), children: <RowFilterText filter={terms.rowFilter} /> }] : []),
    ...(terms.rateLimitPerMinute !== undefined ? [{ key: 'rate', label: t('terms.rateLimit'), children: terms.rateLimitPerMinute }] : []),
    ...(terms.ipAllow ? [{ key: 'ip', label: t('terms.ipAllow'), children: terms.ipAllow.length ? <span className="mono">{terms.ipAllow.join(', ')}</span> : t('grant.anyAddress') }] : []),
    ...(terms.expiresAt ? [{ key: 'expires', label: t('terms.expiresOn'), children: formatTime(terms.expiresAt) }] : []),
  ];
  if (!items.length) return null;
  return (
    <Card title={t('application.proposedTerms')} style={{ marginBottom: 16 }}>
      <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} items={items} data-testid="application-proposed-terms" />
    </Card>
  );
}

export default function ApplicationPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const user = useCurrentUser();
  const { data: loaded, error, loading, reload } = useAsync(() => sharingApi.get(id), [id]);
  const [app, setApp] = useState<Application | undefined>();
  useEffect(() => setApp(loaded), [loaded]);

  if (!app) return loading ? <PageSpinner /> : <LoadError error={error} onRetry={reload} />;

  const text = (v: string) => <span style={{ whiteSpace: 'pre-wrap' }}>{v}</span>;
  const items = [
    { key: 'code', label: t('field.code'), children: <Link to={`/catalog/entries/${app.catalog.id}`} className="mono">{app.catalog.code}</Link> },
    { key: 'status', label: t('application.status'), children: <ApplicationStatusTag status={app.status} testId="application-status" /> },
    { key: 'provider', label: t('application.provider'), children: app.providerName },
    { key: 'applicant', label: t('application.applicant'), children: `${app.applicant.organisationName} · ${app.applicant.displayName}` },
    { key: 'shareType', label: t('field.shareType'), children: fieldValue(t, 'shareType', app.catalog.shareType) },
    { key: 'grade', label: t('field.securityGrade'), children: `${fieldValue(t, 'securityGrade', app.catalog.securityGrade)}${app.needsCountersignature ? ` · ${t('application.needsCountersign')}` : ''}` },
    { key: 'items', label: t('application.items'), span: 2, children: <ItemTags app={app} /> },
    { key: 'purpose', label: t('apply.purpose'), span: 2, children: text(app.purpose) },
    { key: 'legalBasis', label: t('apply.legalBasis'), span: 2, children: text(app.legalBasis) },
    { key: 'scenario', label: t('apply.scenario'), span: 2, children: text(app.scenario) },
    { key: 'methods', label: t('application.methods'), children: <MethodTags methods={app.methods} /> },
    { key: 'validUntil', label: t('apply.validUntil'), children: app.validUntil },
    { key: 'due', label: t('application.dueDate'), children: <ApplicationDeadline app={app} /> },
    { key: 'createdAt', label: t('application.createdAt'), children: formatTime(app.createdAt) },
    { key: 'decidedAt', label: t('application.decidedAt'), children: formatTime(app.decidedAt) },
    {
      key: 'grant',
      label: t('application.grant'),
      children: app.grantId ? (
        <Link to={`/sharing/grants/${app.grantId}`} data-testid="application-grant-link">
          {t('application.viewGrant')}
        </Link>
      ) : (
        '—'
      ),
    },
  ];

  return (
    <div data-testid="page-sharing-application">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap align="start">
        <div>
          <Typography.Title level={4} className="ts-page-title" style={{ marginBottom: 4 }}>
            {t('application.title', { name: app.catalog.name })}
          </Typography.Title>
          <ApplicationStatusTag status={app.status} />
        </div>
        <Space wrap>
          <ApplicationActions
            app={app}
            onChanged={(a) => {
              setApp(a);
              reload();
            }}
          />
          {/* A refusal may be contested before the data authority (异议, arbitration). */}
          {app.status === 'rejected' && user.organisationId === app.applicant.organisationId && user.roles.includes('consumer') && <ObjectionFileButton applicationId={app.id} />}
        </Space>
      </Space>
      <Row gutter={16}>
        <Col xs={24} lg={16}>
          <Card title={t('application.details')} style={{ marginBottom: 16 }}>
            <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} items={items} data-testid="application-details" />
          </Card>
          {app.proposedTerms && app.status !== 'granted' && <ProposedTerms terms={app.proposedTerms} />}
        </Col>
        <Col xs={24} lg={8}>
          <Card title={t('application.timeline')}>
            <DecisionTimeline app={app} />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
