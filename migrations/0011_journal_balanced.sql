-- dialect: postgres
-- Debits equal credits, checked by the database at COMMIT (hordak's habit): a deferred constraint trigger refuses a
-- transaction that leaves a journal entry whose postings do not sum to zero, or an entry with fewer than two
-- postings. Deferred, so an entry and its postings may be written in any order and in several statements (the
-- projection COPYs a page of entries, then their postings). Row triggers fire for COPY as for INSERT.
--
-- Cost: one check per *entry* (one index range over its postings at COMMIT), not one per posting, so a rebuild pays
-- about 10 µs per entry. Postings are checked when they are updated or deleted (the projection never does either;
-- a rebuild uses TRUNCATE, which fires no row trigger). A posting INSERTed later into an entry committed earlier is
-- not checked at its insert (that would be a trigger per posting): the trial balance, which sums to zero only if
-- every entry does, and `voucher-ledger check` (live equals rebuild) both show it.
--
-- The function keeps the search_path it was created with (this schema), so the check reads this schema's postings
-- whatever the inserting session's search_path is.
CREATE FUNCTION vl_journal_check_entry() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    entry   BIGINT;
    total   NUMERIC;
    n       BIGINT;
    headed  BOOLEAN;
BEGIN
    FOREACH entry IN ARRAY CASE
        WHEN TG_OP = 'INSERT' THEN ARRAY[NEW.position]
        WHEN TG_OP = 'DELETE' THEN ARRAY[OLD.position]
        ELSE ARRAY[OLD.position, NEW.position] END
    LOOP
        SELECT COALESCE(SUM(amount_fen), 0), COUNT(*) INTO total, n FROM vl_journal_postings WHERE position = entry;
        headed := EXISTS (SELECT 1 FROM vl_journal_entries WHERE position = entry);
        IF total <> 0 THEN
            RAISE EXCEPTION 'journal entry % does not balance: its % posting(s) sum to % fen, not 0 (debits must equal credits)',
                entry, n, total
                USING ERRCODE = 'check_violation', CONSTRAINT = 'vl_journal_balanced', TABLE = TG_TABLE_NAME;
        END IF;
        IF headed AND n < 2 THEN
            RAISE EXCEPTION 'journal entry % has % posting(s); an entry has at least two', entry, n
                USING ERRCODE = 'check_violation', CONSTRAINT = 'vl_journal_balanced', TABLE = TG_TABLE_NAME;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER vl_journal_entry_balanced
    AFTER INSERT OR UPDATE ON vl_journal_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION vl_journal_check_entry();

CREATE CONSTRAINT TRIGGER vl_journal_posting_changed
    AFTER UPDATE OR DELETE ON vl_journal_postings
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION vl_journal_check_entry();
