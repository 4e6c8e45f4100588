import type { Actor } from '../../core/auth/actor.js';
import { openSecret, sealSecret } from '../../core/crypto/index.js';
import type { Db } from '../../core/db/db.js';
import { AppError, forbidden } from '../../core/errors.js';
import type { Paging } from '../../core/http/schemas.js';
import type { JobQueue } from '../../core/jobs/index.js';
import { appendLedger } from '../../core/ledger/ledger.js';
import type { IdentityService } from '../identity/index.js';
import type { ResourceService } from '../resources/index.js';
import * as E from './connectors.errors.js';
import type { HostPolicy } from './connectors.hosts.js';
import type { CommonConfig, ConnectorKinds } from './connectors.kinds.js';
import { mayRead, requireEditor, requireProviderEditor } from './connectors.policy.js';
import * as repo from './connectors.repository.js';
import { RowMapper, type TargetColumn } from './connectors.rows.js';
import { CONNECTOR_RUN_JOB, createRunHandler, dedupeKey } from './connectors.runner.js';

export interface ConnectorRun {
  id: string;
  connectorId: string;
  trigger: repo.RunTrigger;
  attempt: number;
  status: repo.RunStatus;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  nextRetryAt: string | null;
  rowsRead: number | null;
  loadId: string | null;
  inserted: number | null;
  updated: number | null;
  rejected: number | null;
  watermarkFrom: string | null;
  watermarkTo: string | null;
  /** Why the watermark stayed where it was although rows were read (rows refused by the loader). */
  watermarkHeld: repo.RunError | null;
  error: repo.RunError | null;
}

export interface Connector {
  id: string;
  resourceId: string;
  providerId: string;
  name: string;
  kind: string;
  config: Record<string, unknown>;
  hasSecret: boolean;
  intervalMinutes: number | null;
  mode: repo.LoadMode;
  maxErrors: number;
  maxAttempts: number;
  enabled: boolean;
  watermark: string | null;
  nextRunAt: string | null;
  lastRun: ConnectorRun | null;
  createdAt: string;
  updatedAt: string;
}

export interface ConnectorInput {
  name: string;
  kind: string;
  config: unknown;
  secret?: string | undefined;
  intervalMinutes?: number | null | undefined;
  mode?: repo.LoadMode | undefined;
  maxErrors?: number | undefined;
  maxAttempts?: number | undefined;
  enabled?: boolean | undefined;
}

export interface ConnectorPatch {
  name?: string | undefined;
  config?: unknown;
  /** A new secret; null removes it; absent keeps it. */
  secret?: string | null | undefined;
  intervalMinutes?: number | null | undefined;
  mode?: repo.LoadMode | undefined;
  maxErrors?: number | undefined;
  maxAttempts?: number | undefined;
  enabled?: boolean | undefined;
  resetWatermark?: boolean | undefined;
}

export interface TestResult {
  ok: boolean;
  /** Up to five rows as they would be loaded (resource column names). */
  sample: Array<Record<string, unknown>>;
  /** The source's columns. */
  columns: string[];
  message?: string;
  messageZh?: string;
  code?: string;
}

export interface ConnectorServiceOptions {
  db: Db;
  nodeKey: Buffer;
  resources: Pick<ResourceService, 'get' | 'load'>;
  identity: Pick<IdentityService, 'responsibleAuthority'>;
  jobs: JobQueue;
  hosts: HostPolicy;
  kinds: ConnectorKinds;
  now?: (() => Date) | undefined;
  log?: { warn(obj: object, msg: string): void } | undefined;
}

const SCHEDULE_BATCH = 100;
const SAMPLE_ROWS = 5;
const SAMPLE_TIMEOUT_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());
const count = (n: number | null): number | null => (n === null ? null : Number(n));

export function toRun(r: repo.RunRow): ConnectorRun {
  return {
    id: r.id,
    connectorId: r.connector_id,
    trigger: r.trigger,
    attempt: r.attempt,
    status: r.status,
    queuedAt: r.queued_at.toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    nextRetryAt: iso(r.next_retry_at),
    rowsRead: count(r.rows_read),
    loadId: r.load_id,
    inserted: count(r.inserted),
    updated: count(r.updated),
    rejected: count(r.rejected),
    watermarkFrom: r.watermark_from,
    watermarkTo: r.watermark_to,
    watermarkHeld: r.watermark_held,
    error: r.error,
  };
}

