import type { ExportError, ExportFormat, ExportRow, ExportStatus } from './exports.repository.js';

export type { ExportFormat, ExportStatus };

/** What a consumer asks for: the grant, the format, optionally some granted items and filters. */
export interface ExportInput {
  grantId: string;
  format: ExportFormat;
  /** Granted items to export, in this order; every granted item when absent. */
  fields?: string[] | undefined;
  /** As the gateway's query: `{ column: value | { op, value | values } }` on granted, unmasked items. */
  filters?: unknown;
}

/** An export as the API shows it. */
export interface Export {
  id: string;
  grantId: string;
  catalog: { id: string; code: string; name: string };
  consumerId: string;
  consumerName: string;
  providerId: string;
  providerName: string;
  requestedBy: { id: string; displayName: string };
  format: ExportFormat;
  fields: string[] | null;
  /** The filters as given: shown to the consumer organisation only (null for the provider and the authority). */
  filters: Record<string, unknown> | null;
  /** queued → running → ready | failed; ready → expired once the file is deleted. */
  status: ExportStatus;
  attempts: number;
  rows: number | null;
  size: number | null;
  /** SM3 of the file, lowercase hex. */
  sm3: string | null;
  fileName: string | null;
  mediaType: string | null;
  error: ExportError | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** When the file is deleted. */
  expiresAt: string | null;
  /** Download links made, and how many of them were used. */
  links: number;
  downloads: number;
  /** The caller asked for it, so may make download links. */
  mine: boolean;
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));
const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** `showFilters`: the caller's organisation asked for the export (others get null: the filters may hold personal values). */
export function toExport(row: ExportRow, links: { links: number; downloads: number }, mine: boolean, showFilters: boolean): Export {
  return {
    id: row.id,
    grantId: row.grant_id,
    catalog: { id: row.catalog_entry_id, code: row.catalog_code, name: row.catalog_name },
    consumerId: row.consumer_org_id,
    consumerName: row.consumer_name,
    providerId: row.provider_org_id,
    providerName: row.provider_name,
    requestedBy: { id: row.requested_by, displayName: row.requested_by_name },
    format: row.format,
    fields: row.fields,
    filters: showFilters ? row.filters : null,
    status: row.status,
    attempts: row.attempts,
    rows: num(row.rows_written),
    size: num(row.size),
    sm3: row.sm3,
    fileName: row.file_name,
    mediaType: row.media_type,
    error: row.error === null ? null : { code: row.error.code, message: row.error.message, messageZh: row.error.messageZh, stage: row.error.stage },
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    expiresAt: iso(row.expires_at),
    links: links.links,
    downloads: links.downloads,
    mine,
  };
}
