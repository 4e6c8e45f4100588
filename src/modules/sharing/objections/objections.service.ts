import { systemActor, type Actor, type UserActor } from '../../../core/auth/actor.js';
import { addCalendarDays, toShanghaiDate } from '../../../core/calendar/index.js';
import type { Db } from '../../../core/db/db.js';
import type { Executor, Trx } from '../../../core/db/database.js';
import { AppError, forbidden, NotAllowedError } from '../../../core/errors.js';
import type { Paging } from '../../../core/http/schemas.js';
import { appendLedger } from '../../../core/ledger/ledger.js';
import type { CatalogService } from '../../catalog/index.js';
import type { IdentityService } from '../../identity/index.js';
import type { NotificationInput, Notifier } from '../../notifications/index.js';
import type { CalendarService } from '../../platform/index.js';
import { cleanList, sweepDue } from '../demands/deadline-sweep.js';
import { optionalText, requiredText } from '../demands/texts.js';
import { entryInForce } from '../sharing.apply.js';
import { SharingDeadlines, type DeadlineBounds, type DeadlineClock } from '../sharing.deadlines.js';
import { sharingErrors } from '../sharing.errors.js';
import { partiesOf as sharingParties, type Parties } from '../sharing.policy.js';
import * as sharingRepo from '../sharing.repository.js';
import { ANSWER_WORKING_DAYS } from '../sharing.types.js';
import { objectionErrors as E } from './objections.errors.js';
import type { ObjectionNotificationKind } from './objections.notifications.js';
import * as repo from './objections.repository.js';
import type { ArbitrationOutcome, DataOutcome, Objection, ObjectionInput, ObjectionKind, ObjectionStatus } from './objections.types.js';

export interface ObjectionServiceOptions {
  db: Db;
  identity: Pick<IdentityService, 'me' | 'getOrganisation' | 'responsibleAuthority'>;
  catalog: Pick<CatalogService, 'get' | 'versions'>;
  calendar: Pick<CalendarService, 'calendar'>;
  notifications: Notifier;
  now?: (() => Date) | undefined;
}

/** A provider answers an objection to its data within this many working days. */
export const DATA_OBJECTION_WORKING_DAYS = 5;
/** The authority arbitrates an objection to a refusal within this many working days (as an application is answered). */
export const ARBITRATION_WORKING_DAYS = ANSWER_WORKING_DAYS;
/** A refusal may be objected to within this many calendar days of it. */
export const REFUSAL_OBJECTION_DAYS = 30;
/** Data received under a revoked or expired grant may be objected to within this many calendar days of its end. */
export const ENDED_GRANT_OBJECTION_DAYS = 30;
export const RECORD_KEYS_MAX = 100;
export const RECORD_KEY_LENGTH = 200;
const SWEEP_ACTOR = systemActor('sharing objection deadlines');

export type ObjectionListScope = 'mine' | 'assigned' | 'arbitration';

/** The objecting organisation's consumers, the provider's approvers, the authority responsible for the provider. */
function partiesOf(actor: Actor, row: repo.ObjectionRow): Parties {
  return sharingParties(actor, { applicantOrgId: row.objector_org_id, providerOrgId: row.provider_org_id, authorityOrgId: row.authority_org_id });
}

/**
 * Objections (数据异议统一处理). (a) A grant's consumer disputes data it received: a ticket to the
 * provider, answered within 5 working days — corrected, confirmed (checked, it stands) or rejected
 * — which the authority responsible for the provider may read. (b) The applicant of a rejected
 * application disputes the refusal within 30 days: that authority arbitrates within 10 working
 * days (never someone who signed the refusal), and overturning it sends the application back to
 * the step that refused it (a new 10-working-day due date, the arbitration recorded among its
 * decisions). One objection per application; the objector may withdraw an open one. Every step
 * commits with its ledger entry and its notifications; others than the parties get 404.
 */
export class ObjectionService {
  readonly #db: Db;
  readonly #identity: ObjectionServiceOptions['identity'];
  readonly #catalog: ObjectionServiceOptions['catalog'];
  readonly #notifications: Notifier;
  readonly #now: () => Date;
  readonly #deadlines: SharingDeadlines;

