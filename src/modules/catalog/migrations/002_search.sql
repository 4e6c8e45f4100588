-- Catalog search (issue 3 item 4): the facet columns on every version, the version's text as a
-- tsvector made by the application (jieba segmentation), and a read model `catalog_search` with one
-- row per entry and visible version, kept in step by triggers, that every search reads alone.

alter table catalog_versions
  add column update_cycle text,
  add column security_grade text,
  add column category text,
  -- Made by the application (jieba) when the version is written; null until then (see below).
  add column search_vector tsvector;

update catalog_versions set
  update_cycle = content ->> 'updateCycle',
  security_grade = content ->> 'securityGrade',
  category = content ->> 'category';

alter table catalog_versions
  alter column update_cycle set not null,
  alter column security_grade set not null,
  alter column category set not null;

-- Versions written before this migration have no tsvector: SQL cannot segment Chinese, so the node
-- computes them at start-up (CatalogService.indexMissing); this index makes finding them instant.
create index catalog_versions_unindexed on catalog_versions (entry_id, version) where search_vector is null;

-- One row per entry and version that someone may see: the version in force (what every signed-in
-- user sees) and the latest version (what the provider and its reviewing authority see); one row
-- when they are the same version. Searches, facets and counts read this table only, with no join.
create table catalog_search (
  entry_id uuid not null references catalog_entries (id) on delete cascade,
  version integer not null,
  in_force boolean not null,
  latest boolean not null,
  provider_id uuid not null,
  provider_name text not null,
  reviewer_org_id uuid,
  code text not null,
  -- The status as seen through this row: the entry's for the latest version, else published/retired.
  status text not null,
  name text not null,
  resource_type text not null,
  format text not null,
  share_type text not null,
  open_type text not null,
  update_cycle text not null,
  security_grade text not null,
  category text not null,
  updated_at timestamptz not null,
  search_vector tsvector not null,
  primary key (entry_id, version)
);
create index catalog_search_text on catalog_search using gin (search_vector);
-- Browsing without a query: the newest entries in force first, and by name.
create index catalog_search_recent on catalog_search (updated_at desc, entry_id) where in_force;
create index catalog_search_name on catalog_search (name, entry_id) where in_force;
-- Insiders: an organisation's own entries and the ones it reviews.
create index catalog_search_provider on catalog_search (provider_id, updated_at desc);
create index catalog_search_reviewer on catalog_search (reviewer_org_id, updated_at desc);
create index catalog_search_code on catalog_search (code);
-- Review queues and drafts (status filters only insiders can match): a small part of the table.
create index catalog_search_open on catalog_search (reviewer_org_id, status) where status in ('draft', 'submitted', 'returned');

-- Rebuilds the rows of these entries. Called once per statement with every entry the statement
-- touched (transition tables), so a bulk import of thousands of entries syncs in a few set-based
-- statements instead of once per row.
create function catalog_search_sync(p_entries uuid[]) returns void language plpgsql as $$
begin
  delete from catalog_search where entry_id = any(p_entries);
  insert into catalog_search (
    entry_id, version, in_force, latest, provider_id, provider_name, reviewer_org_id, code, status, name,
    resource_type, format, share_type, open_type, update_cycle, security_grade, category, updated_at, search_vector)
  select e.id, v.version, v.version is not distinct from e.published_version, v.version = e.version,
    e.provider_id, e.provider_name, e.reviewer_org_id, e.code,
    case when v.version = e.version then e.status when e.status = 'retired' then 'retired' else 'published' end,
    v.name, v.resource_type, v.format, v.share_type, v.open_type, v.update_cycle, v.security_grade, v.category,
    e.updated_at, coalesce(v.search_vector, ''::tsvector)
  from catalog_entries e
  join catalog_versions v on v.entry_id = e.id and (v.version = e.version or v.version = e.published_version)
  where e.id = any(p_entries);
end
$$;

create function catalog_search_entries_changed() returns trigger language plpgsql as $$
begin
  perform catalog_search_sync(array(select distinct id from changed));
  return null;
end
$$;

create function catalog_search_versions_changed() returns trigger language plpgsql as $$
begin
  perform catalog_search_sync(array(select distinct entry_id from changed));
  return null;
end
$$;

-- A trigger with a transition table has one event each (PostgreSQL's rule), hence four.
create trigger catalog_search_entry_insert after insert on catalog_entries
  referencing new table as changed for each statement execute function catalog_search_entries_changed();
create trigger catalog_search_entry_update after update on catalog_entries
  referencing new table as changed for each statement execute function catalog_search_entries_changed();
create trigger catalog_search_version_insert after insert on catalog_versions
  referencing new table as changed for each statement execute function catalog_search_versions_changed();
create trigger catalog_search_version_update after update on catalog_versions
  referencing new table as changed for each statement execute function catalog_search_versions_changed();

select catalog_search_sync(array(select id from catalog_entries));
