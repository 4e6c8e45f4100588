#!/usr/bin/env node
/**
 * The `tianshu` command: start a node, migrate, verify the ledger, and the administration that
 * belongs on the server (accounts of the three administrators, password resets).
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { buildApp } from './app.js';
import { systemActor } from './core/auth/actor.js';
import { isRole, type Role } from './core/auth/roles.js';
import { loadConfig, type Config, type ConfigFlags } from './core/config.js';
import { AppError } from './core/errors.js';
import { randomToken } from './core/crypto/index.js';
import { loggerOptions } from './core/logger.js';
import { openNode } from './node.js';

const HELP = `tianshu — a platform node of the national integrated government data system (天枢)

Usage:
  tianshu start [--port 3000] [--host 127.0.0.1] [--data-dir ./data] [--no-demo]
                [--node-code 630000] [--node-name NAME] [--node-level region]
  tianshu migrate
  tianshu ledger verify
  tianshu user add --username NAME --org CREDIT_CODE --roles ROLE[,ROLE] [--display-name NAME] [--password-stdin]
  tianshu user reset-password --username NAME [--password-stdin]
  tianshu user unlock --username NAME

Environment: PORT, HOST, DATABASE_URL (PostgreSQL; default: embedded PGlite in the data directory),
TIANSHU_DATA_DIR, TIANSHU_NODE_CODE, TIANSHU_NODE_NAME, TIANSHU_NODE_LEVEL (national|region|department),
TIANSHU_PARENT_CODE, TIANSHU_DEMO (false to skip demo data), TIANSHU_DEMO_PASSWORD, TIANSHU_NODE_KEY,
TIANSHU_LEDGER_KEY, TIANSHU_TOKEN_TTL_MINUTES, LOG_LEVEL.
With --password-stdin the password is read from standard input (never from the command line, where
other users of the machine could see it in the process list); without it, a strong password is
generated and printed once.`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  'no-demo': { type: 'boolean' },
  'node-code': { type: 'string' },
  'node-name': { type: 'string' },
  'node-level': { type: 'string' },
  username: { type: 'string' },
  org: { type: 'string' },
  roles: { type: 'string' },
  'display-name': { type: 'string' },
  // Refused with an explanation: a password in argv is visible to every user through ps.
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const [command, sub] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return values.help ? 0 : 1;
  }
  const flags: ConfigFlags = {
    ...(values.port === undefined ? {} : { port: Number(values.port) }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
    ...(values['no-demo'] ? { demo: false } : {}),
    ...(values['node-code'] === undefined ? {} : { nodeCode: values['node-code'] }),
    ...(values['node-name'] === undefined ? {} : { nodeName: values['node-name'] }),
    ...(values['node-level'] === undefined ? {} : { nodeLevel: values['node-level'] }),
  };
  if (flags.port !== undefined && (!Number.isInteger(flags.port) || flags.port < 0 || flags.port > 65535)) {
    console.error('--port must be a port number');
    return 2;
  }
  const config = loadConfig(process.env, flags);
  switch (command) {
    case 'start':
      return start(config);
    case 'migrate':
      return withNode(config, async () => {
        console.log('migrations are up to date');
      });
    case 'ledger':
      if (sub !== 'verify') break;
      return withNode(config, async (node) => {
        await node.ledger.flush();
        // One consistent snapshot: a running node keeps sequencing while we read.
        const report = await node.db.kysely
          .transaction()
          .setIsolationLevel('repeatable read')
          .execute((trx) => node.ledger.verify({ executor: trx, onProgress: (n) => process.stderr.write(`\rchecked ${n} entries`) }));
        process.stderr.write('\n');
        if (report.ok) {
          console.log(`ledger OK: ${report.entries} entries, ${report.headsChecked} signed heads, root ${report.rootHash}`);
          return;
        }
        console.error(`ledger TAMPERED: ${report.problems.length} problem(s)`);
        for (const p of report.problems) console.error(`  - ${p}`);
        process.exitCode = 3;
      });
    case 'user':
      return userCommand(config, sub, values);
  }
  console.error(`unknown command: ${positionals.join(' ')}\n\n${HELP}`);
  return 2;
}

/** The first line of standard input (a password piped in or typed), without its line break. */
async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

