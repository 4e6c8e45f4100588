import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './core/config.js';
import { openDb, type Db } from './core/db/db.js';
import { migrate, type MigrationSource } from './core/db/migrations.js';
import { JobQueue, jobMigrations } from './core/jobs/index.js';
import { loadOrCreateKeys, type NodeKeys } from './core/keys.js';
import { seedDemo } from './demo/seed.js';
import { CATALOG_NOTIFICATION_KINDS, CatalogService, catalogMigrations } from './modules/catalog/index.js';
import { ConnectorService, connectorMigrations, createHostPolicy, defaultConnectorKinds } from './modules/connectors/index.js';
import { IdentityService, identityMigrations } from './modules/identity/index.js';
import { LedgerService, ledgerMigrations } from './modules/ledger/index.js';
import { NotificationsService, notificationMigrations } from './modules/notifications/index.js';
import { CalendarService, platformMigrations, platformSettings } from './modules/platform/index.js';
import { ResourceService, defaultSpoolDir, resourceMigrations } from './modules/resources/index.js';
import { ExportService, GatewayService, SHARING_NOTIFICATION_KINDS, SharingService, sharingMigrations } from './modules/sharing/index.js';
import { DEMAND_NOTIFICATION_KINDS, DemandService, OBJECTION_NOTIFICATION_KINDS, ObjectionService } from './modules/sharing/index.js';
import { SubscriptionService, WebhookDispatcher } from './modules/sharing/index.js';

/** Every module's migrations, in dependency order. */
export const MIGRATIONS: readonly MigrationSource[] = [
  platformMigrations,
  ledgerMigrations,
  identityMigrations,
  notificationMigrations,
  catalogMigrations,
  jobMigrations,
  resourceMigrations,
  connectorMigrations,
  sharingMigrations,
];

