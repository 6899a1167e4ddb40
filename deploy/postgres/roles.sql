-- The roles of a voucher-ledger deployment (README, "Operations"). Run with psql as a superuser:
--   psql -v schema=ledger -v owner=ledger_owner -v service=ledger_service -f deploy/postgres/roles.sql
-- Step 1 before the owner's first start; step 2 after `voucher-ledger migrate` has run as the owner (the tables
-- must exist to be granted). Passwords: ALTER ROLE ... PASSWORD, or a client certificate; never in this file.
-- tests/integration/test_deploy_roles.py runs this file and checks the grants below are exactly these.

-- step 1: the owner creates and migrates every table; the service (the API and the `follow` workers) uses them
CREATE ROLE :"owner" LOGIN;
CREATE ROLE :"service" LOGIN;
CREATE SCHEMA :"schema" AUTHORIZATION :"owner";
GRANT USAGE ON SCHEMA :"schema" TO :"service";

-- step 2 (after `voucher-ledger migrate` as the owner)
-- the events: read, and appended to, never changed; the position always comes from the sequence
GRANT SELECT ON :"schema".voucherledger_events TO :"service";
GRANT INSERT (originator_id, originator_version, topic, state) ON :"schema".voucherledger_events TO :"service";
GRANT SELECT, INSERT ON :"schema".voucherledger_snapshots TO :"service";
GRANT USAGE ON SEQUENCE :"schema".voucherledger_events_notification_id_seq TO :"service";
-- which migrations are applied: read (/readyz), never written
GRANT SELECT ON :"schema".vl_schema_migrations TO :"service";
GRANT SELECT ON :"schema".vl_audit_trail TO :"service";  -- a view over the audit trail's tables
-- the read models (vl_* tables and each projection's *_tracking): the workers rewrite them, the API reads them
SELECT set_config('voucher_ledger.schema', :'schema', false), set_config('voucher_ledger.service', :'service', false);
DO $$
DECLARE
    found record;
BEGIN
    FOR found IN SELECT tablename FROM pg_tables
                 WHERE schemaname = current_setting('voucher_ledger.schema')
                   AND tablename NOT IN ('voucherledger_events', 'voucherledger_snapshots', 'vl_schema_migrations')
    LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.%I TO %I', current_setting('voucher_ledger.schema'),
                       found.tablename, current_setting('voucher_ledger.service'));
    END LOOP;
END
$$;
