import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';

/**
 * The SM3 digest of a load's bytes, taken beside the reading. Hashing 180 MiB takes the better part
 * of a second of CPU, and the thread that reads and checks a load is its bottleneck; so a large body
 * is hashed in a worker thread, on the other core, while small ones (most uploads, every test) are
 * hashed in place without the cost of starting a thread. Until `threshold` bytes have come the
 * chunks are only kept; past it a worker gets them, and then every chunk as it comes.
 */
export class ContentDigest {
  static readonly THRESHOLD = 16 * 1024 * 1024;
  /**
   * The worker reads the bytes from a ring of shared memory: copying into memory already touched
   * costs ~10 ms per 180 MiB, where a fresh buffer per chunk (a transfer) costs ~20 times that.
   */
  static readonly RING = 8 * 1024 * 1024;
  static readonly PIECE = ContentDigest.RING / 4;

  #held: Buffer[] = [];
  #heldBytes = 0;
  #worker: Worker | undefined;
  #ring: Uint8Array | undefined;
  #head = 0;
  /** Ring bytes the worker has not finished with (a skipped tail counted with the piece after it). */
  #inFlight = 0;
  #progress: (() => void) | undefined;
  #result: Promise<string> | undefined;
  #failure: Error | undefined;

  constructor(private readonly threshold = ContentDigest.THRESHOLD) {}

  /** Takes a chunk; the caller may reuse it afterwards. */
  async update(chunk: Uint8Array): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (this.#worker === undefined) {
      this.#held.push(Buffer.from(chunk));
      this.#heldBytes += chunk.length;
      if (this.#heldBytes <= this.threshold) return;
      this.#start();
      const held = this.#held;
      this.#held = [];
      for (const bytes of held) await this.#send(bytes);
    } else await this.#send(chunk);
  }

  /** The digest, hex; the digest object is done with afterwards. */
  async digest(): Promise<string> {
    if (this.#worker === undefined) {
      const hash = crypto.createHash('sm3');
      for (const chunk of this.#held) hash.update(chunk);
      this.#held = [];
      return hash.digest('hex');
    }
    this.#worker.postMessage(null);
    try {
      return await this.#result!;
    } finally {
      this.close();
    }
  }

  /** Stops the worker, if any (after a failed load). */
  close(): void {
    void this.#worker?.terminate();
    this.#worker = undefined;
    this.#held = [];
  }

  /** Copies the bytes into the ring, piece by piece, waiting for room when the worker is behind. */
  async #send(bytes: Uint8Array): Promise<void> {
    const ring = this.#ring!;
    for (let at = 0; at < bytes.length; at += ContentDigest.PIECE) {
      const piece = bytes.subarray(at, at + ContentDigest.PIECE);
      const wrap = this.#head + piece.length > ring.length;
      const need = (wrap ? ring.length - this.#head : 0) + piece.length;
      while (this.#inFlight + need > ring.length) {
        if (this.#failure) throw this.#failure;
        await new Promise<void>((resolve) => (this.#progress = resolve));
      }
      if (this.#failure) throw this.#failure;
      if (wrap) this.#head = 0;
      ring.set(piece, this.#head);
      this.#inFlight += need;
      this.#worker!.postMessage([this.#head, piece.length, need]);
      this.#head += piece.length;
    }
  }

  #start(): void {
    const shared = new SharedArrayBuffer(ContentDigest.RING);
    this.#ring = new Uint8Array(shared);
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: shared });
    this.#worker = worker;
    const wake = () => {
      const progress = this.#progress;
      this.#progress = undefined;
      progress?.();
    };
    this.#result = new Promise<string>((resolve, reject) => {
      worker.on('message', (m: number | string) => {
        if (typeof m === 'string') return resolve(m);
        this.#inFlight -= m;
        wake();
      });
      const fail = (err: Error) => {
        this.#failure ??= err;
        wake();
        reject(err);
      };
      worker.once('error', fail);
      worker.once('exit', (code) => fail(new Error(`the SM3 worker stopped (exit code ${code})`)));
    });
    // Settled by digest(); a load that fails first closes the worker and never asks.
    this.#result.catch(() => undefined);
  }
}

// Plain JavaScript, so that the worker needs no TypeScript loader. A message is [start, length,
// ring bytes freed once hashed], or null for the digest.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ring = new Uint8Array(workerData);
const hash = require('node:crypto').createHash('sm3');
parentPort.on('message', (m) => {
  if (m === null) {
    parentPort.postMessage(hash.digest('hex'));
    return;
  }
  hash.update(ring.subarray(m[0], m[0] + m[1]));
  parentPort.postMessage(m[2]);
});
`;
