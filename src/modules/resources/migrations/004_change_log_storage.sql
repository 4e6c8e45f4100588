-- A change-log batch holds a thousand keys in about 20 KB of JSON. PostgreSQL compresses values
-- that large (pglz), which for keys made of digits saves little and costs much: writing the log of
-- a million-row load took 1 s compressed, 0.25 s stored as it is (BENCHMARKS "ingest").
do $$
declare
  r record;
begin
  for r in select table_name from resources where kind = 'table' and table_name is not null loop
    execute format('alter table data.%I alter column keys set storage external', r.table_name || '__changes');
  end loop;
end
$$;
