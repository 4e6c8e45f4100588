import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { createHostPolicy } from './connectors.hosts.js';

/** A resolver with fixed answers, so no test depends on the machine's DNS. */
const names: Record<string, string[]> = {
  'db.internal': ['10.1.2.3'],
  'data.gov.example': ['203.0.113.10'],
  'rebinding.example': ['203.0.113.11', '127.0.0.1'],
  'metadata.example': ['169.254.169.254'],
  'v6.example': ['2001:db8::1'],
};
const resolver = async (host: string): Promise<string[]> => {
  const found = names[host];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found;
};

async function refused(promise: Promise<unknown>, code = 'CONNECTOR_HOST_BLOCKED'): Promise<void> {
  await assert.rejects(promise, (err: { code?: string }) => err.code === code);
}

describe('the default host policy', () => {
  test('refuses loopback, link-local, metadata addresses and the node\'s own database server; allows the rest', async () => {
    const policy = await createHostPolicy({ allow: undefined, databaseUrl: 'postgres://tianshu@db.internal:5432/tianshu', resolver });
    for (const host of ['127.0.0.1', '127.8.9.10', '[::1]', '::ffff:127.0.0.1', '0.0.0.0', '169.254.169.254', '100.100.100.200', 'fe80::1', 'metadata.example', 'db.internal', '10.1.2.3']) {
      await refused(policy.resolve(host));
      assert.equal(await policy.allows(host), false, host);
    }
    assert.deepEqual(await policy.resolve('data.gov.example'), ['203.0.113.10']);
    assert.deepEqual(await policy.resolve('10.1.2.4'), ['10.1.2.4'], 'other private addresses are the provider\'s own systems');
    assert.deepEqual(await policy.resolve('v6.example'), ['2001:db8::1']);
    assert.equal(policy.allowsAddress('x', '203.0.113.10'), true);
    assert.equal(policy.allowsAddress('x', '::ffff:169.254.1.1'), false);
  });

  test('the node\'s own database and loopback are refused however their address is spelled', async () => {
    const noDns = async (): Promise<string[]> => {
      throw new Error('no DNS in this test');
    };
    const v4 = await createHostPolicy({ allow: undefined, databaseUrl: 'postgres://u:p@10.0.0.5:5432/tianshu', resolver: noDns });
    for (const host of ['10.0.0.5', '::ffff:10.0.0.5', '::ffff:a00:5', '[::ffff:a00:5]', '0:0:0:0:0:ffff:a00:5', '::FFFF:A00:5']) {
      await refused(v4.resolve(host));
    }
    assert.equal(v4.allowsAddress('x', '::ffff:a00:5'), false);
    assert.deepEqual(await v4.resolve('10.0.0.6'), ['10.0.0.6']);
    // IPv4-compatible addresses (::/96, deprecated) and mapped loopback in hex.
    for (const host of ['::127.0.0.1', '::7f00:1', '::a00:5', '::ffff:7f00:1', '::']) await refused(v4.resolve(host));

    const v6 = await createHostPolicy({ allow: undefined, databaseUrl: 'postgres://u:p@[fd12::5]:5432/tianshu', resolver: noDns });
    for (const host of ['fd12::5', 'fd12:0::5', 'FD12::5', 'fd12:0:0:0:0:0:0:5', '[fd12:0000::0005]']) await refused(v6.resolve(host));
    assert.deepEqual(await v6.resolve('fd12::6'), ['fd12::6']);

    const mappedUrl = await createHostPolicy({ allow: undefined, databaseUrl: 'postgres://u:p@[::ffff:10.0.0.5]:5432/tianshu', resolver: noDns });
    await refused(mappedUrl.resolve('10.0.0.5'));
  });

  test('a name with one address inside is refused whole (DNS rebinding), and an unknown name is reported as such', async () => {
    const policy = await createHostPolicy({ allow: undefined, resolver });
    await refused(policy.resolve('rebinding.example'));
    await refused(policy.resolve('nowhere.example'), 'CONNECTOR_HOST_UNRESOLVED');
    await policy.check('nowhere.example'); // saving passes; every run checks again
    await refused(policy.check('127.0.0.1'));
  });
});

describe('an allow-list (TIANSHU_CONNECTOR_HOSTS)', () => {
  test('allows only the names, suffixes and ranges listed, loopback included when listed', async () => {
    const policy = await createHostPolicy({ allow: ['127.0.0.1', '*.gov.example', '10.0.0.0/8', 'db.internal'], resolver });
    assert.deepEqual(await policy.resolve('127.0.0.1'), ['127.0.0.1']);
    assert.deepEqual(await policy.resolve('10.200.0.1'), ['10.200.0.1']);
    assert.deepEqual(await policy.resolve('data.gov.example'), ['203.0.113.10']);
    assert.deepEqual(await policy.resolve('db.internal'), ['10.1.2.3']);
    await refused(policy.resolve('127.0.0.2'));
    await refused(policy.resolve('v6.example'));
    await refused(policy.resolve('gov.example.evil'), 'CONNECTOR_HOST_UNRESOLVED');
  });

  test('`*` allows any host', async () => {
    const policy = await createHostPolicy({ allow: ['*'], resolver });
    assert.deepEqual(await policy.resolve('127.0.0.1'), ['127.0.0.1']);
    assert.deepEqual(await policy.resolve('metadata.example'), ['169.254.169.254']);
  });

  test('http.request through the policy\'s lookup reaches an allowed name and fails for a refused one', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const get = async (allow: string[] | undefined) => {
        const policy = await createHostPolicy({ allow, resolver: async () => ['127.0.0.1'] });
        return new Promise<string>((resolve, reject) => {
          http.get({ host: 'source.example', port, lookup: policy.lookup, agent: false }, (res) => {
            res.setEncoding('utf8');
            let body = '';
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve(body));
          }).on('error', reject);
        });
      };
      assert.equal(await get(['source.example']), 'ok');
      await refused(get(undefined));
    } finally {
      server.close();
    }
  });
});
