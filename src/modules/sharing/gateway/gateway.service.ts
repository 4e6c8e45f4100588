import type { FastifyBaseLogger } from 'fastify';
import type { Actor, AppActor, UserActor } from '../../../core/auth/actor.js';
import { hasRole } from '../../../core/auth/actor.js';
import type { Db } from '../../../core/db/db.js';
import { forbidden } from '../../../core/errors.js';
import type { IdentityService } from '../../identity/index.js';
import type { InvokeResult, ResourceService } from '../../resources/index.js';
import type { ShareCondition, ShareSource, ShareTable } from '../../resources/resources.share.js';
import { isParty, partiesOf } from '../sharing.policy.js';
import type { SharingService } from '../sharing.service.js';
import type { Grant, ShareMethod } from '../sharing.types.js';
import { CallLog, type ShareRoute } from './call-log.js';
import * as E from './gateway.errors.js';
import { AddressLists, currentGrant, outputColumns, parseFilters, requireMethod, restrictAnswer } from './gateway.policy.js';
import { callStats, grantParties, type CallStats } from './gateway.stats.js';
import { maskRecord } from './masking.js';
import { RateLimiter } from './rate-limit.js';
import { resolveRowFilter, usesConsumerDivision } from './row-filter.js';
import { TtlCache } from './ttl-cache.js';
import { ChangeSignals } from '../feeds/change-signals.js';
import { FeedReader, parseAfter, type FeedPage } from '../feeds/feed-reader.js';

export interface GatewayServiceOptions {
  db: Db;
  identity: IdentityService;
  resources: ResourceService;
  sharing: SharingService;
  now?: (() => Date) | undefined;
  log?: FastifyBaseLogger | undefined;
}

/**
 * What one gateway call has established so far; the routes' hooks record it when the answer is sent,
 * whatever the outcome (a refusal records how far the call got: the entry, the grant).
 */
export interface CallContext {
  route: ShareRoute;
  catalogCode: string | null;
  catalogEntryId: string | null;
  grantId: string | null;
  filterDigest: string | null;
  rowsReturned: number;
  /** The error code the caller got (set by the routes from the error body). */
  outcome?: string;
}

export const newCallContext = (route: ShareRoute, catalogCode: string | null): CallContext => ({
  route,
  catalogCode,
  catalogEntryId: null,
  grantId: null,
  filterDigest: null,
  rowsReturned: 0,
});

/**
 * How long a grant, an entry's resources and a consumer's division are reused without asking the
 * database again. A change made in this process (revocation, new terms) clears the grants at once
 * (onGrantChanged); one made on another replica is seen within this time.
 */
export const CACHE_MS = 1000;
export const DEFAULT_QUERY_LIMIT = 100;
export const MAX_QUERY_LIMIT = 1000;

export interface QueryInput {
  filters?: unknown;
  fields?: string[] | undefined;
  after?: string | undefined;
  limit?: number | undefined;
}

export interface ChangesInput {
  after?: string | undefined;
  limit: number;
  /** Seconds to wait for a change when there is none. */
  wait: number;
  /** Aborts the wait (the caller closed the connection). */
  signal?: AbortSignal | undefined;
}

export interface InvokeInput {
  path?: string | undefined;
  query?: Record<string, string | number | boolean> | undefined;
  body?: unknown;
  /** Which api resource of the entry; the newest when absent. */
  resourceId?: string | undefined;
}

export interface OrganisationStats {
  organisationId: string;
  asConsumer: CallStats;
  asProvider: CallStats;
}

/**
 * The sharing gateway (共享网关, issue 5): consumers' systems read granted data with their
 * organisation's app credentials (signed per DESIGN §6; the auth hook has verified the signature).
 * Every call is checked against the consumer's grant — entry, grant status and expiry, method,
 * address, rate — and answered with the granted items only, masked as granted, in the rows the
 * grant's row filter admits. Every call, allowed or refused, goes to the call log (call-log.ts).
 */
export class GatewayService {
  readonly #db: Db;
  readonly #identity: IdentityService;
  readonly #resources: ResourceService;
  readonly #sharing: SharingService;
  readonly #now: () => Date;
  readonly #grants = new TtlCache<Grant[]>(CACHE_MS);
  readonly #sources = new TtlCache<ShareSource | undefined>(CACHE_MS);
  readonly #divisions = new TtlCache<string | undefined>(CACHE_MS);
  readonly #limiter = new RateLimiter();
  readonly #addresses = new AddressLists();
  readonly #calls: CallLog;
  /** Wakes change-feed readers when a table's changes are committed (long polls, webhooks). */
  readonly signals: ChangeSignals;
  readonly #feeds: FeedReader;

