import net from 'node:net';
import { sql, type Generated, type Selectable } from 'kysely';
import type { Actor, UserActor } from '../../../core/auth/actor.js';
import { randomToken, sealSecret } from '../../../core/crypto/index.js';
import type { Db } from '../../../core/db/db.js';
import { ConflictError, forbidden, InputError, NotFoundError } from '../../../core/errors.js';
import { appendLedger } from '../../../core/ledger/ledger.js';
import type { IdentityService } from '../../identity/index.js';
import type { UpstreamHosts } from '../../resources/index.js';
import * as GE from '../gateway/gateway.errors.js';
import type { GatewayService } from '../gateway/gateway.service.js';
import { isParty, isUser, partiesOf } from '../sharing.policy.js';
import type { SharingService } from '../sharing.service.js';

/**
 * Webhook subscriptions (issue 5): a consumer organisation asks the node to push a grant's changes
 * to its system instead of polling the feed. The consumer's `consumer`s make, pause, resume and end
 * them; the grant's other parties (the provider's approvers, the responsible authority) see them —
 * where the provider's data goes — and nobody else learns they exist (404). Deliveries are made by
 * webhooks.ts.
 */

declare module '../../../core/db/database.js' {
  interface Database {
    feed_subscriptions: {
      id: Generated<string>;
      grant_id: string;
      consumer_org_id: string;
      provider_org_id: string;
      authority_org_id: string | null;
      catalog_code: string;
      url: string;
      secret: string;
      status: 'active' | 'paused' | 'deleted';
      paused_reason: string | null;
      cursor: number | string;
      failures: Generated<number>;
      next_attempt_at: Generated<Date>;
      leased_until: Date | null;
      lease_token: string | null;
      last_delivered_at: Date | null;
      last_error: { code: string; message: string; messageZh?: string } | null;
      created_by: string;
      created_by_name: Generated<string>;
      created_at: Generated<Date>;
      updated_at: Generated<Date>;
    };
    feed_deliveries: {
      id: Generated<number>;
      subscription_id: string;
      delivery_id: string;
      first_seq: number | string;
      last_seq: number | string;
      changes: number;
      attempt: number;
      status: number | null;
      outcome: string;
      latency_ms: number;
      at: Generated<Date>;
    };
  }
}

export type SubscriptionRow = Selectable<import('../../../core/db/database.js').Database['feed_subscriptions']>;

export interface Delivery {
  deliveryId: string;
  firstSeq: number;
  lastSeq: number;
  changes: number;
  attempt: number;
  status: number | null;
  outcome: string;
  latencyMs: number;
  at: string;
}

export interface Subscription {
  id: string;
  grantId: string;
  catalogCode: string;
  url: string;
  status: 'active' | 'paused';
  /** Why it is paused: `consumer` (paused by a consumer), `failures` (too many failed deliveries) or the grant's refusal code. */
  pausedReason: string | null;
  /** The last change sequence number delivered or passed over. */
  cursor: string;
  failures: number;
  nextAttemptAt: string | null;
  lastDeliveredAt: string | null;
  lastError: { code: string; message: string; messageZh?: string | undefined } | null;
  createdBy: { id: string; displayName: string };
  createdAt: string;
  /** The latest attempts, newest first (one subscription's detail). */
  deliveries?: Delivery[] | undefined;
}

/** Active and paused subscriptions a grant may have. */
export const MAX_SUBSCRIPTIONS_PER_GRANT = 5;
const MAX_URL_LENGTH = 2000;

const notFound = (id: string) => new NotFoundError('SUBSCRIPTION_NOT_FOUND', `Subscription ${id} does not exist`, `订阅 ${id} 不存在`, { id });
const urlInvalid = (why: string, whyZh: string) => new InputError('WEBHOOK_URL_INVALID', `The webhook URL is not usable: ${why}`, `回调地址不可用：${whyZh}`);
const hostNotAllowed = (host: string) =>
  new InputError('WEBHOOK_HOST_NOT_ALLOWED', `The node may not send to ${host} (its host policy)`, `按节点的访问地址策略，不能向 ${host} 推送`, { host });
