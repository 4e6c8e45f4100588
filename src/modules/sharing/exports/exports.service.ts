import crypto from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Actor, UserActor } from '../../../core/auth/actor.js';
import { systemActor } from '../../../core/auth/actor.js';
import { canonicalJson } from '../../../core/canonical-json.js';
import { sm3Hex } from '../../../core/crypto/index.js';
import type { Db } from '../../../core/db/db.js';
import type { Executor, Trx } from '../../../core/db/database.js';
import { AppError, forbidden, NotFoundError } from '../../../core/errors.js';
import type { Paging } from '../../../core/http/schemas.js';
import type { JobHandler, JobQueue } from '../../../core/jobs/index.js';
import { appendLedger, appendLedgerBatch } from '../../../core/ledger/ledger.js';
import type { IdentityService } from '../../identity/index.js';
import type { NotificationsService } from '../../notifications/index.js';
import type { ResourceService } from '../../resources/index.js';
import type { ShareCondition, ShareTable } from '../../resources/resources.share.js';
import * as G from '../gateway/gateway.errors.js';
import { AddressLists, outputColumns, parseFilters } from '../gateway/gateway.policy.js';
import { resolveRowFilter, usesConsumerDivision } from '../gateway/row-filter.js';
import { sharingErrors } from '../sharing.errors.js';
import { isParty, isUser, partiesOf } from '../sharing.policy.js';
import * as sharingRepo from '../sharing.repository.js';
import type { Grant } from '../sharing.types.js';
import { toGrant } from '../sharing.views.js';
import { encoderFor } from './exports.encoders.js';
import { ExportStageError, exportErrors as E } from './exports.errors.js';
import { EXPORT_NOTIFICATION_KINDS } from './exports.notifications.js';
import { ChunkStore, DEFAULT_MAX_EXPORT_BYTES, maskStage, readRows, recipientWatermark, runPipeline, type ExportContext, type ExportStage } from './exports.pipeline.js';
import * as repo from './exports.repository.js';
import { toExport, type Export, type ExportFormat, type ExportInput } from './exports.views.js';

export const EXPORT_JOB = 'sharing.export';
/** How long a ready file is kept (it is never kept past the grant's expiry). */
export const DEFAULT_RETENTION_HOURS = 7 * 24;
/** The longest a download link is valid. */
export const MAX_LINK_MINUTES = 24 * 60;
/** Exports one person may have queued or running at once. */
export const MAX_UNFINISHED_PER_USER = 3;
const PURGE_BATCH = 100;
/**
 * How long a file outlives its expiry before purge deletes it: a download may start (its link be
 * taken) up to the expiry, and is then streamed part by part; the grace lets it finish.
 */
export const PURGE_GRACE_MS = 3_600_000;
/** Tokens are 32 random bytes, base64url. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface ExportServiceOptions {
  db: Db;
  identity: IdentityService;
  resources: ResourceService;
  jobs: JobQueue;
  notifications: NotificationsService;
  now?: (() => Date) | undefined;
  log?: FastifyBaseLogger | undefined;
  /** Largest file an export may produce (default 1 GiB). */
  maxBytes?: number | undefined;
  retentionHours?: number | undefined;
  /**
   * Steps after masking and before encoding (default: the recipient watermark). Later issues add
   * invisible watermarks here; each is `(rows, context) => rows`.
   */
  watermarkStages?: ReadonlyArray<{ name: string; run: ExportStage }> | undefined;
}

export interface ExportListQuery {
  as?: 'consumer' | 'provider' | undefined;
  status?: repo.ExportStatus | undefined;
  grantId?: string | undefined;
}

/** A file being downloaded: what the route sends, the bytes part by part. */
export interface ExportDownload {
  fileName: string;
  mediaType: string;
  size: number;
  sm3: string;
  body: AsyncIterable<Buffer>;
}

