/**
 * startup: `tianshu start` on an existing PGlite data directory, from spawn to the first 200 from
 * /api/v1/health. Baseline, in the same run: spawning `node --import tsx -e 0` to its exit, the bare
 * runtime start every CLI invocation pays, so the ratio shows what the node itself costs.
 * Also checks that SIGTERM stops the node with exit code 0 within 10 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { grouped, median, ratio } from './format.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 3;
const POLL_MS = 25;
const READY_LIMIT_MS = 60_000;
const STOP_LIMIT_MS = 10_000;

/** The node must use PGlite in the given directory whatever the caller's environment says. */
function nodeEnv(): NodeJS.ProcessEnv {
  // The demo base libraries load after start-up, in the background: not part of what is measured.
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', TIANSHU_DEMO_PERSONS: '0' };
  for (const key of ['DATABASE_URL', 'TIANSHU_DATA_DIR', 'PORT', 'HOST', 'TIANSHU_NODE_KEY', 'TIANSHU_LEDGER_KEY']) delete env[key];
  return env;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

function spawnNode(args: string[]): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: nodeEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, exited, output: () => output };
}

/** Spawns `tianshu start` and resolves with the ms from spawn to the first healthy answer. */
async function startNode(dataDir: string, children: Set<Running>): Promise<{ ms: number; node: Running }> {
  const port = await freePort();
  const t0 = performance.now();
  const node = spawnNode(['src/main.ts', 'start', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir]);
  children.add(node);
  let exit: { code: number | null } | undefined;
  void node.exited.then((e) => {
    exit = e;
  });
  for (;;) {
    if (exit) throw new Error(`tianshu start exited with ${exit.code} before it was healthy:\n${node.output()}`);
    if (performance.now() - t0 > READY_LIMIT_MS) throw new Error(`tianshu start was not healthy within ${READY_LIMIT_MS} ms:\n${node.output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/health`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return { ms: performance.now() - t0, node };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** SIGTERM, then the exit code and how long the shutdown took. */
async function stopNode(node: Running, children: Set<Running>): Promise<{ code: number | null; ms: number }> {
  const t0 = performance.now();
  node.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_LIMIT_MS).unref());
  const result = await Promise.race([node.exited, timeout]);
  if (result === 'timeout') {
    node.child.kill('SIGKILL');
    await node.exited;
    children.delete(node);
    throw new Error(`tianshu did not exit within ${STOP_LIMIT_MS} ms of SIGTERM:\n${node.output()}`);
  }
  children.delete(node);
  if (result.code !== 0) throw new Error(`tianshu exited with ${result.code ?? result.signal} after SIGTERM:\n${node.output()}`);
  return { code: result.code, ms: performance.now() - t0 };
}

async function bareStart(): Promise<number> {
  const t0 = performance.now();
  const run = spawnNode(['-e', '0']);
  const { code } = await run.exited;
  if (code !== 0) throw new Error(`node --import tsx -e 0 exited with ${code}:\n${run.output()}`);
  return performance.now() - t0;
}

export async function run(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tianshu-bench-startup-'));
  const children = new Set<Running>();
  try {
    // First start: creates the database, keys and demo region. Not measured.
    const first = await startNode(dataDir, children);
    await stopNode(first.node, children);

    const runs: number[] = [];
    const stops: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { ms, node } = await startNode(dataDir, children);
      runs.push(ms);
      stops.push((await stopNode(node, children)).ms);
    }
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) bare.push(await bareStart());

    const startup = median(runs);
    const baseline = median(bare);
    console.log(
      `startup: ${grouped(startup)} ms (runs ${runs.map(grouped).join(' / ')}); bare node+tsx: ${grouped(baseline)} ms; ratio ${ratio(startup, baseline)}`,
    );
    console.log(`  SIGTERM: exit code 0 every time, in ${stops.map(grouped).join(' / ')} ms (limit ${grouped(STOP_LIMIT_MS)} ms)`);
  } finally {
    for (const c of children) {
      c.child.kill('SIGKILL');
      await c.exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
