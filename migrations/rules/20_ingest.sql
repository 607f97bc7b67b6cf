-- rules/20_ingest.sql: Storing a submission: the checks that need the catalogue, history and the value in force.
--
-- A rules file: SQL functions and views only, applied by `tonghopd migrate`
-- after the versioned migrations whenever this file's content changes
-- (recorded in schema_rules with its SHA-256). Every statement must be
-- re-runnable (CREATE OR REPLACE); a changed signature needs a DROP ...
-- IF EXISTS first. Tables belong in versioned migrations (migrations/NNN_*.sql).

-- The day on which a submission's unit is looked for in a plan's territory:
-- the quarter's last day, or the unit's own last day when it ceased within
-- the quarter (it is then in no tree on the quarter's last day).
CREATE OR REPLACE FUNCTION th_ingest_plan_day(p_unit_key text, p_year integer, p_quarter integer)
RETURNS date LANGUAGE sql STABLE AS $$
    SELECT least(q.q_end, coalesce((SELECT u.valid_to - 1 FROM units u WHERE u.code = p_unit_key), q.q_end))
      FROM (SELECT (make_date(p_year, p_quarter * 3, 1) + interval '1 month' - interval '1 day')::date AS q_end) q
$$;

-- Whether a submission of a unit (its key, for the quarter) may name a
-- plan: NULL when it may, else why not: NOT_FOUND (no plan has the code)
-- or OUTSIDE_PLAN (the unit is not in the plan's territory, th_in_territory,
-- on the quarter's last day, or on its own last day when it ceased within
-- the quarter: another province's plan would tell it deadlines it may not
-- read). Below the issuer on that day is the common case, looked at first;
-- the succession only when not. th_ingest_batch asks the same of a whole
-- batch at once (th_territory_among).
CREATE OR REPLACE FUNCTION th_ingest_plan_check(p_plan text, p_unit_key text, p_year integer, p_quarter integer)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_plan IS NULL THEN NULL
                WHEN x.issuer IS NULL THEN 'NOT_FOUND'
                WHEN th_within(p_unit_key, x.issuer, x.day) THEN NULL
                WHEN th_in_territory(p_unit_key, x.issuer, x.day) THEN NULL
                ELSE 'OUTSIDE_PLAN' END
      FROM (SELECT (SELECT c.issuer_unit FROM current_plans c WHERE c.code = p_plan) AS issuer,
                   th_ingest_plan_day(p_unit_key, p_year, p_quarter) AS day) x
$$;

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
    now_t timestamptz := th_now();  -- the test clock when set (05_clock.sql)
    unit_key text;
    lock_key text;  -- (unit_key, under a name no table's column has)
    ceased text;
    begun text;     -- when the unit holding the code came into being, after the quarter
    plan_bad text;  -- why the unit may not name p_plan (th_ingest_plan_check)
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
        begun := th_unit_begun_text(th_unit_key_after(p_unit, make_date(p_year, (p_quarter - 1) * 3 + 1, 1)));
        IF ceased IS NOT NULL THEN
            RETURN QUERY SELECT 'rejected', 'UNIT_CEASED', 'unit_code', p_unit || ' ' || ceased, 0, 0, NULL::bigint;
        ELSIF begun IS NOT NULL THEN
            -- (a unit made by a reform, sending for a quarter before it
            -- came into being: told when, and what it was made from)
            RETURN QUERY SELECT 'rejected', 'UNIT_NOT_YET', 'unit_code', p_unit || ' ' || begun, 0, 0, NULL::bigint;
        ELSE
            RETURN QUERY SELECT 'rejected', 'UNKNOWN_UNIT', 'unit_code', p_unit, 0, 0, NULL::bigint;
        END IF;
        RETURN;
    END IF;

    -- A plan named must exist and cover the unit (th_ingest_plan_check): it
    -- decides the lateness the sender is told, and a typo, or another
    -- province's plan, would store the results with no word of it.
    IF p_plan IS NOT NULL THEN
        plan_bad := th_ingest_plan_check(p_plan, unit_key, p_year, p_quarter);
    END IF;
    IF plan_bad IS NOT NULL THEN
        RETURN QUERY SELECT 'rejected', plan_bad, 'plan_code', p_plan, 0, 0, NULL::bigint;
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

    -- An approval standing over the quarter (47_approval.sql).
    lock_key := unit_key;
    SELECT au.gso_code || ' ' || au.name_with_type || ', '
           || to_char(a.changed_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') || ', ' || a.plan_code
      INTO ceased
      FROM period_locks l JOIN approvals a ON a.id = l.approval_id JOIN units au ON au.code = a.unit_key
     WHERE l.unit_key = lock_key AND l.year = p_year AND l.quarter = p_quarter
       AND a.indicator_codes && p_ind
     ORDER BY a.changed_at, a.id LIMIT 1;
    IF ceased IS NOT NULL THEN
        RETURN QUERY SELECT 'rejected', 'PERIOD_LOCKED', 'period', ceased, 0, 0, NULL::bigint;
        RETURN;
    END IF;

    SELECT count(*) INTO sup
      FROM current_results c, unnest(p_ind) AS u(code)
     WHERE c.unit_code = unit_key AND c.indicator_code = u.code
       AND c.year = p_year AND c.quarter = p_quarter;

    INSERT INTO submissions (id, unit_code, year, quarter, plan_code, digest,
                             value_count, superseded_count, client_created_at, received_at, indicator_codes)
    VALUES (p_id, unit_key, p_year, p_quarter, p_plan, p_digest, n, sup,
            CASE WHEN p_created_at IS NULL THEN NULL ELSE to_timestamp(p_created_at) END,
            now_t, ARRAY(SELECT DISTINCT u FROM unnest(p_ind) AS u ORDER BY u));

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

-- th_ingest_plan_check for each submission of a batch (the arrays of
-- th_ingest_batch), as an array in their order: NULL where it may name its
-- plan, names none, or names a unit that does not exist then (the batch
-- refuses that first). Below the issuer is a probe each; the others are
-- found once per plan and day (th_territory_among, as th_in_territory says
-- of each: after a reform, every submission naming a plan of a province
-- that ceased; one by one they took 3 ms each).
CREATE OR REPLACE FUNCTION th_ingest_plan_checks(p_unit text[], p_year integer[], p_quarter integer[],
                                                 p_plan text[])
RETURNS text[] LANGUAGE plpgsql STABLE
SET enable_seqscan = off
SET jit = off
AS $$
BEGIN
RETURN (
WITH s AS MATERIALIZED (   -- (the unit's key as th_ingest_batch finds it)
    SELECT a.o::integer AS idx, a.plan, a.y, a.q, u.code AS key
      FROM unnest(p_unit, p_year, p_quarter, p_plan) WITH ORDINALITY AS a(unit, y, q, plan, o)
      LEFT JOIN LATERAL (
          SELECT code FROM units
           WHERE gso_code = a.unit
             AND valid_from < make_date(a.y, (a.q - 1) * 3 + 1, 1) + interval '3 months'
             AND (valid_to IS NULL OR valid_to > make_date(a.y, (a.q - 1) * 3 + 1, 1))
           ORDER BY valid_from DESC LIMIT 1) u ON a.plan IS NOT NULL
),
-- The submissions naming a plan, with the plan's issuer (NULL: no such
-- plan) and the day the unit is looked for (th_ingest_plan_day), and
-- whether it lies below the issuer then.
pc AS MATERIALIZED (
    SELECT s.idx, s.plan, s.key, c.issuer, c.day,
           c.issuer IS NOT NULL AND th_within(s.key, c.issuer, c.day) AS within
      FROM s
      CROSS JOIN LATERAL (
          SELECT (SELECT p.issuer_unit FROM current_plans p WHERE p.code = s.plan) AS issuer,
                 th_ingest_plan_day(s.key, s.y, s.q) AS day
          OFFSET 0) c
     WHERE s.plan IS NOT NULL AND s.key IS NOT NULL
),
-- ... the others in the plan's territory through the succession: once per
-- plan and day for the batch (see above).
pcov AS MATERIALIZED (
    SELECT g.plan, g.day, t.code
      FROM (SELECT pc.plan, pc.issuer, pc.day, array_agg(DISTINCT pc.key) AS keys
              FROM pc WHERE pc.issuer IS NOT NULL AND NOT pc.within
             GROUP BY pc.plan, pc.issuer, pc.day) g
      CROSS JOIN LATERAL th_territory_among(g.keys, g.issuer, g.day) AS t(code)
),
pbad AS (
    SELECT pc.idx,
           CASE WHEN pc.issuer IS NULL THEN 'NOT_FOUND'
                WHEN pc.within THEN NULL
                WHEN EXISTS (SELECT 1 FROM pcov x WHERE x.plan = pc.plan AND x.day = pc.day AND x.code = pc.key)
                THEN NULL
                ELSE 'OUTSIDE_PLAN' END AS bad
      FROM pc
)
SELECT array_agg(pb.bad ORDER BY s.idx) FROM s LEFT JOIN pbad pb ON pb.idx = s.idx);
END;
$$;

-- Stores a batch of submissions in one statement, checking them by joins
-- rather than one call and a loop of lookups each: the server's group
-- commit (server/ingest.c) calls it once per round of a transaction. The
-- rules are th_ingest_submission's, in the same order (an id already stored:
-- duplicate or ID_REUSED; the unit that held the code in the quarter, else
-- UNIT_CEASED, UNIT_NOT_YET or UNKNOWN_UNIT; the plan named, else NOT_FOUND, or
-- OUTSIDE_PLAN; each value's indicator and kind, the first
-- bad one named; an approval locking the quarter: PERIOD_LOCKED), and each submission gets the outcome it would get alone.
-- The caller guarantees that within one call no id, and no unit code and
-- quarter, appears twice (it splits a batch into rounds, called in order),
-- so a correction sent twice in one batch supersedes in order and one row
-- of current_results is never written twice by one statement.
--   p_*    one element per submission (p_raw_hex: the packed content whose
--          SHA-256 is the digest, hex)
--   v_*    one element per value; v_sub is its submission's index in p_*
-- Returns one row per submission, idx its index (from 1).
CREATE OR REPLACE FUNCTION th_ingest_batch(
    p_id uuid[], p_unit text[], p_year integer[], p_quarter integer[], p_plan text[],
    p_created_at bigint[], p_raw_hex text[],
    v_sub integer[], v_ind text[], v_num bigint[], v_den bigint[], v_val bigint[], v_txt text[])
RETURNS TABLE (idx integer, outcome text, err_code text, err_field text, err_detail text,
               stored integer, superseded integer, stored_at bigint)
-- PL/pgSQL for its plan cache: a LANGUAGE sql function plans this statement
-- again at every call, which cost as much as running it.
LANGUAGE plpgsql
-- Every lookup is one row by its key: an index probe whatever the table
-- statistics say. The plan is cached for the session: made while the
-- tables were nearly empty (a new database), it scanned them whole ever
-- after, and the first burst took 42 s instead of 5 (bench/RESULTS.md).
SET enable_seqscan = off
-- Its cost estimates pass jit_above_cost; compiling took longer than
-- running the statement.
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    plan_bad text[];  -- per submission: why it may not name its plan (th_ingest_plan_checks)
BEGIN
-- Only a batch naming a plan reads the plans: one that names none is
-- stored even while they are locked (reads_beside_ingest.sh).
IF EXISTS (SELECT 1 FROM unnest(p_plan) AS x WHERE x IS NOT NULL) THEN
    plan_bad := th_ingest_plan_checks(p_unit, p_year, p_quarter, p_plan);
END IF;
RETURN QUERY
WITH t AS MATERIALIZED (SELECT th_now() AS now_t),  -- the test clock when set (05_clock.sql)
-- The arrays are read by one unnest each: subscripting a text array
-- (p_unit[o]) walks it from the start, so a loop of subscripts is
-- quadratic in the batch.
-- (The unit's key as th_unit_key_in finds it, written out as a join: a
-- function call per row costs more than the rest of the statement.)
s AS MATERIALIZED (
    SELECT a.o::integer AS idx, a.id, a.unit, a.y, a.q, a.plan, a.created,
           sha256(decode(a.raw_hex, 'hex')) AS digest, u.code AS key
      FROM unnest(p_id, p_unit, p_year, p_quarter, p_plan, p_created_at, p_raw_hex)
           WITH ORDINALITY AS a(id, unit, y, q, plan, created, raw_hex, o)
      LEFT JOIN LATERAL (
          SELECT code FROM units
           WHERE gso_code = a.unit
             AND valid_from < make_date(a.y, (a.q - 1) * 3 + 1, 1) + interval '3 months'
             AND (valid_to IS NULL OR valid_to > make_date(a.y, (a.q - 1) * 3 + 1, 1))
           ORDER BY valid_from DESC LIMIT 1) u ON true
),
v AS MATERIALIZED (
    SELECT a.idx, a.ind, a.num, a.den, a.val, a.txt,
           (row_number() OVER (PARTITION BY a.idx ORDER BY a.k) - 1)::integer AS pos
      FROM unnest(v_sub, v_ind, v_num, v_den, v_val, v_txt)
           WITH ORDINALITY AS a(idx, ind, num, den, val, txt, k)
),
-- The indicators the batch names, locked (key share) until it commits: a
-- catalogue publication that would change one's kind or aggregation waits
-- for it, and then sees its values (th_catalogue_store: INDICATOR_IN_USE).
-- (A foreign key took this lock per value; one per indicator is enough.)
ind AS MATERIALIZED (
    SELECT i.code, i.kind FROM indicators i
     WHERE i.code IN (SELECT DISTINCT v.ind FROM v)
       FOR KEY SHARE
),
-- The first value per submission whose indicator is unknown or whose kind
-- does not match.
bad AS (
    SELECT DISTINCT ON (v.idx) v.idx,
           CASE WHEN i.code IS NULL THEN 'UNKNOWN_INDICATOR' ELSE 'WRONG_KIND' END AS code,
           CASE WHEN i.code IS NULL THEN format('values[%s].indicator_code', v.pos)
                ELSE format('values[%s]', v.pos) END AS field,
           CASE WHEN i.code IS NULL THEN v.ind ELSE i.kind END AS detail
      FROM v LEFT JOIN ind i ON i.code = v.ind
     WHERE i.code IS NULL
        OR (i.kind = 'ratio' AND (v.num IS NULL OR v.den IS NULL OR v.val IS NOT NULL OR v.txt IS NOT NULL))
        OR (i.kind = 'count' AND (v.val IS NULL OR v.num IS NOT NULL OR v.den IS NOT NULL OR v.txt IS NOT NULL))
        OR (i.kind = 'qualitative' AND (v.txt IS NULL OR v.num IS NOT NULL OR v.den IS NOT NULL OR v.val IS NOT NULL))
     ORDER BY v.idx, v.pos
),
-- Lookups into the stored tables are LATERAL subqueries and subplans, so
-- that each is an index probe per row of the batch: written as joins, the
-- cached plan hashed the whole of submissions and current_results for every
-- batch, a cost that grew with every quarter stored (bench/RESULTS.md).
chk AS MATERIALIZED (
    SELECT s.*, p.id IS NOT NULL AS seen, p.digest AS prev_digest, p.value_count AS prev_count,
           p.superseded_count AS prev_sup, p.received_at AS prev_at,
           coalesce(pl.bad, b.code) AS bad_code,
           CASE WHEN pl.bad IS NOT NULL THEN 'plan_code' ELSE b.field END AS bad_field,
           CASE WHEN pl.bad IS NOT NULL THEN s.plan ELSE b.detail END AS bad_detail,
           coalesce(n.nvals, 0) AS nvals,
           coalesce(n.inds, '{}') AS inds, lk.locked
      FROM s
      LEFT JOIN LATERAL (   -- (OFFSET 0: kept a probe, never flattened into a join)
          SELECT x.id, x.digest, x.value_count, x.superseded_count, x.received_at
            FROM submissions x WHERE x.id = s.id OFFSET 0) p ON true
      -- A plan named must exist and cover the unit (th_ingest_plan_checks).
      LEFT JOIN unnest(plan_bad) WITH ORDINALITY AS pl(bad, idx) ON pl.idx = s.idx
      LEFT JOIN bad b ON b.idx = s.idx
      LEFT JOIN (SELECT v.idx, count(*)::integer AS nvals, array_agg(DISTINCT v.ind ORDER BY v.ind) AS inds
                   FROM v GROUP BY v.idx) n ON n.idx = s.idx
      -- An approval standing over the unit's quarter that locks one of the
      -- indicators sent (47_approval.sql): who approved, when, which plan.
      LEFT JOIN LATERAL (
          SELECT au.gso_code || ' ' || au.name_with_type || ', '
                 || to_char(a.changed_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') || ', ' || a.plan_code
                 AS locked
            FROM period_locks l
            JOIN approvals a ON a.id = l.approval_id
            JOIN units au ON au.code = a.unit_key
           WHERE l.unit_key = s.key AND l.year = s.y AND l.quarter = s.q
             AND a.indicator_codes && n.inds
           ORDER BY a.changed_at, a.id LIMIT 1 OFFSET 0) lk ON s.key IS NOT NULL
),
-- How many values each stored submission supersedes: those already in
-- current_results (one probe of its primary key per value).
sup AS MATERIALIZED (
    SELECT v.idx,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM current_results r
                WHERE r.unit_code = c.key AND r.indicator_code = v.ind
                  AND r.year = c.y AND r.quarter = c.q))::integer AS sup
      FROM chk c JOIN v ON v.idx = c.idx
     WHERE NOT c.seen AND c.key IS NOT NULL AND c.bad_code IS NULL AND c.locked IS NULL
     GROUP BY v.idx
),
ok AS MATERIALIZED (
    SELECT c.*, coalesce(x.sup, 0) AS sup
      FROM chk c
      LEFT JOIN sup x ON x.idx = c.idx
     WHERE NOT c.seen AND c.key IS NOT NULL AND c.bad_code IS NULL AND c.locked IS NULL
),
ins_s AS (
    INSERT INTO submissions (id, unit_code, year, quarter, plan_code, digest,
                             value_count, superseded_count, client_created_at, received_at, indicator_codes)
    SELECT ok.id, ok.key, ok.y, ok.q, ok.plan, ok.digest, ok.nvals, ok.sup,
           CASE WHEN ok.created IS NULL THEN NULL ELSE to_timestamp(ok.created) END, t.now_t, ok.inds
      FROM ok, t
),
ins_v AS (
    INSERT INTO result_values (submission_id, indicator_code, unit_code, year, quarter,
                               numerator, denominator, value, text)
    SELECT ok.id, v.ind, ok.key, ok.y, ok.q, v.num, v.den, v.val, v.txt
      FROM ok JOIN v ON v.idx = ok.idx
),
ups AS (
    INSERT INTO current_results AS c (unit_code, indicator_code, year, quarter, submission_id,
                                      numerator, denominator, value, text, updated_at)
    SELECT ok.key, v.ind, ok.y, ok.q, ok.id, v.num, v.den, v.val, v.txt, t.now_t
      FROM ok JOIN v ON v.idx = ok.idx, t
    ON CONFLICT (unit_code, indicator_code, year, quarter) DO UPDATE
       SET submission_id = EXCLUDED.submission_id, numerator = EXCLUDED.numerator,
           denominator = EXCLUDED.denominator, value = EXCLUDED.value,
           text = EXCLUDED.text, updated_at = EXCLUDED.updated_at
),
-- Why a unit was not found: computed only for those (a LATERAL join
-- computed it for every row and then dropped it).
r AS (
    SELECT c.*, ok.idx IS NOT NULL AS stored_now, ok.nvals AS ok_nvals, ok.sup AS ok_sup,
           CASE WHEN c.key IS NULL AND NOT c.seen
                THEN th_unit_ceased_text(th_unit_key_before(c.unit, make_date(c.y, (c.q - 1) * 3 + 1, 1)))
           END AS ceased,
           CASE WHEN c.key IS NULL AND NOT c.seen
                THEN th_unit_begun_text(th_unit_key_after(c.unit, make_date(c.y, (c.q - 1) * 3 + 1, 1)))
           END AS begun
      FROM chk c LEFT JOIN ok ON ok.idx = c.idx
)
SELECT c.idx,
       CASE WHEN c.seen AND c.prev_digest = c.digest THEN 'duplicate'
            WHEN c.seen OR c.key IS NULL OR c.bad_code IS NOT NULL OR c.locked IS NOT NULL THEN 'rejected'
            ELSE 'stored' END,
       CASE WHEN c.seen AND c.prev_digest = c.digest THEN NULL
            WHEN c.seen THEN 'ID_REUSED'
            WHEN c.key IS NULL THEN CASE WHEN c.ceased IS NOT NULL THEN 'UNIT_CEASED'
                                         WHEN c.begun IS NOT NULL THEN 'UNIT_NOT_YET' ELSE 'UNKNOWN_UNIT' END
            WHEN c.bad_code IS NOT NULL THEN c.bad_code
            WHEN c.locked IS NOT NULL THEN 'PERIOD_LOCKED' END,
       CASE WHEN c.seen AND c.prev_digest = c.digest THEN NULL
            WHEN c.seen THEN 'submission_id'
            WHEN c.key IS NULL THEN 'unit_code'
            WHEN c.bad_code IS NOT NULL THEN c.bad_field
            WHEN c.locked IS NOT NULL THEN 'period' END,
       CASE WHEN c.seen AND c.prev_digest = c.digest THEN NULL
            WHEN c.seen THEN c.id::text
            WHEN c.key IS NULL THEN c.unit || coalesce(' ' || c.ceased, ' ' || c.begun, '')
            WHEN c.bad_code IS NOT NULL THEN c.bad_detail
            ELSE c.locked END,
       CASE WHEN c.seen AND c.prev_digest = c.digest THEN c.prev_count
            WHEN c.stored_now THEN c.ok_nvals ELSE 0 END,
       CASE WHEN c.seen AND c.prev_digest = c.digest THEN c.prev_sup
            WHEN c.stored_now THEN c.ok_sup ELSE 0 END,
       CASE WHEN c.seen AND c.prev_digest = c.digest THEN extract(epoch FROM c.prev_at)::bigint
            WHEN c.stored_now THEN extract(epoch FROM t.now_t)::bigint END
  FROM r c CROSS JOIN t
 ORDER BY c.idx;
END
$$;
