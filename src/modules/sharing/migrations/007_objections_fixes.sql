-- Objections, after review: the objector may withdraw an open objection (status withdrawn), and the
-- arbitrator may close an objection to a refusal that the applicant's new application or grant
-- superseded (outcome superseded) — so none stays open for good.
alter table share_objections drop constraint share_objections_status_check;
alter table share_objections add constraint share_objections_status_check check (status in ('open', 'resolved', 'arbitrated', 'withdrawn'));
alter table share_objections drop constraint share_objections_outcome_check;
alter table share_objections add constraint share_objections_outcome_check
  check (outcome in ('corrected', 'confirmed', 'rejected', 'upheld', 'overturned', 'superseded'));
-- Repeated data objections are looked up by grant among the open ones.
create index share_objections_grant_open on share_objections (grant_id) where status = 'open';
