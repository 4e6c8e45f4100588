import { Link } from 'react-router-dom';
import { Table, Tag, type TableColumnsType, type TablePaginationConfig } from 'antd';
import type { Deadline, DeadlineState } from '../../api';
import { useI18n } from '../../i18n';
import { formatTime } from '../../lib/format';
import { rowTestId } from '../../lib/testid';

const STATE_COLOURS: Record<DeadlineState, string> = { open: 'processing', due_soon: 'warning', overdue: 'error', met: 'success', missed: 'default' };

export function DeadlineStateTag({ state }: { state: DeadlineState }) {
  const { t } = useI18n();
  return <Tag color={STATE_COLOURS[state]}>{t(`deadlines.state.${state}`)}</Tag>;
}

interface Props {
  items: readonly Deadline[];
  loading?: boolean;
  /** Off on an entry's own page, where the entry is already known. */
  showEntry?: boolean;
  pagination?: TablePaginationConfig | false;
}

export function DeadlineTable({ items, loading, showEntry = true, pagination = false }: Props) {
  const { t } = useI18n();
  const columns: TableColumnsType<Deadline> = [
    ...(showEntry
      ? [
          {
            title: t('deadlines.entry'),
            key: 'entry',
            render: (_: unknown, d: Deadline) => (
              <div>
                <Link to={`/catalog/entries/${d.entry.id}`}>{d.entry.name}</Link>
                <div className="mono" style={{ color: 'rgba(0,0,0,0.45)' }}>{d.entry.code}</div>
              </div>
            ),
          },
          { title: t('deadlines.provider'), key: 'provider', width: 180, render: (_: unknown, d: Deadline) => d.provider.name },
        ]
      : []),
    { title: t('deadlines.kind'), dataIndex: 'kind', width: 140, render: (v: Deadline['kind']) => t(`deadlines.kind.${v}`) },
    { title: t('deadlines.state'), dataIndex: 'state', width: 110, render: (v: DeadlineState) => <DeadlineStateTag state={v} /> },
    { title: t('deadlines.startedOn'), dataIndex: 'startedOn', width: 110 },
    {
      title: t('deadlines.dueOn'),
      dataIndex: 'dueOn',
      width: 110,
      render: (v: string, d) => <span className={d.state === 'overdue' ? 'ts-overdue' : undefined}>{v}</span>,
    },
    {
      title: t('deadlines.daysLeft'),
      dataIndex: 'workingDaysLeft',
      width: 150,
      render: (v: number, d) =>
        d.closedAt ? '—' : v < 0 ? <span className="ts-overdue">{t('deadlines.overdueBy', { n: -v })}</span> : v,
    },
    {
      title: t('deadlines.closedAt'),
      dataIndex: 'closedAt',
      width: 170,
      render: (v: string | null, d) => (v ? `${formatTime(v)}${d.closedReason ? ` · ${d.closedReason}` : ''}` : '—'),
    },
  ];
  return (
    <Table<Deadline>
      rowKey="id"
      size="small"
      loading={loading}
      columns={columns}
      dataSource={[...items]}
      pagination={pagination}
      onRow={(d) => ({ ...rowTestId(`deadline-row-${d.id}`), style: d.state === 'overdue' ? { background: '#fff1f0' } : undefined })}
      scroll={{ x: 900 }}
    />
  );
}
