import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import type { CatalogContent } from './catalog.types.js';

/**
 * Chinese full-text search for the catalog (DESIGN §2): text is segmented by jieba in this process,
 * at write time (`searchVector`) and at query time (`tsQuery`), and PostgreSQL only stores and
 * matches lexemes. Both the tsvector and the tsquery are written as literals and cast, never parsed
 * by a text-search configuration: the server's parser (and its locale) would otherwise re-split or
 * re-case what jieba produced, differently on PGlite and on PostgreSQL.
 */

let jieba: Jieba | undefined;
/** Loading the dictionary takes ~150 ms; a node that never indexes or searches does not pay it. */
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

/** A token worth indexing has a letter or a digit (drops punctuation and whitespace). */
const WORD = /[\p{L}\p{N}]/u;
/** Longest lexeme kept: longer runs (hashes, pasted data) are noise, and tsvector caps lexemes at 2 KB. */
const MAX_TOKEN = 64;

function clean(tokens: readonly string[]): string[] {
  const out = new Set<string>();
  for (const t of tokens) {
    const token = t.trim().toLowerCase();
    if (token.length === 0 || token.length > MAX_TOKEN || !WORD.test(token)) continue;
    out.add(token);
  }
  return [...out];
}

/**
 * Tokens to index: jieba's search mode, which emits a long word and its shorter words
 * (`居民身份证` → 居民, 身份, 身份证, 居民身份证), lower-cased, without punctuation, each once.
 */
export function searchTokens(text: string): string[] {
  if (text.trim() === '') return [];
  if (text.length > CACHED_TEXT) return clean(segmenter().cutForSearch(text, true));
  let tokens = cache.get(text);
  if (!tokens) {
    // Item names (姓名, 公民身份号码, …) and names repeat across entries: an import or a
    // re-index segments each once. Bounded: emptied when full.
    if (cache.size >= CACHE_SIZE) cache.clear();
    tokens = clean(segmenter().cutForSearch(text, true));
    cache.set(text, tokens);
  }
  return tokens;
}

const CACHED_TEXT = 40;
const CACHE_SIZE = 50_000;
const cache = new Map<string, string[]>();

/**
 * The words of a query, in order: jieba's precise mode (`身份证号码` → 身份证, 号码). Each word must
 * match; `tsQuery` also accepts a word's parts, for text that jieba segmented differently in context.
 */
export function queryTokens(q: string): string[] {
  return q.trim() === '' ? [] : clean(segmenter().cut(q, true));
}

/** The parts of a query word that search mode would index (`居民身份证` → 居民, 身份, 身份证). */
function partsOf(word: string): string[] {
  if (word.length < 3) return [];
  return clean(segmenter().cutForSearch(word, true)).filter((p) => p !== word && p.length < word.length);
}

