import type { Actor, UserActor } from '../../core/auth/actor.js';
import { todayInShanghai } from '../../core/calendar/index.js';
import type { Db } from '../../core/db/db.js';
import type { Executor, Trx } from '../../core/db/database.js';
import { forbidden } from '../../core/errors.js';
import type { Paging } from '../../core/http/schemas.js';
import { appendLedger } from '../../core/ledger/ledger.js';
import type { IdentityService } from '../identity/index.js';
import type { NotificationInput, Notifier } from '../notifications/index.js';
import { checkText } from './sharing.apply.js';
import { sharingErrors as E } from './sharing.errors.js';
import type { SharingNotificationKind } from './sharing.notifications.js';
import { isParty, isUser, partiesOf } from './sharing.policy.js';
import * as repo from './sharing.repository.js';
import { applyTerms, checkTerms, grantTerms, termsForLedger, type ResolvedTerms } from './sharing.terms.js';
import type { Grant, GrantTerms } from './sharing.types.js';
import { toGrant } from './sharing.views.js';

export interface GrantListQuery {
  as?: 'consumer' | 'provider' | undefined;
  status?: 'active' | 'expired' | 'revoked' | undefined;
  catalogCode?: string | undefined;
}

/**
 * Grants (授权): made from an approved application (inside the application's transaction), read by
 * their parties, their terms changed by the provider, revoked at once by the provider, the
 * responsible authority or the consumer. Listeners (the gateway) hear of every change after it
 * commits, in this process; other replicas see it on their next read.
 */
export class SharingGrants {
  readonly #db: Db;
  readonly #identity: Pick<IdentityService, 'getOrganisation'>;
  readonly #notifications: Notifier;
  readonly #now: () => Date;
  readonly #listeners: Array<(grant: Grant) => void> = [];

  constructor(options: { db: Db; identity: Pick<IdentityService, 'getOrganisation'>; notifications: Notifier; now: () => Date }) {
    this.#db = options.db;
    this.#identity = options.identity;
    this.#notifications = options.notifications;
    this.#now = options.now;
  }