async function userCommand(config: Config, sub: string | undefined, values: Values): Promise<number> {
  const username = values.username;
  if (!username) {
    console.error('--username is required');
    return 2;
  }
  if (values.password !== undefined) {
    console.error('--password is not accepted: other users can read it in the process list; use --password-stdin');
    return 2;
  }
  const given = values['password-stdin'] ? await readPasswordFromStdin() : undefined;
  if (given === '') {
    console.error('--password-stdin: standard input held no password');
    return 2;
  }
  const password = given ?? generatedPassword();
  const actor = systemActor(`tianshu user ${sub ?? ''} (CLI)`);
  return withNode(config, async (node) => {
    switch (sub) {
      case 'add': {
        const roles = (values.roles ?? '').split(',').filter(Boolean);
        const bad = roles.filter((r) => !isRole(r));
        if (bad.length > 0) throw new Error(`unknown role(s): ${bad.join(', ')}`);
        const org = values.org ? await node.identity.findOrganisationByCode(values.org.toUpperCase()) : undefined;
        if (!org) throw new Error('--org must be the credit code of an existing organisation');
        const user = await node.identity.createUser(actor, {
          username,
          displayName: values['display-name'] ?? username,
          organisationId: org.id,
          password,
          roles: roles as Role[],
        });
        console.log(`created ${user.username} (${user.roles.join(', ') || 'no roles'}) in ${org.name}`);
        break;
      }
      case 'reset-password': {
        const user = await node.identity.findUserByUsername(username);
        if (!user) throw new Error(`no user ${username}`);
        await node.identity.resetPassword(actor, user.id, password);
        console.log(`password of ${username} reset; the account is unlocked and its sessions ended`);
        break;
      }
      case 'unlock': {
        const user = await node.identity.findUserByUsername(username);
        if (!user) throw new Error(`no user ${username}`);
        await node.identity.unlockUser(actor, user.id);
        console.log(`${username} unlocked`);
        return;
      }
      default:
        throw new Error(`unknown user command ${sub ?? ''}; see tianshu --help`);
    }
    if (given === undefined) console.log(`password (shown once): ${password}`);
  });
}

function generatedPassword(): string {
  // base64url of 18 bytes, plus a fixed tail that guarantees the character classes.
  return `${randomToken(18)}-Ts9`;
}

/** Opens the node without serving HTTP or seeding, runs `fn`, flushes the ledger and closes. */
async function withNode(config: Config, fn: (node: Awaited<ReturnType<typeof openNode>>) => Promise<void>): Promise<number> {
  const node = await openNode(config, { seedDemo: false, sequencer: false });
  try {
    await fn(node);
    await node.ledger.flush();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } finally {
    await node.close();
  }
}

async function start(config: Config): Promise<number> {
  const log = pino(loggerOptions(config.logLevel));
  const node = await openNode(config, { log });
  const app = await buildApp(node, { logger: log });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: no new requests, finishing those in flight');
    // Never hang forever on a stuck request: give in-flight work 25 s.
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    // server.close() ends idle keep-alive connections only once; those whose request finishes
    // afterwards would hold the server open until their keep-alive timeout, so keep closing them.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    await app.close();
    clearInterval(sweep);
    await node.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  await app.listen({ port: config.port, host: config.host });
  log.info(
    { node: config.node.code, nodeLevel: config.node.level, database: node.db.engine, url: `http://${config.host}:${config.port}/` },
    `Tianshu node ${config.node.name} is ready`,
  );
  return -1; // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof AppError) console.error(`${err.code}: ${err.message} / ${err.messageZh}`);
    else console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
