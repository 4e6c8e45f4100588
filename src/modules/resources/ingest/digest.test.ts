import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { ContentDigest } from './digest.js';

const sm3 = (bytes: Uint8Array): string => crypto.createHash('sm3').update(bytes).digest('hex');

test('the digest is the SM3 of the bytes, in place below the threshold and in a worker above it', async () => {
  // Larger than the ring, so that it wraps around more than once.
  const bytes = crypto.randomBytes(2 * ContentDigest.RING + 3 * 1024 * 1024 + 17);
  for (const threshold of [0, 1000, ContentDigest.RING + 1, 64 * 1024 * 1024]) {
    const digest = new ContentDigest(threshold);
    // Chunks of uneven sizes, reused by the caller as a stream's buffers may be.
    const scratch = Buffer.alloc(100_000);
    for (let at = 0; at < bytes.length; ) {
      const size = Math.min(1 + ((at * 7919) % 99_999), bytes.length - at);
      bytes.copy(scratch, 0, at, at + size);
      await digest.update(scratch.subarray(0, size));
      scratch.fill(0);
      at += size;
    }
    assert.equal(await digest.digest(), sm3(bytes), `threshold ${threshold}`);
  }
  assert.equal(await new ContentDigest(0).digest(), sm3(new Uint8Array(0)));
});

test('a digest closed part way (a failed load) stops its worker and can be dropped', async () => {
  const digest = new ContentDigest(10);
  await digest.update(crypto.randomBytes(1000));
  digest.close();
  // Nothing left running: the test runner would wait for a live worker thread.
});
