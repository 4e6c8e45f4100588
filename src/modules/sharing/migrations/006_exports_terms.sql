-- Exports remember the grant terms they were built under (review of issue 5, finding 1): the SM3 of
-- the grant's items, masking and row filter when the job read the data. A link is given, and a file
-- handed out, only while the grant's terms are still those: a provider who narrows a grant stops
-- files made under the old terms (409 EXPORT_STALE). Exports made before this column have none and
-- count as stale.
alter table share_exports add column terms_sm3 text;
