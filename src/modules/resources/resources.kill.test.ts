import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { ENGINE, openTestDb, testConfig, type TestDb } from '../../../test/helper.js';
import { openNode } from '../../node.js';

/**
 * A process killed (SIGKILL) in the middle of a load's merge leaves the previous data intact:
 * the merge is one transaction, and the load can be resumed from its staging table afterwards.
 */
const CHILD = fileURLToPath(new URL('../../../test/fixtures/load-child.ts', import.meta.url));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tianshu-kill-'));
let testDb: TestDb | undefined;
const children = new Set<ChildProcess>();
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
  await testDb?.drop();
});

function run(args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string, child: ChildProcess) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const lines: string[] = [];
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      lines.push(line);
      onLine?.(line, child);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      if (code !== 0 && signal === null) console.error(stderr);
      resolve({ code, signal, lines });
    });
  });
}

test('SIGKILL during the merge of a large replace leaves the previous rows; the load is then resumable', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
  if (ENGINE === 'postgres') {
    testDb = await openTestDb();
    await testDb.db.close();
    env.DATABASE_URL = testDb.url;
  } else {
    delete env.DATABASE_URL;
  }
  const setup = await run(['setup', dataDir], env);
  assert.equal(setup.code, 0);
  const resourceId = setup.lines.find((l) => l.startsWith('RESOURCE '))!.slice('RESOURCE '.length);

  const killed = await run(['load', dataDir, resourceId], env, (line, child) => {
    // The whole file is read: the merge's transaction is starting. Let it get under way, then kill.
    if (line === 'MERGING') setTimeout(() => child.kill('SIGKILL'), 150);
  });
  assert.equal(killed.signal, 'SIGKILL');
  assert.ok(killed.lines.includes('MERGING') && !killed.lines.includes('DONE'), `killed mid-load: ${killed.lines.join(' | ')}`);

  const node = await openNode(testConfig({ dataDir, databaseUrl: env.DATABASE_URL || undefined, demo: false, demoPersons: 0 }), { sequencer: false, housekeeping: false });
  try {
    const resource = await node.db.kysely.selectFrom('resources').selectAll().where('id', '=', resourceId).executeTakeFirstOrThrow();
    const { rows } = await sql<{ n: number }>`select count(*)::integer as n from ${sql.table(`data.${resource.table_name!}`)}`.execute(node.db.kysely);
    assert.equal(rows[0]!.n, 3, 'the previous data is intact');
    assert.equal(Number(resource.row_count), 3);
    const loads = await node.db.kysely.selectFrom('resource_loads').selectAll().where('resource_id', '=', resourceId).orderBy('started_at', 'desc').execute();
    assert.ok(['validated', 'merging'].includes(loads[0]!.status), loads[0]!.status);
    const staged = await sql<{ n: number }>`select count(*)::integer as n from ${sql.table(`data.${loads[0]!.spool!}`)}`.execute(node.db.kysely);
    assert.equal(staged.rows[0]!.n, 200_000, 'the validated rows wait in their staging table');

    // Resumed: merged from the staging table without the file.
    const editor = (await node.identity.userFromToken((await node.identity.login('police.editor', node.config.demoPassword, { ip: '127.0.0.1' })).token))!;
    const resumed = await node.resources.resume(editor, resourceId, loads[0]!.id);
    assert.equal(resumed.inserted + resumed.updated + resumed.unchanged, 200_000);
    const after = await sql<{ n: number }>`select count(*)::integer as n from ${sql.table(`data.${resource.table_name!}`)}`.execute(node.db.kysely);
    assert.equal(after.rows[0]!.n, 200_000);
  } finally {
    await node.close();
  }
});
