-- rules/40_report.sql: Rollup and attainment: the report of a plan for a period at a unit.
--
-- The rules (DOMAIN.md):
--  * Roll up numerators and denominators, never percentages: a unit's value
--    is the sum of the numerators over the sum of the denominators of every
--    unit in its subtree (its own submission included).
--  * Time aggregation is per component, per unit, before summing over units:
--    a flow adds up over the quarters of the period, a stock takes the
--    latest quarter that unit reported in the period.
--  * A zero denominator is "no data", never 0%.
--  * Attainment compares exactly (numerator x 100 against target x
--    denominator), so 50% does not meet "> 50".
-- Each quarter's results follow the tree as it stood on the last day of that
-- quarter: a commune merged away in July still counts, in the district it
-- belonged to, for the first half of the year. A unit that moved during the
-- period adds its flows where it was each quarter and its stocks where it
-- was in its latest quarter.
--
-- A rules file: SQL functions and views only, applied by `tonghopd migrate`
-- after the versioned migrations whenever this file's content changes
-- (recorded in schema_rules with its SHA-256). Every statement must be
-- re-runnable (CREATE OR REPLACE); a changed signature needs a DROP ...
-- IF EXISTS first. Tables belong in versioned migrations (migrations/NNN_*.sql).

-- Each unit under root on a day: its depth, the child of root it lies under
-- ("top"; root for root itself) and its reporter: the nearest unit at or
-- above it, below root included, whose role is the reporting level.
CREATE OR REPLACE FUNCTION th_subtree_detail(p_root text, p_day date, p_level text)
RETURNS TABLE (code text, depth integer, top text, reporter text)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE t(code, depth, top, reporter) AS (
        SELECT u.code, 0, u.code,
               CASE WHEN th_unit_role(u.type, u.parent_code) = p_level THEN u.code END
          FROM units u
         WHERE u.code = p_root AND u.valid_from <= p_day AND (u.valid_to IS NULL OR u.valid_to > p_day)
        UNION ALL
        SELECT l.unit_code, t.depth + 1, CASE WHEN t.depth = 0 THEN l.unit_code ELSE t.top END,
               coalesce(t.reporter, CASE WHEN th_unit_role(c.type, l.parent_code) = p_level THEN l.unit_code END)
          FROM t
          JOIN unit_parents l ON l.parent_code = t.code
          JOIN units c ON c.code = l.unit_code
         WHERE l.valid_from <= p_day AND (l.valid_to IS NULL OR l.valid_to > p_day)
           AND c.valid_from <= p_day AND (c.valid_to IS NULL OR c.valid_to > p_day)
           AND t.depth < 32
    )
    SELECT code, depth, top, reporter FROM t
$$;

-- Does a rolled-up value meet a target? NULL when there is no data or the
-- target is not numeric.
CREATE OR REPLACE FUNCTION th_target_met(p_kind text, p_cmp text, p_target numeric,
                              p_num numeric, p_den numeric, p_val numeric)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_target IS NULL OR p_cmp IS NULL THEN NULL
        WHEN p_kind = 'ratio' AND coalesce(p_den, 0) > 0 THEN
            CASE p_cmp WHEN '>=' THEN p_num * 100 >= p_target * p_den
                       WHEN '>'  THEN p_num * 100 >  p_target * p_den
                       WHEN '='  THEN p_num * 100 =  p_target * p_den
                       WHEN '<=' THEN p_num * 100 <= p_target * p_den END
        WHEN p_kind = 'count' AND p_val IS NOT NULL THEN
            CASE p_cmp WHEN '>=' THEN p_val >= p_target
                       WHEN '>'  THEN p_val >  p_target
                       WHEN '='  THEN p_val =  p_target
                       WHEN '<=' THEN p_val <= p_target END
    END
$$;

