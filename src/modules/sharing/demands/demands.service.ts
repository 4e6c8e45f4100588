import { hasRole, systemActor, type Actor, type UserActor } from '../../../core/auth/actor.js';
import { addCalendarDays, isValidDate } from '../../../core/calendar/index.js';
import type { Db } from '../../../core/db/db.js';
import type { Executor, Trx } from '../../../core/db/database.js';
import { AppError, forbidden } from '../../../core/errors.js';
import type { Paging } from '../../../core/http/schemas.js';
import { appendLedger } from '../../../core/ledger/ledger.js';
import type { CatalogService } from '../../catalog/index.js';
import type { IdentityService } from '../../identity/index.js';
import type { NotificationInput, Notifier } from '../../notifications/index.js';
import type { CalendarService } from '../../platform/index.js';
import { entryInForce } from '../sharing.apply.js';
import { SharingDeadlines, type DeadlineClock } from '../sharing.deadlines.js';
import { sharingErrors } from '../sharing.errors.js';
import { ANSWER_WORKING_DAYS } from '../sharing.types.js';
import { cleanList, sweepDue } from './deadline-sweep.js';
import { demandErrors as E } from './demands.errors.js';
import type { DemandNotificationKind } from './demands.notifications.js';
import * as repo from './demands.repository.js';
import type { Demand, DemandAnswerInput, DemandInput, DemandStatus } from './demands.types.js';
import { optionalText, requiredText, TITLE_MAX } from './texts.js';

export interface DemandServiceOptions {
  db: Db;
  identity: Pick<IdentityService, 'me' | 'getOrganisation' | 'responsibleAuthority'>;
  catalog: Pick<CatalogService, 'get' | 'versions'>;
  calendar: Pick<CalendarService, 'calendar'>;
  notifications: Notifier;
  now?: (() => Date) | undefined;
}

export type DemandListScope = 'mine' | 'routing' | 'assigned';

/** At most this many wished-for items, each at most this long. */
export const DEMAND_ITEMS_MAX = 100;
export const DEMAND_ITEM_LENGTH = 100;
const SWEEP_ACTOR = systemActor('sharing demand deadlines');

/** Who takes part in a demand (others get 404). */
interface DemandParties {
  /** A consumer of the requesting organisation. */
  requester: boolean;
  /** A data_authority of the authority responsible for the requester. */
  authority: boolean;
  /** A provider_approver of the organisation it is routed to now. */
  provider: boolean;
  /** A provider_approver of an organisation it was routed to before (it answered, and keeps reading). */
  pastProvider: boolean;
}

function partiesOf(actor: Actor, row: repo.DemandRow): DemandParties {
  if (actor.type !== 'user') return { requester: false, authority: false, provider: false, pastProvider: false };
  const approver = hasRole(actor, 'provider_approver');
  return {
    requester: actor.organisationId === row.requester_org_id && hasRole(actor, 'consumer'),
    authority: row.authority_org_id !== null && actor.organisationId === row.authority_org_id && hasRole(actor, 'data_authority'),
    provider: approver && row.provider_org_id !== null && actor.organisationId === row.provider_org_id,
    pastProvider: approver && row.routed_org_ids.includes(actor.organisationId),
  };
}

/** A provider the demand was routed to before, and nothing more: it reads only its own part. */
const onlyPastProvider = (p: DemandParties): boolean => p.pastProvider && !p.provider && !p.requester && !p.authority;
const isOpen = (row: repo.DemandRow): boolean => row.status === 'submitted' || row.status === 'routed' || isRoutableAgain(row);
const isRoutableAgain = (row: repo.DemandRow): boolean => row.status === 'answered' && row.answer_kind === 'not_held';
const routable = (row: repo.DemandRow): boolean => row.status === 'submitted' || isRoutableAgain(row);

