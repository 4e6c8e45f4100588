-- What lists and details show, kept as it was when the application or grant was made: a module never
-- reads another's tables, and a renamed organisation or person must not rewrite what was decided.
alter table share_applications add column applicant_org_name text not null default '';
alter table share_applications add column applicant_user_name text not null default '';
alter table share_applications add column provider_name text not null default '';
-- The grant terms the provider's approver set (GrantTerms as JSON), applied when the grant is made,
-- which for core and important data is after the authority's countersignature.
alter table share_applications add column proposed_terms jsonb;
alter table share_decisions add column actor_name text;
-- The order of the steps, whatever the clocks of the replicas that took them.
alter table share_decisions add column seq bigint generated always as identity;
alter table share_grants add column consumer_name text not null default '';
alter table share_grants add column provider_name text not null default '';
-- The data authority responsible for the provider when the grant was made: it may read and revoke it.
alter table share_grants add column authority_org_id uuid;

-- The order grants were made in, whatever the clocks of the replicas that made them: "newest" for
-- the gateway is the highest seq.
alter table share_grants add column seq bigint generated always as identity;

-- The gateway's lookup on every call (grantsFor): all grants of a consumer for one entry, newest first.
create index share_grants_consumer_code on share_grants (consumer_org_id, catalog_code, seq desc);
create index share_grants_authority on share_grants (authority_org_id, created_at desc);
create index share_grants_consumer_all on share_grants (consumer_org_id, created_at desc);
-- One open application per entry and applicant organisation; the service checks first (with an
-- advisory lock, so that an active grant counts too), this only stops a bug from storing two.
create unique index share_applications_one_open on share_applications (catalog_entry_id, applicant_org_id)
  where status in ('pending', 'countersigning');

-- The masking each requested item gets by default (by its PII kind in the version applied for): the
-- grant starts from it, and the approver sees it as the preset of the terms it may change.
alter table share_applications add column default_masking jsonb not null default '{}';