function toConnector(c: repo.ConnectorRow, lastRun: repo.RunRow | undefined): Connector {
  return {
    id: c.id,
    resourceId: c.resource_id,
    providerId: c.provider_id,
    name: c.name,
    kind: c.kind,
    config: c.config as Record<string, unknown>,
    hasSecret: c.secret_sealed !== null,
    intervalMinutes: c.interval_minutes,
    mode: c.mode,
    maxErrors: c.max_errors,
    maxAttempts: c.max_attempts,
    enabled: c.enabled,
    watermark: c.watermark,
    nextRunAt: iso(c.next_run_at),
    lastRun: lastRun ? toRun(lastRun) : null,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
  };
}

/**
 * Connectors (前置机, issue 4): a provider's table resource filled from its own systems — a table or
 * query on PostgreSQL or MySQL, or a paged JSON API — on a schedule or when asked. Each run is a job
 * of the core queue (retried with backoff, taken over when a node dies); its rows go through the
 * resource's own loader, so they are checked like an upload. The watermark of an incremental
 * connector moves only after its load committed. Constructing it registers the run handler and the
 * schedule step with the queue.
 */
export class ConnectorService {
  readonly #db: Db;
  readonly #nodeKey: Buffer;
  readonly #resources: ConnectorServiceOptions['resources'];
  readonly #identity: ConnectorServiceOptions['identity'];
  readonly #jobs: JobQueue;
  readonly #hosts: HostPolicy;
  readonly #kinds: ConnectorKinds;
  readonly #now: () => Date;
  readonly #log: ConnectorServiceOptions['log'];

  constructor(options: ConnectorServiceOptions) {
    this.#db = options.db;
    this.#nodeKey = options.nodeKey;
    this.#resources = options.resources;
    this.#identity = options.identity;
    this.#jobs = options.jobs;
    this.#hosts = options.hosts;
    this.#kinds = options.kinds;
    this.#now = options.now ?? (() => new Date());
    this.#log = options.log;
    this.#jobs.register(
      createRunHandler({ db: options.db, nodeKey: options.nodeKey, resources: options.resources, hosts: options.hosts, kinds: options.kinds, now: this.#now }),
    );
    this.#jobs.onTick('connector schedules', () => this.scheduleDue());
  }

  get #k() {
    return this.#db.kysely;
  }

  /** The kinds a connector may be of. */
  kinds(): string[] {
    return this.#kinds.names();
  }

