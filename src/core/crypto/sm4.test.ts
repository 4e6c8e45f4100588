import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv, createHmac, randomBytes } from 'node:crypto';

import { openSecret, sealSecret, sm4CtrXor, sm4EcbEncryptBlock } from './sm4.js';

const CORRUPT = /^Error: sealed secret is corrupt or was sealed under another key$/;
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

// GB/T 32907-2016 Appendix A, examples 1 and 2 (example 1 also in openssl/openssl
// test/recipes/30-test_evp_data/evpciph_sm4.txt).
const STD_KEY = hex('0123456789abcdeffedcba9876543210');

test('encrypts the GB/T 32907 example 1 block to 681edf34d206965e86b3e94f536e4246', () => {
  assert.equal(sm4EcbEncryptBlock(STD_KEY, STD_KEY).toString('hex'), '681edf34d206965e86b3e94f536e4246');
});

test('reaches 595298c7c6fd271f0402f804c33d3f66 after 1,000,000 encryptions (GB/T 32907 example 2)', () => {
  // Measured at about 0.8 s on the development machine.
  assert.equal(sm4EcbEncryptBlock(STD_KEY, STD_KEY, 1_000_000).toString('hex'), '595298c7c6fd271f0402f804c33d3f66');
});

test('rejects ECB keys or blocks that are not 16 bytes', () => {
  assert.throws(() => sm4EcbEncryptBlock(Buffer.alloc(15), Buffer.alloc(16)), RangeError);
  assert.throws(() => sm4EcbEncryptBlock(Buffer.alloc(16), Buffer.alloc(17)), RangeError);
  assert.throws(() => sm4EcbEncryptBlock(Buffer.alloc(16), Buffer.alloc(16), 0), RangeError);
});

test('runs SM4-CTR as the draft-ribose-cfrg-sm4 vector (counter over all 128 bits)', () => {
  // openssl/openssl test/recipes/30-test_evp_data/evpciph_sm4.txt, "SM4-CTR" from IETF draft-ribose-cfrg-sm4.
  const plaintext = hex(
    'aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd' +
      'eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa',
  );
  const expected =
    'c2b4759e78ac3cf43d0852f4e8d5f9fd7256e8a5fcb65a350ee00630912e4449' +
    '2a0b17e1b85b060d0fba612d8a95831638b361fd5ffacd942f081485a83ca35d';
  assert.equal(sm4CtrXor(STD_KEY, STD_KEY, plaintext).toString('hex'), expected);
  assert.deepEqual(sm4CtrXor(STD_KEY, STD_KEY, hex(expected)), plaintext);
});

const nodeKey = randomBytes(32);

test('round-trips a secret', () => {
  const sealed = sealSecret(nodeKey, 'db-password-123');
  assert.equal(openSecret(nodeKey, sealed), 'db-password-123');
});

test('round-trips Chinese text, emoji and control characters', () => {
  const secret = '天枢数据平台 🔐 密钥\u0000\n\t"quoted"';
  assert.equal(openSecret(nodeKey, sealSecret(nodeKey, secret)), secret);
});

test('round-trips the empty string', () => {
  const sealed = sealSecret(nodeKey, '');
  assert.match(sealed, /^v1\.[A-Za-z0-9_-]{22}\.\.[A-Za-z0-9_-]{43}$/);
  assert.equal(openSecret(nodeKey, sealed), '');
});

test('round-trips a long secret spanning many counter blocks', () => {
  const secret = 'x'.repeat(10_000) + '尾';
  assert.equal(openSecret(nodeKey, sealSecret(nodeKey, secret)), secret);
});

test('writes v1.<iv>.<ciphertext>.<tag> with a 16-byte IV and a 32-byte tag', () => {
  const [version, iv, ct, tag, ...rest] = sealSecret(nodeKey, 'abc').split('.');
  assert.equal(version, 'v1');
  assert.equal(Buffer.from(iv ?? '', 'base64url').length, 16);
  assert.equal(Buffer.from(ct ?? '', 'base64url').length, 3);
  assert.equal(Buffer.from(tag ?? '', 'base64url').length, 32);
  assert.deepEqual(rest, []);
});

