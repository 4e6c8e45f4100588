import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { Button, Card, Checkbox, Col, Empty, Input, Pagination, Row, Select, Space, Spin, Typography } from 'antd';
import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import {
  catalogApi,
  FACET_KEYS,
  type CatalogEntry,
  type CatalogFilters,
  type CatalogQuery,
  type CatalogSort,
  type FacetCount,
  type FacetKey,
  type Highlight,
} from '../../api';
import { useAuth } from '../../auth/AuthContext';
import { useI18n, type MessageKey } from '../../i18n';
import { useAsync } from '../../hooks/useAsync';
import { useFeedback } from '../../hooks/useFeedback';
import { LoadError } from '../../components/LoadError';
import { FormatTag, Highlighted, OpenTag, ShareTag, StatusTag, fieldValue } from '../../components/catalog/CatalogBits';
import { saveDownload } from '../../lib/download';
import { formatTime } from '../../lib/format';

const SORTS: CatalogSort[] = ['relevance', 'recent', 'name'];
const FACET_FIELD: Partial<Record<FacetKey, string>> = {
  status: 'status',
  resourceType: 'resourceType',
  shareType: 'shareType',
  openType: 'openType',
  format: 'format',
  updateCycle: 'updateCycle',
  securityGrade: 'securityGrade',
};

/** The page's state lives in the URL, so a search can be bookmarked, shared and gone back to. */
function readQuery(params: URLSearchParams): CatalogQuery {
  const q: CatalogQuery = {};
  const text = params.get('q');
  if (text) q.q = text;
  const sort = params.get('sort');
  if (sort && (SORTS as string[]).includes(sort)) q.sort = sort as CatalogSort;
  for (const key of FACET_KEYS) {
    const v = params.get(key);
    if (v) q[key] = v;
  }
  const page = Number(params.get('page'));
  if (Number.isInteger(page) && page > 1) q.page = page;
  const size = Number(params.get('pageSize'));
  if (Number.isInteger(size) && size > 0 && size <= 100) q.pageSize = size;
  return q;
}

function writeQuery(q: CatalogQuery): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '' && v !== null) out.set(k, String(v));
  return out;
}

const highlightOf = (entry: CatalogEntry, field: Highlight['field']) => entry.highlights?.filter((h) => h.field === field) ?? [];

function ResultRow({ entry }: { entry: CatalogEntry }) {
  const { t } = useI18n();
  const name = highlightOf(entry, 'name')[0];
  const summary = highlightOf(entry, 'summary')[0];
  const provider = highlightOf(entry, 'provider')[0];
  const items = highlightOf(entry, 'item');
  return (
    <div className="ts-result" data-testid={`catalog-result-${entry.id}`}>
      <Space size={8} wrap>
        <Link to={`/catalog/entries/${entry.id}`} className="ts-result-title" data-testid="catalog-result-title">
          {name ? <Highlighted text={name.text} ranges={name.ranges} /> : entry.name}
        </Link>
        <StatusTag status={entry.status} />
        <ShareTag shareType={entry.shareType} />
        <OpenTag openType={entry.openType} />
        <FormatTag format={entry.format} />
      </Space>
      <div style={{ margin: '6px 0', color: 'rgba(0,0,0,0.65)' }}>
        {summary ? (
          <Highlighted text={summary.text} ranges={summary.ranges} />
        ) : (
          <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: 0, color: 'inherit' }}>
            {entry.summary}
          </Typography.Paragraph>
        )}
      </div>
      {items.length > 0 && (
        <div style={{ marginBottom: 6 }} data-testid="catalog-result-items">
          <Typography.Text type="secondary">{t('catalog.matchedItems')}：</Typography.Text>
          {items.map((h, i) => (
            <span key={i} style={{ marginRight: 12 }}>
              <Highlighted text={h.text} ranges={h.ranges} />
            </span>
          ))}
        </div>
      )}
      <Space size={16} wrap style={{ fontSize: 12, color: 'rgba(0,0,0,0.45)' }}>
        <span>
          {t('field.provider')}：{provider ? <Highlighted text={provider.text} ranges={provider.ranges} /> : entry.provider.name}
        </span>
        <span>
          {t('field.code')}：<span className="mono">{entry.code}</span>
        </span>
        <span>{t('catalog.itemsCount', { n: entry.items.length })}</span>
        <span>
          {t('field.updatedAt')}：{formatTime(entry.updatedAt)}
        </span>
      </Space>
    </div>
  );
}