  async create(actor: Actor, resourceId: string, input: ConnectorInput): Promise<Connector> {
    requireEditor(actor);
    const resource = await this.#resources.get(actor, resourceId);
    requireProviderEditor(actor, resource.providerId);
    const columns = this.#tableColumns(resource);
    const name = this.#name(input.name);
    const kind = this.#kinds.get(input.kind);
    const config = this.#kinds.validate(input.kind, input.config);
    const mode = input.mode ?? 'upsert';
    this.#checkFit(kind.kind, config, columns, mode);
    const secret = input.secret === undefined || input.secret === '' ? undefined : input.secret;
    if (secret !== undefined && !kind.acceptsSecret(config)) throw E.secretUnused(kind.kind);
    if (secret !== undefined) this.#checkSecret(kind, config, secret);
    await this.#hosts.check(kind.host(config));
    const enabled = input.enabled ?? true;
    const interval = input.intervalMinutes ?? null;
    const now = this.#now();
    const row = await this.#k.transaction().execute(async (trx) => {
      if (await repo.nameTaken(trx, resource.id, name)) throw E.nameTaken(name);
      const created = await repo.insertConnector(trx, {
        resource_id: resource.id,
        provider_id: resource.providerId,
        name,
        kind: kind.kind,
        config,
        resource_columns: columns,
        secret_sealed: secret === undefined ? null : sealSecret(this.#nodeKey, secret),
        interval_minutes: interval,
        mode,
        max_errors: input.maxErrors ?? 1000,
        max_attempts: input.maxAttempts ?? 3,
        enabled,
        // A new schedule starts at the next tick, then every interval.
        next_run_at: enabled && interval !== null ? now : null,
        created_by: actor.id,
        created_at: now,
        updated_at: now,
      });
      await appendLedger(trx, {
        actor,
        action: 'connector.create',
        subject: { type: 'connector', id: created.id },
        payload: { resourceId: resource.id, name, kind: kind.kind, host: kind.host(config), intervalMinutes: interval, mode, enabled, hasSecret: secret !== undefined },
      });
      return created;
    });
    return toConnector(row, undefined);
  }

  async get(actor: Actor, id: string): Promise<Connector> {
    const row = await this.#readable(actor, id);
    return toConnector(row, (await repo.latestRuns(this.#k, [row.id])).get(row.id));
  }

  /**
   * Connectors of one resource (for its provider and the authority responsible for it), or, without
   * a resource, those of the caller's own organisation.
   */
  async list(actor: Actor, filter: { resourceId?: string | undefined }, page: Paging): Promise<{ items: Connector[]; total: number }> {
    if (actor.type !== 'user') throw forbidden();
    let providerId = actor.organisationId;
    if (filter.resourceId !== undefined) {
      const resource = await this.#resources.get(actor, filter.resourceId);
      if (!(await this.#mayRead(actor, resource.providerId))) throw forbidden();
      providerId = resource.providerId;
    }
    const { rows, total } = await repo.listConnectors(this.#k, { resourceId: filter.resourceId?.toLowerCase(), providerId }, page);
    const runs = await repo.latestRuns(this.#k, rows.map((r) => r.id));
    return { items: rows.map((r) => toConnector(r, runs.get(r.id))), total };
  }

  async update(actor: Actor, id: string, patch: ConnectorPatch): Promise<Connector> {
    requireEditor(actor);
    const current = await this.#connector(id);
    requireProviderEditor(actor, current.provider_id);
    const kind = this.#kinds.get(current.kind);
    const config = patch.config === undefined ? current.config : this.#kinds.validate(current.kind, patch.config);
    const mode = patch.mode ?? current.mode;
    // The resource's columns again, as this editor sees them now.
    const columns = patch.config !== undefined || patch.mode !== undefined ? this.#tableColumns(await this.#resources.get(actor, current.resource_id)) : current.resource_columns;
    this.#checkFit(kind.kind, config, columns, mode);
    // An empty secret means none, as when creating.
    const secretRemoved = patch.secret === null || patch.secret === '';
    const secretKept = patch.secret === undefined && current.secret_sealed !== null;
    const secretGiven = typeof patch.secret === 'string' && patch.secret !== '';
    if ((secretGiven || secretKept) && !kind.acceptsSecret(config)) throw E.secretUnused(kind.kind);
    if (secretGiven) this.#checkSecret(kind, config, patch.secret!);
    if (patch.config !== undefined) await this.#hosts.check(kind.host(config));
    const name = patch.name === undefined ? current.name : this.#name(patch.name);
    const now = this.#now();

    const row = await this.#k.transaction().execute(async (trx) => {
      const locked = await repo.lockConnector(trx, current.id);
      if (!locked) throw E.connectorNotFound(id);
      if (name !== locked.name && (await repo.nameTaken(trx, locked.resource_id, name, locked.id))) throw E.nameTaken(name);
      const configChanged = patch.config !== undefined && JSON.stringify(config) !== JSON.stringify(locked.config);
      // A saved secret does not follow the settings to another server (or origin, or header) on the
      // word of an editor who may not know it: it must come again with the change.
      if (configChanged && locked.secret_sealed !== null && !secretGiven && !secretRemoved) {
        const before = kind.secretScope(locked.config);
        const after = kind.secretScope(config);
        const moved = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
        if (moved.length > 0) throw E.secretRequired(moved);
      }
      // A watermark means something only against the table/query and column it was read from.
      const scopeChanged = configChanged && kind.watermarkScope(config) !== kind.watermarkScope(locked.config);
      const resetWatermark = (patch.resetWatermark === true || scopeChanged) && locked.watermark !== null;
      const interval = patch.intervalMinutes === undefined ? locked.interval_minutes : patch.intervalMinutes;
      const enabled = patch.enabled ?? locked.enabled;
      const scheduleChanged = interval !== locked.interval_minutes || enabled !== locked.enabled;
      const changes: repo.ConnectorPatch = {
        name,
        mode,
        max_errors: patch.maxErrors ?? locked.max_errors,
        max_attempts: patch.maxAttempts ?? locked.max_attempts,
        interval_minutes: interval,
        enabled,
        updated_at: now,
        ...(configChanged ? { config, resource_columns: columns } : {}),
        ...(resetWatermark ? { watermark: null } : {}),
        // A run under way started from the old settings: it must not save its watermark over these.
        ...(configChanged || resetWatermark ? { config_version: locked.config_version + 1 } : {}),
        ...(scheduleChanged ? { next_run_at: enabled && interval !== null ? now : null } : {}),
        ...(secretRemoved ? { secret_sealed: null } : secretGiven ? { secret_sealed: sealSecret(this.#nodeKey, patch.secret!) } : {}),
      };
      const updated = await repo.updateConnector(trx, locked.id, changes);
      const changed = Object.keys(patch).filter((key) => key !== 'secret' && key !== 'resetWatermark' && (patch as Record<string, unknown>)[key] !== undefined);
      await appendLedger(trx, {
        actor,
        action: 'connector.update',
        subject: { type: 'connector', id: locked.id },
        payload: {
          resourceId: locked.resource_id,
          name,
          changed,
          ...(configChanged ? { host: kind.host(config) } : {}),
          ...(secretRemoved && locked.secret_sealed !== null ? { secret: 'removed' } : secretGiven ? { secret: 'replaced' } : {}),
          ...(resetWatermark ? { watermarkReset: true, watermarkWas: locked.watermark } : {}),
        },
      });
      return updated;
    });
    return toConnector(row, (await repo.latestRuns(this.#k, [row.id])).get(row.id));
  }

  /** Removes a connector and its run history; a run waiting for its turn is cancelled. */
  async delete(actor: Actor, id: string): Promise<void> {
    requireEditor(actor);
    const current = await this.#connector(id);
    requireProviderEditor(actor, current.provider_id);
    await this.#k.transaction().execute(async (trx) => {
      const locked = await repo.lockConnector(trx, current.id);
      if (!locked) throw E.connectorNotFound(id);
      await this.#jobs.cancel(trx, dedupeKey(locked.id));
      await repo.deleteConnector(trx, locked.id);
      await appendLedger(trx, {
        actor,
        action: 'connector.delete',
        subject: { type: 'connector', id: locked.id },
        payload: { resourceId: locked.resource_id, name: locked.name, kind: locked.kind },
      });
    });
  }

  /**
   * Connects with the saved settings and reads a few rows, writing nothing: the rows as they would
   * be loaded, the source's columns, and what would be ignored or left empty. A source that fails
   * answers `ok: false` with the reason, as a run would record it.
   */
  async test(actor: Actor, id: string): Promise<TestResult> {
    requireEditor(actor);
    const row = await this.#connector(id);
    requireProviderEditor(actor, row.provider_id);
    const kind = this.#kinds.get(row.kind);
    const secret = row.secret_sealed === null ? undefined : openSecret(this.#nodeKey, row.secret_sealed);
    const mapper = new RowMapper((row.config as CommonConfig).columns, row.resource_columns);
    // The kinds cut their connection when this fires, so the answer comes within the limit.
    const signal = AbortSignal.timeout(SAMPLE_TIMEOUT_MS);
    try {
      const sample = await kind.sample(row.config, secret, SAMPLE_ROWS, { hosts: this.#hosts, signal });
      const columns = sample.columns.length > 0 ? sample.columns : [...new Set(sample.rows.flatMap((r) => Object.keys(r)))];
      const { ignored, unfilled, keysUnfilled } = mapper.coverage(columns);
      const notes: Array<[string, string]> = [];
      if (keysUnfilled.length > 0) notes.push([`no source column fills the key ${keysUnfilled.join(', ')}`, `没有源字段对应主键 ${keysUnfilled.join('、')}`]);
      if (sample.rows.length === 0) notes.push(['the source returned no rows', '数据源未返回数据']);
      if (ignored.length > 0) notes.push([`ignored source columns: ${ignored.join(', ')}`, `忽略的源字段：${ignored.join('、')}`]);
      if (unfilled.length > 0) notes.push([`resource columns left empty: ${unfilled.join(', ')}`, `未填充的资源字段：${unfilled.join('、')}`]);
      return {
        ok: keysUnfilled.length === 0,
        sample: sample.rows.map((r) => mapper.map(r)),
        columns,
        ...(notes.length > 0 ? { message: notes.map((n) => n[0]).join('; '), messageZh: notes.map((n) => n[1]).join('；') } : {}),
      };
    } catch (caught) {
      // A kind that let the deadline through as it is still answers as a timeout of the source.
      const err = signal.aborted && caught === signal.reason ? E.sourceTimeout(kind.host(row.config)) : caught;
      if (err instanceof AppError) return { ok: false, sample: [], columns: [], code: err.code, message: err.message, messageZh: err.messageZh };
      this.#log?.warn({ err, connectorId: row.id }, 'connector test failed');
      return { ok: false, sample: [], columns: [], code: 'CONNECTOR_TEST_FAILED', message: 'The test failed unexpectedly; the node log has the details', messageZh: '测试异常失败，详情见节点日志' };
    }
  }

  /** Queues a run now (202); refused while a run is queued or under way. */
  async runNow(actor: Actor, id: string): Promise<{ runId: string }> {
    requireEditor(actor);
    const current = await this.#connector(id);
    requireProviderEditor(actor, current.provider_id);
    const run = await this.#k.transaction().execute(async (trx) => {
      const locked = await repo.lockConnector(trx, current.id);
      if (!locked) throw E.connectorNotFound(id);
      if (!locked.enabled) throw E.disabled();
      const queued = await this.#enqueue(trx, locked, 'manual', actor.id);
      if (!queued) throw E.busy((await repo.activeRun(trx, locked.id))?.id);
      await appendLedger(trx, {
        actor,
        action: 'connector.run.request',
        subject: { type: 'connector', id: locked.id },
        payload: { runId: queued.id, resourceId: locked.resource_id, name: locked.name },
      });
      return queued;
    });
    this.#jobs.wake();
    return { runId: run.id };
  }

  async runs(actor: Actor, id: string, page: Paging): Promise<{ items: ConnectorRun[]; total: number }> {
    const row = await this.#readable(actor, id);
    const { rows, total } = await repo.listRuns(this.#k, row.id, page);
    return { items: rows.map(toRun), total };
  }

  /**
   * The scheduler tick (every replica, every poll): enabled connectors whose time has come get a run
   * queued and their next time set. A connector still busy with a run skips this turn. Safe from
   * several replicas at once: connectors are claimed under SKIP LOCKED, and the job's dedupe key
   * keeps one run per connector.
   */
  async scheduleDue(): Promise<number> {
    let queued = 0;
    for (;;) {
      const claimed = await this.#k.transaction().execute(async (trx) => {
        const due = await repo.claimDueConnectors(trx, this.#now(), SCHEDULE_BATCH);
        for (const connector of due) if (await this.#enqueue(trx, connector, 'schedule', null)) queued += 1;
        return due.length;
      });
      if (claimed < SCHEDULE_BATCH) break;
    }
    return queued;
  }

  // ---------------------------------------------------------------- helpers

  async #enqueue(trx: Parameters<JobQueue['enqueue']>[0], connector: repo.ConnectorRow, trigger: repo.RunTrigger, requestedBy: string | null): Promise<repo.RunRow | undefined> {
    const jobId = await this.#jobs.enqueue(trx, {
      kind: CONNECTOR_RUN_JOB,
      payload: { connectorId: connector.id },
      dedupeKey: dedupeKey(connector.id),
      maxAttempts: connector.max_attempts,
    });
    if (!jobId) return undefined;
    return repo.insertRun(trx, { connector_id: connector.id, job_id: jobId, trigger, requested_by: requestedBy, queued_at: this.#now() });
  }

  async #connector(id: string): Promise<repo.ConnectorRow> {
    const row = UUID.test(id) ? await repo.findConnector(this.#k, id.toLowerCase()) : undefined;
    if (!row) throw E.connectorNotFound(id);
    return row;
  }

  async #readable(actor: Actor, id: string): Promise<repo.ConnectorRow> {
    if (actor.type !== 'user') throw forbidden();
    const row = await this.#connector(id);
    if (!(await this.#mayRead(actor, row.provider_id))) throw forbidden();
    return row;
  }

  #mayRead(actor: Actor, providerId: string): Promise<boolean> {
    return mayRead(actor, providerId, (org) => this.#identity.responsibleAuthority(org));
  }

  #name(raw: string): string {
    const name = raw.trim();
    if (name === '' || name.length > 100) throw E.configInvalid([{ path: '/name', message: 'must be 1 to 100 characters' }]);
    return name;
  }

  /** A secret the kind could not send as it is (a header value with a line break) is refused when saved, not at every run. */
  #checkSecret(kind: ReturnType<ConnectorKinds['get']>, config: object, secret: string): void {
    const problems = kind.checkSecret?.(config, secret) ?? [];
    if (problems.length > 0) throw E.configInvalid(problems);
  }

  #tableColumns(resource: Awaited<ReturnType<ResourceService['get']>>): TargetColumn[] {
    if (resource.kind !== 'table' || !resource.columns) throw E.resourceNotTable(resource.kind);
    return resource.columns.map((c) => ({ column: c.column, isKey: c.isKey }));
  }

  /** The settings against the resource: mapped columns exist, keys are filled, increments upsert. */
  #checkFit(kindName: string, config: object, columns: readonly TargetColumn[], mode: repo.LoadMode): void {
    const kind = this.#kinds.get(kindName);
    const mapping = (config as CommonConfig).columns;
    if (mapping) {
      const known = columns.map((c) => c.column);
      const unknown = [...new Set(Object.values(mapping))].filter((c) => !known.includes(c));
      if (unknown.length > 0) throw E.columnUnknown(unknown, known);
      const { keysUnfilled } = new RowMapper(mapping, columns).coverage(Object.keys(mapping));
      if (keysUnfilled.length > 0) throw E.keyUnmapped(keysUnfilled);
    }
    if (kind.watermarkScope(config) !== null && mode === 'replace') throw E.watermarkNeedsUpsert();
  }
}
