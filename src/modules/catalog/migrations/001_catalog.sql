-- The catalog (数据目录): information systems, catalog entries and every version of each entry.
-- Organisations are identity's; their ids are kept here without a foreign key (modules do not share tables).

create table information_systems (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null,
  name text not null,
  description text not null default '',
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (organisation_id, name)
);
create index information_systems_organisation on information_systems (organisation_id);

create table catalog_entries (
  id uuid primary key default gen_random_uuid(),
  -- Assigned at creation by the code generator; never changes.
  code text not null unique,
  provider_id uuid not null,
  -- Snapshot of the provider at creation, for lists without a call to identity per row.
  provider_name text not null,
  provider_code text not null,
  -- The responsible data authority, refreshed on every submission; drives who sees drafts.
  reviewer_org_id uuid,
  seq integer not null,
  -- The latest version and its status; published_version is the version in force (null before the first approval).
  version integer not null default 1,
  status text not null check (status in ('draft', 'submitted', 'returned', 'published', 'retired')),
  published_version integer,
  retired_reason text,
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (provider_id, seq)
);
create index catalog_entries_provider on catalog_entries (provider_id);
create index catalog_entries_reviewer on catalog_entries (reviewer_org_id);

create table catalog_versions (
  entry_id uuid not null references catalog_entries (id) on delete cascade,
  version integer not null,
  status text not null check (status in ('draft', 'submitted', 'returned', 'published', 'superseded', 'retired')),
  -- The full entry content (the request body, normalised) as JSON.
  content jsonb not null,
  -- Copied from content for filters and facets.
  name text not null,
  summary text not null,
  resource_type text not null,
  format text not null,
  share_type text not null,
  open_type text not null,
  return_reasons jsonb,
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_by uuid,
  updated_at timestamptz not null default now(),
  submitted_by uuid,
  submitted_at timestamptz,
  decided_by uuid,
  decided_at timestamptz,
  primary key (entry_id, version)
);
create index catalog_versions_status on catalog_versions (status);