-- One indicator's result as JSON, from its sums and the plan's target.
CREATE OR REPLACE FUNCTION th_indicator_json(p_code text, p_name text, p_kind text, p_programme text,
                                  p_cmp text, p_target numeric, p_target_text text,
                                  p_num numeric, p_den numeric, p_val numeric,
                                  p_units bigint, p_texts bigint)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'code', p_code, 'name', p_name, 'kind', p_kind, 'programme', p_programme,
        'numerator', CASE WHEN p_kind = 'ratio' THEN coalesce(p_num, 0) END,
        'denominator', CASE WHEN p_kind = 'ratio' THEN coalesce(p_den, 0) END,
        'value', CASE WHEN p_kind = 'count' THEN p_val END,
        'percent', CASE WHEN p_kind = 'ratio' AND coalesce(p_den, 0) > 0
                        THEN round(100 * p_num / p_den, 2) END,
        'no_data', CASE p_kind WHEN 'ratio' THEN coalesce(p_den, 0) = 0
                               WHEN 'count' THEN p_val IS NULL
                               ELSE coalesce(p_texts, 0) = 0 END,
        'units_reporting', coalesce(p_units, 0),
        'target', CASE WHEN p_target IS NOT NULL
                       THEN jsonb_build_object('comparator', p_cmp, 'value', p_target)
                       ELSE jsonb_build_object('text', p_target_text) END,
        'met', th_target_met(p_kind, p_cmp, p_target, p_num, p_den, p_val),
        'progress', CASE WHEN p_kind = 'count' AND p_target > 0 AND p_val IS NOT NULL
                         THEN round(100 * p_val / p_target, 1) END)
$$;

-- The report of a plan for a period ('2025' or '2025Q3') at a unit (NULL:
-- the plan's issuer), optionally with a row per child unit. Refuses (see
-- server/sqlerr.h) an unknown plan (TH026 NOT_FOUND, plan_code), an unknown
-- unit (TH007 UNKNOWN_UNIT, unit_code) and a unit outside the plan's
-- territory (TH028 OUTSIDE_PLAN, unit_code): one that is neither the plan's
-- issuer nor below it in the tree as it stands on the last day of the period.
CREATE OR REPLACE FUNCTION th_report(p_plan text, p_period text, p_unit text, p_by_child boolean)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
    pl       plans%ROWTYPE;
    root     units%ROWTYPE;
    y        integer := substr(p_period, 1, 4)::integer;
    q        integer := CASE WHEN length(p_period) = 6 THEN substr(p_period, 6, 1)::integer ELSE 0 END;
    q_from   integer;
    q_to     integer;
    p_start  date;
    p_end    date;
    lvl      text;
    dl       date;
    dl_level text;
    levels   text[] := ARRAY['commune', 'district', 'province'];
    result   jsonb;
