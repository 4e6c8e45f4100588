import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './core/config.js';
import { openDb, type Db } from './core/db/db.js';
import { migrate, type MigrationSource } from './core/db/migrations.js';
import { loadOrCreateKeys, type NodeKeys } from './core/keys.js';
import { seedDemo } from './demo/seed.js';
import { CatalogService, catalogMigrations } from './modules/catalog/index.js';
import { IdentityService, identityMigrations } from './modules/identity/index.js';
import { LedgerService, ledgerMigrations } from './modules/ledger/index.js';
import { CalendarService, platformMigrations, platformSettings } from './modules/platform/index.js';

/** Every module's migrations, in dependency order. */
export const MIGRATIONS: readonly MigrationSource[] = [platformMigrations, ledgerMigrations, identityMigrations, catalogMigrations];

/** The running parts of a node, shared by the HTTP app, the CLI and tests. */
export interface Node {
  config: Config;
  db: Db;
  keys: NodeKeys;
  identity: IdentityService;
  ledger: LedgerService;
  calendar: CalendarService;
  catalog: CatalogService;
  /** Stops background work and closes the database. */
  close(): Promise<void>;
}

export interface OpenNodeOptions {
  /** Use this database instead of opening one from the config (tests). */
  db?: Db;
  log?: FastifyBaseLogger;
  /** Create the demo region if the node is empty (default: config.demo). */
  seedDemo?: boolean;
  /** Run the ledger sequencer in the background (default true). */
  sequencer?: boolean;
}

export async function openNode(config: Config, options: OpenNodeOptions = {}): Promise<Node> {
  const db = options.db ?? (await openDb({ databaseUrl: config.databaseUrl, dataDir: config.databaseUrl ? undefined : `${config.dataDir}/pglite` }));
  try {
    await migrate(db, MIGRATIONS);
    const keys = loadOrCreateKeys(config);
    await checkKeysMatchDatabase(db, keys);
    const ledger = new LedgerService({
      db,
      nodeCode: config.node.code,
      signingKey: { privateKey: keys.ledgerPrivateKey, publicKey: keys.ledgerPublicKey },
      log: options.log,
    });
    const identity = new IdentityService({ db, ledger, nodeKey: keys.nodeKey, tokenTtlMinutes: config.tokenTtlMinutes });
    const calendar = new CalendarService(db);
    const catalog = new CatalogService({ db, identity });
    if ((options.seedDemo ?? config.demo) && (await identity.counts()).organisations === 0) {
      const seeded = await seedDemo(identity, config.demoPassword);
      options.log?.info(seeded, 'created the demo region (青海省)');
    }
    if (options.sequencer ?? true) ledger.start();
    const housekeeping = setInterval(() => {
      identity.purgeExpired().catch((err: unknown) => options.log?.warn({ err }, 'housekeeping failed'));
    }, 60_000);
    housekeeping.unref();
    return {
      config,
      db,
      keys,
      identity,
      ledger,
      calendar,
      catalog,
      async close() {
        clearInterval(housekeeping);
        await ledger.stop();
        if (!options.db) await db.close();
      },
    };
  } catch (err) {
    if (!options.db) await db.close();
    throw err;
  }
}

/**
 * Replicas and restarts must use the same keys as the data they find: sealed app secrets and the
 * ledger's signed heads depend on them. The first start records fingerprints; later starts compare.
 */
async function checkKeysMatchDatabase(db: Db, keys: NodeKeys): Promise<void> {
  const storedNodeKey = await platformSettings.setSettingOnce(db.kysely, 'node_key_fingerprint', keys.nodeKeyFingerprint);
  if (storedNodeKey !== keys.nodeKeyFingerprint) {
    throw new Error(
      'The node key does not match this database (sealed secrets could not be read). Set TIANSHU_NODE_KEY to the key this database was created with.',
    );
  }
  const storedLedgerKey = await platformSettings.setSettingOnce(db.kysely, 'ledger_public_key', keys.ledgerPublicKey);
  if (storedLedgerKey !== keys.ledgerPublicKey) {
    throw new Error(
      'The ledger signing key does not match this database. Set TIANSHU_LEDGER_KEY to the key this database was created with.',
    );
  }
}
