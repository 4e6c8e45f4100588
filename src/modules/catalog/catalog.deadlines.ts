import type { Actor, UserActor } from '../../core/auth/actor.js';
import { hasRole, systemActor } from '../../core/auth/actor.js';
import { isValidDate, todayInShanghai, WorkingDayCalendar } from '../../core/calendar/index.js';
import type { Db } from '../../core/db/db.js';
import type { Executor, Trx } from '../../core/db/database.js';
import { forbidden, InputError, NotAllowedError, NotFoundError } from '../../core/errors.js';
import type { Paging } from '../../core/http/schemas.js';
import { appendLedger } from '../../core/ledger/ledger.js';
import type { NotificationInput, Notifier } from '../notifications/index.js';
import type { CalendarService } from '../platform/index.js';
import * as repo from './catalog.deadlines.repository.js';
import type { CatalogNotificationKind } from './catalog.deadlines.notifications.js';
import { catalogErrors as E } from './catalog.errors.js';
import { isInsider } from './catalog.policy.js';
import * as entries from './catalog.repository.js';

export type { DeadlineKind, DeadlineStateFilter, ResourceKind } from './catalog.deadlines.repository.js';

/** The Guideline 四(二)3 periods, in working days; configurable per node (CatalogOptions.deadlineRules). */
export interface DeadlineRules {
  /** A deadline is the `workingDays`-th working day after its trigger (20). */
  workingDays: number;
  /** An open deadline is due soon when at most this many working days are left (5). */
  dueSoonWorkingDays: number;
}

export const DEFAULT_DEADLINE_RULES: DeadlineRules = { workingDays: 20, dueSoonWorkingDays: 5 };

export type DeadlineState = 'open' | 'due_soon' | 'overdue' | 'met' | 'missed';

export interface Deadline {
  id: string;
  kind: repo.DeadlineKind;
  entry: { id: string; code: string; name: string };
  provider: { id: string; name: string };
  startedOn: string;
  dueOn: string;
  closedAt: string | null;
  closedReason: string | null;
  state: DeadlineState;
  /** Working days from today (or, once closed, from the closing day) to the due date; negative when late. */
  workingDaysLeft: number;
}

export interface LinkedResource {
  resourceId: string;
  kind: repo.ResourceKind;
  name: string;
  linkedAt: string;
}

export interface DeadlineSummary {
  /** Every open deadline, including the due-soon and overdue ones. */
  open: number;
  dueSoon: number;
  overdue: number;
}

export interface CatalogDeadlinesOptions {
  db: Db;
  /** The working-day calendar with the administrator's overrides; without it, the official schedule only. */
  calendar?: Pick<CalendarService, 'calendar'> | undefined;
  notifications?: Notifier | undefined;
  now?: (() => Date) | undefined;
  rules?: Partial<DeadlineRules> | undefined;
}

/**
 * What a transition needs to set deadlines, read before its transaction opens (on PGlite the
 * transaction holds the only connection, and the calendar reads its overrides from the database).
 */
export interface DeadlineClock {
  now: Date;
  /** The date in China at `now`. */
  today: string;
  calendar: WorkingDayCalendar;
}

/** Why a deadline closed. */
export type CloseReason = 'resource_linked' | 'resubmitted' | 'retired' | 'not_required';

