import crypto from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import type { Actor, UserActor } from '../../core/auth/actor.js';
import { hasRole } from '../../core/auth/actor.js';
import type { Db } from '../../core/db/db.js';
import type { Trx } from '../../core/db/database.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { hmacSm3Hex, openSecret, sealSecret } from '../../core/crypto/index.js';
import { forbidden } from '../../core/errors.js';
import { appendLedger } from '../../core/ledger/ledger.js';
import type { CatalogEntry, CatalogService } from '../catalog/index.js';
import type { IdentityService } from '../identity/index.js';
import type { ColumnSpec } from './ingest/values.js';
import * as api from './resources.api.js';
import * as E from './resources.errors.js';
import * as files from './resources.files.js';
import { KEPT_ERRORS, checkLoad, type CheckedLoad, type RowProblem, type RowSink } from './resources.load.js';
import * as repo from './resources.repository.js';
import * as share from './resources.share.js';
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
  /** kind api: the upstream (its credential only as hasSecret). */
  api?: api.ApiView;
  /** kind file: how many versions there are, and the newest. */
  fileCount?: number;
  latestFile?: files.FileVersion | null;
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
  /** The SM3 the sender declared (signed push): other bytes are refused before anything is kept. */
  expectedSm3?: string;
}

export interface ResourceServiceOptions {
  db: Db;
  identity: Pick<IdentityService, 'responsibleAuthority'>;
  catalog: Pick<CatalogService, 'get' | 'versions' | 'linkResource'>;
  /** Where an uploaded xlsx waits while it is read. */
  spoolDir: string;
  /** The largest body a load takes, in bytes (LOAD_TOO_LARGE past it); none when absent. */
  maxLoadBytes?: number;
  /** Seals the credentials of api resources (the node key, as for app secrets). */
  nodeKey: Buffer;
  /** Which hosts api resources may call: the node's host policy (config.connectorHosts); default api.defaultUpstreamHosts. */
  hosts?: api.UpstreamHosts | undefined;
  /** The largest file a file resource takes (default 1 GiB). */
  maxFileBytes?: number | undefined;
}

/** An upload still without a version after this many hours was left by a stopped process. */
const ABANDONED_UPLOAD_HOURS = 24;

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

