import crypto from 'node:crypto';
import type { Executor } from '../../core/db/database.js';
import { AppError } from '../../core/errors.js';
import * as E from './resources.errors.js';
import * as repo from './resources.repository.js';

/**
 * `file` resources (issue 4): versioned files kept in the database, so that a node stays stateless
 * apart from it. A file is stored as 1 MiB parts while it arrives and read back part by part: neither
 * an upload nor a download holds more than a part in memory, whatever the file's size. Each version
 * carries the SM3 digest of its bytes, checked again on every download.
 */

/** One version of a file resource, as the API shows it. */
export interface FileVersion {
  version: number;
  fileName: string;
  mediaType: string;
  size: number;
  /** SM3 of the bytes, lowercase hex. */
  sm3: string;
  note: string | null;
  uploadedBy: string | null;
  uploadedAt: string;
}

/** The size of a stored part. */
export const CHUNK_BYTES = 1024 * 1024;
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024 * 1024;

export function toFileVersion(f: repo.FileRow): FileVersion {
  return {
    version: f.version!,
    fileName: f.file_name,
    mediaType: f.media_type,
    size: Number(f.size),
    sm3: f.sm3!,
    note: f.note,
    uploadedBy: f.uploaded_by,
    uploadedAt: new Date(f.uploaded_at!).toISOString(),
  };
}

/** A name to save the file under: no path, no control characters. */
export function checkFileName(raw: string): string {
  const name = raw.trim();
  // eslint-disable-next-line no-control-regex
  if (name === '' || [...name].length > 255 || /[\x00-\x1f\x7f/\\]/.test(name) || name === '.' || name === '..') throw E.fileNameInvalid();
  return name;
}

/** type/subtype as RFC 9110 tokens, of a length a header can carry. */
const MEDIA_TYPE = /^[a-z0-9!#$%&'*+.^_`|~-]{1,127}\/[a-z0-9!#$%&'*+.^_`|~-]{1,127}$/;

/**
 * The media type to serve the file with: the upload's Content-Type without parameters other than
 * the charset (`text/csv; charset=gbk` stays as it is). None given: application/octet-stream.
 */
export function fileMediaType(contentType: string | undefined): string {
  if (contentType === undefined || contentType.trim() === '') return 'application/octet-stream';
  const [essence, ...params] = contentType.split(';');
  const type = essence!.trim().toLowerCase();
  if (!MEDIA_TYPE.test(type)) throw E.fileMediaTypeInvalid(contentType.slice(0, 100));
  const charset = params.map((p) => /^\s*charset\s*=\s*"?([A-Za-z0-9._-]{1,40})"?\s*$/i.exec(p)?.[1]).find((c) => c !== undefined);
  return charset ? `${type}; charset=${charset.toLowerCase()}` : type;
}

/**
 * Writes a body as numbered parts of an upload, as it arrives; each part is its own short statement,
 * so other requests (and, on PGlite, the single connection) are not held while a slow client sends.
 * Throws FILE_TOO_LARGE as soon as the body passes `maxBytes`; the caller drops the parts written.
 */
export async function storeChunks(db: Executor, fileId: string, body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ size: number; sm3: string }> {
  const hash = crypto.createHash('sm3');
  let size = 0;
  let seq = 0;
  // One buffer for every part: a part is encoded into its statement, which completes before the next fills it.
  const part = Buffer.allocUnsafe(CHUNK_BYTES);
  let filled = 0;
  for await (const piece of received(body)) {
    size += piece.length;
    if (size > maxBytes) throw E.fileTooLarge(maxBytes);
    hash.update(piece);
    for (let offset = 0; offset < piece.length; ) {
      const n = Math.min(CHUNK_BYTES - filled, piece.length - offset);
      part.set(piece.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === CHUNK_BYTES) {
        await repo.insertFileChunk(db, fileId, seq++, part);
        filled = 0;
      }
    }
  }
  if (filled > 0) await repo.insertFileChunk(db, fileId, seq, part.subarray(0, filled));
  return { size, sm3: hash.digest('hex') };
}

/** The body's pieces; a client that goes away mid-upload is the client's failure (400), not the node's. */
async function* received(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } catch (err) {
    throw err instanceof AppError ? err : E.uploadInterrupted();
  }
}

/**
 * A stored version's bytes, one part per query. A version never changes once it has its number, so
 * reading it part by part needs no transaction. If the bytes read are not the bytes recorded (size
 * and SM3), the stream fails at its end and the client sees an incomplete download, never a
 * corrupted file that looks whole.
 */
export async function* readChunks(db: Executor, file: FileVersion & { id: string }): AsyncGenerator<Buffer> {
  const hash = crypto.createHash('sm3');
  let size = 0;
  for (let seq = 0; ; seq++) {
    const chunk = await repo.fileChunk(db, file.id, seq);
    if (chunk === undefined) break;
    hash.update(chunk);
    size += chunk.length;
    yield chunk;
  }
  if (size !== file.size || hash.digest('hex') !== file.sm3) {
    throw new Error(`stored file ${file.id} (version ${file.version}) does not match its size and SM3 digest`);
  }
}

/** RFC 5987 attr-char: what stays unescaped in `filename*`. */
const encodeRfc5987 = (value: string): string => encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * `attachment` with the UTF-8 name (RFC 6266 / 5987) and an ASCII fallback for old clients:
 * 人口统计.pdf → `attachment; filename="____.pdf"; filename*=UTF-8''%E4%BA%BA…`.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(fileName)}`;
}
