import { systemActor } from '../../core/auth/actor.js';
import { isValidDate, todayInShanghai, type WorkingDayCalendar } from '../../core/calendar/index.js';
import type { Db } from '../../core/db/db.js';
import type { Trx } from '../../core/db/database.js';
import { appendLedger } from '../../core/ledger/ledger.js';
import type { Audience, Notifier } from '../notifications/index.js';
import type { CalendarService } from '../platform/index.js';
import type { SharingNotificationKind } from './sharing.notifications.js';
import * as repo from './sharing.repository.js';
import type { Application } from './sharing.types.js';

/** An application is due soon, and its holder reminded, when at most this many working days are left. */
export const DUE_SOON_WORKING_DAYS = 2;
const SWEEP_BATCH = 200;
const SWEEP_ACTOR = systemActor('sharing application deadlines');

/** What deadlines need, read before a transaction opens (the calendar reads its overrides from the database). */
export interface DeadlineClock {
  now: Date;
  /** The date in China at `now`. */
  today: string;
  calendar: WorkingDayCalendar;
}

/** Open applications due before `today` are overdue; those due before `soonLimit` are due soon. */
export interface DeadlineBounds {
  today: string;
  soonLimit: string;
}

/**
 * The 10-working-day answer period of conditional applications (国发〔2016〕51号): the state shown on
 * reads, and the sweep that reminds the holder once when at most two working days are left and
 * escalates once to the data authority after the due date.
 */
export class SharingDeadlines {
  readonly #db: Db;
  readonly #calendar: Pick<CalendarService, 'calendar'>;
  readonly #notifications: Notifier;
  readonly #now: () => Date;

  constructor(options: { db: Db; calendar: Pick<CalendarService, 'calendar'>; notifications: Notifier; now: () => Date }) {
    this.#db = options.db;
    this.#calendar = options.calendar;
    this.#notifications = options.notifications;
    this.#now = options.now;
  }

  async clock(): Promise<DeadlineClock> {
    const now = this.#now();
    return { now, today: todayInShanghai(now), calendar: await this.#calendar.calendar() };
  }

  bounds(calendar: WorkingDayCalendar, today: string): DeadlineBounds {
    // due_date < addWorkingDays(today, 3) ⇔ at most 2 working days from today to the due date.
    return { today, soonLimit: calendar.addWorkingDays(today, DUE_SOON_WORKING_DAYS + 1) };
  }

  state(dueDate: string, bounds: DeadlineBounds): NonNullable<Application['deadlineState']> {
    if (dueDate < bounds.today) return 'overdue';
    return dueDate < bounds.soonLimit ? 'due_soon' : 'open';
  }

  /**
   * Escalations first (an overdue application gets no reminder), then reminders, each claimed once
   * in batches: the claim, its notifications and its ledger entry commit together, so replicas
   * running the sweep at once never send the same one twice. `today` (a China date) is for tests.
   */
  async sweep(today?: string): Promise<{ reminded: number; escalated: number }> {
    const clock = await this.clock();
    const day = today ?? clock.today;
    if (!isValidDate(day)) throw new RangeError(`not a date: ${day}`);
    const bounds = this.bounds(clock.calendar, day);
    const sent = { reminded: 0, escalated: 0 };
    for (const stage of ['escalation', 'reminder'] as const) {
      for (;;) {
        const claimed = await this.#db.kysely.transaction().execute(async (trx) => {
          const rows = await repo.claimDeadlines(trx, stage, bounds, clock.now, SWEEP_BATCH);
          for (const row of rows) await this.#send(trx, stage, row, clock.calendar, day);
          return rows.length;
        });
        if (stage === 'escalation') sent.escalated += claimed;
        else sent.reminded += claimed;
        if (claimed < SWEEP_BATCH) break;
      }
    }
    return sent;
  }

  async #send(trx: Trx, stage: 'reminder' | 'escalation', row: repo.ClaimedApplication, calendar: WorkingDayCalendar, today: string): Promise<void> {
    const approvers: Audience = { organisationId: row.provider_org_id, role: 'provider_approver' };
    const authority: Audience[] = row.authority_org_id ? [{ organisationId: row.authority_org_id, role: 'data_authority' }] : [];
    let kind: SharingNotificationKind;
    let to: Audience[];
    let extra: Record<string, unknown> = {};
    if (stage === 'reminder') {
      // Whoever holds the application now: the provider's approvers, or the authority while countersigning.
      kind = 'sharing.reminder';
      to = row.status === 'countersigning' ? authority : [approvers];
      extra = { workingDaysLeft: calendar.workingDaysBetween(today, row.due_date) };
    } else {
      // The authority is told (督办); the provider's approvers too while it is still theirs to decide.
      kind = 'sharing.escalated';
      to = row.status === 'countersigning' ? authority : [...authority, approvers];
    }
    await this.#notifications.notify(trx, {
      kind,
      params: {
        applicationId: row.id,
        code: row.catalog_code,
        name: row.catalog_name,
        applicant: row.applicant_org_name,
        provider: row.provider_name,
        status: row.status,
        dueDate: row.due_date,
        ...extra,
      },
      link: `/sharing/applications/${row.id}`,
      subject: { type: 'share_application', id: row.id },
      to,
    });
    await appendLedger(trx, {
      actor: SWEEP_ACTOR,
      action: stage === 'reminder' ? 'sharing.application.remind' : 'sharing.application.escalate',
      subject: { type: 'share_application', id: row.id },
      payload: { code: row.catalog_code, entryId: row.catalog_entry_id, status: row.status, dueDate: row.due_date, today, authorityId: row.authority_org_id },
    });
  }
}