/** The running parts of a node, shared by the HTTP app, the CLI and tests. */
export interface Node {
  config: Config;
  db: Db;
  keys: NodeKeys;
  identity: IdentityService;
  ledger: LedgerService;
  calendar: CalendarService;
  catalog: CatalogService;
  notifications: NotificationsService;
  resources: ResourceService;
  /** The job queue: register handlers, enqueue; `tick()` runs what is due (tests drive it). */
  jobs: JobQueue;
  connectors: ConnectorService;
  /** Applications, decisions and grants (共享申请、审批、授权). */
  sharing: SharingService;
  /** The signed gateway through which consumers read granted data. */
  gateway: GatewayService;
  /** Webhook subscriptions to change feeds, and their delivery. */
  subscriptions: SubscriptionService;
  webhooks: WebhookDispatcher;
  /** Demands for data no catalog entry describes (数据需求), routed by the authority, answered by providers. */
  demands: DemandService;
  /** Objections to shared data and to refusals (数据异议). */
  objections: ObjectionService;
  /** Exports of granted data as files (文件共享), built on the job queue. */
  exports: ExportService;
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
  /** The clock of deadlines and notifications (tests inject one; default: the system clock). */
  now?: () => Date;
  /** Run housekeeping (purges, deadline reminders) every minute in the background (default true). */
  housekeeping?: boolean;
  /**
   * Run the job worker (connector schedules and runs) in the background. Default: when the sequencer
   * and housekeeping run too — a serving node; the CLI's short-lived nodes and tests call
   * `node.jobs.tick()` themselves.
   */
  worker?: boolean;
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
    const notifications = new NotificationsService({ db, identity, now: options.now });
    notifications.registerKinds(CATALOG_NOTIFICATION_KINDS);
    notifications.registerKinds(SHARING_NOTIFICATION_KINDS);
    notifications.registerKinds(DEMAND_NOTIFICATION_KINDS);
    notifications.registerKinds(OBJECTION_NOTIFICATION_KINDS);
    const catalog = new CatalogService({ db, identity, calendar, notifications, now: options.now });
    // One rule for every address a provider gives the node to contact (connectors, api resources).
    const hosts = await createHostPolicy({ allow: config.connectorHosts, databaseUrl: config.databaseUrl });
    const resources = new ResourceService({
      db,
      identity,
      catalog,
      nodeKey: keys.nodeKey,
      spoolDir: defaultSpoolDir(config.dataDir),
      maxLoadBytes: config.maxLoadBytes,
      maxFileBytes: config.maxFileBytes,
      hosts,
    });
    const jobs = new JobQueue({ db, now: options.now, log: options.log, concurrency: config.jobs.concurrency, pollMs: config.jobs.pollSeconds * 1000 });
    const connectors = new ConnectorService({ db, nodeKey: keys.nodeKey, resources, identity, jobs, hosts, kinds: defaultConnectorKinds(), now: options.now, log: options.log });
    const sharing = new SharingService({ db, identity, catalog, calendar, notifications, resources, now: options.now });
    const gateway = new GatewayService({ db, identity, resources, sharing, now: options.now, log: options.log });
    const subscriptions = new SubscriptionService({ db, identity, sharing, gateway, nodeKey: keys.nodeKey, hosts });
    const webhooks = new WebhookDispatcher({ db, gateway, nodeKey: keys.nodeKey, hosts, log: options.log });
    const demands = new DemandService({ db, identity, catalog, calendar, notifications, now: options.now });
    const objections = new ObjectionService({ db, identity, catalog, calendar, notifications, now: options.now });
    const exports = new ExportService({ db, identity, resources, jobs, notifications, now: options.now, log: options.log });
    let baseLibraries: Promise<unknown> | undefined;
    if ((options.seedDemo ?? config.demo) && (await identity.counts()).organisations === 0) {
      const { loadBaseLibraries, seedSharing, ...seeded } = await seedDemo(identity, config.demoPassword, catalog);
      options.log?.info(seeded, 'created the demo region (青海省)');
      if (loadBaseLibraries && config.demoPersons > 0) {
        // Hundreds of thousands of rows: loaded while the node already serves, through the same
        // checks as an upload. A node stopped meanwhile keeps what was committed.
        options.log?.info({ persons: config.demoPersons }, 'loading the demo base libraries (人口, 法人, 电子证照, 社保) in the background');
        baseLibraries = loadBaseLibraries(resources, config.demoPersons)
          .then(async ({ entries, ...loaded }) => {
            options.log?.info(loaded, 'loaded the demo base libraries');
            if (seedSharing) options.log?.info(await seedSharing({ sharing, demands, objections }, entries), 'created demo sharing applications, a demand and an objection');
          })
          .catch((err: unknown) => options.log?.warn({ err }, 'loading the demo base libraries failed'));
      }
    }
    // Versions written before catalog search existed get their search text (none on a new node).
    const indexed = await catalog.indexMissing();
    if (indexed > 0) options.log?.info({ versions: indexed }, 'indexed catalog versions for search');
    if (options.sequencer ?? true) ledger.start();
    // Every replica runs it; each step is safe to run concurrently (deadline reminders claim their rows).
    const housekeeping = options.housekeeping === false ? undefined : setInterval(() => {
      const steps: Array<[string, () => Promise<unknown>]> = [
        ['sessions and nonces', () => identity.purgeExpired()],
        ['read notifications', () => notifications.purgeRead()],
        ['deadline reminders', () => catalog.sweepDeadlines()],
        ['application deadlines', () => sharing.sweepDeadlines()],
        ['demand deadlines', () => demands.sweep()],
        ['objection deadlines', () => objections.sweep()],
        ['gateway calls to the ledger', () => gateway.flushCalls()],
        ['webhook deliveries past retention', () => webhooks.purgeDeliveries()],
        ['expired export files', () => exports.purge()],
        ['change logs past retention', () => resources.purgeChanges()],
        ['loads left unfinished', () => resources.purgeStaleLoads()],
        ['uploads left unfinished', () => resources.purgeAbandonedUploads()],
        ['finished jobs', () => jobs.purgeFinished()],
      ];
      for (const [step, run] of steps) run().catch((err: unknown) => options.log?.warn({ err, step }, 'housekeeping failed'));
    }, 60_000);
    housekeeping?.unref();
    if (options.worker ?? ((options.sequencer ?? true) && (options.housekeeping ?? true))) {
      jobs.start();
      webhooks.start();
    }
    return {
      config,
      db,
      keys,
      identity,
      ledger,
      calendar,
      catalog,
      notifications,
      resources,
      jobs,
      connectors,
      sharing,
      gateway,
      demands,
      objections,
      exports,
      subscriptions,
      webhooks,
      async close() {
        clearInterval(housekeeping);
        await webhooks.stop();
        await gateway.close();
        // Runs under way are given back (another replica, or the next start, takes them).
        await jobs.stop();
        // A load still running is not waited for: its transaction ends with the database, and what
        // was committed stays.
        void baseLibraries;
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
