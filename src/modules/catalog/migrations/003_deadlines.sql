-- Deadlines of the Guideline 四(二)3 and the resources linked to an entry (目录—数据).
-- A published `table`/`api` entry with no linked resource must get one, and a returned entry must be
-- resubmitted, within 20 working days (the 20th working day after the trigger, Asia/Shanghai dates,
-- computed by the application from the working-day calendar and stored: later calendar overrides do
-- not move a deadline that is already running).

create table catalog_deadlines (
  id uuid primary key default gen_random_uuid(),
  entry_id uuid not null references catalog_entries (id) on delete cascade,
  kind text not null check (kind in ('link_resource', 'resubmit')),
  -- The entry version whose approval or return opened it.
  version integer not null,
  started_on date not null,
  due_on date not null,
  created_at timestamptz not null default now(),
  closed_at timestamptz,
  -- The China date of closed_at, compared with due_on: met when closed on or before it.
  closed_on date,
  closed_reason text,
  outcome text check (outcome in ('met', 'missed')),
  -- Each reminder is sent once: the sweep claims a row by setting these (conditional update).
  due_soon_notified_at timestamptz,
  overdue_notified_at timestamptz,
  check (due_on > started_on),
  check ((closed_at is null) = (closed_on is null) and (closed_at is null) = (closed_reason is null)
         and (closed_at is null) = (outcome is null))
);
-- At most one open deadline of each kind per entry.
create unique index catalog_deadlines_one_open on catalog_deadlines (entry_id, kind) where closed_at is null;
create index catalog_deadlines_entry on catalog_deadlines (entry_id);
create index catalog_deadlines_open_due on catalog_deadlines (due_on) where closed_at is null;

-- Resources (issue 4) registered against an entry; the resources module writes them through the
-- catalog service (CatalogService.linkResource / unlinkResource).
create table catalog_linked_resources (
  entry_id uuid not null references catalog_entries (id) on delete cascade,
  resource_id uuid not null,
  kind text not null check (kind in ('table', 'api', 'file')),
  name text not null,
  linked_by text,
  linked_at timestamptz not null default now(),
  primary key (entry_id, resource_id)
);
create index catalog_linked_resources_resource on catalog_linked_resources (resource_id);
