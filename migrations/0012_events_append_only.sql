-- dialect: postgres
-- The stored events are append-only: a row-level trigger refuses UPDATE and DELETE, a statement-level one TRUNCATE,
-- whoever asks (the service's role should not even hold those privileges: README, "Tamper evidence"). A superuser
-- can still switch triggers off, which is why `voucher-ledger digest` / `verify` exist: the trigger stops mistakes
-- and the service, the signed hash chain catches the rest. Runs with search_path set to the events' schema.
--
-- `voucher-ledger migrate` may run before the application ever opened the store, so the table is created here
-- first if it is missing, with exactly the DDL of eventsourcing 9.5.6 (PostgresApplicationRecorder): the
-- library's own CREATE ... IF NOT EXISTS then finds it and adds its type and function as usual. The lock is the one
-- store.opening.open_ledger holds while the library creates its tables: two concurrent CREATE TABLE IF NOT EXISTS of the
-- same table can fail on PostgreSQL (duplicate pg_type row), so a worker opening the ledger and one migrating wait.
SELECT pg_advisory_xact_lock(hashtext('voucher-ledger: open'));
DO $$
BEGIN
    IF to_regclass('voucherledger_events') IS NULL THEN
        CREATE TABLE voucherledger_events (
            originator_id uuid NOT NULL,
            originator_version bigint NOT NULL,
            topic text,
            state bytea,
            notification_id bigserial,
            PRIMARY KEY (originator_id, originator_version)
        ) WITH (
            autovacuum_enabled = true,
            autovacuum_vacuum_threshold = 100000000,
            autovacuum_vacuum_scale_factor = 0.5,
            autovacuum_analyze_threshold = 1000,
            autovacuum_analyze_scale_factor = 0.01
        );
        CREATE UNIQUE INDEX voucherledger_events_notification_id_idx ON voucherledger_events (notification_id ASC);
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION vl_refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stored events are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'a correction is a new event; see README, "Tamper evidence"';
END
$$;

CREATE OR REPLACE TRIGGER vl_events_append_only
    BEFORE UPDATE OR DELETE ON voucherledger_events
    FOR EACH ROW EXECUTE FUNCTION vl_refuse_event_change();

CREATE OR REPLACE TRIGGER vl_events_no_truncate
    BEFORE TRUNCATE ON voucherledger_events
    FOR EACH STATEMENT EXECUTE FUNCTION vl_refuse_event_change();
