import { sql, type Generated, type Selectable } from 'kysely';
import type { Database, Executor } from '../../core/db/database.js';

declare module '../../core/db/database.js' {
  interface Database {
    notifications: {
      id: Generated<string>;
      user_id: string;
      kind: string;
      params: Record<string, unknown>;
      link: string | null;
      subject_type: string | null;
      subject_id: string | null;
      created_at: Generated<Date>;
      read_at: Date | null;
    };
  }
}

export type NotificationRow = Selectable<Database['notifications']>;

export interface NewNotification {
  kind: string;
  params: Record<string, unknown>;
  link: string | null;
  subject: { type: string; id: string } | null;
  createdAt: Date;
}

/** One row per recipient, in one statement. */
export async function insertForUsers(db: Executor, userIds: readonly string[], n: NewNotification): Promise<void> {
  if (userIds.length === 0) return;
  await db
    .insertInto('notifications')
    .values(
      userIds.map((userId) => ({
        user_id: userId,
        kind: n.kind,
        params: JSON.stringify(n.params) as unknown as Record<string, unknown>,
        link: n.link,
        subject_type: n.subject?.type ?? null,
        subject_id: n.subject?.id ?? null,
        created_at: n.createdAt,
      })),
    )
    .execute();
}

export async function listForUser(
  db: Executor,
  userId: string,
  filter: { unread?: boolean | undefined },
  page: { offset: number; limit: number },
): Promise<{ rows: NotificationRow[]; total: number; unread: number }> {
  let q = db.selectFrom('notifications').where('user_id', '=', userId);
  if (filter.unread) q = q.where('read_at', 'is', null);
  const rows = await q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').offset(page.offset).limit(page.limit).execute();
  const counts = await db
    .selectFrom('notifications')
    .where('user_id', '=', userId)
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      sql<number>`count(*) filter (where read_at is null)`.as('unread'),
    ])
    .executeTakeFirstOrThrow();
  return { rows, total: filter.unread ? Number(counts.unread) : Number(counts.total), unread: Number(counts.unread) };
}

/** Marks one of the user's notifications read (the first reading time is kept); false if it is not theirs. */
export async function markRead(db: Executor, userId: string, id: string, at: Date): Promise<boolean> {
  const row = await db
    .updateTable('notifications')
    .set({ read_at: sql<Date>`coalesce(read_at, ${at})` })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function markAllRead(db: Executor, userId: string, at: Date): Promise<number> {
  const result = await db
    .updateTable('notifications')
    .set({ read_at: at })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes up to `limit` notifications read before `before`; returns how many. */
export async function deleteReadBefore(db: Executor, before: Date, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('notifications')
    .where('id', 'in', (eb) =>
      eb.selectFrom('notifications').select('id').where('read_at', 'is not', null).where('read_at', '<', before).limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
