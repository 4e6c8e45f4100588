import net from 'node:net';
import path from 'node:path';
import { InputError } from './errors.js';

export type NodeLevel = 'national' | 'region' | 'department';
export const NODE_LEVELS: readonly NodeLevel[] = ['national', 'region', 'department'];

export interface Config {
  port: number;
  host: string;
  /** PostgreSQL server URL; absent means the embedded PGlite under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  node: { code: string; name: string; level: NodeLevel; parentCode: string | null };
  /** Create the demo region when the database is empty. */
  demo: boolean;
  demoPassword: string;
  /** Persons in the demo base libraries (人口; enterprises are a fifth of it); 0 leaves them out. */
  demoPersons: number;
  /** The largest file one load takes, in bytes (TIANSHU_MAX_LOAD_MB; default 4096 MB). */
  maxLoadBytes: number;
  /** The largest file a `file` resource version may be, in bytes (TIANSHU_MAX_FILE_MB; default 1024 MB). */
  maxFileBytes: number;
  /** Hex of 32 bytes; when absent the key is kept in `<dataDir>/keys/node.key`. */
  nodeKeyHex: string | undefined;
  /** Hex SM2 private key for tree-head signatures; when absent kept in `<dataDir>/keys/`. */
  ledgerKeyHex: string | undefined;
  tokenTtlMinutes: number;
  logLevel: string;
  /** Built portal to serve at `/`; missing directory means the API only. */
  webDir: string;
  /**
   * Hosts that connectors (and proxied api resources) may reach: host names, `*.suffix`, IP
   * addresses and CIDR ranges; `*` allows any. Undefined: any host except loopback, link-local,
   * cloud metadata and this node's own database server.
   */
  connectorHosts: readonly string[] | undefined;
  /** The background job worker (connector pulls). */
  jobs: { pollSeconds: number; concurrency: number };
}

export const DEFAULT_DEMO_PASSWORD = 'Tianshu@2026';

type Env = Record<string, string | undefined>;

/** Flags (from the CLI) win over the environment, which wins over defaults. */
export interface ConfigFlags {
  port?: number;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  demo?: boolean;
  nodeCode?: string;
  nodeName?: string;
  nodeLevel?: string;
}

export function loadConfig(env: Env = process.env, flags: ConfigFlags = {}): Config {
  const level = flags.nodeLevel ?? env.TIANSHU_NODE_LEVEL ?? 'region';
  if (!(NODE_LEVELS as readonly string[]).includes(level)) {
    throw new InputError(
      'CONFIG_INVALID',
      `TIANSHU_NODE_LEVEL must be one of ${NODE_LEVELS.join(', ')}`,
      `TIANSHU_NODE_LEVEL 必须是 ${NODE_LEVELS.join('、')} 之一`,
    );
  }
  const port = flags.port ?? intFrom(env.PORT, 'PORT', 3000);
  const dataDir = path.resolve(flags.dataDir ?? env.TIANSHU_DATA_DIR ?? 'data');
  return {
    port,
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    databaseUrl: nonEmpty(flags.databaseUrl ?? env.DATABASE_URL),
    dataDir,
    node: {
      code: flags.nodeCode ?? env.TIANSHU_NODE_CODE ?? '630000',
      name: flags.nodeName ?? env.TIANSHU_NODE_NAME ?? '青海省政务数据共享平台',
      level: level as NodeLevel,
      parentCode: nonEmpty(env.TIANSHU_PARENT_CODE) ?? null,
    },
    // The demo region (with its documented password) is for the embedded default; a node on a
    // PostgreSQL server gets it only when asked for.
    demo: flags.demo ?? (env.TIANSHU_DEMO === undefined || env.TIANSHU_DEMO === '' ? !nonEmpty(flags.databaseUrl ?? env.DATABASE_URL) : env.TIANSHU_DEMO !== 'false'),
    demoPassword: nonEmpty(env.TIANSHU_DEMO_PASSWORD) ?? DEFAULT_DEMO_PASSWORD,
    demoPersons: demoPersons(env.TIANSHU_DEMO_PERSONS),
    maxLoadBytes: Math.max(1, intFrom(env.TIANSHU_MAX_LOAD_MB, 'TIANSHU_MAX_LOAD_MB', 4096)) * 1024 * 1024,
    maxFileBytes: Math.max(1, intFrom(env.TIANSHU_MAX_FILE_MB, 'TIANSHU_MAX_FILE_MB', 1024)) * 1024 * 1024,
    nodeKeyHex: nonEmpty(env.TIANSHU_NODE_KEY),
    ledgerKeyHex: nonEmpty(env.TIANSHU_LEDGER_KEY),
    tokenTtlMinutes: intFrom(env.TIANSHU_TOKEN_TTL_MINUTES, 'TIANSHU_TOKEN_TTL_MINUTES', 480),
    logLevel: env.LOG_LEVEL ?? 'info',
    webDir: path.resolve(env.TIANSHU_WEB_DIR ?? path.join(import.meta.dirname, '../../web/dist')),
    connectorHosts: hostList(env.TIANSHU_CONNECTOR_HOSTS),
    jobs: {
      pollSeconds: Math.max(1, intFrom(env.TIANSHU_JOB_POLL_SECONDS, 'TIANSHU_JOB_POLL_SECONDS', 5)),
      concurrency: Math.max(1, intFrom(env.TIANSHU_JOB_CONCURRENCY, 'TIANSHU_JOB_CONCURRENCY', 2)),
    },
  };
}

const HOST_NAME = /^(\*\.)?(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;

/** TIANSHU_CONNECTOR_HOSTS: a comma-separated list, each entry `*`, a host name, `*.suffix`, an address or a CIDR range. */
function hostList(value: string | undefined): string[] | undefined {
  if (nonEmpty(value) === undefined) return undefined;
  const entries = value!.split(',').map((e) => e.trim().toLowerCase()).filter((e) => e !== '');
  const bad = entries.filter((e) => !(e === '*' || HOST_NAME.test(e) || net.isIP(e) !== 0 || isCidr(e)));
  if (bad.length > 0) {
    throw new InputError(
      'CONFIG_INVALID',
      `TIANSHU_CONNECTOR_HOSTS has entries that are not a host name, address or CIDR range: ${bad.join(', ')}`,
      `TIANSHU_CONNECTOR_HOSTS 中以下项不是主机名、IP 地址或 CIDR 网段：${bad.join('、')}`,
    );
  }
  return entries;
}

export function isCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  if (rest.length > 0 || address === undefined || bits === undefined || !/^[0-9]{1,3}$/.test(bits)) return false;
  const family = net.isIP(address);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

function intFrom(v: string | undefined, name: string, fallback: number): number {
  if (nonEmpty(v) === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    throw new InputError('CONFIG_INVALID', `${name} must be a non-negative integer`, `${name} 必须是非负整数`);
  }
  return n;
}

function demoPersons(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 100_000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 10_000_000) throw new Error('TIANSHU_DEMO_PERSONS must be a whole number from 0 to 10,000,000');
  return n;
}
