import type { Executor } from '../../core/db/database.js';

declare module '../../core/db/database.js' {
  interface Database {
    node_settings: { key: string; value: string; updated_at: Date };
    calendar_overrides: { date: string; is_working_day: boolean; note: string; updated_by: string; updated_at: Date };
  }
}

export async function getSetting(db: Executor, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('node_settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Sets the value only if the key is new; returns the value that is stored now. */
export async function setSettingOnce(db: Executor, key: string, value: string): Promise<string> {
  await db
    .insertInto('node_settings')
    .values({ key, value, updated_at: new Date() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return (await getSetting(db, key))!;
}

export async function listOverrides(db: Executor): Promise<Array<{ date: string; isWorkingDay: boolean; note: string }>> {
  const rows = await db.selectFrom('calendar_overrides').select(['date', 'is_working_day', 'note']).orderBy('date').execute();
  return rows.map((r) => ({ date: r.date, isWorkingDay: r.is_working_day, note: r.note }));
}

export async function upsertOverride(db: Executor, o: { date: string; isWorkingDay: boolean; note: string; by: string }): Promise<void> {
  await db
    .insertInto('calendar_overrides')
    .values({ date: o.date, is_working_day: o.isWorkingDay, note: o.note, updated_by: o.by, updated_at: new Date() })
    .onConflict((oc) =>
      oc.column('date').doUpdateSet({ is_working_day: o.isWorkingDay, note: o.note, updated_by: o.by, updated_at: new Date() }),
    )
    .execute();
}

export async function deleteOverride(db: Executor, date: string): Promise<boolean> {
  const r = await db.deleteFrom('calendar_overrides').where('date', '=', date).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
