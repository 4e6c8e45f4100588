-- File sharing (文件共享): a consumer's export of the data a grant gives it, built on the job queue
-- into a file kept in the database (nodes keep no other state), and handed out through one-time
-- download links that expire.

create table share_exports (
  id uuid primary key default gen_random_uuid(),
  grant_id uuid not null references share_grants (id),
  -- Copied from the grant when the export was asked for: lists and parties need no join, and the
  -- export keeps saying whose data it was if the grant's names change.
  consumer_org_id uuid not null,
  consumer_name text not null,
  provider_org_id uuid not null,
  provider_name text not null,
  authority_org_id uuid,
  catalog_entry_id uuid not null,
  catalog_code text not null,
  catalog_name text not null,
  -- The recipient: the consumer who asked (the watermark names them).
  requested_by uuid not null,
  requested_by_name text not null,
  format text not null check (format in ('csv', 'xlsx')),
  -- Granted items asked for (null: every granted item) and the filters, as given.
  fields jsonb,
  filters jsonb,
  -- queued → running → ready | failed; ready → expired once the file is purged.
  status text not null check (status in ('queued', 'running', 'ready', 'failed', 'expired')),
  attempts integer not null default 0,
  job_id uuid,
  file_name text,
  media_type text,
  rows_written bigint,
  size bigint,
  -- SM3 of the stored bytes, lowercase hex.
  sm3 text,
  -- What the watermark stage recorded (recipient organisation, user, export id …).
  watermark jsonb,
  -- { code, message, messageZh, stage } of the last failed attempt.
  error jsonb,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  -- The file is purged after this (set when ready; never after the grant's expiry).
  expires_at timestamptz,
  updated_at timestamptz not null default now()
);
create index share_exports_consumer on share_exports (consumer_org_id, created_at desc);
create index share_exports_provider on share_exports (provider_org_id, created_at desc);
create index share_exports_authority on share_exports (authority_org_id, created_at desc);
create index share_exports_grant on share_exports (grant_id, created_at desc);
create index share_exports_expiring on share_exports (expires_at) where status = 'ready';

-- The file, in 1 MiB parts numbered from 0 (as resource_file_chunks): written part by part while the
-- export is encoded, read part by part when downloaded.
create table share_export_chunks (
  export_id uuid not null references share_exports (id) on delete cascade,
  seq integer not null check (seq >= 0),
  data bytea not null,
  primary key (export_id, seq)
);

-- One-time download links. Only the SM3 of the token is kept: the database never holds a usable link.
create table share_export_links (
  id uuid primary key default gen_random_uuid(),
  export_id uuid not null references share_exports (id) on delete cascade,
  token_sm3 text not null unique,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  -- Who used it (the address the download came from).
  used_ip text
);
create index share_export_links_export on share_export_links (export_id, created_at desc);