/** A lexeme in tsvector/tsquery literal syntax: quoted, with quotes doubled and backslashes escaped. */
const lexeme = (token: string): string => `'${token.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/**
 * The tsquery literal for `q`: every word must match, either itself or all of its parts.
 * Undefined when `q` has no searchable word (only punctuation).
 * `身份证号码` → `('身份证' | '身份' & '身份证') & '号码'`.
 */
export function tsQuery(q: string): string | undefined {
  const words = queryTokens(q);
  if (words.length === 0) return undefined;
  return words
    .map((w) => {
      const parts = partsOf(w).filter((p) => p.length >= 2);
      // Only parts that together cover the word: `居民身份证` → 居民 + 身份证 (both needed).
      const covering = coveringParts(w, parts);
      return covering.length > 1 ? `(${lexeme(w)} | ${covering.map(lexeme).join(' & ')})` : lexeme(w);
    })
    .join(' & ');
}

/** A left-to-right cover of `word` by the longest parts, or [] when the parts do not cover it. */
function coveringParts(word: string, parts: readonly string[]): string[] {
  const byLength = [...parts].sort((a, b) => b.length - a.length);
  const out: string[] = [];
  let at = 0;
  while (at < word.length) {
    const next = byLength.find((p) => word.startsWith(p, at));
    if (!next) return [];
    out.push(next);
    at += next.length;
  }
  return out;
}

export type SearchField = 'name' | 'summary' | 'item' | 'provider';

/** What is indexed for one version of an entry, field by field (weights: name A, items B, summary and provider C, code D). */
export interface SearchDocument {
  name: string;
  summary: string;
  items: readonly string[];
  provider: string;
  code: string;
}

/** The document of one version: its content, and the entry's provider name and code. */
export function searchDocument(content: Pick<CatalogContent, 'name' | 'summary' | 'items'>, entry: { providerName: string; code: string }): SearchDocument {
  return { name: content.name, summary: content.summary, items: content.items.map((i) => i.name), provider: entry.providerName, code: entry.code };
}

const MAX_POSITION = 16_383;

/**
 * The tsvector literal of a document: each token with its positions and the weight of the field it
 * came from (name A, info items B, summary and provider C, code D), e.g. `'身份证':1A,9B '号码':10B`.
 * Cast with `::tsvector`; ranking (ts_rank_cd) uses the weights and the positions.
 */
export function searchVector(doc: SearchDocument): string {
  const positions = new Map<string, string[]>();
  let position = 0;
  const add = (text: string, weight: 'A' | 'B' | 'C' | 'D'): void => {
    for (const token of searchTokens(text)) {
      position = Math.min(position + 1, MAX_POSITION);
      const list = positions.get(token);
      // PostgreSQL keeps at most 256 positions per lexeme; a few are enough for ranking.
      if (!list) positions.set(token, [`${position}${weight}`]);
      else if (list.length < 16) list.push(`${position}${weight}`);
    }
    position = Math.min(position + 1, MAX_POSITION); // a gap between fields: no phrase spans two
  };
  add(doc.name, 'A');
  for (const item of doc.items) add(item, 'B');
  add(doc.summary, 'C');
  add(doc.provider, 'C');
  add(doc.code, 'D');
  return [...positions].map(([token, list]) => `${lexeme(token)}:${list.join(',')}`).join(' ');
}

// ---------------------------------------------------------------- highlights

export interface Highlight {
  field: SearchField;
  text: string;
  /** UTF-16 offsets into `text`, end exclusive, sorted and not overlapping. */
  ranges: Array<[number, number]>;
}

const SUMMARY_WINDOW = 160;
const SUMMARY_LEAD = 40;
const MAX_ITEM_HIGHLIGHTS = 5;

/** What to look for in the text: the query's words and their parts, longest first. */
export function highlightTerms(q: string): string[] {
  const terms = new Set<string>();
  for (const word of queryTokens(q)) {
    terms.add(word);
    for (const part of partsOf(word)) if (part.length >= 2) terms.add(part);
  }
  return [...terms].sort((a, b) => b.length - a.length);
}

function matches(text: string, terms: readonly string[]): Array<[number, number]> {
  // Lower-casing keeps UTF-16 offsets for CJK and ASCII; where it would not, match case-sensitively.
  const lower = text.toLowerCase();
  const haystack = lower.length === text.length ? lower : text;
  const found: Array<[number, number]> = [];
  for (const term of terms) {
    for (let at = haystack.indexOf(term); at !== -1; at = haystack.indexOf(term, at + term.length)) found.push([at, at + term.length]);
  }
  found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of found) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/**
 * Where the query's words occur in an entry, as plain text and ranges (the portal marks them up;
 * nothing here is HTML). The summary is cut to a window of at most 160 characters around its first
 * match, with the ranges shifted into it. Info items: the first five that match.
 */
export function highlight(terms: readonly string[], entry: { name: string; summary: string; items: readonly { name: string }[]; providerName: string }): Highlight[] {
  if (terms.length === 0) return [];
  const out: Highlight[] = [];
  const name = matches(entry.name, terms);
  if (name.length > 0) out.push({ field: 'name', text: entry.name, ranges: name });
  const summary = matches(entry.summary, terms);
  if (summary.length > 0) {
    const first = summary[0]![0];
    const start = Math.max(0, Math.min(first - SUMMARY_LEAD, entry.summary.length - SUMMARY_WINDOW));
    // Do not cut a surrogate pair in half.
    const from = start > 0 && isLowSurrogate(entry.summary.charCodeAt(start)) ? start - 1 : start;
    const text = entry.summary.slice(from, from + SUMMARY_WINDOW);
    const ranges = summary
      .filter(([s]) => s >= from && s < from + text.length)
      .map(([s, e]): [number, number] => [s - from, Math.min(e - from, text.length)]);
    out.push({ field: 'summary', text, ranges });
  }
  let items = 0;
  for (const item of entry.items) {
    if (items >= MAX_ITEM_HIGHLIGHTS) break;
    const ranges = matches(item.name, terms);
    if (ranges.length === 0) continue;
    out.push({ field: 'item', text: item.name, ranges });
    items += 1;
  }
  const provider = matches(entry.providerName, terms);
  if (provider.length > 0) out.push({ field: 'provider', text: entry.providerName, ranges: provider });
  return out;
}

const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
