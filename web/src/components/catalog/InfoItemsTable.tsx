import { Table, Tag, type TableColumnsType } from 'antd';
import type { InfoItem } from '../../api';
import { useI18n } from '../../i18n';
import { rowTestId } from '../../lib/testid';
import { fieldValue } from './CatalogBits';

/** The info items of one version, read-only. Optional columns appear only when some item uses them. */
export function InfoItemsTable({ items, testId = 'entry-items' }: { items: readonly InfoItem[]; testId?: string }) {
  const { t } = useI18n();
  const hasElement = items.some((i) => i.dataElement);
  const hasGrade = items.some((i) => i.securityGrade);
  const columns: TableColumnsType<InfoItem> = [
    { title: t('item.index'), key: 'index', width: 60, render: (_, __, i) => i + 1 },
    { title: t('item.name'), dataIndex: 'name' },
    { title: t('item.column'), dataIndex: 'column', render: (v: string) => <span className="mono">{v}</span> },
    { title: t('item.dataType'), dataIndex: 'dataType', width: 110, render: (v: string) => fieldValue(t, 'dataType', v) },
    { title: t('item.length'), dataIndex: 'length', width: 80, render: (v: number | null) => v ?? '—' },
    { title: t('item.isKey'), dataIndex: 'isKey', width: 70, render: (v: boolean) => (v ? <Tag color="blue">{t('item.isKey')}</Tag> : '') },
    { title: t('item.piiKind'), dataIndex: 'piiKind', width: 140, render: (v: string | null) => (v ? <Tag color="orange">{fieldValue(t, 'piiKind', v)}</Tag> : '—') },
    { title: t('item.shareType'), dataIndex: 'shareType', width: 130, render: (v: string | null) => (v ? fieldValue(t, 'shareType', v) : t('item.inherit')) },
    ...(hasElement ? [{ title: t('item.dataElement'), dataIndex: 'dataElement', width: 130, render: (v: string | null) => (v ? <span className="mono">{v}</span> : '—') }] : []),
    ...(hasGrade ? [{ title: t('item.securityGrade'), dataIndex: 'securityGrade', width: 110, render: (v: string | null) => (v ? fieldValue(t, 'securityGrade', v) : t('item.inherit')) }] : []),
  ];
  return (
    <Table<InfoItem>
      rowKey="column"
      size="small"
      columns={columns}
      dataSource={[...items]}
      pagination={items.length > 50 ? { pageSize: 50 } : false}
      onRow={(r) => rowTestId(`entry-item-${r.column}`)}
      scroll={{ x: 900 }}
      data-testid={testId}
    />
  );
}
