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