  constructor(options: GatewayServiceOptions) {
    this.#db = options.db;
    this.#identity = options.identity;
    this.#resources = options.resources;
    this.#sharing = options.sharing;
    this.#now = options.now ?? (() => new Date());
    this.#calls = new CallLog(options.db, options.log);
    // A revocation or a change of terms in this process applies to the very next call.
    this.#sharing.onGrantChanged(() => this.#grants.clear());
    this.signals = new ChangeSignals({ readSeqs: (ids) => this.#resources.changeSeqs(ids), onError: (err) => options.log?.error({ err }, 'change feed poll failed') });
    this.#resources.onChanged((resourceId, seq) => {
      // A first load makes an entry's table readable: no stale "not loaded" for the next second.
      this.#sources.clear();
      this.signals.notify(resourceId, seq);
    });
    this.#feeds = new FeedReader(this.#resources, this.signals);
  }

  /** One record by its key (`key` holds the key items' values in key order). */
  async records(actor: AppActor, ip: string, catalogCode: string, input: { key: string[]; fields?: string[] | undefined }, call: CallContext): Promise<{ items: Array<Record<string, unknown>> }> {
    const { grant, source } = await this.#authorise(actor, ip, catalogCode, 'api', call);
    const table = this.#table(source, catalogCode);
    const columns = outputColumns(grant, table, input.fields);
    const rowFilter = await this.#rowFilter(grant, table, actor.organisationId);
    call.filterDigest = this.#resources.shareDigest({ key: input.key });
    const { rows } = await this.#resources.shareRecords(table, { key: input.key, columns, rowFilter, limit: 1 });
    call.rowsReturned = rows.length;
    return { items: rows.map((r) => maskRecord(r, columns, grant.masking)) };
  }

  /** Records matching filters on granted, unmasked items, in key order, a page at a time. */
  async query(actor: AppActor, ip: string, catalogCode: string, input: QueryInput, call: CallContext): Promise<{ items: Array<Record<string, unknown>>; next?: string }> {
    const { grant, source } = await this.#authorise(actor, ip, catalogCode, 'api', call);
    const table = this.#table(source, catalogCode);
    const columns = outputColumns(grant, table, input.fields);
    const conditions = parseFilters(input.filters, grant);
    const rowFilter = await this.#rowFilter(grant, table, actor.organisationId);
    call.filterDigest = this.#resources.shareDigest({ filters: input.filters ?? {} });
    const limit = Math.min(MAX_QUERY_LIMIT, Math.max(1, input.limit ?? DEFAULT_QUERY_LIMIT));
    const { rows, next } = await this.#resources.shareRecords(table, { conditions, columns, rowFilter, after: input.after, limit });
    call.rowsReturned = rows.length;
    const items = rows.map((r) => maskRecord(r, columns, grant.masking));
    return next === undefined ? { items } : { items, next };
  }

  /**
   * A table's changes after `after` (库表/实时交换), restricted and masked as the records are; with
   * `wait`, the call waits up to that many seconds for the next change when there is none.
   */
  async changes(actor: AppActor, ip: string, catalogCode: string, input: ChangesInput, call: CallContext): Promise<FeedPage> {
    const after = parseAfter(input.after);
    const { grant, source } = await this.#authorise(actor, ip, catalogCode, 'table', call);
    const table = this.#feedTable(source, catalogCode);
    const columns = outputColumns(grant, table, undefined);
    const rowFilter = await this.#rowFilter(grant, table, actor.organisationId);
    call.filterDigest = this.#resources.shareDigest({ after: input.after ?? null });
    const page = await this.#feeds.read({ grant, table, columns, rowFilter, after, limit: input.limit, waitMs: input.wait * 1000, signal: input.signal, rowIdOf: this.#rowIds(actor.organisationId, table) });
    call.rowsReturned = page.items.length;
    return page;
  }

