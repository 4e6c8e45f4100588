import type { Actor, AppActor, SystemActor, UserActor } from '../../core/auth/actor.js';
import { burnPasswordCheck, hashPassword, isStrongPassword, verifyPassword } from '../../core/auth/password.js';
import { ADMIN_ROLES, separationOfDutiesViolation, type Role } from '../../core/auth/roles.js';
import { findDivision, isValidUscc } from '../../core/codes/index.js';
import { hmacSm3Hex, openSecret, randomToken, sealSecret, sm3Hex, timingSafeEqualHex } from '../../core/crypto/index.js';
import type { Db } from '../../core/db/db.js';
import type { Executor } from '../../core/db/database.js';
import { forbidden } from '../../core/errors.js';
import type { Authenticator, SignedRequest } from '../../core/http/auth-hooks.js';
import type { Paging } from '../../core/http/schemas.js';
import { appendLedger, type LedgerRecorder } from '../../core/ledger/ledger.js';
import { identityErrors as E } from './identity.errors.js';
import { can, isProtectedAccount } from './identity.policy.js';
import { NonceClaims } from './nonce-claims.js';
import * as repo from './identity.repository.js';
import { LoginThrottle } from './login-throttle.js';

export interface Organisation {
  id: string;
  code: string;
  name: string;
  divisionCode: string;
  divisionName: string;
  level: repo.OrganisationLevel;
  kind: repo.OrganisationKind;
  parentId: string | null;
  parentName: string | null;
  createdAt: string;
}

export interface User {
  id: string;
  username: string;
  displayName: string;
  organisationId: string;
  organisation: { id: string; name: string; code: string };
  roles: Role[];
  status: repo.UserStatus;
  locked: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface AppCredential {
  id: string;
  appKey: string;
  name: string;
  organisationId: string;
  organisationName: string;
  status: 'active' | 'revoked';
  createdAt: string;
  createdBy: string | null;
  createdByName: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface OrganisationInput {
  code: string;
  name: string;
  divisionCode: string;
  level: repo.OrganisationLevel;
  kind: repo.OrganisationKind;
  parentId?: string | null | undefined;
}

export interface IdentityOptions {
  db: Db;
  /** For events outside a business transaction, such as failed sign-ins. */
  ledger: LedgerRecorder;
  nodeKey: Buffer;
  tokenTtlMinutes: number;
  /** Failed sign-ins before the account locks, and for how long. */
  maxFailedLogins?: number;
  lockMinutes?: number;
  /** Failed sign-ins from one address, over all accounts, before it must wait (default 20 in 15 minutes). */
  ipFailureLimit?: number;
  ipWindowMinutes?: number;
  now?: () => Date;
}

/** Signed requests may be this far from the server clock, either way (DESIGN §6). */
export const SIGNATURE_WINDOW_MS = 300_000;
const NONCE_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
/** How long a looked-up app credential is reused by signed requests (a revocation elsewhere is seen within it). */
export const APP_CACHE_MS = 1_000;
/** last_used_at is written at most this often per app and process. */
const APP_TOUCH_MS = 60_000;
/** The national level has no GB/T 2260 entry of its own; 100000 stands for the whole country. */
const NATIONAL_DIVISION = '100000';

/**
 * Organisations, people, sign-in and app credentials. Every change is written together with its
 * ledger entry in one transaction.
 */
export class IdentityService implements Authenticator {
  readonly #db: Db;
  readonly #ledger: LedgerRecorder;
  readonly #nodeKey: Buffer;
  readonly #ttlMs: number;
  readonly #maxFailed: number;
  readonly #lockMinutes: number;
  readonly #now: () => Date;
  readonly #throttle: LoginThrottle;
  readonly #refusals = new Map<string, { at: number; folded: number }>();
  /**
   * App credentials as signed requests last found them, with the secret opened, for APP_CACHE_MS: a
   * gateway call would otherwise read the row and decrypt the secret every time. A revocation in this
   * process drops the entry at once; another replica's is seen within that time.
   */
  readonly #apps = new Map<string, { app: repo.AppRow; secret: string; at: number }>();
  /** When this process last recorded an app's use (last_used_at is kept to the minute). */
  readonly #touched = new Map<string, number>();
  readonly #nonces = new NonceClaims(() => this.#k);

  constructor(options: IdentityOptions) {
    this.#db = options.db;
    this.#ledger = options.ledger;
    this.#nodeKey = options.nodeKey;
    this.#ttlMs = options.tokenTtlMinutes * 60_000;
    this.#maxFailed = options.maxFailedLogins ?? 5;
    this.#lockMinutes = options.lockMinutes ?? 15;
    this.#now = options.now ?? (() => new Date());
    this.#throttle = new LoginThrottle({
      limit: options.ipFailureLimit ?? 20,
      windowMinutes: options.ipWindowMinutes ?? 15,
      now: () => this.#now().getTime(),
    });
  }

