-- The tamper-evident ledger (存证): an RFC 9162 Merkle tree over SM3.

-- Entries appended inside business transactions, waiting for the sequencer (group commit).
create table ledger_pending (
  id bigserial primary key,
  time timestamptz not null default clock_timestamp(),
  actor jsonb not null,
  action text not null,
  subject_type text not null,
  subject_id text not null,
  payload jsonb not null
);

-- Sequenced entries. `canonical` is the RFC 8785 text that was hashed; the other columns are
-- copies for searching and are not trusted by verification.
create table ledger_entries (
  seq bigint primary key check (seq >= 1),
  canonical text not null,
  leaf_hash bytea not null,
  payload jsonb not null,
  time timestamptz not null,
  action text not null,
  actor_type text not null,
  actor_id text,
  subject_type text not null,
  subject_id text not null
);
create index ledger_entries_action on ledger_entries (action, seq);
create index ledger_entries_actor on ledger_entries (actor_id, seq);
create index ledger_entries_subject on ledger_entries (subject_type, subject_id, seq);

-- Every perfect aligned subtree: node (level, idx) covers leaves [idx * 2^level, (idx + 1) * 2^level).
create table ledger_nodes (
  level smallint not null,
  idx bigint not null,
  hash bytea not null,
  primary key (level, idx)
);

-- Signed tree heads, one per sequenced batch.
create table ledger_heads (
  tree_size bigint primary key,
  root_hash text not null,
  signed_at timestamptz not null,
  signed_payload text not null,
  signature text not null
);