  /**
   * The same page for a consumer organisation without an app call: the webhook dispatcher delivering
   * to a subscription. The grant is checked as for a call (entry, grant, method `table`), not the
   * address list or rate, which govern calls into the node.
   */
  async changesFor(consumerOrgId: string, catalogCode: string, after: number | 'latest' | 'oldest' | 'start', limit: number): Promise<FeedPage & { grant: Grant }> {
    const [source, grants] = await Promise.all([
      this.#sources.get(catalogCode, () => this.#resources.shareSource(catalogCode)),
      this.#grants.get(`${consumerOrgId}\n${catalogCode}`, () => this.#sharing.grantsFor(consumerOrgId, catalogCode)),
    ]);
    if (grants.length === 0 && source === undefined) throw E.entryNotFound(catalogCode);
    const grant = currentGrant(grants, catalogCode, this.#now());
    requireMethod(grant, 'table');
    const table = this.#feedTable(source, catalogCode);
    const columns = outputColumns(grant, table, undefined);
    const rowFilter = await this.#rowFilter(grant, table, consumerOrgId);
    const page = await this.#feeds.read({ grant, table, columns, rowFilter, after, limit, waitMs: 0, rowIdOf: this.#rowIds(consumerOrgId, table) });
    return { ...page, grant };
  }

  /** Records a webhook delivery in the call log, as a call: data leaving the node under a grant. */
  recordDelivery(delivery: { consumerOrgId: string; grant: Grant | null; catalogCode: string; rows: number; latencyMs: number; outcome: string; status: number }): void {
    this.#calls.record({
      at: new Date(this.#now().getTime() - delivery.latencyMs),
      appId: null,
      consumerOrgId: delivery.consumerOrgId,
      grantId: delivery.grant?.id ?? null,
      catalogEntryId: delivery.grant?.catalog.id ?? null,
      catalogCode: delivery.catalogCode,
      route: 'webhook',
      filterDigest: null,
      rowsReturned: delivery.rows,
      latencyMs: Math.max(0, Math.round(delivery.latencyMs)),
      outcome: delivery.outcome,
      status: delivery.status,
    });
  }

  /** An api resource of the entry called through the same checks, its answer restricted to the grant. */
  async invoke(actor: AppActor, ip: string, catalogCode: string, input: InvokeInput, call: CallContext): Promise<InvokeResult> {
    const { grant, source } = await this.#authorise(actor, ip, catalogCode, 'api', call);
    const apis = source?.apiResourceIds ?? [];
    const resourceId = input.resourceId ?? apis[0];
    if (resourceId === undefined || !apis.includes(resourceId)) throw E.resourceNotAvailable(catalogCode, 'api');
    const request = { path: input.path, query: input.query, body: input.body };
    call.filterDigest = this.#resources.shareDigest(request);
    const answer = await this.#resources.shareInvoke(resourceId, request);
    const body = restrictAnswer(answer.body, grant);
    call.rowsReturned = Array.isArray(body) ? body.length : typeof body === 'object' && body !== null ? 1 : 0;
    return { ...answer, body };
  }

  /**
   * The checks every call passes, in the documented order; returns the governing grant and what the
   * entry offers. An unknown code is 404; a known one without a grant for the caller's organisation 403.
   */
  async #authorise(actor: AppActor, ip: string, catalogCode: string, method: ShareMethod, call: CallContext): Promise<{ grant: Grant; source: ShareSource | undefined }> {
    const org = actor.organisationId;
    const [source, grants] = await Promise.all([
      this.#sources.get(catalogCode, () => this.#resources.shareSource(catalogCode)),
      this.#grants.get(`${org}\n${catalogCode}`, () => this.#sharing.grantsFor(org, catalogCode)),
    ]);
    if (grants.length === 0 && source === undefined) throw E.entryNotFound(catalogCode);
    call.catalogEntryId = grants[0]?.catalog.id ?? source!.catalogEntryId;
    call.grantId = grants[0]?.id ?? null;
    const grant = currentGrant(grants, catalogCode, this.#now());
    call.grantId = grant.id;
    requireMethod(grant, method);
    this.#addresses.require(grant, ip);
    const wait = this.#limiter.take(grant.id, grant.rateLimitPerMinute);
    if (wait > 0) throw E.rateLimited(grant.rateLimitPerMinute, wait);
    return { grant, source };
  }

