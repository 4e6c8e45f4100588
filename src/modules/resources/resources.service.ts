import crypto from 'node:crypto';
import fs from 'node:fs';
import { sql } from 'kysely';
import type { Actor, UserActor } from '../../core/auth/actor.js';
import { hasRole } from '../../core/auth/actor.js';
import type { Db } from '../../core/db/db.js';
import type { Trx } from '../../core/db/database.js';
import { forbidden } from '../../core/errors.js';
import { appendLedger } from '../../core/ledger/ledger.js';
import type { CatalogEntry, CatalogService } from '../catalog/index.js';
import type { IdentityService } from '../identity/index.js';
import type { ColumnSpec } from './ingest/values.js';
import * as E from './resources.errors.js';
import { checkLoad, spoolLines, type CheckedLoad, type RowProblem } from './resources.load.js';
import * as repo from './resources.repository.js';
import * as tables from './resources.tables.js';

/** A data resource as the API shows it. */
export interface Resource {
  id: string;
  kind: repo.ResourceKind;
  name: string;
  catalog: { id: string; code: string; version: number };
  providerId: string;
  columns: Array<ColumnSpec & { postgresType?: string }> | null;
  rowCount: number;
  lastLoadedAt: string | null;
  changeRetentionDays: number;
  createdAt: string;
  updatedAt: string;
}

export interface LoadResult {
  loadId: string | null;
  status: repo.LoadStatus | 'checked';
  dryRun: boolean;
  format: string;
  encoding: string | null;
  rowsRead: number;
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
  rejected: number;
  errors: RowProblem[];
  /** More refused rows than listed (only the first KEPT_ERRORS are kept). */
  errorsTruncated: boolean;
  preview?: { header: string[]; rows: string[][] };
}

export interface LoadRecord extends Omit<LoadResult, 'dryRun' | 'preview' | 'errorsTruncated' | 'loadId'> {
  loadId: string;
  mode: 'replace' | 'upsert';
  source: string;
  contentSm3: string | null;
  startedBy: string | null;
  startedAt: string;
  finishedAt: string | null;
  resumable: boolean;
}

export interface LoadInput {
  mode: 'replace' | 'upsert';
  mediaType: string;
  charset: string | undefined;
  body: AsyncIterable<Uint8Array>;
  maxErrors: number;
  dryRun: boolean;
  /** Where the data came from: `upload` or a connector's name. */
  source?: string;
}

export interface ResourceServiceOptions {
  db: Db;
  identity: Pick<IdentityService, 'responsibleAuthority'>;
  catalog: Pick<CatalogService, 'get' | 'versions' | 'linkResource'>;
  spoolDir: string;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

function toResource(r: repo.ResourceRow): Resource {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    catalog: { id: r.catalog_entry_id, code: r.catalog_code, version: r.catalog_version },
    providerId: r.provider_id,
    columns: r.columns,
    rowCount: Number(r.row_count),
    lastLoadedAt: iso(r.last_loaded_at),
    changeRetentionDays: r.change_retention_days,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

function toLoadRecord(l: repo.LoadRow): LoadRecord {
  return {
    loadId: l.id,
    status: l.status,
    mode: l.mode,
    source: l.source,
    format: l.format,
    encoding: l.encoding,
    rowsRead: Number(l.rows_read),
    inserted: Number(l.inserted),
    updated: Number(l.updated),
    deleted: Number(l.deleted),
    unchanged: Number(l.unchanged),
    rejected: Number(l.rejected),
    errors: (l.errors as RowProblem[]) ?? [],
    contentSm3: l.content_sm3,
    startedBy: l.started_by,
    startedAt: iso(l.started_at)!,
    finishedAt: iso(l.finished_at),
    resumable: l.spool !== null && ['validated', 'merging', 'failed'].includes(l.status),
  };
}

const actorId = (actor: Actor): string | null => (actor.type === 'user' || actor.type === 'app' ? actor.id : null);

/**
 * Data resources (数据资源, issue 4): a catalog entry's data, attached by its provider. `table`
 * resources are aggregated here: created from the entry's info items (columns, key, checks), loaded
 * from CSV/xlsx/NDJSON in one atomic merge with a change log, previewed by the provider and its
 * data authority, and gathered into profiles (一人一档、一企一档).
 */
export class ResourceService {
  readonly #db: Db;
  readonly #identity: ResourceServiceOptions['identity'];
  readonly #catalog: ResourceServiceOptions['catalog'];
  readonly #spoolDir: string;

  constructor(options: ResourceServiceOptions) {
    this.#db = options.db;
    this.#identity = options.identity;
    this.#catalog = options.catalog;
    this.#spoolDir = options.spoolDir;
  }

  get #k() {
    return this.#db.kysely;
  }

  /**
   * Who may load data: the provider's catalog editors, the provider's own systems through a signed
   * app credential (the push API), and the node itself running a connector the provider set up.
   */
  #requireLoader(actor: Actor, providerId: string): void {
    if (actor.type === 'system') return;
    if (actor.type === 'app') {
      if (actor.organisationId !== providerId) throw E.notProvider();
      return;
    }
    this.#requireProviderEditor(actor, providerId);
  }

