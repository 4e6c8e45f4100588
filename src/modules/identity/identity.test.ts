import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { completeOrgCode, completeUscc } from '../../core/codes/index.js';
import { DEFAULT_DEMO_PASSWORD } from '../../core/config.js';
import { build, errorCode, signedHeaders, type TestNode } from '../../../test/helper.js';
import { APP_CACHE_MS, type AppCredential, type Organisation, type User } from './identity.service.js';

/**
 * Identity through HTTP: sign-in and sessions, 三员分立, organisations, app credentials with
 * signed requests, and what the ledger keeps of it all. One node for the file (building one seeds
 * the demo region, which is slow); every block works on accounts and organisations of its own.
 */
let t: TestNode;
before(async () => {
  t = await build();
});
after(() => t.close());

/** Every password, secret and token this file handles; the ledger must hold none of them. */
const secretsUsed = new Set<string>([DEFAULT_DEMO_PASSWORD]);
const remember = <T extends string>(secret: T): T => {
  secretsUsed.add(secret);
  return secret;
};

const NEW_PASSWORD = remember('Qinghai#2026x');

interface ErrorBody {
  error: { code: string; message: string; messageZh: string; details?: Record<string, unknown> };
}
interface LoginResult {
  token: string;
  expiresAt: string;
  user: User;
}
interface PageOf<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

const json = <T>(res: LightMyRequestResponse): T => res.json() as T;

function expectError(res: LightMyRequestResponse, status: number, code: string): ErrorBody['error'] {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(errorCode(res), code, res.body);
  return json<ErrorBody>(res).error;
}

/** A sign-in that bypasses the helper's token cache: every call is a new session. */
async function signIn(username: string, password: string = DEFAULT_DEMO_PASSWORD): Promise<LightMyRequestResponse> {
  return t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
}

async function freshToken(username: string, password: string = DEFAULT_DEMO_PASSWORD): Promise<string> {
  const res = await signIn(username, password);
  assert.equal(res.statusCode, 200, res.body);
  return remember(json<LoginResult>(res).token);
}

async function me(token: string): Promise<LightMyRequestResponse> {
  return t.request({ method: 'GET', url: '/api/v1/auth/me', token });
}

async function organisationId(name: string): Promise<string> {
  const res = await t.request({ method: 'GET', url: `/api/v1/organisations?q=${encodeURIComponent(name)}`, token: await t.login('admin') });
  const found = json<PageOf<Organisation>>(res).items.find((o) => o.name === name);
  assert.ok(found, `organisation ${name}`);
  return found.id;
}

async function userId(username: string): Promise<string> {
  const res = await t.request({ method: 'GET', url: `/api/v1/users?q=${encodeURIComponent(username)}`, token: await t.login('admin') });
  const found = json<PageOf<User>>(res).items.find((u) => u.username === username);
  assert.ok(found, `user ${username}`);
  return found.id;
}

/** An account made the way the API allows: the platform administrator creates it, the security administrator grants roles. */
async function makeUser(username: string, roles: string[] = ['consumer'], organisation = '青海省公安厅'): Promise<User> {
  const created = await t.request({
    method: 'POST',
    url: '/api/v1/users',
    token: await t.login('admin'),
    payload: { username, displayName: `测试用户 ${username}`, organisationId: await organisationId(organisation), password: DEFAULT_DEMO_PASSWORD },
  });
  assert.equal(created.statusCode, 201, created.body);
  const user = json<User>(created);
  if (roles.length === 0) return user;
  const granted = await t.request({ method: 'PUT', url: `/api/v1/users/${user.id}/roles`, token: await t.login('secadmin'), payload: { roles } });
  assert.equal(granted.statusCode, 200, granted.body);
  return json<User>(granted);
}

async function ledger(action: string): Promise<Awaited<ReturnType<TestNode['node']['ledger']['entries']>>['items']> {
  await t.node.ledger.flush();
  return (await t.node.ledger.entries({ action }, 1, 200)).items;
}

/** A valid 统一社会信用代码 of a Qinghai 机关 built from an 8-character organisation code body. */
const creditCode = (orgBody: string): string => completeUscc(`11630000${completeOrgCode(orgBody).replace('-', '')}`);

// ---------------------------------------------------------------------------------------------

