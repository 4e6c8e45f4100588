import { systemActor } from '../../core/auth/actor.js';
import { openSecret } from '../../core/crypto/index.js';
import type { Db } from '../../core/db/db.js';
import type { Trx } from '../../core/db/database.js';
import { AppError } from '../../core/errors.js';
import type { JobHandler } from '../../core/jobs/index.js';
import { appendLedger } from '../../core/ledger/ledger.js';
import type { ResourceService } from '../resources/index.js';
import * as E from './connectors.errors.js';
import type { HostPolicy } from './connectors.hosts.js';
import type { CommonConfig, ConnectorKinds } from './connectors.kinds.js';
import * as repo from './connectors.repository.js';
import { ndjsonBody, RowMapper } from './connectors.rows.js';

export const CONNECTOR_RUN_JOB = 'connector.run';

/** One unfinished run per connector: the job queue's dedupe key. */
export const dedupeKey = (connectorId: string): string => `connector:${connectorId}`;

export interface RunHandlerOptions {
  db: Db;
  nodeKey: Buffer;
  resources: Pick<ResourceService, 'load'>;
  hosts: HostPolicy;
  kinds: ConnectorKinds;
  now: () => Date;
}

/**
 * Whether trying again may help: a source that was down or slow, yes; a refusal (wrong password,
 * missing table, rows the loader refused, a blocked host), no; anything unforeseen, yes.
 */
export function retryable(err: unknown): boolean {
  if (err instanceof E.SourceError) return err.retryable;
  if (err instanceof AppError) return err.status >= 500;
  return true;
}

/**
 * The job that runs a connector: pull → NDJSON → the resource's loader, as the node itself
 * (`connector <id>`), then, in one transaction, the run's outcome, the new watermark, the ledger
 * entry and the job's completion. A run found finished (a repeated delivery) is left alone.
 */
export function createRunHandler(options: RunHandlerOptions): JobHandler<{ connectorId: string }> {
  const { db, now } = options;

  async function finishFailed(trx: Trx, run: repo.RunRow, connector: Pick<repo.ConnectorRow, 'id' | 'resource_id' | 'name'>, error: repo.RunError, attempt: number): Promise<void> {
    await repo.updateRun(trx, run.id, { status: 'failed', finished_at: now(), next_retry_at: null, error, attempt });
    await appendLedger(trx, {
      actor: systemActor(`connector ${connector.id}`),
      action: 'connector.run',
      subject: { type: 'connector', id: connector.id },
      payload: { runId: run.id, resourceId: connector.resource_id, name: connector.name, trigger: run.trigger, outcome: 'failed', attempts: attempt, error: error.code },
    });
  }

  return {
    kind: CONNECTOR_RUN_JOB,
    leaseSeconds: 300,
    backoff: { baseSeconds: 60, maxSeconds: 3600 },
    retryable,

    async run(job, context) {
      const start = await db.kysely.transaction().execute(async (trx) => {
        const run = await repo.lockRunOfJob(trx, job.id);
        const connector = run ? await repo.lockConnector(trx, run.connector_id) : undefined;
        if (!run || !connector || run.status === 'succeeded' || run.status === 'failed') {
          await context.complete(trx);
          return undefined;
        }
        if (!connector.enabled) {
          const error = E.disabled();
          await finishFailed(trx, run, connector, { code: error.code, message: error.message, messageZh: error.messageZh }, job.attempt);
          await context.complete(trx);
          return undefined;
        }
        const started = await repo.updateRun(trx, run.id, {
          status: 'running',
          attempt: job.attempt,
          started_at: run.started_at ?? now(),
          next_retry_at: null,
          watermark_from: connector.watermark,
        });
        return { run: started, connector };
      });
      if (!start) return;
      const { run, connector } = start;

      const kind = options.kinds.get(connector.kind);
      const secret = connector.secret_sealed === null ? undefined : openSecret(options.nodeKey, connector.secret_sealed);
      const pull = kind.pull(connector.config, secret, connector.watermark, { hosts: options.hosts, signal: context.signal });
      const mapper = new RowMapper((connector.config as CommonConfig).columns, connector.resource_columns);
      const loaded = await options.resources.load(systemActor(`connector ${connector.id}`), connector.resource_id, {
        mode: connector.mode,
        mediaType: 'application/x-ndjson',
        charset: undefined,
        body: ndjsonBody(pull.batches, mapper, { refuseEmpty: connector.mode === 'replace' }),
        maxErrors: connector.max_errors,
        dryRun: false,
        source: `connector:${connector.name}`,
      });

      await db.kysely.transaction().execute(async (trx) => {
        const current = await repo.lockConnector(trx, connector.id);
        const watermark = pull.watermark();
        // A row the loader refused lies somewhere before the new watermark: moving past it would lose
        // it for good. Held, the next run reads from the old one again (accepted rows upsert unchanged).
        const held = loaded.rejected > 0 && watermark !== null && watermark !== connector.watermark ? E.watermarkHeld(loaded.rejected) : null;
        // Saved only after the load committed, and only if nobody changed the settings meanwhile.
        const keep = held === null && current !== undefined && current.config_version === connector.config_version && watermark !== null && watermark !== connector.watermark;
        if (keep) await repo.updateConnector(trx, connector.id, { watermark });
        await repo.updateRun(trx, run.id, {
          status: 'succeeded',
          finished_at: now(),
          rows_read: loaded.rowsRead,
          load_id: loaded.loadId,
          inserted: loaded.inserted,
          updated: loaded.updated,
          rejected: loaded.rejected,
          watermark_to: held === null ? watermark : connector.watermark,
          watermark_held: held,
          error: null,
        });
        await appendLedger(trx, {
          actor: systemActor(`connector ${connector.id}`),
          action: 'connector.run',
          subject: { type: 'connector', id: connector.id },
          payload: {
            runId: run.id,
            resourceId: connector.resource_id,
            name: connector.name,
            trigger: run.trigger,
            outcome: 'succeeded',
            attempts: job.attempt,
            loadId: loaded.loadId,
            rowsRead: loaded.rowsRead,
            inserted: loaded.inserted,
            updated: loaded.updated,
            rejected: loaded.rejected,
            watermarkFrom: connector.watermark,
            watermarkTo: keep ? watermark : connector.watermark,
            ...(held === null ? {} : { watermarkHeld: held.code }),
          },
        });
        await context.complete(trx);
      });
    },

    async onFailure(trx, job, failure) {
      const run = await repo.lockRunOfJob(trx, job.id);
      if (!run || run.status === 'succeeded' || run.status === 'failed') return;
      if (failure.retryAt === null) {
        const connector = await repo.findConnector(trx, run.connector_id);
        if (connector) await finishFailed(trx, run, connector, failure.error, failure.attempt);
        return;
      }
      await repo.updateRun(trx, run.id, { status: 'retrying', attempt: failure.attempt, next_retry_at: failure.retryAt, error: failure.error });
    },
  };
}
