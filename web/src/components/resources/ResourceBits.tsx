import { Col, Row, Statistic, Table, Tag, Typography, type TableColumnsType } from 'antd';
import type { LoadResult, LoadRowProblem, Resource, ResourceColumn } from '../../api';
import { useI18n, type MessageKey } from '../../i18n';
import { rowTestId } from '../../lib/testid';
import { fieldValue } from '../catalog/CatalogBits';

const STATUS_COLOR: Record<string, string> = {
  succeeded: 'green',
  checked: 'blue',
  validated: 'gold',
  merging: 'processing',
  failed: 'red',
  aborted: 'default',
};

/** A load's status; a status the portal does not know yet shows as sent. */
export function LoadStatusTag({ status }: { status: string }) {
  const { t } = useI18n();
  const key = `loadStatus.${status}` as MessageKey;
  const label = t(key);
  return <Tag color={STATUS_COLOR[status] ?? 'default'}>{label === key ? status : label}</Tag>;
}

type Counts = Pick<LoadResult, 'rowsRead' | 'inserted' | 'updated' | 'deleted' | 'unchanged' | 'rejected'>;

/** rowsRead … rejected; a dry run has no inserted/updated/deleted to show, so only read and refused. */
export function LoadCounts({ counts, dryRun = false, testId = 'load-counts' }: { counts: Counts; dryRun?: boolean; testId?: string }) {
  const { t } = useI18n();
  const keys: (keyof Counts)[] = dryRun ? ['rowsRead', 'rejected'] : ['rowsRead', 'inserted', 'updated', 'deleted', 'unchanged', 'rejected'];
  return (
    <Row gutter={16} style={{ marginBottom: 16 }} data-testid={testId}>
      {keys.map((k) => (
        <Col key={k} xs={8} md={4}>
          <Statistic
            title={t(`load.${k}`)}
            value={counts[k]}
            styles={k === 'rejected' && counts[k] > 0 ? { content: { color: '#cf1322' } } : undefined}
            data-testid={`${testId}-${k}`}
          />
        </Col>
      ))}
    </Row>
  );
}

/** The refused rows: row (1 = first data row), column, code and the message in the current language. */
export function LoadErrorsTable({ errors, testId = 'load-errors' }: { errors: readonly LoadRowProblem[]; testId?: string }) {
  const { t, lang } = useI18n();
  return (
    <Table<LoadRowProblem>
      rowKey={(e) => `${e.row}:${e.column}:${e.code}:${e.message}`}
      size="small"
      dataSource={[...errors]}
      pagination={errors.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
      onRow={(e) => rowTestId(`${testId}-${e.row}-${e.column || 'row'}`)}
      data-testid={testId}
      columns={[
        { title: t('load.row'), dataIndex: 'row', width: 80 },
        { title: t('load.column'), dataIndex: 'column', width: 160, render: (v: string) => (v ? <span className="mono">{v}</span> : <Typography.Text type="secondary">{t('load.wholeRow')}</Typography.Text>) },
        { title: t('load.code'), dataIndex: 'code', width: 200, render: (v: string) => <span className="mono">{v}</span> },
        { title: t('load.message'), key: 'message', render: (_, e) => (lang === 'zh' ? e.messageZh || e.message : e.message || e.messageZh) },
      ]}
    />
  );
}

function cell(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Records of a table resource, one column per info item (header = item name, key items marked). */
export function RecordsTable({
  columns,
  records,
  loading,
  pagination = false,
  testId = 'resource-records',
}: {
  columns: readonly ResourceColumn[] | null;
  records: readonly Record<string, unknown>[];
  loading?: boolean;
  pagination?: false | { current: number; pageSize: number; total: number; onChange: (page: number, pageSize: number) => void };
  testId?: string;
}) {
  const { t } = useI18n();
  const cols = columns ?? Object.keys(records[0] ?? {}).map((c): ResourceColumn => ({ name: c, column: c, dataType: 'string', length: null, isKey: false, piiKind: null }));
  const keyCols = cols.filter((c) => c.isKey).map((c) => c.column);
  const rowKey = (r: Record<string, unknown>): string => (keyCols.length ? keyCols.map((k) => cell(r[k])).join('|') : JSON.stringify(r));
  const tableColumns: TableColumnsType<Record<string, unknown>> = cols.map((c) => ({
    key: c.column,
    title: (
      <span title={c.column}>
        {c.name}
        {c.isKey && <Tag color="blue" style={{ marginInlineStart: 4 }}>{t('item.isKey')}</Tag>}
      </span>
    ),
    dataIndex: c.column,
    ellipsis: true,
    render: (v: unknown) => cell(v),
  }));
  return (
    <Table<Record<string, unknown>>
      rowKey={rowKey}
      onRow={(r) => rowTestId(`${testId}-row-${rowKey(r)}`)}
      size="small"
      loading={loading}
      columns={tableColumns}
      dataSource={[...records]}
      pagination={pagination ? { ...pagination, showSizeChanger: true, showTotal: (total) => t('common.total', { total }) } : false}
      scroll={{ x: Math.max(600, cols.length * 150) }}
      data-testid={testId}
    />
  );
}

/** The table's columns: item name, column, type, length, key and PII kind. */
export function ResourceColumnsTable({ resource }: { resource: Resource }) {
  const { t } = useI18n();
  return (
    <Table<ResourceColumn>
      rowKey="column"
      size="small"
      pagination={false}
      dataSource={resource.columns ?? []}
      onRow={(c) => rowTestId(`resource-column-${c.column}`)}
      data-testid="resource-columns"
      columns={[
        { title: t('item.index'), key: 'index', width: 60, render: (_, __, i) => i + 1 },
        { title: t('resource.columnName'), dataIndex: 'name' },
        { title: t('resource.column'), dataIndex: 'column', render: (v: string) => <span className="mono">{v}</span> },
        { title: t('item.dataType'), dataIndex: 'dataType', width: 120, render: (v: string) => fieldValue(t, 'dataType', v) },
        { title: t('item.length'), dataIndex: 'length', width: 80, render: (v: number | null) => v ?? '—' },
        { title: t('item.isKey'), dataIndex: 'isKey', width: 80, render: (v: boolean) => (v ? <Tag color="blue">{t('item.isKey')}</Tag> : '') },
        { title: t('item.piiKind'), dataIndex: 'piiKind', width: 150, render: (v: string | null) => (v ? <Tag color="orange">{fieldValue(t, 'piiKind', v)}</Tag> : '—') },
      ]}
    />
  );
}
