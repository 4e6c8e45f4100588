import crypto from 'node:crypto';
import type { Actor, UserActor } from '../../core/auth/actor.js';
import type { Db } from '../../core/db/db.js';
import type { Executor, Trx } from '../../core/db/database.js';
import { AppError, forbidden } from '../../core/errors.js';
import type { Paging } from '../../core/http/schemas.js';
import { appendLedger } from '../../core/ledger/ledger.js';
import type { CatalogService } from '../catalog/index.js';
import type { IdentityService } from '../identity/index.js';
import type { NotificationInput, NotificationsService } from '../notifications/index.js';
import type { CalendarService } from '../platform/index.js';
import type { ResourceService } from '../resources/index.js';
import { checkApplication, checkText, entryInForce, type CheckedApplication, type EntryInForce } from './sharing.apply.js';
import { SharingDeadlines, type DeadlineClock } from './sharing.deadlines.js';
import { batchProblem, sharingErrors as E, type BatchProblem } from './sharing.errors.js';
import { SharingGrants, type GrantListQuery } from './sharing.grants.js';
import { SHARING_NOTIFICATION_KINDS, type SharingNotificationKind } from './sharing.notifications.js';
import { isParty, isUser, partiesOf } from './sharing.policy.js';
import * as repo from './sharing.repository.js';
import { checkTerms, mergeTerms } from './sharing.terms.js';
import { ANSWER_WORKING_DAYS, type Application, type ApplicationInput, type ApplicationStatus, type Grant, type GrantTerms } from './sharing.types.js';
import { isCoreOrImportant, toApplication } from './sharing.views.js';

export { SHARING_NOTIFICATION_KINDS };

export interface SharingServiceOptions {
  db: Db;
  identity: IdentityService;
  catalog: CatalogService;
  calendar: CalendarService;
  notifications: NotificationsService;
  resources: ResourceService;
  now?: (() => Date) | undefined;
}

/** At most this many applications in one batch (the cart). */
export const BATCH_MAX = 50;

export type ApplicationListScope = 'mine' | 'approval' | 'countersign';

/**
 * Supply and demand (供需对接): applications to share a catalog entry, the decisions on them and the
 * grants they become. Unconditional entries are granted at once (still recorded); conditional ones
 * wait for the provider's approver within 10 working days, and core or important data for the data
 * authority's countersignature as well. Every change commits with its ledger entry and its
 * notifications; calls to identity and the catalog are made before a transaction opens (on PGlite
 * the transaction holds the only connection). The gateway reads grants through `grantsFor` and
 * hears of changes through `onGrantChanged`.
 *
 * @example
 *   const app = await sharing.apply(consumer, { catalogId, purpose, legalBasis, scenario, methods: ['api'], validUntil: '2027-06-30' });
 *   await sharing.approve(approver, app.id, { comment: '同意', grant: { rateLimitPerMinute: 120 } });
 *   const [grant] = await sharing.grantsFor(app.applicant.organisationId, app.catalog.code);
 */
export class SharingService {
  readonly #db: Db;
  readonly #identity: IdentityService;
  readonly #catalog: CatalogService;
  readonly #notifications: NotificationsService;
  readonly #now: () => Date;
  readonly #deadlines: SharingDeadlines;
  readonly #grants: SharingGrants;

  constructor(options: SharingServiceOptions) {
    this.#db = options.db;
    this.#identity = options.identity;
    this.#catalog = options.catalog;
    this.#notifications = options.notifications;
    this.#now = options.now ?? (() => new Date());
    this.#deadlines = new SharingDeadlines({ db: options.db, calendar: options.calendar, notifications: options.notifications, now: this.#now });
    this.#grants = new SharingGrants({ db: options.db, identity: options.identity, notifications: options.notifications, now: this.#now });
  }