  constructor(options: ObjectionServiceOptions) {
    this.#db = options.db;
    this.#identity = options.identity;
    this.#catalog = options.catalog;
    this.#notifications = options.notifications;
    this.#now = options.now ?? (() => new Date());
    this.#deadlines = new SharingDeadlines({ db: options.db, calendar: options.calendar, notifications: options.notifications, now: this.#now });
  }

  get #k(): Executor {
    return this.#db.kysely;
  }

  // ---------------------------------------------------------------- filing

  async file(actor: Actor, input: ObjectionInput): Promise<Objection> {
    if (actor.type !== 'user' || !actor.roles.includes('consumer')) throw forbidden();
    return input.kind === 'data' ? this.#fileData(actor, input) : this.#fileRefusal(actor, input);
  }

  async #fileData(user: UserActor, input: ObjectionInput & { grantId?: string | undefined }): Promise<Objection> {
    if (!input.grantId) throw E.kindFields('data', 'grantId');
    const grant = await sharingRepo.findGrant(this.#k, input.grantId);
    const parties = grant ? sharingParties(user, { applicantOrgId: grant.consumer_org_id, providerOrgId: grant.provider_org_id, authorityOrgId: grant.authority_org_id }) : undefined;
    if (!grant || !parties || !(parties.applicant || parties.provider || parties.authority)) throw sharingErrors.grantNotFound(input.grantId);
    if (!parties.applicant) throw new NotAllowedError('NOT_GRANT_CONSUMER', "Only a consumer of the grant's consumer organisation objects to its data", '只有被授权部门的数据使用人可以对共享数据提出异议');
    const description = requiredText('description', input.description);
    const items = cleanList(input.items);
    const notGranted = items.filter((i) => !grant.items.includes(i));
    if (notGranted.length > 0) throw sharingErrors.itemNotGranted(notGranted);
    const recordKeys = cleanList(input.recordKey);
    if (recordKeys.length > RECORD_KEYS_MAX || recordKeys.some((k) => k.length > RECORD_KEY_LENGTH)) throw E.recordKeysInvalid(RECORD_KEYS_MAX, RECORD_KEY_LENGTH);
    const clock = await this.#deadlines.clock();
    // Data received under a grant that has ended may still be wrong: objections for a while after.
    const ended = grant.status === 'revoked' ? grant.revoked_at : grant.expires_at <= clock.now ? grant.expires_at : null;
    if (ended) {
      const endedOn = toShanghaiDate(ended);
      if (clock.today > addCalendarDays(endedOn, ENDED_GRANT_OBJECTION_DAYS)) throw E.tooLate('grant', endedOn, ENDED_GRANT_OBJECTION_DAYS);
    }
    // Grants made before the authority was recorded: the authority responsible for the provider now.
    const authorityId = grant.authority_org_id ?? (await this.#identity.responsibleAuthority(grant.provider_org_id))?.id ?? null;
    const dueDate = clock.calendar.addWorkingDays(clock.today, DATA_OBJECTION_WORKING_DAYS);
    const [me, organisation] = await this.#names(user);
    const sameKeys = JSON.stringify([...recordKeys].sort());
    const id = await this.#db.kysely.transaction().execute(async (trx) => {
      // Under the grant's lock: one open objection per grant and set of record keys.
      await sharingRepo.findGrant(trx, grant.id, true);
      const repeat = (await repo.openDataObjections(trx, grant.id)).find((o) => JSON.stringify([...o.record_keys].sort()) === sameKeys);
      if (repeat) throw E.duplicateData(repeat.id);
      const row = await repo.insertObjection(trx, {
        kind: 'data',
        grant_id: grant.id,
        application_id: null,
        catalog_entry_id: grant.catalog_entry_id,
        catalog_code: grant.catalog_code,
        catalog_name: grant.catalog_name,
        objector_org_id: user.organisationId,
        objector_org_name: organisation,
        objector_user_id: user.id,
        objector_user_name: me,
        provider_org_id: grant.provider_org_id,
        provider_name: grant.provider_name,
        authority_org_id: authorityId,
        record_keys: recordKeys,
        items,
        description,
        due_date: dueDate,
        created_at: clock.now,
      });
      await appendLedger(trx, {
        actor: user,
        action: 'sharing.objection.create',
        subject: { type: 'share_objection', id: row.id },
        // The record keys may be personal data (a resident ID): the ledger keeps how many, not which.
        payload: { kind: 'data', grantId: grant.id, code: grant.catalog_code, entryId: grant.catalog_entry_id, providerId: grant.provider_org_id, items, recordKeys: recordKeys.length, dueDate },
      });
      await this.#notify(trx, 'objection.filed', row, user, [{ organisationId: row.provider_org_id, role: 'provider_approver' }], { dueDate });
      return row.id;
    });
    return this.#load(user, id, clock);
  }

  async #fileRefusal(user: UserActor, input: ObjectionInput): Promise<Objection> {
    if (!input.applicationId) throw E.kindFields('refusal', 'applicationId');
    const app = await sharingRepo.findApplication(this.#k, input.applicationId);
    const parties = app ? sharingParties(user, { applicantOrgId: app.applicant_org_id, providerOrgId: app.provider_org_id, authorityOrgId: app.authority_org_id }) : undefined;
    if (!app || !parties || !(parties.applicant || parties.provider || parties.authority)) throw sharingErrors.applicationNotFound(input.applicationId);
    if (!parties.applicant) throw sharingErrors.notApplicant();
    const reason = requiredText('reason', input.reason);
    if (app.status !== 'rejected') throw E.notRejected(app.status);
    const existing = await repo.findForApplication(this.#k, app.id);
    if (existing) throw E.duplicate(existing.id);
    const clock = await this.#deadlines.clock();
    if (app.decided_at) {
      const refusedOn = toShanghaiDate(app.decided_at);
      if (clock.today > addCalendarDays(refusedOn, REFUSAL_OBJECTION_DAYS)) throw E.tooLate('refusal', refusedOn, REFUSAL_OBJECTION_DAYS);
    }
    const authorityId = app.authority_org_id ?? (await this.#identity.responsibleAuthority(app.provider_org_id))?.id;
    if (!authorityId) throw E.noAuthority();
    const dueDate = clock.calendar.addWorkingDays(clock.today, ARBITRATION_WORKING_DAYS);
    const [me, organisation] = await this.#names(user);
    const id = await this.#db.kysely.transaction().execute(async (trx) => {
      // Under the application's lock (and apply's): one objection, and none once the applicant applied again.
      await sharingRepo.findApplication(trx, app.id, true);
      await sharingRepo.applyLock(trx, app.catalog_entry_id, app.applicant_org_id);
      const again = await repo.findForApplication(trx, app.id);
      if (again) throw E.duplicate(again.id);
      const blocking = await sharingRepo.findBlocking(trx, app.catalog_entry_id, app.applicant_org_id, clock.now);
      if (blocking) throw E.superseded(blocking.kind, blocking.id);
      const row = await repo.insertObjection(trx, {
        kind: 'refusal',
        grant_id: null,
        application_id: app.id,
        catalog_entry_id: app.catalog_entry_id,
        catalog_code: app.catalog_code,
        catalog_name: app.catalog_name,
        objector_org_id: user.organisationId,
        objector_org_name: organisation,
        objector_user_id: user.id,
        objector_user_name: me,
        provider_org_id: app.provider_org_id,
        provider_name: app.provider_name,
        authority_org_id: authorityId,
        record_keys: [],
        items: [],
        description: reason,
        due_date: dueDate,
        created_at: clock.now,
      });
      await appendLedger(trx, {
        actor: user,
        action: 'sharing.objection.create',
        subject: { type: 'share_objection', id: row.id },
        payload: { kind: 'refusal', applicationId: app.id, code: app.catalog_code, entryId: app.catalog_entry_id, providerId: app.provider_org_id, authorityId, reason, dueDate },
      });
      // The authority arbitrates; the provider learns that its refusal is disputed.
      await this.#notify(trx, 'objection.filed', row, user, [{ organisationId: authorityId, role: 'data_authority' }, { organisationId: row.provider_org_id, role: 'provider_approver' }], { dueDate });
      return row.id;
    });
    return this.#load(user, id, clock);
  }

  // ---------------------------------------------------------------- deciding

  /** The provider's approver answers an objection to its data. */
  async resolve(actor: Actor, id: string, input: { outcome: DataOutcome; comment?: string | undefined }): Promise<Objection> {
    const before = await this.#visible(actor, id);
    if (!partiesOf(actor, before).provider) throw E.notProvider();
    if (before.kind !== 'data') throw E.wrongKind(before.kind);
    if (before.status !== 'open') throw E.notOpen(before.status);
    const comment = requiredText('comment', input.comment);
    const user = actor as UserActor;
    const [me] = await this.#names(user);
    const clock = await this.#deadlines.clock();
    await this.#db.kysely.transaction().execute(async (trx) => {
      const row = (await repo.findObjection(trx, id, true))!;
      if (row.status !== 'open') throw E.notOpen(row.status);
      const next = await repo.decide(trx, id, { status: 'resolved', outcome: input.outcome, outcome_comment: comment, decided_by_user_id: user.id, decided_by_name: me, decided_at: clock.now });
      await appendLedger(trx, {
        actor: user,
        action: 'sharing.objection.resolve',
        subject: { type: 'share_objection', id },
        payload: { kind: 'data', grantId: row.grant_id, code: row.catalog_code, outcome: input.outcome, comment },
      });
      await this.#notify(trx, 'objection.resolved', next, user, [{ userId: next.objector_user_id }], { outcome: input.outcome, comment });
    });
    return this.#load(user, id, clock);
  }

  /**
   * The responsible authority arbitrates an objection to a refusal: upheld keeps the refusal;
   * overturned sends the application back to the step that refused it (the provider: pending,
   * decided afresh; the authority's countersignature: countersigning, the provider's approval and
   * proposed terms kept) with a new due date — only while its validity has not passed and the entry
   * is still in force and shared; superseded closes it when the applicant applied again or holds a
   * grant. Nobody who signed the refusal arbitrates it (ARBITRATOR_DECIDED_REFUSAL).
   */
  async arbitrate(actor: Actor, id: string, input: { outcome: ArbitrationOutcome; comment?: string | undefined }): Promise<Objection> {
    const before = await this.#visible(actor, id);
    if (!partiesOf(actor, before).authority) throw E.notArbitrator();
    if (before.kind !== 'refusal') throw E.wrongKind(before.kind);
    if (before.status !== 'open') throw E.notOpen(before.status);
    const user = actor as UserActor;
    const refusal = (await this.#refusals([before.application_id!])).get(before.application_id!);
    if (refusal?.signer === user.id) throw E.arbitratorDecidedRefusal();
    const comment = requiredText('comment', input.comment);
    const [me] = await this.#names(user);
    const clock = await this.#deadlines.clock();
    const overturned = input.outcome === 'overturned';
    if (overturned) await this.#checkReopenable(user, before.application_id!, clock.today);
    const reopenTo = refusal?.step === 'authority' ? 'countersigning' : 'pending';
    const dueDate = overturned ? clock.calendar.addWorkingDays(clock.today, ANSWER_WORKING_DAYS) : null;
    await this.#db.kysely.transaction().execute(async (trx) => {
      const row = (await repo.findObjection(trx, id, true))!;
      if (row.status !== 'open') throw E.notOpen(row.status);
      const applicationId = row.application_id!;
      const app = (await sharingRepo.findApplication(trx, applicationId, true))!;
      await sharingRepo.applyLock(trx, app.catalog_entry_id, app.applicant_org_id);
      const blocking = await sharingRepo.findBlocking(trx, app.catalog_entry_id, app.applicant_org_id, clock.now);
      if (input.outcome === 'superseded') {
        if (!blocking) throw E.notSuperseded();
        await this.#notify(trx, 'objection.arbitrated', row, user, [{ organisationId: row.provider_org_id, role: 'provider_approver' }], { outcome: input.outcome, comment });
      } else if (dueDate) {
        if (app.status !== 'rejected') throw sharingErrors.notPending(app.status);
        if (blocking) throw E.superseded(blocking.kind, blocking.id);
        const reopened = await repo.reopenApplication(trx, applicationId, reopenTo, dueDate, clock.now);
        await repo.insertArbitrationDecision(trx, { application_id: applicationId, actor_user_id: user.id, actor_name: me, organisation_id: user.organisationId, comment, at: clock.now });
        await appendLedger(trx, {
          actor: user,
          action: 'sharing.application.reopen',
          subject: { type: 'share_application', id: applicationId },
          payload: { code: reopened.catalog_code, entryId: reopened.catalog_entry_id, step: 'arbitration', objectionId: id, status: reopenTo, dueDate, comment },
        });
        // Whoever decides again is told, with a link to the application: the provider, or the
        // authority's data_authority users (countersigning).
        const holders: NotificationInput['to'] =
          reopenTo === 'countersigning' && reopened.authority_org_id
            ? [{ organisationId: reopened.authority_org_id, role: 'data_authority' }]
            : [{ organisationId: row.provider_org_id, role: 'provider_approver' }];
        await this.#notifications.notify(trx, {
          kind: 'objection.arbitrated',
          params: this.#params(row, { outcome: 'overturned', comment, dueDate, applicationId, reopenedTo: reopenTo }),
          link: `/sharing/applications/${applicationId}`,
          subject: { type: 'share_application', id: applicationId },
          to: holders,
          except: [user.id],
        });
      } else {
        await this.#notify(trx, 'objection.arbitrated', row, user, [{ organisationId: row.provider_org_id, role: 'provider_approver' }], { outcome: input.outcome, comment });
      }
      const next = await repo.decide(trx, id, { status: 'arbitrated', outcome: input.outcome, outcome_comment: comment, decided_by_user_id: user.id, decided_by_name: me, decided_at: clock.now });
      await appendLedger(trx, {
        actor: user,
        action: 'sharing.objection.arbitrate',
        subject: { type: 'share_objection', id },
        payload: {
          kind: 'refusal',
          applicationId,
          code: row.catalog_code,
          outcome: input.outcome,
          comment,
          ...(dueDate ? { dueDate, reopenedTo: reopenTo } : {}),
          ...(blocking && input.outcome === 'superseded' ? { supersededBy: { kind: blocking.kind, id: blocking.id } } : {}),
        },
      });
      await this.#notify(trx, 'objection.arbitrated', next, user, [{ userId: next.objector_user_id }], {
        outcome: input.outcome,
        comment,
        ...(dueDate ? { dueDate, reopenedTo: reopenTo } : {}),
      });
    });
    return this.#load(user, id, clock);
  }

  /**
   * An overturned refusal must still make sense: the validity asked for has not passed (the grant
   * would be born expired) and the entry is still in force and shared.
   */
  async #checkReopenable(user: UserActor, applicationId: string, today: string): Promise<void> {
    const app = (await sharingRepo.findApplication(this.#k, applicationId))!;
    if (app.valid_until < today) throw E.applicationExpired(app.valid_until);
    let shareType: string;
    try {
      shareType = (await entryInForce(this.#catalog, user, app.catalog_entry_id)).shareType;
    } catch (err) {
      if (err instanceof AppError && (err.code === 'ENTRY_NOT_PUBLISHED' || err.code === 'ENTRY_NOT_FOUND' || err.status === 404)) throw E.entryNotShared(app.catalog_entry_id, 'not in force');
      throw err;
    }
    if (shareType === 'none') throw E.entryNotShared(app.catalog_entry_id, 'not shared');
  }

  /** The refusal in force of each application: the step that refused and who signed it. */
  async #refusals(applicationIds: readonly string[]): Promise<Map<string, { step: string; signer: string | null }>> {
    const found = new Map<string, { step: string; signer: string | null }>();
    if (applicationIds.length === 0) return found;
    // Ordered by seq: the last refusal of each application wins.
    for (const d of await sharingRepo.listDecisions(this.#k, applicationIds)) {
      if (d.outcome === 'rejected') found.set(d.application_id, { step: d.step, signer: d.actor_user_id });
    }
    return found;
  }

  /** The objector's consumer takes back an objection still open; whoever holds it is told. */
  async withdraw(actor: Actor, id: string, input: { reason?: string | undefined }): Promise<Objection> {
    const before = await this.#visible(actor, id);
    if (!partiesOf(actor, before).applicant) throw E.notObjector();
    if (before.status !== 'open') throw E.notOpen(before.status);
    const reason = optionalText('reason', input.reason);
    const user = actor as UserActor;
    const [me] = await this.#names(user);
    const clock = await this.#deadlines.clock();
    await this.#db.kysely.transaction().execute(async (trx) => {
      const row = (await repo.findObjection(trx, id, true))!;
      if (row.status !== 'open') throw E.notOpen(row.status);
      const next = await repo.withdrawObjection(trx, id, { reason, user_id: user.id, user_name: me, at: clock.now });
      await appendLedger(trx, {
        actor: user,
        action: 'sharing.objection.withdraw',
        subject: { type: 'share_objection', id },
        payload: { kind: row.kind, code: row.catalog_code, ...(row.grant_id ? { grantId: row.grant_id } : { applicationId: row.application_id }), reason },
      });
      const to: NotificationInput['to'] = [
        ...(row.kind === 'refusal' && row.authority_org_id ? [{ organisationId: row.authority_org_id, role: 'data_authority' } as const] : []),
        { organisationId: row.provider_org_id, role: 'provider_approver' },
      ];
      await this.#notify(trx, 'objection.withdrawn', next, user, to, { reason });
    });
    return this.#load(user, id, clock);
  }

  // ---------------------------------------------------------------- reading

  async get(actor: Actor, id: string): Promise<Objection> {
    await this.#visible(actor, id);
    return this.#load(actor, id, await this.#deadlines.clock());
  }

  /**
   * mine: the objections the caller's organisation filed (consumer); assigned: those about its
   * organisation as provider (provider_approver) — to its data (it answers) and to its refusals
   * (it reads); arbitration: a data authority's refusals to arbitrate and its providers' overdue
   * data objections. Separate scopes, so a user with both roles sees both. Default: the first
   * the roles allow.
   */
  async list(
    actor: Actor,
    query: { scope?: ObjectionListScope | undefined; status?: ObjectionStatus | undefined; kind?: ObjectionKind | undefined },
    page: Paging,
  ): Promise<{ items: Objection[]; total: number }> {
    if (actor.type !== 'user') throw forbidden();
    const consumer = actor.roles.includes('consumer');
    const provider = actor.roles.includes('provider_approver');
    const authority = actor.roles.includes('data_authority');
    const allowed = { mine: consumer, assigned: provider, arbitration: authority };
    const scope = query.scope ?? (['mine', 'assigned', 'arbitration'] as const).find((s) => allowed[s]) ?? 'mine';
    if (!allowed[scope]) throw forbidden();
    const clock = await this.#deadlines.clock();
    const bounds = this.#deadlines.bounds(clock.calendar, clock.today);
    const { rows, total } = await repo.listObjections(this.#k, { kind: scope, organisationId: actor.organisationId }, query, page);
    const refusals = await this.#refusals(rows.filter((r) => r.kind === 'refusal' && r.status === 'open').map((r) => r.application_id!));
    return { items: rows.map((r) => this.#view(actor, r, bounds, refusals)), total };
  }

  async #visible(actor: Actor, id: string): Promise<repo.ObjectionRow> {
    const row = await repo.findObjection(this.#k, id);
    if (!row) throw E.notFound(id);
    const p = partiesOf(actor, row);
    if (!(p.applicant || p.provider || p.authority)) throw E.notFound(id);
    return row;
  }

  async #load(actor: Actor, id: string, clock: DeadlineClock): Promise<Objection> {
    const row = (await repo.findObjection(this.#k, id))!;
    const refusals = row.kind === 'refusal' && row.status === 'open' ? await this.#refusals([row.application_id!]) : new Map();
    return this.#view(actor, row, this.#deadlines.bounds(clock.calendar, clock.today), refusals);
  }

  #view(actor: Actor, row: repo.ObjectionRow, bounds: DeadlineBounds, refusals: ReadonlyMap<string, { signer: string | null }>): Objection {
    const p = partiesOf(actor, row);
    const open = row.status === 'open';
    const signedRefusal = row.application_id !== null && actor.type === 'user' && refusals.get(row.application_id)?.signer === actor.id;
    return {
      id: row.id,
      kind: row.kind,
      status: row.status,
      grantId: row.grant_id,
      applicationId: row.application_id,
      catalog: { id: row.catalog_entry_id, code: row.catalog_code, name: row.catalog_name },
      objector: { organisationId: row.objector_org_id, organisationName: row.objector_org_name, userId: row.objector_user_id, displayName: row.objector_user_name },
      providerId: row.provider_org_id,
      providerName: row.provider_name,
      authorityId: row.authority_org_id,
      recordKeys: row.record_keys,
      items: row.items,
      description: row.description,
      dueDate: open ? row.due_date : null,
      deadlineState: open ? this.#deadlines.state(row.due_date, bounds) : null,
      escalatedAt: row.escalated_at?.toISOString() ?? null,
      outcome: row.outcome,
      outcomeComment: row.outcome_comment,
      decidedBy: row.decided_by_user_id ? { id: row.decided_by_user_id, displayName: row.decided_by_name ?? '' } : null,
      decidedAt: row.decided_at?.toISOString() ?? null,
      can: { resolve: open && row.kind === 'data' && p.provider, arbitrate: open && row.kind === 'refusal' && p.authority && !signedRefusal, withdraw: open && p.applicant },
      createdAt: row.created_at.toISOString(),
    };
  }

  async #names(user: UserActor): Promise<[string, string]> {
    const [me, organisation] = await Promise.all([this.#identity.me(user), this.#identity.getOrganisation(user, user.organisationId)]);
    return [me.displayName, organisation.name];
  }

  // ---------------------------------------------------------------- deadlines

  /**
   * Reminds the holder (the provider, or the arbitrating authority) once when at most two working
   * days are left, and escalates once after the due date — a data objection to the authority
   * responsible for the provider (督办). Housekeeping runs it on every replica; tests pass `today`.
   */
  async sweep(today?: string): Promise<{ reminded: number; escalated: number }> {
    return sweepDue({
      db: this.#db,
      deadlines: this.#deadlines,
      today,
      table: 'share_objections',
      openStatus: 'open',
      load: (trx, ids) => repo.findObjections(trx, ids),
      send: (trx, stage, row, clock, day) => this.#sendDeadline(trx, stage, row, clock, day),
    });
  }

  async #sendDeadline(trx: Trx, stage: 'reminder' | 'escalation', row: repo.ObjectionRow, clock: DeadlineClock, today: string): Promise<void> {
    const authority: NotificationInput['to'] = row.authority_org_id ? [{ organisationId: row.authority_org_id, role: 'data_authority' }] : [];
    const approvers: NotificationInput['to'] = [{ organisationId: row.provider_org_id, role: 'provider_approver' }];
    const holder = row.kind === 'refusal' ? authority : approvers;
    const to = stage === 'reminder' ? holder : row.kind === 'refusal' ? authority : [...authority, ...approvers];
    const extra = stage === 'reminder' ? { workingDaysLeft: clock.calendar.workingDaysBetween(today, row.due_date) } : {};
    await this.#notify(trx, stage === 'reminder' ? 'objection.reminder' : 'objection.escalated', row, null, to, { dueDate: row.due_date, ...extra });
    await appendLedger(trx, {
      actor: SWEEP_ACTOR,
      action: stage === 'reminder' ? 'sharing.objection.remind' : 'sharing.objection.escalate',
      subject: { type: 'share_objection', id: row.id },
      payload: { kind: row.kind, code: row.catalog_code, dueDate: row.due_date, today, authorityId: row.authority_org_id },
    });
  }

  // ---------------------------------------------------------------- notifications

  #params(row: repo.ObjectionRow, extra: Record<string, unknown>): Record<string, unknown> {
    return { objectionId: row.id, kind: row.kind, code: row.catalog_code, name: row.catalog_name, objector: row.objector_org_name, provider: row.provider_name, ...extra };
  }

  async #notify(trx: Executor, kind: ObjectionNotificationKind, row: repo.ObjectionRow, actor: UserActor | null, to: NotificationInput['to'], params: Record<string, unknown>): Promise<void> {
    await this.#notifications.notify(trx, {
      kind,
      params: this.#params(row, params),
      link: `/sharing/objections/${row.id}`,
      subject: { type: 'share_objection', id: row.id },
      to,
      except: actor ? [actor.id] : [],
    });
  }
}
