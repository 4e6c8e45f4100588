import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Access } from '../src/core/auth/access.js';
import { ROLES, type Role } from '../src/core/auth/roles.js';
import { DEMO_USERS } from '../src/demo/qinghai.js';
import { build, errorCode, type TestNode } from './helper.js';

/**
 * Every route, present and future, is checked from its declared access: anonymous callers get 401,
 * signed-in callers without a listed role get 403, and malformed input gets a 4xx with a stable
 * code — never a 500. Adding a route adds its cases here automatically.
 */
let t: TestNode;
before(async () => {
  t = await build();
});
after(() => t.close());

const NIL_UUID = '00000000-0000-4000-8000-000000000000';

/** Fills path parameters with well-formed values so the request reaches the access check. */
function concrete(url: string): string {
  return url.replace(/:seq/g, '1').replace(/:date/g, '2026-10-01').replace(/:[A-Za-z]+/g, NIL_UUID);
}

/** A demo user holding none of the roles, or undefined if every demo user holds one. */
function userWithout(roles: readonly Role[]): string | undefined {
  return DEMO_USERS.find((u) => !u.roles.some((r) => roles.includes(r)))?.username;
}

type PropSchema = { type?: string; enum?: unknown[]; pattern?: string; format?: string; maxLength?: number; minimum?: number };

/** A query string that breaks the first constrained parameter of a querystring schema. */
function malformedQuery(schema: unknown): string | undefined {
  const properties = (schema as { properties?: Record<string, PropSchema> } | undefined)?.properties ?? {};
  for (const [name, p] of Object.entries(properties)) {
    const bad =
      p.type === 'integer' || p.type === 'number'
        ? 'not-a-number'
        : p.enum
          ? '__no_such_value__'
          : p.pattern || p.format
            ? '!!'
            : p.maxLength !== undefined
              ? 'x'.repeat(p.maxLength + 1)
              : undefined;
    if (bad !== undefined) return `${name}=${encodeURIComponent(bad)}`;
  }
  return undefined;
}

const needsUser = (a: Access): a is Exclude<Access, { public: true } | { app: true }> => !('public' in a) && !('app' in a);

describe('every route declares its access', () => {
  test('the route table is not empty and every API route is in it', () => {
    assert.ok(t.app.routeAccessTable.length >= 25, `only ${t.app.routeAccessTable.length} routes`);
    for (const r of t.app.routeAccessTable) assert.ok(r.access, `${r.method} ${r.url}`);
  });

  test('anonymous callers are refused by every non-public route', async () => {
    for (const r of t.app.routeAccessTable) {
      if ('public' in r.access) continue;
      const res = await t.request({ method: r.method as 'GET', url: concrete(r.url), payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
      assert.equal(res.statusCode, 401, `${r.method} ${r.url} → ${res.statusCode} ${res.body}`);
      const code = errorCode(res);
      assert.ok(code === 'UNAUTHENTICATED' || code === 'SIGNATURE_MISSING', `${r.method} ${r.url}: ${code}`);
    }
  });

  test('a forged or expired bearer token is refused everywhere, even on public routes', async () => {
    for (const r of t.app.routeAccessTable) {
      if ('app' in r.access) continue;
      const res = await t.request({ method: r.method as 'GET', url: concrete(r.url), token: 'forged-token' });
      assert.equal(res.statusCode, 401, `${r.method} ${r.url}`);
      assert.equal(errorCode(res), 'TOKEN_INVALID');
    }
  });

  test('signed-in callers without a listed role are refused with 403', async () => {
    let checked = 0;
    for (const r of t.app.routeAccessTable) {
      if (!needsUser(r.access) || !('roles' in r.access)) continue;
      const username = userWithout(r.access.roles);
      assert.ok(username, `every demo user may call ${r.method} ${r.url}; add one who may not`);
      const res = await t.request({
        method: r.method as 'GET',
        url: concrete(r.url),
        token: await t.login(username),
        payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
      });
      assert.equal(res.statusCode, 403, `${r.method} ${r.url} as ${username} → ${res.statusCode} ${res.body}`);
      assert.equal(errorCode(res), 'FORBIDDEN');
      checked += 1;
    }
    assert.ok(checked >= 10);
  });

  test('malformed input gets a 4xx with a stable code on every route that takes input', async () => {
    let checked = 0;
    for (const r of t.app.routeAccessTable) {
      if ('app' in r.access) continue;
      const schema = (r.schema ?? {}) as { body?: unknown; params?: unknown; querystring?: unknown };
      const roles = 'roles' in r.access ? r.access.roles : ROLES;
      const username = DEMO_USERS.find((u) => u.roles.some((role) => roles.includes(role)))?.username;
      const token = 'public' in r.access ? undefined : await t.login(username!);
      const cases: Array<{ url: string; payload?: string; headers?: Record<string, string> }> = [];
      if (schema.body) {
        cases.push({ url: concrete(r.url), payload: '{"not json', headers: { 'content-type': 'application/json' } });
        cases.push({ url: concrete(r.url), payload: '[1,2,3]', headers: { 'content-type': 'application/json' } });
        cases.push({ url: concrete(r.url), payload: '<xml/>', headers: { 'content-type': 'application/xml' } });
      }
      if (schema.params) cases.push({ url: r.url.replace(/:[A-Za-z]+/g, 'not-valid!') });
      const query = malformedQuery(schema.querystring);
      if (query) cases.push({ url: `${concrete(r.url)}?${query}` });
      for (const c of cases) {
        const res = await t.request({ method: r.method as 'GET', url: c.url, token, ...(c.payload === undefined ? {} : { payload: c.payload }), headers: c.headers ?? {} });
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${r.method} ${c.url} ${c.payload ?? ''} → ${res.statusCode} ${res.body}`);
        const code = errorCode(res);
        assert.match(code ?? '', /^[A-Z][A-Z0-9_]+$/, `${r.method} ${c.url}: ${res.body}`);
        const body = res.json() as { error: { message: string; messageZh: string } };
        assert.ok(body.error.message && body.error.messageZh, 'both languages');
        checked += 1;
      }
    }
    assert.ok(checked >= 20, `only ${checked} malformed cases`);
  });

  test('unknown API routes get ROUTE_NOT_FOUND', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/no-such-thing' });
    assert.equal(res.statusCode, 404);
    assert.equal(errorCode(res), 'ROUTE_NOT_FOUND');
  });
});