const tooMany = () =>
  new ConflictError('SUBSCRIPTIONS_TOO_MANY', `A grant has at most ${MAX_SUBSCRIPTIONS_PER_GRANT} subscriptions; end one first`, `每项授权最多 ${MAX_SUBSCRIPTIONS_PER_GRANT} 个订阅，请先删除不用的订阅`);

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    grantId: row.grant_id,
    catalogCode: row.catalog_code,
    url: row.url,
    status: row.status === 'deleted' ? 'paused' : row.status,
    pausedReason: row.paused_reason,
    cursor: String(row.cursor),
    failures: row.failures,
    nextAttemptAt: row.status === 'active' ? iso(row.next_attempt_at) : null,
    lastDeliveredAt: iso(row.last_delivered_at),
    lastError: row.last_error,
    createdBy: { id: row.created_by, displayName: row.created_by_name },
    createdAt: row.created_at.toISOString(),
  };
}

/** A webhook address: http(s), no credentials or fragment, a host the node's policy allows. */
async function checkUrl(raw: string, hosts: UpstreamHosts): Promise<string> {
  if (raw.length > MAX_URL_LENGTH) throw urlInvalid(`longer than ${MAX_URL_LENGTH} characters`, `超过 ${MAX_URL_LENGTH} 个字符`);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw urlInvalid('it is not an absolute URL', '不是完整的网址');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw urlInvalid('only http and https are supported', '仅支持 http 和 https');
  if (url.username !== '' || url.password !== '') throw urlInvalid('it carries a user name or password', '网址中不能含有用户名或密码');
  if (url.hash !== '' || raw.includes('#')) throw urlInvalid('it has a fragment (#)', '网址中不能含有“#”');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  // An address is checked now; a name at every delivery too (it may resolve elsewhere later).
  if (net.isIP(host) !== 0 && !(await hosts.allows(host))) throw hostNotAllowed(url.hostname);
  return url.toString();
}

export interface SubscriptionServiceOptions {
  db: Db;
  identity: IdentityService;
  sharing: SharingService;
  gateway: GatewayService;
  nodeKey: Buffer;
  hosts: UpstreamHosts;
}

export class SubscriptionService {
  readonly #o: SubscriptionServiceOptions;

  constructor(options: SubscriptionServiceOptions) {
    this.#o = options;
  }