BEGIN
    SELECT * INTO pl FROM current_plans WHERE code = p_plan;
    IF NOT FOUND THEN
        -- TH026 = NOT_FOUND, TH007 = UNKNOWN_UNIT, TH028 = OUTSIDE_PLAN (server/sqlerr.h)
        RAISE EXCEPTION USING ERRCODE = 'TH026', COLUMN = 'plan_code', DETAIL = p_plan,
                              MESSAGE = 'no such plan';
    END IF;
    SELECT * INTO root FROM units WHERE code = coalesce(p_unit, pl.issuer_unit);
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'TH007', COLUMN = 'unit_code',
                              DETAIL = coalesce(p_unit, pl.issuer_unit), MESSAGE = 'no such unit';
    END IF;
    q_from := CASE WHEN q = 0 THEN 1 ELSE q END;
    q_to := CASE WHEN q = 0 THEN 4 ELSE q END;
    p_start := make_date(y, (q_from - 1) * 3 + 1, 1);
    p_end := (make_date(y, (q_to - 1) * 3 + 1, 1) + interval '3 months' - interval '1 day')::date;
    lvl := CASE WHEN pl.reporting_level = 'facility' THEN 'commune' ELSE pl.reporting_level END;

    -- The plan covers its issuer's territory: a unit elsewhere gets a
    -- refusal, not a report that says "no data" everywhere.
    IF root.code <> pl.issuer_unit
       AND NOT EXISTS (SELECT 1 FROM th_ancestors(root.code, p_end) a WHERE a.code = pl.issuer_unit) THEN
        RAISE EXCEPTION USING ERRCODE = 'TH028', COLUMN = 'unit_code', DETAIL = root.code,
                              MESSAGE = 'the unit is not in the territory the plan covers';
    END IF;

    -- The reporters' deadline that year: their level's, else the nearest above.
    SELECT d.due_on, d.level INTO dl, dl_level
      FROM plan_deadlines d
     WHERE d.plan_id = pl.id AND extract(year FROM d.due_on) = y
       AND array_position(levels, d.level) >= array_position(levels, lvl)
     ORDER BY array_position(levels, d.level), d.due_on
     LIMIT 1;

    WITH quarters AS (
        SELECT g.q AS quarter,
               (make_date(y, (g.q - 1) * 3 + 1, 1) + interval '3 months' - interval '1 day')::date AS day
          FROM generate_series(q_from, q_to) AS g(q)
    ), tree_q AS (     -- the tree at the end of each quarter of the period
        SELECT qs.quarter, t.code, t.depth, t.top, t.reporter
          FROM quarters qs, LATERAL th_subtree_detail(root.code, qs.day, lvl) t
    ), targets AS (
        SELECT t.indicator_code, t.programme_code, t.comparator, t.value, t.text, t.position,
               i.name, i.kind, i.numerator_agg, i.denominator_agg
          FROM plan_targets t JOIN indicators i ON i.code = t.indicator_code
         WHERE t.plan_id = pl.id AND y BETWEEN t.year_from AND t.year_to
    ), r AS (
        SELECT c.unit_code, t.top, c.indicator_code, c.numerator, c.denominator, c.value, c.text,
               row_number() OVER (PARTITION BY c.unit_code, c.indicator_code ORDER BY c.quarter DESC) AS rn
          FROM current_results c JOIN tree_q t ON t.code = c.unit_code AND t.quarter = c.quarter
         WHERE c.year = y AND c.quarter BETWEEN q_from AND q_to
           AND c.indicator_code IN (SELECT indicator_code FROM targets)
    ), per_unit AS (   -- time aggregation, per unit (and where it was) and component
        SELECT r.unit_code, r.top, r.indicator_code,
               CASE WHEN tg.numerator_agg = 'flow' THEN sum(r.numerator)
                    ELSE max(r.numerator) FILTER (WHERE r.rn = 1) END AS num,
               CASE WHEN tg.denominator_agg = 'flow' THEN sum(r.denominator)
                    ELSE max(r.denominator) FILTER (WHERE r.rn = 1) END AS den,
               CASE WHEN tg.numerator_agg = 'flow' THEN sum(r.value)
                    ELSE max(r.value) FILTER (WHERE r.rn = 1) END AS val,
               max(r.text) FILTER (WHERE r.rn = 1) AS txt
          FROM r JOIN targets tg USING (indicator_code)
         GROUP BY r.unit_code, r.top, r.indicator_code, tg.numerator_agg, tg.denominator_agg
    ), sums AS (       -- spatial aggregation: per child of root, and in all
        SELECT top, indicator_code, sum(num) AS num, sum(den) AS den, sum(val) AS val,
               count(DISTINCT unit_code) AS units, count(txt) AS texts
          FROM per_unit GROUP BY GROUPING SETS ((top, indicator_code), (indicator_code))
    ), firsts AS (     -- when each reporter first sent each quarter
        SELECT t.reporter, s.quarter, min(s.received_at) AS first_at
          FROM submissions s
          JOIN tree_q t ON t.code = s.unit_code AND t.quarter = s.quarter
         WHERE s.year = y AND s.quarter BETWEEN q_from AND q_to AND t.reporter IS NOT NULL
           AND EXISTS (SELECT 1 FROM result_values v
                        WHERE v.submission_id = s.id
                          AND v.indicator_code IN (SELECT indicator_code FROM targets))
         GROUP BY t.reporter, s.quarter
    ), expected AS (   -- every unit expected to report in the period, under its latest top
        SELECT DISTINCT ON (t.code) t.code, t.top
          FROM tree_q t WHERE t.code = t.reporter
         ORDER BY t.code, t.quarter DESC
    ), reporters AS (
        SELECT e.code, e.top, count(f.quarter) > 0 AS reported, max(f.first_at) AS done_at
          FROM expected e LEFT JOIN firsts f ON f.reporter = e.code
         GROUP BY e.code, e.top
    ), completeness AS (
        SELECT top, count(*) AS expected, count(*) FILTER (WHERE reported) AS reported,
               count(*) FILTER (WHERE reported AND dl IS NOT NULL
                                  AND done_at < (dl + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') AS on_time
          FROM reporters GROUP BY GROUPING SETS ((top), ())
    ), ind_rows AS (
        SELECT s.top, tg.position,
               th_indicator_json(tg.indicator_code, tg.name, tg.kind, tg.programme_code, tg.comparator,
                                 tg.value, tg.text, s.num, s.den, s.val, s.units, s.texts) AS j,
               (s.top IS NULL) AS is_total
          FROM targets tg
          LEFT JOIN sums s ON s.indicator_code = tg.indicator_code
    ), children AS (   -- the units directly below root in any quarter of the period
        SELECT DISTINCT t.code, u.name_with_type AS name
          FROM tree_q t JOIN units u ON u.code = t.code WHERE t.depth = 1
    )
    SELECT jsonb_build_object(
        'format', 'tonghop-report/1',
        'plan', jsonb_build_object('code', pl.code, 'revision', pl.revision, 'title', pl.title,
                                   'issuer_unit', pl.issuer_unit, 'issuing_body', pl.issuing_body,
                                   'reporting_level', pl.reporting_level),
        'period', jsonb_build_object('code', p_period, 'start', p_start, 'end', p_end),
        'unit', jsonb_build_object('code', root.code, 'name', root.name_with_type,
                                   'role', th_unit_role(root.type, root.parent_code)),
        'deadline', CASE WHEN dl IS NOT NULL THEN jsonb_build_object('level', dl_level, 'date', dl) END,
        'indicators', coalesce((
            SELECT jsonb_agg(x.j ORDER BY x.position)
              FROM (SELECT DISTINCT ON (tg.indicator_code) tg.position,
                           coalesce((SELECT ir.j FROM ind_rows ir
                                      WHERE ir.is_total AND ir.j->>'code' = tg.indicator_code),
                                    th_indicator_json(tg.indicator_code, tg.name, tg.kind, tg.programme_code,
                                                      tg.comparator, tg.value, tg.text,
                                                      NULL, NULL, NULL, 0, 0)) AS j
                      FROM targets tg) x), '[]'::jsonb),
        'completeness', (SELECT jsonb_build_object('level', lvl, 'expected', coalesce(c.expected, 0),
                                                   'reported', coalesce(c.reported, 0),
                                                   'on_time', CASE WHEN dl IS NOT NULL THEN coalesce(c.on_time, 0) END)
                           FROM (SELECT 1) one LEFT JOIN completeness c ON c.top IS NULL),
        'children', CASE WHEN p_by_child THEN coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'unit', jsonb_build_object('code', ch.code, 'name', ch.name),
                       'indicators', (SELECT jsonb_agg(
                                          coalesce((SELECT s.j FROM ind_rows s
                                                     WHERE s.top = ch.code AND s.j->>'code' = tg.indicator_code),
                                                   th_indicator_json(tg.indicator_code, tg.name, tg.kind,
                                                                     tg.programme_code, tg.comparator, tg.value,
                                                                     tg.text, NULL, NULL, NULL, 0, 0))
                                          ORDER BY tg.position)
                                        FROM targets tg),
                       'completeness', jsonb_build_object(
                           'expected', coalesce(c.expected, 0), 'reported', coalesce(c.reported, 0),
                           'on_time', CASE WHEN dl IS NOT NULL THEN coalesce(c.on_time, 0) END))
                   ORDER BY ch.code)
              FROM children ch LEFT JOIN completeness c ON c.top = ch.code), '[]'::jsonb) END,
        'generated_at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
      INTO result;
    RETURN result;
END;
$$;
