import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { build, type TestNode } from '../../test/helper.js';
import { demoPerson } from './base-libraries.js';
import { seedBaseLibraries } from './base-seed.js';
import { DEMO_ORGANISATIONS } from './qinghai.js';

let t: TestNode;
before(async () => {
  t = await build(undefined, { node: { housekeeping: false } });
});
after(() => t.close());

test('the base libraries are registered, published, attached and loaded; a person’s profile spans three libraries', async () => {
  const token = await t.login('authority');
  const organisations = (await t.request({ method: 'GET', url: '/api/v1/organisations?pageSize=200', token })).json() as { items: Array<{ id: string; name: string }> };
  const ids = new Map(DEMO_ORGANISATIONS.map((o) => [o.key, organisations.items.find((x) => x.name === o.name)!.id]));
  const seeded = await seedBaseLibraries({ catalog: t.node.catalog, resources: t.node.resources }, ids, new Map(), { persons: 400 });
  assert.equal(seeded.libraries, 5);

  const resources = (await t.request({ method: 'GET', url: '/api/v1/resources?kind=table&pageSize=50', token })).json() as { items: Array<{ name: string; rowCount: number }> };
  const population = resources.items.find((r) => r.name === '人口基础信息');
  assert.equal(population?.rowCount, 400, 'every generated person passed the checks');
  assert.ok(resources.items.every((r) => r.rowCount > 0), JSON.stringify(resources.items.map((r) => [r.name, r.rowCount])));

  const person = demoPerson(7);
  const profile = (await t.request({ method: 'GET', url: `/api/v1/profiles/person/${person.residentId}`, token })).json() as { sections: Array<{ resource: { name: string }; records: Array<Record<string, unknown>> }> };
  assert.deepEqual(profile.sections.map((s) => s.resource.name).sort(), ['个人电子证照信息', '人口基础信息', '社会保险参保信息'].sort());
  assert.equal(profile.sections.find((s) => s.resource.name === '人口基础信息')?.records[0]?.full_name, person.name);
});
