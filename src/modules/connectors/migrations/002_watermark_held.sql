-- Why a run left the connector's watermark where it was although it read rows: { code, message,
-- messageZh } (the loader refused some of them: the next run reads them again). Null when it moved
-- or there was none.
alter table connector_runs add column watermark_held jsonb;
