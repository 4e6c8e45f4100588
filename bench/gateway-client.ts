/**
 * The load generator of the gateway benchmark (bench/gateway.ts), run as a child process so that it
 * does not share the server's event loop: CONCURRENCY keep-alive connections, each sending its next
 * request as soon as the last answer is read. Gateway requests are signed like any consumer's
 * (DESIGN §6, a fresh nonce each); bare ones are plain. Prints one JSON line with the counts and
 * the latencies' percentiles.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { completeResidentId } from '../src/core/codes/index.js';

export interface ClientOptions {
  mode: 'gateway' | 'bare';
  /** http://127.0.0.1:port */
  base: string;
  /** Path without the query, e.g. /api/v1/share/<code>/records */
  path: string;
  rows: number;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  app?: { appKey: string; secret: string };
}

export interface ClientResult {
  mode: string;
  requests: number;
  failures: number;
  seconds: number;
  p50: number;
  p99: number;
  /** One answer's body, to check what the server sent. */
  sample: string;
}

/** The resident ID of person i: the same list in the server's load and the client's keys. */
export function residentId(i: number): string {
  const division = ['630102', '630103', '630104', '630105', '630121', '632801'][i % 6]!;
  const day = new Date(Date.UTC(1950, 0, 1) + (i % 20_000) * 86400_000).toISOString().slice(0, 10).replace(/-/g, '');
  return completeResidentId(`${division}${day}${String(i % 1000).padStart(3, '0')}`);
}

const EMPTY_SM3 = createHash('sm3').update('').digest('hex');

function headersFor(options: ClientOptions, pathWithQuery: string): Record<string, string> {
  if (options.mode === 'bare' || !options.app) return {};
  const timestamp = String(Date.now());
  const nonce = randomBytes(12).toString('hex');
  const signature = createHmac('sm3', options.app.secret).update(['GET', pathWithQuery, timestamp, nonce, EMPTY_SM3].join('\n')).digest('hex');
  return { 'x-tianshu-app': options.app.appKey, 'x-tianshu-timestamp': timestamp, 'x-tianshu-nonce': nonce, 'x-tianshu-signature': signature };
}

function get(agent: http.Agent, base: URL, pathWithQuery: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: base.hostname, port: base.port, path: pathWithQuery, method: 'GET', agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

export async function runClient(options: ClientOptions): Promise<ClientResult> {
  const base = new URL(options.base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let failures = 0;
  let sample = '';
  const started = performance.now();
  const measureFrom = started + options.warmupMs;
  const end = measureFrom + options.durationMs;
  let seed = 0x9e3779b9;
  const next = () => {
    // xorshift: the same keys in every run, spread over the whole table.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % options.rows;
  };
  const worker = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      const pathWithQuery = `${options.path}?key=${residentId(next())}`;
      const answer = await get(agent, base, pathWithQuery, headersFor(options, pathWithQuery));
      const t1 = performance.now();
      if (t0 < measureFrom) continue;
      if (answer.status !== 200) {
        failures += 1;
        if (failures === 1) sample = answer.body;
        continue;
      }
      latencies.push(t1 - t0);
      if (sample === '' && answer.body.includes('items')) sample = answer.body;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { mode: options.mode, requests: latencies.length, failures, seconds: options.durationMs / 1000, p50: at(0.5), p99: at(0.99), sample };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = JSON.parse(process.argv[2]!) as ClientOptions;
  runClient(options).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