  get #k(): Executor {
    return this.#db.kysely;
  }

  // ---------------------------------------------------------------- sign-in

  async login(username: string, password: string, from: { ip: string }): Promise<{ token: string; expiresAt: string; user: User }> {
    const waitSeconds = this.#throttle.retryAfter(from.ip);
    if (waitSeconds > 0) throw E.tooManyAttempts(waitSeconds);
    const row = await repo.findUserByUsername(this.#k, username.trim());
    const anonymous: Actor = { type: 'anonymous' };
    const failed = async (userId: string | null) => {
      if (!this.#throttle.fail(from.ip)) return;
      await this.#ledger.record({
        actor: anonymous,
        action: 'identity.login.throttle',
        subject: { type: 'address', id: from.ip },
        payload: { ip: from.ip, lastUser: userId },
      });
    };
    if (!row) {
      await burnPasswordCheck(password);
      await failed(null);
      throw E.invalidCredentials();
    }
    const now = this.#now();
    if (row.locked_until && row.locked_until > now) throw E.accountLocked(row.locked_until);
    // The attempt is counted before the (slow) check, or concurrent guesses would all be checked.
    const attempt = await repo.claimLoginAttempt(this.#k, row.id, this.#maxFailed, this.#lockMinutes);
    if (!attempt) throw E.accountLocked((await repo.findUser(this.#k, row.id))?.locked_until ?? now);
    const ok = await verifyPassword(password, row.password_hash);
    if (!ok) {
      await failed(row.id);
      await this.#ledger.record({
        actor: anonymous,
        action: attempt.failed_attempts >= this.#maxFailed ? 'identity.login.lock' : 'identity.login.fail',
        subject: { type: 'user', id: row.id },
        payload: { username: row.username, ip: from.ip, failedAttempts: attempt.failed_attempts },
      });
      if (attempt.locked_until && attempt.locked_until > now) throw E.accountLocked(attempt.locked_until);
      throw E.invalidCredentials();
    }
    if (row.status !== 'active') {
      await repo.updateUser(this.#k, row.id, { failed_attempts: 0, locked_until: null });
      throw E.accountDisabled();
    }
    const token = randomToken(32);
    const expiresAt = new Date(now.getTime() + this.#ttlMs);
    await this.#db.kysely.transaction().execute(async (trx) => {
      const sessionId = await repo.insertSession(trx, { token_hash: tokenHash(token), user_id: row.id, expires_at: expiresAt });
      await repo.updateUser(trx, row.id, { failed_attempts: 0, locked_until: null, last_login_at: now });
      await appendLedger(trx, {
        actor: userActorOf(row, sessionId),
        action: 'identity.login.success',
        subject: { type: 'user', id: row.id },
        payload: { ip: from.ip, sessionId },
      });
    });
    return { token, expiresAt: expiresAt.toISOString(), user: toUser({ ...row, last_login_at: now, failed_attempts: 0, locked_until: null }, now) };
  }

  async logout(actor: UserActor): Promise<void> {
    await this.#db.kysely.transaction().execute(async (trx) => {
      await repo.revokeSession(trx, actor.sessionId);
      await appendLedger(trx, { actor, action: 'identity.logout', subject: { type: 'user', id: actor.id }, payload: {} });
    });
  }

  async userFromToken(token: string): Promise<UserActor | undefined> {
    if (token.length > 200) return undefined;
    const row = await repo.findSessionUser(this.#k, tokenHash(token));
    if (!row || row.status !== 'active') return undefined;
    return userActorOf(row, row.session_id);
  }

  async me(actor: UserActor): Promise<User> {
    return this.getUserUnchecked(actor.id);
  }

  async changeOwnPassword(actor: UserActor, currentPassword: string, newPassword: string): Promise<void> {
    const row = await repo.findUser(this.#k, actor.id);
    if (!row) throw E.userNotFound(actor.id);
    if (!(await verifyPassword(currentPassword, row.password_hash))) throw E.wrongCurrentPassword();
    if (!isStrongPassword(newPassword)) throw E.weakPassword();
    const hash = await hashPassword(newPassword);
    await this.#db.kysely.transaction().execute(async (trx) => {
      await repo.updateUser(trx, actor.id, { password_hash: hash, password_changed_at: this.#now() });
      // Whoever else holds a session of this account (a stolen token, a forgotten browser) is out.
      await repo.revokeUserSessionsExcept(trx, actor.id, actor.sessionId);
      await appendLedger(trx, { actor, action: 'identity.password.change', subject: { type: 'user', id: actor.id }, payload: {} });
    });
  }

  // ---------------------------------------------------------------- organisations

  async listOrganisations(
    actor: Actor,
    filter: { q?: string | undefined; parentId?: string | undefined; kind?: repo.OrganisationKind | undefined },
    page: Paging,
  ): Promise<{ items: Organisation[]; total: number }> {
    if (!can(actor, 'organisation.read')) throw forbidden();
    const { rows, total } = await repo.listOrganisations(this.#k, filter, page);
    return { items: rows.map(toOrganisation), total };
  }

  async getOrganisation(actor: Actor, id: string): Promise<Organisation> {
    if (!can(actor, 'organisation.read')) throw forbidden();
    const row = await repo.findOrganisation(this.#k, id);
    if (!row) throw E.organisationNotFound(id);
    return toOrganisation(row);
  }

  async createOrganisation(actor: UserActor | SystemActor, input: OrganisationInput): Promise<Organisation> {
    if (actor.type === 'user' && !can(actor, 'organisation.write')) throw forbidden();
    const code = input.code.trim().toUpperCase();
    if (!isValidUscc(code)) throw E.invalidCreditCode(code);
    checkDivision(input.divisionCode, input.level);
    const name = input.name.trim();
    return this.#db.kysely.transaction().execute(async (trx) => {
      if (input.parentId && !(await repo.findOrganisation(trx, input.parentId))) throw E.parentNotFound(input.parentId);
      if (await repo.findOrganisationByCode(trx, code)) throw E.creditCodeTaken(code);
      await this.#assertNameFree(trx, name, input.parentId ?? null, undefined);
      const id = await repo.insertOrganisation(trx, {
        code,
        name,
        division_code: input.divisionCode,
        level: input.level,
        kind: input.kind,
        parent_id: input.parentId ?? null,
      });
      await appendLedger(trx, {
        actor,
        action: 'identity.organisation.create',
        subject: { type: 'organisation', id },
        payload: { code, name, divisionCode: input.divisionCode, level: input.level, kind: input.kind, parentId: input.parentId ?? null },
      });
      return toOrganisation((await repo.findOrganisation(trx, id))!);
    });
  }

  async updateOrganisation(
    actor: UserActor,
    id: string,
    patch: Partial<Omit<OrganisationInput, 'code'>>,
  ): Promise<Organisation> {
    if (!can(actor, 'organisation.write')) throw forbidden();
    return this.#db.kysely.transaction().execute(async (trx) => {
      const current = await repo.findOrganisation(trx, id);
      if (!current) throw E.organisationNotFound(id);
      const next = {
        name: patch.name?.trim() ?? current.name,
        division_code: patch.divisionCode ?? current.division_code,
        level: patch.level ?? current.level,
        kind: patch.kind ?? current.kind,
        parent_id: patch.parentId === undefined ? current.parent_id : patch.parentId,
      };
      checkDivision(next.division_code, next.level);
      if (next.parent_id && next.parent_id !== current.parent_id) {
        if (!(await repo.findOrganisation(trx, next.parent_id))) throw E.parentNotFound(next.parent_id);
        // Walking up from the new parent must never reach this organisation.
        if ((await repo.ancestorIds(trx, next.parent_id)).includes(id)) throw E.parentCycle();
      }
      if (next.name !== current.name || next.parent_id !== current.parent_id) {
        await this.#assertNameFree(trx, next.name, next.parent_id, id);
      }
      await repo.updateOrganisation(trx, id, next);
      await appendLedger(trx, {
        actor,
        action: 'identity.organisation.update',
        subject: { type: 'organisation', id },
        payload: { before: pickOrg(current), after: next },
      });
      return toOrganisation((await repo.findOrganisation(trx, id))!);
    });
  }

  async #assertNameFree(trx: Executor, name: string, parentId: string | null, exceptId: string | undefined): Promise<void> {
    let q = trx.selectFrom('organisations').select('id').where('name', '=', name);
    q = parentId ? q.where('parent_id', '=', parentId) : q.where('parent_id', 'is', null);
    if (exceptId) q = q.where('id', '<>', exceptId);
    if (await q.executeTakeFirst()) throw E.nameTaken(name);
  }

  // ---------------------------------------------------------------- users

  async listUsers(
    actor: Actor,
    filter: { q?: string | undefined; organisationId?: string | undefined; role?: Role | undefined },
    page: Paging,
  ): Promise<{ items: User[]; total: number }> {
    if (!can(actor, 'user.read')) throw forbidden();
    const { rows, total } = await repo.listUsers(this.#k, filter, page);
    const now = this.#now();
    return { items: rows.map((r) => toUser(r, now)), total };
  }

  async getUser(actor: Actor, id: string): Promise<User> {
    if (!(actor.type === 'user' && actor.id === id) && !can(actor, 'user.read')) throw forbidden();
    return this.getUserUnchecked(id);
  }

  private async getUserUnchecked(id: string): Promise<User> {
    const row = await repo.findUser(this.#k, id);
    if (!row) throw E.userNotFound(id);
    return toUser(row, this.#now());
  }

  /**
   * Creates an account. Through the API (a platform administrator) it starts without roles — the
   * security administrator grants them; the CLI and demo seeding (system actor) may set roles,
   * administrator roles included, within 三员分立.
   */
  async createUser(
    actor: UserActor | SystemActor,
    input: { username: string; displayName: string; organisationId: string; password: string; roles?: readonly Role[] },
  ): Promise<User> {
    if (actor.type === 'user' && !can(actor, 'user.write')) throw forbidden();
    const roles = [...new Set(input.roles ?? [])];
    if (actor.type === 'user' && roles.length > 0) throw forbidden();
    const violation = separationOfDutiesViolation(roles);
    if (violation) throw E.separationOfDuties(violation);
    if (!isStrongPassword(input.password)) throw E.weakPassword();
    const username = input.username.trim().toLowerCase();
    const hash = await hashPassword(input.password);
    return this.#db.kysely.transaction().execute(async (trx) => {
      if (!(await repo.findOrganisation(trx, input.organisationId))) throw E.organisationNotFound(input.organisationId);
      if (await repo.findUserByUsername(trx, username)) throw E.usernameTaken(username);
      const id = await repo.insertUser(trx, {
        username,
        display_name: input.displayName.trim(),
        organisation_id: input.organisationId,
        password_hash: hash,
      });
      await repo.setRoles(trx, id, roles);
      await appendLedger(trx, {
        actor,
        action: 'identity.user.create',
        subject: { type: 'user', id },
        payload: { username, displayName: input.displayName.trim(), organisationId: input.organisationId, roles },
      });
      return toUser((await repo.findUser(trx, id))!, this.#now());
    });
  }

  async updateUser(
    actor: UserActor,
    id: string,
    patch: { displayName?: string | undefined; organisationId?: string | undefined; status?: repo.UserStatus | undefined },
  ): Promise<User> {
    if (!can(actor, 'user.write')) throw forbidden();
    return this.#db.kysely.transaction().execute(async (trx) => {
      const current = await repo.findUser(trx, id);
      if (!current) throw E.userNotFound(id);
      if (isProtectedAccount(current.roles)) throw E.protectedAccount();
      if (patch.organisationId && !(await repo.findOrganisation(trx, patch.organisationId))) {
        throw E.organisationNotFound(patch.organisationId);
      }
      const next = {
        display_name: patch.displayName?.trim() ?? current.display_name,
        organisation_id: patch.organisationId ?? current.organisation_id,
        status: patch.status ?? current.status,
      };
      await repo.updateUser(trx, id, next);
      const moved = next.organisation_id !== current.organisation_id;
      // Roles were granted for the old organisation; only the security administrator grants new ones
      // (三员分立), so a move must not carry an approver's power into another organisation.
      if (moved) await repo.setRoles(trx, id, []);
      // A disabled account, or one moved to another organisation, must sign in again.
      if (next.status !== current.status || moved) await repo.revokeUserSessions(trx, id);
      await appendLedger(trx, {
        actor,
        action: 'identity.user.update',
        subject: { type: 'user', id },
        payload: {
          before: { displayName: current.display_name, organisationId: current.organisation_id, status: current.status, roles: current.roles },
          after: { displayName: next.display_name, organisationId: next.organisation_id, status: next.status, roles: moved ? [] : current.roles },
        },
      });
      return toUser((await repo.findUser(trx, id))!, this.#now());
    });
  }

  async resetPassword(actor: UserActor | SystemActor, id: string, password: string): Promise<void> {
    if (actor.type === 'user' && !can(actor, 'user.write')) throw forbidden();
    if (!isStrongPassword(password)) throw E.weakPassword();
    const hash = await hashPassword(password);
    await this.#db.kysely.transaction().execute(async (trx) => {
      const current = await repo.findUser(trx, id);
      if (!current) throw E.userNotFound(id);
      if (actor.type === 'user' && isProtectedAccount(current.roles)) throw E.protectedAccount();
      await repo.updateUser(trx, id, { password_hash: hash, password_changed_at: this.#now(), failed_attempts: 0, locked_until: null });
      await repo.revokeUserSessions(trx, id);
      await appendLedger(trx, { actor, action: 'identity.password.reset', subject: { type: 'user', id }, payload: {} });
    });
  }

  async setRoles(actor: UserActor | SystemActor, id: string, rolesIn: readonly Role[]): Promise<User> {
    if (actor.type === 'user' && !can(actor, 'user.roles')) throw forbidden();
    const roles = [...new Set(rolesIn)].sort();
    if (actor.type === 'user' && roles.some((r) => ADMIN_ROLES.includes(r))) throw E.adminRoleByApi();
    const violation = separationOfDutiesViolation(roles);
    if (violation) throw E.separationOfDuties(violation);
    return this.#db.kysely.transaction().execute(async (trx) => {
      const current = await repo.findUser(trx, id);
      if (!current) throw E.userNotFound(id);
      if (actor.type === 'user' && current.roles.some((r) => ADMIN_ROLES.includes(r))) throw E.protectedAccount();
      await repo.setRoles(trx, id, roles);
      await repo.revokeUserSessions(trx, id);
      await appendLedger(trx, {
        actor,
        action: 'identity.user.roles',
        subject: { type: 'user', id },
        payload: { before: current.roles, after: roles },
      });
      return toUser((await repo.findUser(trx, id))!, this.#now());
    });
  }

  async unlockUser(actor: UserActor | SystemActor, id: string): Promise<void> {
    if (actor.type === 'user' && !can(actor, 'user.unlock')) throw forbidden();
    await this.#db.kysely.transaction().execute(async (trx) => {
      const current = await repo.findUser(trx, id);
      if (!current) throw E.userNotFound(id);
      await repo.updateUser(trx, id, { failed_attempts: 0, locked_until: null });
      await appendLedger(trx, { actor, action: 'identity.user.unlock', subject: { type: 'user', id }, payload: {} });
    });
  }

  async findUserByUsername(username: string): Promise<User | undefined> {
    const row = await repo.findUserByUsername(this.#k, username);
    return row ? toUser(row, this.#now()) : undefined;
  }

  async findOrganisationByCode(code: string): Promise<Organisation | undefined> {
    const row = await repo.findOrganisationByCode(this.#k, code);
    return row ? toOrganisation(row) : undefined;
  }

  async counts(): Promise<{ organisations: number; users: number }> {
    const [organisations, users] = await Promise.all([repo.countOrganisations(this.#k), repo.countUsers(this.#k)]);
    return { organisations, users };
  }

  // ---------------------------------------------------------------- app credentials

  async listApps(actor: UserActor, page: Paging): Promise<{ items: AppCredential[]; total: number }> {
    const filter = can(actor, 'app.readAll') ? {} : { organisationId: actor.organisationId };
    const { rows, total } = await repo.listApps(this.#k, filter, page);
    return { items: rows.map(toApp), total };
  }

  /** Issues an app credential for the caller's organisation. The secret is returned only here. */
  async createApp(actor: UserActor, name: string): Promise<AppCredential & { secret: string }> {
    if (!can(actor, 'app.create')) throw forbidden();
    const appKey = `ts_${randomToken(12)}`;
    const secret = randomToken(32);
    return this.#db.kysely.transaction().execute(async (trx) => {
      const id = await repo.insertApp(trx, {
        app_key: appKey,
        name: name.trim(),
        organisation_id: actor.organisationId,
        secret_sealed: sealSecret(this.#nodeKey, secret),
        created_by: actor.id,
      });
      await appendLedger(trx, {
        actor,
        action: 'identity.app.create',
        subject: { type: 'app', id },
        payload: { appKey, name: name.trim(), organisationId: actor.organisationId },
      });
      return { ...toApp((await repo.findApp(trx, id))!), secret };
    });
  }

  async revokeApp(actor: UserActor, id: string): Promise<AppCredential> {
    return this.#db.kysely.transaction().execute(async (trx) => {
      const app = await repo.findApp(trx, id);
      // Another organisation's credential is reported as absent, not as forbidden.
      const mayRevoke =
        app && (can(actor, 'app.revokeAny') || (app.organisation_id === actor.organisationId && can(actor, 'app.create')));
      if (!app || !mayRevoke) throw E.appNotFound(id);
      if (app.status === 'revoked') throw E.appAlreadyRevoked();
      await repo.revokeApp(trx, id, actor.id);
      this.#apps.delete(app.app_key);
      await appendLedger(trx, {
        actor,
        action: 'identity.app.revoke',
        subject: { type: 'app', id },
        payload: { appKey: app.app_key, organisationId: app.organisation_id },
      });
      return toApp((await repo.findApp(trx, id))!);
    });
  }

  /** DESIGN §6: HMAC-SM3(secret, METHOD\nPATH_WITH_QUERY\nTIMESTAMP\nNONCE\nhex(SM3(body))). */
  async appFromSignedRequest(request: SignedRequest): Promise<AppActor> {
    if (!request.appKey) throw E.signatureMissing('X-Tianshu-App');
    if (!request.signature) throw E.signatureMissing('X-Tianshu-Signature');
    if (!request.nonce) throw E.signatureMissing('X-Tianshu-Nonce');
    const now = this.#now().getTime();
    const ts = request.timestamp !== undefined && /^\d{1,16}$/.test(request.timestamp) ? Number(request.timestamp) : NaN;
    if (!Number.isFinite(ts) || Math.abs(now - ts) > SIGNATURE_WINDOW_MS) throw E.timestampInvalid();
    if (!NONCE_PATTERN.test(request.nonce)) throw E.nonceInvalid();
    // Real time, not the injected clock: the cache must age even under a test's frozen clock.
    const wall = Date.now();
    let cached = this.#apps.get(request.appKey);
    if (cached === undefined || wall - cached.at > APP_CACHE_MS) {
      const found = await repo.findAppByKey(this.#k, request.appKey);
      if (!found) throw E.appUnknown();
      if (this.#apps.size >= 10_000) this.#apps.clear();
      cached = { app: found, secret: found.status === 'active' ? openSecret(this.#nodeKey, found.secret_sealed) : '', at: wall };
      this.#apps.set(request.appKey, cached);
    }
    const { app, secret } = cached;
    if (app.status !== 'active') {
      await this.#refusedCall(app, 'revoked', request);
      throw E.appRevoked();
    }
    const expected = hmacSm3Hex(secret, stringToSign(request));
    if (!timingSafeEqualHex(expected, request.signature.toLowerCase())) {
      await this.#refusedCall(app, 'bad_signature', request);
      throw E.signatureInvalid();
    }
    // Claimed only after the signature verifies, so nobody can burn another app's nonces. Kept for
    // twice the window, so replicas whose clocks differ a little cannot be replayed against.
    const fresh = await this.#nonces.claim(app.app_key, request.nonce, new Date(ts + 2 * SIGNATURE_WINDOW_MS));
    if (!fresh) {
      await this.#refusedCall(app, 'replay', request);
      throw E.nonceReused();
    }
    if (wall - (this.#touched.get(app.id) ?? 0) >= APP_TOUCH_MS) {
      if (this.#touched.size >= 10_000) this.#touched.clear();
      this.#touched.set(app.id, wall);
      await repo.touchApp(this.#k, app.id);
    }
    return { type: 'app', id: app.id, appKey: app.app_key, organisationId: app.organisation_id };
  }

  /**
   * A refused call of a known app goes to the ledger (事中留痕): a bad signature means a leaked key or
   * a forger, a replay means a captured request. App keys are not secret, so anyone could flood the
   * ledger with bad signatures: one entry per app and reason per minute, counting the ones folded in.
   */
  async #refusedCall(app: repo.AppRow, reason: 'bad_signature' | 'replay' | 'revoked', request: SignedRequest): Promise<void> {
    const key = `${app.id}:${reason}`;
    const now = this.#now().getTime();
    const last = this.#refusals.get(key);
    if (last && now - last.at < 60_000) {
      last.folded += 1;
      return;
    }
    if (this.#refusals.size > 10_000) this.#refusals.clear();
    this.#refusals.set(key, { at: now, folded: 0 });
    await this.#ledger.record({
      actor: { type: 'anonymous' },
      action: 'identity.app.refused',
      subject: { type: 'app', id: app.id },
      payload: { appKey: app.app_key, reason, method: request.method, path: request.pathWithQuery.slice(0, 500), foldedSinceLast: last?.folded ?? 0 },
    });
  }

  /** Housekeeping: expired nonces and long-dead sessions. */
  async purgeExpired(): Promise<void> {
    await repo.deleteExpiredNonces(this.#k);
    await repo.deleteExpiredSessions(this.#k);
  }

  /**
   * Ids of the active users of an organisation who hold a role: who a notification goes to. Takes the
   * caller's executor so that it can run inside the caller's transaction (on PGlite the transaction
   * holds the only connection). Read-only.
   */
  async usersWithRole(db: Executor, organisationId: string, role: Role): Promise<string[]> {
    return repo.findActiveUserIdsWithRole(db, organisationId, role);
  }

  /**
   * An organisation as the node itself reads it (no actor): for modules that act on a caller's
   * behalf after their own checks, such as the sharing gateway resolving a consumer's division for
   * a row filter. Undefined when it does not exist.
   */
  async organisationById(id: string): Promise<Organisation | undefined> {
    const row = await repo.findOrganisation(this.#k, id);
    return row ? toOrganisation(row) : undefined;
  }

  /**
   * The data authority (数据主管部门) responsible for an organisation: the organisation of kind
   * `data_authority` whose division covers the organisation's division most specifically — the
   * county's own, else the city's, else the province's, else the national one. Undefined when none
   * exists (or the organisation does not). Used by the catalog to find an entry's reviewers.
   */
  async responsibleAuthority(organisationId: string): Promise<Organisation | undefined> {
    const org = await repo.findOrganisation(this.#k, organisationId);
    if (!org) return undefined;
    const chain: string[] = [];
    for (let d = findDivision(org.division_code); d; d = d.parentCode ? findDivision(d.parentCode) : undefined) chain.push(d.code);
    if (!chain.includes(org.division_code)) chain.unshift(org.division_code);
    chain.push(NATIONAL_DIVISION);
    const found = await repo.findDataAuthorities(this.#k, chain);
    for (const code of chain) {
      const match = found.find((o) => o.division_code === code);
      if (match) return toOrganisation(match);
    }
    return undefined;
  }
}

/** SM3 of an empty body (every GET): computed once. */
const EMPTY_BODY_SM3 = sm3Hex('');

export function stringToSign(r: { method: string; pathWithQuery: string; timestamp?: string | undefined; nonce?: string | undefined; body: Buffer | string; bodySm3?: string | undefined }): string {
  return [r.method.toUpperCase(), r.pathWithQuery, r.timestamp ?? '', r.nonce ?? '', r.bodySm3 ?? (r.body.length === 0 ? EMPTY_BODY_SM3 : sm3Hex(r.body))].join('\n');
}

const tokenHash = (token: string): string => sm3Hex(`tianshu/session/${token}`);

function checkDivision(code: string, level: repo.OrganisationLevel): void {
  if (level === 'national') {
    if (code !== NATIONAL_DIVISION) throw E.levelMismatch(level, code);
    return;
  }
  const division = findDivision(code);
  if (!division) throw E.invalidDivisionCode(code);
  if (division.level !== level) throw E.levelMismatch(level, code);
}

function divisionName(code: string): string {
  if (code === NATIONAL_DIVISION) return '全国';
  return findDivision(code)?.fullName ?? code;
}

function userActorOf(row: repo.UserRow, sessionId: string): UserActor {
  return {
    type: 'user',
    id: row.id,
    username: row.username,
    organisationId: row.organisation_id,
    roles: row.roles,
    sessionId,
  };
}

function toOrganisation(row: repo.OrganisationRow): Organisation {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    divisionCode: row.division_code,
    divisionName: divisionName(row.division_code),
    level: row.level,
    kind: row.kind,
    parentId: row.parent_id,
    parentName: row.parent_name,
    createdAt: row.created_at.toISOString(),
  };
}

function pickOrg(row: repo.OrganisationRow) {
  return { name: row.name, division_code: row.division_code, level: row.level, kind: row.kind, parent_id: row.parent_id };
}

function toUser(row: repo.UserRow, now: Date): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    organisationId: row.organisation_id,
    organisation: { id: row.organisation_id, name: row.organisation_name, code: row.organisation_code },
    roles: row.roles,
    status: row.status,
    locked: row.locked_until !== null && row.locked_until > now,
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

function toApp(row: repo.AppRow): AppCredential {
  return {
    id: row.id,
    appKey: row.app_key,
    name: row.name,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    createdByName: row.created_by_name,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}
