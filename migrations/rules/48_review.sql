-- rules/48_review.sql: review before approval: data-quality flags that tell a reviewer where to look (`tonghop review`).
--
-- Three rules flag a unit's values for a plan's ratio indicators; none
-- refuses anything (issue #13; README, "Review"):
--  * above_100: the unit's value for the period asked (unit_period_values,
--    35_unit_values.sql: what the report adds up) has a numerator above its
--    denominator. Typically a year, where a flow numerator added up over
--    the quarters exceeds a stock denominator (67 trained of 59 staff).
--  * denominator_jump: the unit's own denominator for a quarter
--    (current_results) is more than th_review_jump_factor() times, or less
--    than 1/th_review_jump_factor() of, its denominator of the quarter
--    before (possibly in the previous year); from 0 to more than 0 counts.
--  * stock_changed: the indicator's denominator is a stock, it changed from
--    the quarter before (and did not jump: one flag per value), although the
--    unit did not change: it existed through both quarters and no
--    succession names it between them. (After a merger the new unit's
--    denominator naturally changes: its first quarter has no quarter before
--    of its own, and nothing is flagged.)
-- For a year the quarters of the year are each compared with the one
-- before. The units are those of the report's territory on the period's
-- last day (th_subtree, th_in_territory), with, for rules 2 and 3, their
-- predecessors whose results count there (unit_successions, th_heirs_at).
--
-- Rules 2 and 3 read review_candidates (migration 015): each unit's
-- quarters whose denominator changed so, kept up to date by a trigger on
-- current_results, so that a report counts its flagged values without
-- reading every quarter of its territory.
--
-- A rules file: SQL functions only, re-applied by `tonghopd migrate`
-- whenever its content changes (the candidates are then rebuilt: the last
-- statement). Every statement must be re-runnable.

-- The factor beyond which a denominator "jumps" from one quarter to the
-- next: new > factor x old, or new x factor < old. The one place it is set.
CREATE OR REPLACE FUNCTION th_review_jump_factor()
RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT 2::numeric $$;

