-- A version's content (about 2 KB of JSON for ten info items) and its search text are compressed
-- when stored; PostgreSQL's default, pglz, was a third of the cost of importing thousands of entries.
-- lz4 is several times faster at a similar ratio. PostgreSQL builds usually include it; PGlite does
-- not, and keeps pglz. Applies to rows written from now on.
do $$
begin
  alter table catalog_versions alter column content set compression lz4;
  alter table catalog_versions alter column search_vector set compression lz4;
  alter table catalog_search alter column search_vector set compression lz4;
exception when feature_not_supported then
  null;
end
$$;
