import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import { systemActor } from '../../../core/auth/actor.js';
import { hmacSm3Hex, openSecret } from '../../../core/crypto/index.js';
import type { Db } from '../../../core/db/db.js';
import { AppError } from '../../../core/errors.js';
import { retryDelayMs, type BackoffPolicy } from '../../../core/jobs/index.js';
import { appendLedger } from '../../../core/ledger/ledger.js';
import type { UpstreamHosts } from '../../resources/index.js';
import { callUpstream } from '../../resources/resources.api.js';
import type { GatewayService } from '../gateway/gateway.service.js';
import type { Grant } from '../sharing.types.js';
import type { SubscriptionRow } from './subscriptions.js';

/**
 * Delivers change feeds to webhook subscriptions. Every replica runs a dispatcher; a subscription is
 * leased by one at a time (FOR UPDATE SKIP LOCKED, fenced by a token), so each page of changes is sent
 * by one replica, in order. A page goes out as
 *
 *   POST <url>   { subscriptionId, catalogCode, items: [change], next }
 *   X-Tianshu-Delivery: <subscription id>:<cursor>   (the same for every attempt from that cursor)
 *   X-Tianshu-Timestamp: <unix seconds>
 *   X-Tianshu-Signature: hex HMAC-SM3(secret, `${timestamp}\n${delivery id}\n${body}`)
 *
 * and the subscription's cursor moves on only when the consumer answers 2xx; otherwise the same
 * changes are sent again after a backoff (doubling, capped), and after MAX_FAILURES failures in a row
 * the subscription is paused until a consumer resumes it. Changes the grant's row filter refuses move
 * the cursor without a delivery. A grant that no longer allows the feed (revoked, expired, method
 * withdrawn) pauses the subscription with the refusal's code.
 */

export const MAX_FAILURES = 12;
export const WEBHOOK_BACKOFF: BackoffPolicy = { baseSeconds: 5, maxSeconds: 3600 };
/** Changes per delivery. */
export const DELIVERY_LIMIT = 500;
const LEASE_SECONDS = 60;
/** A subscription's turn ends after this long (half the lease), so that the lease cannot run out mid-turn. */
const TURN_MS = 30_000;
const DELIVERY_TIMEOUT_MS = 10_000;
/** An idle subscription is looked at again after this long (changes committed on another replica). */
const IDLE_RECHECK_MS = 1000;
/** Subscriptions one dispatcher takes at once. */
const CLAIM = 16;
/** Pages one subscription may send in a row before others get their turn. */
const PAGES_PER_TURN = 20;

/** The signature a consumer checks: hex HMAC-SM3 of the timestamp, the delivery id and the body. */
export function webhookSignature(secret: string, timestamp: string, deliveryId: string, body: string): string {
  return hmacSm3Hex(secret, `${timestamp}\n${deliveryId}\n${body}`);
}

export interface WebhookDispatcherOptions {
  db: Db;
  gateway: GatewayService;
  nodeKey: Buffer;
  hosts: UpstreamHosts;
  log?: FastifyBaseLogger | undefined;
  tickMs?: number | undefined;
}

type Outcome = { kind: 'idle' } | { kind: 'delivered'; pages: number } | { kind: 'failed' } | { kind: 'paused' } | { kind: 'lost' };

export class WebhookDispatcher {
  readonly #o: WebhookDispatcherOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #again = false;
  #unlisten: (() => void) | undefined;
  #stopped = false;

  constructor(options: WebhookDispatcherOptions) {
    this.#o = options;
  }