/**
 * File sharing (文件共享, issue 5): a consumer exports the data a grant with the `file` method gives
 * its organisation — exactly what the gateway would answer (granted items, masked as granted, the
 * grant's row filter on top of the consumer's filters) — as CSV or xlsx. The export runs on the job
 * queue through a staged pipeline (exports.pipeline.ts: read → mask → watermark → encode → store);
 * the file is kept in the database with its SM3 until it expires, and handed out through one-time
 * links valid for at most a day, whose tokens the node keeps only as SM3 digests. Every export is a
 * share_calls row (route `export`) and every step a ledger entry; the parties of the grant see its
 * exports (404 to everyone else), and only the person who asked may download the file, which is
 * watermarked with their name.
 *
 * @example
 *   const queued = await exports.request(consumer, { grantId, format: 'xlsx' });
 *   await node.jobs.tick(); // the worker does this on a serving node
 *   const { url } = await exports.createLink(consumer, queued.id, {});
 */
export class ExportService {
  readonly #db: Db;
  readonly #identity: IdentityService;
  readonly #resources: ResourceService;
  readonly #jobs: JobQueue;
  readonly #notifications: NotificationsService;
  readonly #now: () => Date;
  readonly #log: FastifyBaseLogger | undefined;
  readonly #maxBytes: number;
  readonly #retentionMs: number;
  readonly #watermarks: ReadonlyArray<{ name: string; run: ExportStage }>;
  readonly #addresses = new AddressLists();

  constructor(options: ExportServiceOptions) {
    this.#db = options.db;
    this.#identity = options.identity;
    this.#resources = options.resources;
    this.#jobs = options.jobs;
    this.#notifications = options.notifications;
    this.#now = options.now ?? (() => new Date());
    this.#log = options.log;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_EXPORT_BYTES;
    this.#retentionMs = (options.retentionHours ?? DEFAULT_RETENTION_HOURS) * 3_600_000;
    this.#watermarks = options.watermarkStages ?? [{ name: 'watermark', run: recipientWatermark }];
    this.#notifications.registerKinds(EXPORT_NOTIFICATION_KINDS);
    this.#jobs.register(this.#handler());
  }

