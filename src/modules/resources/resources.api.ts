import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { AppError } from '../../core/errors.js';
import * as E from './resources.errors.js';

/**
 * `api` resources (issue 4): an upstream HTTP API of the provider, registered with the node and
 * called through it. The provider's credential is one header whose value is sealed with the node key:
 * it is added to each call here and never shown, logged or written to the ledger. This file holds the
 * configuration rules and the call itself; who may do what is the service's.
 */

export type ApiMethod = 'GET' | 'POST';

/** What `resources.api` holds (the secret header's value is sealed apart, in `api_secret`). */
export interface StoredApiConfig {
  url: string;
  method: ApiMethod;
  /** Lower-case names; shown to every reader of the resource, so never credentials. */
  headers: Record<string, string>;
  secretHeaderName: string | null;
  timeoutMs: number;
}

/** The configuration as the API shows it. */
export interface ApiView extends StoredApiConfig {
  hasSecret: boolean;
}

export interface SecretHeader {
  name: string;
  value: string;
}

export interface ApiConfigInput {
  url: string;
  method: ApiMethod;
  headers?: Record<string, string> | undefined;
  secretHeader?: SecretHeader | undefined;
  timeoutMs?: number | undefined;
}

/** A change: absent fields stay; `secretHeader: null` removes the credential. */
export interface ApiConfigPatch {
  url?: string | undefined;
  method?: ApiMethod | undefined;
  headers?: Record<string, string> | undefined;
  secretHeader?: SecretHeader | null | undefined;
  timeoutMs?: number | undefined;
}

export interface InvokeInput {
  /** Appended to the registered URL's path; must stay under it. */
  path?: string | undefined;
  query?: Record<string, string | number | boolean> | undefined;
  /** JSON, for a POST upstream. */
  body?: unknown;
}

export interface InvokeResult {
  status: number;
  headers: Record<string, string>;
  /** Parsed when the upstream says JSON, else text. */
  body: unknown;
  latencyMs: number;
}

/**
 * Which hosts api resources may call: the node's host policy (config.connectorHosts, shared with
 * connectors), or by default {@link defaultUpstreamHosts}. Names are checked where the connection
 * is made — `lookup` yields only addresses the policy allows — so a name that resolves to a refused
 * address (DNS rebinding included) is refused too.
 */