/**
 * Demands (数据需求, Guideline 四(四): 共享需求统一受理、数据供需统一对接). A consumer asks for data no
 * catalog entry describes; the data authority responsible for the requester routes the demand to
 * the organisation that holds the data, which answers within 10 working days — an entry of its own
 * (to apply for), a date by which it will catalog one, or a reasoned "not held", after which the
 * authority may route it elsewhere. Every step commits with its ledger entry, its notifications and
 * its line in the timeline; reminders and escalations are swept like applications'.
 *
 * @example
 *   const d = await demands.file(consumer, { title: '企业用水数据', description: '…', purpose: '…' });
 *   await demands.route(authority, d.id, { providerOrgId: waterOrgId });
 *   await demands.answer(approver, d.id, { kind: 'planned', plannedDate: '2027-03-31', comment: '正在编目' });
 */
export class DemandService {
  readonly #db: Db;
  readonly #identity: DemandServiceOptions['identity'];
  readonly #catalog: DemandServiceOptions['catalog'];
  readonly #notifications: Notifier;
  readonly #now: () => Date;
  readonly #deadlines: SharingDeadlines;

  constructor(options: DemandServiceOptions) {
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

  /** A consumer files a demand; the authority responsible for its organisation is told. */
  async file(actor: Actor, input: DemandInput): Promise<Demand> {
    const user = requireRole(actor, 'consumer');
    const title = requiredText('title', input.title, TITLE_MAX);
    const description = requiredText('description', input.description);
    const purpose = requiredText('purpose', input.purpose);
    const legalBasis = optionalText('legalBasis', input.legalBasis);
    const items = cleanList(input.items);
    if (items.length > DEMAND_ITEMS_MAX || items.some((i) => i.length > DEMAND_ITEM_LENGTH)) throw E.itemsInvalid(DEMAND_ITEMS_MAX, DEMAND_ITEM_LENGTH);
    const clock = await this.#deadlines.clock();
    if (input.expectedBy !== undefined) {
      const earliest = addCalendarDays(clock.today, 1);
      if (!isValidDate(input.expectedBy) || input.expectedBy < earliest) throw E.expectedByInvalid(String(input.expectedBy), earliest);
    }
    const authority = await this.#identity.responsibleAuthority(user.organisationId);
    if (!authority) throw E.noAuthority();
    const [me, organisation] = await Promise.all([this.#identity.me(user), this.#identity.getOrganisation(user, user.organisationId)]);
    const id = await this.#db.kysely.transaction().execute(async (trx) => {
      const row = await repo.insertDemand(trx, {
        requester_org_id: user.organisationId,
        requester_org_name: organisation.name,
        requester_user_id: user.id,
        requester_user_name: me.displayName,
        title,
        description,
        items,
        purpose,
        legal_basis: legalBasis,
        expected_by: input.expectedBy ?? null,
        authority_org_id: authority.id,
        created_at: clock.now,
      });
      await repo.insertStep(trx, { demand_id: row.id, step: 'submitted', actor_user_id: user.id, actor_name: me.displayName, organisation_id: user.organisationId, organisation_name: organisation.name, details: {}, at: clock.now });
      await appendLedger(trx, {
        actor: user,
        action: 'sharing.demand.create',
        subject: { type: 'share_demand', id: row.id },
        payload: { title, items, purpose, legalBasis, expectedBy: row.expected_by, authorityId: authority.id },
      });
      await this.#notify(trx, 'demand.submitted', row, user, [{ organisationId: authority.id, role: 'data_authority' }], {});
      return row.id;
    });
    return this.#load(user, id, clock);
  }

  // ---------------------------------------------------------------- routing and answering

  /**
   * The authority routes the demand to the organisation that holds the data: due in 10 working
   * days, the provider's approvers told. Again after a not_held answer (to another organisation).
   */
  async route(actor: Actor, id: string, input: { providerOrgId: string; comment?: string | undefined }): Promise<Demand> {
    const before = await this.#visible(actor, id);
    const parties = partiesOf(actor, before);
    if (!parties.authority) throw E.notAuthority();
    if (!routable(before)) throw E.notRoutable(before.status);
    const user = actor as UserActor;
    const comment = optionalText('comment', input.comment);
    if (input.providerOrgId === before.requester_org_id) throw E.providerInvalid(input.providerOrgId, 'requester');
    let providerName: string;
    try {
      providerName = (await this.#identity.getOrganisation(user, input.providerOrgId)).name;
    } catch (err) {
      if (err instanceof AppError && err.status === 404) throw E.providerInvalid(input.providerOrgId, 'unknown');
      throw err;
    }
    // Only to an organisation the routing authority is responsible for (its own included): another
    // jurisdiction's data is asked for through that jurisdiction's authority, which is not modelled.
    if ((await this.#identity.responsibleAuthority(input.providerOrgId))?.id !== before.authority_org_id) throw E.providerInvalid(input.providerOrgId, 'outside');
    const [me, organisation] = await this.#names(user);
    const clock = await this.#deadlines.clock();
    const dueDate = clock.calendar.addWorkingDays(clock.today, ANSWER_WORKING_DAYS);
    await this.#db.kysely.transaction().execute(async (trx) => {
      const row = (await repo.findDemand(trx, id, true))!;
      if (!routable(row)) throw E.notRoutable(row.status);
      const next = await repo.updateDemand(trx, id, {
        status: 'routed',
        provider_org_id: input.providerOrgId,
        provider_name: providerName,
        routed_org_ids: [...new Set([...row.routed_org_ids, input.providerOrgId])],
        due_date: dueDate,
        reminded_at: null,
        escalated_at: null,
        updated_at: clock.now,
      });
      await repo.insertStep(trx, {
        demand_id: id,
        step: 'routed',
        actor_user_id: user.id,
        actor_name: me,
        organisation_id: user.organisationId,
        organisation_name: organisation,
        details: { providerOrgId: input.providerOrgId, providerName, dueDate, comment, ...(row.status === 'answered' ? { again: true } : {}) },
        at: clock.now,
      });
      await appendLedger(trx, {
        actor: user,
        action: 'sharing.demand.route',
        subject: { type: 'share_demand', id },
        payload: { from: row.status, providerId: input.providerOrgId, dueDate, comment },
      });
      await this.#notify(trx, 'demand.routed', next, user, [{ organisationId: input.providerOrgId, role: 'provider_approver' }], { dueDate, comment });
    });
    return this.#load(user, id, clock);
  }

  /** The provider's approver answers: an entry of its own, a planned date, or not held (with a reason). */
  async answer(actor: Actor, id: string, input: DemandAnswerInput): Promise<Demand> {
    const before = await this.#visible(actor, id);
    if (!partiesOf(actor, before).provider) throw E.notProvider();
    if (before.status !== 'routed') throw E.notRouted(before.status);
    const user = actor as UserActor;
    const clock = await this.#deadlines.clock();
    const answer = await this.#checkAnswer(user, before, input, clock.today);
    const [me, organisation] = await this.#names(user);
    await this.#db.kysely.transaction().execute(async (trx) => {
      const row = (await repo.findDemand(trx, id, true))!;
      if (row.status !== 'routed' || row.provider_org_id !== user.organisationId) throw E.notRouted(row.status);
      const next = await repo.updateDemand(trx, id, {
        status: 'answered',
        answer_kind: input.kind,
        answer_catalog_id: answer.catalog?.id ?? null,
        answer_catalog_code: answer.catalog?.code ?? null,
        answer_catalog_name: answer.catalog?.name ?? null,
        answer_planned_date: answer.plannedDate,
        answer_text: answer.text,
        answered_at: clock.now,
        due_date: null,
        updated_at: clock.now,
      });
      const details = {
        kind: input.kind,
        ...(answer.catalog ? { catalogId: answer.catalog.id, catalogCode: answer.catalog.code, catalogName: answer.catalog.name } : {}),
        ...(answer.plannedDate ? { plannedDate: answer.plannedDate } : {}),
        ...(input.kind === 'not_held' ? { reason: answer.text } : { comment: answer.text }),
      };
      await repo.insertStep(trx, { demand_id: id, step: 'answered', actor_user_id: user.id, actor_name: me, organisation_id: user.organisationId, organisation_name: organisation, details, at: clock.now });
      await appendLedger(trx, { actor: user, action: 'sharing.demand.answer', subject: { type: 'share_demand', id }, payload: { providerId: user.organisationId, ...details } });
      // The requester learns the answer; the authority too (after not_held it routes again).
      const to: NotificationInput['to'] = [
        { userId: next.requester_user_id },
        ...(next.authority_org_id ? [{ organisationId: next.authority_org_id, role: 'data_authority' } as const] : []),
      ];
      await this.#notify(trx, 'demand.answered', next, user, to, { provider: next.provider_name, ...details });
    });
    return this.#load(user, id, clock);
  }