  get #k(): Executor {
    return this.#db.kysely;
  }

  // ---------------------------------------------------------------- asking

  /**
   * Queues an export of a grant's data (a consumer of the grant's consumer organisation). Refused
   * at once when the grant does not allow it (the gateway's codes) or the request is not one the
   * gateway would answer; the job checks the grant again when it runs.
   */
  async request(actor: Actor, input: ExportInput): Promise<Export> {
    if (!isUser(actor) || !actor.roles.includes('consumer')) throw forbidden();
    const now = this.#now();
    const grantRow = await sharingRepo.findGrant(this.#k, input.grantId);
    if (!grantRow || !partiesOf(actor, grantSubject(grantRow)).applicant) throw sharingErrors.grantNotFound(input.grantId);
    const grant = usableGrant(grantRow, now);
    const table = await this.#table(grant.catalog.code);
    const columns = outputColumns(grant, table, input.fields);
    parseFilters(input.filters, grant);
    const name = (await this.#identity.me(actor)).displayName;
    const row = await this.#db.kysely.transaction().execute(async (trx) => {
      await repo.requestLock(trx, actor.id);
      if ((await repo.countUnfinished(trx, actor.id)) >= MAX_UNFINISHED_PER_USER) throw E.tooMany(MAX_UNFINISHED_PER_USER);
      const inserted = await repo.insertExport(trx, {
        grant_id: grantRow.id,
        consumer_org_id: grantRow.consumer_org_id,
        consumer_name: grantRow.consumer_name,
        provider_org_id: grantRow.provider_org_id,
        provider_name: grantRow.provider_name,
        authority_org_id: grantRow.authority_org_id,
        catalog_entry_id: grantRow.catalog_entry_id,
        catalog_code: grantRow.catalog_code,
        catalog_name: grantRow.catalog_name,
        requested_by: actor.id,
        requested_by_name: name,
        format: input.format,
        fields: input.fields && input.fields.length > 0 ? input.fields : null,
        filters: isRecord(input.filters) ? input.filters : null,
        created_at: now,
      });
      const jobId = await this.#jobs.enqueue(trx, { kind: EXPORT_JOB, payload: { exportId: inserted.id }, maxAttempts: 3 });
      const queued = await repo.updateExport(trx, inserted.id, { job_id: jobId ?? null, updated_at: now });
      await appendLedger(trx, {
        actor,
        action: 'sharing.export.request',
        subject: { type: 'share_export', id: inserted.id },
        payload: {
          grantId: grantRow.id,
          code: grantRow.catalog_code,
          entryId: grantRow.catalog_entry_id,
          consumerId: grantRow.consumer_org_id,
          providerId: grantRow.provider_org_id,
          format: input.format,
          columns,
          // The filters may hold personal values: a keyed digest, as the gateway's call log keeps.
          filterDigest: this.#resources.shareDigest({ filters: input.filters ?? {} }),
        },
      });
      return queued;
    });
    this.#jobs.wake();
    return this.#present(actor, row);
  }

  // ---------------------------------------------------------------- reading

  async get(actor: Actor, id: string): Promise<Export> {
    return this.#present(actor, await this.#visible(actor, id));
  }

  /**
   * Exports the caller's organisation may see: as consumer (its own exports), as provider (exports of
   * its data; a data authority: of its providers' data), or every side its roles allow.
   */
  async list(actor: Actor, query: ExportListQuery, page: Paging): Promise<{ items: Export[]; total: number }> {
    if (!isUser(actor)) throw forbidden();
    const consumer = actor.roles.includes('consumer');
    const provider = actor.roles.includes('provider_approver');
    const authority = actor.roles.includes('data_authority');
    if ((query.as === 'consumer' && !consumer) || (query.as === 'provider' && !provider && !authority)) throw forbidden();
    const scope: repo.ExportScope = {
      consumerOrgId: query.as !== 'provider' && consumer ? actor.organisationId : undefined,
      providerOrgId: query.as !== 'consumer' && provider ? actor.organisationId : undefined,
      authorityOrgId: query.as !== 'consumer' && authority ? actor.organisationId : undefined,
    };
    const { rows, total } = await repo.listExports(this.#k, scope, { status: query.status, grantId: query.grantId }, page);
    return { items: await this.#presentAll(actor, rows), total };
  }

  async #visible(actor: Actor, id: string): Promise<repo.ExportRow> {
    const row = await repo.findExport(this.#k, id);
    if (!row || !isParty(partiesOf(actor, exportSubject(row)))) throw E.notFound(id);
    return row;
  }

  async #present(actor: Actor, row: repo.ExportRow): Promise<Export> {
    return (await this.#presentAll(actor, [row]))[0]!;
  }

  async #presentAll(actor: Actor, rows: readonly repo.ExportRow[]): Promise<Export[]> {
    const links = await repo.countLinks(this.#k, rows.map((r) => r.id));
    const userId = actor.type === 'user' ? actor.id : undefined;
    const organisationId = isUser(actor) ? actor.organisationId : undefined;
    // The filters may hold personal values (the ledger keeps only a keyed digest): only the
    // organisation that asked sees them; the provider and the authority see null.
    return rows.map((r) => toExport(r, links.get(r.id) ?? { links: 0, downloads: 0 }, r.requested_by === userId, r.consumer_org_id === organisationId));
  }

  // ---------------------------------------------------------------- links and downloads

  /**
   * A one-time download link for a ready export: only the person who asked for it (the watermark
   * names them), while the grant is still in force. The token is returned once and kept as its SM3.
   */
  async createLink(actor: Actor, id: string, input: { ttlMinutes?: number | undefined }): Promise<{ url: string; expiresAt: string }> {
    const row = await this.#visible(actor, id);
    if (actor.type !== 'user' || row.requested_by !== actor.id) throw E.notRequester();
    const now = this.#now();
    if (row.status === 'expired' || (row.status === 'ready' && row.expires_at !== null && row.expires_at <= now)) throw E.expired(id);
    if (row.status !== 'ready') throw E.notReady(row.status);
    const grantRow = await sharingRepo.findGrant(this.#k, row.grant_id);
    currentTerms(row, usableGrant(grantRow!, now));
    const ttl = Math.min(MAX_LINK_MINUTES, Math.max(1, input.ttlMinutes ?? MAX_LINK_MINUTES));
    const expiresAt = new Date(Math.min(now.getTime() + ttl * 60_000, row.expires_at!.getTime()));
    const token = crypto.randomBytes(32).toString('base64url');
    await this.#db.kysely.transaction().execute(async (trx) => {
      const link = await repo.insertLink(trx, { export_id: row.id, token_sm3: sm3Hex(token), created_by: actor.id, created_at: now, expires_at: expiresAt });
      await appendLedger(trx, {
        actor,
        action: 'sharing.export.link',
        subject: { type: 'share_export', id: row.id },
        payload: { linkId: link.id, code: row.catalog_code, expiresAt: expiresAt.toISOString() },
      });
    });
    return { url: `/api/v1/exports/download/${token}`, expiresAt: expiresAt.toISOString() };
  }

  /**
   * Takes a link and gives the file: the token is the credential (no sign-in), valid once — taken in
   * the same statement that checks it, so two requests cannot both use it — and before it expires.
   * A used link is 410 EXPORT_LINK_USED, an expired one 410 EXPORT_LINK_EXPIRED; a revoked grant
   * stops downloads at once, and so does a change of its terms since the file was made (409
   * EXPORT_STALE); a download from outside the grant's IP allow-list is 403 IP_NOT_ALLOWED. A
   * refused download leaves the link unused. The link counts as used once the file starts: an
   * interrupted download needs a new link.
   */
  async download(token: string, ip: string): Promise<ExportDownload> {
    if (!TOKEN.test(token)) throw E.linkNotFound();
    const digest = sm3Hex(token);
    const now = this.#now();
    const taken = await this.#db.kysely.transaction().execute(async (trx) => {
      const link = await repo.takeLink(trx, digest, now, ip);
      if (!link) return undefined;
      const row = (await repo.findExport(trx, link.export_id))!;
      if (row.status !== 'ready' || row.expires_at === null || row.expires_at <= now) throw E.expired(row.id);
      const grant = usableGrant((await sharingRepo.findGrant(trx, row.grant_id))!, now);
      // The address first: a caller outside the allow-list learns nothing more of the export.
      this.#addresses.require(grant, ip);
      currentTerms(row, grant);
      await appendLedger(trx, {
        actor: systemActor('export download link'),
        action: 'sharing.export.download',
        subject: { type: 'share_export', id: row.id },
        payload: { linkId: link.id, createdBy: link.created_by, code: row.catalog_code, consumerId: row.consumer_org_id, ip, size: Number(row.size), sm3: row.sm3 },
      });
      return row;
    });
    if (!taken) {
      const link = await repo.findLink(this.#k, digest);
      if (!link) throw E.linkNotFound();
      if (link.used_at !== null) throw E.linkUsed();
      throw E.linkExpired(link.expires_at.toISOString());
    }
    return {
      fileName: taken.file_name!,
      mediaType: taken.media_type!,
      size: Number(taken.size),
      sm3: taken.sm3!,
      body: this.#chunks(taken.id, Number(taken.size), taken.sm3!),
    };
  }

  /** The stored parts, one query each; a file whose bytes are not the recorded ones fails at its end. */
  async *#chunks(exportId: string, size: number, sm3: string): AsyncGenerator<Buffer> {
    const hash = crypto.createHash('sm3');
    let read = 0;
    for (let seq = 0; ; seq++) {
      const part = await repo.chunk(this.#k, exportId, seq);
      if (part === undefined) break;
      hash.update(part);
      read += part.length;
      yield part;
    }
    if (read !== size || hash.digest('hex') !== sm3) throw new Error(`stored export ${exportId} does not match its size and SM3 digest`);
  }

  // ---------------------------------------------------------------- housekeeping

  /**
   * Deletes the files of exports past their expiry (and parts a failed export left behind); ready
   * ones become `expired`. Replicas may run it together (rows are claimed with SKIP LOCKED).
   */
  async purge(): Promise<number> {
    let purged = 0;
    for (;;) {
      const now = this.#now();
      const n = await this.#db.kysely.transaction().execute(async (trx) => {
        const rows = await repo.claimExpired(trx, new Date(now.getTime() - PURGE_GRACE_MS), new Date(now.getTime() - 3_600_000), PURGE_BATCH);
        for (const r of rows) {
          await repo.deleteChunks(trx, r.id);
          if (r.status === 'ready') await repo.updateExport(trx, r.id, { status: 'expired', updated_at: now });
        }
        // One entry per export that expired, each about its own export.
        await appendLedgerBatch(
          trx,
          rows
            .filter((r) => r.status === 'ready')
            .map((r) => ({
              actor: systemActor('export retention'),
              action: 'sharing.export.purge',
              subject: { type: 'share_export', id: r.id },
              payload: { code: r.catalog_code, consumerId: r.consumer_org_id, sm3: r.sm3 },
            })),
        );
        return rows.length;
      });
      purged += n;
      if (n < PURGE_BATCH) return purged;
    }
  }

  // ---------------------------------------------------------------- the job

  #handler(): JobHandler<{ exportId: string }> {
    return {
      kind: EXPORT_JOB,
      leaseSeconds: 300,
      backoff: { baseSeconds: 30, maxSeconds: 600 },
      // A refusal (grant revoked, item no longer granted, a filter the table refuses, too large) will
      // not pass by trying again; a database hiccup may.
      retryable: (err) => !(err instanceof AppError && err.status < 500),
      run: async (job, context) => this.#run(job.payload.exportId, job.attempt, context),
      onFailure: async (trx, job, failure) => {
        const row = await repo.findExport(trx, job.payload.exportId, true);
        if (!row || row.status === 'ready' || row.status === 'failed' || row.status === 'expired') return;
        // The stage and status the attempt recorded, when it is this error's.
        const recorded = row.error?.code === failure.error.code ? row.error : null;
        const error: repo.ExportError = { ...failure.error, stage: recorded?.stage ?? null, ...(recorded?.status ? { status: recorded.status } : {}) };
        const now = this.#now();
        if (failure.retryAt !== null) {
          await repo.updateExport(trx, row.id, { status: 'queued', attempts: failure.attempt, error, updated_at: now });
          await appendLedger(trx, {
            actor: systemActor(`export ${row.id}`),
            action: 'sharing.export.retry',
            subject: { type: 'share_export', id: row.id },
            payload: { grantId: row.grant_id, code: row.catalog_code, error: error.code, stage: error.stage, attempt: failure.attempt, retryAt: failure.retryAt.toISOString() },
          });
          return;
        }
        await repo.deleteChunks(trx, row.id);
        const failed = await repo.updateExport(trx, row.id, { status: 'failed', attempts: failure.attempt, error, finished_at: now, updated_at: now });
        await this.#recordCall(trx, failed, { outcome: error.code, status: error.status ?? 500, rows: 0, now });
        await appendLedger(trx, {
          actor: systemActor(`export ${row.id}`),
          action: 'sharing.export.fail',
          subject: { type: 'share_export', id: row.id },
          payload: { grantId: row.grant_id, code: row.catalog_code, error: error.code, stage: error.stage, attempts: failure.attempt },
        });
        await this.#notify(trx, 'sharing.export_failed', failed, { error: error.messageZh, errorEn: error.message });
      },
    };
  }

  async #run(exportId: string, attempt: number, job: { signal: AbortSignal; complete(trx: Trx): Promise<void> }): Promise<void> {
    const started = await this.#db.kysely.transaction().execute(async (trx) => {
      const row = await repo.findExport(trx, exportId, true);
      if (!row || row.status === 'ready' || row.status === 'failed' || row.status === 'expired') {
        await job.complete(trx);
        return undefined;
      }
      // What an earlier attempt stored is written again from the start.
      await repo.deleteChunks(trx, exportId);
      const now = this.#now();
      const running = await repo.updateExport(trx, exportId, { status: 'running', attempts: attempt, started_at: row.started_at ?? now, updated_at: now });
      await appendLedger(trx, {
        actor: systemActor(`export ${exportId}`),
        action: 'sharing.export.start',
        subject: { type: 'share_export', id: exportId },
        payload: { grantId: row.grant_id, code: row.catalog_code, attempt },
      });
      return running;
    });
    if (!started) return;
    const began = performance.now();
    try {
      const { context, pipeline, termsSm3 } = await this.#prepare(started, attempt, job.signal);
      const result = await runPipeline({ ...pipeline, context, signal: job.signal });
      await this.#db.kysely.transaction().execute(async (trx) => {
        const now = this.#now();
        const grantRow = (await sharingRepo.findGrant(trx, started.grant_id))!;
        const keepUntil = Math.min(now.getTime() + this.#retentionMs, grantRow.expires_at.getTime());
        const ready = await repo.updateExport(trx, exportId, {
          status: 'ready',
          rows_written: result.rows,
          size: result.size,
          sm3: result.sm3,
          terms_sm3: termsSm3,
          media_type: pipeline.encoder.mediaType,
          file_name: fileName(started, pipeline.encoder.extension, now),
          watermark: context.metadata,
          error: null,
          finished_at: now,
          expires_at: new Date(keepUntil),
          updated_at: now,
        });
        await this.#recordCall(trx, ready, { outcome: 'ok', status: 200, rows: result.rows, now, latencyMs: performance.now() - began });
        await appendLedger(trx, {
          actor: systemActor(`export ${exportId}`),
          action: 'sharing.export.ready',
          subject: { type: 'share_export', id: exportId },
          payload: { grantId: started.grant_id, code: started.catalog_code, format: started.format, rows: result.rows, size: result.size, sm3: result.sm3, attempts: attempt, watermark: context.metadata },
        });
        await this.#notify(trx, 'sharing.export_ready', ready, { rows: result.rows, format: started.format });
        await job.complete(trx);
      });
    } catch (err) {
      throw await this.#noteFailure(exportId, err);
    }
  }

  /**
   * Records on the export which stage failed and with what (the queue keeps only code and messages),
   * and gives the queue the error itself, so that its code and retry rule apply.
   */
  async #noteFailure(exportId: string, err: unknown): Promise<unknown> {
    const stage = err instanceof ExportStageError ? err.stage : null;
    const cause = err instanceof ExportStageError ? err.cause : err;
    if (cause instanceof AppError) {
      await repo
        .updateExport(this.#k, exportId, { error: { code: cause.code, message: cause.message, messageZh: cause.messageZh, stage, status: cause.status }, updated_at: this.#now() })
        .catch((e: unknown) => this.#log?.warn({ err: e, exportId }, 'recording an export failure failed'));
    } else if (stage !== null) {
      this.#log?.error({ err: cause, exportId, stage }, 'export stage failed');
    }
    return cause;
  }

  /** Everything the pipeline needs, the grant checked again as it is now. */
  async #prepare(row: repo.ExportRow, attempt: number, signal: AbortSignal) {
    const grantRow = await sharingRepo.findGrant(this.#k, row.grant_id);
    const grant = usableGrant(grantRow!, this.#now());
    const table = await this.#table(grant.catalog.code);
    const columns = outputColumns(grant, table, row.fields ?? undefined);
    const conditions = parseFilters(row.filters ?? undefined, grant);
    const rowFilter = await this.#rowFilter(grant, table);
    const organisationName = row.consumer_name;
    const context: ExportContext = {
      exportId: row.id,
      grantId: row.grant_id,
      catalog: { code: row.catalog_code, name: row.catalog_name },
      provider: { organisationId: row.provider_org_id, name: row.provider_name },
      recipient: { organisationId: row.consumer_org_id, organisationName, userId: row.requested_by, displayName: row.requested_by_name },
      requestedAt: row.created_at,
      columns: columns.map((c) => ({ column: c, name: table.columns.find((s) => s.column === c)?.name ?? c })),
      metadata: {},
    };
    const reader = (t: ShareTable, q: Parameters<ResourceService['shareRecords']>[1]) => this.#resources.shareRecords(t, q);
    return {
      context,
      // The terms the rows are read under: links and downloads require the grant still to have them.
      termsSm3: termsDigest(grant),
      pipeline: {
        pages: readRows(reader, table, { columns, conditions, rowFilter }, signal),
        stages: [{ name: 'mask', run: maskStage(grant.masking) }, ...this.#watermarks],
        encoder: encoderFor(row.format),
        store: new ChunkStore(this.#k, row.id, attempt, this.#maxBytes),
      },
    };
  }

  /** The entry's table, once data has been loaded into it (as the gateway requires). */
  async #table(catalogCode: string): Promise<ShareTable> {
    const source = await this.#resources.shareSource(catalogCode);
    if (!source?.table?.loaded) throw G.resourceNotAvailable(catalogCode, 'table');
    return source.table;
  }

  /** The grant's row filter for its consumer, as the gateway resolves it. */
  async #rowFilter(grant: Grant, table: ShareTable): Promise<ShareCondition | null> {
    if (grant.rowFilter === null) return null;
    const division = usesConsumerDivision(grant.rowFilter) ? await this.#divisionOf(grant.consumerId) : undefined;
    const filter = resolveRowFilter(grant.rowFilter, division);
    if (filter === null) return null;
    const spec = table.columns.find((c) => c.column === filter.column);
    if (!spec) throw G.grantTermsInvalid(`no column ${filter.column}`, `没有字段 ${filter.column}`);
    if (filter.op === 'prefix' && spec.dataType !== 'string') throw G.grantTermsInvalid(`prefix on ${spec.dataType} column ${filter.column}`, `字段 ${filter.column} 不是字符型，不能前缀匹配`);
    return filter;
  }

  /** The consumer organisation's division code, read as a member of it would (as the gateway does). */
  async #divisionOf(organisationId: string): Promise<string | undefined> {
    const reader: UserActor = { type: 'user', id: 'exports', username: 'exports', organisationId, roles: [], sessionId: '' };
    try {
      return (await this.#identity.getOrganisation(reader, organisationId)).divisionCode;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** The export as a share_calls row (route `export`), put into the ledger with the gateway's calls. */
  async #recordCall(trx: Trx, row: repo.ExportRow, call: { outcome: string; status: number; rows: number; now: Date; latencyMs?: number }): Promise<void> {
    await trx
      .insertInto('share_calls')
      .values({
        at: call.now,
        app_id: null,
        consumer_org_id: row.consumer_org_id,
        grant_id: row.grant_id,
        catalog_entry_id: row.catalog_entry_id,
        catalog_code: row.catalog_code,
        route: 'export',
        filter_digest: this.#resources.shareDigest({ filters: row.filters ?? {} }),
        rows_returned: call.rows,
        latency_ms: Math.max(0, Math.round(call.latencyMs ?? (row.started_at ? call.now.getTime() - row.started_at.getTime() : 0))),
        outcome: call.outcome,
        status: call.status,
      })
      .execute();
  }

  async #notify(trx: Executor, kind: keyof typeof EXPORT_NOTIFICATION_KINDS, row: repo.ExportRow, params: Record<string, unknown>): Promise<void> {
    await this.#notifications.notify(trx, {
      kind,
      params: { exportId: row.id, code: row.catalog_code, name: row.catalog_name, ...params },
      link: `/sharing/exports?id=${row.id}`,
      subject: { type: 'share_export', id: row.id },
      to: [{ userId: row.requested_by }],
    });
  }
}

