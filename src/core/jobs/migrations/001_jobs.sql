-- The job queue (DESIGN §2 "Jobs"): work that runs outside a request — connector pulls now; exports
-- and webhook deliveries later. Any replica's worker claims due jobs with FOR UPDATE SKIP LOCKED
-- and holds a lease (locked_until) that it renews while it works; a job whose lease ran out (its
-- worker died) is claimed again.
--   queued     waits for run_at
--   running    claimed by locked_by until locked_until
--   failed     the last attempt failed; tried again at run_at (backoff)
--   succeeded  done
--   dead       will not run again: attempts exhausted, a permanent error, or cancelled
create table jobs (
  id uuid primary key default gen_random_uuid(),
  kind text not null,
  payload jsonb not null default '{}',
  status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed', 'dead')),
  run_at timestamptz not null,
  attempts integer not null default 0 check (attempts >= 0),
  max_attempts integer not null default 3 check (max_attempts between 1 and 100),
  locked_by text,
  locked_until timestamptz,
  -- The last failure as { code, message, messageZh }: what a person is shown, never a stack.
  last_error jsonb,
  -- At most one unfinished job per key (a connector's runs, a scheduler slot).
  dedupe_key text,
  created_at timestamptz not null,
  finished_at timestamptz
);
create unique index jobs_dedupe on jobs (dedupe_key) where dedupe_key is not null and status in ('queued', 'running', 'failed');
-- What a claim scans: waiting jobs by due time, and running ones by lease end.
create index jobs_waiting on jobs (run_at) where status in ('queued', 'failed');
create index jobs_leased on jobs (locked_until) where status = 'running';
create index jobs_finished on jobs (finished_at) where status in ('succeeded', 'dead');
