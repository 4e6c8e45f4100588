import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { build, type TestNode } from './helper.js';

let t: TestNode;
before(async () => {
  t = await build(undefined, { demo: false });
});
after(() => t.close());

test('/openapi.json is a valid OpenAPI document covering every API route', async () => {
  const res = await t.request({ method: 'GET', url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json() as { openapi: string; paths: Record<string, Record<string, { security?: unknown[]; responses?: Record<string, unknown> }>> };
  // validate() dereferences in place; give it a copy so the assertions below see the original.
  await SwaggerParser.validate(structuredClone(doc) as never);
  assert.match(doc.openapi, /^3\.1\./);
  for (const r of t.app.routeAccessTable) {
    const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const op = doc.paths[path]?.[r.method.toLowerCase()];
    assert.ok(op, `${r.method} ${path} is documented`);
    assert.ok(op.responses && Object.keys(op.responses).length > 0, `${r.method} ${path} documents its responses`);
    const expectsSecurity = !('public' in r.access);
    assert.equal((op.security ?? []).length > 0, expectsSecurity, `${r.method} ${path} security matches its access`);
  }
});

test('the API documentation page is served', async () => {
  const res = await t.request({ method: 'GET', url: '/docs/' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /html/);
});