test('follows the documented construction, so another implementation can open it', () => {
  // Rebuilt here from node:crypto alone (SM3/SM4 proved above), not through sm4.ts.
  const sealed = sealSecret(nodeKey, '秘密 secret');
  const [, ivB64, ctB64, tagB64] = sealed.split('.') as [string, string, string, string];
  const iv = Buffer.from(ivB64, 'base64url');
  const ct = Buffer.from(ctB64, 'base64url');
  const encKey = createHmac('sm3', nodeKey).update('tianshu/sm4/enc').digest().subarray(0, 16);
  const macKey = createHmac('sm3', nodeKey).update('tianshu/sm4/mac').digest();
  const tag = createHmac('sm3', macKey).update(Buffer.concat([Buffer.from('v1'), iv, ct])).digest();
  assert.equal(tag.toString('base64url'), tagB64);
  const decipher = createDecipheriv('sm4-ctr', encKey, iv);
  assert.equal(Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8'), '秘密 secret');
});

test('produces a different sealed value each time for the same plaintext', () => {
  const a = sealSecret(nodeKey, 'same');
  const b = sealSecret(nodeKey, 'same');
  assert.notEqual(a, b);
  assert.notEqual(a.split('.')[1], b.split('.')[1]);
  assert.notEqual(a.split('.')[2], b.split('.')[2]);
});

// Changes one character of one part to another valid base64url character.
function tamper(sealed: string, partIndex: number, charIndex = 0): string {
  const parts = sealed.split('.');
  const part = parts[partIndex] ?? '';
  const c = part[charIndex] ?? '';
  parts[partIndex] = part.slice(0, charIndex) + (c === 'A' ? 'B' : 'A') + part.slice(charIndex + 1);
  return parts.join('.');
}

test('refuses a sealed value whose IV was changed', () => {
  const sealed = sealSecret(nodeKey, 'secret value');
  assert.throws(() => openSecret(nodeKey, tamper(sealed, 1)), CORRUPT);
});

test('refuses a sealed value whose ciphertext was changed', () => {
  const sealed = sealSecret(nodeKey, 'secret value');
  assert.throws(() => openSecret(nodeKey, tamper(sealed, 2)), CORRUPT);
  assert.throws(() => openSecret(nodeKey, tamper(sealed, 2, 5)), CORRUPT);
});

test('refuses a sealed value whose tag was changed', () => {
  const sealed = sealSecret(nodeKey, 'secret value');
  assert.throws(() => openSecret(nodeKey, tamper(sealed, 3)), CORRUPT);
});

test('refuses a sealed value whose version was changed', () => {
  const sealed = sealSecret(nodeKey, 'secret value');
  assert.throws(() => openSecret(nodeKey, sealed.replace(/^v1/, 'v2')), CORRUPT);
});

test('refuses a non-canonical base64url spelling of the same bytes', () => {
  // 16 bytes in base64url end in a character carrying 4 spare bits; bumping it keeps the bytes.
  const sealed = sealSecret(nodeKey, 'secret value');
  const parts = sealed.split('.');
  const iv = parts[1] ?? '';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  parts[1] = iv.slice(0, -1) + alphabet[alphabet.indexOf(iv.slice(-1)) + 1];
  assert.deepEqual(Buffer.from(parts[1], 'base64url'), Buffer.from(iv, 'base64url'));
  assert.throws(() => openSecret(nodeKey, parts.join('.')), CORRUPT);
});

test('refuses a value sealed under another node key', () => {
  const sealed = sealSecret(nodeKey, 'secret value');
  assert.throws(() => openSecret(randomBytes(32), sealed), CORRUPT);
});

test('refuses malformed sealed values with the same plain error', () => {
  const sealed = sealSecret(nodeKey, 'secret value');
  const [v, iv, ct, tag] = sealed.split('.') as [string, string, string, string];
  for (const bad of [
    '',
    'v1',
    'v1...',
    `${v}.${iv}.${ct}`,
    `${sealed}.extra`,
    `${v}.${iv}.${ct}.${tag.slice(0, -2)}`,
    `${v}.${iv.slice(0, -2)}.${ct}.${tag}`,
    `${v}.${iv}.${ct}!.${tag}`,
    `${v}.${iv}.${ct}.${tag}=`,
    ` ${sealed}`,
  ]) {
    assert.throws(() => openSecret(nodeKey, bad), CORRUPT, JSON.stringify(bad));
  }
  assert.throws(() => openSecret(nodeKey, undefined as unknown as string), CORRUPT);
});

test('refuses node keys that are not 32 bytes', () => {
  assert.throws(() => sealSecret(Buffer.alloc(16), 'x'), RangeError);
  assert.throws(() => openSecret(Buffer.alloc(31), sealSecret(nodeKey, 'x')), RangeError);
});
