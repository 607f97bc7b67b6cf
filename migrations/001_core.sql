-- 001: units, the indicator catalogue, submissions and results.
--
-- Results are stored as raw components (numerator, denominator, value, text),
-- never as percentages, so that any rollup is a sum of components followed by
-- one division.

-- The administrative unit tree (GSO codes). Any depth: the parent link is all
-- that defines the hierarchy.
CREATE TABLE units (
    code            text PRIMARY KEY CHECK (code ~ '^[0-9A-Za-z._-]{1,32}$'),
    name            text NOT NULL,
    name_with_type  text NOT NULL,
    type            text NOT NULL,
    parent_code     text REFERENCES units (code),
    level           smallint NOT NULL CHECK (level >= 1),
    valid_from      date NOT NULL DEFAULT DATE '1900-01-01',
    valid_to        date,                   -- NULL: the unit still exists
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX units_parent_idx ON units (parent_code);

-- The indicator catalogue, shared by all plans.
CREATE TABLE indicators (
    code              text PRIMARY KEY,
    name              text NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('ratio', 'count', 'qualitative')),
    numerator_label   text,
    denominator_label text,
    numerator_agg     text CHECK (numerator_agg IN ('flow', 'stock')),
    denominator_agg   text CHECK (denominator_agg IN ('flow', 'stock')),
    programme         text NOT NULL,
    description       text,
    CHECK (kind <> 'ratio' OR (numerator_agg IS NOT NULL AND denominator_agg IS NOT NULL)),
    CHECK (kind <> 'count' OR (numerator_agg IS NOT NULL AND denominator_agg IS NULL)),
    CHECK (kind <> 'qualitative' OR (numerator_agg IS NULL AND denominator_agg IS NULL))
);

-- One row per accepted submission. The client-chosen id is the idempotency
-- key; digest (SHA-256 of the submission as sent) tells a harmless replay
-- from an id reused for different content.
CREATE TABLE submissions (
    id                uuid PRIMARY KEY,
    unit_code         text NOT NULL REFERENCES units (code),
    year              smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    quarter           smallint NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    plan_code         text,
    digest            bytea NOT NULL,
    value_count       integer NOT NULL,
    superseded_count  integer NOT NULL,
    client_created_at timestamptz,
    received_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX submissions_unit_period_idx ON submissions (unit_code, year, quarter);

-- Every value ever submitted: the history. Never updated, never deleted.
CREATE TABLE result_values (
    submission_id  uuid NOT NULL REFERENCES submissions (id),
    indicator_code text NOT NULL REFERENCES indicators (code),
    unit_code      text NOT NULL REFERENCES units (code),
    year           smallint NOT NULL,
    quarter        smallint NOT NULL,
    numerator      bigint CHECK (numerator >= 0),
    denominator    bigint CHECK (denominator >= 0),
    value          bigint CHECK (value >= 0),
    text           text,
    PRIMARY KEY (submission_id, indicator_code),
    CHECK (numerator IS NULL OR denominator IS NULL OR numerator <= denominator)
);
CREATE INDEX result_values_key_idx ON result_values (unit_code, indicator_code, year, quarter);

-- The current value per (unit, indicator, quarter): the latest submission
-- wins; what it replaced stays in result_values.
CREATE TABLE current_results (
    unit_code      text NOT NULL REFERENCES units (code),
    indicator_code text NOT NULL REFERENCES indicators (code),
    year           smallint NOT NULL,
    quarter        smallint NOT NULL,
    submission_id  uuid NOT NULL REFERENCES submissions (id),
    numerator      bigint,
    denominator    bigint,
    value          bigint,
    text           text,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (unit_code, indicator_code, year, quarter)
);
CREATE INDEX current_results_period_idx ON current_results (indicator_code, year, quarter);

-- Submissions: a unit must exist during the quarter it reports on (a
-- commune merged on 2025-07-01 may still send 2025Q2, not 2025Q4).
CREATE FUNCTION th_unit_exists_in(p_unit text, p_year integer, p_quarter integer)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM units
         WHERE code = p_unit
           AND valid_from < make_date(p_year, (p_quarter - 1) * 3 + 1, 1) + interval '3 months'
           AND (valid_to IS NULL OR valid_to > make_date(p_year, (p_quarter - 1) * 3 + 1, 1)))
$$;

-- Stores one submission, or says why not. Returns one row:
--   outcome  'stored' | 'duplicate' | 'rejected'
--   err_code, err_field, err_detail  (when rejected; codes as in Error.Code)
--   stored, superseded, stored_at    (counts and the original commit time)
-- Rejections write nothing. Structural checks (negative numbers, a numerator
-- above its denominator, duplicate indicators) are made by the server before
-- it calls this; this function checks what needs the catalogue, and the table
-- constraints above are the last line.
CREATE FUNCTION th_ingest_submission(
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

    IF NOT th_unit_exists_in(p_unit, p_year, p_quarter) THEN
        RETURN QUERY SELECT 'rejected', 'UNKNOWN_UNIT', 'unit_code', p_unit, 0, 0, NULL::bigint;
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
     WHERE c.unit_code = p_unit AND c.indicator_code = u.code
       AND c.year = p_year AND c.quarter = p_quarter;

    INSERT INTO submissions (id, unit_code, year, quarter, plan_code, digest,
                             value_count, superseded_count, client_created_at, received_at)
    VALUES (p_id, p_unit, p_year, p_quarter, p_plan, p_digest, n, sup,
            CASE WHEN p_created_at IS NULL THEN NULL ELSE to_timestamp(p_created_at) END,
            now_t);

    INSERT INTO result_values (submission_id, indicator_code, unit_code, year, quarter,
                               numerator, denominator, value, text)
    SELECT p_id, p_ind[k], p_unit, p_year, p_quarter, p_num[k], p_den[k], p_val[k], p_txt[k]
      FROM generate_subscripts(p_ind, 1) AS k;

    INSERT INTO current_results AS c (unit_code, indicator_code, year, quarter, submission_id,
                                      numerator, denominator, value, text, updated_at)
    SELECT p_unit, p_ind[k], p_year, p_quarter, p_id, p_num[k], p_den[k], p_val[k], p_txt[k], now_t
      FROM generate_subscripts(p_ind, 1) AS k
    ON CONFLICT (unit_code, indicator_code, year, quarter) DO UPDATE
       SET submission_id = EXCLUDED.submission_id, numerator = EXCLUDED.numerator,
           denominator = EXCLUDED.denominator, value = EXCLUDED.value,
           text = EXCLUDED.text, updated_at = EXCLUDED.updated_at;

    RETURN QUERY SELECT 'stored', NULL::text, NULL::text, NULL::text, n, sup,
        extract(epoch FROM now_t)::bigint;
END;
$$;
