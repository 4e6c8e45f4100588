-- Data resources (数据资源, issue 4): what a catalog entry's data is and where it lives. A `table`
-- resource is aggregated into this node: one table per resource in schema `data`, typed from the
-- entry's info items, with an ordered change log beside it. `api` resources are proxied, `file`
-- resources keep versioned files.
create schema if not exists data;

create table resources (
  id uuid primary key default gen_random_uuid(),
  catalog_entry_id uuid not null,
  catalog_code text not null,
  -- The catalog version whose info items shaped the table (its columns, key and checks).
  catalog_version integer not null,
  provider_id uuid not null,
  kind text not null check (kind in ('table', 'api', 'file')),
  name text not null,
  -- table: the name of its table in schema data (and of `<name>__changes`); null for other kinds.
  table_name text unique,
  -- table: the columns as loaded and checked (ColumnSpec[]), in item order.
  columns jsonb,
  -- api: { url, method, headers, secretHeader }; the secret header's value is sealed (SM4) in api_secret.
  api jsonb,
  api_secret text,
  row_count bigint not null default 0,
  last_loaded_at timestamptz,
  -- How long the change log keeps changes.
  change_retention_days integer not null default 90 check (change_retention_days between 1 and 3650),
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index resources_entry on resources (catalog_entry_id);
create index resources_provider on resources (provider_id, created_at desc);

-- Every load of a table resource: what was sent, what happened, the rows refused (the first ones).
create table resource_loads (
  id uuid primary key default gen_random_uuid(),
  resource_id uuid not null references resources (id) on delete cascade,
  mode text not null check (mode in ('replace', 'upsert')),
  source text not null,
  format text not null,
  encoding text,
  status text not null check (status in ('validating', 'validated', 'merging', 'succeeded', 'failed', 'aborted')),
  rows_read bigint not null default 0,
  inserted bigint not null default 0,
  updated bigint not null default 0,
  deleted bigint not null default 0,
  unchanged bigint not null default 0,
  rejected bigint not null default 0,
  errors jsonb not null default '[]',
  failure jsonb,
  -- The SM3 digest of the bytes received, and where the validated rows wait until merged (resume).
  content_sm3 text,
  spool text,
  started_by uuid,
  started_at timestamptz not null default now(),
  finished_at timestamptz
);
create index resource_loads_resource on resource_loads (resource_id, started_at desc);