  async #checkAnswer(
    user: UserActor,
    row: repo.DemandRow,
    input: DemandAnswerInput,
    today: string,
  ): Promise<{ catalog: { id: string; code: string; name: string } | null; plannedDate: string | null; text: string | null }> {
    switch (input.kind) {
      case 'entry': {
        if (input.catalogId === undefined || input.catalogId.trim() === '') throw E.answerIncomplete('entry', 'catalogId');
        const entry = await entryInForce(this.#catalog, user, input.catalogId);
        if (entry.providerId !== row.provider_org_id) throw E.entryNotProviders(input.catalogId);
        // An entry that is not shared would not meet the demand: answer not_held with its basis instead.
        if (entry.shareType === 'none') throw sharingErrors.entryNotShared(entry.nonShareBasis);
        return { catalog: { id: entry.id, code: entry.code, name: entry.name }, plannedDate: null, text: optionalText('comment', input.comment) };
      }
      case 'planned': {
        if (input.plannedDate === undefined) throw E.answerIncomplete('planned', 'plannedDate');
        const earliest = addCalendarDays(today, 1);
        const latest = addCalendarDays(today, 366);
        if (!isValidDate(input.plannedDate) || input.plannedDate < earliest || input.plannedDate > latest) {
          throw E.plannedDateInvalid(String(input.plannedDate), earliest, latest);
        }
        return { catalog: null, plannedDate: input.plannedDate, text: requiredText('comment', input.comment) };
      }
      case 'not_held':
        return { catalog: null, plannedDate: null, text: requiredText('reason', input.reason) };
    }
  }

  /** The requester's consumer takes the demand back while it is open (not yet met). */
  async withdraw(actor: Actor, id: string, input: { reason?: string | undefined }): Promise<Demand> {
    const before = await this.#visible(actor, id);
    if (!partiesOf(actor, before).requester) throw E.notRequester();
    if (!isOpen(before)) throw E.closed(before.status);
    const user = actor as UserActor;
    const reason = optionalText('reason', input.reason);
    const [me, organisation] = await this.#names(user);
    const clock = await this.#deadlines.clock();
    await this.#db.kysely.transaction().execute(async (trx) => {
      const row = (await repo.findDemand(trx, id, true))!;
      if (!isOpen(row)) throw E.closed(row.status);
      const next = await repo.updateDemand(trx, id, { status: 'withdrawn', due_date: null, updated_at: clock.now });
      await repo.insertStep(trx, { demand_id: id, step: 'withdrawn', actor_user_id: user.id, actor_name: me, organisation_id: user.organisationId, organisation_name: organisation, details: { reason }, at: clock.now });
      await appendLedger(trx, { actor: user, action: 'sharing.demand.withdraw', subject: { type: 'share_demand', id }, payload: { from: row.status, reason } });
      // Whoever holds it now: the provider while routed, else the authority.
      const holder: NotificationInput['to'] =
        row.status === 'routed' && row.provider_org_id
          ? [{ organisationId: row.provider_org_id, role: 'provider_approver' }]
          : row.authority_org_id
            ? [{ organisationId: row.authority_org_id, role: 'data_authority' }]
            : [];
      await this.#notify(trx, 'demand.withdrawn', next, user, holder, { reason });
    });
    return this.#load(user, id, clock);
  }

  // ---------------------------------------------------------------- reading

  /** One demand with its timeline, for its parties (others: 404). */
  async get(actor: Actor, id: string): Promise<Demand> {
    await this.#visible(actor, id);
    return this.#load(actor, id, await this.#deadlines.clock());
  }

  /**
   * mine: the caller's organisation's demands (consumer); routing: those its authority routes
   * (data_authority), waiting ones first; assigned: those routed to its organisation now
   * (provider_approver), the most urgent first. Without a scope: the first the caller's roles allow.
   */
  async list(actor: Actor, query: { scope?: DemandListScope | undefined; status?: DemandStatus | undefined }, page: Paging): Promise<{ items: Demand[]; total: number }> {
    if (actor.type !== 'user') throw forbidden();
    const roleOf = { mine: 'consumer', routing: 'data_authority', assigned: 'provider_approver' } as const;
    const scope = query.scope ?? (['mine', 'routing', 'assigned'] as const).find((s) => actor.roles.includes(roleOf[s])) ?? 'mine';
    if (!actor.roles.includes(roleOf[scope])) throw forbidden();
    const clock = await this.#deadlines.clock();
    const { rows, total } = await repo.listDemands(this.#k, { kind: scope, organisationId: actor.organisationId }, query.status, page);
    const bounds = this.#deadlines.bounds(clock.calendar, clock.today);
    return { items: rows.map((r) => this.#view(actor, r, bounds)), total };
  }

  async #visible(actor: Actor, id: string): Promise<repo.DemandRow> {
    const row = await repo.findDemand(this.#k, id);
    if (!row) throw E.notFound(id);
    const p = partiesOf(actor, row);
    if (!(p.requester || p.authority || p.provider || p.pastProvider)) throw E.notFound(id);
    return row;
  }

  async #load(actor: Actor, id: string, clock: DeadlineClock): Promise<Demand> {
    const row = (await repo.findDemand(this.#k, id))!;
    let steps = await repo.listSteps(this.#k, id);
    const view = this.#view(actor, row, this.#deadlines.bounds(clock.calendar, clock.today));
    if (onlyPastProvider(partiesOf(actor, row))) {
      // A past provider keeps reading what it took part in: the routing to it and its own steps.
      const org = (actor as UserActor).organisationId;
      steps = steps.filter((s) => s.step === 'submitted' || s.organisation_id === org || (s.step === 'routed' && s.details.providerOrgId === org));
    }
    view.timeline = steps.map((s) => ({
      step: s.step,
      actor: s.actor_user_id ? { id: s.actor_user_id, displayName: s.actor_name ?? '' } : null,
      organisationId: s.organisation_id,
      organisationName: s.organisation_name,
      details: s.details,
      at: s.at.toISOString(),
    }));
    return view;
  }

  #view(actor: Actor, row: repo.DemandRow, bounds: { today: string; soonLimit: string }): Demand {
    const p = partiesOf(actor, row);
    const routed = row.status === 'routed';
    if (onlyPastProvider(p)) {
      // Where the demand went next and what others answered is not a past provider's business.
      return {
        ...this.#full(p, row, bounds, routed),
        provider: null,
        dueDate: null,
        deadlineState: null,
        escalatedAt: null,
        answer: null,
      };
    }
    return this.#full(p, row, bounds, routed);
  }

  #full(p: DemandParties, row: repo.DemandRow, bounds: { today: string; soonLimit: string }, routed: boolean): Demand {
    return {
      id: row.id,
      status: row.status,
      title: row.title,
      description: row.description,
      items: row.items,
      purpose: row.purpose,
      legalBasis: row.legal_basis,
      expectedBy: row.expected_by,
      requester: { organisationId: row.requester_org_id, organisationName: row.requester_org_name, userId: row.requester_user_id, displayName: row.requester_user_name },
      authorityId: row.authority_org_id,
      provider: row.provider_org_id ? { organisationId: row.provider_org_id, name: row.provider_name ?? '' } : null,
      dueDate: routed ? row.due_date : null,
      deadlineState: routed && row.due_date ? this.#deadlines.state(row.due_date, bounds) : null,
      escalatedAt: row.escalated_at?.toISOString() ?? null,
      answer:
        row.answer_kind && row.answered_at
          ? {
              kind: row.answer_kind,
              catalog: row.answer_catalog_id ? { id: row.answer_catalog_id, code: row.answer_catalog_code ?? '', name: row.answer_catalog_name ?? '' } : null,
              plannedDate: row.answer_planned_date,
              text: row.answer_text,
              answeredAt: row.answered_at.toISOString(),
            }
          : null,
      can: { route: p.authority && routable(row), answer: p.provider && routed, withdraw: p.requester && isOpen(row) },
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  async #names(user: UserActor): Promise<[string, string]> {
    const [me, organisation] = await Promise.all([this.#identity.me(user), this.#identity.getOrganisation(user, user.organisationId)]);
    return [me.displayName, organisation.name];
  }

  // ---------------------------------------------------------------- deadlines

  /**
   * Reminds the provider once when at most two working days are left, and escalates once to the
   * authority (督办) after the due date; housekeeping runs it on every replica, tests pass `today`.
   */
  async sweep(today?: string): Promise<{ reminded: number; escalated: number }> {
    return sweepDue({
      db: this.#db,
      deadlines: this.#deadlines,
      today,
      table: 'share_demands',
      openStatus: 'routed',
      load: (trx, ids) => repo.findDemands(trx, ids),
      send: (trx, stage, row, clock, day) => this.#sendDeadline(trx, stage, row, clock, day),
    });
  }

  async #sendDeadline(trx: Trx, stage: 'reminder' | 'escalation', row: repo.DemandRow, clock: DeadlineClock, today: string): Promise<void> {
    const dueDate = row.due_date!;
    const approvers = { organisationId: row.provider_org_id!, role: 'provider_approver' } as const;
    const details: Record<string, unknown> =
      stage === 'reminder' ? { dueDate, workingDaysLeft: clock.calendar.workingDaysBetween(today, dueDate) } : { dueDate, providerOrgId: row.provider_org_id, providerName: row.provider_name };
    await repo.insertStep(trx, { demand_id: row.id, step: stage === 'reminder' ? 'reminded' : 'escalated', actor_user_id: null, actor_name: null, organisation_id: null, organisation_name: null, details, at: clock.now });
    const to: NotificationInput['to'] =
      stage === 'reminder' ? [approvers] : [...(row.authority_org_id ? [{ organisationId: row.authority_org_id, role: 'data_authority' } as const] : []), approvers];
    await this.#notify(trx, stage === 'reminder' ? 'demand.reminder' : 'demand.escalated', row, null, to, { provider: row.provider_name, ...details });
    await appendLedger(trx, {
      actor: SWEEP_ACTOR,
      action: stage === 'reminder' ? 'sharing.demand.remind' : 'sharing.demand.escalate',
      subject: { type: 'share_demand', id: row.id },
      payload: { providerId: row.provider_org_id, dueDate, today, authorityId: row.authority_org_id },
    });
  }

  // ---------------------------------------------------------------- notifications

  async #notify(trx: Executor, kind: DemandNotificationKind, row: repo.DemandRow, actor: UserActor | null, to: NotificationInput['to'], params: Record<string, unknown>): Promise<void> {
    await this.#notifications.notify(trx, {
      kind,
      params: { demandId: row.id, title: row.title, requester: row.requester_org_name, ...params },
      link: `/sharing/demands/${row.id}`,
      subject: { type: 'share_demand', id: row.id },
      to,
      except: actor ? [actor.id] : [],
    });
  }
}

function requireRole(actor: Actor, role: 'consumer'): UserActor {
  if (actor.type !== 'user' || !actor.roles.includes(role)) throw forbidden();
  return actor;
}
