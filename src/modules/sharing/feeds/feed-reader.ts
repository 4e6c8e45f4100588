import { ConflictError, InputError } from '../../../core/errors.js';
import type { ResourceService } from '../../resources/index.js';
import type { ShareChange, ShareCondition, ShareTable } from '../../resources/resources.share.js';
import { maskRecord, maskValue } from '../gateway/masking.js';
import type { Grant } from '../sharing.types.js';
import type { ChangeSignals } from './change-signals.js';

/**
 * Change feeds (库表/实时交换, issue 5): a table's changes in order, restricted and masked as the
 * consumer's grant says — what the gateway's records would show, a change at a time. Each change has a
 * stable id (the resource and its sequence number), so a consumer that applies changes by id applies
 * each once, however often it is delivered. The change log keeps keys; a change comes with its row as
 * it is when read, so an insert followed by an update may both show the updated row.
 */

export interface FeedChange {
  /** `<resource id>:<seq>`: the same change always has the same id. */
  id: string;
  seq: number;
  op: 'insert' | 'update' | 'delete';
  /** The granted key items, masked as granted. */
  key: Record<string, unknown>;
  /**
   * The row's identity for this consumer: a keyed digest of the whole key, the same for every change
   * to the row. Masked keys can collide (two ID numbers masked alike); a consumer keys its copy by
   * rowId. Another organisation gets other rowIds for the same row, so they cannot be matched up.
   */
  rowId: string;
  /** The granted items of the row as it is now, masked; null for a delete. */
  record: Record<string, unknown> | null;
  at: string;
}

export interface FeedPage {
  items: FeedChange[];
  /** Pass as `after` to read on: the last sequence number looked at. */
  next: string;
}

export const DEFAULT_FEED_LIMIT = 500;
export const MAX_FEED_LIMIT = 5000;
export const MAX_WAIT_SECONDS = 30;
/** Changes one call looks at, at most, while the row filter refuses them all. */
export const MAX_SCANNED_PER_CALL = 50_000;

export const feedCursorExpired = (after: number, oldest: number | null, latest: number) =>
  new ConflictError(
    'FEED_CURSOR_EXPIRED',
    `Changes after ${after} are no longer kept (retention); read the current data with POST /share/{code}/query, then follow from after=latest`,
    `序号 ${after} 之后的部分变更已超过保留期限，请先通过条件查询获取全量数据，再从 after=latest 继续订阅`,
    { after, oldest, latest },
  );

export const feedCursorInvalid = (after: string) =>
  new InputError('FEED_CURSOR_INVALID', 'after is a sequence number from an earlier page’s next, or latest', 'after 须为此前返回的 next 序号或 latest', { after });

export const feedKeyNotGranted = (keys: readonly string[]) =>
  new ConflictError(
    'FEED_KEY_NOT_GRANTED',
    `A change feed needs the key items granted: ${keys.join(', ')}`,
    `变更订阅须获授权主键信息项：${keys.join('、')}`,
    { keys },
  );

/** `after` as given: absent → from the oldest change kept, `latest` → from now, else a sequence number. */
export function parseAfter(after: string | undefined): number | 'latest' | 'start' {
  if (after === undefined || after === '') return 'start';
  if (after === 'latest') return 'latest';
  if (!/^\d{1,15}$/.test(after)) throw feedCursorInvalid(after);
  return Number(after);
}

/** The key items a consumer sees; all of them hidden would leave the changes unusable. */
export function grantedKeys(grant: Grant, table: ShareTable): string[] {
  const granted = new Set(grant.items);
  const keys = table.keys.filter((k) => granted.has(k));
  if (keys.length === 0) throw feedKeyNotGranted(table.keys);
  return keys;
}

/** Makes a consumer's rowId from a row's whole key (values in key order). */
export type RowIdOf = (keyValues: readonly unknown[]) => string;

export function toFeedChange(table: ShareTable, grant: Grant, keys: readonly string[], columns: readonly string[], change: ShareChange, rowIdOf: RowIdOf): FeedChange {
  const key: Record<string, unknown> = {};
  for (const k of keys) key[k] = maskValue(grant.masking[k] ?? 'redact', change.key[k]);
  return {
    id: `${table.resourceId}:${change.seq}`,
    seq: change.seq,
    op: change.op,
    key,
    rowId: rowIdOf(table.keys.map((k) => change.key[k])),
    record: change.record === null ? null : maskRecord(change.record, columns, grant.masking),
    at: change.at.toISOString(),
  };
}

export interface FeedRead {
  grant: Grant;
  table: ShareTable;
  /** The granted items, in table order. */
  columns: readonly string[];
  rowFilter: ShareCondition | null;
  /**
   * A sequence number; `start`: from the oldest change kept; `latest`: no changes, where the log
   * stands now; `oldest`: no changes, where the oldest change kept begins (a subscription's start).
   */
  after: number | 'latest' | 'oldest' | 'start';
  rowIdOf: RowIdOf;
  limit: number;
  /** How long to wait for a change when there is none (long poll); 0: answer at once. */
  waitMs: number;
  /** Aborts the wait (the caller went away). */
  signal?: AbortSignal | undefined;
}

export class FeedReader {
  readonly #resources: ResourceService;
  readonly #signals: ChangeSignals;

  constructor(resources: ResourceService, signals: ChangeSignals) {
    this.#resources = resources;
    this.#signals = signals;
  }

  /**
   * A page of changes after `after`. With nothing to give it waits up to `waitMs` for the next
   * commit; changes the row filter refuses are passed over (next moves on), so a consumer whose rows
   * are rare still gets an answer when its wait is up.
   */
  async read(input: FeedRead): Promise<FeedPage> {
    const keys = grantedKeys(input.grant, input.table);
    const deadline = performance.now() + input.waitMs;
    let position = await this.#resources.shareFeedPosition(input.table);
    if (input.after === 'latest') return { items: [], next: String(position.latest) };
    const start = position.oldest === null ? position.latest : position.oldest - 1;
    if (input.after === 'oldest') return { items: [], next: String(start) };
    let after = input.after === 'start' ? start : input.after;
    // Changes the row filter refuses are passed over, but not without end: a call looks at no more
    // than this many (and answers with an empty page and the next cursor).
    let budget = MAX_SCANNED_PER_CALL;
    for (;;) {
      if (after > position.latest) throw feedCursorInvalid(String(after));
      // Changes after `after` were purged: the consumer has missed some and must start again.
      const missing = position.oldest === null ? after < position.latest : after < position.oldest - 1;
      if (missing) throw feedCursorExpired(after, position.oldest, position.latest);
      const remaining = deadline - performance.now();
      if (after < position.latest) {
        const page = await this.#resources.shareChanges(input.table, { after, limit: input.limit, columns: [...new Set([...input.columns, ...input.table.keys])], rowFilter: input.rowFilter });
        const items = page.changes.map((c) => toFeedChange(input.table, input.grant, keys, input.columns, c, input.rowIdOf));
        budget -= page.scannedTo - after;
        // Something to give, no time or budget left, or nothing scanned (nothing more is visible yet).
        if (items.length > 0 || remaining <= 0 || budget <= 0 || page.scannedTo === after) return { items, next: String(page.scannedTo) };
        after = page.scannedTo;
        if (after < position.latest) continue;
      } else if (remaining <= 0 || !(await this.#signals.wait(input.table.resourceId, after, remaining, input.signal))) {
        return { items: [], next: String(after) };
      }
      position = await this.#resources.shareFeedPosition(input.table);
    }
  }
}