export interface UpstreamHosts {
  /** Whether the node may contact this host (an address, or a name resolved now). */
  allows(host: string): Promise<boolean>;
  /**
   * `http.request`'s lookup. It refuses a host by failing with an error whose `status` is 403 (a
   * NotAllowedError); any other failure means the name did not resolve.
   */
  lookup: net.LookupFunction;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const MAX_TIMEOUT_MS = 60_000;
export const MIN_TIMEOUT_MS = 100;
/** The most of an upstream answer the node relays (after decompression). */
export const MAX_UPSTREAM_BYTES = 1024 * 1024;
const MAX_HEADERS = 20;
const MAX_HEADER_VALUE = 4000;

/**
 * Never called by default: loopback and unspecified addresses (the node itself), link-local ones
 * (169.254.169.254 and fe80::/10: cloud metadata, where instance credentials live), and the
 * metadata services of Alibaba Cloud (100.100.100.200, common under government clouds) and AWS
 * (fd00:ec2::254). A node with a configured host policy uses that instead.
 */
const REFUSED = (() => {
  const list = new net.BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addSubnet('0.0.0.0', 8, 'ipv4');
  list.addSubnet('169.254.0.0', 16, 'ipv4');
  list.addAddress('100.100.100.200', 'ipv4');
  list.addAddress('::1', 'ipv6');
  list.addAddress('::', 'ipv6');
  list.addSubnet('fe80::', 10, 'ipv6');
  list.addAddress('fd00:ec2::254', 'ipv6');
  return list;
})();

function addressAllowed(address: string): boolean {
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1) is the IPv4 address.
  const ip = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
  const family = net.isIP(ip);
  return family !== 0 && !REFUSED.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** The rule of a node without a configured host list: any host whose addresses are all allowed. */
export const defaultUpstreamHosts: UpstreamHosts = {
  async allows(host) {
    const plain = host.replace(/^\[(.*)\]$/, '$1');
    if (net.isIP(plain)) return addressAllowed(plain);
    try {
      const addresses = await dns.promises.lookup(plain, { all: true });
      return addresses.length > 0 && addresses.every((a) => addressAllowed(a.address));
    } catch {
      return false;
    }
  },
  lookup(hostname, options, callback) {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      // Every address must pass: a name that also points inside must not be usable at all.
      if (addresses.length === 0 || !addresses.every((a) => addressAllowed(a.address))) return callback(E.upstreamHostBlocked(hostname), '');
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  },
};

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
// Node refuses other characters in header values; anything else would fail at call time.
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
/** Set by the node for each call, or meaningless through a proxy. */
const NODE_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection', 'expect', 'accept-encoding', 'content-encoding']);
/** Credentials: shown to readers if they were plain headers, so only the sealed secret header may carry one. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** The host of a URL as an address, when it is one ([::1] → ::1). */
const ipLiteral = (url: URL): string | undefined => {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return net.isIP(host) ? host : undefined;
};

async function checkUrl(raw: string, hosts: UpstreamHosts): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw E.apiUrlInvalid('it is not an absolute URL', '不是完整的网址');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw E.apiUrlInvalid('only http and https are supported', '仅支持 http 和 https');
  if (url.username !== '' || url.password !== '') throw E.apiUrlInvalid('it carries a user name or password; put the credential in secretHeader', '网址中含有用户名或密码，请将凭据填写在 secretHeader 中');
  if (url.hash !== '' || raw.includes('#')) throw E.apiUrlInvalid('it has a fragment (#)', '网址中不能含有“#”');
  if (url.hostname === '') throw E.apiUrlInvalid('it has no host', '缺少主机名');
  // An address is checked now; a name at every call (it may not resolve yet, or resolve elsewhere later).
  const ip = ipLiteral(url);
  if (ip !== undefined && !(await hosts.allows(ip))) throw E.apiHostNotAllowed(url.hostname);
  return url;
}

function checkHeaderValue(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_HEADER_VALUE || !HEADER_VALUE.test(value)) throw E.apiHeaderInvalid(name);
  return value;
}

function checkHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) throw E.invalidRequest('API_HEADERS_TOO_MANY', `At most ${MAX_HEADERS} headers`, `请求头不能超过 ${MAX_HEADERS} 个`);
  for (const [raw, value] of entries) {
    if (!TOKEN.test(raw)) throw E.apiHeaderInvalid(raw);
    const name = raw.toLowerCase();
    if (NODE_HEADERS.has(name) || CREDENTIAL_HEADERS.has(name)) throw E.apiHeaderReserved(raw);
    if (name in out) throw E.apiHeaderDuplicate(raw);
    out[name] = checkHeaderValue(raw, value);
  }
  return out;
}

function checkSecretHeader(secret: SecretHeader, headers: Record<string, string>): SecretHeader {
  if (!TOKEN.test(secret.name)) throw E.apiHeaderInvalid(secret.name);
  const name = secret.name.toLowerCase();
  if (NODE_HEADERS.has(name)) throw E.apiHeaderReserved(secret.name);
  if (name in headers) throw E.apiHeaderDuplicate(secret.name);
  if (secret.value === '') throw E.apiHeaderInvalid(secret.name);
  return { name, value: checkHeaderValue(secret.name, secret.value) };
}

function checkTimeout(timeoutMs: number | undefined): number {
  const t = timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(t) || t < MIN_TIMEOUT_MS || t > MAX_TIMEOUT_MS) {
    throw E.invalidRequest('API_TIMEOUT_INVALID', `timeoutMs is a whole number from ${MIN_TIMEOUT_MS} to ${MAX_TIMEOUT_MS}`, `timeoutMs 须为 ${MIN_TIMEOUT_MS}–${MAX_TIMEOUT_MS} 之间的整数`);
  }
  return t;
}

/**
 * Checks an upstream's configuration. Returns what is stored and, when one is given, the secret
 * header to seal (`secret: null` removes a stored one; `undefined` keeps it).
 */