const SWEEP_BATCH = 200;
const SWEEP_ACTOR = systemActor('catalog deadline reminders');
const RESOURCE_FORMATS: readonly string[] = ['table', 'api'];
const RESOURCE_KINDS: readonly string[] = ['table', 'api', 'file'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const deadlineErrors = {
  notInsider: () =>
    new NotAllowedError(
      'NOT_PROVIDER_OR_REVIEWER',
      'Only the provider and its reviewing authority see the deadlines of an entry',
      '只有目录提供部门及其审核部门可以查看目录的办理期限',
    ),
  resourceInvalid: () =>
    new InputError('RESOURCE_LINK_INVALID', 'A linked resource needs a UUID, a kind (table, api, file) and a name', '关联的数据资源须有 UUID、类型（table、api、file）和名称'),
  resourceNotLinked: (resourceId: string) =>
    new NotFoundError('RESOURCE_NOT_LINKED', `Resource ${resourceId} is not linked to this entry`, `数据资源 ${resourceId} 未关联到此目录`, { resourceId }),
};

/**
 * Deadlines of the Guideline 四(二)3 and the resources linked to entries (目录—数据), as a part of
 * the catalog: a published `table`/`api` entry with no linked resource must get one, and a returned
 * entry must be resubmitted, within 20 working days. The catalog's transitions call the `on*` hooks
 * inside their own transaction, so deadlines, notifications and ledger entries commit with the change.
 * `sweep` sends the due-soon and overdue reminders, each once, from any number of replicas.
 *
 * @example
 *   const clock = await deadlines.clock();            // before the transaction
 *   await db.kysely.transaction().execute(async (trx) => {
 *     // ... approve the entry ...
 *     await deadlines.onApproved(trx, clock, actor, entry);
 *   });
 */
export class CatalogDeadlines {
  readonly #db: Db;
  readonly #calendar: CatalogDeadlinesOptions['calendar'];
  readonly #notifications: Notifier | undefined;
  readonly #now: () => Date;
  readonly rules: DeadlineRules;
  #officialCalendar: WorkingDayCalendar | undefined;

  constructor(options: CatalogDeadlinesOptions) {
    this.#db = options.db;
    this.#calendar = options.calendar;
    this.#notifications = options.notifications;
    this.#now = options.now ?? (() => new Date());
    this.rules = { ...DEFAULT_DEADLINE_RULES, ...options.rules };
    for (const [key, value] of Object.entries(this.rules)) {
      if (!Number.isInteger(value) || value < 1 || value > 365) throw new RangeError(`deadline rule ${key} must be an integer in 1..365: ${value}`);
    }
  }

  async clock(): Promise<DeadlineClock> {
    const now = this.#now();
    const calendar = this.#calendar ? await this.#calendar.calendar() : (this.#officialCalendar ??= new WorkingDayCalendar());
    return { now, today: todayInShanghai(now), calendar };
  }

  // ---------------------------------------------------------------- transition hooks (inside the caller's transaction)

  /** A draft was submitted: a running resubmission deadline is met (or missed); the authority is told. */
  async onSubmitted(trx: Trx, clock: DeadlineClock, actor: Actor, entry: entries.EntryRow, authorityId: string): Promise<void> {
    await this.#closeOpen(trx, clock, actor, entry, 'resubmit', 'resubmitted');
    const info = await repo.versionInfo(trx, entry.id, entry.version);
    await this.#notify(trx, 'catalog.submitted', entry, actor, {
      params: { provider: entry.provider_name, name: info?.name ?? '', version: entry.version },
      to: [{ organisationId: authorityId, role: 'data_authority' }],
    });
  }

  /** An entry was returned: it must be resubmitted within the period; the provider's editors are told. */
  async onReturned(trx: Trx, clock: DeadlineClock, actor: Actor, entry: entries.EntryRow, reasons: number): Promise<void> {
    const deadline = await this.#open(trx, clock, actor, entry, 'resubmit', entry.version);
    const info = await repo.versionInfo(trx, entry.id, entry.version);
    await this.#notify(trx, 'catalog.returned', entry, actor, {
      params: { name: info?.name ?? '', version: entry.version, reasons, dueOn: deadline.due_on },
      to: [{ organisationId: entry.provider_id, role: 'catalog_editor' }],
    });
  }

  /**
   * A version was approved. A `table` or `api` entry with no linked resource must get one within the
   * period (a deadline already running keeps its date); an entry whose format no longer needs one has
   * its running deadline closed. The provider's editors are told.
   */
  async onApproved(trx: Trx, clock: DeadlineClock, actor: Actor, entry: entries.EntryRow): Promise<void> {
    const info = await repo.versionInfo(trx, entry.id, entry.version);
    let linkDueOn: string | undefined;
    if (info && RESOURCE_FORMATS.includes(info.format)) {
      if ((await repo.countLinked(trx, entry.id)) === 0) linkDueOn = (await this.#open(trx, clock, actor, entry, 'link_resource', entry.version)).due_on;
    } else {
      await this.#closeOpen(trx, clock, actor, entry, 'link_resource', 'not_required');
    }
    await this.#notify(trx, 'catalog.published', entry, actor, {
      params: { name: info?.name ?? '', version: entry.version, ...(linkDueOn ? { linkDueOn } : {}) },
      to: [{ organisationId: entry.provider_id, role: 'catalog_editor' }],
    });
  }

  /** A retired entry owes nothing: its running deadlines close. */
  async onRetired(trx: Trx, clock: DeadlineClock, actor: Actor, entry: entries.EntryRow): Promise<void> {
    await this.#closeOpen(trx, clock, actor, entry, undefined, 'retired');
  }

  // ---------------------------------------------------------------- linked resources (for the resources module)

  /**
   * Links a data resource to an entry (目录—数据): by the node itself (system actor) or on behalf of
   * the provider organisation. Linking the same resource again only refreshes its kind and name. A
   * running link_resource deadline closes, met or missed by the date.
   */
  async linkResource(actor: Actor, idOrCode: string, input: { resourceId: string; kind: repo.ResourceKind; name: string }): Promise<LinkedResource[]> {
    const name = input.name.trim();
    if (!UUID.test(input.resourceId) || !RESOURCE_KINDS.includes(input.kind) || name === '' || name.length > 500) throw deadlineErrors.resourceInvalid();
    const clock = await this.clock();
    return this.#db.kysely.transaction().execute(async (trx) => {
      const entry = await this.#entryForLinking(trx, actor, idOrCode);
      if (entry.status === 'retired') throw E.invalidTransition('link', entry.status);
      const resourceId = input.resourceId.toLowerCase();
      const existing = await repo.findLinked(trx, entry.id, resourceId);
      if (!existing || existing.kind !== input.kind || existing.name !== name) {
        await repo.upsertLinked(trx, { entry_id: entry.id, resource_id: resourceId, kind: input.kind, name, linked_by: actorId(actor), linked_at: clock.now });
        await appendLedger(trx, {
          actor,
          action: 'catalog.resource.link',
          subject: { type: 'catalog_entry', id: entry.id },
          payload: { code: entry.code, resourceId, kind: input.kind, name, relinked: existing !== undefined },
        });
      }
      await this.#closeOpen(trx, clock, actor, entry, 'link_resource', 'resource_linked');
      return (await repo.listLinked(trx, entry.id)).map(toResource);
    });
  }

  /**
   * Unlinks a resource. When an entry in force of format `table`/`api` is left with none, a new
   * link_resource deadline starts: the entry again lacks its data.
   */
  async unlinkResource(actor: Actor, idOrCode: string, resourceId: string): Promise<LinkedResource[]> {
    if (!UUID.test(resourceId)) throw deadlineErrors.resourceNotLinked(resourceId);
    const clock = await this.clock();
    return this.#db.kysely.transaction().execute(async (trx) => {
      const entry = await this.#entryForLinking(trx, actor, idOrCode);
      const id = resourceId.toLowerCase();
      const existing = await repo.findLinked(trx, entry.id, id);
      if (!existing || !(await repo.deleteLinked(trx, entry.id, id))) throw deadlineErrors.resourceNotLinked(resourceId);
      await appendLedger(trx, {
        actor,
        action: 'catalog.resource.unlink',
        subject: { type: 'catalog_entry', id: entry.id },
        payload: { code: entry.code, resourceId: id, kind: existing.kind, name: existing.name },
      });
      if (entry.published_version !== null && entry.status !== 'retired' && (await repo.countLinked(trx, entry.id)) === 0) {
        const inForce = await repo.versionInfo(trx, entry.id, entry.published_version);
        if (inForce && RESOURCE_FORMATS.includes(inForce.format)) await this.#open(trx, clock, actor, entry, 'link_resource', entry.published_version);
      }
      return (await repo.listLinked(trx, entry.id)).map(toResource);
    });
  }

  /** The resources linked to an entry, for whoever may see the entry. */
  async resources(actor: Actor, idOrCode: string): Promise<LinkedResource[]> {
    if (actor.type !== 'user') throw forbidden();
    const entry = await this.#visibleEntry(actor, idOrCode);
    return (await repo.listLinked(this.#db.kysely, entry.id)).map(toResource);
  }

  // ---------------------------------------------------------------- reads

  /**
   * Deadlines are internal management data: `mine` lists those of the caller's organisation's entries
   * (any signed-in user of the provider), `authority` those of entries the caller's organisation
   * reviews (data_authority users only). State `open` means every open deadline (also due-soon and
   * overdue ones); the summary counts the scope (and kind), whatever the state filter.
   */
  async list(
    actor: Actor,
    query: { scope?: 'mine' | 'authority' | undefined; state?: repo.DeadlineStateFilter | undefined; kind?: repo.DeadlineKind | undefined },
    page: Paging,
  ): Promise<{ items: Deadline[]; total: number; summary: DeadlineSummary }> {
    if (actor.type !== 'user') throw forbidden();
    let scope: repo.DeadlineScope = { providerId: actor.organisationId };
    if (query.scope === 'authority') {
      if (!hasRole(actor, 'data_authority')) throw forbidden();
      scope = { reviewerOrgId: actor.organisationId };
    }
    const clock = await this.clock();
    const bounds = this.bounds(clock.calendar, clock.today);
    const { rows, total } = await repo.listDeadlines(this.#db.kysely, scope, query, bounds, page);
    const summary = await repo.summarise(this.#db.kysely, scope, query, bounds);
    return { items: rows.map((r) => this.#toDeadline(r, clock, bounds)), total, summary };
  }

  /** Every deadline of one entry, for its provider and reviewing authority (others: 404 or 403). */
  async forEntry(actor: Actor, idOrCode: string): Promise<Deadline[]> {
    if (actor.type !== 'user') throw forbidden();
    const entry = await this.#visibleEntry(actor, idOrCode);
    if (!isInsider(actor, entry)) throw deadlineErrors.notInsider();
    const clock = await this.clock();
    const bounds = this.bounds(clock.calendar, clock.today);
    const { rows } = await repo.listDeadlines(this.#db.kysely, { entryId: entry.id }, {}, bounds, undefined);
    return rows.map((r) => this.#toDeadline(r, clock, bounds));
  }

  /** Open deadlines due before `today` are overdue; those due before `soonLimit` are due soon. */
  bounds(calendar: WorkingDayCalendar, today: string): repo.DeadlineBounds {
    return { today, soonLimit: calendar.addWorkingDays(today, this.rules.dueSoonWorkingDays + 1) };
  }

  // ---------------------------------------------------------------- reminders

  /**
   * Sends `catalog.deadline.overdue` (to the provider's editors and the reviewing authority) and
   * `catalog.deadline.due_soon` (to the provider's editors), each once per deadline. Safe to run from
   * several replicas at once: rows are claimed with a conditional update under SKIP LOCKED, and the
   * claim, the notifications and the ledger entries commit together. `today` is the China date to
   * judge by (tests inject it; housekeeping passes nothing).
   */
  async sweep(today?: string): Promise<{ dueSoon: number; overdue: number }> {
    const clock = await this.clock();
    const day = today ?? clock.today;
    if (!isValidDate(day)) throw new RangeError(`not a date: ${day}`);
    const bounds = this.bounds(clock.calendar, day);
    const sent = { dueSoon: 0, overdue: 0 };
    for (const stage of ['overdue', 'due_soon'] as const) {
      for (;;) {
        const claimed = await this.#db.kysely.transaction().execute(async (trx) => {
          const rows = await repo.claimReminders(trx, stage, bounds, clock.now, SWEEP_BATCH);
          for (const row of rows) await this.#remind(trx, stage, row, clock.calendar, day);
          return rows.length;
        });
        if (stage === 'overdue') sent.overdue += claimed;
        else sent.dueSoon += claimed;
        if (claimed < SWEEP_BATCH) break;
      }
    }
    return sent;
  }

  async #remind(trx: Trx, stage: 'due_soon' | 'overdue', row: repo.ClaimedDeadline, calendar: WorkingDayCalendar, today: string): Promise<void> {
    const entry = { id: row.entry_id, code: row.code, provider_id: row.provider_id };
    const params = { name: row.name, provider: row.provider_name, deadlineKind: row.kind, dueOn: row.due_on, deadlineId: row.id };
    if (stage === 'due_soon') {
      await this.#notify(trx, 'catalog.deadline.due_soon', entry, SWEEP_ACTOR, {
        params: { ...params, workingDaysLeft: calendar.workingDaysBetween(today, row.due_on) },
        to: [{ organisationId: row.provider_id, role: 'catalog_editor' }],
      });
    } else {
      await this.#notify(trx, 'catalog.deadline.overdue', entry, SWEEP_ACTOR, {
        params,
        to: [
          { organisationId: row.provider_id, role: 'catalog_editor' },
          ...(row.reviewer_org_id ? [{ organisationId: row.reviewer_org_id, role: 'data_authority' as const }] : []),
        ],
      });
    }
    await appendLedger(trx, {
      actor: SWEEP_ACTOR,
      action: 'catalog.deadline.remind',
      subject: { type: 'catalog_deadline', id: row.id },
      payload: { entryId: row.entry_id, code: row.code, kind: row.kind, stage, dueOn: row.due_on, today },
    });
  }

  // ---------------------------------------------------------------- helpers

  /** Opens a deadline of `kind` unless one is running, which is returned as it is. */
  async #open(
    trx: Trx,
    clock: DeadlineClock,
    actor: Actor,
    entry: Pick<entries.EntryRow, 'id' | 'code'>,
    kind: repo.DeadlineKind,
    version: number,
  ): Promise<repo.DeadlineRow> {
    const [running] = await repo.findOpenDeadlines(trx, entry.id, kind);
    if (running) return running;
    const dueOn = clock.calendar.addWorkingDays(clock.today, this.rules.workingDays);
    const row = await repo.insertDeadline(trx, { entry_id: entry.id, kind, version, started_on: clock.today, due_on: dueOn, created_at: clock.now });
    await appendLedger(trx, {
      actor,
      action: 'catalog.deadline.open',
      subject: { type: 'catalog_deadline', id: row.id },
      payload: { entryId: entry.id, code: entry.code, kind, version, startedOn: clock.today, dueOn, workingDays: this.rules.workingDays },
    });
    return row;
  }

  async #closeOpen(
    trx: Trx,
    clock: DeadlineClock,
    actor: Actor,
    entry: Pick<entries.EntryRow, 'id' | 'code'>,
    kind: repo.DeadlineKind | undefined,
    reason: CloseReason,
  ): Promise<void> {
    for (const d of await repo.findOpenDeadlines(trx, entry.id, kind)) {
      const outcome = clock.today <= d.due_on ? 'met' : 'missed';
      await repo.closeDeadline(trx, d.id, { closed_at: clock.now, closed_on: clock.today, closed_reason: reason, outcome });
      await appendLedger(trx, {
        actor,
        action: 'catalog.deadline.close',
        subject: { type: 'catalog_deadline', id: d.id },
        payload: { entryId: entry.id, code: entry.code, kind: d.kind, reason, outcome, closedOn: clock.today, dueOn: d.due_on },
      });
    }
  }

  async #notify(
    trx: Executor,
    kind: CatalogNotificationKind,
    entry: { id: string; code: string },
    actor: Actor,
    input: Pick<NotificationInput, 'params' | 'to'>,
  ): Promise<void> {
    if (!this.#notifications) return;
    await this.#notifications.notify(trx, {
      kind,
      params: { entryId: entry.id, code: entry.code, ...input.params },
      link: `/catalog/entries/${entry.id}`,
      subject: { type: 'catalog_entry', id: entry.id },
      to: input.to,
      except: actor.type === 'user' ? [actor.id] : [],
    });
  }

  /** Same rule as the catalog's reads: an entry never published exists only for its insiders. */
  async #visibleEntry(actor: UserActor, idOrCode: string): Promise<entries.EntryRow> {
    const entry = await entries.findEntry(this.#db.kysely, idOrCode);
    if (!entry || (!isInsider(actor, entry) && entry.published_version === null)) throw E.entryNotFound(idOrCode);
    return entry;
  }

  async #entryForLinking(trx: Executor, actor: Actor, idOrCode: string): Promise<entries.EntryRow> {
    if (actor.type === 'anonymous') throw forbidden();
    const entry = await entries.findEntry(trx, idOrCode, true);
    if (!entry) throw E.entryNotFound(idOrCode);
    if (actor.type !== 'system' && actor.organisationId !== entry.provider_id) throw E.notProvider();
    return entry;
  }

  #toDeadline(row: repo.DeadlineListRow, clock: DeadlineClock, bounds: repo.DeadlineBounds): Deadline {
    let state: DeadlineState;
    let left: number;
    if (row.closed_on !== null) {
      state = row.outcome ?? 'met';
      left = clock.calendar.workingDaysBetween(row.closed_on, row.due_on);
      if (state === 'missed') left = Math.min(left, -1);
    } else if (row.due_on < bounds.today) {
      state = 'overdue';
      // Late from the day after the due date, even when that day is not a working day.
      left = Math.min(clock.calendar.workingDaysBetween(bounds.today, row.due_on), -1);
    } else {
      state = row.due_on < bounds.soonLimit ? 'due_soon' : 'open';
      left = clock.calendar.workingDaysBetween(bounds.today, row.due_on);
    }
    return {
      id: row.id,
      kind: row.kind,
      entry: { id: row.entry_id, code: row.code, name: row.name },
      provider: { id: row.provider_id, name: row.provider_name },
      startedOn: row.started_on,
      dueOn: row.due_on,
      closedAt: row.closed_at?.toISOString() ?? null,
      closedReason: row.closed_reason,
      state,
      workingDaysLeft: left,
    };
  }
}

function actorId(actor: Actor): string | null {
  return actor.type === 'anonymous' ? null : actor.id;
}

function toResource(row: repo.LinkedResourceRow): LinkedResource {
  return { resourceId: row.resource_id, kind: row.kind, name: row.name, linkedAt: row.linked_at.toISOString() };
}
