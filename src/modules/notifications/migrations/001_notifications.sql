-- In-portal notifications (站内通知). One row per recipient: recipients are resolved when the
-- notification is created (users of an organisation holding a role), so later role changes do not
-- rewrite who was told what. The text is not stored: it is rendered in Chinese and English from
-- kind + params when read. Users are identity's; their ids are kept without a foreign key.

create table notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null,
  kind text not null,
  params jsonb not null default '{}'::jsonb,
  -- A portal path such as /catalog/entries/<id>.
  link text,
  subject_type text,
  subject_id text,
  created_at timestamptz not null default now(),
  read_at timestamptz,
  check ((subject_type is null) = (subject_id is null))
);
create index notifications_user_created on notifications (user_id, created_at desc, id desc);
create index notifications_user_unread on notifications (user_id) where read_at is null;
-- Retention: read notifications are purged after a while (housekeeping).
create index notifications_read_at on notifications (read_at) where read_at is not null;
