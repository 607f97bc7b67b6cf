-- rules/25_results_integrity.sql: every stored result refers to a unit, an indicator and a submission that exist, checked once per statement.
--
-- These triggers stand for the foreign keys that migration 010 dropped:
-- the same guarantees, at one join per statement instead of one query per
-- row (the ingest writes about 1,200 rows per statement). Writing a row
-- that names a missing unit, indicator or submission fails the whole
-- statement with foreign_key_violation (23503), naming the column and the
-- value; so does deleting, truncating or re-keying a unit, indicator or
-- submission that a stored result names. tests/integration/results_integrity.sh
-- tries each way of writing an orphan, by the server's role and by the owner.
--
-- A rules file: SQL functions and views only, applied by `tonghopd migrate`
-- after the versioned migrations whenever this file's content changes
-- (recorded in schema_rules with its SHA-256). Every statement must be
-- re-runnable (CREATE OR REPLACE); a changed signature needs a DROP ...
-- IF EXISTS first. Tables belong in versioned migrations (migrations/NNN_*.sql).

-- After a statement wrote rows of result_values or current_results (the
-- rows it wrote are new_rows): the first reference that names nothing.
-- Each lookup is an index probe per distinct value: a batch names about a
-- hundred units and submissions and a dozen indicators. (OFFSET 0 keeps
-- each NOT EXISTS a probe: as an anti-join, a plan cached on a new database
-- could walk the whole table for every batch.)
CREATE OR REPLACE FUNCTION th_results_refs_check()
RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off  -- probes, whatever the statistics (see th_ingest_batch)
SET jit = off
AS $$
DECLARE
    col text;
    val text;
BEGIN
    SELECT x.col, x.val INTO col, val FROM (
        SELECT 'unit_code' AS col, n.unit_code AS val
          FROM (SELECT DISTINCT unit_code FROM new_rows) n
         WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.code = n.unit_code OFFSET 0)
        UNION ALL
        SELECT 'indicator_code', n.indicator_code
          FROM (SELECT DISTINCT indicator_code FROM new_rows) n
         WHERE NOT EXISTS (SELECT 1 FROM indicators i WHERE i.code = n.indicator_code OFFSET 0)
        UNION ALL
        SELECT 'submission_id', n.submission_id::text
          FROM (SELECT DISTINCT submission_id FROM new_rows) n
         WHERE NOT EXISTS (SELECT 1 FROM submissions s WHERE s.id = n.submission_id OFFSET 0)) x
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME, COLUMN = col,
                              DETAIL = val, MESSAGE = format('%s.%s names nothing: %s', TG_TABLE_NAME, col, val);
    END IF;
    RETURN NULL;
END;
$$;

-- After a statement wrote rows of submissions: each names a unit.
CREATE OR REPLACE FUNCTION th_submissions_refs_check()
RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off  -- probes, whatever the statistics (see th_ingest_batch)
SET jit = off
AS $$
DECLARE
    val text;
BEGIN
    SELECT n.unit_code INTO val
      FROM (SELECT DISTINCT unit_code FROM new_rows) n
     WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.code = n.unit_code OFFSET 0)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', TABLE = 'submissions', COLUMN = 'unit_code',
                              DETAIL = val, MESSAGE = format('submissions.unit_code names nothing: %s', val);
    END IF;
    RETURN NULL;
END;
$$;

