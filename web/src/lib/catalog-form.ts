import type {
  CatalogContent,
  CatalogEntryInput,
  CatalogFormat,
  DataType,
  EntryProblem,
  InfoItemInput,
  OpenType,
  ResourceType,
  SecurityGrade,
  ShareMethod,
  ShareType,
  UpdateCycle,
} from '../api/types';

// The editor's form model and its mapping to and from the API, kept free of React and antd so the
// rules (what is sent, where a server problem is shown) can be unit-tested.

export interface ItemFormValues {
  /** Stable row key across reorderings (not sent). */
  key?: string;
  name?: string;
  column?: string;
  dataType: DataType;
  length?: number | null;
  isKey?: boolean;
  piiKind?: string | null;
  shareType?: ShareType | null;
  dataElement?: string | null;
  securityGrade?: SecurityGrade | null;
}

export interface EntryFormValues {
  name?: string;
  summary?: string;
  resourceType: ResourceType;
  category?: string;
  format: CatalogFormat;
  shareType: ShareType;
  shareCondition?: string | null;
  nonShareBasis?: string | null;
  shareMethods: ShareMethod[];
  openType: OpenType;
  updateCycle: UpdateCycle;
  securityGrade: SecurityGrade;
  sensitivityLevel?: number | null;
  sourceSystemIds: string[];
  items: ItemFormValues[];
}

let rowSeq = 0;
export const newRowKey = (): string => `row-${++rowSeq}`;

export const emptyItem = (): ItemFormValues => ({ key: newRowKey(), dataType: 'string', length: 50, isKey: false });

/** What a new entry starts with: the most common choices, so a first entry needs few clicks. */
export function newEntryValues(): EntryFormValues {
  return {
    resourceType: 'department',
    format: 'table',
    shareType: 'unconditional',
    shareMethods: ['api'],
    openType: 'none',
    updateCycle: 'daily',
    securityGrade: 'general',
    sourceSystemIds: [],
    items: [emptyItem()],
  };
}

export function entryToFormValues(c: CatalogContent): EntryFormValues {
  return {
    name: c.name,
    summary: c.summary,
    resourceType: c.resourceType,
    category: c.category,
    format: c.format,
    shareType: c.shareType,
    shareCondition: c.shareCondition,
    nonShareBasis: c.nonShareBasis,
    shareMethods: [...c.shareMethods],
    openType: c.openType,
    updateCycle: c.updateCycle,
    securityGrade: c.securityGrade,
    sensitivityLevel: c.sensitivityLevel,
    sourceSystemIds: [...c.sourceSystemIds],
    items: c.items.map((i) => ({
      key: newRowKey(),
      name: i.name,
      column: i.column,
      dataType: i.dataType,
      length: i.length,
      isKey: i.isKey,
      piiKind: i.piiKind,
      shareType: i.shareType,
      dataElement: i.dataElement ?? null,
      securityGrade: i.securityGrade ?? null,
    })),
  };
}

const text = (s: string | null | undefined): string | undefined => {
  const v = s?.trim();
  return v ? v : undefined;
};

/**
 * The request body. Conditional fields are sent only when they apply (a condition typed while the
 * share type was 'conditional' is dropped when the user switches to 'unconditional'); empty
 * optional values are left out so the server's "required" rules see them as missing.
 */
export function formValuesToInput(v: EntryFormValues): CatalogEntryInput {
  const shareCondition = v.shareType === 'conditional' ? text(v.shareCondition) : undefined;
  const nonShareBasis = v.shareType === 'none' ? text(v.nonShareBasis) : undefined;
  const sensitivity = v.securityGrade === 'general' && typeof v.sensitivityLevel === 'number' ? v.sensitivityLevel : undefined;
  return {
    name: v.name?.trim() ?? '',
    summary: v.summary?.trim() ?? '',
    resourceType: v.resourceType,
    category: v.category?.trim() ?? '',
    format: v.format,
    shareType: v.shareType,
    ...(shareCondition !== undefined ? { shareCondition } : {}),
    ...(nonShareBasis !== undefined ? { nonShareBasis } : {}),
    shareMethods: v.shareType === 'none' ? [] : [...v.shareMethods],
    openType: v.openType,
    updateCycle: v.updateCycle,
    securityGrade: v.securityGrade,
    ...(sensitivity !== undefined ? { sensitivityLevel: sensitivity } : {}),
    sourceSystemIds: [...(v.sourceSystemIds ?? [])],
    items: (v.items ?? []).map(itemToInput),
  };
}

