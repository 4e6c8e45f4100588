#!/usr/bin/env node
// Runs every *.test.ts under src/, test/ and web/src/ with node's test runner through tsx.
// (Node 20's --test does not expand globs itself.) Browser tests live in web/e2e and run separately.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const roots = ['src', 'test', 'web/src'];
const files = [];
const walk = (dir) => {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') walk(full);
    else if (/\.test\.tsx?$/.test(entry.name)) files.push(full);
  }
};
roots.forEach(walk);
// Tests against a MySQL/MariaDB server run only where one is named (CI names one); `npm test` on a
// machine with no servers stays green.
const servers = files.filter((f) => !f.endsWith('.mysql.test.ts') || process.env.TIANSHU_TEST_MYSQL_URL);
if (servers.length < files.length) console.log('# MySQL tests left out: set TIANSHU_TEST_MYSQL_URL (e.g. mysql://root@127.0.0.1:3306/test) to run them');
const only = process.argv.slice(2);
const selected = only.length ? servers.filter((f) => only.some((o) => f.includes(o))) : servers;
if (selected.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...selected.sort()],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
