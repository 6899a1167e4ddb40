-- Audit trail: each event once (vl_audit_events), and one row per entity it touches (vl_audit_entries); the view
-- vl_audit_trail joins them into one row per event per entity, in global order.
CREATE TABLE vl_audit_events (
    position        BIGINT  PRIMARY KEY,
    originator_id   TEXT    NOT NULL,
    originator_version BIGINT NOT NULL,
    event_type      TEXT    NOT NULL,
    recorded_us     BIGINT  NOT NULL,
    effective_us    BIGINT,             -- NULL when the event reports no real-world time of its own
    actor           TEXT    NOT NULL,
    correlation_id  TEXT,
    reason          TEXT,
    summary_zh      TEXT    NOT NULL,
    summary_en      TEXT    NOT NULL
);

CREATE TABLE vl_audit_entries (
    position        BIGINT  NOT NULL,
    entity_kind     TEXT    NOT NULL,   -- voucher | enterprise | provider | city | settlement_batch | the aggregate's kind
    entity_id       TEXT    NOT NULL,
    PRIMARY KEY (position, entity_kind, entity_id)   -- appended in position order: cheap to insert
);
CREATE INDEX vl_audit_entries_entity ON vl_audit_entries (entity_kind, entity_id, position);

-- What later events do not repeat: a voucher's enterprise and city, a claim's or batch's provider, a quota's owner.
CREATE TABLE vl_audit_refs (
    ref_id          TEXT PRIMARY KEY,
    enterprise_id   TEXT,
    city            TEXT,
    provider_id     TEXT
);

CREATE VIEW vl_audit_trail AS
SELECT e.entity_kind, e.entity_id, a.position, a.recorded_us, a.effective_us, a.event_type, a.actor,
       a.correlation_id, a.reason, a.summary_zh, a.summary_en, a.originator_id, a.originator_version
FROM vl_audit_entries e JOIN vl_audit_events a ON a.position = e.position;