function itemToInput(i: ItemFormValues): InfoItemInput {
  const out: InfoItemInput = { name: i.name?.trim() ?? '', column: i.column?.trim() ?? '', dataType: i.dataType };
  if (typeof i.length === 'number') out.length = i.length;
  if (i.isKey) out.isKey = true;
  if (i.piiKind) out.piiKind = i.piiKind;
  if (i.shareType) out.shareType = i.shareType;
  const de = text(i.dataElement);
  if (de) out.dataElement = de;
  if (i.securityGrade) out.securityGrade = i.securityGrade;
  return out;
}

/** `items[2].column` → { field: 'items', index: 2, sub: 'column' }; `category` → { field: 'category' }. */
export interface FieldPath {
  field: string;
  index?: number;
  sub?: string;
}

export function parseFieldPath(path: string): FieldPath {
  const m = /^([A-Za-z_][\w]*)(?:\[(\d+)\])?(?:\.([A-Za-z_][\w]*))?$/.exec(path.trim());
  if (!m) return { field: path.trim() };
  const out: FieldPath = { field: m[1]! };
  if (m[2] !== undefined) out.index = Number(m[2]);
  if (m[3] !== undefined) out.sub = m[3];
  return out;
}

export type NamePath = (string | number)[];

/** The entry's own fields (not its items), in the editor's order; each has an input in the editor. */
export const ENTRY_FIELD_NAMES = [
  'name',
  'summary',
  'resourceType',
  'category',
  'format',
  'shareType',
  'shareCondition',
  'nonShareBasis',
  'shareMethods',
  'openType',
  'updateCycle',
  'securityGrade',
  'sensitivityLevel',
  'sourceSystemIds',
] as const;
const ENTRY_FIELDS: ReadonlySet<string> = new Set(ENTRY_FIELD_NAMES);
const ITEM_FIELDS = new Set(['name', 'column', 'dataType', 'length', 'isKey', 'piiKind', 'shareType', 'dataElement', 'securityGrade']);

/**
 * Where the editor shows a problem: the form field (antd name path) when it has one, else the item
 * row (`items[3]` without a field, or a field the table has no cell for), else the form as a whole.
 */
export type ProblemPlace =
  | { kind: 'field'; name: NamePath }
  | { kind: 'row'; index: number }
  | { kind: 'items' }
  | { kind: 'form' };

export function problemPlace(path: string | undefined): ProblemPlace {
  if (!path) return { kind: 'form' };
  const p = parseFieldPath(path);
  if (p.field === 'items') {
    if (p.index === undefined) return { kind: 'items' };
    if (p.sub && ITEM_FIELDS.has(p.sub)) return { kind: 'field', name: ['items', p.index, p.sub] };
    return { kind: 'row', index: p.index };
  }
  // sourceSystemIds[1] belongs to the one multi-select.
  if (ENTRY_FIELDS.has(p.field) && p.sub === undefined) return { kind: 'field', name: [p.field] };
  return { kind: 'form' };
}

export interface PlacedProblems {
  /** Keyed by the name path joined with '.', with the messages for that field. */
  fields: Map<string, { name: NamePath; messages: string[] }>;
  rows: Map<number, string[]>;
  items: string[];
  form: string[];
}

export function placeProblems(problems: readonly EntryProblem[], lang: 'zh' | 'en'): PlacedProblems {
  const out: PlacedProblems = { fields: new Map(), rows: new Map(), items: [], form: [] };
  for (const problem of problems) {
    const message = lang === 'zh' ? problem.messageZh || problem.message : problem.message || problem.messageZh;
    const place = problemPlace(problem.field);
    if (place.kind === 'field') {
      const key = place.name.join('.');
      const slot = out.fields.get(key) ?? { name: place.name, messages: [] };
      slot.messages.push(message);
      out.fields.set(key, slot);
    } else if (place.kind === 'row') {
      out.rows.set(place.index, [...(out.rows.get(place.index) ?? []), message]);
    } else if (place.kind === 'items') {
      out.items.push(message);
    } else {
      out.form.push(message);
    }
  }
  return out;
}

/** The problems of a CATALOG_ENTRY_INVALID error body's `details`, tolerating other shapes. */
export function entryProblems(details: unknown): EntryProblem[] {
  if (!Array.isArray(details)) return [];
  return details.filter(
    (d): d is EntryProblem =>
      typeof d === 'object' && d !== null && typeof (d as EntryProblem).field === 'string' && typeof (d as EntryProblem).message === 'string',
  );
}
