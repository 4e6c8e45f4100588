import crypto from 'node:crypto';
import type { Executor } from '../../../core/db/database.js';
import type { ShareCondition, ShareQuery, ShareRows, ShareTable } from '../../resources/resources.share.js';
import { maskRecord } from '../gateway/masking.js';
import type { MaskRule } from '../sharing.types.js';
import { ExportStageError, exportErrors as E } from './exports.errors.js';
import * as repo from './exports.repository.js';

/**
 * An export as a staged pipeline (STYLE 3): read → mask → watermark → encode → store. Each stage is a
 * small piece with one job; the runner moves pages of rows through them and, when one fails, says
 * which stage it was (ExportStageError), which the export records with the error's code.
 *
 * The middle stages share one shape, `(rows, context) => rows`, so that later issues add steps (an
 * invisible watermark that perturbs values, a per-recipient fingerprint) without touching the rest.
 */

export type ExportRecord = Record<string, unknown>;

/** Who the file is for and what it holds: what every stage may read. */
export interface ExportContext {
  exportId: string;
  grantId: string;
  catalog: { code: string; name: string };
  provider: { organisationId: string; name: string };
  /** The recipient: the consumer who asked, and its organisation. */
  recipient: { organisationId: string; organisationName: string; userId: string; displayName: string };
  requestedAt: Date;
  /** The columns written, in order, with their Chinese names (info items). */
  columns: ReadonlyArray<{ column: string; name: string }>;
  /**
   * Properties of the file (xlsx document properties), filled by the stages — today the watermark
   * stage's record of the recipient — and written by the encoder when it finishes. Kept with the
   * export and in the ledger.
   */
  metadata: Record<string, string>;
}

/** A step between reading and encoding: a page of rows in, a page of rows out. */
export type ExportStage = (rows: ExportRecord[], context: ExportContext) => ExportRecord[] | Promise<ExportRecord[]>;

/** Where the encoded bytes go (the store stage). */
export interface ByteSink {
  write(bytes: Buffer): Promise<void>;
}

/** Turns pages of rows into a file's bytes. */
export interface ExportEncoder {
  readonly format: repo.ExportFormat;
  readonly mediaType: string;
  readonly extension: string;
  /** Before the first page: the header. */
  begin(context: ExportContext, sink: ByteSink): Promise<void>;
  write(rows: readonly ExportRecord[], context: ExportContext): Promise<void>;
  /** After the last page: the rest of the file, the metadata included. */
  end(context: ExportContext): Promise<void>;
}

// ---------------------------------------------------------------- read

export const PAGE_ROWS = 1000;

/** What the read stage needs: the gateway's row reader (ResourceService.shareRecords). */
export type RowReader = (table: ShareTable, query: ShareQuery) => Promise<ShareRows>;

/**
 * The read stage: the granted columns of the rows the grant's row filter and the consumer's filters
 * admit, in key order, a page at a time by keyset (the same reader as the gateway's query). Always
 * yields at least one page (maybe empty), so that every stage sees the export once.
 */
export async function* readRows(
  reader: RowReader,
  table: ShareTable,
  query: { columns: readonly string[]; conditions: readonly ShareCondition[]; rowFilter: ShareCondition | null },
  signal?: AbortSignal,
): AsyncGenerator<ExportRecord[]> {
  let after: string | undefined;
  let first = true;
  for (;;) {
    signal?.throwIfAborted();
    const page = await reader(table, { columns: query.columns, conditions: query.conditions, rowFilter: query.rowFilter, after, limit: PAGE_ROWS });
    if (page.rows.length > 0 || first) yield page.rows;
    first = false;
    if (page.next === undefined) return;
    after = page.next;
  }
}

// ---------------------------------------------------------------- mask

/** The mask stage: each value as the grant shows it (gateway/masking.ts, the gateway's own rules). */
export function maskStage(masking: Readonly<Record<string, MaskRule>>): ExportStage {
  return (rows, context) => {
    const columns = context.columns.map((c) => c.column);
    return rows.map((r) => maskRecord(r, columns, masking));
  };
}

// ---------------------------------------------------------------- watermark

/**
 * The watermark stage. Today it leaves the rows as they are and records the recipient — organisation,
 * person, export id, time — in the file's properties (the encoder writes them; xlsx document
 * properties) and, through the export, in the ledger: a file found where it should not be names whom
 * it was given to. Later issues add invisible marks in the values here.
 */
