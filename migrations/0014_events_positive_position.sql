-- dialect: postgres
-- The database refuses event rows the service never writes. Runs with search_path set to the events' schema.
--
-- 1. Positions are positive. The service's positions come from the events' sequence (it starts at 1); the signed hash
--    chain (audit/hash_chain.py) and the read models read positions > 0, so a row at 0 or below would be loaded by
--    commands yet seen by nothing else. NOT VALID: every new row is checked, the rows already stored are not, so a
--    store that already holds such a row still migrates and `voucher-ledger verify` names that row (INSERTED)
--    instead of this migration failing without saying which one.
ALTER TABLE voucherledger_events ADD CONSTRAINT vl_events_positive_position CHECK (notification_id > 0) NOT VALID;

-- 2. The position always comes from the sequence: a role that may INSERT events may insert only the columns the
--    service writes (originator_id, originator_version, topic, state), never notification_id. A table-wide INSERT
--    grant covers every column, so wherever a role other than the owner holds one it is replaced here by the column
--    grant (README, "Tamper evidence", has the role's grants).
DO $$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END
        FROM pg_class c
        CROSS JOIN LATERAL aclexplode(c.relacl) a
        LEFT JOIN pg_roles r ON r.oid = a.grantee
        WHERE c.oid = 'voucherledger_events'::regclass AND a.privilege_type = 'INSERT' AND a.grantee <> c.relowner
    LOOP
        EXECUTE 'REVOKE INSERT ON voucherledger_events FROM ' || grantee;
        EXECUTE 'GRANT INSERT (originator_id, originator_version, topic, state) ON voucherledger_events TO ' || grantee;
    END LOOP;
END
$$;
