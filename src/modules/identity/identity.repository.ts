import { sql, type Generated, type Selectable } from 'kysely';
import type { Executor } from '../../core/db/database.js';
import type { Role } from '../../core/auth/roles.js';

declare module '../../core/db/database.js' {
  interface Database {
    organisations: {
      id: Generated<string>;
      code: string;
      name: string;
      division_code: string;
      level: OrganisationLevel;
      kind: OrganisationKind;
      parent_id: string | null;
      created_at: Generated<Date>;
      updated_at: Generated<Date>;
    };
    users: {
      id: Generated<string>;
      username: string;
      display_name: string;
      organisation_id: string;
      password_hash: string;
      password_changed_at: Generated<Date>;
      status: Generated<UserStatus>;
      failed_attempts: Generated<number>;
      locked_until: Date | null;
      last_login_at: Date | null;
      created_at: Generated<Date>;
      updated_at: Generated<Date>;
    };
    user_roles: { user_id: string; role: Role; granted_at: Generated<Date> };
    sessions: {
      id: Generated<string>;
      token_hash: string;
      user_id: string;
      created_at: Generated<Date>;
      expires_at: Date;
      revoked_at: Date | null;
    };
    app_credentials: {
      id: Generated<string>;
      app_key: string;
      name: string;
      organisation_id: string;
      secret_sealed: string;
      status: Generated<'active' | 'revoked'>;
      created_by: string | null;
      created_at: Generated<Date>;
      last_used_at: Date | null;
      revoked_at: Date | null;
      revoked_by: string | null;
    };
    used_nonces: { app_key: string; nonce: string; expires_at: Date };
  }
}

export type OrganisationLevel = 'national' | 'province' | 'city' | 'county';
export type OrganisationKind = 'government' | 'data_authority' | 'department';
export type UserStatus = 'active' | 'disabled';

export interface OrganisationRow {
  id: string;
  code: string;
  name: string;
  division_code: string;
  level: OrganisationLevel;
  kind: OrganisationKind;
  parent_id: string | null;
  parent_name: string | null;
  created_at: Date;
}

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  organisation_id: string;
  organisation_name: string;
  organisation_code: string;
  password_hash: string;
  status: UserStatus;
  failed_attempts: number;
  locked_until: Date | null;
  last_login_at: Date | null;
  created_at: Date;
  roles: Role[];
}

export type AppRow = Selectable<import('../../core/db/database.js').Database['app_credentials']> & {
  organisation_name: string;
  created_by_name: string | null;
};

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, '\\$&');

// ---- organisations ----

function organisationQuery(db: Executor) {
  return db
    .selectFrom('organisations as o')
    .leftJoin('organisations as p', 'p.id', 'o.parent_id')
    .select([
      'o.id',
      'o.code',
      'o.name',
      'o.division_code',
      'o.level',
      'o.kind',
      'o.parent_id',
      'p.name as parent_name',
      'o.created_at',
    ]);
}

export async function findOrganisation(db: Executor, id: string): Promise<OrganisationRow | undefined> {
  return organisationQuery(db).where('o.id', '=', id).executeTakeFirst();
}

export async function findOrganisationByCode(db: Executor, code: string): Promise<OrganisationRow | undefined> {
  return organisationQuery(db).where('o.code', '=', code).executeTakeFirst();
}

