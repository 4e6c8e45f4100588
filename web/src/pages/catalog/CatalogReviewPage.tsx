import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { Button, Card, Space, Table, Typography, type TableColumnsType } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { catalogApi, type CatalogEntry } from '../../api';
import { useI18n } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { LoadError } from '../../components/LoadError';
import { FormatTag, ShareTag, StatusTag } from '../../components/catalog/CatalogBits';
import { formatTime } from '../../lib/format';
import { rowTestId } from '../../lib/testid';

/**
 * Submitted entries of other organisations that the caller's authority reviews (scope=reviewing).
 */
export default function CatalogReviewPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const { data, error, loading, reload } = useAsync(
    () => catalogApi.list({ status: 'submitted', scope: 'reviewing', sort: 'recent', page, pageSize }),
    [page, pageSize],
  );
  const items = data?.items ?? [];

  const columns: TableColumnsType<CatalogEntry> = [
    {
      title: t('field.name'),
      dataIndex: 'name',
      render: (v: string, e) => (
        <div>
          <Link to={`/catalog/entries/${e.id}`}>{v}</Link>
          <div className="mono" style={{ color: 'rgba(0,0,0,0.45)' }}>{e.code}</div>
        </div>
      ),
    },
    { title: t('field.provider'), key: 'provider', width: 200, render: (_, e) => e.provider.name },
    { title: t('field.version'), dataIndex: 'version', width: 80, render: (v: number) => t('catalog.versionShort', { v }) },
    { title: t('field.format'), dataIndex: 'format', width: 90, render: (_, e) => <FormatTag format={e.format} /> },
    { title: t('field.shareType'), dataIndex: 'shareType', width: 130, render: (_, e) => <ShareTag shareType={e.shareType} /> },
    { title: t('field.status'), dataIndex: 'status', width: 100, render: (_, e) => <StatusTag status={e.status} /> },
    { title: t('review.submittedAt'), dataIndex: 'updatedAt', width: 170, render: formatTime },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 90,
      render: (_, e) => (
        <Button type="link" size="small" onClick={() => navigate(`/catalog/entries/${e.id}`)} data-testid={`review-open-${e.id}`}>
          {t('review.open')}
        </Button>
      ),
    },
  ];

  return (
    <div data-testid="page-catalog-review">
      <Typography.Title level={4} className="ts-page-title">
        {t('menu.catalogReview')}
      </Typography.Title>
      <Card>
        <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }}>
          <Typography.Text type="secondary">{t('review.intro')}</Typography.Text>
          <Button icon={<ReloadOutlined />} onClick={reload}>
            {t('common.refresh')}
          </Button>
        </Space>
        <LoadError error={error} onRetry={reload} />
        <Table<CatalogEntry>
          rowKey="id"
          size="middle"
          loading={loading}
          columns={columns}
          dataSource={items}
          locale={{ emptyText: t('review.empty') }}
          onRow={(e) => rowTestId(`review-row-${e.id}`)}
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
    </div>
  );
}
