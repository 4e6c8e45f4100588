import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig, DEFAULT_DEMO_PASSWORD, type Config } from '../src/core/config.js';
import { openDb, type Db } from '../src/core/db/db.js';
import { hmacSm3Hex, sm3Hex } from '../src/core/crypto/index.js';
import { openNode, type Node, type OpenNodeOptions } from '../src/node.js';

/**
 * The same suite runs on PGlite (default) and on PostgreSQL when DATABASE_URL is set: each test
 * file then gets a fresh database of its own, dropped at the end.
 */
export const ENGINE = process.env.DATABASE_URL ? 'postgres' : 'pglite';

export interface TestDb {
  db: Db;
  url: string | undefined;
  drop(): Promise<void>;
}

/**
 * Fixed keys for test nodes, so a database made from a template matches the node that opens it.
 * They protect nothing: test data only.
 */
export const TEST_KEYS = {
  nodeKeyHex: '74657374206e6f6465206b6579202d206e6f742061207265616c207365637265',
  ledgerKeyHex: '0fc01a9f0582dda62415b395ca11ecee802ec8e492f15bdeddcee887f781a9fd',
};

export type Template = 'none' | 'empty' | 'demo';

/**
 * A fresh database. `empty` and `demo` start from a template that already has the migrations (and the
 * demo region), built once per source version and reused by every test file: PGlite loads a dumped
 * data directory, PostgreSQL copies a template database. Either is several times faster than
 * initialising, migrating and seeding anew.
 */
export async function openTestDb(template: Template = 'none'): Promise<TestDb> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const loadDataDir = template === 'none' ? undefined : await pgliteTemplate(template);
    const db = await openDb({ loadDataDir });
    return { db, url: undefined, drop: () => db.close() };
  }
  const name = `tianshu_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const from = template === 'none' ? undefined : await postgresTemplate(base, template);
  await withAdmin(base, (admin) => admin.query(`create database ${name}${from ? ` template ${from}` : ''}`));
  const url = withDatabase(base, name);
  const db = await openDb({ databaseUrl: url, poolSize: 5 });
  return {
    db,
    url,
    async drop() {
      await db.close().catch(() => undefined);
      await withAdmin(base, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}

const withDatabase = (base: string, name: string): string => {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
};

async function withAdmin<T>(base: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Changes whenever the code that shapes a template could: every source file and the PGlite version. */
function sourceVersion(): string {
  const hash = crypto.createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!entry.name.endsWith('.test.ts')) hash.update(full).update(fs.readFileSync(full));
    }
  };
  walk(path.resolve(import.meta.dirname, '../src'));
  hash.update(fs.readFileSync(import.meta.filename));
  hash.update(fs.readFileSync(path.resolve(import.meta.dirname, '../node_modules/@electric-sql/pglite/package.json')));
  return hash.digest('hex').slice(0, 16);
}

/** Migrates (and seeds) a database the way a node's first start does, with the test keys. */
async function prepareTemplate(db: Db, template: Exclude<Template, 'none'>): Promise<void> {
  // Without the base libraries: their background load would race the template's close (tests that
  // need them seed them: src/demo/base-seed.test.ts).
  const node = await openNode(testConfig({ demoPersons: 0 }), { db, seedDemo: template === 'demo', sequencer: false });
  await node.ledger.flush();
  await node.close();
}

async function pgliteTemplate(template: Exclude<Template, 'none'>): Promise<Blob> {
  const file = path.join(os.tmpdir(), `tianshu-pglite-template-${sourceVersion()}-${template}.tar`);
  if (!fs.existsSync(file)) {
    const db = await openDb({});
    await prepareTemplate(db, template);
    const dump = await db.dumpDataDir!();
    await db.close();
    // Parallel test files may build it at the same time: write aside, then rename atomically.
    const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
    fs.writeFileSync(temp, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(temp, file);
  }
  return new Blob([fs.readFileSync(file)]);
}

async function postgresTemplate(base: string, template: Exclude<Template, 'none'>): Promise<string> {
  const name = `tianshu_test_tpl_${sourceVersion()}_${template}`;
  // One process builds it; the others wait on the lock and then find it.
  const lock = new pg.Client({ connectionString: base });
  await lock.connect();
  try {
    await lock.query(`select pg_advisory_lock(hashtext('tianshu_test_template'))`);
    const exists = await lock.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) {
      const building = `${name}_building`;
      await lock.query(`drop database if exists ${building} with (force)`);
      await lock.query(`create database ${building}`);
      const db = await openDb({ databaseUrl: withDatabase(base, building), poolSize: 5 });
      await prepareTemplate(db, template);
      await db.close();
      await lock.query(`alter database ${building} rename to ${name}`);
    }
  } finally {
    await lock.end();
  }
  return name;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  const config = loadConfig({}, { dataDir: path.join(os.tmpdir(), `tianshu-test-${process.pid}`) });
  return {
    ...config,
    ...TEST_KEYS,
    webDir: path.join(os.tmpdir(), 'tianshu-no-portal'),
    ...overrides,
  };
}

export interface TestNode {
  node: Node;
  app: FastifyInstance;
  testDb: TestDb;
  /** Signs in and returns the bearer token. */
  login(username: string, password?: string): Promise<string>;
  /** app.inject with an optional bearer token. */
  request(options: InjectOptions & { token?: string | undefined }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** A node with the demo region, on a fresh database, closed when the test (or suite) ends. */
export async function build(
  t?: Pick<TestContext, 'after'>,
  options: { demo?: boolean; config?: Partial<Config>; node?: Pick<OpenNodeOptions, 'now' | 'housekeeping'> } = {},
): Promise<TestNode> {
  const testDb = await openTestDb(options.demo === false ? 'empty' : 'demo');
  const node = await openNode(testConfig(options.config), { db: testDb.db, seedDemo: false, sequencer: false, ...options.node });
  const app = await buildApp(node, { logger: false });
  await app.ready();
  const tokens = new Map<string, string>();
  const built: TestNode = {
    node,
    app,
    testDb,
    async login(username, password = DEFAULT_DEMO_PASSWORD) {
      const cached = tokens.get(`${username}\n${password}`);
      if (cached) return cached;
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
      if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
      const token = (res.json() as { token: string }).token;
      tokens.set(`${username}\n${password}`, token);
      return token;
    },
    async request({ token, ...options }) {
      return app.inject({
        ...options,
        headers: { ...(options.headers ?? {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
    },
    async close() {
      await app.close();
      await node.close();
      await testDb.drop();
    },
  };
  t?.after(() => built.close());
  return built;
}

/** Headers of a request signed as DESIGN §6 describes. */
export function signedHeaders(
  app: { appKey: string; secret: string },
  method: string,
  pathWithQuery: string,
  body: string = '',
  overrides: { timestamp?: string; nonce?: string } = {},
): Record<string, string> {
  const timestamp = overrides.timestamp ?? String(Date.now());
  const nonce = overrides.nonce ?? crypto.randomBytes(12).toString('hex');
  const toSign = [method.toUpperCase(), pathWithQuery, timestamp, nonce, sm3Hex(body)].join('\n');
  return {
    'x-tianshu-app': app.appKey,
    'x-tianshu-timestamp': timestamp,
    'x-tianshu-nonce': nonce,
    'x-tianshu-signature': hmacSm3Hex(app.secret, toSign),
  };
}

export function errorCode(res: LightMyRequestResponse): string | undefined {
  try {
    return (res.json() as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}