  /** Editors act for their own organisation's resources. */
  #requireProviderEditor(actor: Actor, providerId: string): asserts actor is UserActor {
    if (actor.type !== 'user' || !hasRole(actor, 'catalog_editor')) throw forbidden();
    if (actor.organisationId !== providerId) throw E.notProvider();
  }

  /** The data itself: the providing organisation, and the data authority responsible for it. */
  async #mayReadData(actor: Actor, providerId: string): Promise<boolean> {
    if (actor.type !== 'user') return false;
    if (actor.organisationId === providerId) return true;
    if (!hasRole(actor, 'data_authority')) return false;
    const authority = await this.#identity.responsibleAuthority(providerId);
    return authority?.id === actor.organisationId;
  }

  async #resource(id: string): Promise<repo.ResourceRow> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await repo.findResource(this.#k, id.toLowerCase()) : undefined;
    if (!row) throw E.resourceNotFound(id);
    return row;
  }

  /**
   * Attaches a `table` resource to a published entry of the caller's organisation: its table is made
   * from the info items of the version in force, and the entry's link-resource deadline is met.
   */
  async createForEntry(actor: Actor, entryIdOrCode: string, input: { kind: repo.ResourceKind; name?: string | undefined }): Promise<Resource> {
    if (actor.type !== 'user' || !hasRole(actor, 'catalog_editor')) throw forbidden();
    const entry = await this.#catalog.get(actor, entryIdOrCode);
    this.#requireProviderEditor(actor, entry.provider.id);
    if (entry.publishedVersion === null) throw E.entryNotPublished(entry.code);
    if (input.kind !== 'table') throw E.invalidRequest('RESOURCE_KIND_UNSUPPORTED', `Resources of kind ${input.kind} are not available yet`, `暂不支持 ${input.kind} 类数据资源`);
    const content = await this.#inForce(actor, entry);
    if (content.format !== 'table') throw E.kindMismatch(input.kind, content.format);
    const columns: ColumnSpec[] = content.items.map((i) => ({ name: i.name, column: i.column, dataType: i.dataType, length: i.length, isKey: i.isKey, piiKind: i.piiKind }));
    if (!columns.some((c) => c.isKey)) throw E.tableNeedsKey();
    const name = (input.name ?? '').trim() || content.name;
    if (name.length > 200) throw E.invalidRequest('RESOURCE_NAME_TOO_LONG', 'The name is longer than 200 characters', '名称不能超过 200 字');

    const id = crypto.randomUUID();
    const row = await this.#k.transaction().execute(async (trx) => {
      // One table resource per entry; the entry's row is the lock that keeps two requests from both creating one.
      await sql`select pg_advisory_xact_lock(hashtext(${`resource:${entry.id}`}))`.execute(trx);
      const existing = await repo.tableResourceOfEntry(trx, entry.id);
      if (existing) throw E.tableExists(existing.id);
      const tableName = tables.dataTableName(id);
      await tables.createDataTable(trx, tableName, columns);
      const created = await repo.insertResource(trx, {
        id,
        catalog_entry_id: entry.id,
        catalog_code: entry.code,
        catalog_version: entry.publishedVersion!,
        provider_id: entry.provider.id,
        kind: 'table',
        name,
        table_name: tableName,
        columns,
        created_by: actor.id,
      });
      await appendLedger(trx, {
        actor,
        action: 'resource.create',
        subject: { type: 'resource', id },
        payload: { kind: 'table', catalogCode: entry.code, catalogVersion: entry.publishedVersion, table: tableName, columns: columns.map((c) => c.column) },
      });
      return created;
    });
    try {
      await this.#catalog.linkResource(actor, entry.id, { resourceId: id, kind: 'table', name });
    } catch (err) {
      // The link is the catalog's (another transaction); without it the resource must not stay.
      await this.#k.transaction().execute(async (trx) => {
        await tables.dropDataTable(trx, row.table_name!);
        await trx.deleteFrom('resources').where('id', '=', id).execute();
      });
      throw err;
    }
    return toResource(row);
  }

  /** The content of the version in force (the provider may be looking at a newer draft). */
  async #inForce(actor: Actor, entry: CatalogEntry) {
    if (entry.version === entry.publishedVersion) return entry;
    const version = (await this.#catalog.versions(actor, entry.id)).find((v) => v.version === entry.publishedVersion);
    if (!version) throw E.entryNotPublished(entry.code);
    return version.content;
  }

  async get(actor: Actor, id: string): Promise<Resource> {
    if (actor.type !== 'user') throw forbidden();
    return toResource(await this.#resource(id));
  }

  async list(actor: Actor, filter: repo.ResourceFilter, page: { offset: number; limit: number }): Promise<{ items: Resource[]; total: number }> {
    if (actor.type !== 'user') throw forbidden();
    const { rows, total } = await repo.listResources(this.#k, filter, page);
    return { items: rows.map(toResource), total };
  }

  /**
   * Loads a file into a table resource: read and checked as it arrives, then merged in one
   * transaction (replace: the table becomes the file; upsert: new keys added, changed rows updated).
   * With `dryRun`, the report (and a preview) only: nothing is written.
   */
  async load(actor: Actor, id: string, input: LoadInput): Promise<LoadResult> {
    const resource = await this.#resource(id);
    this.#requireLoader(actor, resource.provider_id);
    if (resource.kind !== 'table' || !resource.table_name || !resource.columns) throw E.notATable(resource.kind);
    if (!Number.isInteger(input.maxErrors) || input.maxErrors < 0) throw E.invalidRequest('MAX_ERRORS_INVALID', 'maxErrors is a whole number ≥ 0', 'maxErrors 须为非负整数');

    const load = input.dryRun
      ? undefined
      : await repo.insertLoad(this.#k, { resource_id: resource.id, mode: input.mode, source: input.source ?? (actor.type === 'app' ? `push:${actor.appKey}` : 'upload'), format: 'pending', started_by: actorId(actor) });
    let checked: CheckedLoad;
    try {
      checked = await checkLoad(resource.columns, input.body, { mediaType: input.mediaType, charset: input.charset, maxErrors: input.maxErrors, spoolDir: this.#spoolDir });
    } catch (err) {
      if (load) {
        const e = err as { code?: string; message?: string; messageZh?: string; details?: unknown };
        await repo.updateLoad(this.#k, load.id, {
          status: 'aborted',
          finished_at: new Date(),
          failure: { code: e.code ?? 'LOAD_FAILED', message: e.message ?? 'The load failed', messageZh: e.messageZh ?? '加载失败' },
          ...(e.code === 'LOAD_TOO_MANY_ERRORS' && Array.isArray(e.details) ? { errors: e.details } : {}),
        });
      }
      throw err;
    }
    const report = {
      format: checked.format,
      encoding: checked.encoding ?? null,
      rowsRead: checked.rowsRead,
      rejected: checked.rejected,
      errors: checked.errors,
      errorsTruncated: checked.rejected > checked.errors.length,
    };
    if (!load) {
      fs.rmSync(checked.spool, { force: true });
      return { loadId: null, status: 'checked', dryRun: true, inserted: 0, updated: 0, deleted: 0, unchanged: 0, ...report, preview: checked.preview };
    }
    // The spool's columns, kept beside it so that a resume reads it the same way.
    fs.writeFileSync(`${checked.spool}.columns`, checked.present.join(','));
    await repo.updateLoad(this.#k, load.id, {
      status: 'validated',
      format: checked.format,
      encoding: report.encoding,
      rows_read: checked.rowsRead,
      rejected: checked.rejected,
      errors: checked.errors,
      content_sm3: checked.contentSm3,
      spool: checked.spool,
    });
    const merged = await this.#merge(actor, resource, load.id, input.mode, checked.spool, checked.present, checked.accepted, checked.errors);
    return { loadId: load.id, status: 'succeeded', dryRun: false, ...report, ...merged, errors: merged.errors, rejected: checked.rejected + merged.duplicates, errorsTruncated: report.errorsTruncated };
  }

  /** Merges a validated load again from its spool (after a failure or a stopped process). */
  async resume(actor: Actor, id: string, loadId: string): Promise<LoadResult> {
    const resource = await this.#resource(id);
    this.#requireProviderEditor(actor, resource.provider_id);
    const load = /^[0-9a-f-]{36}$/i.test(loadId) ? await repo.findLoad(this.#k, resource.id, loadId.toLowerCase()) : undefined;
    if (!load) throw E.loadNotFound(loadId);
    const record = toLoadRecord(load);
    if (!record.resumable || !load.spool || !fs.existsSync(load.spool)) throw E.loadNotResumable(load.status);
    const header = fs.readFileSync(`${load.spool}.columns`, 'utf8').split(',');
    const errors = record.errors;
    const accepted = Number(load.rows_read) - Number(load.rejected);
    const merged = await this.#merge(actor, resource, load.id, load.mode, load.spool, header, accepted, errors);
    return {
      loadId: load.id,
      status: 'succeeded',
      dryRun: false,
      format: load.format,
      encoding: load.encoding,
      rowsRead: Number(load.rows_read),
      ...merged,
      rejected: Number(load.rejected) + merged.duplicates,
      errorsTruncated: Number(load.rejected) > errors.length,
    };
  }

  async #merge(
    actor: Actor,
    resource: repo.ResourceRow,
    loadId: string,
    mode: 'replace' | 'upsert',
    spool: string,
    present: readonly string[],
    accepted: number,
    checkErrors: RowProblem[],
  ): Promise<{ inserted: number; updated: number; deleted: number; unchanged: number; duplicates: number; errors: RowProblem[] }> {
    const columns = resource.columns!;
    const table = resource.table_name!;
    await repo.updateLoad(this.#k, loadId, { status: 'merging' });
    try {
      const result = await this.#k.transaction().execute(async (trx: Trx) => {
        // Loads of one resource one at a time, in the order they reach this point.
        const locked = await repo.lockResource(trx, resource.id);
        if (!locked) throw E.resourceNotFound(resource.id);
        await tables.createStaging(trx, columns);
        const copyColumns = ['row_no', ...columns.filter((c) => present.includes(c.column)).map((c) => c.column)];
        await this.#db.copyFrom(trx, { table: 'load_staging', columns: copyColumns }, spoolLines(spool));
        const duplicates = await tables.duplicateKeys(trx, columns);
        const keyNames = columns.filter((c) => c.isKey).map((c) => c.column).join(', ');
        const errors = [
          ...checkErrors,
          ...duplicates.map((d) => ({
            row: d.row_no,
            column: '',
            code: 'DUPLICATE_KEY',
            message: `Row ${d.first_row} already has this key (${keyNames}); the later row is refused`,
            messageZh: `与第 ${d.first_row} 行主键（${keyNames}）重复，本行未加载`,
          })),
        ]
          .sort((a, b) => a.row - b.row)
          .slice(0, 1000);
        const counts = await tables.mergeStaged(trx, table, columns, present, mode);
        const rowCount = Number(locked.row_count) + counts.inserted - counts.deleted;
        await repo.recordLoaded(trx, resource.id, rowCount);
        const unchanged = accepted - duplicates.length - counts.inserted - counts.updated;
        await repo.updateLoad(trx, loadId, {
          status: 'succeeded',
          inserted: counts.inserted,
          updated: counts.updated,
          deleted: counts.deleted,
          unchanged,
          errors,
          finished_at: new Date(),
          spool: null,
        });
        if (duplicates.length > 0) await sql`update resource_loads set rejected = rejected + ${duplicates.length} where id = ${loadId}`.execute(trx);
        await appendLedger(trx, {
          actor,
          action: 'resource.load',
          subject: { type: 'resource', id: resource.id },
          payload: { loadId, mode, table, rowCount, ...counts, unchanged, rejected: duplicates.length },
        });
        return { ...counts, unchanged, duplicates: duplicates.length, errors };
      });
      fs.rmSync(spool, { force: true });
      fs.rmSync(`${spool}.columns`, { force: true });
      return result;
    } catch (err) {
      const e = err as { code?: string; message?: string };
      await repo.updateLoad(this.#k, loadId, { status: 'failed', failure: { code: e.code ?? 'LOAD_MERGE_FAILED', message: e.message ?? 'The merge failed' } }).catch(() => undefined);
      throw err;
    }
  }

  async loads(actor: Actor, id: string, page: { offset: number; limit: number }): Promise<{ items: LoadRecord[]; total: number }> {
    const resource = await this.#resource(id);
    if (!(await this.#mayReadData(actor, resource.provider_id))) throw forbidden();
    const { rows, total } = await repo.listLoads(this.#k, resource.id, page);
    return { items: rows.map(toLoadRecord), total };
  }

  /** The data, for the providing organisation and its data authority (keyset by key order). */
  async rows(actor: Actor, id: string, page: { offset: number; limit: number }): Promise<{ items: Array<Record<string, unknown>>; total: number }> {
    const resource = await this.#resource(id);
    if (!(await this.#mayReadData(actor, resource.provider_id))) throw forbidden();
    if (resource.kind !== 'table' || !resource.table_name || !resource.columns) throw E.notATable(resource.kind);
    const keys = resource.columns.filter((c) => c.isKey).map((c) => sql.ref(c.column));
    const { rows } = await sql<Record<string, unknown>>`
      select * from ${tables.dataTable(resource.table_name)} order by ${sql.join(keys)} offset ${page.offset} limit ${page.limit}`.execute(this.#k);
    return { items: rows.map((r) => normaliseRow(r)), total: Number(resource.row_count) };
  }

  /** The change log, in order, after a sequence number. */
  async changes(actor: Actor, id: string, after: number, limit: number): Promise<{ items: Array<{ seq: number; op: string; key: Record<string, unknown>; at: string }>; next: number }> {
    const resource = await this.#resource(id);
    if (!(await this.#mayReadData(actor, resource.provider_id))) throw forbidden();
    if (resource.kind !== 'table' || !resource.table_name) throw E.notATable(resource.kind);
    const { rows } = await sql<{ seq: number; op: string; key: Record<string, unknown>; at: Date }>`
      select seq, op, key, at from ${tables.changeTable(resource.table_name)} where seq > ${after} order by seq limit ${limit}`.execute(this.#k);
    const items = rows.map((r) => ({ seq: Number(r.seq), op: r.op, key: r.key, at: iso(r.at)! }));
    return { items, next: items.length > 0 ? items[items.length - 1]!.seq : after };
  }

  /**
   * 一人一档 / 一企一档: the records of every table resource keyed by this PII kind that the caller
   * may read (its own organisation's, and those of providers it is the data authority of), grouped by
   * catalog entry.
   */
  async profile(actor: Actor, piiKind: 'resident_id' | 'uscc', value: string): Promise<{ key: string; kind: string; sections: Array<{ resource: Resource; records: Array<Record<string, unknown>> }> }> {
    if (actor.type !== 'user') throw forbidden();
    value = value.trim().toUpperCase();
    const sections: Array<{ resource: Resource; records: Array<Record<string, unknown>> }> = [];
    for (const r of await repo.tablesKeyedBy(this.#k, piiKind)) {
      if (!(await this.#mayReadData(actor, r.provider_id))) continue;
      const column = r.columns!.find((c) => c.isKey && c.piiKind === piiKind)!;
      const { rows } = await sql<Record<string, unknown>>`
        select * from ${tables.dataTable(r.table_name!)} where ${sql.ref(column.column)} = ${value} limit 200`.execute(this.#k);
      if (rows.length > 0) sections.push({ resource: toResource(r), records: rows.map((x) => normaliseRow(x)) });
    }
    return { key: value, kind: piiKind, sections };
  }

  /** Housekeeping: changes past each resource's retention. */
  async purgeChanges(): Promise<number> {
    let purged = 0;
    const { rows } = await repo.listResources(this.#k, { kind: 'table' }, { offset: 0, limit: 10_000 });
    for (const r of rows) {
      if (!r.table_name) continue;
      purged += await this.#k.transaction().execute((trx) => tables.purgeChanges(trx, r.table_name!, r.change_retention_days));
    }
    return purged;
  }
}

/** JSON-friendly values: timestamps as ISO strings, bytea as base64, numerics as they are (strings). */
function normaliseRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = v instanceof Date ? v.toISOString() : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v;
  }
  return out;
}