export async function listOrganisations(
  db: Executor,
  filter: { q?: string | undefined; parentId?: string | undefined; kind?: OrganisationKind | undefined },
  page: { offset: number; limit: number },
): Promise<{ rows: OrganisationRow[]; total: number }> {
  let q = organisationQuery(db);
  if (filter.q) {
    const like = `%${escapeLike(filter.q)}%`;
    q = q.where((eb) => eb.or([eb('o.name', 'like', like), eb('o.code', 'like', like), eb('o.division_code', 'like', like)]));
  }
  if (filter.parentId) q = q.where('o.parent_id', '=', filter.parentId);
  if (filter.kind) q = q.where('o.kind', '=', filter.kind);
  const [rows, count] = await Promise.all([
    q.orderBy('o.division_code').orderBy('o.name').offset(page.offset).limit(page.limit).execute(),
    q.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

/** The ids of an organisation and every organisation above it, nearest first. */
export async function ancestorIds(db: Executor, id: string): Promise<string[]> {
  const r = await sql<{ id: string }>`
    with recursive up(id, parent_id, depth) as (
      select id, parent_id, 0 from organisations where id = ${id}
      union all
      select o.id, o.parent_id, up.depth + 1 from organisations o join up on o.id = up.parent_id where up.depth < 64
    )
    select id from up order by depth`.execute(db);
  return r.rows.map((row) => row.id);
}

export async function insertOrganisation(
  db: Executor,
  org: { code: string; name: string; division_code: string; level: OrganisationLevel; kind: OrganisationKind; parent_id: string | null },
): Promise<string> {
  const row = await db.insertInto('organisations').values(org).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateOrganisation(
  db: Executor,
  id: string,
  patch: Partial<{ name: string; division_code: string; level: OrganisationLevel; kind: OrganisationKind; parent_id: string | null }>,
): Promise<void> {
  await db
    .updateTable('organisations')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

export async function countOrganisations(db: Executor): Promise<number> {
  const r = await db.selectFrom('organisations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

// ---- users ----

function userQuery(db: Executor) {
  return db
    .selectFrom('users as u')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select((eb) => [
      'u.id',
      'u.username',
      'u.display_name',
      'u.organisation_id',
      'o.name as organisation_name',
      'o.code as organisation_code',
      'u.password_hash',
      'u.status',
      'u.failed_attempts',
      'u.locked_until',
      'u.last_login_at',
      'u.created_at',
      eb
        .fn<Role[]>('coalesce', [
          eb
            .selectFrom('user_roles as r')
            .select(sql<Role[]>`array_agg(r.role order by r.role)`.as('roles'))
            .whereRef('r.user_id', '=', 'u.id'),
          sql<Role[]>`'{}'::text[]`,
        ])
        .as('roles'),
    ]);
}

export async function findUser(db: Executor, id: string): Promise<UserRow | undefined> {
  return userQuery(db).where('u.id', '=', id).executeTakeFirst();
}

export async function findUserByUsername(db: Executor, username: string): Promise<UserRow | undefined> {
  return userQuery(db).where('u.username', '=', username.toLowerCase()).executeTakeFirst();
}

export async function listUsers(
  db: Executor,
  filter: { q?: string | undefined; organisationId?: string | undefined; role?: Role | undefined },
  page: { offset: number; limit: number },
): Promise<{ rows: UserRow[]; total: number }> {
  let q = userQuery(db);
  if (filter.q) {
    const like = `%${escapeLike(filter.q.toLowerCase())}%`;
    q = q.where((eb) => eb.or([eb('u.username', 'like', like), eb('u.display_name', 'like', `%${escapeLike(filter.q ?? '')}%`)]));
  }
  if (filter.organisationId) q = q.where('u.organisation_id', '=', filter.organisationId);
  if (filter.role) {
    const role = filter.role;
    q = q.where((eb) =>
      eb.exists(eb.selectFrom('user_roles as fr').select('fr.user_id').whereRef('fr.user_id', '=', 'u.id').where('fr.role', '=', role)),
    );
  }
  const [rows, count] = await Promise.all([
    q.orderBy('u.username').offset(page.offset).limit(page.limit).execute(),
    q.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

export async function insertUser(
  db: Executor,
  user: { username: string; display_name: string; organisation_id: string; password_hash: string },
): Promise<string> {
  const row = await db
    .insertInto('users')
    .values({ ...user, username: user.username.toLowerCase() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateUser(
  db: Executor,
  id: string,
  patch: Partial<{
    display_name: string;
    organisation_id: string;
    status: UserStatus;
    password_hash: string;
    password_changed_at: Date;
    failed_attempts: number;
    locked_until: Date | null;
    last_login_at: Date;
  }>,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/**
 * Takes one sign-in attempt, atomically and before the password is checked, so concurrent guesses
 * cannot slip past the limit: the attempt that reaches it locks the account, and a locked account
 * yields no attempt (undefined). A correct password gives the attempts back (failed_attempts = 0).
 */
export async function claimLoginAttempt(
  db: Executor,
  id: string,
  maxAttempts: number,
  lockMinutes: number,
): Promise<{ failed_attempts: number; locked_until: Date | null } | undefined> {
  const r = await sql<{ failed_attempts: number; locked_until: Date | null }>`
    update users set
      failed_attempts = failed_attempts + 1,
      locked_until = case when failed_attempts + 1 >= ${maxAttempts}
                          then now() + make_interval(mins => ${lockMinutes}) else locked_until end,
      updated_at = now()
    where id = ${id} and (locked_until is null or locked_until <= now())
    returning failed_attempts, locked_until`.execute(db);
  return r.rows[0];
}

export async function setRoles(db: Executor, userId: string, roles: readonly Role[]): Promise<void> {
  await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
  if (roles.length > 0) {
    await db
      .insertInto('user_roles')
      .values(roles.map((role) => ({ user_id: userId, role })))
      .execute();
  }
}

export async function countUsers(db: Executor): Promise<number> {
  const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

// ---- sessions ----

export async function insertSession(db: Executor, s: { token_hash: string; user_id: string; expires_at: Date }): Promise<string> {
  const row = await db.insertInto('sessions').values(s).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function findSessionUser(db: Executor, tokenHash: string): Promise<(UserRow & { session_id: string }) | undefined> {
  return userQuery(db)
    .innerJoin('sessions as s', 's.user_id', 'u.id')
    .select('s.id as session_id')
    .where('s.token_hash', '=', tokenHash)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', new Date())
    .executeTakeFirst();
}

export async function revokeSession(db: Executor, sessionId: string): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: new Date() }).where('id', '=', sessionId).execute();
}

export async function revokeUserSessionsExcept(db: Executor, userId: string, keepSessionId: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('id', '<>', keepSessionId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function revokeUserSessions(db: Executor, userId: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function deleteExpiredSessions(db: Executor): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<', sql<Date>`now() - interval '7 days'`).execute();
}

// ---- app credentials ----

function appQuery(db: Executor) {
  return db
    .selectFrom('app_credentials as a')
    .innerJoin('organisations as o', 'o.id', 'a.organisation_id')
    .leftJoin('users as c', 'c.id', 'a.created_by')
    .selectAll('a')
    .select(['o.name as organisation_name', 'c.display_name as created_by_name']);
}

export async function findApp(db: Executor, id: string): Promise<AppRow | undefined> {
  return appQuery(db).where('a.id', '=', id).executeTakeFirst();
}

export async function findAppByKey(db: Executor, appKey: string): Promise<AppRow | undefined> {
  return appQuery(db).where('a.app_key', '=', appKey).executeTakeFirst();
}

export async function listApps(
  db: Executor,
  filter: { organisationId?: string | undefined },
  page: { offset: number; limit: number },
): Promise<{ rows: AppRow[]; total: number }> {
  let q = appQuery(db);
  if (filter.organisationId) q = q.where('a.organisation_id', '=', filter.organisationId);
  const [rows, count] = await Promise.all([
    q.orderBy('a.created_at', 'desc').offset(page.offset).limit(page.limit).execute(),
    q.clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

export async function insertApp(
  db: Executor,
  app: { app_key: string; name: string; organisation_id: string; secret_sealed: string; created_by: string | null },
): Promise<string> {
  const row = await db.insertInto('app_credentials').values(app).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function revokeApp(db: Executor, id: string, by: string | null): Promise<void> {
  await db
    .updateTable('app_credentials')
    .set({ status: 'revoked', revoked_at: new Date(), revoked_by: by })
    .where('id', '=', id)
    .execute();
}

/** Records use at most once a minute per app, so busy apps do not write on every call. */
export async function touchApp(db: Executor, id: string): Promise<void> {
  await sql`update app_credentials set last_used_at = now()
            where id = ${id} and (last_used_at is null or last_used_at < now() - interval '1 minute')`.execute(db);
}

export async function deleteExpiredNonces(db: Executor): Promise<void> {
  await db.deleteFrom('used_nonces').where('expires_at', '<', new Date()).execute();
}

// ---- data authorities ----

/** Active users of an organisation holding a role (recipients of notifications). */
export async function findActiveUserIdsWithRole(db: Executor, organisationId: string, role: Role): Promise<string[]> {
  const rows = await db
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .select('u.id')
    .where('u.organisation_id', '=', organisationId)
    .where('u.status', '=', 'active')
    .where('r.role', '=', role)
    .orderBy('u.id')
    .execute();
  return rows.map((r) => r.id);
}

/** Organisations of kind `data_authority` in any of these divisions (for the responsible-authority lookup). */
export async function findDataAuthorities(db: Executor, divisionCodes: readonly string[]): Promise<OrganisationRow[]> {
  if (divisionCodes.length === 0) return [];
  return organisationQuery(db)
    .where('o.kind', '=', 'data_authority')
    .where('o.division_code', 'in', [...divisionCodes])
    .orderBy('o.created_at')
    .execute();
}
