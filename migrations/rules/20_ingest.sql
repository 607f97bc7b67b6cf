-- rules/20_ingest.sql: Storing a submission: the checks that need the catalogue, history and the value in force.
--
-- A rules file: SQL functions and views only, applied by `tonghopd migrate`
-- after the versioned migrations whenever this file's content changes
-- (recorded in schema_rules with its SHA-256). Every statement must be
-- re-runnable (CREATE OR REPLACE); a changed signature needs a DROP ...
-- IF EXISTS first. Tables belong in versioned migrations (migrations/NNN_*.sql).

-- Stores one submission, or says why not. Returns one row:
--   outcome  'stored' | 'duplicate' | 'rejected'
--   err_code, err_field, err_detail  (when rejected; codes as in Error.Code)
--   stored, superseded, stored_at    (counts and the original commit time)
-- Rejections write nothing. Structural checks (negative numbers, a numerator
-- above its denominator, duplicate indicators) are made by the server before
-- it calls this; this function checks what needs the catalogue, and the table
-- constraints above are the last line.
CREATE OR REPLACE FUNCTION th_ingest_submission(
    p_id uuid, p_unit text, p_year integer, p_quarter integer, p_plan text,
    p_created_at bigint, p_digest bytea,
    p_ind text[], p_num bigint[], p_den bigint[], p_val bigint[], p_txt text[])
RETURNS TABLE (outcome text, err_code text, err_field text, err_detail text,
               stored integer, superseded integer, stored_at bigint)
LANGUAGE plpgsql AS $$
DECLARE
    prev  submissions%ROWTYPE;
    ind   indicators%ROWTYPE;
    n     integer := coalesce(array_length(p_ind, 1), 0);
    i     integer;
    sup   integer := 0;
    now_t timestamptz := clock_timestamp();
    unit_key text;
    ceased text;
BEGIN
    SELECT * INTO prev FROM submissions WHERE id = p_id;
    IF FOUND THEN
        IF prev.digest = p_digest THEN
            RETURN QUERY SELECT 'duplicate', NULL::text, NULL::text, NULL::text,
                prev.value_count, prev.superseded_count,
                extract(epoch FROM prev.received_at)::bigint;
        ELSE
            RETURN QUERY SELECT 'rejected', 'ID_REUSED', 'submission_id', p_id::text,
                0, 0, NULL::bigint;
        END IF;
        RETURN;
    END IF;

    -- The code names the unit that held it during the quarter (codes are
    -- reused across the 2025 reform). A unit that had ceased by then is
    -- told when and who succeeded it, not "unknown".
    unit_key := th_unit_key_in(p_unit, p_year, p_quarter);
    IF unit_key IS NULL THEN
        ceased := th_unit_ceased_text(th_unit_key_before(p_unit, make_date(p_year, (p_quarter - 1) * 3 + 1, 1)));
        IF ceased IS NOT NULL THEN
            RETURN QUERY SELECT 'rejected', 'UNIT_CEASED', 'unit_code', p_unit || ' ' || ceased, 0, 0, NULL::bigint;
        ELSE
            RETURN QUERY SELECT 'rejected', 'UNKNOWN_UNIT', 'unit_code', p_unit, 0, 0, NULL::bigint;
        END IF;
        RETURN;
    END IF;

    FOR i IN 1 .. n LOOP
        SELECT * INTO ind FROM indicators WHERE code = p_ind[i];
        IF NOT FOUND THEN
            RETURN QUERY SELECT 'rejected', 'UNKNOWN_INDICATOR',
                format('values[%s].indicator_code', i - 1), p_ind[i], 0, 0, NULL::bigint;
            RETURN;
        END IF;
        IF (ind.kind = 'ratio' AND (p_num[i] IS NULL OR p_den[i] IS NULL OR p_val[i] IS NOT NULL OR p_txt[i] IS NOT NULL))
           OR (ind.kind = 'count' AND (p_val[i] IS NULL OR p_num[i] IS NOT NULL OR p_den[i] IS NOT NULL OR p_txt[i] IS NOT NULL))
           OR (ind.kind = 'qualitative' AND (p_txt[i] IS NULL OR p_num[i] IS NOT NULL OR p_den[i] IS NOT NULL OR p_val[i] IS NOT NULL))
        THEN
            RETURN QUERY SELECT 'rejected', 'WRONG_KIND',
                format('values[%s]', i - 1), ind.kind, 0, 0, NULL::bigint;
            RETURN;
        END IF;
    END LOOP;

    SELECT count(*) INTO sup
      FROM current_results c, unnest(p_ind) AS u(code)
     WHERE c.unit_code = unit_key AND c.indicator_code = u.code
       AND c.year = p_year AND c.quarter = p_quarter;

    INSERT INTO submissions (id, unit_code, year, quarter, plan_code, digest,
                             value_count, superseded_count, client_created_at, received_at)
    VALUES (p_id, unit_key, p_year, p_quarter, p_plan, p_digest, n, sup,
            CASE WHEN p_created_at IS NULL THEN NULL ELSE to_timestamp(p_created_at) END,
            now_t);

    INSERT INTO result_values (submission_id, indicator_code, unit_code, year, quarter,
                               numerator, denominator, value, text)
    SELECT p_id, p_ind[k], unit_key, p_year, p_quarter, p_num[k], p_den[k], p_val[k], p_txt[k]
      FROM generate_subscripts(p_ind, 1) AS k;

    INSERT INTO current_results AS c (unit_code, indicator_code, year, quarter, submission_id,
                                      numerator, denominator, value, text, updated_at)
    SELECT unit_key, p_ind[k], p_year, p_quarter, p_id, p_num[k], p_den[k], p_val[k], p_txt[k], now_t
      FROM generate_subscripts(p_ind, 1) AS k
    ON CONFLICT (unit_code, indicator_code, year, quarter) DO UPDATE
       SET submission_id = EXCLUDED.submission_id, numerator = EXCLUDED.numerator,
           denominator = EXCLUDED.denominator, value = EXCLUDED.value,
           text = EXCLUDED.text, updated_at = EXCLUDED.updated_at;

    RETURN QUERY SELECT 'stored', NULL::text, NULL::text, NULL::text, n, sup,
        extract(epoch FROM now_t)::bigint;
END;
$$;
