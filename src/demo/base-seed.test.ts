import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { build, type TestNode } from '../../test/helper.js';
import { demoPerson } from './base-libraries.js';
import { seedBaseLibraries } from './base-seed.js';
import { DEMO_ORGANISATIONS } from './qinghai.js';
import { seedSharing } from './sharing-seed.js';

let t: TestNode;
let organisationIds: Map<string, string>;
let libraryEntries: Map<string, string>;
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
  organisationIds = ids;
  libraryEntries = seeded.entries;

  const resources = (await t.request({ method: 'GET', url: '/api/v1/resources?kind=table&pageSize=50', token })).json() as { items: Array<{ name: string; rowCount: number }> };
  const population = resources.items.find((r) => r.name === '人口基础信息');
  assert.equal(population?.rowCount, 400, 'every generated person passed the checks');
  assert.ok(resources.items.every((r) => r.rowCount > 0), JSON.stringify(resources.items.map((r) => [r.name, r.rowCount])));

  const person = demoPerson(7);
  const profile = (await t.request({ method: 'GET', url: `/api/v1/profiles/person/${person.residentId}`, token })).json() as { sections: Array<{ resource: { name: string }; records: Array<Record<string, unknown>> }> };
  assert.deepEqual(profile.sections.map((s) => s.resource.name).sort(), ['个人电子证照信息', '人口基础信息', '社会保险参保信息'].sort());
  assert.equal(profile.sections.find((s) => s.resource.name === '人口基础信息')?.records[0]?.full_name, person.name);
});

test('the sharing demo: an application waits in the police approval queue, another was granted, a demand and an objection wait; market has applied for nothing', async () => {
  const admin = await t.login('admin');
  const listed = (await t.request({ method: 'GET', url: '/api/v1/users?pageSize=200', token: admin })).json() as { items: Array<{ id: string; username: string; organisationId: string }> };
  const users = new Map(listed.items.map((u) => [u.username, { id: u.id, organisation: u.organisationId }]));
  assert.deepEqual(await seedSharing({ sharing: t.node.sharing, demands: t.node.demands, objections: t.node.objections }, organisationIds, users, libraryEntries), { applications: 2, demands: 1, objections: 1 });

  // A demand the authority routed waits for the police's answer; 人社厅's objection waits for market's.
  const demands = (await t.request({ method: 'GET', url: '/api/v1/demands?scope=assigned', token: await t.login('police.approver') })).json() as { items: Array<{ title: string; status: string }> };
  assert.deepEqual(demands.items.map((d) => [d.title, d.status]), [['流动人口居住登记信息', 'routed']]);
  const tickets = (await t.request({ method: 'GET', url: '/api/v1/objections?scope=assigned', token: await t.login('market.approver') })).json() as { items: Array<{ kind: string; status: string }> };
  assert.deepEqual(tickets.items.map((o) => [o.kind, o.status]), [['data', 'open']]);

  const queue = (await t.request({ method: 'GET', url: '/api/v1/applications?scope=approval', token: await t.login('police.approver') })).json() as { items: Array<{ status: string; catalog: { name: string }; applicant: { displayName: string }; dueDate: string | null }> };
  assert.equal(queue.items.length, 1);
  assert.equal(queue.items[0]!.catalog.name, '人口基础信息');
  assert.equal(queue.items[0]!.status, 'pending');
  assert.ok(queue.items[0]!.dueDate, 'with its 10-working-day deadline');

  const grants = (await t.request({ method: 'GET', url: '/api/v1/grants?as=consumer', token: await t.login('hrss.consumer') })).json() as { items: Array<{ status: string; catalog: { name: string } }> };
  assert.deepEqual(grants.items.map((g) => [g.catalog.name, g.status]), [['法人单位基础信息（市场主体）', 'active']]);
  const market = (await t.request({ method: 'GET', url: '/api/v1/applications?scope=mine', token: await t.login('market.consumer') })).json() as { total: number };
  assert.equal(market.total, 0, 'the README walk-through starts from a clean slate');
});
