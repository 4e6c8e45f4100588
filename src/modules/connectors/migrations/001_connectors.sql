-- Connectors (前置机, issue 4): pulls from a provider's own systems into one of its table resources,
-- on a schedule or on demand. A run is one job of the core job queue (kind connector.run); its
-- attempts, outcome and load are recorded here.
create table connectors (
  id uuid primary key default gen_random_uuid(),
  -- The resources module's resource (no foreign key: a module does not reach into another's tables).
  resource_id uuid not null,
  provider_id uuid not null,
  name text not null,
  kind text not null,
  -- The kind's configuration with its defaults; never a secret.
  config jsonb not null,
  -- The resource's columns ({ column, isKey }[]) as last read by an editor saving the connector: runs
  -- map source columns onto them. A table resource keeps its columns (DECISIONS 20).
  resource_columns jsonb not null,
  -- The password or secret header value, sealed with the node key (SM4-CTR + HMAC-SM3).
  secret_sealed text,
  -- Null: runs only when asked.
  interval_minutes integer check (interval_minutes between 1 and 525600),
  mode text not null default 'upsert' check (mode in ('replace', 'upsert')),
  max_errors integer not null default 1000 check (max_errors >= 0),
  max_attempts integer not null default 3 check (max_attempts between 1 and 10),
  enabled boolean not null default true,
  -- Incremental state: the last watermark loaded, as the source writes it.
  watermark text,
  -- Bumped when the configuration or watermark changes: a run that started before does not save its watermark.
  config_version integer not null default 1,
  next_run_at timestamptz,
  created_by uuid,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (resource_id, name)
);
create index connectors_due on connectors (next_run_at) where enabled and next_run_at is not null;
create index connectors_provider on connectors (provider_id, created_at desc);

create table connector_runs (
  id uuid primary key default gen_random_uuid(),
  -- Orders runs as they were queued, also when two share a timestamp.
  seq bigint generated always as identity,
  connector_id uuid not null references connectors (id) on delete cascade,
  job_id uuid unique,
  trigger text not null check (trigger in ('schedule', 'manual')),
  requested_by uuid,
  -- The attempt running or last run (1, 2, …).
  attempt integer not null default 0,
  status text not null check (status in ('queued', 'running', 'retrying', 'succeeded', 'failed')),
  queued_at timestamptz not null,
  started_at timestamptz,
  finished_at timestamptz,
  next_retry_at timestamptz,
  rows_read bigint,
  load_id uuid,
  inserted bigint,
  updated bigint,
  rejected bigint,
  watermark_from text,
  watermark_to text,
  -- The last failure: { code, message, messageZh }.
  error jsonb
);
create index connector_runs_connector on connector_runs (connector_id, seq desc);
