import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Card, Col, Descriptions, Row, Space, Tag, Typography } from 'antd';
import type { Demand } from '../../api';
import { useI18n } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { LoadError } from '../../components/LoadError';
import { PageSpinner } from '../../components/PageSpinner';
import { formatTime } from '../../lib/format';
import { demandApi, DemandAnswerText, DemandStatusTag, labelOr } from '../../components/sharing/DemandBits';
import { DemandActions } from '../../components/sharing/DemandDialogs';
import { DemandTimeline } from '../../components/sharing/DemandTimeline';
import { ApplicationDeadline } from '../../components/sharing/SharingBits';

export default function DemandPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const { data: loaded, error, loading, reload } = useAsync(() => demandApi.get(id), [id]);
  const [demand, setDemand] = useState<Demand | undefined>();
  useEffect(() => setDemand(loaded), [loaded]);

  if (!demand) return loading ? <PageSpinner /> : <LoadError error={error} onRetry={reload} />;

  const text = (v: string | null) => (v ? <span style={{ whiteSpace: 'pre-wrap' }}>{v}</span> : '—');
  const items = [
    { key: 'status', label: t('demand.status'), children: <DemandStatusTag demand={demand} testId="demand-status" /> },
    { key: 'requester', label: t('demand.requester'), children: `${demand.requester.organisationName} · ${demand.requester.displayName}` },
    { key: 'description', label: t('demand.description'), span: 2, children: text(demand.description) },
    {
      key: 'items',
      label: t('demand.items'),
      span: 2,
      children: demand.items.length ? (
        <Space size={4} wrap data-testid="demand-items">
          {demand.items.map((i) => (
            <Tag key={i}>{i}</Tag>
          ))}
        </Space>
      ) : (
        '—'
      ),
    },
    { key: 'purpose', label: t('apply.purpose'), span: 2, children: text(demand.purpose) },
    { key: 'legalBasis', label: t('apply.legalBasis'), span: 2, children: text(demand.legalBasis) },
    { key: 'expectedBy', label: t('demand.expectedBy'), children: demand.expectedBy ?? '—' },
    { key: 'provider', label: t('demand.provider'), children: <span data-testid="demand-provider">{demand.provider?.name ?? '—'}</span> },
    { key: 'due', label: t('demand.dueDate'), children: <ApplicationDeadline app={demand} /> },
    { key: 'createdAt', label: t('demand.createdAt'), children: formatTime(demand.createdAt) },
  ];
  const answer = demand.answer;
  const answerItems = answer
    ? [
        { key: 'kind', label: t('demand.answer.kind'), children: labelOr(t, `demand.answer.kind.${answer.kind}`, answer.kind) },
        { key: 'at', label: t('demand.answer.at'), children: formatTime(answer.answeredAt) },
        { key: 'what', label: t('demand.answer.result'), span: 2, children: <DemandAnswerText answer={answer} /> },
        ...(answer.catalog
          ? [
              {
                key: 'catalog',
                label: t('demand.answer.catalog'),
                span: 2,
                children: (
                  <Link to={`/catalog/entries/${answer.catalog.id}`} data-testid="demand-answer-entry">
                    {answer.catalog.name}（{answer.catalog.code}）
                  </Link>
                ),
              },
            ]
          : []),
        ...(answer.text ? [{ key: 'text', label: answer.kind === 'not_held' ? t('decide.reason') : t('decide.comment'), span: 2, children: text(answer.text) }] : []),
      ]
    : [];

  return (
    <div data-testid="page-sharing-demand">
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap align="start">
        <div>
          <Typography.Title level={4} className="ts-page-title" style={{ marginBottom: 4 }} data-testid="demand-title-text">
            {demand.title}
          </Typography.Title>
          <DemandStatusTag demand={demand} />
        </div>
        <DemandActions
          demand={demand}
          onChanged={(d) => {
            setDemand(d);
            reload();
          }}
        />
      </Space>
      <Row gutter={16}>
        <Col xs={24} lg={16}>
          <Card title={t('demand.details')} style={{ marginBottom: 16 }}>
            <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} items={items} data-testid="demand-details" />
          </Card>
          {answer && (
            <Card title={t('demand.answer.title')} style={{ marginBottom: 16 }}>
              <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} items={answerItems} data-testid="demand-answer" />
            </Card>
          )}
        </Col>
        <Col xs={24} lg={8}>
          <Card title={t('demand.timeline')}>
            <DemandTimeline demand={demand} />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
