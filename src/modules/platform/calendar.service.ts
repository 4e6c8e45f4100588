import type { Actor, UserActor } from '../../core/auth/actor.js';
import { isValidDate, WorkingDayCalendar } from '../../core/calendar/index.js';
import type { Db } from '../../core/db/db.js';
import { InputError, NotFoundError } from '../../core/errors.js';
import { appendLedger } from '../../core/ledger/ledger.js';
import * as repo from './platform.repository.js';

/** How long a replica trusts its copy of the overrides before reading them again. */
const CACHE_MS = 10_000;

/**
 * The working-day calendar that every deadline uses: the official schedule from `chinese-days`
 * plus the administrator's overrides, which win.
 */
export class CalendarService {
  readonly #db: Db;
  #cached: { calendar: WorkingDayCalendar; at: number } | undefined;

  constructor(db: Db) {
    this.#db = db;
  }

  async calendar(): Promise<WorkingDayCalendar> {
    if (this.#cached && Date.now() - this.#cached.at < CACHE_MS) return this.#cached.calendar;
    const calendar = new WorkingDayCalendar(await repo.listOverrides(this.#db.kysely));
    this.#cached = { calendar, at: Date.now() };
    return calendar;
  }

  async addWorkingDays(from: string, days: number): Promise<string> {
    checkDate(from);
    const calendar = await this.calendar();
    try {
      return calendar.addWorkingDays(from, days);
    } catch (err) {
      if (err instanceof RangeError) {
        throw new InputError('DATE_OUT_OF_RANGE', 'The deadline falls outside the supported years', '期限超出支持的日期范围');
      }
      throw err;
    }
  }

  async listDays(from: string, to: string) {
    checkDate(from);
    checkDate(to);
    if (to < from) throw new InputError('DATE_RANGE_INVALID', '`to` is before `from`', '结束日期早于开始日期');
    const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
    if (span > 366) throw new InputError('DATE_RANGE_TOO_LONG', 'At most 366 days at a time', '一次最多查询 366 天');
    return (await this.calendar()).listDays(from, to);
  }

  async listOverrides(): Promise<Array<{ date: string; isWorkingDay: boolean; note: string }>> {
    return repo.listOverrides(this.#db.kysely);
  }

  async setOverride(actor: UserActor, date: string, isWorkingDay: boolean, note: string): Promise<void> {
    checkDate(date);
    await this.#db.kysely.transaction().execute(async (trx) => {
      await repo.upsertOverride(trx, { date, isWorkingDay, note: note.trim(), by: actor.username });
      await appendLedger(trx, {
        actor,
        action: 'platform.calendar.override',
        subject: { type: 'calendar_day', id: date },
        payload: { date, isWorkingDay, note: note.trim() },
      });
    });
    this.#cached = undefined;
  }

  async removeOverride(actor: Actor, date: string): Promise<void> {
    checkDate(date);
    await this.#db.kysely.transaction().execute(async (trx) => {
      if (!(await repo.deleteOverride(trx, date))) {
        throw new NotFoundError('OVERRIDE_NOT_FOUND', `There is no override for ${date}`, `${date} 没有人工调整`);
      }
      await appendLedger(trx, { actor, action: 'platform.calendar.override.remove', subject: { type: 'calendar_day', id: date }, payload: { date } });
    });
    this.#cached = undefined;
  }
}

function checkDate(date: string): void {
  if (!isValidDate(date)) throw new InputError('DATE_INVALID', `${date} is not a valid date (YYYY-MM-DD)`, `${date} 不是有效日期（YYYY-MM-DD）`);
}