  get #k() {
    return this.#o.db.kysely;
  }

  /**
   * A new subscription under a grant of the caller's organisation (its consumers), delivering from
   * now (`from: latest`, the default) or from the oldest change kept. The secret is returned once.
   */
  async create(actor: Actor, grantId: string, input: { url: string; from?: 'latest' | 'beginning' | undefined }): Promise<{ subscription: Subscription; secret: string }> {
    const user = this.#consumer(actor);
    const grant = await this.#o.sharing.getGrant(user, grantId);
    if (grant.consumerId !== user.organisationId) throw forbidden();
    if (!grant.methods.includes('table')) throw GE.methodNotGranted('table', grant.methods);
    const url = await checkUrl(input.url, this.#o.hosts);
    // The grant must let the feed be read now (status, expiry, entry, key items), and says where "now" is.
    const start = await this.#o.gateway.changesFor(grant.consumerId, grant.catalog.code, input.from === 'beginning' ? 'oldest' : 'latest', 1);
    const cursor = Number(start.next);
    const me = await this.#o.identity.me(user);
    const secret = `whsec_${randomToken(32)}`;
    const row = await this.#k.transaction().execute(async (trx) => {
      // One at a time per grant, so that the limit holds.
      await sql`select pg_advisory_xact_lock(hashtext(${`feed_subscriptions:${grant.id}`}))`.execute(trx);
      const { n } = await trx.selectFrom('feed_subscriptions').select((eb) => eb.fn.countAll<string>().as('n')).where('grant_id', '=', grant.id).where('status', '<>', 'deleted').executeTakeFirstOrThrow();
      if (Number(n) >= MAX_SUBSCRIPTIONS_PER_GRANT) throw tooMany();
      const created = await trx
        .insertInto('feed_subscriptions')
        .values({
          grant_id: grant.id,
          consumer_org_id: grant.consumerId,
          provider_org_id: grant.providerId,
          authority_org_id: (await trx.selectFrom('share_grants').select('authority_org_id').where('id', '=', grant.id).executeTakeFirst())?.authority_org_id ?? null,
          catalog_code: grant.catalog.code,
          url,
          secret: sealSecret(this.#o.nodeKey, secret),
          status: 'active',
          cursor,
          created_by: user.id,
          created_by_name: me.displayName,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendLedger(trx, { actor: user, action: 'sharing.subscription.create', subject: { type: 'feed_subscription', id: created.id }, payload: { grantId: grant.id, catalogCode: grant.catalog.code, url, cursor } });
      return created;
    });
    return { subscription: toSubscription(row), secret };
  }

  /** A grant's subscriptions, for its parties (404 GRANT_NOT_FOUND for others, as the grant itself). */
  async list(actor: Actor, grantId: string): Promise<{ items: Subscription[] }> {
    const grant = await this.#o.sharing.getGrant(actor, grantId);
    const rows = await this.#k.selectFrom('feed_subscriptions').selectAll().where('grant_id', '=', grant.id).where('status', '<>', 'deleted').orderBy('created_at', 'desc').execute();
    return { items: rows.map(toSubscription) };
  }

  /** One subscription with its latest 50 delivery attempts. */
  async get(actor: Actor, id: string): Promise<Subscription> {
    const row = await this.#visible(actor, id);
    const deliveries = await this.#k.selectFrom('feed_deliveries').selectAll().where('subscription_id', '=', row.id).orderBy('id', 'desc').limit(50).execute();
    return {
      ...toSubscription(row),
      deliveries: deliveries.map((d) => ({
        deliveryId: d.delivery_id,
        firstSeq: Number(d.first_seq),
        lastSeq: Number(d.last_seq),
        changes: d.changes,
        attempt: d.attempt,
        status: d.status,
        outcome: d.outcome,
        latencyMs: d.latency_ms,
        at: d.at.toISOString(),
      })),
    };
  }

  async pause(actor: Actor, id: string): Promise<Subscription> {
    return this.#change(actor, id, 'pause', { status: 'paused', paused_reason: 'consumer' });
  }

  /**
   * Delivery starts again at once, its failures forgotten: where it stopped, or — `from`, after the
   * consumer has read the data afresh (its cursor fell out of the retention, FEED_CURSOR_EXPIRED) —
   * from now (`latest`) or from the oldest change kept (`beginning`).
   */
  async resume(actor: Actor, id: string, from?: 'latest' | 'beginning'): Promise<Subscription> {
    let cursor: number | undefined;
    if (from !== undefined) {
      const row = await this.#visible(actor, id);
      cursor = Number((await this.#o.gateway.changesFor(row.consumer_org_id, row.catalog_code, from === 'latest' ? 'latest' : 'oldest', 1)).next);
    }
    return this.#change(actor, id, 'resume', { status: 'active', paused_reason: null, failures: 0, next_attempt_at: new Date(), last_error: null, ...(cursor === undefined ? {} : { cursor }) });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.#change(actor, id, 'delete', { status: 'deleted', paused_reason: 'consumer', leased_until: null });
  }

  async #change(actor: Actor, id: string, verb: 'pause' | 'resume' | 'delete', patch: Partial<Omit<SubscriptionRow, 'id'>>): Promise<Subscription> {
    const user = this.#consumer(actor);
    const row = await this.#visible(user, id);
    if (row.consumer_org_id !== user.organisationId) throw forbidden();
    const updated = await this.#k.transaction().execute(async (trx) => {
      const next = await trx
        .updateTable('feed_subscriptions')
        .set({ ...patch, updated_at: new Date() })
        .where('id', '=', row.id)
        .where('status', '<>', 'deleted')
        .returningAll()
        .executeTakeFirst();
      if (!next) throw notFound(id);
      await appendLedger(trx, { actor: user, action: `sharing.subscription.${verb}`, subject: { type: 'feed_subscription', id: row.id }, payload: { grantId: row.grant_id, from: row.status, to: next.status } });
      return next;
    });
    return toSubscription(updated);
  }

  async #visible(actor: Actor, id: string): Promise<SubscriptionRow> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.#k.selectFrom('feed_subscriptions').selectAll().where('id', '=', id.toLowerCase()).where('status', '<>', 'deleted').executeTakeFirst() : undefined;
    if (!row || !isParty(partiesOf(actor, { applicantOrgId: row.consumer_org_id, providerOrgId: row.provider_org_id, authorityOrgId: row.authority_org_id }))) throw notFound(id);
    return row;
  }

  #consumer(actor: Actor): UserActor {
    if (!isUser(actor) || !actor.roles.includes('consumer')) throw forbidden();
    return actor;
  }
}