export default function CatalogSearchPage() {
  const { t } = useI18n();
  const { hasRole } = useAuth();
  const { ok, fail } = useFeedback();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const query = useMemo(() => readQuery(params), [params]);
  const [text, setText] = useState(query.q ?? '');
  const [exporting, setExporting] = useState(false);
  // Back/forward and links change the URL under the box: show what is being searched.
  useEffect(() => setText(query.q ?? ''), [query.q]);
  const page = query.page ?? 1;
  const pageSize = query.pageSize ?? 20;

  const key = params.toString();
  const { data, loading, error, reload } = useAsync(() => catalogApi.list({ ...query, page, pageSize }), [key]);

  const update = (patch: Partial<CatalogQuery>, keepPage = false) => {
    const next: CatalogQuery = { ...query, ...patch };
    if (!keepPage) delete next.page;
    setParams(writeQuery(next));
  };

  const filters: CatalogFilters = {};
  for (const k of FACET_KEYS) if (query[k]) filters[k] = query[k];
  const filtered = Object.keys(filters).length > 0;

  /** Provider facets from older servers carry no label: use the names on the page where we can. */
  const facetLabel = (k: FacetKey, f: FacetCount): string => {
    if (f.label) return f.label;
    if (k === 'provider') return data?.items.find((e) => e.provider.id === f.value)?.provider.name ?? f.value;
    if (k === 'category') return t('catalog.categoryClass', { code: f.value });
    const field = FACET_FIELD[k];
    return field ? fieldValue(t, field, f.value) : f.value;
  };

  const exportXlsx = async () => {
    setExporting(true);
    try {
      const { page: _p, pageSize: _s, ...rest } = query;
      saveDownload(await catalogApi.exportXlsx(rest), 'catalog.xlsx');
      ok(t('catalog.exportDone'));
    } catch (e) {
      fail(e);
    } finally {
      setExporting(false);
    }
  };

  const facets = data?.facets ?? {};
  const sort: CatalogSort = query.sort ?? (query.q ? 'relevance' : 'recent');

  return (
    <div data-testid="page-catalog">
      <Typography.Title level={4} className="ts-page-title">
        {t('menu.catalog')}
      </Typography.Title>
      <Card style={{ marginBottom: 16 }}>
          <Input.Search
            value={text}
            onChange={(e) => setText(e.target.value)}
            onSearch={(v) => update({ q: v.trim() || undefined })}
            placeholder={t('catalog.searchPlaceholder')}
            maxLength={200}
            allowClear
            enterButton={t('common.search')}
            size="large"
            data-testid="catalog-search"
          />
      </Card>
      <Row gutter={16}>
        <Col xs={24} md={6}>
          <Card title={t('catalog.facets')} size="small" data-testid="catalog-facets"
            extra={filtered && (
              <Button type="link" size="small" onClick={() => update(Object.fromEntries(FACET_KEYS.map((k) => [k, undefined])))} data-testid="catalog-clear-filters">
                {t('catalog.clearFilters')}
              </Button>
            )}
          >
            {FACET_KEYS.map((k) => {
              const values = [...(facets[k] ?? [])];
              const selected = query[k];
              if (selected && !values.some((v) => v.value === selected)) values.unshift({ value: selected, count: 0 });
              if (values.length === 0) return null;
              return (
                <div key={k} className="ts-facet-group" data-testid={`facet-${k}`}>
                  <div className="ts-facet-title">{t(`catalog.facet.${k}` as MessageKey)}</div>
                  {values.map((f) => (
                    <div key={f.value}>
                      <Checkbox
                        checked={selected === f.value}
                        onChange={(e) => update({ [k]: e.target.checked ? f.value : undefined })}
                        data-testid={`facet-${k}-${f.value}`}
                      >
                        {facetLabel(k, f)} <Typography.Text type="secondary">({f.count})</Typography.Text>
                      </Checkbox>
                    </div>
                  ))}
                </div>
              );
            })}
            {!data && loading && <Spin size="small" />}
          </Card>
        </Col>
        <Col xs={24} md={18}>
          <Card>
            <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 8 }} wrap>
              <Typography.Text data-testid="catalog-total">{t(data?.approximate ? 'catalog.resultsApprox' : 'catalog.results', { total: data?.total ?? 0 })}</Typography.Text>
              <Space wrap>
                <span>{t('catalog.sort')}</span>
                <Select<CatalogSort>
                  value={sort}
                  style={{ width: 130 }}
                  onChange={(v) => update({ sort: v })}
                  options={SORTS.map((s) => ({ value: s, label: t(`catalog.sort.${s}`) }))}
                  data-testid="catalog-sort"
                />
                <Button icon={<DownloadOutlined />} loading={exporting} onClick={() => void exportXlsx()} data-testid="catalog-export">
                  {t('catalog.export')}
                </Button>
                {hasRole('catalog_editor') && (
                  <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/catalog/new')} data-testid="catalog-new">
                    {t('catalog.new')}
                  </Button>
                )}
              </Space>
            </Space>
            <LoadError error={error} onRetry={reload} />
            <Spin spinning={loading}>
              <div data-testid="catalog-results" data-loading={loading ? 'true' : 'false'}>
                {data && data.items.length === 0 ? (
                  <Empty description={t('catalog.noResults')} data-testid="catalog-empty" />
                ) : (
                  data?.items.map((e) => <ResultRow key={e.id} entry={e} />)
                )}
              </div>
            </Spin>
            {data && data.total > 0 && (
              <Pagination
                style={{ marginTop: 16, textAlign: 'right' }}
                current={page}
                pageSize={pageSize}
                total={data.total}
                showSizeChanger
                showTotal={(n) => t('common.total', { total: n })}
                onChange={(p, s) => update({ page: s === pageSize ? p : undefined, pageSize: s }, true)}
              />
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