export const recipientWatermark: ExportStage = (rows, context) => {
  if (context.metadata.exportId === undefined) {
    Object.assign(context.metadata, {
      exportId: context.exportId,
      grantId: context.grantId,
      catalogCode: context.catalog.code,
      recipientOrganisationId: context.recipient.organisationId,
      recipientOrganisation: context.recipient.organisationName,
      recipientUserId: context.recipient.userId,
      recipient: context.recipient.displayName,
      provider: context.provider.name,
      exportedAt: context.requestedAt.toISOString(),
    });
  }
  return rows;
};

// ---------------------------------------------------------------- store

export const CHUNK_BYTES = 1024 * 1024;
export const DEFAULT_MAX_EXPORT_BYTES = 1024 * 1024 * 1024;

/**
 * The store stage: the bytes as 1 MiB parts of the export (each part its own short statement, as
 * file resources are stored), with their size and SM3 counted on the way. Each part is written for
 * one attempt of the job: once a newer attempt has taken the export over, this one stops at its next
 * part instead of mixing its parts with the newer one's.
 */
export class ChunkStore implements ByteSink {
  readonly #db: Executor;
  readonly #exportId: string;
  readonly #attempt: number;
  readonly #maxBytes: number;
  readonly #hash = crypto.createHash('sm3');
  readonly #part = Buffer.allocUnsafe(CHUNK_BYTES);
  #filled = 0;
  #seq = 0;
  #size = 0;

  constructor(db: Executor, exportId: string, attempt: number, maxBytes: number) {
    this.#db = db;
    this.#exportId = exportId;
    this.#attempt = attempt;
    this.#maxBytes = maxBytes;
  }

  /** Errors are the store's, whoever called (the encoder writes through it). */
  async write(bytes: Buffer): Promise<void> {
    try {
      await this.#write(bytes);
    } catch (err) {
      throw new ExportStageError('store', err);
    }
  }

  async #write(bytes: Buffer): Promise<void> {
    this.#size += bytes.length;
    if (this.#size > this.#maxBytes) throw E.tooLarge(this.#maxBytes);
    this.#hash.update(bytes);
    for (let offset = 0; offset < bytes.length; ) {
      const n = Math.min(CHUNK_BYTES - this.#filled, bytes.length - offset);
      bytes.copy(this.#part, this.#filled, offset, offset + n);
      this.#filled += n;
      offset += n;
      if (this.#filled === CHUNK_BYTES) await this.#flush();
    }
  }

  async #flush(): Promise<void> {
    if (this.#filled === 0) return;
    if (!(await repo.insertChunk(this.#db, this.#exportId, this.#attempt, this.#seq++, this.#part.subarray(0, this.#filled)))) {
      throw new Error(`export ${this.#exportId}: attempt ${this.#attempt} was taken over by a newer one`);
    }
    this.#filled = 0;
  }

  /** Writes the last part; the file's size and SM3. */
  async finish(): Promise<{ size: number; sm3: string }> {
    await this.#flush();
    return { size: this.#size, sm3: this.#hash.digest('hex') };
  }
}

// ---------------------------------------------------------------- the runner

export interface PipelineInput {
  context: ExportContext;
  /** The read stage. */
  pages: AsyncIterable<ExportRecord[]>;
  /** The stages between reading and encoding, in order (mask, watermark …). */
  stages: ReadonlyArray<{ name: string; run: ExportStage }>;
  encoder: ExportEncoder;
  /** The store stage (ChunkStore; anything that takes bytes and tells their size and SM3 at the end). */
  store: ByteSink & { finish(): Promise<{ size: number; sm3: string }> };
  signal?: AbortSignal | undefined;
}

export interface PipelineResult {
  rows: number;
  size: number;
  sm3: string;
}

async function inStage<T>(stage: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof ExportStageError ? err : new ExportStageError(stage, err);
  }
}

/** Runs the pages through the stages, the encoder and the store; errors name their stage. */
export async function runPipeline(input: PipelineInput): Promise<PipelineResult> {
  const { context, encoder, store, signal } = input;
  let rows = 0;
  await inStage('encode', () => encoder.begin(context, store));
  const pages = input.pages[Symbol.asyncIterator]();
  for (;;) {
    const next = await inStage('read', () => pages.next());
    if (next.done) break;
    signal?.throwIfAborted();
    let page = next.value;
    for (const stage of input.stages) page = await inStage(stage.name, () => stage.run(page, context));
    await inStage('encode', () => encoder.write(page, context));
    rows += page.length;
  }
  await inStage('encode', () => encoder.end(context));
  const { size, sm3 } = await inStage('store', () => store.finish());
  return { rows, size, sm3 };
}
