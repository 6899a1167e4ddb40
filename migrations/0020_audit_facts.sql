-- The audit trail stores each event's facts (a JSON object of the fields its summary lines read) instead of the two
-- rendered lines; the lines are rendered when read (projections/audit_facts.py), with the same text. Rows projected
-- before keep their lines, as '~<length of the Chinese line>~<Chinese line><English line>' in facts, so every answer
-- reads as before without a rebuild; `check` lists those rows until audit_trail is rebuilt (a rebuild stores facts).
-- The view is made anew: on PostgreSQL, run step 2 of deploy/postgres/roles.sql again to grant it to the service.
ALTER TABLE vl_audit_events ADD COLUMN facts TEXT;
UPDATE vl_audit_events SET facts = '~' || LENGTH(summary_zh) || '~' || summary_zh || summary_en;
DROP VIEW vl_audit_trail;
ALTER TABLE vl_audit_events DROP COLUMN summary_zh;
ALTER TABLE vl_audit_events DROP COLUMN summary_en;
CREATE VIEW vl_audit_trail AS
SELECT e.entity_kind, e.entity_id, a.position, a.recorded_us, a.effective_us, a.event_type, a.actor,
       a.correlation_id, a.reason, a.facts, a.originator_id, a.originator_version
FROM vl_audit_entries e JOIN vl_audit_events a ON a.position = e.position;
