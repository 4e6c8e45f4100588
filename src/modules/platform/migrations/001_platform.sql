-- Node-wide settings and the administrator's working-day overrides.

create table node_settings (
  key text primary key,
  value text not null,
  updated_at timestamptz not null default now()
);

create table calendar_overrides (
  date date primary key,
  is_working_day boolean not null,
  note text not null,
  updated_by text not null,
  updated_at timestamptz not null default now()
);
