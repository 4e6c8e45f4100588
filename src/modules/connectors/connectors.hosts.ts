import dns from 'node:dns/promises';
import net from 'node:net';
import * as E from './connectors.errors.js';

/**
 * Which hosts the node may contact on a provider's behalf (connectors; proxied api resources). A
 * provider chooses the address, so without a policy it could make the node read the node's own
 * database or a cloud metadata service (SSRF). Names are resolved here and the node connects to the
 * addresses that passed, never to the name again, so a DNS answer that changes between the check
 * and the connection (rebinding) cannot slip past.
 */
export interface HostPolicy {
  /** The addresses of `host` that may be contacted; throws CONNECTOR_HOST_BLOCKED or CONNECTOR_HOST_UNRESOLVED. */
  resolve(host: string): Promise<string[]>;
  /** The check when a connector is saved: like resolve, but a name that does not resolve now passes (every run checks again). */
  check(host: string): Promise<void>;
  /** Whether `host` may be contacted at all. */
  allows(host: string): Promise<boolean>;
  /** Whether one address that `host` resolved to may be contacted (for callers that resolve themselves). */
  allowsAddress(host: string, address: string): boolean;
  /** A `lookup` for `http.request` that resolves through the policy. */
  lookup: net.LookupFunction;
}

export interface HostPolicyOptions {
  /** config.connectorHosts: undefined for the default policy, else the only hosts allowed (`*`: any). */
  allow: readonly string[] | undefined;
  /** The node's own database server, never reachable under the default policy. */
  databaseUrl?: string | undefined;
  /** Name resolution (tests); default: the system resolver, every address. */
  resolver?: (host: string) => Promise<string[]>;
}

/**
 * Under the default policy: "this host", loopback, link-local (which holds most clouds' metadata
 * service, 169.254.169.254), Alibaba Cloud's metadata address and AWS's IPv6 one. `::/96` holds `::`,
 * `::1` and the deprecated IPv4-compatible addresses (`::127.0.0.1`), which some stacks still route
 * to the IPv4 address. (IPv4-mapped addresses, `::ffff:0:0/96`, meet the IPv4 rules: BlockList
 * compares them as the IPv4 address they carry, whatever their spelling.)
 */
const DEFAULT_BLOCKED: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['100.100.100.200', 32],
  ['::', 96],
  ['fe80::', 10],
  ['fd00:ec2::254', 128],
];

const systemResolver = async (host: string): Promise<string[]> => (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** `[::1]` → `::1`; `::ffff:127.0.0.1` → `127.0.0.1`, so a mapped address meets the IPv4 rules. */
function plainAddress(address: string): string {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  return mapped ? mapped[1]! : bare.toLowerCase();
}

const family = (address: string): 'ipv4' | 'ipv6' => (net.isIP(address) === 6 ? 'ipv6' : 'ipv4');

function subnetList(entries: ReadonlyArray<[string, number]>): net.BlockList {
  const list = new net.BlockList();
  for (const [address, prefix] of entries) list.addSubnet(address, prefix, family(address));
  return list;
}

function databaseHost(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const host = new URL(url).hostname;
    return host === '' ? undefined : plainAddress(host);
  } catch {
    return undefined;
  }
}

/**
 * The policy of a node. The database server's name is resolved here, once: its addresses are what
 * the default policy refuses besides the fixed ranges.
 */
export async function createHostPolicy(options: HostPolicyOptions): Promise<HostPolicy> {
  const resolver = options.resolver ?? systemResolver;
  const allowAll = options.allow?.includes('*') ?? false;
  const names = (options.allow ?? []).filter((e) => e !== '*' && net.isIP(e) === 0 && !e.includes('/'));
  const ranges = (options.allow ?? []).filter((e) => net.isIP(e) !== 0 || e.includes('/'));
  const allowedRanges = subnetList(ranges.map((r) => {
    const [address, bits] = r.split('/') as [string, string | undefined];
    return [address, bits === undefined ? (net.isIP(address) === 6 ? 128 : 32) : Number(bits)];
  }));
  const blocked = subnetList(DEFAULT_BLOCKED);
  const dbHost = databaseHost(options.databaseUrl);
  // Compared as addresses, not as text: `::ffff:a00:5`, `0:0:0:0:0:ffff:a00:5` and `10.0.0.5` are
  // one server, as are `fd12::5` and `fd12:0::5`.
  const dbAddresses = new net.BlockList();
  const dbList = dbHost === undefined ? [] : net.isIP(dbHost) !== 0 ? [dbHost] : await resolver(dbHost).catch(() => [] as string[]);
  for (const address of dbList.map(plainAddress)) if (net.isIP(address) !== 0) dbAddresses.addAddress(address, family(address));

  const nameAllowed = (host: string): boolean =>
    names.some((n) => (n.startsWith('*.') ? host.endsWith(n.slice(1)) && host.length > n.length - 1 : host === n));

  function addressAllowed(host: string, raw: string): boolean {
    const address = plainAddress(raw);
    if (net.isIP(address) === 0) return false;
    if (allowAll) return true;
    if (options.allow !== undefined) return nameAllowed(plainAddress(host)) || allowedRanges.check(address, family(address));
    if (blocked.check(address, family(address))) return false;
    return !dbAddresses.check(address, family(address));
  }

  async function addressesOf(host: string): Promise<string[]> {
    const plain = plainAddress(host);
    if (net.isIP(plain) !== 0) return [plain];
    try {
      const found = (await resolver(plain)).map(plainAddress);
      if (found.length > 0) return found;
    } catch {
      // reported below
    }
    throw E.hostUnresolved(host);
  }

  async function resolve(host: string): Promise<string[]> {
    const name = plainAddress(host.trim());
    if (name === '') throw E.hostBlocked(host);
    const addresses = await addressesOf(name);
    // Every address must pass (a name on the allow-list passes whatever it resolves to: the
    // operator named it); a name that also points inside must not be usable at all.
    if (!addresses.every((address) => addressAllowed(name, address))) throw E.hostBlocked(host);
    return addresses;
  }

  return {
    resolve,
    async check(host) {
      try {
        await resolve(host);
      } catch (err) {
        if (err instanceof Error && (err as { code?: string }).code === 'CONNECTOR_HOST_UNRESOLVED') return;
        throw err;
      }
    },
    allowsAddress: addressAllowed,
    async allows(host) {
      try {
        await resolve(host);
        return true;
      } catch {
        return false;
      }
    },
    lookup(hostname, lookupOptions, callback) {
      resolve(hostname).then(
        (addresses) => {
          const list = addresses.map((address) => ({ address, family: net.isIP(address) }));
          if (lookupOptions.all) callback(null, list);
          else callback(null, list[0]!.address, list[0]!.family);
        },
        (err: NodeJS.ErrnoException) => callback(err, ''),
      );
    },
  };
}
