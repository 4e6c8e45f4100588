import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChangeSignals } from './change-signals.js';

/** The signals without a database: another replica's commits are seen by polling, local ones at once. */

test('a local commit wakes only the waiters it concerns, at once', async () => {
  const signals = new ChangeSignals({ readSeqs: async () => new Map(), pollMs: 10_000 });
  const a = signals.wait('r1', 5, 5_000);
  const b = signals.wait('r2', 5, 50);
  const c = signals.wait('r1', 9, 50);
  signals.notify('r1', 7);
  assert.equal(await a, true);
  assert.equal(await c, false, 'a change it has seen already does not wake it');
  assert.equal(await b, false);
  assert.equal(signals.waiting, 0);
  signals.close();
});

test('another replica’s commit is found by the poll, which runs only while somebody waits', async () => {
  const seqs = new Map([['r1', 3]]);
  let polls = 0;
  const signals = new ChangeSignals({
    readSeqs: async (ids) => {
      polls++;
      return new Map(ids.map((id) => [id, seqs.get(id) ?? 0]));
    },
    pollMs: 20,
  });
  const waiting = signals.wait('r1', 3, 2_000);
  await new Promise((r) => setTimeout(r, 70));
  assert.ok(polls >= 2);
  seqs.set('r1', 4);
  const started = performance.now();
  assert.equal(await waiting, true);
  assert.ok(performance.now() - started < 200);
  const after = polls;
  await new Promise((r) => setTimeout(r, 70));
  assert.equal(polls, after, 'nobody waits: no polling');
  signals.close();
});

test('an aborted wait and a close end waits early', async () => {
  const signals = new ChangeSignals({ readSeqs: async () => new Map(), pollMs: 10_000 });
  const gone = new AbortController();
  const aborted = signals.wait('r1', 0, 10_000, gone.signal);
  const closed = signals.wait('r2', 0, 10_000);
  gone.abort();
  assert.equal(await aborted, false);
  signals.close();
  assert.equal(await closed, false);
  assert.equal(await signals.wait('r3', 0, 10_000), false, 'closed signals do not wait');
});
