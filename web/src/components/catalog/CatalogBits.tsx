import { Tag } from 'antd';
import type { CatalogFormat, EntryStatus, InfoItem, OpenType, ShareType, VersionStatus } from '../../api';
import type { MessageKey, TFunction } from '../../i18n';
import { useI18n } from '../../i18n';
import { highlightSegments } from '../../lib/highlight';
import { parseFieldPath } from '../../lib/catalog-form';

const STATUS_COLOURS: Record<VersionStatus, string> = {
  draft: 'default',
  submitted: 'processing',
  returned: 'warning',
  published: 'success',
  retired: 'error',
  superseded: 'default',
};

export function StatusTag({ status, testId }: { status: EntryStatus | VersionStatus; testId?: string }) {
  const { t } = useI18n();
  return (
    <Tag color={STATUS_COLOURS[status]} data-testid={testId}>
      {t(`entryStatus.${status}`)}
    </Tag>
  );
}

const SHARE_COLOURS: Record<ShareType, string> = { unconditional: 'green', conditional: 'gold', none: 'default' };

export function ShareTag({ shareType }: { shareType: ShareType }) {
  const { t } = useI18n();
  return <Tag color={SHARE_COLOURS[shareType]}>{t(`shareType.${shareType}`)}</Tag>;
}

export function OpenTag({ openType }: { openType: OpenType }) {
  const { t } = useI18n();
  return <Tag>{t(`openType.${openType}`)}</Tag>;
}

export function FormatTag({ format }: { format: CatalogFormat }) {
  const { t } = useI18n();
  return <Tag color="blue">{t(`format.${format}`)}</Tag>;
}

/** Text with the server's match ranges wrapped in <mark>; React escapes every piece. */
export function Highlighted({ text, ranges }: { text: string; ranges?: readonly [number, number][] | undefined }) {
  return (
    <>
      {highlightSegments(text, ranges).map((s, i) =>
        s.match ? (
          <mark key={i} className="ts-mark">
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}

const ENTRY_FIELD_KEYS: Record<string, MessageKey> = {
  name: 'field.name',
  summary: 'field.summary',
  resourceType: 'field.resourceType',
  category: 'field.category',
  format: 'field.format',
  shareType: 'field.shareType',
  shareCondition: 'field.shareCondition',
  nonShareBasis: 'field.nonShareBasis',
  shareMethods: 'field.shareMethods',
  openType: 'field.openType',
  updateCycle: 'field.updateCycle',
  securityGrade: 'field.securityGrade',
  sensitivityLevel: 'field.sensitivityLevel',
  sourceSystemIds: 'field.sourceSystemIds',
  items: 'field.items',
};

export const ITEM_FIELD_KEYS: Record<string, MessageKey> = {
  name: 'item.name',
  column: 'item.column',
  dataType: 'item.dataType',
  length: 'item.length',
  isKey: 'item.isKey',
  piiKind: 'item.piiKind',
  shareType: 'item.shareType',
  dataElement: 'item.dataElement',
  securityGrade: 'item.securityGrade',
};

/** A field path from the server (`items[2].column`, `shareCondition`) as a reader would name it. */
export function fieldLabel(t: TFunction, path: string, items?: readonly Pick<InfoItem, 'name'>[]): string {
  const p = parseFieldPath(path);
  if (p.field === 'items' && p.index !== undefined) {
    const name = items?.[p.index]?.name;
    const row = name ? t('item.rowNamed', { n: p.index + 1, name }) : t('item.row', { n: p.index + 1 });
    const sub = p.sub ? ITEM_FIELD_KEYS[p.sub] : undefined;
    return sub ? `${row} · ${t(sub)}` : p.sub ? `${row} · ${p.sub}` : row;
  }
  const key = ENTRY_FIELD_KEYS[p.field];
  return key ? t(key) : path;
}

/** Enum-valued fields as their Chinese/English labels (for diffs and item rows). */
export function fieldValue(t: TFunction, field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.map((v) => fieldValue(t, field, v)).join('、') : '—';
  if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
  const prefix: Record<string, string> = {
    resourceType: 'resourceType',
    format: 'format',
    shareType: 'shareType',
    openType: 'openType',
    updateCycle: 'updateCycle',
    securityGrade: 'securityGrade',
    shareMethods: 'shareMethod',
    dataType: 'dataType',
    piiKind: 'pii',
    status: 'entryStatus',
  };
  const p = prefix[field];
  if (p && typeof value === 'string') {
    const key = `${p}.${value}` as MessageKey;
    const label = t(key);
    return label === key ? value : label;
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
