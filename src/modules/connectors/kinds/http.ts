import http from 'node:http';
import https from 'node:https';
import { Type } from 'typebox';
import { AppError } from '../../../core/errors.js';
import type { ConfigProblem } from '../connectors.errors.js';
import * as E from '../connectors.errors.js';
import { abortReason, type CommonConfig, type ConnectorKind, type PullContext, type SourceRow } from '../connectors.kinds.js';

export interface HttpConfig extends CommonConfig {
  url: string;
  /** Plain headers, shown to whoever reads the connector; a credential goes in the secret header. */
  headers: Record<string, string>;
  /** The name of the header that carries the sealed secret (Authorization, X-Api-Key …). */
  secretHeader?: string;
  /** Where the items are in a page: a dot path ("data.items"); empty when the page is the array. */
  itemsPath: string;
  paging?: {
    style: 'page' | 'offset' | 'cursor';
    pageParam: string;
    offsetParam: string;
    sizeParam: string;
    cursorParam: string;
    pageSize: number;
    firstPage: number;
  };
  /** cursor paging: where the next cursor is in a page (a dot path); absent, null or empty ends the pull. */
  nextCursorPath?: string;
  maxPages: number;
  /** Incremental: the saved watermark is sent in this query parameter … */
  watermarkParam?: string;
  /** … and the largest value of this item field becomes the next one. */
  watermarkField?: string;
  timeoutSeconds: number;
}

const PARAM = Type.String({ minLength: 1, maxLength: 100 });
const PATH_PATTERN = '^$|^[^.\\s]+(\\.[^.\\s]+)*$';
const PATH = Type.String({ maxLength: 200, pattern: PATH_PATTERN });

const configSchema = Type.Object(
  {
    url: Type.String({ minLength: 8, maxLength: 2000, description: 'http(s) URL of the first page; its own query parameters are kept' }),
    headers: Type.Record(Type.String(), Type.String({ maxLength: 2000 }), { default: {} }),
    secretHeader: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9-]+$' })),
    itemsPath: Type.String({ maxLength: 200, pattern: PATH_PATTERN, default: '', description: 'dot path to the items in a page ("data.items"); empty: the page is the array' }),
    paging: Type.Optional(
      Type.Object(
        {
          style: Type.Union([Type.Literal('page'), Type.Literal('offset'), Type.Literal('cursor')]),
          pageParam: Type.String({ minLength: 1, maxLength: 100, default: 'page' }),
          offsetParam: Type.String({ minLength: 1, maxLength: 100, default: 'offset' }),
          sizeParam: Type.String({ minLength: 1, maxLength: 100, default: 'pageSize' }),
          cursorParam: Type.String({ minLength: 1, maxLength: 100, default: 'cursor' }),
          pageSize: Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }),
          firstPage: Type.Integer({ minimum: 0, maximum: 1, default: 1 }),
        },
        { additionalProperties: false },
      ),
    ),
    nextCursorPath: Type.Optional(PATH),
    maxPages: Type.Integer({ minimum: 1, maximum: 100_000, default: 1000 }),
    watermarkParam: Type.Optional(PARAM),
    watermarkField: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    timeoutSeconds: Type.Integer({ minimum: 1, maximum: 300, default: 30 }),
    columns: Type.Optional(Type.Record(Type.String(), Type.String({ minLength: 1, maxLength: 63 }))),
  },
  { additionalProperties: false },
);

/** Headers that carry credentials belong in the sealed secret header, never in plain configuration. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
/** Headers the node sets itself. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);
const MAX_PAGE_BYTES = 64 * 1024 * 1024;
/**
 * A header value Node sends as it is: printable ASCII and tabs. CR or LF would split the request,
 * and anything beyond Latin-1 throws ERR_INVALID_CHAR at every run; refused when saved instead. (The
 * same rule as api resources' headers — resources.api.ts — kept here: modules do not share internals.)
 */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

