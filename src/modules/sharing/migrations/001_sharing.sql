-- Supply and demand (供需对接): applications to share a catalog entry, the decisions on them, the
-- grants they become, and every call a consumer makes through the gateway. Other modules' rows
-- (organisations, users, catalog entries, resources, app credentials) are named by id only: a module
-- never reads another's tables.

create table share_applications (
  id uuid primary key default gen_random_uuid(),
  -- Applications sent together from the cart share a batch.
  batch_id uuid,
  applicant_org_id uuid not null,
  applicant_user_id uuid not null,
  catalog_entry_id uuid not null,
  catalog_code text not null,
  -- The version in force when the application was made: its items and terms are what was asked for.
  catalog_version integer not null,
  catalog_name text not null,
  provider_org_id uuid not null,
  -- The entry's terms at the time: 'unconditional' | 'conditional'; 'general' | 'important' | 'core'.
  share_type text not null check (share_type in ('unconditional', 'conditional')),
  security_grade text not null,
  -- Column names of the info items asked for (all of the entry's when the applicant named none).
  items jsonb not null,
  purpose text not null,
  legal_basis text not null,
  scenario text not null,
  -- Subset of the entry's share methods: 'api' | 'table' | 'file'.
  methods jsonb not null,
  valid_until date not null,
  -- pending: with the provider's approvers; countersigning: approved by the provider, with the data
  -- authority (core and important data); granted; rejected; withdrawn by the applicant.
  status text not null check (status in ('pending', 'countersigning', 'granted', 'rejected', 'withdrawn')),
  -- The working day by which the application must be answered (10 working days, DESIGN §5).
  due_date date,
  -- The authority that countersigns and to which an overdue application escalates.
  authority_org_id uuid,
  reminded_at timestamptz,
  escalated_at timestamptz,
  decided_at timestamptz,
  grant_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index share_applications_applicant on share_applications (applicant_org_id, created_at desc);
create index share_applications_provider on share_applications (provider_org_id, status, due_date);
create index share_applications_authority on share_applications (authority_org_id, status, due_date);
create index share_applications_open_due on share_applications (due_date) where status in ('pending', 'countersigning');

-- Every step taken on an application, in order: the automatic grant of an unconditional entry, the
-- provider's decision, the authority's countersignature, a withdrawal.
create table share_decisions (
  id uuid primary key default gen_random_uuid(),
  application_id uuid not null references share_applications (id) on delete cascade,
  step text not null check (step in ('auto', 'provider', 'authority', 'applicant')),
  outcome text not null check (outcome in ('approved', 'rejected', 'withdrawn')),
  actor_user_id uuid,
  organisation_id uuid,
  comment text,
  -- A refusal states why and on which legal basis (非因法定事由不得拒绝).
  reason text,
  legal_basis text,
  at timestamptz not null default now()
);
create index share_decisions_application on share_decisions (application_id, at);

create table share_grants (
  id uuid primary key default gen_random_uuid(),
  application_id uuid references share_applications (id),
  consumer_org_id uuid not null,
  provider_org_id uuid not null,
  catalog_entry_id uuid not null,
  catalog_code text not null,
  catalog_name text not null,
  -- Column names granted.
  items jsonb not null,
  -- { column: rule }, rule one of 'none' | 'name' | 'resident_id' | 'phone' | 'bank_card' | 'address' | 'redact'.
  masking jsonb not null,
  -- null, or { column, op: 'eq' | 'prefix' | 'in', value?: string, values?: string[] }; the value
  -- '$consumerDivision' stands for the consumer organisation's division code (回流 to localities).
  row_filter jsonb,
  methods jsonb not null,
  rate_limit_per_minute integer not null,
  -- CIDR blocks the consumer's calls may come from; empty: any address.
  ip_allow jsonb not null default '[]',
  valid_from timestamptz not null default now(),
  expires_at timestamptz not null,
  status text not null check (status in ('active', 'revoked')),
  revoked_at timestamptz,
  revoked_by uuid,
  revoke_reason text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index share_grants_consumer on share_grants (consumer_org_id, catalog_code) where status = 'active';
create index share_grants_provider on share_grants (provider_org_id, created_at desc);
create index share_grants_entry on share_grants (catalog_entry_id);

-- Every gateway call, allowed or refused (事中留痕). The ledger gets them in batches.
create table share_calls (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  app_id uuid,
  consumer_org_id uuid,
  grant_id uuid,
  catalog_entry_id uuid,
  catalog_code text,
  -- 'records' | 'query' | 'invoke' | 'feed' | 'export'
  route text not null,
  -- SM3 of the canonical filter (the key or the query), never the values themselves.
  filter_digest text,
  rows_returned integer not null default 0,
  latency_ms integer not null,
  -- 'ok', or the error code of the refusal.
  outcome text not null,
  status integer not null,
  -- Set once the call is in a ledger batch.
  ledgered boolean not null default false
);
create index share_calls_grant on share_calls (grant_id, at);
create index share_calls_consumer on share_calls (consumer_org_id, at);
create index share_calls_unledgered on share_calls (id) where not ledgered;
