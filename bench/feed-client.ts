/**
 * The consumer of the feed benchmark (bench/feed.ts), run as a child process so that it does not
 * share the server's event loop: it follows GET /feeds/{code}/changes with signed long polls, as a
 * consumer's system would, until it has seen `until`. Prints one JSON line: every page's sequence
 * range, change count and receipt time (epoch ms, the clock the producer stamps commits with).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export interface FeedClientOptions {
  base: string;
  /** /api/v1/feeds/<code>/changes */
  path: string;
  app: { appKey: string; secret: string };
  after: string;
  /** Stop once a change with this sequence number (or later) has arrived. */
  until: number;
  limit: number;
  timeoutMs: number;
}

export interface FeedClientResult {
  /** [first seq, last seq, changes, received at (epoch ms)] per page with changes. */
  pages: Array<[number, number, number, number]>;
  changes: number;
  polls: number;
  /** One change, to check what the server sent. */
  sample: string;
  failure?: string;
}

const EMPTY_SM3 = createHash('sm3').update('').digest('hex');

function signed(app: FeedClientOptions['app'], pathWithQuery: string): Record<string, string> {
  const timestamp = String(Date.now());
  const nonce = randomBytes(12).toString('hex');
  const signature = createHmac('sm3', app.secret).update(['GET', pathWithQuery, timestamp, nonce, EMPTY_SM3].join('\n')).digest('hex');
  return { 'x-tianshu-app': app.appKey, 'x-tianshu-timestamp': timestamp, 'x-tianshu-nonce': nonce, 'x-tianshu-signature': signature };
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

export async function follow(options: FeedClientOptions): Promise<FeedClientResult> {
  const base = new URL(options.base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const result: FeedClientResult = { pages: [], changes: 0, polls: 0, sample: '' };
  const deadline = Date.now() + options.timeoutMs;
  let after = options.after;
  try {
    while (Date.now() < deadline) {
      const pathWithQuery = `${options.path}?after=${after}&limit=${options.limit}&wait=10`;
      const answer = await get(agent, base, pathWithQuery, signed(options.app, pathWithQuery));
      const received = Date.now();
      result.polls++;
      if (answer.status !== 200) {
        result.failure = `${answer.status} ${answer.body.slice(0, 500)}`;
        return result;
      }
      const page = JSON.parse(answer.body) as { items: Array<{ seq: number }>; next: string };
      if (page.items.length > 0) {
        result.pages.push([page.items[0]!.seq, page.items[page.items.length - 1]!.seq, page.items.length, received]);
        result.changes += page.items.length;
        if (result.sample === '') result.sample = JSON.stringify(page.items[0]);
      }
      after = page.next;
      if (Number(after) >= options.until) return result;
    }
    result.failure = `not all changes arrived within ${options.timeoutMs} ms (at ${after} of ${options.until})`;
    return result;
  } finally {
    agent.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  follow(JSON.parse(process.argv[2]!) as FeedClientOptions).then(
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