  get #k() {
    return this.#o.db.kysely;
  }

  /** Runs in the background: every tick, and at once when a load commits in this process. */
  start(): void {
    this.#stopped = false;
    this.#timer = setInterval(() => this.kick(), this.#o.tickMs ?? 500);
    this.#timer.unref();
    this.#unlisten = this.#o.gateway.signals.listen((resourceId) => {
      // The entry's idle subscriptions are due again now.
      void sql`
        update feed_subscriptions set next_attempt_at = now()
        where status = 'active' and failures = 0 and next_attempt_at > now()
          and catalog_code = (select catalog_code from resources where id = ${resourceId})`
        .execute(this.#k)
        .then(() => this.kick(), (err: unknown) => this.#o.log?.warn({ err }, 'webhook wake-up failed'));
    });
  }

  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.dispatchOnce()
      .catch((err: unknown) => this.#o.log?.warn({ err }, 'webhook dispatch failed'))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#unlisten?.();
    await this.#running;
  }

  /** Takes the due subscriptions and delivers what each has waiting; returns the pages delivered. */
  async dispatchOnce(): Promise<number> {
    // A token per claim: updates fenced by it fail once another claim (after this lease ran out) took over.
    const token = randomUUID();
    const { rows } = await sql<SubscriptionRow>`
      update feed_subscriptions set leased_until = now() + make_interval(secs => ${LEASE_SECONDS}), lease_token = ${token}
      where id in (
        select id from feed_subscriptions
        where status = 'active' and next_attempt_at <= now() and (leased_until is null or leased_until < now())
        order by next_attempt_at limit ${CLAIM} for update skip locked)
      returning *`.execute(this.#k);
    const outcomes = await Promise.all(rows.map((row) => this.#serve(row, token)));
    return outcomes.reduce((n, o) => n + (o.kind === 'delivered' ? o.pages : 0), 0);
  }

  async #serve(row: SubscriptionRow, token: string): Promise<Outcome> {
    let cursor = Number(row.cursor);
    let pages = 0;
    const began = performance.now();
    try {
      // A turn ends well inside the lease, which each delivered page renews.
      for (let turn = 0; turn < PAGES_PER_TURN && performance.now() - began < TURN_MS; turn++) {
        let page: Awaited<ReturnType<GatewayService['changesFor']>>;
        try {
          page = await this.#o.gateway.changesFor(row.consumer_org_id, row.catalog_code, cursor, DELIVERY_LIMIT);
        } catch (err) {
          if (err instanceof AppError && err.status < 500) return await this.#pause(row, token, err);
          throw err;
        }
        const next = Number(page.next);
        if (page.items.length === 0) {
          // Nothing to send (or only changes the row filter refuses): look again shortly.
          await this.#release(row, token, { cursor: next, next_attempt_at: new Date(Date.now() + IDLE_RECHECK_MS) });
          return pages > 0 ? { kind: 'delivered', pages } : { kind: 'idle' };
        }
        const sent = await this.#deliver(row, token, cursor, page.grant, page.items, page.next, row.failures + 1);
        if (!sent) return { kind: 'failed' };
        // Sent, but counted only if the lease still holds: else another claim has the subscription
        // and sends from the cursor as it was (the receiver dedupes by change id).
        if (!(await this.#advance(row, token, next))) return pages > 0 ? { kind: 'delivered', pages } : { kind: 'lost' };
        pages++;
        cursor = next;
        row = { ...row, failures: 0 };
      }
      await this.#release(row, token, { cursor, next_attempt_at: new Date() });
      return { kind: 'delivered', pages };
    } catch (err) {
      this.#o.log?.warn({ err, subscription: row.id }, 'webhook delivery failed');
      await this.#release(row, token, { cursor, next_attempt_at: new Date(Date.now() + retryDelayMs(1, WEBHOOK_BACKOFF)) }).catch(() => undefined);
      return { kind: 'failed' };
    }
  }

  /** Sends one page; records the attempt; on failure schedules the retry (or pauses). */
  async #deliver(row: SubscriptionRow, token: string, cursor: number, grant: Grant, items: ReadonlyArray<{ seq: number }>, next: string, attempt: number): Promise<boolean> {
    const first = items[0]!.seq;
    const last = items[items.length - 1]!.seq;
    // Named by where it starts: a retry of the changes after this cursor keeps the id, though it may
    // carry more changes (and rows as they are by then) than the first attempt did.
    const deliveryId = `${row.id}:${cursor}`;
    const body = JSON.stringify({ subscriptionId: row.id, catalogCode: row.catalog_code, items, next });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const secret = openSecret(this.#o.nodeKey, row.secret);
    const started = performance.now();
    let status: number | null = null;
    let outcome: string;
    let error: { code: string; message: string; messageZh?: string } | null = null;
    try {
      const answer = await callUpstream(
        {
          url: new URL(row.url),
          method: 'POST',
          headers: {
            'x-tianshu-delivery': deliveryId,
            'x-tianshu-subscription': row.id,
            'x-tianshu-timestamp': timestamp,
            'x-tianshu-signature': webhookSignature(secret, timestamp, deliveryId, body),
          },
          body: Buffer.from(body),
          timeoutMs: DELIVERY_TIMEOUT_MS,
        },
        { hosts: this.#o.hosts, maxBytes: 64 * 1024 },
      );
      status = answer.status;
      outcome = status >= 200 && status < 300 ? 'delivered' : `HTTP_${status}`;
      if (outcome !== 'delivered') error = { code: outcome, message: `The consumer answered ${status}`, messageZh: `接收方返回 ${status}` };
    } catch (err) {
      const e = err instanceof AppError ? err : undefined;
      outcome = e?.code ?? 'DELIVERY_FAILED';
      error = { code: outcome, message: e?.message ?? 'The delivery failed', ...(e ? { messageZh: e.messageZh } : {}) };
    }
    const latencyMs = Math.round(performance.now() - started);
    const delivered = outcome === 'delivered';
    this.#o.gateway.recordDelivery({ consumerOrgId: row.consumer_org_id, grant, catalogCode: row.catalog_code, rows: delivered ? items.length : 0, latencyMs, outcome: delivered ? 'ok' : outcome, status: status ?? 502 });
    await this.#k.transaction().execute(async (trx) => {
      await trx.insertInto('feed_deliveries').values({ subscription_id: row.id, delivery_id: deliveryId, first_seq: first, last_seq: last, changes: items.length, attempt, status, outcome, latency_ms: latencyMs }).execute();
      if (delivered) return;
      const failures = row.failures + 1;
      const pause = failures >= MAX_FAILURES;
      const updated = await trx
        .updateTable('feed_subscriptions')
        .set({
          failures,
          last_error: error,
          next_attempt_at: new Date(Date.now() + retryDelayMs(failures, WEBHOOK_BACKOFF)),
          leased_until: null,
          lease_token: null,
          updated_at: new Date(),
          ...(pause ? { status: 'paused' as const, paused_reason: 'failures' } : {}),
        })
        .where('id', '=', row.id)
        .where('lease_token', '=', token)
        .where('status', '=', 'active')
        .executeTakeFirst();
      if (pause && Number(updated.numUpdatedRows) > 0) {
        await appendLedger(trx, { actor: systemActor('webhook delivery'), action: 'sharing.subscription.pause', subject: { type: 'feed_subscription', id: row.id }, payload: { reason: 'failures', failures, lastError: error } });
      }
    });
    return delivered;
  }

  /**
   * The cursor moves on after a delivery, and the lease is renewed; false when the lease was lost —
   * run out, or taken by another claim — or the consumer paused the subscription meanwhile.
   */
  async #advance(row: SubscriptionRow, token: string, cursor: number): Promise<boolean> {
    const { rows } = await sql`
      update feed_subscriptions
      set cursor = ${cursor}, failures = 0, last_error = null, last_delivered_at = now(), updated_at = now(),
          leased_until = now() + make_interval(secs => ${LEASE_SECONDS})
      where id = ${row.id} and lease_token = ${token} and leased_until > now() and status = 'active'
      returning id`.execute(this.#k);
    return rows.length > 0;
  }

  async #release(row: SubscriptionRow, token: string, set: { cursor: number; next_attempt_at: Date }): Promise<void> {
    await this.#k
      .updateTable('feed_subscriptions')
      .set({ ...set, leased_until: null, lease_token: null })
      .where('id', '=', row.id)
      .where('lease_token', '=', token)
      .execute();
  }

  /** The grant no longer allows the feed: paused with the refusal, ledgered. */
  async #pause(row: SubscriptionRow, token: string, err: AppError): Promise<Outcome> {
    await this.#k.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('feed_subscriptions')
        .set({ status: 'paused', paused_reason: err.code, last_error: { code: err.code, message: err.message, messageZh: err.messageZh }, leased_until: null, lease_token: null, updated_at: new Date() })
        .where('id', '=', row.id)
        .where('lease_token', '=', token)
        .where('status', '=', 'active')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) > 0) {
        await appendLedger(trx, { actor: systemActor('webhook delivery'), action: 'sharing.subscription.pause', subject: { type: 'feed_subscription', id: row.id }, payload: { reason: err.code } });
      }
    });
    return { kind: 'paused' };
  }

  /** Delivery attempts older than the retention (housekeeping). */
  async purgeDeliveries(days = 30): Promise<number> {
    const result = await sql`delete from feed_deliveries where at < now() - make_interval(days => ${days})`.execute(this.#k);
    return Number(result.numAffectedRows ?? 0);
  }
}