function refine(config: HttpConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  let url: URL | undefined;
  try {
    url = new URL(config.url);
  } catch {
    problems.push({ path: '/url', message: 'is not a URL' });
  }
  if (url && url.protocol !== 'http:' && url.protocol !== 'https:') problems.push({ path: '/url', message: 'must be http or https' });
  if (url && (url.username || url.password)) problems.push({ path: '/url', message: 'must not carry a user name or password (use secretHeader)' });
  for (const name of Object.keys(config.headers)) {
    if (!/^[A-Za-z0-9-]{1,100}$/.test(name)) problems.push({ path: `/headers/${name}`, message: 'is not a header name' });
    else if (CREDENTIAL_HEADERS.has(name.toLowerCase())) problems.push({ path: `/headers/${name}`, message: 'carries a credential: put it in secretHeader and send its value as the secret' });
    else if (RESERVED_HEADERS.has(name.toLowerCase())) problems.push({ path: `/headers/${name}`, message: 'is set by the node' });
    else if (!HEADER_VALUE.test(config.headers[name]!)) problems.push({ path: `/headers/${name}`, message: 'must be printable ASCII (no line breaks or other characters)' });
  }
  if (config.secretHeader && RESERVED_HEADERS.has(config.secretHeader.toLowerCase())) problems.push({ path: '/secretHeader', message: 'is set by the node' });
  if (config.paging?.style === 'cursor' && !config.nextCursorPath) problems.push({ path: '/nextCursorPath', message: 'is needed for cursor paging' });
  if ((config.watermarkParam === undefined) !== (config.watermarkField === undefined)) problems.push({ path: '/watermarkParam', message: 'give watermarkParam and watermarkField together' });
  return problems;
}

/** The value at a dot path ("data.items"); the whole value for an empty path. */
function at(value: unknown, path: string): unknown {
  if (path === '') return value;
  let current = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * JSON.parse, refusing integers beyond 2^53: a double would round an 18-digit ID number silently,
 * and wrong data must not be loaded as if it were right.
 */
function parseJson(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => {
    if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
      throw E.responseInvalid(
        `the number in field "${key}" is too large for JSON to carry exactly; the API should send it as a string`,
        `字段“${key}”中的数字超出 JSON 可精确表示的范围，数据源应以字符串形式提供`,
      );
    }
    return value;
  });
}

interface Page {
  items: SourceRow[];
  body: unknown;
}

async function fetchPage(config: HttpConfig, secret: string | undefined, params: Record<string, string>, context: PullContext): Promise<Page> {
  const url = new URL(config.url);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  // Names resolve through the policy (lookup below); an address written as such skips lookup, so it is checked here.
  await context.hosts.resolve(url.hostname);
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Tianshu-Connector/1', ...config.headers };
  if (config.secretHeader && secret !== undefined) headers[config.secretHeader] = secret;
  const signal = AbortSignal.any([context.signal, AbortSignal.timeout(config.timeoutSeconds * 1000)]);
  const request = url.protocol === 'https:' ? https.request : http.request;
  const host = url.hostname;
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, lookup: context.hosts.lookup, signal }, (res) => {
      const status = res.statusCode ?? 0;
      // Redirects are not followed: the next address would escape the host policy.
      if (status < 200 || status >= 300) {
        res.resume();
        reject(E.sourceStatus(status));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_PAGE_BYTES) {
          req.destroy(E.responseInvalid('a page is larger than 64 MB', '单页响应超过 64 MB'));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('error', (err: Error & { code?: string }) => {
      if (err instanceof AppError) reject(err);
      else if (context.signal.aborted) reject(abortReason(context.signal, host));
      else if (signal.aborted || err.code === 'ETIMEDOUT') reject(E.sourceTimeout(host));
      else reject(E.sourceUnreachable(host, err.code ?? 'connection failed'));
    });
    req.end();
  });
  let body: unknown;
  try {
    body = parseJson(text);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw E.responseInvalid('the page is not JSON', '响应不是 JSON');
  }
  const items = at(body, config.itemsPath);
  if (!Array.isArray(items)) {
    throw E.responseInvalid(`no array at itemsPath "${config.itemsPath}"`, `itemsPath“${config.itemsPath}”处不是数组`);
  }
  if (!items.every((i) => i !== null && typeof i === 'object' && !Array.isArray(i))) throw E.responseInvalid('an item is not an object', '某一项不是对象');
  return { items: items as SourceRow[], body };
}

