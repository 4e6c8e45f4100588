-- Demands (数据需求, Guideline 四(四) 共享需求统一受理、数据供需统一对接) and objections (数据异议统一处理).
-- Organisations, users and catalog entries are named by id, with the names lists show kept as they
-- were when the step was taken (a module never reads another's tables).

-- A consumer's wish for data no catalog entry describes. The data authority responsible for the
-- requester routes it to a provider, which answers within 10 working days: an entry of its own (the
-- requester can then apply for it), a date by which it will catalog one, or a reasoned "not held".
create table share_demands (
  id uuid primary key default gen_random_uuid(),
  seq bigint generated always as identity,
  requester_org_id uuid not null,
  requester_org_name text not null,
  requester_user_id uuid not null,
  requester_user_name text not null,
  title text not null,
  description text not null,
  -- Free-text names of the data items wished for.
  items jsonb not null default '[]',
  purpose text not null,
  legal_basis text,
  expected_by date,
  -- submitted: waiting for the authority to route it; routed: with the provider; answered;
  -- withdrawn by the requester. After a not_held answer the authority may route it again.
  status text not null check (status in ('submitted', 'routed', 'answered', 'withdrawn')),
  -- The authority responsible for the requester (identity.responsibleAuthority), when filed.
  authority_org_id uuid,
  -- The provider it is routed to now (null before the first routing).
  provider_org_id uuid,
  provider_name text,
  -- Every organisation it was ever routed to: they took part, and keep reading it.
  routed_org_ids jsonb not null default '[]',
  due_date date,
  reminded_at timestamptz,
  escalated_at timestamptz,
  -- The answer in force: 'entry' | 'planned' | 'not_held'.
  answer_kind text check (answer_kind in ('entry', 'planned', 'not_held')),
  answer_catalog_id uuid,
  answer_catalog_code text,
  answer_catalog_name text,
  answer_planned_date date,
  answer_text text,
  answered_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index share_demands_requester on share_demands (requester_org_id, created_at desc);
create index share_demands_authority on share_demands (authority_org_id, status, created_at desc);
create index share_demands_provider on share_demands (provider_org_id, status, due_date);
create index share_demands_open_due on share_demands (due_date) where status = 'routed';

-- Every step of a demand, in order (its timeline).
create table share_demand_steps (
  id uuid primary key default gen_random_uuid(),
  seq bigint generated always as identity,
  demand_id uuid not null references share_demands (id) on delete cascade,
  step text not null check (step in ('submitted', 'routed', 'answered', 'withdrawn', 'reminded', 'escalated')),
  actor_user_id uuid,
  actor_name text,
  organisation_id uuid,
  organisation_name text,
  -- What the step says: the provider routed to, the answer, the comment or reason.
  details jsonb not null default '{}',
  at timestamptz not null default now()
);
create index share_demand_steps_demand on share_demand_steps (demand_id, seq);

-- Objections (异议): (a) a consumer disputes data received under a grant — a ticket to the provider,
-- answered within 5 working days; (b) an applicant disputes a refusal — the authority responsible
-- for the provider arbitrates, and overturning reopens the application for the provider.
create table share_objections (
  id uuid primary key default gen_random_uuid(),
  seq bigint generated always as identity,
  kind text not null check (kind in ('data', 'refusal')),
  grant_id uuid references share_grants (id),
  application_id uuid references share_applications (id),
  catalog_entry_id uuid not null,
  catalog_code text not null,
  catalog_name text not null,
  -- The objecting side: the grant's consumer, or the refused applicant.
  objector_org_id uuid not null,
  objector_org_name text not null,
  objector_user_id uuid not null,
  objector_user_name text not null,
  provider_org_id uuid not null,
  provider_name text not null,
  -- The authority responsible for the provider: it reads data objections, and arbitrates refusals.
  authority_org_id uuid,
  -- data: keys of the records in question and the items; refusal: none.
  record_keys jsonb not null default '[]',
  items jsonb not null default '[]',
  description text not null,
  -- open: with the provider (data) or the authority (refusal); resolved; arbitrated.
  status text not null check (status in ('open', 'resolved', 'arbitrated')),
  -- data: corrected | confirmed | rejected; refusal: upheld | overturned.
  outcome text check (outcome in ('corrected', 'confirmed', 'rejected', 'upheld', 'overturned')),
  outcome_comment text,
  decided_by_user_id uuid,
  decided_by_name text,
  decided_at timestamptz,
  due_date date not null,
  reminded_at timestamptz,
  escalated_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((kind = 'data') = (grant_id is not null)),
  check ((kind = 'refusal') = (application_id is not null))
);
-- One objection per refused application.
create unique index share_objections_one_per_application on share_objections (application_id) where kind = 'refusal';
create index share_objections_objector on share_objections (objector_org_id, created_at desc);
create index share_objections_provider on share_objections (provider_org_id, status, due_date);
create index share_objections_authority on share_objections (authority_org_id, status, due_date);
create index share_objections_open_due on share_objections (due_date) where status = 'open';

-- An arbitration that overturns a refusal reopens the application: the step it records.
alter table share_decisions drop constraint share_decisions_step_check;
alter table share_decisions add constraint share_decisions_step_check check (step in ('auto', 'provider', 'authority', 'applicant', 'arbitration'));
alter table share_decisions drop constraint share_decisions_outcome_check;
alter table share_decisions add constraint share_decisions_outcome_check check (outcome in ('approved', 'rejected', 'withdrawn', 'reopened'));