describe('sign-in and sessions', () => {
  test('signing in returns a token, its expiry and the user with roles and organisation', async () => {
    const before = Date.now();
    const res = await signIn('police.consumer');
    assert.equal(res.statusCode, 200, res.body);
    const body = json<LoginResult>(res);
    remember(body.token);
    assert.match(body.token, /^\S{32,200}$/);
    const ttl = Date.parse(body.expiresAt) - before;
    assert.ok(ttl > 479 * 60_000 && ttl <= 481 * 60_000, `expires in ${ttl} ms, not 8 hours`);
    assert.equal(body.user.username, 'police.consumer');
    assert.deepEqual(body.user.roles, ['consumer']);
    assert.equal(body.user.organisation.name, '青海省公安厅');
    assert.equal(body.user.locked, false);
    assert.ok(!res.body.includes('scrypt$') && !res.body.includes('password'), 'no password hash in the response');
  });

  test('a wrong password and an unknown user get the same 401 INVALID_CREDENTIALS', async () => {
    const wrong = expectError(await signIn('police.consumer', remember('Wrong#Pass1')), 401, 'INVALID_CREDENTIALS');
    const unknown = expectError(await signIn('no.such.user', remember('Wrong#Pass1')), 401, 'INVALID_CREDENTIALS');
    assert.equal(wrong.message, unknown.message);
    assert.equal(wrong.messageZh, unknown.messageZh);
    assert.deepEqual(wrong.details, unknown.details);
  });

  test('one address that fails 20 times in 15 minutes must wait (429 + Retry-After), over all accounts; other addresses may go on', async () => {
    const from = (remoteAddress: string, username: string, password: string) =>
      t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress });
    const guess = remember('Spray#0001');
    for (let i = 0; i < 20; i++) {
      expectError(await from('198.51.100.7', `sprayed.${i}`, guess), 401, 'INVALID_CREDENTIALS');
    }
    const res = await from('198.51.100.7', 'police.consumer', DEFAULT_DEMO_PASSWORD);
    const err = expectError(res, 429, 'TOO_MANY_ATTEMPTS');
    const wait = Number(res.headers['retry-after']);
    assert.ok(wait > 800 && wait <= 900, `Retry-After ${wait}`);
    assert.equal((err.details as { retryAfterSeconds: number }).retryAfterSeconds, wait);
    assert.equal((await from('198.51.100.8', 'police.consumer', DEFAULT_DEMO_PASSWORD)).statusCode, 200);
    const throttled = (await ledger('identity.login.throttle')).filter((e) => e.entry.subject.id === '198.51.100.7');
    assert.equal(throttled.length, 1, 'recorded once, when the limit is reached');
  });

  test('five wrong passwords lock the account, even against the right password, until the security administrator unlocks it', async () => {
    const user = await makeUser('lock.subject');
    const guess = remember('Guess#0000');
    for (let i = 1; i <= 4; i++) expectError(await signIn('lock.subject', guess), 401, 'INVALID_CREDENTIALS');
    const locked = expectError(await signIn('lock.subject', guess), 403, 'ACCOUNT_LOCKED');
    assert.ok(Date.parse(String(locked.details?.lockedUntil)) > Date.now() + 10 * 60_000, 'locked for a while');
    expectError(await signIn('lock.subject'), 403, 'ACCOUNT_LOCKED');
    const shown = await t.request({ method: 'GET', url: `/api/v1/users/${user.id}`, token: await t.login('admin') });
    assert.equal(json<User>(shown).locked, true);

    expectError(await t.request({ method: 'POST', url: `/api/v1/users/${user.id}/unlock`, token: await t.login('admin') }), 403, 'FORBIDDEN');
    const unlock = await t.request({ method: 'POST', url: `/api/v1/users/${user.id}/unlock`, token: await t.login('secadmin') });
    assert.equal(unlock.statusCode, 204, unlock.body);
    assert.equal((await signIn('lock.subject')).statusCode, 200);

    // Unlocking starts the count afresh: one more wrong password does not lock again.
    expectError(await signIn('lock.subject', guess), 401, 'INVALID_CREDENTIALS');

    const entries = (await ledger('identity.login')).filter((e) => e.entry.subject.id === user.id).reverse();
    assert.deepEqual(
      entries.map((e) => e.entry.action),
      [...Array(4).fill('identity.login.fail'), 'identity.login.lock', 'identity.login.success', 'identity.login.fail'],
    );
    assert.deepEqual(
      entries.slice(0, 5).map((e) => (e.payload as { failedAttempts: number }).failedAttempts),
      [1, 2, 3, 4, 5],
    );
    const unlocks = (await ledger('identity.user.unlock')).filter((e) => e.entry.subject.id === user.id);
    assert.equal(unlocks.length, 1);
    assert.equal(unlocks[0]!.entry.actor.username, 'secadmin');
  });

  test('concurrent wrong guesses get no more than five password checks before the lock', async () => {
    const user = await makeUser('burst.subject');
    const guesses = Array.from({ length: 12 }, (_, i) => remember(`Burst#${String(i).padStart(4, '0')}`));
    const results = await Promise.all(guesses.map((g) => signIn('burst.subject', g)));
    for (const res of results) assert.ok(['INVALID_CREDENTIALS', 'ACCOUNT_LOCKED'].includes(errorCode(res) ?? ''), res.body);
    const checked = (await ledger('identity.login')).filter((e) => e.entry.subject.id === user.id);
    assert.equal(checked.length, 5, `${checked.length} passwords were tried against a limit of 5`);
    expectError(await signIn('burst.subject'), 403, 'ACCOUNT_LOCKED');
  });

  test('GET /auth/me returns the signed-in user and refuses anonymous callers', async () => {
    const res = await me(await t.login('market.approver'));
    assert.equal(res.statusCode, 200, res.body);
    const { user } = json<{ user: User }>(res);
    assert.equal(user.username, 'market.approver');
    assert.deepEqual(user.roles, ['provider_approver']);
    assert.equal(user.organisation.name, '青海省市场监督管理局');
    assert.ok(user.lastLoginAt, 'last sign-in is recorded');
    expectError(await t.request({ method: 'GET', url: '/api/v1/auth/me' }), 401, 'UNAUTHENTICATED');
  });

  test('logging out ends that session only', async () => {
    await makeUser('logout.subject');
    const first = await freshToken('logout.subject');
    const second = await freshToken('logout.subject');
    const out = await t.request({ method: 'POST', url: '/api/v1/auth/logout', token: first });
    assert.equal(out.statusCode, 204, out.body);
    expectError(await me(first), 401, 'TOKEN_INVALID');
    assert.equal((await me(second)).statusCode, 200);
  });

  test('a disabled account cannot sign in and its existing token stops working', async () => {
    const user = await makeUser('disable.subject');
    const token = await freshToken('disable.subject');
    const admin = await t.login('admin');
    const disabled = await t.request({ method: 'PATCH', url: `/api/v1/users/${user.id}`, token: admin, payload: { status: 'disabled' } });
    assert.equal(disabled.statusCode, 200, disabled.body);
    assert.equal(json<User>(disabled).status, 'disabled');
    expectError(await me(token), 401, 'TOKEN_INVALID');
    expectError(await signIn('disable.subject'), 403, 'ACCOUNT_DISABLED');
    // A wrong password says nothing about the account's state.
    expectError(await signIn('disable.subject', remember('Wrong#Pass2')), 401, 'INVALID_CREDENTIALS');

    const enabled = await t.request({ method: 'PATCH', url: `/api/v1/users/${user.id}`, token: admin, payload: { status: 'active' } });
    assert.equal(enabled.statusCode, 200, enabled.body);
    expectError(await me(token), 401, 'TOKEN_INVALID');
    assert.equal((await signIn('disable.subject')).statusCode, 200);
  });

  test('a token whose session has expired is refused', async () => {
    const user = await makeUser('expiry.subject');
    const token = await freshToken('expiry.subject');
    assert.equal((await me(token)).statusCode, 200);
    await t.node.db.kysely
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', user.id)
      .execute();
    expectError(await me(token), 401, 'TOKEN_INVALID');
  });

  test('changing your password needs the current one and a strong new one', async () => {
    await makeUser('password.subject');
    const token = await freshToken('password.subject');
    const change = (currentPassword: string, newPassword: string) =>
      t.request({ method: 'POST', url: '/api/v1/auth/password', token, payload: { currentPassword, newPassword } });
    expectError(await change(remember('Wrong#Pass3'), NEW_PASSWORD), 400, 'CURRENT_PASSWORD_WRONG');
    for (const weak of ['Short1!', 'alllowercase', 'lowerand1234', 'UPPERAND1234']) {
      expectError(await change(DEFAULT_DEMO_PASSWORD, remember(weak)), 400, 'PASSWORD_TOO_WEAK');
    }
    // Three classes are enough: lower, upper and a symbol.
    const res = await change(DEFAULT_DEMO_PASSWORD, NEW_PASSWORD);
    assert.equal(res.statusCode, 204, res.body);
    expectError(await signIn('password.subject'), 401, 'INVALID_CREDENTIALS');
    assert.equal((await signIn('password.subject', NEW_PASSWORD)).statusCode, 200);
  });

  test('passwords are stored as salted scrypt hashes', async () => {
    const rows = await t.node.db.kysely
      .selectFrom('users')
      .select(['username', 'password_hash'])
      .where('username', 'in', ['police.editor', 'market.editor'])
      .execute();
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.ok(row.password_hash.startsWith('scrypt$'), row.password_hash);
      assert.ok(!row.password_hash.includes(DEFAULT_DEMO_PASSWORD));
    }
    assert.notEqual(rows[0]!.password_hash, rows[1]!.password_hash, 'same password, different salts');
  });
});

