import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_DEMO_PASSWORD, loadConfig } from './config.js';
import { InputError } from './errors.js';

test('the demo region is on by default on the embedded database and opt-in on PostgreSQL', () => {
  assert.equal(loadConfig({}).demo, true);
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://x@h/db' }).demo, false);
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://x@h/db', TIANSHU_DEMO: 'true' }).demo, true);
  assert.equal(loadConfig({ TIANSHU_DEMO: 'false' }).demo, false);
  assert.equal(loadConfig({}, { demo: false }).demo, false);
});

test('flags win over the environment, which wins over defaults', () => {
  const config = loadConfig({ PORT: '4000', TIANSHU_NODE_LEVEL: 'national' }, { port: 5000 });
  assert.equal(config.port, 5000);
  assert.equal(config.node.level, 'national');
  assert.equal(loadConfig({}).demoPassword, DEFAULT_DEMO_PASSWORD);
  assert.equal(loadConfig({ TIANSHU_DEMO_PASSWORD: 'Other#2026' }).demoPassword, 'Other#2026');
});

test('bad settings are refused with CONFIG_INVALID', () => {
  assert.throws(() => loadConfig({ TIANSHU_NODE_LEVEL: 'county' }), (err: unknown) => err instanceof InputError && err.code === 'CONFIG_INVALID');
  assert.throws(() => loadConfig({ PORT: 'eighty' }), (err: unknown) => err instanceof InputError && err.code === 'CONFIG_INVALID');
});

test('connector hosts: unset keeps the default policy; a list is checked entry by entry', () => {
  assert.equal(loadConfig({}).connectorHosts, undefined);
  assert.deepEqual(loadConfig({ TIANSHU_CONNECTOR_HOSTS: ' 127.0.0.1, db.example.gov.cn ,10.0.0.0/8,*.data.gov.cn,' }).connectorHosts, [
    '127.0.0.1',
    'db.example.gov.cn',
    '10.0.0.0/8',
    '*.data.gov.cn',
  ]);
  assert.deepEqual(loadConfig({ TIANSHU_CONNECTOR_HOSTS: '*' }).connectorHosts, ['*']);
  for (const bad of ['10.0.0.0/33', 'http://x', 'a b', '::1/129']) {
    assert.throws(() => loadConfig({ TIANSHU_CONNECTOR_HOSTS: bad }), (err: unknown) => err instanceof InputError && err.code === 'CONFIG_INVALID', bad);
  }
});

test('the job worker polls every 5 s with 2 jobs at once unless told otherwise', () => {
  assert.deepEqual(loadConfig({}).jobs, { pollSeconds: 5, concurrency: 2 });
  assert.deepEqual(loadConfig({ TIANSHU_JOB_POLL_SECONDS: '30', TIANSHU_JOB_CONCURRENCY: '4' }).jobs, { pollSeconds: 30, concurrency: 4 });
  assert.throws(() => loadConfig({ TIANSHU_JOB_POLL_SECONDS: 'soon' }), (err: unknown) => err instanceof InputError && err.code === 'CONFIG_INVALID');
});