-- After a statement deleted rows of units, indicators or submissions (the
-- rows it deleted are old_rows), or before one changes a row's key (row
-- level, OLD): refuses when a stored result still names one of them.
-- (Nothing in tonghop deletes them; this keeps a hand-made DELETE honest.)
CREATE OR REPLACE FUNCTION th_results_refs_guard()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    val text;
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        -- A key about to change: the old key must be unused.
        IF TG_TABLE_NAME = 'units' THEN
            IF EXISTS (SELECT 1 FROM submissions WHERE unit_code = OLD.code)
               OR EXISTS (SELECT 1 FROM current_results WHERE unit_code = OLD.code) THEN
                val := OLD.code;
            END IF;
        ELSIF TG_TABLE_NAME = 'indicators' THEN
            IF EXISTS (SELECT 1 FROM current_results WHERE indicator_code = OLD.code)
               OR EXISTS (SELECT 1 FROM result_values WHERE indicator_code = OLD.code) THEN
                val := OLD.code;
            END IF;
        ELSIF EXISTS (SELECT 1 FROM result_values WHERE submission_id = OLD.id)
              OR EXISTS (SELECT 1 FROM current_results WHERE submission_id = OLD.id) THEN
            val := OLD.id::text;
        END IF;
    ELSIF TG_TABLE_NAME = 'units' THEN
        SELECT o.code INTO val FROM old_rows o
         WHERE EXISTS (SELECT 1 FROM submissions s WHERE s.unit_code = o.code)
            OR EXISTS (SELECT 1 FROM current_results c WHERE c.unit_code = o.code)
            OR EXISTS (SELECT 1 FROM result_values v WHERE v.unit_code = o.code)
         LIMIT 1;
    ELSIF TG_TABLE_NAME = 'indicators' THEN
        SELECT o.code INTO val FROM old_rows o
         WHERE EXISTS (SELECT 1 FROM current_results c WHERE c.indicator_code = o.code)
            OR EXISTS (SELECT 1 FROM result_values v WHERE v.indicator_code = o.code)
         LIMIT 1;
    ELSE
        SELECT o.id::text INTO val FROM old_rows o
         WHERE EXISTS (SELECT 1 FROM result_values v WHERE v.submission_id = o.id)
            OR EXISTS (SELECT 1 FROM current_results c WHERE c.submission_id = o.id)
         LIMIT 1;
    END IF;
    IF val IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME, DETAIL = val,
                              MESSAGE = format('%s %s is named by stored results', TG_TABLE_NAME, val);
    END IF;
    RETURN CASE WHEN TG_LEVEL = 'ROW' THEN NEW END;
END;
$$;

-- TRUNCATE of a table that stored results name: refused while there are
-- any (truncate the results first, in their own statement).
CREATE OR REPLACE FUNCTION th_results_refs_truncate_guard()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM result_values) OR EXISTS (SELECT 1 FROM current_results)
       OR (TG_TABLE_NAME = 'units' AND EXISTS (SELECT 1 FROM submissions)) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
                              MESSAGE = format('%s is named by stored results', TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER result_values_refs_ins AFTER INSERT ON result_values
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION th_results_refs_check();
CREATE OR REPLACE TRIGGER result_values_refs_upd AFTER UPDATE ON result_values
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION th_results_refs_check();
CREATE OR REPLACE TRIGGER current_results_refs_ins AFTER INSERT ON current_results
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION th_results_refs_check();
CREATE OR REPLACE TRIGGER current_results_refs_upd AFTER UPDATE ON current_results
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION th_results_refs_check();
CREATE OR REPLACE TRIGGER submissions_refs_ins AFTER INSERT ON submissions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION th_submissions_refs_check();
CREATE OR REPLACE TRIGGER submissions_refs_upd AFTER UPDATE ON submissions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION th_submissions_refs_check();

CREATE OR REPLACE TRIGGER units_refs_del AFTER DELETE ON units
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION th_results_refs_guard();
CREATE OR REPLACE TRIGGER indicators_refs_del AFTER DELETE ON indicators
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION th_results_refs_guard();
CREATE OR REPLACE TRIGGER submissions_refs_del AFTER DELETE ON submissions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION th_results_refs_guard();
CREATE OR REPLACE TRIGGER units_refs_rekey BEFORE UPDATE OF code ON units
    FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code) EXECUTE FUNCTION th_results_refs_guard();
CREATE OR REPLACE TRIGGER indicators_refs_rekey BEFORE UPDATE OF code ON indicators
    FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code) EXECUTE FUNCTION th_results_refs_guard();
CREATE OR REPLACE TRIGGER submissions_refs_rekey BEFORE UPDATE OF id ON submissions
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION th_results_refs_guard();
CREATE OR REPLACE TRIGGER units_refs_truncate BEFORE TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION th_results_refs_truncate_guard();
CREATE OR REPLACE TRIGGER indicators_refs_truncate BEFORE TRUNCATE ON indicators
    FOR EACH STATEMENT EXECUTE FUNCTION th_results_refs_truncate_guard();
CREATE OR REPLACE TRIGGER submissions_refs_truncate BEFORE TRUNCATE ON submissions
    FOR EACH STATEMENT EXECUTE FUNCTION th_results_refs_truncate_guard();