// ---------------------------------------------------------------------------------------------

describe('三员分立 (separation of the three administrators)', () => {
  test('the platform administrator creates accounts without roles, and cannot slip roles in', async () => {
    const user = await makeUser('sod.created', []);
    assert.deepEqual(user.roles, []);
    assert.equal(user.status, 'active');
    assert.equal(user.organisation.name, '青海省公安厅');
    const withRoles = await t.request({
      method: 'POST',
      url: '/api/v1/users',
      token: await t.login('admin'),
      payload: { username: 'sod.sneaky', displayName: '夹带角色', organisationId: user.organisationId, password: DEFAULT_DEMO_PASSWORD, roles: ['consumer'] },
    });
    expectError(withRoles, 403, 'FORBIDDEN');
    const taken = await t.request({
      method: 'POST',
      url: '/api/v1/users',
      token: await t.login('admin'),
      payload: { username: 'SOD.Created', displayName: '重名', organisationId: user.organisationId, password: DEFAULT_DEMO_PASSWORD },
    });
    expectError(taken, 409, 'USERNAME_TAKEN');
  });

  test('only the security administrator grants roles, and the user then holds them', async () => {
    const user = await makeUser('sod.granted', []);
    const put = (token: string, roles: string[]) => t.request({ method: 'PUT', url: `/api/v1/users/${user.id}/roles`, token, payload: { roles } });
    expectError(await put(await t.login('admin'), ['consumer']), 403, 'FORBIDDEN');
    const granted = await put(await t.login('secadmin'), ['consumer', 'analyst', 'consumer']);
    assert.equal(granted.statusCode, 200, granted.body);
    assert.deepEqual(json<User>(granted).roles, ['analyst', 'consumer']);
    const login = await signIn('sod.granted');
    assert.equal(login.statusCode, 200, login.body);
    assert.deepEqual(json<LoginResult>(login).user.roles, ['analyst', 'consumer']);
  });

  test('administrator roles cannot be granted through the API', async () => {
    const user = await makeUser('sod.escalate', []);
    for (const role of ['platform_admin', 'security_admin', 'audit_admin']) {
      const res = await t.request({ method: 'PUT', url: `/api/v1/users/${user.id}/roles`, token: await t.login('secadmin'), payload: { roles: [role] } });
      expectError(res, 403, 'ADMIN_ROLE_NOT_ASSIGNABLE');
    }
    const after = await t.request({ method: 'GET', url: `/api/v1/users/${user.id}`, token: await t.login('auditor') });
    assert.deepEqual(json<User>(after).roles, []);
  });

  test("the security administrator cannot change an administrator's roles, its own included", async () => {
    for (const username of ['admin', 'secadmin', 'auditor']) {
      const res = await t.request({
        method: 'PUT',
        url: `/api/v1/users/${await userId(username)}/roles`,
        token: await t.login('secadmin'),
        payload: { roles: ['consumer'] },
      });
      expectError(res, 403, 'PROTECTED_ACCOUNT');
    }
  });

  test('the platform administrator cannot reset the password of, or disable, the security or audit administrator', async () => {
    const admin = await t.login('admin');
    for (const username of ['secadmin', 'auditor']) {
      const id = await userId(username);
      const reset = await t.request({ method: 'POST', url: `/api/v1/users/${id}/password`, token: admin, payload: { password: NEW_PASSWORD } });
      expectError(reset, 403, 'PROTECTED_ACCOUNT');
      const disable = await t.request({ method: 'PATCH', url: `/api/v1/users/${id}`, token: admin, payload: { status: 'disabled' } });
      expectError(disable, 403, 'PROTECTED_ACCOUNT');
      assert.equal((await signIn(username)).statusCode, 200, `${username} still signs in with the old password`);
    }
  });

  test("the platform administrator resets an ordinary user's password, ending their sessions", async () => {
    const user = await makeUser('sod.reset');
    const token = await freshToken('sod.reset');
    const admin = await t.login('admin');
    const weak = await t.request({ method: 'POST', url: `/api/v1/users/${user.id}/password`, token: admin, payload: { password: remember('weakpass') } });
    expectError(weak, 400, 'PASSWORD_TOO_WEAK');
    const reset = await t.request({ method: 'POST', url: `/api/v1/users/${user.id}/password`, token: admin, payload: { password: NEW_PASSWORD } });
    assert.equal(reset.statusCode, 204, reset.body);
    expectError(await me(token), 401, 'TOKEN_INVALID');
    expectError(await signIn('sod.reset'), 401, 'INVALID_CREDENTIALS');
    assert.equal((await signIn('sod.reset', NEW_PASSWORD)).statusCode, 200);
  });

  test('the security administrator cannot create or change accounts', async () => {
    const secadmin = await t.login('secadmin');
    const orgId = await organisationId('青海省公安厅');
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/users',
      token: secadmin,
      payload: { username: 'sod.bysecadmin', displayName: '安全员所建', organisationId: orgId, password: DEFAULT_DEMO_PASSWORD },
    });
    expectError(created, 403, 'FORBIDDEN');
    const target = await userId('analyst');
    expectError(await t.request({ method: 'PATCH', url: `/api/v1/users/${target}`, token: secadmin, payload: { status: 'disabled' } }), 403, 'FORBIDDEN');
    expectError(
      await t.request({ method: 'POST', url: `/api/v1/users/${target}/password`, token: secadmin, payload: { password: NEW_PASSWORD } }),
      403,
      'FORBIDDEN',
    );
  });

  test('the audit administrator reads accounts but can change nothing', async () => {
    const auditor = await t.login('auditor');
    const list = await t.request({ method: 'GET', url: '/api/v1/users?pageSize=200', token: auditor });
    assert.equal(list.statusCode, 200, list.body);
    assert.ok(json<PageOf<User>>(list).items.some((u) => u.username === 'admin'));
    assert.ok(!list.body.includes('scrypt$'), 'no password hashes in the list');

    const target = await userId('analyst');
    const orgId = await organisationId('青海省公安厅');
    const attempts: Array<{ method: 'POST' | 'PATCH' | 'PUT'; url: string; payload: Record<string, unknown> }> = [
      { method: 'POST', url: '/api/v1/users', payload: { username: 'sod.byauditor', displayName: '审计员所建', organisationId: orgId, password: DEFAULT_DEMO_PASSWORD } },
      { method: 'PATCH', url: `/api/v1/users/${target}`, payload: { displayName: '改名' } },
      { method: 'PUT', url: `/api/v1/users/${target}/roles`, payload: { roles: ['consumer'] } },
      { method: 'POST', url: `/api/v1/users/${target}/password`, payload: { password: NEW_PASSWORD } },
      { method: 'POST', url: `/api/v1/users/${target}/unlock`, payload: {} },
      { method: 'POST', url: '/api/v1/organisations', payload: { code: creditCode('0AUD1T00'), name: '审计员所建', divisionCode: '630000', level: 'province', kind: 'department' } },
      { method: 'PATCH', url: `/api/v1/organisations/${orgId}`, payload: { name: '改名' } },
      { method: 'POST', url: '/api/v1/apps', payload: { name: '审计员的应用' } },
    ];
    for (const a of attempts) expectError(await t.request({ ...a, token: auditor }), 403, 'FORBIDDEN');
    const analyst = await t.request({ method: 'GET', url: `/api/v1/users/${target}`, token: auditor });
    assert.equal(json<User>(analyst).displayName, '陈思远');
  });

  test("changing a user's roles ends their sessions", async () => {
    const user = await makeUser('sod.rolechange', ['consumer']);
    const token = await freshToken('sod.rolechange');
    assert.equal((await me(token)).statusCode, 200);
    const res = await t.request({ method: 'PUT', url: `/api/v1/users/${user.id}/roles`, token: await t.login('secadmin'), payload: { roles: ['analyst'] } });
    assert.equal(res.statusCode, 200, res.body);
    expectError(await me(token), 401, 'TOKEN_INVALID');
    assert.deepEqual(json<LoginResult>(await signIn('sod.rolechange')).user.roles, ['analyst']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('organisations', () => {
  let admin: string;
  let province: string;
  before(async () => {
    admin = await t.login('admin');
    province = await organisationId('青海省人民政府');
  });

  const create = (body: Record<string, unknown>) => t.request({ method: 'POST', url: '/api/v1/organisations', token: admin, payload: body });
  const department = (code: string, name: string, parentId: string = province) => ({
    code,
    name,
    divisionCode: '630000',
    level: 'province',
    kind: 'department',
    parentId,
  });

  test('the platform administrator creates an organisation with a valid credit code', async () => {
    const code = creditCode('0987654A');
    const res = await create(department(code, '青海省测试厅'));
    assert.equal(res.statusCode, 201, res.body);
    const org = json<Organisation>(res);
    assert.equal(org.code, code);
    assert.equal(org.divisionName, '青海省');
    assert.equal(org.parentId, province);
    assert.equal(org.parentName, '青海省人民政府');
    const fetched = await t.request({ method: 'GET', url: `/api/v1/organisations/${org.id}`, token: await t.login('analyst') });
    assert.deepEqual(json<Organisation>(fetched), org);
  });

  test('a credit code with a wrong check character is refused', async () => {
    const code = creditCode('0987654B');
    const wrong = code.slice(0, 17) + (code.endsWith('0') ? '1' : '0');
    expectError(await create(department(wrong, '青海省错码厅')), 400, 'INVALID_CREDIT_CODE');
  });

  test('an unknown division and a level that does not match the division are refused', async () => {
    expectError(await create({ ...department(creditCode('0987654C'), '不存在的地区'), divisionCode: '639999' }), 400, 'INVALID_DIVISION_CODE');
    expectError(await create({ ...department(creditCode('0987654D'), '层级不符'), level: 'city' }), 400, 'LEVEL_DIVISION_MISMATCH');
    const city = await create({ ...department(creditCode('0987654E'), '西宁市测试局'), divisionCode: '630100', level: 'city' });
    assert.equal(city.statusCode, 201, city.body);
    assert.equal(json<Organisation>(city).divisionName, '青海省西宁市');
  });

  test('a credit code already in use is refused with 409', async () => {
    const code = creditCode('0987654F');
    assert.equal((await create(department(code, '青海省甲厅'))).statusCode, 201);
    expectError(await create(department(code, '青海省乙厅')), 409, 'CREDIT_CODE_TAKEN');
  });

  test('an organisation cannot be moved under itself or its own descendant', async () => {
    const top = json<Organisation>(await create(department(creditCode('0987654G'), '青海省上级厅')));
    const child = json<Organisation>(await create(department(creditCode('0987654H'), '青海省下级处', top.id)));
    const grandchild = json<Organisation>(await create(department(creditCode('0987654J'), '青海省下下级科', child.id)));
    const move = (id: string, parentId: string) => t.request({ method: 'PATCH', url: `/api/v1/organisations/${id}`, token: admin, payload: { parentId } });
    expectError(await move(top.id, grandchild.id), 400, 'PARENT_CYCLE');
    expectError(await move(top.id, top.id), 400, 'PARENT_CYCLE');
    const fine = await move(grandchild.id, top.id);
    assert.equal(fine.statusCode, 200, fine.body);
    assert.equal(json<Organisation>(fine).parentName, '青海省上级厅');
  });

  test('every signed-in user lists organisations a page at a time', async () => {
    const token = await t.login('hrss.consumer');
    const page1 = json<PageOf<Organisation>>(await t.request({ method: 'GET', url: '/api/v1/organisations?page=1&pageSize=5', token }));
    const page2 = json<PageOf<Organisation>>(await t.request({ method: 'GET', url: '/api/v1/organisations?page=2&pageSize=5', token }));
    assert.ok(page1.total >= 26, `total ${page1.total}`);
    assert.equal(page2.total, page1.total);
    assert.deepEqual([page1.page, page1.pageSize, page1.items.length], [1, 5, 5]);
    assert.deepEqual([page2.page, page2.pageSize, page2.items.length], [2, 5, 5]);
    const ids = new Set([...page1.items, ...page2.items].map((o) => o.id));
    assert.equal(ids.size, 10, 'pages do not overlap');
    const all = json<PageOf<Organisation>>(await t.request({ method: 'GET', url: '/api/v1/organisations?pageSize=200', token }));
    assert.equal(all.items.length, all.total);
    const tooBig = await t.request({ method: 'GET', url: '/api/v1/organisations?pageSize=201', token });
    assert.equal(tooBig.statusCode, 400, tooBig.body);
    expectError(await t.request({ method: 'GET', url: '/api/v1/organisations' }), 401, 'UNAUTHENTICATED');
  });

  test('organisations are searched by name', async () => {
    const res = await t.request({ method: 'GET', url: `/api/v1/organisations?q=${encodeURIComponent('公安')}`, token: await t.login('analyst') });
    const page = json<PageOf<Organisation>>(res);
    assert.ok(page.items.some((o) => o.name === '青海省公安厅'));
    assert.ok(page.items.every((o) => o.name.includes('公安')));
    assert.equal(page.total, page.items.length);
    // LIKE wildcards in the query are taken literally.
    const percent = json<PageOf<Organisation>>(await t.request({ method: 'GET', url: '/api/v1/organisations?q=%25', token: await t.login('analyst') }));
    assert.equal(percent.total, 0);
  });

  test("divisions under 630000 are Qinghai's cities and prefectures", async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/divisions?parent=630000', token: await t.login('analyst') });
    assert.equal(res.statusCode, 200, res.body);
    const { items } = json<{ items: Array<{ code: string; name: string; level: string; hasChildren: boolean }> }>(res);
    assert.deepEqual(items.find((d) => d.code === '630100'), { code: '630100', name: '西宁市', level: 'city', hasChildren: true });
    assert.ok(items.some((d) => d.code === '632800' && d.name.startsWith('海西')));
    assert.ok(items.every((d) => d.code.startsWith('63') && d.level === 'city'), 'only Qinghai, only cities');
  });
});

// ---------------------------------------------------------------------------------------------

describe('app credentials and signed requests', () => {
  const WHOAMI = '/api/v1/apps/whoami';
  let police: string;
  let market: string;
  let app: AppCredential & { secret: string };

  async function createApp(username: string, name: string): Promise<AppCredential & { secret: string }> {
    const res = await t.request({ method: 'POST', url: '/api/v1/apps', token: await t.login(username), payload: { name } });
    assert.equal(res.statusCode, 201, res.body);
    const created = json<AppCredential & { secret: string }>(res);
    remember(created.secret);
    return created;
  }

  const signed = (headers: Record<string, string>, url = WHOAMI, method: 'GET' | 'POST' = 'GET', payload?: string) =>
    t.request({
      method,
      url,
      headers: payload === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload }),
    });

  before(async () => {
    police = await organisationId('青海省公安厅');
    market = await organisationId('青海省市场监督管理局');
    app = await createApp('police.consumer', '公安厅数据接入');
  });

  test('a consumer issues an app credential for their organisation; the secret is shown once', async () => {
    assert.match(app.appKey, /^ts_\S+$/);
    assert.ok(app.secret.length >= 32);
    assert.equal(app.organisationId, police);
    assert.equal(app.status, 'active');
    const list = await t.request({ method: 'GET', url: '/api/v1/apps', token: await t.login('police.consumer') });
    assert.equal(list.statusCode, 200, list.body);
    const items = json<PageOf<Record<string, unknown>>>(list).items;
    assert.ok(items.some((a) => a.id === app.id));
    assert.ok(items.every((a) => !('secret' in a) && !('secretSealed' in a)));
    assert.ok(!list.body.includes(app.secret), 'the list never carries the secret');
  });

  test('the secret is stored sealed, not in plain text', async () => {
    const row = await t.node.db.kysely.selectFrom('app_credentials').select('secret_sealed').where('id', '=', app.id).executeTakeFirstOrThrow();
    assert.ok(row.secret_sealed.length > 0);
    assert.ok(!row.secret_sealed.includes(app.secret));
    assert.ok(!Buffer.from(row.secret_sealed, 'base64').toString('latin1').includes(app.secret));
  });

  test('a correctly signed request authenticates the app and its organisation', async () => {
    const res = await signed(signedHeaders(app, 'GET', WHOAMI));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(json<unknown>(res), { appId: app.id, appKey: app.appKey, organisationId: police });
    const shown = json<PageOf<AppCredential>>(await t.request({ method: 'GET', url: '/api/v1/apps', token: await t.login('police.consumer') }));
    assert.ok(shown.items.find((a) => a.id === app.id)?.lastUsedAt, 'use is recorded');
  });

  test('a request without signature headers is refused with SIGNATURE_MISSING', async () => {
    expectError(await signed({}), 401, 'SIGNATURE_MISSING');
    const full = signedHeaders(app, 'GET', WHOAMI);
    for (const name of ['x-tianshu-app', 'x-tianshu-nonce', 'x-tianshu-signature']) {
      const { [name]: _dropped, ...rest } = full;
      expectError(await signed(rest), 401, 'SIGNATURE_MISSING');
    }
    const { 'x-tianshu-timestamp': _ts, ...noTimestamp } = full;
    expectError(await signed(noTimestamp), 401, 'TIMESTAMP_EXPIRED');
  });

  test('timestamps more than 300 seconds away are refused, either way', async () => {
    const at = (offsetMs: number) => signedHeaders(app, 'GET', WHOAMI, '', { timestamp: String(Date.now() + offsetMs) });
    expectError(await signed(at(-301_000)), 401, 'TIMESTAMP_EXPIRED');
    expectError(await signed(at(301_000)), 401, 'TIMESTAMP_EXPIRED');
    assert.equal((await signed(at(-290_000))).statusCode, 200, 'just inside the window');
    expectError(await signed(signedHeaders(app, 'GET', WHOAMI, '', { timestamp: 'yesterday' })), 401, 'TIMESTAMP_EXPIRED');
  });

  test('a signature made with the wrong secret is refused', async () => {
    const forged = signedHeaders({ appKey: app.appKey, secret: remember('not-the-secret-0123456789abcdef') }, 'GET', WHOAMI);
    expectError(await signed(forged), 401, 'SIGNATURE_INVALID');
  });

  test('a replayed nonce is refused, but a refused signature does not use the nonce up', async () => {
    const nonce = `replay-${Date.now()}`;
    const bad = signedHeaders({ appKey: app.appKey, secret: 'wrong-secret-wrong-secret-wrong!' }, 'GET', WHOAMI, '', { nonce });
    expectError(await signed(bad), 401, 'SIGNATURE_INVALID');
    const good = signedHeaders(app, 'GET', WHOAMI, '', { nonce });
    assert.equal((await signed(good)).statusCode, 200);
    expectError(await signed(good), 401, 'NONCE_REUSED');
    expectError(await signed(signedHeaders(app, 'GET', WHOAMI, '', { nonce: 'bad nonce!' })), 401, 'NONCE_INVALID');
  });

  test('refused calls of a known app are in the ledger: bad signatures and replays, one entry per minute and reason', async () => {
    const watched = await createApp('police.consumer', '留痕测试应用');
    const forged = () => signedHeaders({ appKey: watched.appKey, secret: remember('forged-secret-forged-secret-0000') }, 'GET', WHOAMI);
    expectError(await signed(forged()), 401, 'SIGNATURE_INVALID');
    expectError(await signed(forged()), 401, 'SIGNATURE_INVALID');
    const good = signedHeaders(watched, 'GET', WHOAMI);
    assert.equal((await signed(good)).statusCode, 200);
    expectError(await signed(good), 401, 'NONCE_REUSED');
    const refused = (await ledger('identity.app.refused')).filter((e) => e.entry.subject.id === watched.id);
    assert.deepEqual(refused.map((e) => (e.payload as { reason: string }).reason).sort(), ['bad_signature', 'replay']);
    assert.ok(refused.every((e) => !JSON.stringify(e.payload).includes(watched.secret)), 'no secret in the ledger');
  });

  test('an unknown app key is refused with APP_UNKNOWN', async () => {
    expectError(await signed(signedHeaders({ appKey: 'ts_nosuchapp', secret: app.secret }, 'GET', WHOAMI)), 401, 'APP_UNKNOWN');
  });

  test('the method and the query string are covered by the signature', async () => {
    const withQuery = signedHeaders(app, 'GET', `${WHOAMI}?scope=1`);
    expectError(await signed(withQuery, `${WHOAMI}?scope=2`), 401, 'SIGNATURE_INVALID');
    expectError(await signed(signedHeaders(app, 'GET', `${WHOAMI}?scope=1`), WHOAMI), 401, 'SIGNATURE_INVALID');
    assert.equal((await signed(signedHeaders(app, 'GET', `${WHOAMI}?scope=1`), `${WHOAMI}?scope=1`)).statusCode, 200);
    expectError(await signed(signedHeaders(app, 'POST', WHOAMI)), 401, 'SIGNATURE_INVALID');
  });

  test('the body is covered by the signature, byte for byte', async () => {
    const body = '{ "purpose": "人口基础信息核验",  "rows": 10 }';
    const headers = signedHeaders(app, 'POST', WHOAMI, body);
    expectError(await signed(headers, WHOAMI, 'POST', body.replace('10', '99')), 401, 'SIGNATURE_INVALID');
    // The same request, untouched (its nonce was not used by the refusal above).
    const ok = await signed(headers, WHOAMI, 'POST', body);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(json<{ organisationId: string }>(ok).organisationId, police);
    // Re-serialising the JSON changes the bytes, so it no longer verifies.
    const reserialised = JSON.stringify(JSON.parse(body));
    expectError(await signed(signedHeaders(app, 'POST', WHOAMI, body), WHOAMI, 'POST', reserialised), 401, 'SIGNATURE_INVALID');
    const empty = await signed(signedHeaders(app, 'POST', WHOAMI), WHOAMI, 'POST');
    assert.equal(empty.statusCode, 200, empty.body);
  });

  test('another organisation can neither see nor revoke the credential', async () => {
    const marketApp = await createApp('market.consumer', '市场监管局数据接入');
    const token = await t.login('market.consumer');
    const list = json<PageOf<AppCredential>>(await t.request({ method: 'GET', url: '/api/v1/apps', token }));
    assert.ok(list.items.some((a) => a.id === marketApp.id));
    assert.ok(list.items.every((a) => a.organisationId === market), 'only their own apps');
    assert.equal(list.total, list.items.length);
    expectError(await t.request({ method: 'POST', url: `/api/v1/apps/${app.id}/revoke`, token }), 404, 'APP_NOT_FOUND');
    assert.equal((await signed(signedHeaders(app, 'GET', WHOAMI))).statusCode, 200, 'still active');
  });

  test('the owner revokes a credential and its signed requests are refused at once', async () => {
    const doomed = await createApp('police.consumer', '即将吊销');
    assert.equal((await signed(signedHeaders(doomed, 'GET', WHOAMI))).statusCode, 200);
    const token = await t.login('police.consumer');
    const res = await t.request({ method: 'POST', url: `/api/v1/apps/${doomed.id}/revoke`, token });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(json<AppCredential>(res).status, 'revoked');
    assert.ok(json<AppCredential>(res).revokedAt);
    expectError(await signed(signedHeaders(doomed, 'GET', WHOAMI)), 401, 'APP_REVOKED');
    expectError(await t.request({ method: 'POST', url: `/api/v1/apps/${doomed.id}/revoke`, token }), 409, 'APP_ALREADY_REVOKED');
  });

  test("another replica's revocation is seen within a second (credentials are cached that long)", async () => {
    const doomed = await createApp('police.consumer', '另一副本吊销');
    assert.equal((await signed(signedHeaders(doomed, 'GET', WHOAMI))).statusCode, 200);
    // As another replica would: the row changes under this process.
    await t.node.db.kysely.updateTable('app_credentials').set({ status: 'revoked', revoked_at: new Date() }).where('id', '=', doomed.id).execute();
    await new Promise((resolve) => setTimeout(resolve, APP_CACHE_MS + 100));
    expectError(await signed(signedHeaders(doomed, 'GET', WHOAMI)), 401, 'APP_REVOKED');
  });

  test('the security administrator sees every app and revokes any', async () => {
    const secadmin = await t.login('secadmin');
    const list = json<PageOf<AppCredential>>(await t.request({ method: 'GET', url: '/api/v1/apps?pageSize=200', token: secadmin }));
    const orgs = new Set(list.items.map((a) => a.organisationId));
    assert.ok(orgs.has(police) && orgs.has(market), 'apps of both organisations');
    expectError(await t.request({ method: 'POST', url: '/api/v1/apps', token: secadmin, payload: { name: '安全员的应用' } }), 403, 'FORBIDDEN');
    const res = await t.request({ method: 'POST', url: `/api/v1/apps/${app.id}/revoke`, token: secadmin });
    assert.equal(res.statusCode, 200, res.body);
    expectError(await signed(signedHeaders(app, 'GET', WHOAMI)), 401, 'APP_REVOKED');
  });
});

