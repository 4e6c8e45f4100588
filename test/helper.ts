import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig, DEFAULT_DEMO_PASSWORD, type Config } from '../src/core/config.js';
import { openDb, type Db } from '../src/core/db/db.js';
import { generateSm2KeyPair, hmacSm3Hex, sm3Hex } from '../src/core/crypto/index.js';
import { openNode, type Node } from '../src/node.js';

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

export async function openTestDb(): Promise<TestDb> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const db = await openDb({});
    return { db, url: undefined, drop: () => db.close() };
  }
  const name = `tianshu_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: url.toString(), poolSize: 5 });
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close().catch(() => undefined);
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  const config = loadConfig({}, { dataDir: path.join(os.tmpdir(), `tianshu-test-${process.pid}`) });
  return {
    ...config,
    nodeKeyHex: crypto.randomBytes(32).toString('hex'),
    ledgerKeyHex: generateSm2KeyPair().privateKey,
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
export async function build(t?: Pick<TestContext, 'after'>, options: { demo?: boolean; config?: Partial<Config> } = {}): Promise<TestNode> {
  const testDb = await openTestDb();
  const node = await openNode(testConfig(options.config), { db: testDb.db, seedDemo: options.demo ?? true, sequencer: false });
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
