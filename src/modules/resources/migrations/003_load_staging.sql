-- Loads stage their rows in a table of their own (data.l_<load id>) instead of a file, and change
-- logs keep changes in batches (resources.tables.ts). `spool` now names the staging table.
alter table resource_loads add column present jsonb;
alter table resource_loads add column keys_distinct boolean;
alter table resources add column change_seq bigint not null default 0;

-- Loads waiting in a spool file cannot be resumed any more: the file format is gone.
update resource_loads set status = 'aborted', spool = null, finished_at = coalesce(finished_at, now()),
  failure = '{"code":"LOAD_FORMAT_RETIRED","message":"Send the file again","messageZh":"请重新上传文件"}'
  where spool is not null and status in ('validated', 'merging', 'failed');
update resource_loads set spool = null where spool is not null;

-- Each existing change becomes a batch of one, keyed the new way: a value for a one-column key, an
-- array of values for a composite one.
do $$
declare
  r record;
  key_columns text[];
  key_expr text;
  last bigint;
begin
  for r in select id, table_name, columns from resources where kind = 'table' and table_name is not null loop
    select array_agg(c ->> 'column' order by ord) into key_columns
      from jsonb_array_elements(r.columns) with ordinality as e(c, ord) where (c ->> 'isKey')::boolean;
    if array_length(key_columns, 1) = 1 then
      key_expr := format('key -> %L', key_columns[1]);
    else
      select 'jsonb_build_array(' || string_agg(format('key -> %L', k), ', ') || ')' into key_expr from unnest(key_columns) k;
    end if;
    execute format('alter table data.%I rename to %I', r.table_name || '__changes', r.table_name || '__changes_old');
    execute format('alter index data.%I rename to %I', r.table_name || '__changes_at', r.table_name || '__changes_old_at');
    execute format($f$
      create table data.%I (
        seq bigint primary key,
        last_seq bigint not null,
        op text not null check (op in ('insert', 'update', 'delete')),
        keys json not null,
        at timestamptz not null default now()
      )$f$, r.table_name || '__changes');
    execute format('create index %I on data.%I (at)', r.table_name || '__changes_at', r.table_name || '__changes');
    execute format('insert into data.%I (seq, last_seq, op, keys, at) select seq, seq, op, json_build_array(%s), at from data.%I',
      r.table_name || '__changes', key_expr, r.table_name || '__changes_old');
    execute format('select coalesce(max(seq), 0) from data.%I', r.table_name || '__changes_old') into last;
    execute format('drop table data.%I', r.table_name || '__changes_old');
    update resources set change_seq = last where id = r.id;
  end loop;
end
$$;
