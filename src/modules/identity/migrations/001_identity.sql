-- Organisations (政务部门/地区), users, roles, sessions and app credentials.

create table organisations (
  id uuid primary key default gen_random_uuid(),
  -- 统一社会信用代码 (GB 32100), checked by the service.
  code text not null unique,
  name text not null,
  division_code char(6) not null,
  level text not null check (level in ('national', 'province', 'city', 'county')),
  kind text not null check (kind in ('government', 'data_authority', 'department')),
  parent_id uuid references organisations (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (parent_id is null or parent_id <> id)
);
create unique index organisations_name_in_parent on organisations (coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), name);
create index organisations_parent on organisations (parent_id);

create table users (
  id uuid primary key default gen_random_uuid(),
  username text not null unique check (username = lower(username)),
  display_name text not null,
  organisation_id uuid not null references organisations (id),
  password_hash text not null,
  password_changed_at timestamptz not null default now(),
  status text not null default 'active' check (status in ('active', 'disabled')),
  failed_attempts integer not null default 0,
  locked_until timestamptz,
  last_login_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index users_organisation on users (organisation_id);

create table user_roles (
  user_id uuid not null references users (id) on delete cascade,
  role text not null check (role in ('platform_admin', 'security_admin', 'audit_admin', 'data_authority',
                                     'catalog_editor', 'provider_approver', 'consumer', 'analyst')),
  granted_at timestamptz not null default now(),
  primary key (user_id, role)
);

-- Opaque bearer tokens; only their SM3 digest is stored, so a database leak yields no sessions.
create table sessions (
  id uuid primary key default gen_random_uuid(),
  token_hash text not null unique,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz
);
create index sessions_user on sessions (user_id);
create index sessions_expires on sessions (expires_at);

create table app_credentials (
  id uuid primary key default gen_random_uuid(),
  app_key text not null unique,
  name text not null,
  organisation_id uuid not null references organisations (id),
  -- The secret sealed with SM4 under the node key (see core/crypto/sm4.ts); never returned again.
  secret_sealed text not null,
  status text not null default 'active' check (status in ('active', 'revoked')),
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid references users (id)
);
create index app_credentials_organisation on app_credentials (organisation_id);

-- Nonces of signed requests, kept until their timestamp can no longer be accepted.
create table used_nonces (
  app_key text not null,
  nonce text not null,
  expires_at timestamptz not null,
  primary key (app_key, nonce)
);
create index used_nonces_expires on used_nonces (expires_at);