  get #k(): Executor {
    return this.#db.kysely;
  }

  // ---------------------------------------------------------------- for the gateway

  async grantsFor(consumerOrgId: string, catalogCode: string): Promise<Grant[]> {
    const now = this.#now();
    return (await repo.grantsFor(this.#k, consumerOrgId, catalogCode)).map((r) => toGrant(r, now));
  }

  onChanged(listener: (grant: Grant) => void): void {
    this.#listeners.push(listener);
  }

  /** Tells the listeners; called by whoever committed the change, after the commit. */
  changed(rows: readonly repo.GrantRow[]): void {
    const now = this.#now();
    for (const row of rows) {
      const grant = toGrant(row, now);
      for (const listener of this.#listeners) {
        // A listener's failure is its own: the change has committed, and the others must still hear of it.
        try {
          listener(grant);
        } catch {
          /* ignored on purpose */
        }
      }
    }
  }

  // ---------------------------------------------------------------- making

  /**
   * A new grant for an application, with the defaults (masking by PII kind, the default rate limit,
   * any address, until the end of validUntil) and the approver's terms on top; in the caller's
   * transaction, with its ledger entry.
   */
  async create(trx: Trx, actor: Actor, app: repo.ApplicationRow, terms: GrantTerms | null, now: Date): Promise<repo.GrantRow> {
    const resolved = grantTerms(app.default_masking, app.valid_until, terms);
    const grant = await repo.insertGrant(trx, {
      application_id: app.id,
      consumer_org_id: app.applicant_org_id,
      consumer_name: app.applicant_org_name,
      provider_org_id: app.provider_org_id,
      provider_name: app.provider_name,
      authority_org_id: app.authority_org_id,
      catalog_entry_id: app.catalog_entry_id,
      catalog_code: app.catalog_code,
      catalog_name: app.catalog_name,
      items: app.items,
      masking: resolved.masking,
      row_filter: resolved.rowFilter,
      methods: app.methods,
      rate_limit_per_minute: resolved.rateLimitPerMinute,
      ip_allow: resolved.ipAllow,
      expires_at: resolved.expiresAt,
      created_at: now,
    });
    await appendLedger(trx, {
      actor,
      action: 'sharing.grant.create',
      subject: { type: 'share_grant', id: grant.id },
      payload: {
        applicationId: app.id,
        code: app.catalog_code,
        entryId: app.catalog_entry_id,
        consumerId: app.applicant_org_id,
        providerId: app.provider_org_id,
        items: app.items,
        methods: app.methods,
        ...termsForLedger(resolved),
      },
    });
    return grant;
  }

  // ---------------------------------------------------------------- reading

  async get(actor: Actor, id: string): Promise<Grant> {
    return toGrant(await this.#visible(actor, id), this.#now());
  }

  /**
   * The caller's organisation's grants: as consumer (consumer role), as provider (provider_approver;
   * a data_authority also sees those of the providers it is responsible for), or every side it may
   * see when `as` is absent.
   */
  async list(actor: Actor, query: GrantListQuery, page: Paging): Promise<{ items: Grant[]; total: number }> {
    if (!isUser(actor)) throw forbidden();
    const consumer = actor.roles.includes('consumer');
    const provider = actor.roles.includes('provider_approver');
    const authority = actor.roles.includes('data_authority');
    if ((query.as === 'consumer' && !consumer) || (query.as === 'provider' && !provider && !authority)) throw forbidden();
    const scope: repo.GrantScope = {
      consumerOrgId: query.as !== 'provider' && consumer ? actor.organisationId : undefined,
      providerOrgId: query.as !== 'consumer' && provider ? actor.organisationId : undefined,
      authorityOrgId: query.as !== 'consumer' && authority ? actor.organisationId : undefined,
    };
    const now = this.#now();
    const { rows, total } = await repo.listGrants(this.#k, scope, query, now, page);
    return { items: rows.map((r) => toGrant(r, now)), total };
  }

  // ---------------------------------------------------------------- changing

  /**
   * Changes an active grant's terms (the provider's approver): masking merges per item, the other
   * terms given replace. Terms equal to the current ones change and record nothing; otherwise the
   * ledger keeps the old and the new terms, and the consumer is told.
   */
  async update(actor: Actor, id: string, change: GrantTerms): Promise<Grant> {
    const before = await this.#visible(actor, id);
    if (!partiesOf(actor, grantSubject(before)).provider) throw E.notGrantProvider();
    const user = actor as UserActor;
    const now = this.#now();
    const app = before.application_id ? await repo.findApplication(this.#k, before.application_id) : undefined;
    // A grant made without an application (none today) may not outlive its current expiry.
    const validUntil = app?.valid_until ?? todayInShanghai(before.expires_at);
    const checked = checkTerms(change, { items: before.items, validUntil }, now);
    const changed = await this.#db.kysely.transaction().execute(async (trx) => {
      const row = (await repo.findGrant(trx, id, true))!;
      const status = toGrant(row, now).status;
      if (status !== 'active') throw E.grantNotActive(status);
      const old = resolvedOf(row);
      const next = applyTerms(old, checked);
      if (JSON.stringify(termsForLedger(old)) === JSON.stringify(termsForLedger(next))) return undefined;
      const updated = await repo.updateGrantTerms(trx, id, {
        masking: next.masking,
        row_filter: next.rowFilter,
        rate_limit_per_minute: next.rateLimitPerMinute,
        ip_allow: next.ipAllow,
        expires_at: next.expiresAt,
        updated_at: now,
      });
      await appendLedger(trx, {
        actor: user,
        action: 'sharing.grant.update',
        subject: { type: 'share_grant', id },
        payload: { code: row.catalog_code, consumerId: row.consumer_org_id, before: termsForLedger(old), after: termsForLedger(next) },
      });
      await this.#notify(trx, 'sharing.terms_changed', updated, user, [{ organisationId: row.consumer_org_id, role: 'consumer' }], { provider: row.provider_name });
      return updated;
    });
    if (changed) this.changed([changed]);
    return toGrant(changed ?? before, now);
  }

  /**
   * Revokes a grant at once: the provider's approver, the responsible authority, or the consumer
   * giving it up (every party may). A revoked or expired grant is GRANT_NOT_ACTIVE.
   */
  async revoke(actor: Actor, id: string, input: { reason?: string | undefined }): Promise<Grant> {
    await this.#visible(actor, id);
    if (input.reason === undefined || input.reason.trim() === '') throw E.revokeNeedsReason();
    const problem = checkText('reason', input.reason);
    if (problem) throw problem;
    const reason = input.reason.trim();
    const now = this.#now();
    const user = actor as UserActor;
    const by = (await this.#identity.getOrganisation(user, user.organisationId)).name;
    const revoked = await this.#db.kysely.transaction().execute(async (trx) => {
      const row = (await repo.findGrant(trx, id, true))!;
      const status = toGrant(row, now).status;
      if (status !== 'active') throw E.grantNotActive(status);
      const next = await repo.revokeGrant(trx, id, { revoked_at: now, revoked_by: user.id, revoke_reason: reason });
      const parties = partiesOf(user, grantSubject(row));
      await appendLedger(trx, {
        actor: user,
        action: 'sharing.grant.revoke',
        subject: { type: 'share_grant', id },
        payload: {
          code: row.catalog_code,
          entryId: row.catalog_entry_id,
          consumerId: row.consumer_org_id,
          providerId: row.provider_org_id,
          as: parties.provider ? 'provider' : parties.authority ? 'authority' : 'consumer',
          reason,
        },
      });
      await this.#notify(
        trx,
        'sharing.revoked',
        next,
        user,
        [
          { organisationId: row.consumer_org_id, role: 'consumer' },
          { organisationId: row.provider_org_id, role: 'provider_approver' },
        ],
        { consumer: row.consumer_name, by, reason },
      );
      return next;
    });
    this.changed([revoked]);
    return toGrant(revoked, now);
  }

  /** The grant, for its parties; anyone else learns nothing (404). */
  async #visible(actor: Actor, id: string): Promise<repo.GrantRow> {
    const row = await repo.findGrant(this.#k, id);
    if (!row || !isParty(partiesOf(actor, grantSubject(row)))) throw E.grantNotFound(id);
    return row;
  }

  async #notify(trx: Executor, kind: SharingNotificationKind, grant: repo.GrantRow, actor: UserActor, to: NotificationInput['to'], params: Record<string, unknown>): Promise<void> {
    await this.#notifications.notify(trx, {
      kind,
      params: { grantId: grant.id, code: grant.catalog_code, name: grant.catalog_name, ...params },
      link: `/sharing/grants/${grant.id}`,
      subject: { type: 'share_grant', id: grant.id },
      to,
      except: [actor.id],
    });
  }
}

function grantSubject(row: repo.GrantRow) {
  return { applicantOrgId: row.consumer_org_id, providerOrgId: row.provider_org_id, authorityOrgId: row.authority_org_id };
}

function resolvedOf(row: repo.GrantRow): ResolvedTerms {
  return { masking: row.masking, rowFilter: row.row_filter, rateLimitPerMinute: row.rate_limit_per_minute, ipAllow: row.ip_allow, expiresAt: row.expires_at };
}