  get #k(): Executor {
    return this.#db.kysely;
  }

  // ---------------------------------------------------------------- for the gateway

  /** Every grant (any status) of `consumerOrgId` for the entry with this catalog code, newest first ([] when none). */
  async grantsFor(consumerOrgId: string, catalogCode: string): Promise<Grant[]> {
    return this.#grants.grantsFor(consumerOrgId, catalogCode);
  }

  /**
   * Called with a grant whenever it changes (created, terms changed, revoked), in this process, after
   * the change committed: the gateway drops what it cached. Other replicas learn by reading again.
   */
  onGrantChanged(listener: (grant: Grant) => void): void {
    this.#grants.onChanged(listener);
  }

  // ---------------------------------------------------------------- deadlines

  /**
   * Reminders before an application's due date (≤ 2 working days left) and escalation to the
   * authority after it, each once; housekeeping runs it on every replica, tests pass `today`.
   */
  async sweepDeadlines(today?: string): Promise<{ reminded: number; escalated: number }> {
    return this.#deadlines.sweep(today);
  }

  // ---------------------------------------------------------------- applying

  /** One application (共享申请). See the class comment; refusals carry the codes of sharing.errors.ts. */
  async apply(actor: Actor, input: ApplicationInput): Promise<Application> {
    const applicant = await this.#applicant(actor);
    const clock = await this.#deadlines.clock();
    const checked = await this.#check(applicant.actor, input, clock.today);
    if (checked.problems) throw checked.problems[0]!;
    const authorities = await this.#authorities([checked.ok]);
    const { ids, grants } = await this.#db.kysely.transaction().execute(async (trx) => {
      const blocking = await this.#lockAndFindBlocking(trx, applicant.actor.organisationId, [checked.ok], clock.now);
      const first = blocking.find((b) => b !== undefined);
      if (first) throw E.duplicate(first.kind, first.id);
      return this.#store(trx, applicant, [checked.ok], authorities, clock, null);
    });
    this.#grants.changed(grants);
    return (await this.#load(ids, clock))[0]!;
  }

  /**
   * Several applications at once (the cart), all or nothing: one problem anywhere and nothing is
   * stored; the error's details name each problem's index and code.
   */
  async applyBatch(actor: Actor, inputs: readonly ApplicationInput[]): Promise<{ batchId: string; items: Application[] }> {
    const applicant = await this.#applicant(actor);
    if (inputs.length === 0 || inputs.length > BATCH_MAX) throw E.batchSize(BATCH_MAX);
    const clock = await this.#deadlines.clock();
    const problems: BatchProblem[] = [];
    const ready: Array<{ index: number; app: CheckedApplication }> = [];
    const seen = new Map<string, number>();
    for (const [index, input] of inputs.entries()) {
      const checked = await this.#check(applicant.actor, input, clock.today);
      if (checked.problems) {
        problems.push(...checked.problems.map((p) => batchProblem(index, p)));
        continue;
      }
      const earlier = seen.get(checked.ok.entry.id);
      if (earlier !== undefined) {
        problems.push(batchProblem(index, E.duplicateInBatch(earlier)));
        continue;
      }
      seen.set(checked.ok.entry.id, index);
      ready.push({ index, app: checked.ok });
    }
    if (problems.length > 0) throw E.batchInvalid(problems);
    const apps = ready.map((r) => r.app);
    const authorities = await this.#authorities(apps);
    const batchId = crypto.randomUUID();
    const { ids, grants } = await this.#db.kysely.transaction().execute(async (trx) => {
      const blocking = await this.#lockAndFindBlocking(trx, applicant.actor.organisationId, apps, clock.now);
      const duplicates = blocking.flatMap((b, i) => (b ? [batchProblem(ready[i]!.index, E.duplicate(b.kind, b.id))] : []));
      if (duplicates.length > 0) throw E.batchInvalid(duplicates);
      return this.#store(trx, applicant, apps, authorities, clock, batchId);
    });
    this.#grants.changed(grants);
    return { batchId, items: await this.#load(ids, clock) };
  }

  /** The applicant as applications record it: a consumer, with the names lists show. */
  async #applicant(actor: Actor): Promise<{ actor: UserActor; name: string; organisationName: string }> {
    if (!isUser(actor) || !actor.roles.includes('consumer')) throw forbidden();
    const [user, organisation] = await Promise.all([this.#identity.me(actor), this.#identity.getOrganisation(actor, actor.organisationId)]);
    return { actor, name: user.displayName, organisationName: organisation.name };
  }

  async #check(actor: UserActor, input: ApplicationInput, today: string): Promise<ReturnType<typeof checkApplication>> {
    let entry: EntryInForce;
    try {
      entry = await entryInForce(this.#catalog, actor, input.catalogId);
    } catch (err) {
      if (err instanceof AppError) return { problems: [err] };
      throw err;
    }
    return checkApplication(input, entry, actor.organisationId, today);
  }

  /** The authority responsible for each provider (who countersigns, and to whom an application escalates). */
  async #authorities(apps: readonly CheckedApplication[]): Promise<Map<string, { id: string } | undefined>> {
    const out = new Map<string, { id: string } | undefined>();
    for (const providerId of new Set(apps.map((a) => a.entry.providerId))) out.set(providerId, await this.#identity.responsibleAuthority(providerId));
    for (const app of apps) {
      // Core and important data cannot be granted without a countersignature.
      if (app.needsApproval && isCoreOrImportant(app.entry.securityGrade) && !out.get(app.entry.providerId)) throw E.noAuthority();
    }
    return out;
  }

  /**
   * Takes the per-entry locks in a fixed order, then finds what blocks each application (an open
   * application or a grant in force of the same organisation for the same entry).
   */
  async #lockAndFindBlocking(trx: Trx, orgId: string, apps: readonly CheckedApplication[], now: Date) {
    for (const entryId of [...new Set(apps.map((a) => a.entry.id))].sort()) await repo.applyLock(trx, entryId, orgId);
    const out: Array<{ kind: 'application' | 'grant'; id: string } | undefined> = [];
    for (const app of apps) out.push(await repo.findBlocking(trx, app.entry.id, orgId, now));
    return out;
  }

  async #store(
    trx: Trx,
    applicant: { actor: UserActor; name: string; organisationName: string },
    apps: readonly CheckedApplication[],
    authorities: Map<string, { id: string } | undefined>,
    clock: DeadlineClock,
    batchId: string | null,
  ): Promise<{ ids: string[]; grants: repo.GrantRow[] }> {
    const { actor } = applicant;
    const ids: string[] = [];
    const grants: repo.GrantRow[] = [];
    for (const app of apps) {
      const authorityId = authorities.get(app.entry.providerId)?.id ?? null;
      const dueDate = app.needsApproval ? clock.calendar.addWorkingDays(clock.today, ANSWER_WORKING_DAYS) : null;
      let row = await repo.insertApplication(trx, {
        batch_id: batchId,
        applicant_org_id: actor.organisationId,
        applicant_org_name: applicant.organisationName,
        applicant_user_id: actor.id,
        applicant_user_name: applicant.name,
        catalog_entry_id: app.entry.id,
        catalog_code: app.entry.code,
        catalog_version: app.entry.version,
        catalog_name: app.entry.name,
        provider_org_id: app.entry.providerId,
        provider_name: app.entry.providerName,
        share_type: app.entry.shareType === 'unconditional' ? 'unconditional' : 'conditional',
        security_grade: app.entry.securityGrade,
        items: app.items,
        default_masking: app.defaultMasking,
        purpose: app.purpose,
        legal_basis: app.legalBasis,
        scenario: app.scenario,
        methods: app.methods,
        valid_until: app.validUntil,
        status: app.needsApproval ? 'pending' : 'granted',
        due_date: dueDate,
        authority_org_id: authorityId,
        decided_at: app.needsApproval ? null : clock.now,
        created_at: clock.now,
      });
      ids.push(row.id);
      await appendLedger(trx, {
        actor,
        action: 'sharing.application.create',
        subject: { type: 'share_application', id: row.id },
        payload: {
          code: row.catalog_code,
          entryId: row.catalog_entry_id,
          version: row.catalog_version,
          providerId: row.provider_org_id,
          items: app.items,
          methods: app.methods,
          purpose: app.purpose,
          legalBasis: app.legalBasis,
          scenario: app.scenario,
          validUntil: app.validUntil,
          status: row.status,
          dueDate,
          batchId,
        },
      });
      if (app.needsApproval) {
        await this.#notify(trx, 'sharing.submitted', row, actor, [{ organisationId: row.provider_org_id, role: 'provider_approver' }], { dueDate });
        continue;
      }
      // 无条件共享: no one decides, but the automatic decision is recorded like any other.
      await repo.insertDecision(trx, { application_id: row.id, step: 'auto', outcome: 'approved', actor_user_id: null, actor_name: null, organisation_id: null, comment: null, reason: null, legal_basis: null, at: clock.now });
      const grant = await this.#grants.create(trx, actor, row, null, clock.now);
      row = await repo.updateApplication(trx, row.id, { grant_id: grant.id, updated_at: clock.now });
      grants.push(grant);
      // The applicant is told too (not excluded as the actor): the notification links to the grant.
      await this.#notify(trx, 'sharing.granted', row, null, [{ userId: row.applicant_user_id }], { validUntil: row.valid_until, grantId: grant.id });
    }
    return { ids, grants };
  }

  // ---------------------------------------------------------------- deciding

  /**
   * Approves: the provider's approver while pending (core and important data then go to the
   * authority's countersignature, the rest is granted), or the authority's data_authority while
   * countersigning (granted). Grant terms given here are checked now and applied to the grant.
   */
  async approve(actor: Actor, id: string, input: { comment?: string | undefined; grant?: GrantTerms | undefined }): Promise<Application> {
    const { row: before, step } = await this.#deciding(actor, id);
    const comment = optionalText('comment', input.comment);
    const clock = await this.#deadlines.clock();
    const terms = input.grant ? checkTerms(input.grant, { items: before.items, validUntil: before.valid_until }, clock.now) : null;
    const name = (await this.#identity.me(actor as UserActor)).displayName;
    let granted: repo.GrantRow | undefined;
    await this.#db.kysely.transaction().execute(async (trx) => {
      const row = await this.#lockedForStep(trx, id, step);
      const user = actor as UserActor;
      if (step === 'authority') {
        const approvedBy = (await repo.listDecisions(trx, [row.id])).filter((d) => d.step === 'provider' && d.outcome === 'approved').at(-1);
        if (approvedBy?.actor_user_id === user.id) throw E.countersignerIsApprover();
      }
      await repo.insertDecision(trx, { application_id: row.id, step, outcome: 'approved', actor_user_id: user.id, actor_name: name, organisation_id: user.organisationId, comment, reason: null, legal_basis: null, at: clock.now });
      const proposed = step === 'provider' ? terms : mergeTerms(row.proposed_terms, terms);
      if (step === 'provider' && isCoreOrImportant(row.security_grade)) {
        // Core and important data: the authority countersigns, by the same due date. Its own reminder
        // is still to come (the provider's was for the provider).
        const next = await repo.updateApplication(trx, row.id, { status: 'countersigning', proposed_terms: proposed, reminded_at: null, updated_at: clock.now });
        await this.#ledgerDecision(trx, user, next, 'approve', step, { comment, terms: proposed, next: 'countersigning' });
        if (next.authority_org_id) {
          await this.#notify(trx, 'sharing.countersign', next, user, [{ organisationId: next.authority_org_id, role: 'data_authority' }], {
            dueDate: next.due_date,
            provider: next.provider_name,
            securityGrade: next.security_grade,
          });
        }
        return;
      }
      granted = await this.#grants.create(trx, user, row, proposed, clock.now);
      const next = await repo.updateApplication(trx, row.id, { status: 'granted', proposed_terms: proposed, decided_at: clock.now, grant_id: granted.id, updated_at: clock.now });
      await this.#ledgerDecision(trx, user, next, 'approve', step, { comment, terms: proposed, next: 'granted', grantId: granted.id });
      await this.#notify(trx, 'sharing.granted', next, user, [{ userId: next.applicant_user_id }], { validUntil: next.valid_until, grantId: granted.id });
    });
    if (granted) this.#grants.changed([granted]);
    return (await this.#load([id], clock))[0]!;
  }

  /** Refuses, with a reason and its legal basis (非因法定事由不得拒绝); same deciders and states as approve. */
  async reject(actor: Actor, id: string, input: { reason?: string | undefined; legalBasis?: string | undefined }): Promise<Application> {
    const { step } = await this.#deciding(actor, id);
    if (isBlank(input.reason) || isBlank(input.legalBasis)) throw E.rejectionNeedsLegalBasis();
    for (const [field, value] of [['reason', input.reason], ['legalBasis', input.legalBasis]] as const) {
      const problem = checkText(field, value);
      if (problem) throw problem;
    }
    const reason = input.reason!.trim();
    const legalBasis = input.legalBasis!.trim();
    const clock = await this.#deadlines.clock();
    const name = (await this.#identity.me(actor as UserActor)).displayName;
    await this.#db.kysely.transaction().execute(async (trx) => {
      const row = await this.#lockedForStep(trx, id, step);
      const user = actor as UserActor;
      await repo.insertDecision(trx, { application_id: row.id, step, outcome: 'rejected', actor_user_id: user.id, actor_name: name, organisation_id: user.organisationId, comment: null, reason, legal_basis: legalBasis, at: clock.now });
      const next = await repo.updateApplication(trx, row.id, { status: 'rejected', decided_at: clock.now, updated_at: clock.now });
      await this.#ledgerDecision(trx, user, next, 'reject', step, { reason, legalBasis });
      await this.#notify(trx, 'sharing.rejected', next, user, [{ userId: next.applicant_user_id }], { reason, legalBasis });
    });
    return (await this.#load([id], clock))[0]!;
  }

  /** The applicant organisation's consumer takes back an application still waiting. */
  async withdraw(actor: Actor, id: string, input: { reason?: string | undefined }): Promise<Application> {
    const before = await this.#visibleApplication(actor, id);
    if (!partiesOf(actor, applicationSubject(before)).applicant) throw E.notApplicant();
    const reason = optionalText('reason', input.reason);
    const clock = await this.#deadlines.clock();
    const name = (await this.#identity.me(actor as UserActor)).displayName;
    await this.#db.kysely.transaction().execute(async (trx) => {
      const row = (await repo.findApplication(trx, id, true))!;
      if (!repo.OPEN_STATUSES.includes(row.status)) throw E.notPending(row.status);
      const user = actor as UserActor;
      await repo.insertDecision(trx, { application_id: row.id, step: 'applicant', outcome: 'withdrawn', actor_user_id: user.id, actor_name: name, organisation_id: user.organisationId, comment: null, reason, legal_basis: null, at: clock.now });
      const next = await repo.updateApplication(trx, row.id, { status: 'withdrawn', decided_at: clock.now, updated_at: clock.now });
      await appendLedger(trx, {
        actor: user,
        action: 'sharing.application.withdraw',
        subject: { type: 'share_application', id: row.id },
        payload: { code: row.catalog_code, entryId: row.catalog_entry_id, from: row.status, reason },
      });
      const holders: NotificationInput['to'] =
        row.status === 'countersigning' && row.authority_org_id
          ? [{ organisationId: row.authority_org_id, role: 'data_authority' }]
          : [{ organisationId: row.provider_org_id, role: 'provider_approver' }];
      await this.#notify(trx, 'sharing.withdrawn', next, user, holders, {});
    });
    return (await this.#load([id], clock))[0]!;
  }

  /**
   * Which decision the caller may take on the application now. Outsiders get 404; a party that
   * does not decide gets NOT_APPROVER; a decider at another step (or after the decision) gets
   * APPLICATION_NOT_PENDING.
   */
  async #deciding(actor: Actor, id: string): Promise<{ row: repo.ApplicationRow; step: 'provider' | 'authority' }> {
    const row = await this.#visibleApplication(actor, id);
    const parties = partiesOf(actor, applicationSubject(row));
    if (row.status === 'pending' && parties.provider) return { row, step: 'provider' };
    if (row.status === 'countersigning' && parties.authority) return { row, step: 'authority' };
    // The authority decides only what needs its countersignature; for the rest it only reads.
    const decidesSomeStep = parties.provider || (parties.authority && row.due_date !== null && isCoreOrImportant(row.security_grade));
    if (decidesSomeStep) throw E.notPending(row.status);
    throw E.notApprover();
  }

  /** The application locked for a decision at `step`, still in the state that step decides. */
  async #lockedForStep(trx: Trx, id: string, step: 'provider' | 'authority'): Promise<repo.ApplicationRow> {
    const row = (await repo.findApplication(trx, id, true))!;
    const expected: ApplicationStatus = step === 'provider' ? 'pending' : 'countersigning';
    if (row.status !== expected) throw E.notPending(row.status);
    return row;
  }

  async #ledgerDecision(trx: Trx, actor: UserActor, row: repo.ApplicationRow, verb: 'approve' | 'reject', step: string, extra: Record<string, unknown>): Promise<void> {
    await appendLedger(trx, {
      actor,
      action: `sharing.application.${verb}`,
      subject: { type: 'share_application', id: row.id },
      payload: { code: row.catalog_code, entryId: row.catalog_entry_id, step, status: row.status, ...extra },
    });
  }

  // ---------------------------------------------------------------- reading applications

  /** One application with its decisions, for its parties (others: 404). */
  async getApplication(actor: Actor, id: string): Promise<Application> {
    await this.#visibleApplication(actor, id);
    return (await this.#load([id], await this.#deadlines.clock()))[0]!;
  }

  /**
   * mine: the caller's organisation's applications (consumer); approval: the provider's queue
   * (provider_approver), the most urgent first; countersign: the authority's queue (data_authority),
   * countersigning and escalated ones. A status narrows (or, for the queues, replaces) the default.
   * Without a scope: the first of them the caller's roles allow.
   */
  async listApplications(
    actor: Actor,
    query: { scope?: ApplicationListScope | undefined; status?: ApplicationStatus | undefined; catalogId?: string | undefined },
    page: Paging,
  ): Promise<{ items: Application[]; total: number }> {
    if (!isUser(actor)) throw forbidden();
    const roleOf = { mine: 'consumer', approval: 'provider_approver', countersign: 'data_authority' } as const;
    // Without a scope, the caller's own work: its applications, else its approval queue, else its countersignatures.
    const scope = query.scope ?? (['mine', 'approval', 'countersign'] as const).find((s) => actor.roles.includes(roleOf[s])) ?? 'mine';
    if (!actor.roles.includes(roleOf[scope])) throw forbidden();
    const clock = await this.#deadlines.clock();
    const { rows, total } = await repo.listApplications(this.#k, { kind: scope, organisationId: actor.organisationId }, { status: query.status, catalogId: query.catalogId }, page);
    return { items: await this.#present(rows, clock), total };
  }

  async #visibleApplication(actor: Actor, id: string): Promise<repo.ApplicationRow> {
    const row = await repo.findApplication(this.#k, id);
    if (!row || !isParty(partiesOf(actor, applicationSubject(row)))) throw E.applicationNotFound(id);
    return row;
  }

  async #load(ids: readonly string[], clock: DeadlineClock): Promise<Application[]> {
    const rows: repo.ApplicationRow[] = [];
    for (const id of ids) rows.push((await repo.findApplication(this.#k, id))!);
    return this.#present(rows, clock);
  }

  async #present(rows: readonly repo.ApplicationRow[], clock: DeadlineClock): Promise<Application[]> {
    const decisions = await repo.listDecisions(this.#k, rows.map((r) => r.id));
    const bounds = this.#deadlines.bounds(clock.calendar, clock.today);
    return rows.map((r) =>
      toApplication(
        r,
        decisions.filter((d) => d.application_id === r.id),
        r.due_date === null ? null : this.#deadlines.state(r.due_date, bounds),
      ),
    );
  }

  // ---------------------------------------------------------------- grants (sharing.grants.ts)

  async getGrant(actor: Actor, id: string): Promise<Grant> {
    return this.#grants.get(actor, id);
  }

  /** See SharingGrants.list: as consumer, as provider (or its authority), or both when `as` is absent. */
  async listGrants(actor: Actor, query: GrantListQuery, page: Paging): Promise<{ items: Grant[]; total: number }> {
    return this.#grants.list(actor, query, page);
  }

  /** Changes an active grant's terms (the provider's approver); the ledger keeps the old and new terms. */
  async updateGrant(actor: Actor, id: string, change: GrantTerms): Promise<Grant> {
    return this.#grants.update(actor, id, change);
  }

  /** Revokes a grant at once (provider, responsible authority, or the consumer giving it up). */
  async revokeGrant(actor: Actor, id: string, input: { reason?: string | undefined }): Promise<Grant> {
    return this.#grants.revoke(actor, id, input);
  }

  // ---------------------------------------------------------------- notifications

  async #notify(
    trx: Executor,
    kind: SharingNotificationKind,
    app: repo.ApplicationRow,
    actor: UserActor | null,
    to: NotificationInput['to'],
    params: Record<string, unknown>,
  ): Promise<void> {
    await this.#notifications.notify(trx, {
      kind,
      params: { applicationId: app.id, code: app.catalog_code, name: app.catalog_name, applicant: app.applicant_org_name, ...params },
      link: `/sharing/applications/${app.id}`,
      subject: { type: 'share_application', id: app.id },
      to,
      except: actor ? [actor.id] : [],
    });
  }
}

// ---------------------------------------------------------------- helpers

function applicationSubject(row: repo.ApplicationRow) {
  return { applicantOrgId: row.applicant_org_id, providerOrgId: row.provider_org_id, authorityOrgId: row.authority_org_id };
}

const isBlank = (value: string | undefined): boolean => value === undefined || value.trim() === '';

/** An optional free text: trimmed, null when blank; too long is refused like the required ones. */
function optionalText(field: string, value: string | undefined): string | null {
  if (value === undefined || value.trim() === '') return null;
  const problem = checkText(field, value);
  if (problem) throw problem;
  return value.trim();
}