// ---------------------------------------------------------------------------------------------

describe('audit', () => {
  const lastFor = async (action: string, subjectId: string) => {
    const found = (await ledger(action)).find((e) => e.entry.action === action && e.entry.subject.id === subjectId);
    assert.ok(found, `${action} of ${subjectId} is in the ledger`);
    return found;
  };

  test('account, role, organisation and app changes are in the ledger with the acting user', async () => {
    const user = await makeUser('audit.subject', ['consumer']);
    assert.equal((await lastFor('identity.user.create', user.id)).entry.actor.username, 'admin');
    const roles = await lastFor('identity.user.roles', user.id);
    assert.equal(roles.entry.actor.username, 'secadmin');
    assert.deepEqual(roles.payload, { before: [], after: ['consumer'] });

    const org = await t.request({
      method: 'POST',
      url: '/api/v1/organisations',
      token: await t.login('admin'),
      payload: { code: creditCode('0AUD1T01'), name: '青海省审计测试厅', divisionCode: '630000', level: 'province', kind: 'department' },
    });
    assert.equal(org.statusCode, 201, org.body);
    assert.equal((await lastFor('identity.organisation.create', json<Organisation>(org).id)).entry.actor.username, 'admin');

    const created = await t.request({ method: 'POST', url: '/api/v1/apps', token: await t.login('hrss.consumer'), payload: { name: '审计测试应用' } });
    assert.equal(created.statusCode, 201, created.body);
    const app = json<AppCredential & { secret: string }>(created);
    remember(app.secret);
    assert.equal((await lastFor('identity.app.create', app.id)).entry.actor.username, 'hrss.consumer');
    const revoked = await t.request({ method: 'POST', url: `/api/v1/apps/${app.id}/revoke`, token: await t.login('secadmin') });
    assert.equal(revoked.statusCode, 200, revoked.body);
    const revoke = await lastFor('identity.app.revoke', app.id);
    assert.equal(revoke.entry.actor.username, 'secadmin');
    assert.equal((revoke.payload as { appKey: string }).appKey, app.appKey);
  });

  test('no ledger entry carries a password, secret or session token', async () => {
    await t.node.ledger.flush();
    const { items, total } = await t.node.ledger.entries({}, 1, 100_000);
    assert.equal(items.length, total);
    assert.ok(total > 100, `only ${total} entries`);
    assert.ok(secretsUsed.size > 20, `only ${secretsUsed.size} secrets to look for`);
    for (const e of items) {
      const text = `${e.canonical}\n${JSON.stringify(e.payload)}`;
      for (const secret of secretsUsed) assert.ok(!text.includes(secret), `entry ${e.seq} (${e.entry.action}) contains a secret`);
    }
  });
});

