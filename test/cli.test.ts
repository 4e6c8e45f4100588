import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { ENGINE, openTestDb, type TestDb } from './helper.js';

const run = promisify(execFile);
const MAIN = path.resolve(import.meta.dirname, '../src/main.ts');

let dataDir: string;
let testDb: TestDb | undefined;
let env: NodeJS.ProcessEnv;

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tianshu-cli-'));
  if (ENGINE === 'postgres') {
    testDb = await openTestDb();
    await testDb.db.close();
  }
  env = {
    ...process.env,
    TIANSHU_DATA_DIR: dataDir,
    DATABASE_URL: testDb?.url ?? '',
    // On PostgreSQL the demo region is opt-in.
    TIANSHU_DEMO: 'true',
    // The base libraries load in the background (src/demo/base-seed.test.ts covers them).
    TIANSHU_DEMO_PERSONS: '0',
    LOG_LEVEL: 'info',
    TIANSHU_WEB_DIR: path.join(dataDir, 'no-web'),
  };
});
after(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await testDb?.drop();
});

/** Children still running when a test fails must not outlive the run. */
const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

const tianshu = (...args: string[]) => run(process.execPath, ['--import', 'tsx', MAIN, ...args], { env });
/** Like `tianshu`, with `input` written to standard input. */
function tianshuWithStdin(input: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { env }, (err, stdout, stderr) =>
      err ? reject(Object.assign(err, { stdout, stderr })) : resolve({ stdout, stderr }),
    );
    child.stdin!.end(input);
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startNode(): Promise<{ child: ChildProcess; port: number; output: () => string; exited: Promise<number | null> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', '--port', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/v1/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`node did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port, output: () => output, exited };
}

describe('tianshu start', () => {
  test('serves the demo region, finishes in-flight requests on SIGTERM, exits 0 and logs no secrets', async () => {
    const node = await startNode();
    const base = `http://127.0.0.1:${node.port}/api/v1`;
    const login = (username: string) =>
      fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'Tianshu@2026' }),
      });
    const first = await login('police.consumer');
    assert.equal(first.status, 200);
    const { token } = (await first.json()) as { token: string };
    // Sign-ins take ~100 ms of scrypt each: once the node has logged all six as received, they are
    // in flight when SIGTERM arrives.
    const inFlight = ['admin', 'secadmin', 'auditor', 'authority', 'market.editor', 'analyst'].map(login);
    const received = () => node.output().split('\n').filter((l) => l.includes('incoming request') && l.includes('/auth/login')).length;
    while (received() < 7) await new Promise((r) => setTimeout(r, 5));
    node.child.kill('SIGTERM');
    const responses = await Promise.all(inFlight);
    assert.deepEqual(responses.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
    assert.equal(await node.exited, 0, node.output().slice(-3000));
    const log = node.output();
    assert.match(log, /shutting down/);
    assert.ok(!log.includes('Tianshu@2026'), 'no password in the log');
    assert.ok(!log.includes(token), 'no token in the log');
  });

  test('a restart finds the same data and keys; a second process cannot open the running node\'s database', async () => {
    const node = await startNode();
    const second = await tianshu('migrate').then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    if (ENGINE === 'pglite') {
      // Embedded: one process per data directory, or writes would be lost.
      assert.equal(second.code, 1);
      assert.match(second.stderr, /another Tianshu process \(pid \d+\) is using the database/);
    } else {
      assert.equal(second.code, 0, 'on PostgreSQL several processes share the database');
    }
    const res = await fetch(`http://127.0.0.1:${node.port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'Tianshu@2026' }),
    });
    assert.equal(res.status, 200);
    node.child.kill('SIGTERM');
    assert.equal(await node.exited, 0, node.output().slice(-3000));
  });
});

describe('tianshu administration', () => {
  test('migrate reports an up-to-date database', async () => {
    const { stdout } = await tianshu('migrate');
    assert.match(stdout, /migrations are up to date/);
  });

  test('user add creates an administrator with a generated password that signs in', async () => {
    const { stdout } = await tianshu('user', 'add', '--username', 'sec2', '--org', await authorityCode(), '--roles', 'security_admin');
    const password = /password \(shown once\): (\S+)/.exec(stdout)?.[1];
    assert.ok(password, stdout);
    const refused = await tianshu('user', 'reset-password', '--username', 'sec2', '--password', 'New-Passw0rd').then(
      () => assert.fail('a password on the command line must be refused'),
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--password-stdin/);
    const reset = await tianshuWithStdin('New-Passw0rd\n', 'user', 'reset-password', '--username', 'sec2', '--password-stdin');
    assert.match(reset.stdout, /reset/);
    assert.doesNotMatch(reset.stdout, /New-Passw0rd|shown once/);
    const { openNode } = await import('../src/node.js');
    const { testConfig } = await import('./helper.js');
    const node = await openNode(testConfig({ dataDir, databaseUrl: testDb?.url, nodeKeyHex: undefined, ledgerKeyHex: undefined }), { sequencer: false, seedDemo: false });
    try {
      const session = await node.identity.login('sec2', 'New-Passw0rd', { ip: '127.0.0.1' });
      assert.equal(session.user.username, 'sec2');
    } finally {
      await node.close();
    }
    const { stdout: verify } = await tianshu('ledger', 'verify');
    assert.match(verify, /ledger OK/);
  });

  test('user add refuses to combine administrator roles (三员分立)', async () => {
    const failed = await tianshu('user', 'add', '--username', 'both', '--org', await authorityCode(), '--roles', 'platform_admin,audit_admin').then(
      () => assert.fail('should fail'),
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /SEPARATION_OF_DUTIES/);
  });

  test('unknown commands print the usage and exit 2', async () => {
    const failed = await tianshu('frobnicate').then(
      () => assert.fail('should fail'),
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal(failed.code, 2);
    assert.match(failed.stderr, /Usage:/);
  });
});

/** The demo data authority's credit code, read back through the CLI's own database. */
async function authorityCode(): Promise<string> {
  const { openNode } = await import('../src/node.js');
  const { testConfig } = await import('./helper.js');
  const node = await openNode(testConfig({ dataDir, databaseUrl: testDb?.url, nodeKeyHex: undefined, ledgerKeyHex: undefined }), {
    seedDemo: false,
    sequencer: false,
  });
  try {
    const orgs = await node.identity.listOrganisations(
      { type: 'user', id: 'x', username: 'x', organisationId: 'x', roles: ['analyst'], sessionId: 'x' },
      { q: '政务服务监督管理局', parentId: undefined, kind: 'data_authority' },
      { page: 1, pageSize: 5, offset: 0, limit: 5 },
    );
    return orgs.items.find((o) => o.name === '青海省政务服务监督管理局')!.code;
  } finally {
    await node.close();
  }
}