export async function checkApiConfig(
  input: Omit<ApiConfigInput, 'secretHeader'> & { secretHeader?: SecretHeader | null | undefined },
  hosts: UpstreamHosts,
  keptSecretName: string | null = null,
): Promise<{ config: StoredApiConfig; secret: SecretHeader | null | undefined }> {
  const url = await checkUrl(input.url, hosts);
  if (input.method !== 'GET' && input.method !== 'POST') throw E.invalidRequest('API_METHOD_INVALID', 'The method is GET or POST', '请求方法须为 GET 或 POST');
  const headers = checkHeaders(input.headers ?? {});
  const secret = input.secretHeader ? checkSecretHeader(input.secretHeader, headers) : input.secretHeader;
  const secretHeaderName = secret === undefined ? keptSecretName : (secret?.name ?? null);
  if (secretHeaderName !== null && secretHeaderName in headers) throw E.apiHeaderDuplicate(secretHeaderName);
  return { config: { url: url.href, method: input.method, headers, secretHeaderName, timeoutMs: checkTimeout(input.timeoutMs) }, secret };
}

/** A stored configuration with a change applied, checked as a whole. */
export function patchApiConfig(stored: StoredApiConfig, patch: ApiConfigPatch, hosts: UpstreamHosts): Promise<{ config: StoredApiConfig; secret: SecretHeader | null | undefined }> {
  return checkApiConfig(
    {
      url: patch.url ?? stored.url,
      method: patch.method ?? stored.method,
      headers: patch.headers ?? stored.headers,
      secretHeader: patch.secretHeader,
      timeoutMs: patch.timeoutMs ?? stored.timeoutMs,
    },
    hosts,
    stored.secretHeaderName,
  );
}

export const apiView = (config: StoredApiConfig, hasSecret: boolean): ApiView => ({ ...config, hasSecret });

/**
 * The URL and body of one call: the caller's path appended under the registered URL's path, its
 * query added to the registered one (whose parameters the caller cannot change).
 */
export function upstreamTarget(config: StoredApiConfig, input: InvokeInput): { url: URL; body: Buffer | undefined } {
  const base = new URL(config.url);
  const url = new URL(base.href);
  const path = input.path ?? '';
  if (path !== '') {
    if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//') || /[\\?#\x00-\x1f\x7f]/.test(path)) throw E.apiPathInvalid();
    const segments = path.replace(/^\/+/, '').split('/');
    for (const segment of segments) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        throw E.apiPathInvalid();
      }
      if (decoded === '.' || decoded === '..' || /[/\\]/.test(decoded)) throw E.apiPathInvalid();
    }
    url.pathname = `${base.pathname.replace(/\/+$/, '')}/${segments.join('/')}`;
    // The rules above leave nothing that could climb out; this says so once more, in URL terms.
    const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
    if (url.origin !== base.origin || !(url.pathname === base.pathname || url.pathname.startsWith(prefix))) throw E.apiPathInvalid();
  }
  for (const [name, value] of Object.entries(input.query ?? {})) {
    if (base.searchParams.has(name)) throw E.apiQueryReserved(name);
    url.searchParams.append(name, String(value));
  }
  if (input.body !== undefined && config.method === 'GET') throw E.apiBodyNotAllowed();
  return { url, body: input.body === undefined ? undefined : Buffer.from(JSON.stringify(input.body)) };
}

const BLOCKED = 'TIANSHU_HOST_BLOCKED';

/** The policy's lookup, its refusals told apart from names that do not resolve (for the error the caller gets). */
function taggedLookup(lookup: net.LookupFunction): net.LookupFunction {
  return (hostname, options, callback) =>
    lookup(hostname, options, (err, address, family) => {
      if (!err) return callback(null, address, family);
      const blocked = (err as { status?: unknown }).status === 403;
      callback(Object.assign(new Error(blocked ? 'host refused by the policy' : 'host name did not resolve'), { code: blocked ? BLOCKED : 'ENOTFOUND' }), '');
    });
}