// ---------------------------------------------------------------- helpers

function grantSubject(row: sharingRepo.GrantRow) {
  return { applicantOrgId: row.consumer_org_id, providerOrgId: row.provider_org_id, authorityOrgId: row.authority_org_id };
}

function exportSubject(row: repo.ExportRow) {
  return { applicantOrgId: row.consumer_org_id, providerOrgId: row.provider_org_id, authorityOrgId: row.authority_org_id };
}

/** The grant as it is now, if it allows an export: in force and with the `file` method (the gateway's codes otherwise). */
function usableGrant(row: sharingRepo.GrantRow, now: Date): Grant {
  const grant = toGrant(row, now);
  if (grant.status === 'revoked') throw G.grantRevoked(grant.catalog.code, grant.revokedAt);
  if (grant.status === 'expired') throw G.grantExpired(grant.catalog.code, grant.expiresAt);
  if (!grant.methods.includes('file')) throw G.methodNotGranted('file', grant.methods);
  return grant;
}

/**
 * SM3 of the grant terms that decide a file's content: the granted items, the masking and the row
 * filter, as canonical JSON (RFC 8785: equal terms give equal digests whatever their key order).
 */
export function termsDigest(grant: Pick<Grant, 'items' | 'masking' | 'rowFilter'>): string {
  return sm3Hex(canonicalJson({ items: [...grant.items].sort(), masking: grant.masking, rowFilter: grant.rowFilter }));
}

/**
 * The grant, if its terms are still those the export's file was made under; 409 EXPORT_STALE when
 * the provider has changed its items, masking or row filter since (or the export predates the record).
 */
function currentTerms(row: repo.ExportRow, grant: Grant): Grant {
  if (row.terms_sm3 === null || row.terms_sm3 !== termsDigest(grant)) throw E.stale(row.id);
  return grant;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** 人口基础信息_20261124_1a2b3c4d.xlsx: the entry's name, the China date, the export's first id characters. */
function fileName(row: repo.ExportRow, extension: ExportFormat | string, now: Date): string {
  const day = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');
  const name = row.catalog_name.replace(/[\x00-\x1f\x7f/\\:*?"<>|]/g, '_').slice(0, 100);
  return `${name}_${day}_${row.id.slice(0, 8)}.${extension}`;
}
