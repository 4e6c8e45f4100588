/** Bytes or a string; strings are always taken as UTF-8. */
export type BytesLike = Uint8Array | string;

// One place decides how strings become bytes, so a hash, a MAC and a signature over the same
// string always cover the same bytes. The view shares memory: callers must not mutate it.
export function toBytes(data: BytesLike): Buffer {
  return typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