describe('review fixes', () => {
  let t: TestNode;
  before(async () => {
    t = await build();
  });
  after(() => t.close());

  test('a signed request cannot carry an unsigned body of another media type', async () => {
    const token = await t.login('police.consumer');
    const created = (await t.request({ method: 'POST', url: '/api/v1/apps', token, payload: { name: '媒体类型校验' } })).json() as { appKey: string; secret: string };
    const headers = signedHeaders(created, 'POST', '/api/v1/apps/whoami', '');
    const res = await t.request({ method: 'POST', url: '/api/v1/apps/whoami', headers: { ...headers, 'content-type': 'text/plain' }, payload: 'tampered body' });
    assert.equal(res.statusCode, 415);
    assert.equal(errorCode(res), 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('moving a user to another organisation clears the roles granted for the old one (三员分立)', async () => {
    const admin = await t.login('admin');
    const approver = await t.node.identity.findUserByUsername('police.approver');
    const market = (await t.request({ method: 'GET', url: `/api/v1/organisations?q=${encodeURIComponent('青海省市场监督管理局')}`, token: admin })).json() as { items: Array<{ id: string; name: string }> };
    const marketId = market.items.find((o) => o.name === '青海省市场监督管理局')!.id;
    const res = await t.request({ method: 'PATCH', url: `/api/v1/users/${approver!.id}`, token: admin, payload: { organisationId: marketId } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((res.json() as { roles: string[] }).roles, []);
  });

  test('changing your password ends your other sessions', async () => {
    const first = await t.login('analyst');
    const second = (await t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'analyst', password: 'Tianshu@2026' } })).json() as { token: string };
    const change = await t.request({ method: 'POST', url: '/api/v1/auth/password', token: first, payload: { currentPassword: 'Tianshu@2026', newPassword: 'Analyst#2027x' } });
    assert.equal(change.statusCode, 204);
    assert.equal((await t.request({ method: 'GET', url: '/api/v1/auth/me', token: first })).statusCode, 200);
    const other = await t.request({ method: 'GET', url: '/api/v1/auth/me', token: second.token });
    assert.equal(other.statusCode, 401);
  });

  test('input the database cannot store is a 400, never a 500', async () => {
    const nul = await t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'adm\u0000in', password: 'x' } });
    assert.equal(nul.statusCode, 400, nul.body);
    const token = await t.login('admin');
    const page = await t.request({ method: 'GET', url: '/api/v1/organisations?page=99999999999999999999', token });
    assert.equal(page.statusCode, 400);
    const far = await t.request({ method: 'GET', url: '/api/v1/calendar/working-days?from=9999-12-30&days=5', token });
    assert.equal(far.statusCode, 400);
    assert.equal(errorCode(far), 'DATE_OUT_OF_RANGE');
    const proto = await t.request({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"username":"admin","password":"x","__proto__":{"isAdmin":true}}' });
    assert.equal(proto.statusCode, 400);
  });
});