-- The candidates (see migration 015) of the units, years and quarters
-- named (element i of the arrays is one): each ratio value of the quarter
-- whose denominator differs from the same unit's quarter before and jumped
-- or is a stock. Probes by key (current_results' primary key).
CREATE OR REPLACE FUNCTION th_review_compute(p_unit text[], p_year integer[], p_quarter integer[])
RETURNS TABLE (unit_code text, year smallint, quarter smallint, indicator_code text,
               den bigint, prev_den bigint, jump boolean)
LANGUAGE sql STABLE AS $$
    SELECT c.unit_code, c.year, c.quarter, c.indicator_code, c.denominator, p.denominator,
           c.denominator > th_review_jump_factor() * p.denominator
           OR c.denominator * th_review_jump_factor() < p.denominator
      FROM (SELECT DISTINCT k.u, k.y, k.q FROM unnest(p_unit, p_year, p_quarter) AS k(u, y, q)) k
      CROSS JOIN LATERAL (SELECT c0.* FROM current_results c0
                           WHERE c0.unit_code = k.u AND c0.year = k.y AND c0.quarter = k.q
                             AND c0.denominator IS NOT NULL OFFSET 0) c
      -- The quarter before: a probe per value (OFFSET 0: never flattened
      -- into a join). Written as a join, the plan made after a first
      -- quarter (statistics with no quarter before it) read the whole
      -- index for every batch, and the second quarter's burst took twice
      -- as long (bench/RESULTS.md).
      CROSS JOIN LATERAL (SELECT p0.denominator FROM current_results p0
                           WHERE p0.unit_code = c.unit_code AND p0.indicator_code = c.indicator_code
                             AND p0.year = CASE WHEN k.q = 1 THEN k.y - 1 ELSE k.y END
                             AND p0.quarter = CASE WHEN k.q = 1 THEN 4 ELSE k.q - 1 END
                           OFFSET 0) p
      JOIN indicators i ON i.code = c.indicator_code
     WHERE p.denominator IS NOT NULL AND c.denominator <> p.denominator
       AND (c.denominator > th_review_jump_factor() * p.denominator
            OR c.denominator * th_review_jump_factor() < p.denominator
            OR i.denominator_agg = 'stock')
$$;

-- After a statement wrote current_results: the candidates of each unit and
-- quarter written, and of the quarter after it (compared with this one),
-- computed anew. A unit's rows are written by the transaction storing its
-- results only (the ingest lane is partitioned by unit): no lock needed.
CREATE OR REPLACE FUNCTION th_review_on_results()
RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off  -- probes by key (see th_unit_values_refresh)
SET jit = off
AS $$
DECLARE
    us text[];
    ys integer[];
    qs integer[];
BEGIN
    WITH w AS (SELECT DISTINCT n.unit_code, n.year::integer AS y, n.quarter::integer AS q FROM new_rows n),
    k AS (SELECT w.unit_code, w.y, w.q FROM w
          UNION
          SELECT w.unit_code, CASE WHEN w.q = 4 THEN w.y + 1 ELSE w.y END, CASE WHEN w.q = 4 THEN 1 ELSE w.q + 1 END
            FROM w)
    SELECT array_agg(k.unit_code), array_agg(k.y), array_agg(k.q) INTO us, ys, qs FROM k;
    IF us IS NULL THEN
        RETURN NULL;
    END IF;
    -- The rows of those units and quarters, found by one probe each
    -- (LATERAL ... OFFSET 0) and deleted by their row ids: written as a
    -- join, the plan made while the table was empty (after a first
    -- quarter) walked the whole table for every batch as it filled, and
    -- the second quarter's burst took twice as long (bench/RESULTS.md).
    DELETE FROM review_candidates
     WHERE ctid = ANY (ARRAY(
               SELECT r.ctid
                 FROM unnest(us, ys, qs) AS k(u, y, q)
                 CROSS JOIN LATERAL (SELECT r0.ctid FROM review_candidates r0
                                      WHERE r0.unit_code = k.u AND r0.year = k.y AND r0.quarter = k.q
                                     OFFSET 0) r));
    INSERT INTO review_candidates (unit_code, year, quarter, indicator_code, den, prev_den, jump)
    SELECT c.unit_code, c.year, c.quarter, c.indicator_code, c.den, c.prev_den, c.jump
      FROM th_review_compute(us, ys, qs) c;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER current_results_review_ins AFTER INSERT ON current_results
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION th_review_on_results();
CREATE OR REPLACE TRIGGER current_results_review_upd AFTER UPDATE ON current_results
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION th_review_on_results();

-- Every candidate computed anew from the stored results (when this file
-- changes: the factor or the rules may have).
CREATE OR REPLACE FUNCTION th_review_rebuild()
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    DELETE FROM review_candidates;
    INSERT INTO review_candidates (unit_code, year, quarter, indicator_code, den, prev_den, jump)
    SELECT c.unit_code, c.year, c.quarter, c.indicator_code, c.den, c.prev_den, c.jump
      FROM (SELECT array_agg(k.unit_code) AS us, array_agg(k.year::integer) AS ys,
                   array_agg(k.quarter::integer) AS qs
              FROM (SELECT DISTINCT unit_code, year, quarter FROM current_results) k) a
      CROSS JOIN LATERAL th_review_compute(a.us, a.ys, a.qs) c;
    SELECT count(*) INTO n FROM review_candidates;
    RETURN n;
END;
$$;

-- The period of a flag in Vietnamese: "năm 2025" (quarter 0), "quý 3/2025".
-- (This and the two below are STABLE, as text || integer is: declared
-- IMMUTABLE they could not be inlined into the report's statement.)
CREATE OR REPLACE FUNCTION th_review_period_vi(p_year integer, p_quarter integer)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_quarter = 0 THEN 'năm ' || p_year ELSE 'quý ' || p_quarter || '/' || p_year END
$$;

-- A flag in words, in Vietnamese (the official report is always in
-- Vietnamese; `tonghop review` words the structured fields itself).
CREATE OR REPLACE FUNCTION th_review_text_vi(p_rule text, p_year integer, p_quarter integer,
                                             p_num numeric, p_den numeric, p_prev numeric)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT upper(left(th_review_period_vi(p_year, p_quarter), 1)) || substr(th_review_period_vi(p_year, p_quarter), 2)
           || ': ' ||
           CASE p_rule
               WHEN 'above_100' THEN
                   'tử số ' || p_num || ' lớn hơn mẫu số ' || p_den
                   || CASE WHEN p_den > 0 THEN ' (' || replace(round(100 * p_num / p_den, 1)::text, '.', ',') || '%)'
                           ELSE '' END
               WHEN 'denominator_jump' THEN
                   CASE WHEN p_den > p_prev
                        THEN 'mẫu số tăng từ ' || p_prev || ' lên ' || p_den || ' so với quý trước (gấp hơn '
                             || replace(th_review_jump_factor()::text, '.', ',') || ' lần)'
                        ELSE 'mẫu số giảm từ ' || p_prev || ' xuống ' || p_den || ' so với quý trước (còn dưới 1/'
                             || replace(th_review_jump_factor()::text, '.', ',') || ')' END
               WHEN 'stock_changed' THEN
                   'mẫu số (số tại thời điểm) đổi từ ' || p_prev || ' thành ' || p_den
                   || ' so với quý trước, trong khi đơn vị không thay đổi địa giới'
           END
$$;

-- The flags of rules 2 and 3 (denominator_jump, stock_changed) for the
-- units p_keys (keys of units on p_end, the period's last day) and the
-- indicators p_ind, for a year (p_quarter 0: each of its quarters) or a
-- quarter: one row per sender (the unit itself, or a predecessor whose
-- results belong to it on p_end), indicator and quarter, with end_key the
-- unit of p_keys it counts in.
-- The candidates are found two ways, the same rows either way: for up to
-- 2,000 keys (a commune, a district, a province), by a probe per unit
-- whose results may belong to a key (th_unit_sender_candidates); for more
-- (the country), or when the whole period has at most 200 candidates, by
-- one pass over the period's candidates. Their senders
-- are then placed: the keys themselves, or, for a unit that is no key,
-- its heir on p_end (th_heirs_at, as the values count it: predecessors,
-- and units that left no successor, through the unit above) when that is
-- a key. The country's probes, 11,000 keys and their
-- predecessors, took a quarter of its report (bench/RESULTS.md); the pass
-- over the country's candidates took a province of 610 units (Hà Nội on
-- the 2024 map) 40 ms where its probes take 18.
-- (Planned with its arguments unknown, force_generic_plan. Planned for
-- each call's arrays, the country's flags took 150 ms instead of 220 on a
-- steady database, but right after a burst, the statistics not yet knowing
-- the quarter's new candidates, its plan compared each of them with every
-- key: the country's 2025Q4 report took 3.7 s, not 0.7. PL/pgSQL rather
-- than SQL so that the plan is kept for the connection: an SQL function
-- called with a subquery for an argument is planned again at each call, a
-- quarter of a province's report.)
CREATE OR REPLACE FUNCTION th_review_changes(p_keys text[], p_year integer, p_quarter integer, p_end date,
                                             p_ind text[])
RETURNS TABLE (end_key text, unit_code text, indicator_code text, quarter integer, rule text,
               den bigint, prev_den bigint)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
-- (Its probes are index scans: a bitmap scan, rescanned for each of a
-- province's few hundred candidates, asked the table's size of the kernel
-- each time, 7 % of a province's report.)
SET enable_bitmapscan = off
AS $$
#variable_conflict use_column
DECLARE
    q_from integer := CASE WHEN p_quarter = 0 THEN 1 ELSE p_quarter END;
    q_to   integer := CASE WHEN p_quarter = 0 THEN 4 ELSE p_quarter END;
    probe  boolean := cardinality(p_keys) <= 2000;
BEGIN
    -- A period with few candidates in the whole country (none, in a year
    -- whose denominators held still): all of them are read, by the index
    -- on the period (migration 020), rather than a probe for each unit
    -- whose results may belong to a key (a province's 124 communes and
    -- their predecessors: 500 probes, a seventh of its report).
    IF probe THEN
        probe := (SELECT count(*) FROM (SELECT 1 FROM review_candidates r0
                                         WHERE r0.year = p_year AND r0.quarter BETWEEN q_from AND q_to
                                         LIMIT 201) x) > 200;
    END IF;
    RETURN QUERY
    WITH keys AS MATERIALIZED (
        SELECT DISTINCT k FROM unnest(p_keys) AS k
    ), found AS MATERIALIZED (  -- few keys: a probe per unit whose results may belong
                                -- to one (th_unit_sender_candidates: the keys, their
                                -- predecessors, and the units that left no successor
                                -- below them, Bình Hưng under Phan Thiết)
        SELECT r.* FROM th_unit_sender_candidates(p_keys, p_end) AS cand(code)
          CROSS JOIN LATERAL (SELECT r0.* FROM review_candidates r0
                               WHERE r0.unit_code = cand.code AND r0.year = p_year
                                 AND r0.quarter BETWEEN (CASE WHEN p_quarter = 0 THEN 1 ELSE p_quarter END)
                                                    AND (CASE WHEN p_quarter = 0 THEN 4 ELSE p_quarter END)
                                 AND r0.indicator_code = ANY (p_ind)
                              OFFSET 0) r
         WHERE probe
    ), period AS MATERIALIZED (  -- many keys, or few candidates: the period's candidates
        SELECT r0.* FROM review_candidates r0
         WHERE r0.year = p_year AND r0.quarter BETWEEN q_from AND q_to
           AND r0.indicator_code = ANY (p_ind)
           AND NOT probe
    ), rows AS (
        SELECT f.* FROM found f
        UNION ALL
        SELECT p.* FROM period p
    ), placed AS (     -- the senders that are no key: where their results count
                       -- on p_end (th_heirs_at), when that is a key; heirs are
                       -- looked for only for the few senders with a candidate
        SELECT h.orig, h.key
          FROM th_heirs_at(ARRAY(SELECT DISTINCT r.unit_code FROM rows r
                                  WHERE r.unit_code NOT IN (SELECT k FROM keys)), p_end) h
         WHERE h.key IN (SELECT k FROM keys)
    ), c0 AS (
        SELECT r.unit_code AS end_key, r.unit_code, r.indicator_code, r.quarter, r.den, r.prev_den, r.jump
          FROM rows r WHERE r.unit_code IN (SELECT k FROM keys)
        UNION ALL
        SELECT pl.key, r.unit_code, r.indicator_code, r.quarter, r.den, r.prev_den, r.jump
          FROM rows r JOIN placed pl ON pl.orig = r.unit_code
    ), c AS (
        SELECT c0.end_key, c0.unit_code, c0.indicator_code, c0.quarter::integer AS quarter, c0.den, c0.prev_den,
               c0.jump, i.denominator_agg = 'stock' AS stock
          FROM c0 JOIN indicators i ON i.code = c0.indicator_code
    ), unchanged AS (  -- the senders that did not change between a stock's quarter
                       -- and the one before: each once per quarter (a probe
                       -- per row was most of the country's review)
        SELECT x.unit_code, x.quarter
          FROM (SELECT DISTINCT c.unit_code, c.quarter FROM c WHERE c.stock AND NOT c.jump) x
          CROSS JOIN LATERAL (
              SELECT make_date(CASE WHEN x.quarter = 1 THEN p_year - 1 ELSE p_year END,
                               (CASE WHEN x.quarter = 1 THEN 4 ELSE x.quarter - 1 END - 1) * 3 + 1, 1) AS prev_start,
                     (make_date(p_year, (x.quarter - 1) * 3 + 1, 1) + interval '3 months' - interval '1 day')::date
                         AS q_end) d
          JOIN units u ON u.code = x.unit_code
         -- it existed through both quarters ...
         WHERE u.valid_from <= d.prev_start AND (u.valid_to IS NULL OR u.valid_to > d.q_end)
           -- ... and no succession names it between them
           AND NOT EXISTS (SELECT 1 FROM unit_successions s
                            WHERE s.predecessor = x.unit_code
                              AND s.valid_from > d.prev_start AND s.valid_from <= d.q_end)
           AND NOT EXISTS (SELECT 1 FROM unit_successions s
                            WHERE s.successor = x.unit_code
                              AND s.valid_from > d.prev_start AND s.valid_from <= d.q_end)
    )
    SELECT c.end_key, c.unit_code, c.indicator_code, c.quarter,
           CASE WHEN c.jump THEN 'denominator_jump' ELSE 'stock_changed' END, c.den, c.prev_den
      FROM c
     WHERE c.jump
        OR (c.stock AND (c.unit_code, c.quarter) IN (SELECT n.unit_code, n.quarter FROM unchanged n));
END;
$$;

-- Every flag for the units p_keys (on p_end) and the ratio indicators
-- p_ind, for a year (p_quarter 0) or a quarter: above_100 from the units'
-- values for the period, the others from th_review_changes. num and den
-- are the value's (above_100) or the quarter's denominator and the one
-- before (prev_den). unit_code: the unit whose values they are.
-- p_out_keys, p_out_from and p_issuer: on a plan's territory that is not
-- whole, the keys whose values hold results from outside it and the
-- senders of those results (th_unit_senders_outside, as th_report_compute
-- leaves them out): those keys' values are computed from the plan's
-- senders alone, and those senders' quarters are not flagged.
DROP FUNCTION IF EXISTS th_review_flags(text[], integer, integer, date, text[]);
CREATE OR REPLACE FUNCTION th_review_flags(p_keys text[], p_year integer, p_quarter integer, p_end date,
                                           p_ind text[], p_out_keys text[] DEFAULT '{}',
                                           p_out_from text[] DEFAULT '{}', p_issuer text DEFAULT NULL)
RETURNS TABLE (end_key text, unit_code text, indicator_code text, quarter integer, rule text,
               num numeric, den numeric, prev_den numeric)
LANGUAGE sql STABLE AS $$
    SELECT v.end_key, v.end_key, v.indicator_code, p_quarter, 'above_100', v.num, coalesce(v.den, 0), NULL::numeric
      FROM unnest(p_keys) AS k
      CROSS JOIN LATERAL (SELECT v0.end_key, v0.indicator_code, v0.num, v0.den FROM unit_period_values v0
                           WHERE v0.year = p_year AND v0.quarter = p_quarter AND v0.end_key = k
                             AND v0.indicator_code = ANY (p_ind) OFFSET 0) v
     WHERE v.num > coalesce(v.den, 0) AND v.end_key <> ALL (p_out_keys)
    UNION ALL
    SELECT v.end_key, v.end_key, v.indicator_code, p_quarter, 'above_100', v.num, coalesce(v.den, 0), NULL::numeric
      FROM th_unit_values_compute(p_year, p_quarter, p_out_keys, p_issuer) v
     WHERE cardinality(p_out_keys) > 0 AND v.indicator_code = ANY (p_ind) AND v.num > coalesce(v.den, 0)
    UNION ALL
    SELECT c.end_key, c.unit_code, c.indicator_code, c.quarter, c.rule, NULL, c.den, c.prev_den
      FROM th_review_changes(p_keys, p_year, p_quarter, p_end, p_ind) c
     WHERE c.unit_code <> ALL (p_out_from)
$$;

-- One flag as JSON: unit {code, name}, indicator, year, quarter (0: the
-- year), rule, numerator (above_100), denominator, previous_denominator
-- (the quarter before), percent (above_100), text (Vietnamese). The
-- report's quality_notes[] and the review's flags[] are made of these.
-- th_review_flag_text writes it out as text, as jsonb writes it (its keys
-- by length, then byte by byte; ": " and ", "): a report lists up to 50
-- in its text, and jsonb_build_object, nested, then jsonb_agg, took a
-- seventh of a province's report. th_review_flag_json reads that text.
CREATE OR REPLACE FUNCTION th_review_flag_text(p_code text, p_name text, p_indicator text, p_year integer,
                                               p_quarter integer, p_rule text, p_num numeric, p_den numeric,
                                               p_prev numeric)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT '{"rule": ' || coalesce(to_json(p_rule)::text, 'null')
        || ', "text": ' || coalesce(to_json(th_review_text_vi(p_rule, p_year, p_quarter, p_num, p_den, p_prev))::text,
                                    'null')
        || ', "unit": {"code": ' || coalesce(to_json(p_code)::text, 'null')
        || ', "name": ' || coalesce(to_json(p_name)::text, 'null') || '}'
        || ', "year": ' || coalesce(p_year::text, 'null')
        || ', "percent": ' || coalesce(CASE WHEN p_rule = 'above_100' AND p_den > 0
                                            THEN to_json(round(100 * p_num / p_den, 1))::text END, 'null')
        || ', "quarter": ' || coalesce(p_quarter::text, 'null')
        || ', "indicator": ' || coalesce(to_json(p_indicator)::text, 'null')
        || ', "numerator": ' || coalesce(to_json(p_num)::text, 'null')
        || ', "denominator": ' || coalesce(to_json(p_den)::text, 'null')
        || ', "previous_denominator": ' || coalesce(to_json(p_prev)::text, 'null')
        || '}'
$$;
CREATE OR REPLACE FUNCTION th_review_flag_json(p_code text, p_name text, p_indicator text, p_year integer,
                                               p_quarter integer, p_rule text, p_num numeric, p_den numeric,
                                               p_prev numeric)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT th_review_flag_text(p_code, p_name, p_indicator, p_year, p_quarter, p_rule, p_num, p_den, p_prev)::jsonb
$$;

-- The review of a plan for a period (a year "2025" or a quarter "2025Q3")
-- at a unit (a GSO code; NULL: the plan's issuer), as one JSON document
-- (format tonghop-review/1, see the README):
--   plan {code, title}, period {code, start, end}, unit {code, name, role},
--   factor (th_review_jump_factor), total,
--   flags[]: unit {code, name} (the unit whose values they are, named as in
--            the period), indicator, indicator_name, year, quarter (0: the
--            year), rule, numerator (above_100), denominator,
--            previous_denominator (the quarter before), percent
--            (above_100), text (Vietnamese)
-- sorted by unit code, indicator, quarter, rule. The territory is the
-- report's (th_report_compute): the units under the unit on the period's
-- last day, within the plan's territory; only the plan's ratio indicators
-- for the year. Refusals as th_report: TH026 NOT_FOUND (the plan), TH007
-- UNKNOWN_UNIT, TH029 UNIT_CEASED, TH028 OUTSIDE_PLAN.
DROP FUNCTION IF EXISTS th_review(text, text, text);
DROP FUNCTION IF EXISTS th_review_by_keys(text, text, text);
DROP FUNCTION IF EXISTS th_review_compute_json(text, text, text);
CREATE OR REPLACE FUNCTION th_review_compute_json(p_plan text, p_period text, p_unit text,
                                                  p_limit integer DEFAULT 1000)
RETURNS jsonb LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $$
DECLARE
    pl       plans%ROWTYPE;
    root     units%ROWTYPE;
    issuer   units%ROWTYPE;
    root_key text;
    y        integer := substr(p_period, 1, 4)::integer;
    q        integer := CASE WHEN length(p_period) = 6 THEN substr(p_period, 6, 1)::integer ELSE 0 END;
    p_start  date;
    p_end    date;
    whole    boolean;
    keys     text[];
    out_keys text[] := '{}';
    out_from text[] := '{}';
    inds     text[];
    flags    jsonb;
    total    bigint;
BEGIN
    SELECT * INTO pl FROM th_plan_or_raise(p_plan);
    PERFORM th_plan_year_or_raise(pl, y);
    SELECT * INTO issuer FROM units WHERE code = pl.issuer_unit;
    p_start := make_date(y, (CASE WHEN q = 0 THEN 1 ELSE q END - 1) * 3 + 1, 1);
    p_end := th_period_last_day(p_period);
    -- The unit, as the report's (th_plan_scope, 30_plans.sql).
    -- The territory on the last day, within the plan's (as the report's).
    SELECT s.root_key, s.whole, s.territory INTO root_key, whole, keys FROM th_plan_scope(issuer.code, p_unit, p_end) s;
    SELECT * INTO root FROM units WHERE code = root_key;
    IF whole THEN
        keys := ARRAY(SELECT t.code FROM th_subtree(root.code, p_end) t);
    ELSE   -- (what comes from outside the plan's territory: as the report)
        SELECT o.out_keys, o.out_from INTO out_keys, out_from FROM th_unit_senders_outside(y, q, keys, issuer.code) o;
    END IF;
    inds := ARRAY(SELECT t.indicator_code FROM plan_targets t JOIN indicators i ON i.code = t.indicator_code
                   WHERE t.plan_id = pl.id AND y BETWEEN t.year_from AND t.year_to AND i.kind = 'ratio');

    -- Every flag counted; the first p_limit (in the order shown) worded:
    -- the country's review may flag tens of thousands of values, and a
    -- list that long helps nobody (the reviewer narrows with --unit).
    WITH f AS MATERIALIZED (
        SELECT f.*, u.gso_code, u.name_with_type, u.code, i.name AS iname
          FROM th_review_flags(keys, y, q, p_end, inds, out_keys, out_from, issuer.code) f
          JOIN units u ON u.code = f.unit_code
          JOIN indicators i ON i.code = f.indicator_code
    )
    SELECT (SELECT count(*) FROM f),
           (SELECT jsonb_agg(th_review_flag_json(x.gso_code, x.name_with_type, x.indicator_code, y, x.quarter,
                                                 x.rule, x.num, x.den, x.prev_den)
                             || jsonb_build_object('indicator_name', x.iname)
                             ORDER BY x.gso_code, x.indicator_code, x.quarter, x.rule, x.code)
              FROM (SELECT * FROM f ORDER BY f.gso_code, f.indicator_code, f.quarter, f.rule, f.code
                     LIMIT greatest(p_limit, 0)) x)
      INTO total, flags;

    RETURN jsonb_build_object(
        'format', 'tonghop-review/1',
        'plan', jsonb_build_object('code', pl.code, 'title', pl.title),
        'period', jsonb_build_object('code', p_period, 'start', p_start, 'end', p_end),
        'unit', jsonb_build_object('code', root.gso_code, 'name', root.name_with_type,
                                   'role', th_unit_role(root.type, root.parent_code)),
        'factor', th_review_jump_factor(),
        'total', total,
        'flags', coalesce(flags, '[]'::jsonb));
END;
$$;

-- By keys below the national root (see th_report_by_keys, 40_report.sql).
CREATE OR REPLACE FUNCTION th_review_by_keys(p_plan text, p_period text, p_unit text, p_limit integer)
RETURNS jsonb LANGUAGE sql STABLE
SET enable_seqscan = off
AS $$ SELECT th_review_compute_json(p_plan, p_period, p_unit, p_limit) $$;

-- The review of a plan for a period at a unit (`tonghop review`): by keys
-- unless it is the country's, as th_report; at most p_limit flags listed
-- (total counts them all).
CREATE OR REPLACE FUNCTION th_review(p_plan text, p_period text, p_unit text, p_limit integer DEFAULT 1000)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF coalesce(p_unit, (SELECT issuer_unit FROM current_plans WHERE code = p_plan)) = 'VN' THEN
        RETURN th_review_compute_json(p_plan, p_period, p_unit, p_limit);
    END IF;
    RETURN th_review_by_keys(p_plan, p_period, p_unit, p_limit);
END;
$$;

-- This file's rules may have changed: the candidates are computed anew.
SELECT th_review_rebuild();
