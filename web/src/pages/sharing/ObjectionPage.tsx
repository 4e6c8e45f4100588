import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Card, Descriptions, Space, Tag, Typography } from 'antd';
import type { Objection } from '../../api';
import { useI18n } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { LoadError } from '../../components/LoadError';
import { PageSpinner } from '../../components/PageSpinner';
import { formatTime } from '../../lib/format';
import { objectionApi, ObjectionKindTag, ObjectionOutcomeTag, ObjectionStatusTag } from '../../components/sharing/ObjectionBits';
import { ObjectionActions } from '../../components/sharing/ObjectionDialogs';
import { ApplicationDeadline } from '../../components/sharing/SharingBits';

export default function ObjectionPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const { data: loaded, error, loading, reload } = useAsync(() => objectionApi.get(id), [id]);
  const [objection, setObjection] = useState<Objection | undefined>();
  useEffect(() => setObjection(loaded), [loaded]);

  if (!objection) return loading ? <PageSpinner /> : <LoadError error={error} onRetry={reload} />;
  const o = objection;
  const text = (v: string | null) => (v ? <span style={{ whiteSpace: 'pre-wrap' }}>{v}</span> : '—');
  const tags = (values: string[], testId: string) =>
    values.length ? (
      <Space size={4} wrap data-testid={testId}>
        {values.map((v) => (
          <Tag key={v} className="mono">
            {v}
          </Tag>
        ))}
      </Space>
    ) : (
      '—'
    );
  const items = [
    { key: 'kind', label: t('objection.kind'), children: <ObjectionKindTag kind={o.kind} /> },
    { key: 'status', label: t('objection.status'), children: <ObjectionStatusTag status={o.status} testId="objection-status" /> },
    { key: 'entry', label: t('objection.subject'), span: 2, children: <Link to={`/catalog/entries/${o.catalog.id}`}>{`${o.catalog.name}（${o.catalog.code}）`}</Link> },
    {
      key: 'about',
      label: o.kind === 'data' ? t('objection.grant') : t('objection.application'),
      span: 2,
      children:
        o.kind === 'data' && o.grantId ? (
          <Link to={`/sharing/grants/${o.grantId}`} data-testid="objection-grant-link">
            {t('application.viewGrant')}
          </Link>
        ) : o.applicationId ? (
          <Link to={`/sharing/applications/${o.applicationId}`} data-testid="objection-application-link">
            {t('objection.viewApplication')}
          </Link>
        ) : (
          '—'
        ),
    },
    { key: 'objector', label: t('objection.objector'), children: `${o.objector.organisationName} · ${o.objector.displayName}` },
    { key: 'provider', label: t('objection.provider'), children: o.providerName },
    ...(o.kind === 'data'
      ? [
          { key: 'items', label: t('objection.items'), span: 2, children: tags(o.items, 'objection-items-shown') },
          { key: 'keys', label: t('objection.recordKeys'), span: 2, children: tags(o.recordKeys, 'objection-keys-shown') },
        ]
      : []),
    { key: 'description', label: o.kind === 'data' ? t('objection.description') : t('objection.reason'), span: 2, children: text(o.description) },
    { key: 'due', label: t('objection.dueDate'), children: <ApplicationDeadline app={o} /> },
    { key: 'createdAt', label: t('objection.createdAt'), children: formatTime(o.createdAt) },
  ];
  const outcome = o.outcome
    ? [
        { key: 'outcome', label: t('objection.outcome'), children: <ObjectionOutcomeTag outcome={o.outcome} testId="objection-outcome" /> },
        { key: 'by', label: t('objection.decidedBy'), children: `${o.decidedBy?.displayName ?? '—'} · ${formatTime(o.decidedAt)}` },
        { key: 'comment', label: t('decide.comment'), span: 2, children: text(o.outcomeComment) },
      ]
    : [];

  return (
    <div data-testid="page-sharing-objection">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap align="start">
        <div>
          <Typography.Title level={4} className="ts-page-title" style={{ marginBottom: 4 }}>
            {t(o.kind === 'data' ? 'objection.titleData' : 'objection.titleRefusal', { name: o.catalog.name })}
          </Typography.Title>
          <ObjectionStatusTag status={o.status} />
        </div>
        <ObjectionActions
          objection={o}
          onChanged={(x) => {
            setObjection(x);
            reload();
          }}
        />
      </Space>
      <Card title={t('objection.details')} style={{ marginBottom: 16, maxWidth: 1100 }}>
        <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} items={items} data-testid="objection-details" />
      </Card>
      {o.outcome && (
        <Card title={t('objection.result')} style={{ maxWidth: 1100 }}>
          <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} items={outcome} data-testid="objection-result" />
        </Card>
      )}
    </div>
  );
}
