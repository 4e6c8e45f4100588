-- Change feeds (issue 5) deliver each change under the consumer's grant: its row filter decides
-- whether the consumer may learn of it. An insert or update is checked on the row as it is; a deleted
-- row is gone, so a delete batch keeps the deleted rows as they were (`images`, in key order). Old
-- delete batches have none: a feed with a row filter does not deliver them (it cannot tell).
do $$
declare
  r record;
begin
  for r in select table_name from resources where kind = 'table' and table_name is not null loop
    if to_regclass(format('data.%I', r.table_name || '__changes')) is not null then
      execute format('alter table data.%I add column if not exists images json', r.table_name || '__changes');
      execute format('alter table data.%I alter column images set storage external', r.table_name || '__changes');
    end if;
  end loop;
end
$$;
