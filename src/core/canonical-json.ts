import { createRequire } from 'node:module';

// canonicalize (by the RFC's author) is CommonJS with an ESM-style .d.ts; load it the CommonJS way.
const serialize = createRequire(import.meta.url)('canonicalize') as (input: unknown) => string | undefined;

/** RFC 8785 (JSON Canonicalization Scheme) serialisation: the exact bytes that the ledger hashes. */
export function canonicalJson(value: unknown): string {
  const text = serialize(value);
  if (text === undefined) throw new TypeError('value cannot be represented as canonical JSON');
  return text;
}
