-- Webhook subscriptions to change feeds (issue 5): the node pushes a grant's changes to the consumer's
-- address, signed with HMAC-SM3 under a secret only the consumer was shown, retrying with backoff.
-- Deliveries follow the consumer organisation's current grant for the entry (a renewed grant goes on
-- delivering); a revoked or expired one pauses the subscription.
create table feed_subscriptions (
  id uuid primary key default gen_random_uuid(),
  -- The grant it was made under (whose parties may see it).
  grant_id uuid not null references share_grants (id),
  consumer_org_id uuid not null,
  provider_org_id uuid not null,
  authority_org_id uuid,
  catalog_code text not null,
  url text not null,
  -- The signing secret, sealed with the node key (SM4); shown once, when made.
  secret text not null,
  -- active; paused (by the consumer, or by the node: grant no longer valid, too many failures); deleted.
  status text not null check (status in ('active', 'paused', 'deleted')),
  paused_reason text,
  -- The last change sequence number delivered (or passed over by the row filter).
  cursor bigint not null,
  -- Consecutive failed attempts, and when the next is due.
  failures integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  -- A replica delivering holds the subscription until then; the token fences a lease lost meanwhile.
  leased_until timestamptz,
  lease_token uuid,
  last_delivered_at timestamptz,
  last_error jsonb,
  created_by uuid not null,
  created_by_name text not null default '',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index feed_subscriptions_due on feed_subscriptions (next_attempt_at) where status = 'active';
create index feed_subscriptions_grant on feed_subscriptions (grant_id, created_at desc);

-- Every delivery attempt: what was sent (sequence range, count), the answer, the time taken.
create table feed_deliveries (
  id bigint generated always as identity primary key,
  subscription_id uuid not null references feed_subscriptions (id) on delete cascade,
  -- Stable across retries of the same changes: the consumer can tell a retry from new changes.
  delivery_id text not null,
  first_seq bigint not null,
  last_seq bigint not null,
  changes integer not null,
  attempt integer not null,
  -- The consumer's HTTP status, when it answered.
  status integer,
  -- 'delivered', or why not (HTTP_503, UPSTREAM_TIMEOUT, …).
  outcome text not null,
  latency_ms integer not null,
  at timestamptz not null default now()
);
create index feed_deliveries_subscription on feed_deliveries (subscription_id, id desc);
create index feed_deliveries_at on feed_deliveries (at);