/** Larger of two watermark values: numbers by value, anything else as text (ISO times order as text). */
function later(a: string | null, value: unknown): string | null {
  if (value === null || value === undefined || value === '') return a;
  const text = String(value);
  if (a === null) return text;
  if (typeof value === 'number' && Number.isFinite(Number(a))) return value > Number(a) ? text : a;
  return text > a ? text : a;
}

/** A paged JSON API over HTTP(S): page numbers, offsets or cursors. */
export const httpKind: ConnectorKind<HttpConfig> = {
  kind: 'http',
  configSchema,
  refine,
  host: (config) => new URL(config.url).hostname,
  acceptsSecret: (config) => config.secretHeader !== undefined,
  checkSecret: (_config, secret) => (HEADER_VALUE.test(secret) ? [] : [{ path: '/secret', message: 'is sent as a header value: printable ASCII only (no line breaks or other characters)' }]),
  // The secret goes to this origin in this header; a new path on the same origin keeps it.
  secretScope: (config) => {
    const url = new URL(config.url);
    return { url: url.origin, secretHeader: config.secretHeader?.toLowerCase() ?? null };
  },
  watermarkScope: (config) => (config.watermarkField === undefined ? null : JSON.stringify([config.url, config.watermarkParam, config.watermarkField])),

  async sample(config, secret, limit, context) {
    const first = firstParams(config);
    const { items } = await fetchPage(config, secret, first, context);
    const rows = items.slice(0, limit);
    return { columns: [...new Set(rows.flatMap((r) => Object.keys(r)))], rows };
  },

  pull(config, secret, watermark, context) {
    let next = watermark;
    async function* batches(): AsyncGenerator<SourceRow[]> {
      const paging = config.paging;
      let params = firstParams(config);
      if (config.watermarkParam && watermark !== null) params[config.watermarkParam] = watermark;
      for (let page = 1; ; page++) {
        context.signal.throwIfAborted();
        const { items, body } = await fetchPage(config, secret, params, context);
        if (config.watermarkField) for (const item of items) next = later(next, item[config.watermarkField]);
        if (items.length > 0) yield items;
        let following: Record<string, string> | undefined;
        if (paging?.style === 'page' && items.length >= paging.pageSize) following = { ...params, [paging.pageParam]: String(Number(params[paging.pageParam]) + 1) };
        if (paging?.style === 'offset' && items.length >= paging.pageSize) following = { ...params, [paging.offsetParam]: String(Number(params[paging.offsetParam]) + items.length) };
        if (paging?.style === 'cursor') {
          const cursor = at(body, config.nextCursorPath!);
          if (cursor !== undefined && cursor !== null && cursor !== '') {
            if (String(cursor) === params[paging.cursorParam]) throw E.responseInvalid('the next cursor is the one just used', '下一页游标与当前游标相同');
            following = { ...params, [paging.cursorParam]: String(cursor) };
          }
        }
        if (!following) return;
        if (page >= config.maxPages) throw E.tooManyPages(config.maxPages);
        params = following;
      }
    }
    return { batches: batches(), watermark: () => next };
  },
};

function firstParams(config: HttpConfig): Record<string, string> {
  const paging = config.paging;
  if (!paging) return {};
  switch (paging.style) {
    case 'page':
      return { [paging.pageParam]: String(paging.firstPage), [paging.sizeParam]: String(paging.pageSize) };
    case 'offset':
      return { [paging.offsetParam]: '0', [paging.sizeParam]: String(paging.pageSize) };
    case 'cursor':
      return { [paging.sizeParam]: String(paging.pageSize) };
  }
}