/** A resource row as the API shows it; `latestFile` is the newest version of a file resource's file. */
function toResource(r: repo.ResourceRow, latestFile?: repo.FileRow | null): Resource {
  const kindFields =
    r.kind === 'api' && r.api
      ? { api: api.apiView(r.api, r.api_secret !== null) }
      : r.kind === 'file'
        ? { fileCount: latestFile?.version ?? 0, latestFile: latestFile ? files.toFileVersion(latestFile) : null }
        : {};
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
    ...kindFields,
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
  readonly #maxLoadBytes: number | undefined;
  readonly #mergeListeners: Array<(loadId: string) => void> = [];
  readonly #changeListeners: Array<(resourceId: string, changeSeq: number) => void> = [];
  readonly #nodeKey: Buffer;
  readonly #hosts: api.UpstreamHosts;
  readonly #maxFileBytes: number;

  constructor(options: ResourceServiceOptions) {
    this.#db = options.db;
    this.#identity = options.identity;
    this.#catalog = options.catalog;
    this.#spoolDir = options.spoolDir;
    this.#maxLoadBytes = options.maxLoadBytes;
    this.#nodeKey = options.nodeKey;
    this.#hosts = options.hosts ?? api.defaultUpstreamHosts;
    this.#maxFileBytes = options.maxFileBytes ?? files.DEFAULT_MAX_FILE_BYTES;
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
   * Attaches a resource to a published entry of the caller's organisation, of the entry's format:
   * `table` — a table made from the info items of the version in force (one per entry); `api` — an
   * upstream HTTP API the node calls for its readers, its credential sealed; `file` — versioned files.
   * The entry's link-resource deadline is met.
   */
  async createForEntry(
    actor: Actor,
    entryIdOrCode: string,
    input: { kind: repo.ResourceKind; name?: string | undefined; api?: api.ApiConfigInput | undefined },
  ): Promise<Resource> {
    if (actor.type !== 'user' || !hasRole(actor, 'catalog_editor')) throw forbidden();
    const entry = await this.#catalog.get(actor, entryIdOrCode);
    this.#requireProviderEditor(actor, entry.provider.id);
    if (entry.publishedVersion === null) throw E.entryNotPublished(entry.code);
    const content = await this.#inForce(actor, entry);
    if (content.format !== input.kind) throw E.kindMismatch(input.kind, content.format);
    if (input.kind !== 'api' && input.api !== undefined) throw E.apiConfigNotAllowed(input.kind);
    if (input.kind === 'api' && input.api === undefined) throw E.apiConfigRequired();
    const columns: ColumnSpec[] | null =
      input.kind === 'table' ? content.items.map((i) => ({ name: i.name, column: i.column, dataType: i.dataType, length: i.length, isKey: i.isKey, piiKind: i.piiKind })) : null;
    if (columns && !columns.some((c) => c.isKey)) throw E.tableNeedsKey();
    const name = (input.name ?? '').trim() || content.name;
    if (name.length > 200) throw E.invalidRequest('RESOURCE_NAME_TOO_LONG', 'The name is longer than 200 characters', '名称不能超过 200 字');
    const upstream = input.api ? await api.checkApiConfig(input.api, this.#hosts) : undefined;

    const id = crypto.randomUUID();
    const base = { id, catalog_entry_id: entry.id, catalog_code: entry.code, catalog_version: entry.publishedVersion, provider_id: entry.provider.id, name, created_by: actor.id };
    const row = await this.#k.transaction().execute(async (trx) => {
      if (columns) {
        // One table resource per entry; the entry's row is the lock that keeps two requests from both creating one.
        await sql`select pg_advisory_xact_lock(hashtext(${`resource:${entry.id}`}))`.execute(trx);
        const existing = await repo.tableResourceOfEntry(trx, entry.id);
        if (existing) throw E.tableExists(existing.id);
        const tableName = tables.dataTableName(id);
        await tables.createDataTable(trx, tableName, columns);
        const created = await repo.insertResource(trx, { ...base, kind: 'table', table_name: tableName, columns });
        await appendLedger(trx, {
          actor,
          action: 'resource.create',
          subject: { type: 'resource', id },
          payload: { kind: 'table', catalogCode: entry.code, catalogVersion: entry.publishedVersion, table: tableName, columns: columns.map((c) => c.column) },
        });
        return created;
      }
      // Several api and file resources may serve one entry (versions of an API, files per year).
      const created = await repo.insertResource(trx, {
        ...base,
        kind: input.kind,
        table_name: null,
        columns: null,
        api: upstream?.config ?? null,
        api_secret: upstream?.secret ? sealSecret(this.#nodeKey, upstream.secret.value) : null,
      });
      await appendLedger(trx, {
        actor,
        action: 'resource.create',
        subject: { type: 'resource', id },
        payload: {
          kind: input.kind,
          catalogCode: entry.code,
          catalogVersion: entry.publishedVersion,
          ...(upstream ? { url: upstream.config.url, method: upstream.config.method, secretHeaderName: upstream.config.secretHeaderName } : {}),
        },
      });
      return created;
    });
    try {
      await this.#catalog.linkResource(actor, entry.id, { resourceId: id, kind: input.kind, name });
    } catch (err) {
      // The link is the catalog's (another transaction); without it the resource must not stay.
      await this.#k.transaction().execute(async (trx) => {
        if (row.table_name) await tables.dropDataTable(trx, row.table_name);
        await trx.deleteFrom('resources').where('id', '=', id).execute();
      });
      throw err;
    }
    return toResource(row, null);
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
    const row = await this.#resource(id);
    return this.#shown(actor, toResource(row, row.kind === 'file' ? ((await repo.latestFiles(this.#k, [row.id]))[0] ?? null) : undefined));
  }

  async list(actor: Actor, filter: repo.ResourceFilter, page: { offset: number; limit: number }): Promise<{ items: Resource[]; total: number }> {
    if (actor.type !== 'user') throw forbidden();
    const { rows, total } = await repo.listResources(this.#k, filter, page);
    const latest = new Map((await repo.latestFiles(this.#k, rows.filter((r) => r.kind === 'file').map((r) => r.id))).map((f) => [f.resource_id, f]));
    const items = await Promise.all(rows.map((r) => this.#shown(actor, toResource(r, latest.get(r.id) ?? null))));
    return { items, total };
  }

  /**
   * A resource as `actor` may see it: an api resource's upstream (an internal address, its headers) is
   * the provider's and its authority's business; other organisations reach the data through grants.
   */
  async #shown(actor: Actor, resource: Resource): Promise<Resource> {
    if (resource.api === undefined || (await this.#mayReadData(actor, resource.providerId))) return resource;
    const { api: _hidden, ...rest } = resource;
    return rest;
  }

  /**
   * Loads a file into a table resource: read and checked as it arrives — the accepted rows streaming
   * into the load's staging table meanwhile — then merged in one transaction (replace: the table
   * becomes the file; upsert: new keys added, changed rows updated). With `dryRun`, the report (and a
   * preview) only: nothing is written.
   */
  async load(actor: Actor, id: string, input: LoadInput): Promise<LoadResult> {
    const resource = await this.#resource(id);
    this.#requireLoader(actor, resource.provider_id);
    if (resource.kind !== 'table' || !resource.table_name || !resource.columns) throw E.notATable(resource.kind);
    if (!Number.isInteger(input.maxErrors) || input.maxErrors < 0) throw E.invalidRequest('MAX_ERRORS_INVALID', 'maxErrors is a whole number ≥ 0', 'maxErrors 须为非负整数');
    const columns = resource.columns;
    const body = this.#maxLoadBytes === undefined ? input.body : capped(input.body, this.#maxLoadBytes);

    if (input.dryRun) {
      const checked = await checkLoad(columns, body, { mediaType: input.mediaType, charset: input.charset, maxErrors: input.maxErrors, spoolDir: this.#spoolDir, sink: DISCARD });
      return { loadId: null, status: 'checked', dryRun: true, inserted: 0, updated: 0, deleted: 0, unchanged: 0, ...report(checked), preview: checked.preview };
    }
    const load = await repo.insertLoad(this.#k, { resource_id: resource.id, mode: input.mode, source: input.source ?? (actor.type === 'app' ? `push:${actor.appKey}` : 'upload'), format: 'pending', started_by: actorId(actor) });
    const staging = tables.stagingTableName(load.id);
    let checked: CheckedLoad;
    try {
      await tables.createStagingTable(this.#k, staging, columns);
      await repo.updateLoad(this.#k, load.id, { spool: staging });
      const sink = stagingSink(this.#db, staging, columns);
      try {
        // A first load's merge builds the key in one sort, which finds duplicates anyway.
        const distinctKeys = Number(resource.row_count) > 0;
        checked = await checkLoad(columns, body, { mediaType: input.mediaType, charset: input.charset, maxErrors: input.maxErrors, spoolDir: this.#spoolDir, sink, distinctKeys });
      } catch (err) {
        await sink.abort();
        throw err;
      }
      await sink.finish();
      if (input.expectedSm3 !== undefined && checked.contentSm3 !== input.expectedSm3) throw E.digestMismatch(input.expectedSm3, checked.contentSm3);
    } catch (err) {
      const e = err as { code?: string; message?: string; messageZh?: string; details?: unknown };
      await tables.dropStagingTable(this.#k, staging).catch(() => undefined);
      await repo.updateLoad(this.#k, load.id, {
        status: 'aborted',
        spool: null,
        finished_at: new Date(),
        failure: { code: e.code ?? 'LOAD_FAILED', message: e.message ?? 'The load failed', messageZh: e.messageZh ?? '加载失败' },
        ...(e.code === 'LOAD_TOO_MANY_ERRORS' && Array.isArray(e.details) ? { errors: e.details } : {}),
      });
      throw err;
    }
    await repo.updateLoad(this.#k, load.id, {
      status: 'validated',
      format: checked.format,
      encoding: checked.encoding ?? null,
      rows_read: checked.rowsRead,
      rejected: checked.rejected,
      errors: checked.errors,
      content_sm3: checked.contentSm3,
      present: checked.present,
      keys_distinct: checked.keysDistinct,
    });
    const merged = await this.#merge(actor, resource, load.id, input.mode, { staging, present: checked.present, accepted: checked.accepted, keysDistinct: checked.keysDistinct, keyBatches: checked.keyBatches }, checked.errors);
    return { loadId: load.id, status: 'succeeded', dryRun: false, ...report(checked), ...merged, rejected: checked.rejected + merged.duplicates };
  }

  /** Merges a validated load again from its staging table (after a failure or a stopped process). */
  async resume(actor: Actor, id: string, loadId: string): Promise<LoadResult> {
    const resource = await this.#resource(id);
    this.#requireProviderEditor(actor, resource.provider_id);
    const load = /^[0-9a-f-]{36}$/i.test(loadId) ? await repo.findLoad(this.#k, resource.id, loadId.toLowerCase()) : undefined;
    if (!load) throw E.loadNotFound(loadId);
    const record = toLoadRecord(load);
    if (!record.resumable || !load.spool || !load.present || !(await tables.stagingExists(this.#k, load.spool))) throw E.loadNotResumable(load.status);
    const errors = record.errors;
    const accepted = Number(load.rows_read) - Number(load.rejected);
    const merged = await this.#merge(actor, resource, load.id, load.mode, { staging: load.spool, present: load.present, accepted, keysDistinct: load.keys_distinct === true }, errors);
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

  /** Called as a merge's transaction is about to begin (tests stop a process there). */
  onMerge(listener: (loadId: string) => void): void {
    this.#mergeListeners.push(listener);
  }

  async #merge(
    actor: Actor,
    resource: repo.ResourceRow,
    loadId: string,
    mode: 'replace' | 'upsert',
    staged: { staging: string; present: readonly string[]; accepted: number; keysDistinct: boolean; keyBatches?: readonly string[] | undefined },
    checkErrors: RowProblem[],
  ): Promise<{ inserted: number; updated: number; deleted: number; unchanged: number; duplicates: number; errors: RowProblem[] }> {
    const columns = resource.columns!;
    const table = resource.table_name!;
    const { staging, present } = staged;
    // Equal key texts are equal values for these types only (a timestamp has many spellings).
    const keysDistinct = staged.keysDistinct && columns.every((c) => !c.isKey || c.dataType === 'string' || c.dataType === 'date');
    await repo.updateLoad(this.#k, loadId, { status: 'merging' });
    for (const listener of this.#mergeListeners) listener(loadId);
    try {
      const { changeSeq, ...merged } = await this.#k.transaction().execute(async (trx: Trx) => {
        // Loads of one resource one at a time, in the order they reach this point.
        const locked = await repo.lockResource(trx, resource.id);
        if (!locked) throw E.resourceNotFound(resource.id);
        const lastSeq = Number(locked.change_seq);
        if (this.#db.engine === 'postgres') await sql`set local maintenance_work_mem = '256MB'`.execute(trx);
        let counts: tables.MergeCounts;
        let duplicates: Array<{ row_no: number; first_row: number }>;
        if (await tables.isEmpty(trx, table)) {
          // A first load (or a replace of an empty table): the staging table becomes the table.
          ({ duplicates, ...counts } = await tables.adoptStaged(trx, table, staging, columns, lastSeq, staged.keyBatches, (target, lines) => this.#db.copyFrom(trx, target, lines)));
        } else {
          duplicates = keysDistinct ? [] : await tables.duplicateKeys(trx, staging, columns);
          counts = await tables.mergeStaged(trx, table, staging, columns, present, mode, lastSeq);
          await tables.dropStagingTable(trx, staging);
        }
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
          .slice(0, KEPT_ERRORS);
        const rowCount = Number(locked.row_count) + counts.inserted - counts.deleted;
        await repo.recordLoaded(trx, resource.id, rowCount, lastSeq + counts.inserted + counts.updated + counts.deleted);
        const unchanged = staged.accepted - duplicates.length - counts.inserted - counts.updated;
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
        return { ...counts, unchanged, duplicates: duplicates.length, errors, changeSeq: lastSeq + counts.inserted + counts.updated + counts.deleted };
      });
      if (merged.inserted + merged.updated + merged.deleted > 0) {
        for (const listener of this.#changeListeners) listener(resource.id, changeSeq);
      }
      return merged;
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

  /** The change log, in order, after a sequence number: one change per key. */
  async changes(actor: Actor, id: string, after: number, limit: number): Promise<{ items: Array<{ seq: number; op: string; key: Record<string, unknown>; at: string }>; next: number }> {
    const resource = await this.#resource(id);
    if (!(await this.#mayReadData(actor, resource.provider_id))) throw forbidden();
    if (resource.kind !== 'table' || !resource.table_name || !resource.columns) throw E.notATable(resource.kind);
    const rows = await tables.changesAfter(this.#k, resource.table_name, resource.columns, after, limit);
    const items = rows.map((r) => ({ ...r, at: iso(r.at)! }));
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

  // ---------------------------------------------------------------- api resources

  /** Changes an api resource's upstream; `secretHeader: null` removes the credential, absent keeps it. */
  async updateApi(actor: Actor, id: string, patch: api.ApiConfigPatch): Promise<Resource> {
    const resource = await this.#resource(id);
    this.#requireProviderEditor(actor, resource.provider_id);
    if (resource.kind !== 'api') throw E.wrongKind('api', resource.kind);
    const row = await this.#k.transaction().execute(async (trx) => {
      const locked = await repo.lockResource(trx, resource.id);
      if (!locked?.api) throw E.resourceNotFound(resource.id);
      const { config, secret } = await api.patchApiConfig(locked.api, patch, this.#hosts);
      // An editor who may not read the credential must not be able to send it elsewhere by
      // repointing the upstream: a new origin or header name needs the credential given again.
      if (secret === undefined && locked.api_secret !== null && (new URL(config.url).origin !== new URL(locked.api.url).origin || config.secretHeaderName !== locked.api.secretHeaderName)) {
        throw E.apiSecretRequired();
      }
      const sealed = secret === undefined ? locked.api_secret : secret === null ? null : sealSecret(this.#nodeKey, secret.value);
      const updated = await repo.updateApi(trx, resource.id, config, sealed);
      await appendLedger(trx, {
        actor,
        action: 'resource.api.update',
        subject: { type: 'resource', id: resource.id },
        payload: {
          changed: Object.entries(patch).filter(([, v]) => v !== undefined).map(([k]) => k),
          url: config.url,
          method: config.method,
          secretHeaderName: config.secretHeaderName,
          secret: secret === undefined ? 'kept' : secret === null ? 'removed' : 'replaced',
        },
      });
      return updated;
    });
    return toResource(row);
  }

  /**
   * Calls an api resource's upstream for the caller, adding the sealed credential, and relays the
   * answer (status, content type, body up to 1 MiB). For now the providing organisation and its
   * data authority; grants through the gateway come with the sharing issue. Every call is recorded
   * in the ledger (path and query names, outcome), never with the credential.
   */
  async invoke(actor: Actor, id: string, input: api.InvokeInput): Promise<api.InvokeResult> {
    const resource = await this.#resource(id);
    if (!(await this.#mayReadData(actor, resource.provider_id))) throw forbidden();
    if (resource.kind !== 'api' || !resource.api) throw E.wrongKind('api', resource.kind);
    const config = resource.api;
    const target = api.upstreamTarget(config, input);
    const headers = { ...config.headers };
    const secret = config.secretHeaderName !== null && resource.api_secret !== null ? openSecret(this.#nodeKey, resource.api_secret) : undefined;
    if (secret !== undefined) headers[config.secretHeaderName!] = secret;
    let outcome: Record<string, unknown> = {};
    try {
      const answer = await api.callUpstream({ url: target.url, method: config.method, headers, body: target.body, timeoutMs: config.timeoutMs }, { hosts: this.#hosts });
      outcome = { status: answer.status, latencyMs: answer.latencyMs, bytes: answer.bytes.length };
      // An upstream may echo the credential ("invalid key: …"); the caller never sees it.
      return api.relayedAnswer(answer, secret);
    } catch (err) {
      outcome = { error: (err as { code?: unknown }).code ?? 'ERROR' };
      throw err;
    } finally {
      await this.#k.transaction().execute((trx) =>
        appendLedger(trx, {
          actor,
          action: 'resource.api.invoke',
          subject: { type: 'resource', id: resource.id },
          // The path may hold personal data (persons/<ID number>): the ledger keeps a keyed digest,
          // which an auditor with the node can check against a path but nobody can read back.
          payload: { method: config.method, pathDigest: hmacSm3Hex(this.#nodeKey, target.url.pathname), queryNames: [...target.url.searchParams.keys()], ...outcome },
        }),
      );
    }
  }

  // ---------------------------------------------------------------- the sharing gateway (system level)

  /**
   * What an entry offers through the sharing gateway, by catalog code (undefined: no resource). No
   * actor: the gateway decides who may read (resources.share.ts).
   */
  async shareSource(catalogCode: string): Promise<share.ShareSource | undefined> {
    return share.findShareSource(this.#k, catalogCode);
  }

  /** Rows for the gateway, which has checked the grant and passes its items and row filter. */
  async shareRecords(table: share.ShareTable, query: share.ShareQuery): Promise<share.ShareRows> {
    return share.shareRecords({ db: this.#db, nodeKey: this.#nodeKey }, table, query);
  }

  /** A table's changes for a change feed, which has checked the grant and passes its items and row filter. */
  async shareChanges(table: share.ShareTable, query: { after: number; limit: number; columns: readonly string[]; rowFilter?: share.ShareCondition | null | undefined }): Promise<share.ShareChanges> {
    return share.shareChanges(this.#k, table, query);
  }

  /** Where a table's change log stands (change feeds: `after=latest`, and whether a cursor fell out of the retention). */
  async shareFeedPosition(table: share.ShareTable): Promise<share.FeedPosition> {
    return share.shareFeedPosition(this.#k, table);
  }

  /** The last change sequence number of each of these resources (change feeds waiting on another replica's loads). */
  async changeSeqs(resourceIds: readonly string[]): Promise<Map<string, number>> {
    if (resourceIds.length === 0) return new Map();
    const rows = await this.#k.selectFrom('resources').select(['id', 'change_seq']).where('id', 'in', resourceIds).execute();
    return new Map(rows.map((r) => [r.id, Number(r.change_seq)]));
  }

  /**
   * Called after a load's changes are committed, with the resource and its last change sequence
   * number: change feeds waiting in this process answer at once.
   */
  onChanged(listener: (resourceId: string, changeSeq: number) => void): void {
    this.#changeListeners.push(listener);
  }

  /** An api resource's upstream called for the gateway (the same call as invoke, without the reader check). */
  async shareInvoke(resourceId: string, input: api.InvokeInput): Promise<api.InvokeResult> {
    return share.shareInvoke({ db: this.#db, nodeKey: this.#nodeKey, hosts: this.#hosts }, resourceId, input);
  }

  /**
   * A keyed digest (HMAC-SM3 with the node key) of a value's canonical JSON: what the gateway's call
   * log keeps of a key or filter. Keyed, as for api paths, because an ID number is easily guessed
   * back from its plain digest; an auditor with the node can still check a digest against a value.
   */
  shareDigest(value: unknown): string {
    return hmacSm3Hex(this.#nodeKey, canonicalJson(value));
  }

  // ---------------------------------------------------------------- file resources

  /**
   * Stores a new version of a file resource's file (the provider's catalog editors). The body is
   * written in parts as it arrives and becomes a version only once whole: a failed or interrupted
   * upload leaves no version and no parts. Versions are numbered 1, 2, … in the order uploads finish.
   */
  async uploadFile(
    actor: Actor,
    id: string,
    input: { fileName: string; note?: string | undefined; contentType: string | undefined; declaredSize?: number | undefined; body: AsyncIterable<Uint8Array> },
  ): Promise<files.FileVersion> {
    const resource = await this.#resource(id);
    this.#requireProviderEditor(actor, resource.provider_id);
    if (resource.kind !== 'file') throw E.wrongKind('file', resource.kind);
    const fileName = files.checkFileName(input.fileName);
    const mediaType = files.fileMediaType(input.contentType);
    const note = input.note?.trim() || null;
    if (note !== null && note.length > 500) throw E.invalidRequest('FILE_NOTE_TOO_LONG', 'The note is longer than 500 characters', '说明不能超过 500 字');
    // Refused before a byte is stored when the client says how much it will send.
    if (input.declaredSize !== undefined && input.declaredSize > this.#maxFileBytes) throw E.fileTooLarge(this.#maxFileBytes);

    const pending = await repo.insertPendingFile(this.#k, { resource_id: resource.id, file_name: fileName, media_type: mediaType, note, uploaded_by: actor.id });
    try {
      const { size, sm3 } = await files.storeChunks(this.#k, pending.id, input.body, this.#maxFileBytes);
      if (size === 0) throw E.fileEmpty();
      const row = await this.#k.transaction().execute(async (trx) => {
        if (!(await repo.lockResource(trx, resource.id))) throw E.resourceNotFound(resource.id);
        const version = await repo.nextFileVersion(trx, resource.id);
        const done = await repo.completeFile(trx, pending.id, { version, size, sm3 });
        await repo.recordUploaded(trx, resource.id);
        await appendLedger(trx, {
          actor,
          action: 'resource.file.upload',
          subject: { type: 'resource', id: resource.id },
          payload: { version, fileName, mediaType, size, sm3 },
        });
        return done;
      });
      return files.toFileVersion(row);
    } catch (err) {
      await repo.deletePendingFile(this.#k, pending.id).catch(() => undefined);
      throw err;
    }
  }

  /** The versions of a file resource's file, newest first (the providing organisation and its data authority). */
  async fileVersions(actor: Actor, id: string, page: { offset: number; limit: number }): Promise<{ items: files.FileVersion[]; total: number }> {
    const resource = await this.#readableFileResource(actor, id);
    const { rows, total } = await repo.listFiles(this.#k, resource.id, page);
    return { items: rows.map(files.toFileVersion), total };
  }

  /** One version to download: what it is, and its bytes as a stream of parts. The download is recorded in the ledger. */
  async openFile(actor: Actor, id: string, version: number): Promise<{ file: files.FileVersion; body: AsyncIterable<Buffer> }> {
    const resource = await this.#readableFileResource(actor, id);
    const row = await repo.findFileVersion(this.#k, resource.id, version);
    if (!row) throw E.fileVersionNotFound(version);
    const file = files.toFileVersion(row);
    await this.#k.transaction().execute((trx) =>
      appendLedger(trx, { actor, action: 'resource.file.download', subject: { type: 'resource', id: resource.id }, payload: { version, sm3: file.sm3, size: file.size } }),
    );
    return { file, body: files.readChunks(this.#k, { ...file, id: row.id }) };
  }

  async #readableFileResource(actor: Actor, id: string): Promise<repo.ResourceRow> {
    const resource = await this.#resource(id);
    if (!(await this.#mayReadData(actor, resource.provider_id))) throw forbidden();
    if (resource.kind !== 'file') throw E.wrongKind('file', resource.kind);
    return resource;
  }

  /** Housekeeping: uploads a stopped process left unfinished, with their parts. */
  async purgeAbandonedUploads(): Promise<number> {
    return repo.purgePendingFiles(this.#k, ABANDONED_UPLOAD_HOURS);
  }

  /**
   * Housekeeping: loads that will not finish — still reading after a day (the process that read them
   * stopped) or validated but not merged after a week — are aborted and their staged rows dropped.
   */
  async purgeStaleLoads(now: Date = new Date()): Promise<number> {
    const readingSince = new Date(now.getTime() - STALE_READING_MS);
    const waitingSince = new Date(now.getTime() - STALE_WAITING_MS);
    const stale = await repo.staleLoads(this.#k, readingSince, waitingSince);
    let aborted = 0;
    for (const load of stale) {
      aborted += await this.#k.transaction().execute(async (trx) => {
        // The resource first, as a merge takes it: a merge under way finishes before this looks.
        await repo.lockResource(trx, load.resource_id);
        const current = await repo.lockLoad(trx, load.resource_id, load.id);
        if (!current || !['validating', 'validated', 'merging', 'failed'].includes(current.status)) return 0;
        if (current.spool) await tables.dropStagingTable(trx, current.spool);
        await repo.updateLoad(trx, load.id, {
          status: 'aborted',
          spool: null,
          finished_at: now,
          failure: { code: 'LOAD_EXPIRED', message: 'The load was not finished in time; send the file again', messageZh: '加载未在期限内完成，请重新上传' },
        });
        return 1;
      });
    }
    return aborted;
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

/** A load still reading after this long was left by a stopped process. */
const STALE_READING_MS = 24 * 3600_000;
/** A validated load not merged (or resumed) within this long is given up. */
const STALE_WAITING_MS = 7 * 24 * 3600_000;

/** What a load's reading found, as the API reports it. */
function report(checked: CheckedLoad) {
  return {
    format: checked.format,
    encoding: checked.encoding ?? null,
    rowsRead: checked.rowsRead,
    rejected: checked.rejected,
    errors: checked.errors,
    errorsTruncated: checked.rejected > checked.errors.length,
  };
}

/** A dry run's rows go nowhere. */
const DISCARD: RowSink = { write: async () => undefined };

/**
 * The rows of a load, as they are checked, into its staging table: one COPY that the database runs
 * while the next rows are being checked. `abort` ends it early (the load is refused).
 */
function stagingSink(db: Db, staging: string, columns: readonly ColumnSpec[]): RowSink & { finish(): Promise<number>; abort(): Promise<void> } {
  const stream = new PassThrough({ highWaterMark: 4 << 20 });
  const copying = db.copyIn({ schema: 'data', table: staging, columns: ['row_no', ...columns.map((c) => c.column)] }, stream);
  let failure: unknown;
  // Kept as a value, so that a COPY failing while no write waits is not an unhandled rejection.
  copying.catch((err: unknown) => {
    failure = err;
    stream.destroy();
  });
  return {
    async write(chunk) {
      if (failure !== undefined) throw failure;
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), copying]);
      if (failure !== undefined) throw failure;
    },
    async finish() {
      stream.end();
      return copying;
    },
    async abort() {
      stream.destroy();
      await copying.catch(() => undefined);
    },
  };
}

/** The body, refused with 413 LOAD_TOO_LARGE once it passes `max` bytes. */
async function* capped(body: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.length;
    if (seen > max) throw E.loadTooLarge(max);
    yield chunk;
  }
}