export interface UpstreamCall {
  url: URL;
  method: ApiMethod;
  headers: Record<string, string>;
  body: Buffer | undefined;
  timeoutMs: number;
}

export interface UpstreamAnswer {
  status: number;
  contentType: string | undefined;
  bytes: Buffer;
  latencyMs: number;
}

/**
 * One call to an upstream: no redirects followed (a redirect could lead the credential elsewhere),
 * one deadline for connecting and reading, at most `maxBytes` read (after decompression), every
 * failure mapped to UPSTREAM_* errors whose messages hold no header values.
 */
export async function callUpstream(call: UpstreamCall, options: { hosts: UpstreamHosts; maxBytes?: number }): Promise<UpstreamAnswer> {
  const maxBytes = options.maxBytes ?? MAX_UPSTREAM_BYTES;
  // An address is connected to without a lookup, so it is checked here.
  const ip = ipLiteral(call.url);
  if (ip !== undefined && !(await options.hosts.allows(ip))) throw E.upstreamHostBlocked(call.url.hostname);
  const started = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), call.timeoutMs);
  try {
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = (call.url.protocol === 'https:' ? https : http).request(
        call.url,
        {
          method: call.method,
          headers: {
            accept: 'application/json, text/plain;q=0.9, */*;q=0.8',
            'user-agent': 'Tianshu',
            ...call.headers,
            'accept-encoding': 'gzip, deflate, br',
            ...(call.body ? { 'content-type': 'application/json', 'content-length': String(call.body.length) } : {}),
          },
          lookup: taggedLookup(options.hosts.lookup),
          signal: controller.signal,
          // A fresh connection each call: the address check applies to every one.
          agent: false,
        },
        resolve,
      );
      request.on('error', reject);
      request.end(call.body);
    });
    if (Number(response.headers['content-length']) > maxBytes) {
      response.destroy();
      throw E.upstreamTooLarge(maxBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of decoded(response)) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        response.destroy();
        throw E.upstreamTooLarge(maxBytes);
      }
      chunks.push(chunk as Buffer);
    }
    return { status: response.statusCode ?? 502, contentType: response.headers['content-type'], bytes: Buffer.concat(chunks), latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (controller.signal.aborted) throw E.upstreamTimeout(call.timeoutMs);
    const code = (err as { code?: unknown }).code;
    if (code === BLOCKED) throw E.upstreamHostBlocked(call.url.hostname);
    throw E.upstreamUnreachable(typeof code === 'string' && /^[A-Z_0-9]{2,40}$/.test(code) ? code : 'ERROR');
  } finally {
    clearTimeout(timer);
  }
}

/** The body with its content coding removed (only the codings the call asked for). */
function decoded(response: http.IncomingMessage): Readable {
  const coding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder = coding === 'gzip' || coding === 'x-gzip' ? zlib.createGunzip() : coding === 'deflate' ? zlib.createInflate() : coding === 'br' ? zlib.createBrotliDecompress() : undefined;
  return decoder ? pipeline(response, decoder, () => {}) : response;
}

/** The answer as the caller gets it: JSON parsed when the upstream says JSON, text otherwise. */
/** The answer as the caller gets it; `secret`, the credential sent upstream, is cut out wherever it is echoed. */
export function relayedAnswer(answer: UpstreamAnswer, secret?: string): InvokeResult {
  const contentType = answer.contentType;
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const charset = /;\s*charset="?([^";\s]+)"?/i.exec(contentType ?? '')?.[1];
  let text: string;
  try {
    // GBK and GB18030 included: Node's decoder knows the WHATWG encodings.
    text = new TextDecoder(charset ?? 'utf-8').decode(answer.bytes);
  } catch {
    text = new TextDecoder('utf-8').decode(answer.bytes);
  }
  if (secret !== undefined && secret !== '') text = text.replaceAll(secret, '[REDACTED]');
  let body: unknown = text;
  if (/^(application|text)\/([a-z0-9.-]+\+)?json$/.test(mediaType) && text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: answer.status, headers: contentType ? { 'content-type': contentType } : {}, body, latencyMs: answer.latencyMs };
}
