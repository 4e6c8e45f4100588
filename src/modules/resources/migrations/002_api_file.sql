-- `api` and `file` resources (issue 4).
--
-- api: the upstream's configuration is in resources.api ({ url, method, headers, secretHeaderName,
-- timeoutMs }), the secret header's value sealed (SM4) in resources.api_secret (001).
alter table resources add constraint resources_api_config check (kind <> 'api' or api is not null);

-- file: every version of a resource's file, stored in this database (nodes keep no other state).
-- A row is written when an upload starts and gets its version number only when every byte has
-- arrived: readers see versions, never an upload in progress. Rows without a version are uploads
-- still arriving or abandoned by a stopped process (purged after a day).
create table resource_files (
  id uuid primary key default gen_random_uuid(),
  resource_id uuid not null references resources (id) on delete cascade,
  version integer check (version >= 1),
  file_name text not null,
  media_type text not null,
  size bigint not null default 0,
  -- SM3 of the bytes, lowercase hex.
  sm3 text,
  note text,
  uploaded_by uuid,
  started_at timestamptz not null default now(),
  uploaded_at timestamptz,
  unique (resource_id, version),
  check ((version is null) = (uploaded_at is null) and (version is null) = (sm3 is null))
);
create index resource_files_pending on resource_files (started_at) where version is null;

-- The bytes, in parts of 1 MiB numbered from 0 (a part is one bytea value: read and written one at
-- a time, so neither an upload nor a download holds a whole file in memory).
create table resource_file_chunks (
  file_id uuid not null references resource_files (id) on delete cascade,
  seq integer not null check (seq >= 0),
  data bytea not null,
  primary key (file_id, seq)
);