  /** The entry's table, once data has been loaded into it. */
  #table(source: ShareSource | undefined, catalogCode: string): ShareTable {
    if (!source?.table?.loaded) throw E.resourceNotAvailable(catalogCode, 'table');
    return source.table;
  }

  /** A consumer organisation's rowIds for a table's rows (FeedChange.rowId): keyed with the node key, 128 bits. */
  #rowIds(consumerOrgId: string, table: ShareTable): (keyValues: readonly unknown[]) => string {
    const prefix = `${consumerOrgId}\n${table.resourceId}\n`;
    return (keyValues) => this.#resources.shareDigest(prefix + JSON.stringify(keyValues)).slice(0, 32);
  }

  /** The entry's table for a feed: before its first load too, so that a consumer can wait for it. */
  #feedTable(source: ShareSource | undefined, catalogCode: string): ShareTable {
    if (!source?.table) throw E.resourceNotAvailable(catalogCode, 'table');
    return source.table;
  }

  async #rowFilter(grant: Grant, table: ShareTable, consumerOrgId: string): Promise<ShareCondition | null> {
    if (grant.rowFilter === null) return null;
    const division = usesConsumerDivision(grant.rowFilter) ? await this.#divisions.get(consumerOrgId, () => this.#divisionOf(consumerOrgId)) : undefined;
    const filter = resolveRowFilter(grant.rowFilter, division);
    if (filter === null) return null;
    const spec = table.columns.find((c) => c.column === filter.column);
    if (!spec) throw E.grantTermsInvalid(`no column ${filter.column}`, `没有字段 ${filter.column}`);
    if (filter.op === 'prefix' && spec.dataType !== 'string') throw E.grantTermsInvalid(`prefix on ${spec.dataType} column ${filter.column}`, `字段 ${filter.column} 不是字符型，不能前缀匹配`);
    return filter;
  }

  /** The consumer organisation's division code, for `$consumerDivision`. */
  async #divisionOf(organisationId: string): Promise<string | undefined> {
    return (await this.#identity.organisationById(organisationId))?.divisionCode;
  }

  /** Records one call (from the routes' onResponse hook). Never throws and never waits. */
  recordCall(call: CallContext, done: { actor: Actor; status: number; outcome: string; latencyMs: number }): void {
    const app = done.actor.type === 'app' ? done.actor : undefined;
    this.#calls.record({
      at: new Date(this.#now().getTime() - done.latencyMs),
      appId: app?.id ?? null,
      consumerOrgId: app?.organisationId ?? null,
      grantId: call.grantId,
      catalogEntryId: call.catalogEntryId,
      catalogCode: call.catalogCode,
      route: call.route,
      filterDigest: call.filterDigest,
      rowsReturned: call.rowsReturned,
      latencyMs: Math.max(0, Math.round(done.latencyMs)),
      outcome: done.outcome,
      status: done.status,
    });
  }

  // ---------------------------------------------------------------- statistics (signed-in users)

  /**
   * A grant's calls per day, for its parties as the sharing module defines them (partiesOf: the
   * consumer organisation's consumers, the provider's approvers, the responsible authority's
   * reviewers); 404 for everyone else, who must not learn that the grant exists.
   */
  async grantStats(actor: UserActor, grantId: string, days: number): Promise<CallStats> {
    const parties = await grantParties(this.#db.kysely, grantId);
    if (!parties || !isParty(partiesOf(actor, { applicantOrgId: parties.consumerOrgId, providerOrgId: parties.providerOrgId, authorityOrgId: parties.authorityOrgId }))) {
      throw E.grantNotFound(grantId);
    }
    return callStats(this.#db.kysely, { grantId }, days, this.#now());
  }

  /**
   * An organisation's calls as consumer and, under the grants it gave, as provider: the caller's own
   * organisation, or one the caller's authority is responsible for (data_authority reviewers).
   */
  async organisationStats(actor: UserActor, days: number, organisationId?: string): Promise<OrganisationStats> {
    const org = organisationId ?? actor.organisationId;
    if (org !== actor.organisationId) {
      if (!hasRole(actor, 'data_authority')) throw forbidden();
      if ((await this.#identity.responsibleAuthority(org))?.id !== actor.organisationId) throw forbidden();
    }
    const now = this.#now();
    const [asConsumer, asProvider] = await Promise.all([
      callStats(this.#db.kysely, { consumerOrgId: org }, days, now),
      callStats(this.#db.kysely, { providerOrgId: org }, days, now),
    ]);
    return { organisationId: org, asConsumer, asProvider };
  }

  // ---------------------------------------------------------------- lifecycle

  /** Writes buffered call records and puts recorded calls into the ledger in batches (housekeeping and close). */
  async flushCalls(): Promise<number> {
    return this.#calls.flush();
  }

  /** Writes every call still waiting: nothing recorded in memory is lost on a clean stop. */
  async close(): Promise<void> {
    this.signals.close();
    await this.#calls.close();
  }
}
