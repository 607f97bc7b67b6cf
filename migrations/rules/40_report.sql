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
-- A period is reported on the territory as it stands on its last day;
-- results of units that ceased count through their heirs (see th_report).
-- The review's flags (48_review.sql) are counted per indicator (`flags`,
-- only when not 0) and listed (`quality_notes`, only when there are any):
-- a report with nothing flagged is exactly what it was without them.
--
-- A rules file: SQL functions and views only, applied by `tonghopd migrate`
-- after the versioned migrations whenever this file's content changes
-- (recorded in schema_rules with its SHA-256). Every statement must be
-- re-runnable (CREATE OR REPLACE); a changed signature needs a DROP ...
-- IF EXISTS first. Tables belong in versioned migrations (migrations/NNN_*.sql).

-- Each unit under root on a day: its depth, the child of root it lies under
-- ("top"; root for root itself), its reporter (the nearest unit at or
-- above it, below root included, whose role is the reporting level), and
-- its code and name.
DROP FUNCTION IF EXISTS th_subtree_detail(text, date, text);
CREATE OR REPLACE FUNCTION th_subtree_detail(p_root text, p_day date, p_level text)
RETURNS TABLE (code text, depth integer, top text, reporter text, gso_code text, name text)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE t(code, depth, top, reporter, gso_code, name) AS (
        SELECT u.code, 0, u.code,
               CASE WHEN th_unit_role(u.type, u.parent_code) = p_level THEN u.code END,
               u.gso_code, u.name_with_type
          FROM units u
         WHERE u.code = p_root AND u.valid_from <= p_day AND (u.valid_to IS NULL OR u.valid_to > p_day)
        UNION ALL
        SELECT l.unit_code, t.depth + 1, CASE WHEN t.depth = 0 THEN l.unit_code ELSE t.top END,
               coalesce(t.reporter, CASE WHEN th_unit_role(c.type, l.parent_code) = p_level THEN l.unit_code END),
               c.gso_code, c.name_with_type
          FROM t
          JOIN unit_parents l ON l.parent_code = t.code
          JOIN units c ON c.code = l.unit_code
         WHERE l.valid_from <= p_day AND (l.valid_to IS NULL OR l.valid_to > p_day)
           AND c.valid_from <= p_day AND (c.valid_to IS NULL OR c.valid_to > p_day)
           AND t.depth < 32
    )
    SELECT code, depth, top, reporter, gso_code, name FROM t
$$;

-- The level expected to report a plan at a unit on a day, from the plan's
-- reporting_level: facilities report through their commune, and a level
-- that no longer exists (districts after July 2025) is counted at the level
-- below; planned is then the plan's level, else NULL. (Districts are looked
-- for in the unit's province: a commune's own subtree has none in any year.)
-- Used by the report and by `tonghop due` (45_due.sql).
CREATE OR REPLACE FUNCTION th_reporting_level(p_reporting_level text, p_root text, p_day date)
RETURNS TABLE (level text, planned text)
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN x.lvl = 'district' AND NOT x.has_districts THEN 'commune' ELSE x.lvl END,
           CASE WHEN x.lvl = 'district' AND NOT x.has_districts THEN x.lvl END
      FROM (SELECT l.lvl,
                   l.lvl <> 'district' OR EXISTS (
                       -- (The province as a column: th_subtree is then inlined,
                       -- where with a subquery for an argument it was parsed
                       -- and planned again at each call.)
                       SELECT 1 FROM (SELECT coalesce((SELECT a.code FROM th_ancestors(p_root, p_day) a
                                                         JOIN unit_parents up ON up.unit_code = a.code
                                                          AND up.parent_code = 'VN' AND up.valid_from <= p_day
                                                          AND (up.valid_to IS NULL OR up.valid_to > p_day)
                                                        LIMIT 1), p_root) AS code OFFSET 0) pr
                        CROSS JOIN LATERAL th_subtree(pr.code, p_day) t
                        -- (a probe per unit of the province: joined, the
                        -- planner read every unit of every date, 10 ms)
                        WHERE EXISTS (SELECT 1 FROM units u
                                       WHERE u.code = t.code AND th_unit_role(u.type, u.parent_code) = 'district'
                                      OFFSET 0)) AS has_districts
              FROM (SELECT CASE WHEN p_reporting_level = 'facility' THEN 'commune'
                                ELSE p_reporting_level END AS lvl) l
            OFFSET 0) x  -- (once: flattened, it was computed for each column)
$$;

-- Does a rolled-up value meet a target? NULL when there is no data or the
-- target is not numeric.
-- (th_target_met and the th_indicator_json_ functions: STABLE, as what they call is
-- (to_json): declared IMMUTABLE they could not be inlined, and
-- each of a report's few hundred indicator objects was a separate call of
-- an SQL function.)
CREATE OR REPLACE FUNCTION th_target_met(p_kind text, p_cmp text, p_target numeric,
                              p_num numeric, p_den numeric, p_val numeric)
RETURNS boolean LANGUAGE sql STABLE AS $$
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

-- One indicator's result as the text of a JSON object, from its sums and
-- the plan's target, with carried_from_predecessors and flags when they
-- are not 0. (Text written out key by key, the text json_build_object
-- wrote: a jsonb per indicator, written out as text again, was a tenth of
-- a province's report, and json_build_object, which looks up how to write
-- each value's type at each call, was twice as slow as this for a
-- province's 250. Every part is coalesced to null: one NULL would make the
-- whole text NULL.)
-- In three parts: the indicator's own keys (th_indicator_json_head) and
-- its target (th_indicator_json_target) are the same for every unit of a
-- report, and a report writes them once per indicator, not once per child
-- (it escaped an indicator's long name for each of 124 communes);
-- th_indicator_json_sums puts them around one unit's sums.
DROP FUNCTION IF EXISTS th_indicator_json_base(text, text, text, text, text, numeric, text, numeric, numeric,
                                               numeric, bigint, bigint);
DROP FUNCTION IF EXISTS th_indicator_json_keys(text, text, text, text, text, numeric, text, numeric, numeric,
                                               numeric, bigint, bigint);
CREATE OR REPLACE FUNCTION th_indicator_json_head(p_code text, p_name text, p_kind text, p_programme text)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT '"code" : ' || coalesce(to_json(p_code)::text, 'null')
        || ', "name" : ' || coalesce(to_json(p_name)::text, 'null')
        || ', "kind" : ' || coalesce(to_json(p_kind)::text, 'null')
        || ', "programme" : ' || coalesce(to_json(p_programme)::text, 'null')
$$;
CREATE OR REPLACE FUNCTION th_indicator_json_target(p_cmp text, p_target numeric, p_target_text text)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_target IS NOT NULL
                THEN '{"comparator" : ' || coalesce(to_json(p_cmp)::text, 'null')
                     || ', "value" : ' || to_json(p_target)::text || '}'
                ELSE '{"text" : ' || coalesce(to_json(p_target_text)::text, 'null') || '}' END
$$;
CREATE OR REPLACE FUNCTION th_indicator_json_sums(p_head text, p_target_j text, p_kind text, p_cmp text,
                                                  p_target numeric, p_num numeric, p_den numeric, p_val numeric,
                                                  p_units bigint, p_texts bigint, p_carried bigint, p_flags bigint)
RETURNS text LANGUAGE sql STABLE AS $$
    -- (The keys after the indicator's own are joined first, then put
    -- after them: the indicator's long name is copied twice rather than
    -- at each of twenty concatenations, a fifth of the time.)
    SELECT '{' || p_head || (
           -- (Numbers through to_json, as json_build_object wrote them: NaN as "NaN".)
           ', "numerator" : ' || CASE WHEN p_kind = 'ratio' THEN to_json(coalesce(p_num, 0))::text ELSE 'null' END
        || ', "denominator" : ' || CASE WHEN p_kind = 'ratio' THEN to_json(coalesce(p_den, 0))::text ELSE 'null' END
        || ', "value" : ' || CASE WHEN p_kind = 'count' AND p_val IS NOT NULL THEN to_json(p_val)::text ELSE 'null' END
        || ', "percent" : ' || coalesce(CASE WHEN p_kind = 'ratio' AND coalesce(p_den, 0) > 0
                                             THEN to_json(round(100 * p_num / p_den, 2))::text END, 'null')
        || ', "no_data" : ' || CASE WHEN CASE p_kind WHEN 'ratio' THEN coalesce(p_den, 0) = 0
                                                      WHEN 'count' THEN p_val IS NULL
                                                      ELSE coalesce(p_texts, 0) = 0 END
                                    THEN 'true' ELSE 'false' END
        || ', "units_reporting" : ' || coalesce(p_units, 0)::text
        || ', "target" : ' || p_target_j
        || ', "met" : ' || coalesce(th_target_met(p_kind, p_cmp, p_target, p_num, p_den, p_val)::text, 'null')
        || ', "progress" : ' || coalesce(CASE WHEN p_kind = 'count' AND p_target > 0 AND p_val IS NOT NULL
                                              THEN to_json(round(100 * p_val / p_target, 1))::text END, 'null')
        || CASE WHEN p_carried > 0 THEN ', "carried_from_predecessors" : ' || p_carried ELSE '' END
        || CASE WHEN p_flags > 0 THEN ', "flags" : ' || p_flags ELSE '' END
        || '}')
$$;
-- (th_indicator_json, the whole object from one call, is no longer called.)
DROP FUNCTION IF EXISTS th_indicator_json(text, text, text, text, text, numeric, text, numeric, numeric,
                                          numeric, bigint, bigint);
DROP FUNCTION IF EXISTS th_indicator_json(text, text, text, text, text, numeric, text, numeric, numeric,
                                          numeric, bigint, bigint, bigint, bigint);

-- The report of a plan for a period (a year "2025" or a quarter "2025Q3")
-- at a unit (its GSO code; NULL: the plan's issuer), as one JSON document
-- (format tonghop-report/1, see the README).
--
-- The period is reported on the territory as it stands on the period's
-- last day (the reform of 1 July 2025 included), and every result counts
-- there once:
--  * each result belongs to the unit that sent it, or, once that unit has
--    ceased, to its heir (th_heirs_at) on the period's last day;
--  * a flow adds up every quarter of the period, whoever sent it;
--  * a stock is each unit's own latest quarter in the period; a unit that
--    sent nothing in the period since it came into being is stood in for by
--    its predecessors' latest values, marked as carried; a predecessor's
--    stock is never added to its successor's: a later unit of its path that
--    sent a quarter ending after it ceased stands for it; units that stood
--    side by side add up (th_unit_values_compute, 35_unit_values.sql).
-- A plan covers its issuer's territory as it was when issued, now made of
-- the units that succeeded it (th_in_territory); a reporting level that no
-- longer exists is counted at the level below, and the report says so.
-- p_approved_only: only the units whose results for the period are
-- approved for the plan (47_approval.sql) count; the others are as if they
-- had not reported.
DROP FUNCTION IF EXISTS th_report(text, text, text, boolean);
DROP FUNCTION IF EXISTS th_report_by_keys(text, text, text, boolean);
DROP FUNCTION IF EXISTS th_report_compute(text, text, text, boolean);
-- (jsonb until the document was assembled as text: a new return type)
DROP FUNCTION IF EXISTS th_report(text, text, text, boolean, boolean);
DROP FUNCTION IF EXISTS th_report_by_keys(text, text, text, boolean, boolean);
DROP FUNCTION IF EXISTS th_report_country(text, text, text, boolean, boolean);
DROP FUNCTION IF EXISTS th_report_compute(text, text, text, boolean, boolean);
CREATE OR REPLACE FUNCTION th_report_compute(p_plan text, p_period text, p_unit text, p_by_child boolean,
                                             p_approved_only boolean DEFAULT false)
RETURNS text LANGUAGE plpgsql STABLE
-- (No plan_cache_mode here: its two callers set it. The country's report
-- plans each call for its own plan and period, force_custom_plan: a generic
-- plan was seen to take 15 s instead of 1. Below the country the statements
-- are planned once per connection, force_generic_plan with enable_seqscan
-- off, th_report_by_keys: planning them each time was half of a
-- province's report.)
-- JIT compiling took 170-260 ms of every report (bench/RESULTS.md), more
-- than a district's report itself.
SET jit = off
-- The country's year is about 500,000 values in 127,000 groups of a unit
-- and an indicator: with the default 4 MB the planner sorted them several
-- times over rather than hash them once (bench/RESULTS.md).
SET work_mem = '64MB'
AS $$
DECLARE
    pl       plans%ROWTYPE;
    root     units%ROWTYPE;
    issuer   units%ROWTYPE;
    root_key text;
    y        integer := substr(p_period, 1, 4)::integer;
    q        integer := CASE WHEN length(p_period) = 6 THEN substr(p_period, 6, 1)::integer ELSE 0 END;
    q_from   integer;
    q_to     integer;
    p_start  date;
    p_end    date;
    lvl      text;
    planned  text;
    whole    boolean;
    terr     text[];   -- when not whole: the keys of root's subtree in the plan's territory
    out_keys text[] := '{}';  -- ... those whose values hold results from outside it,
    out_from text[] := '{}';  -- ... and the senders of those results (th_unit_senders_outside)
    dl       date;
    dl_level text;
    head     jsonb;    -- the document but its quality notes and children
    notes_txt text;    -- the quality notes, as the text of the document's last keys but children
    kids     text;     -- the children, as the text of a JSON array's elements
    by_child boolean := p_by_child IS TRUE;  -- (NULL: not by child, children null)
    has_approvals boolean;  -- the plan has an approval for the period at root or below
    country  boolean;  -- root is the country (the national root VN): its report reads nearly everything
BEGIN
    -- TH026 = NOT_FOUND, TH007 = UNKNOWN_UNIT, TH028 = OUTSIDE_PLAN, TH029 = UNIT_CEASED (server/sqlerr.h)
    SELECT * INTO pl FROM th_plan_or_raise(p_plan);
    PERFORM th_plan_year_or_raise(pl, y);
    SELECT * INTO issuer FROM units WHERE code = pl.issuer_unit;
    q_from := CASE WHEN q = 0 THEN 1 ELSE q END;
    q_to := CASE WHEN q = 0 THEN 4 ELSE q END;
    p_start := make_date(y, (q_from - 1) * 3 + 1, 1);
    p_end := th_period_last_day(p_period);

    -- The unit reported on, as it exists on the period's last day, and
    -- whether its whole territory is the plan's (th_plan_scope, 30_plans.sql:
    -- refuses an unknown or ceased unit, one outside the plan's territory).
    SELECT s.root_key, s.whole, s.territory INTO root_key, whole, terr FROM th_plan_scope(issuer.code, p_unit, p_end) s;
    SELECT * INTO root FROM units WHERE code = root_key;
    country := root.code = 'VN';

    -- The level expected to report (th_reporting_level).
    SELECT r.level, r.planned INTO lvl, planned FROM th_reporting_level(pl.reporting_level, root.code, p_end) r;

    -- The reporters' deadline for the period (th_deadline_for, 30_plans.sql:
    -- their level's, else the nearest above).
    SELECT f.due_on, f.level INTO dl, dl_level
      FROM th_deadline_for(pl.id, coalesce(planned, lvl), y, q) f;

    -- A territory that is not whole can hold units whose maintained values
    -- mix in results from outside the plan's territory (new Lâm Đồng holds
    -- what old Lâm Đồng's communes that left no successor sent): those
    -- units' values are computed here from the plan's senders alone.
    IF NOT whole THEN
        SELECT o.out_keys, o.out_from INTO out_keys, out_from FROM th_unit_senders_outside(y, q, terr, issuer.code) o;
    END IF;

    SELECT EXISTS (SELECT 1 FROM approvals a
                    WHERE a.plan_code = pl.code AND a.year = y AND a.quarter = q
                      AND th_within(a.unit_key, root.code, p_end))
      INTO has_approvals;

    WITH tree AS MATERIALIZED (  -- the territory on the last day, within the plan's
        SELECT t.code, t.depth, t.top, t.reporter, t.gso_code, t.name FROM th_subtree_detail(root.code, p_end, lvl) t
         WHERE whole OR t.code = ANY (terr)
    ), targets AS MATERIALIZED (
        SELECT t.indicator_code, t.programme_code, t.comparator, t.value, t.text, t.position,
               i.name, i.kind, i.numerator_agg, i.denominator_agg, x.head, x.target_j,
               -- the indicator with nothing to add up
               th_indicator_json_sums(x.head, x.target_j, i.kind, t.comparator, t.value,
                                      NULL, NULL, NULL, 0, 0, 0, 0) AS empty_j
          FROM plan_targets t JOIN indicators i ON i.code = t.indicator_code
         CROSS JOIN LATERAL (SELECT th_indicator_json_head(t.indicator_code, i.name, i.kind, t.programme_code) AS head,
                                    th_indicator_json_target(t.comparator, t.value, t.text) AS target_j
                             OFFSET 0) x
         WHERE t.plan_id = pl.id AND y BETWEEN t.year_from AND t.year_to
    ), kinds AS (      -- the plan's indicators, once each
        SELECT DISTINCT indicator_code, kind FROM targets
    ), kind_arr AS (   -- ... as two arrays, codes and kinds in the same order
        SELECT array_agg(k.indicator_code ORDER BY k.indicator_code) AS codes,
               array_agg(k.kind ORDER BY k.indicator_code) AS kinds
          FROM kinds k
    ), approved AS (   -- with p_approved_only: the units whose results for the period are approved
        SELECT l.unit_key FROM approvals a JOIN period_locks l ON l.approval_id = a.id
         WHERE p_approved_only AND a.plan_code = pl.code AND a.state = 'approved' AND a.year = y
           AND (a.quarter = q OR (q > 0 AND a.quarter = 0))
           AND l.year = y AND l.quarter = q_to
    ), per_unit AS MATERIALIZED (
                       -- each unit's values for the period (unit_period_values,
                       -- 35_unit_values.sql: what these rules make of its
                       -- senders' results), for the plan's indicators;
                       -- above_100: the review's first rule (48_review.sql).
                       -- The units of out_keys instead from the plan's senders
                       -- alone (written out twice: a union of the two sources
                       -- under one join to the tree was planned as a scan of
                       -- the year's every row for a province, a nested loop over
                       -- the country for the country). The country's read as
                       -- they come; below it, one probe per unit for all its
                       -- indicators, kept if they are the plan's (a probe per
                       -- unit and indicator was a third of a province's
                       -- report by district with 12 indicators).
        SELECT v.end_key, t.top, t.reporter, v.indicator_code, v.num, v.den, v.val, v.txt, v.carried,
               v.f1, v.f2, v.f3, v.f4, (k.kind = 'ratio' AND v.num > coalesce(v.den, 0)) AS above_100
          FROM unit_period_values v
          JOIN tree t ON t.code = v.end_key
          JOIN kinds k ON k.indicator_code = v.indicator_code
         WHERE country AND v.year = y AND v.quarter = q AND v.end_key <> ALL (out_keys)
           AND (NOT p_approved_only OR v.end_key IN (SELECT ap.unit_key FROM approved ap))
        UNION ALL
        SELECT v.end_key, t.top, t.reporter, v.indicator_code, v.num, v.den, v.val, v.txt, v.carried,
               v.f1, v.f2, v.f3, v.f4,
               (ka.kinds[array_position(ka.codes, v.indicator_code)] = 'ratio' AND v.num > coalesce(v.den, 0))
          FROM tree t
         CROSS JOIN kind_arr ka
         CROSS JOIN LATERAL (SELECT v0.* FROM unit_period_values v0
                              WHERE v0.year = y AND v0.quarter = q AND v0.end_key = t.code
                                AND array_position(ka.codes, v0.indicator_code) IS NOT NULL
                             OFFSET 0) v
         WHERE NOT country AND t.code <> ALL (out_keys)
           AND (NOT p_approved_only OR t.code IN (SELECT ap.unit_key FROM approved ap))
        UNION ALL
        SELECT v.end_key, t.top, t.reporter, v.indicator_code, v.num, v.den, v.val, v.txt, v.carried,
               v.f1, v.f2, v.f3, v.f4, (k.kind = 'ratio' AND v.num > coalesce(v.den, 0)) AS above_100
          FROM th_unit_values_compute(y, q, out_keys, issuer.code) v
          JOIN tree t ON t.code = v.end_key
          JOIN kinds k ON k.indicator_code = v.indicator_code
         WHERE cardinality(out_keys) > 0
           AND (NOT p_approved_only OR v.end_key IN (SELECT ap.unit_key FROM approved ap))
    ), changes AS MATERIALIZED (  -- the review's other flags: a unit's quarters'
                       -- denominators that jumped or, stocks, changed
        SELECT c.end_key, c.unit_code, c.indicator_code, c.quarter, c.rule, c.den, c.prev_den
          FROM th_review_changes(ARRAY(SELECT t.code FROM tree t), y, q, p_end,
                                 ARRAY(SELECT k.indicator_code FROM kinds k WHERE k.kind = 'ratio')) c
         WHERE c.unit_code <> ALL (out_from)
    ), changed AS (    -- the unit values with such a flag
        SELECT DISTINCT end_key, indicator_code FROM changes
    ), by_top AS MATERIALIZED (
                       -- spatial aggregation per child of root (one row per unit
                       -- and indicator in per_unit: count(*) counts units)
        SELECT p.top, p.indicator_code, sum(p.num) AS num, sum(p.den) AS den, sum(p.val) AS val,
               count(*) AS units, count(p.txt) AS texts, count(*) FILTER (WHERE p.carried) AS carried,
               count(*) FILTER (WHERE p.above_100 OR f.end_key IS NOT NULL) AS flags,
               count(*) FILTER (WHERE p.above_100) AS above_100
          FROM per_unit p
          LEFT JOIN changed f ON f.end_key = p.end_key AND f.indicator_code = p.indicator_code
         GROUP BY p.top, p.indicator_code
    ), totals AS (     -- ... and in all (a unit lies under one child only)
        SELECT indicator_code, sum(num) AS num, sum(den) AS den, sum(val) AS val,
               sum(units)::bigint AS units, sum(texts)::bigint AS texts, sum(carried)::bigint AS carried,
               sum(flags)::bigint AS flags
          FROM by_top GROUP BY indicator_code
    ), firsts AS (     -- when each reporter first sent each quarter (null: not)
        SELECT p.reporter, min(p.f1) AS f1, min(p.f2) AS f2, min(p.f3) AS f3, min(p.f4) AS f4
          FROM per_unit p
         WHERE p.reporter IS NOT NULL
         GROUP BY p.reporter
    ), reporters AS (  -- every unit expected to report: the level's units on the last day;
                       -- done when it had sent every quarter it sent (the latest first time)
        SELECT t.code, t.top, coalesce(f.f1, f.f2, f.f3, f.f4) IS NOT NULL AS reported,
               greatest(f.f1, f.f2, f.f3, f.f4) AS done_at
          FROM tree t LEFT JOIN firsts f ON f.reporter = t.code
         WHERE t.code = t.reporter
    ), completeness AS (
        SELECT top, count(*) AS expected, count(*) FILTER (WHERE reported) AS reported,
               count(*) FILTER (WHERE reported AND dl IS NOT NULL
                                  AND done_at < th_deadline_end(dl)) AS on_time
          FROM reporters GROUP BY GROUPING SETS ((top), ())
    ), ind_rows AS MATERIALIZED (  -- in all (the children's: child_inds)
        SELECT tg.indicator_code, tg.position,
               th_indicator_json_sums(tg.head, tg.target_j, tg.kind, tg.comparator, tg.value,
                                      s.num, s.den, s.val, s.units, s.texts, s.carried, s.flags) AS j
          FROM targets tg
          JOIN totals s ON s.indicator_code = tg.indicator_code
    ), commune_counts AS (  -- when the reporters are above the communes: the communes
                            -- under each child, and how many have sent results
        SELECT t.top, count(*) AS expected, count(r.end_key) AS reported
          FROM tree t
          JOIN units u ON u.code = t.code
          LEFT JOIN (SELECT DISTINCT p.end_key FROM per_unit p
                      WHERE coalesce(p.f1, p.f2, p.f3, p.f4) IS NOT NULL) r ON r.end_key = t.code
         WHERE lvl <> 'commune' AND th_unit_role(u.type, u.parent_code) = 'commune'
         GROUP BY GROUPING SETS ((t.top), ())
    ), children AS MATERIALIZED (   -- the units directly below root on the last day
        SELECT DISTINCT t.code, t.gso_code, t.name FROM tree t WHERE t.depth = 1
    ), child_inds AS MATERIALIZED (  -- each child's indicators, in the plan's order,
                       -- as text: from its sums where it has them, else the
                       -- empty one (no sums: the same text as empty_j). A
                       -- stream sorted by child rather than a join of the
                       -- children with their sums: with the few rows the
                       -- planner expects of these steps it looped over one
                       -- for each row of the other. The text is written after
                       -- the sort, not carried through it.
        SELECT x.top AS code,
               string_agg((SELECT th_indicator_json_sums(tg.head, tg.target_j, tg.kind, tg.comparator, tg.value,
                                                         x.num, x.den, x.val, x.units, x.texts, x.carried, x.flags)
                             FROM targets tg
                            WHERE tg.indicator_code = x.indicator_code AND tg.position = x.position
                            LIMIT 1),
                          ', ' ORDER BY x.position, x.indicator_code) AS inds
          FROM (SELECT DISTINCT ON (g.top, g.position, g.indicator_code) g.*
                  FROM (SELECT b.top, tg.position, tg.indicator_code, b.num, b.den, b.val, b.units, b.texts,
                               b.carried, b.flags, 0 AS pri
                          FROM by_top b JOIN targets tg ON tg.indicator_code = b.indicator_code
                        UNION ALL
                        SELECT ch.code, tg.position, tg.indicator_code, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1
                          FROM children ch CROSS JOIN targets tg) g
                 ORDER BY g.top, g.position, g.indicator_code, g.pri) x
         WHERE by_child
         GROUP BY x.top
    ), notes AS (      -- the review's flags listed: the first 50 of each rule's
                       -- kind, in the order they are shown (all of them sorted
                       -- took a quarter of the country's report)
        (SELECT p.end_key AS unit_code, p.indicator_code, q AS quarter, 'above_100' AS rule,
                p.num, coalesce(p.den, 0) AS den, NULL::numeric AS prev_den,
                t.gso_code, t.name
           FROM per_unit p JOIN tree t ON t.code = p.end_key
          WHERE p.above_100
          ORDER BY t.gso_code, p.indicator_code, p.end_key
          LIMIT 50)
        UNION ALL
        (SELECT c.unit_code, c.indicator_code, c.quarter, c.rule, NULL, c.den, c.prev_den,
                u.gso_code, u.name_with_type
           FROM changes c JOIN units u ON u.code = c.unit_code
          ORDER BY u.gso_code, c.indicator_code, c.quarter, c.rule, c.unit_code
          LIMIT 50)
    ), notes_total AS (
        SELECT coalesce((SELECT sum(b.above_100) FROM by_top b), 0)
               + (SELECT count(*) FROM changes) AS n
    )
    SELECT jsonb_build_object(
        'format', 'tonghop-report/1',
        'plan', jsonb_build_object('code', pl.code, 'revision', pl.revision, 'title', pl.title,
                                   'issuer_unit', issuer.gso_code, 'issuing_body', pl.issuing_body,
                                   'reporting_level', pl.reporting_level, 'issued_on', pl.issued_on,
                                   -- every level's deadline for that year (a date: the year it
                                   -- is for, as th_deadline_for reads it, so "10/01/2026" of a
                                   -- 2025 plan is 2025's; days after each quarter: every year),
                                   -- and to whom it reports
                                   'deadlines', coalesce((
                                       SELECT jsonb_agg(jsonb_build_object('level', d.level, 'to', d.recipient,
                                                                           'date', d.due_on)
                                                        || CASE WHEN d.days_after_quarter IS NOT NULL
                                                                THEN jsonb_build_object('days_after_quarter',
                                                                                        d.days_after_quarter)
                                                                ELSE '{}'::jsonb END
                                                        ORDER BY d.position)
                                         FROM plan_deadlines d
                                        WHERE d.plan_id = pl.id AND (d.for_year = y OR d.for_year IS NULL)),
                                       '[]'::jsonb)),
        'period', jsonb_build_object('code', p_period, 'start', p_start, 'end', p_end),
        'unit', jsonb_build_object('code', root.gso_code, 'name', root.name_with_type,
                                   'role', th_unit_role(root.type, root.parent_code),
                                   -- the unit above on the last day (null for a province)
                                   'parent', (SELECT jsonb_build_object('code', pu.gso_code, 'name', pu.name_with_type)
                                                FROM unit_parents l JOIN units pu ON pu.code = l.parent_code
                                               WHERE l.unit_code = root.code AND l.parent_code <> 'VN'
                                                 AND l.valid_from <= p_end
                                                 AND (l.valid_to IS NULL OR l.valid_to > p_end)
                                               LIMIT 1))
                || CASE WHEN NOT whole THEN jsonb_build_object(
                       'plan_territory', jsonb_build_object(
                           'code', issuer.gso_code, 'name', issuer.name_with_type,
                           'ceased', issuer.valid_to))
                   ELSE '{}'::jsonb END,
        'deadline', CASE WHEN dl IS NOT NULL THEN jsonb_build_object('level', dl_level, 'date', dl) END,
        'indicators', coalesce((
            SELECT jsonb_agg(x.j::jsonb ORDER BY x.position)
              FROM (SELECT DISTINCT ON (tg.indicator_code) tg.position, coalesce(ir.j, tg.empty_j) AS j
                      FROM targets tg
                      LEFT JOIN ind_rows ir ON ir.indicator_code = tg.indicator_code) x),
            '[]'::jsonb),
        'completeness', (SELECT jsonb_build_object('level', lvl, 'expected', coalesce(c.expected, 0),
                                                   'reported', coalesce(c.reported, 0),
                                                   'on_time', CASE WHEN dl IS NOT NULL THEN coalesce(c.on_time, 0) END)
                                || CASE WHEN planned IS NOT NULL
                                        THEN jsonb_build_object('planned_level', planned) ELSE '{}'::jsonb END
                                || CASE WHEN has_approvals THEN jsonb_build_object(
                                       -- (the units directly below that approve in turn:
                                       -- not communes, which are approved above them)
                                       'children', (SELECT count(*) FROM children ch JOIN units u ON u.code = ch.code
                                                     WHERE th_unit_role(u.type, u.parent_code) <> 'commune'),
                                       'children_approved', (
                                           SELECT count(*) FROM children ch
                                            WHERE th_approval_approved(pl.code, ch.code, y, q)))
                                        ELSE '{}'::jsonb END
                           FROM (SELECT 1) one LEFT JOIN completeness c ON c.top IS NULL),
        'generated_at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
        -- The communes below, when the reporters are districts: "Phan
        -- Thiết: 2 of 18 communes", beside "1 of 1 district".
        || CASE WHEN lvl <> 'commune' THEN jsonb_build_object('communes', jsonb_build_object(
               'expected', coalesce((SELECT cc.expected FROM commune_counts cc WHERE cc.top IS NULL), 0),
               'reported', coalesce((SELECT cc.reported FROM commune_counts cc WHERE cc.top IS NULL), 0),
               'by_child', coalesce((SELECT jsonb_object_agg(ch.gso_code, jsonb_build_object(
                                                'expected', coalesce(cc.expected, 0), 'reported', coalesce(cc.reported, 0)))
                                       FROM children ch LEFT JOIN commune_counts cc ON cc.top = ch.code), '{}'::jsonb)))
                ELSE '{}'::jsonb END
        -- The approval of the plan's period at this unit (47_approval.sql),
        -- once it or a unit below has one.
        || CASE WHEN has_approvals THEN jsonb_build_object('approval', th_approval_json(pl.code, root.code, y, q))
                ELSE '{}'::jsonb END
        || CASE WHEN p_approved_only THEN jsonb_build_object('approved_only', true) ELSE '{}'::jsonb END
        || CASE WHEN NOT by_child THEN jsonb_build_object('children', NULL) ELSE '{}'::jsonb END,
        -- The review's flags (48_review.sql), the first 50, when there are
        -- any: quality_notes and quality_notes_total, the last keys of the
        -- document but children, as jsonb orders them (by length, then
        -- byte by byte), written out as text (th_review_flag_text).
        CASE WHEN (SELECT n FROM notes_total) > 0 THEN
            ', "quality_notes": [' || (SELECT string_agg(th_review_flag_text(x.gso_code, x.name, x.indicator_code, y,
                                                                             x.quarter, x.rule, x.num, x.den, x.prev_den),
                                                         ', ' ORDER BY x.gso_code, x.indicator_code, x.quarter, x.rule,
                                                                       x.unit_code)
                                         FROM (SELECT n.* FROM notes n
                                                ORDER BY n.gso_code, n.indicator_code, n.quarter, n.rule, n.unit_code
                                                LIMIT 50) x)
            || '], "quality_notes_total": ' || (SELECT n FROM notes_total)::text
        END,
        -- The children (by child): each object built once and written out
        -- once, its indicators after its other keys; as one jsonb the
        -- document was taken apart and put together again at each step,
        -- 30 ms of a province's report with 124 communes.
        CASE WHEN by_child THEN (
            -- (Written out key by key, as th_indicator_json_sums.)
            SELECT string_agg('{"unit": {"code" : ' || coalesce(to_json(k.gso_code)::text, 'null')
                              || ', "name" : ' || coalesce(to_json(k.name)::text, 'null')
                              || '}, "completeness": {"expected" : ' || coalesce(k.expected, 0)
                              || ', "reported" : ' || coalesce(k.reported, 0)
                              || ', "on_time" : ' || CASE WHEN dl IS NOT NULL THEN coalesce(k.on_time, 0)::text
                                                          ELSE 'null' END || '}'
                              || CASE WHEN has_approvals
                                      THEN ', "approval": ' || coalesce(th_approval_json(pl.code, k.top, y, q)::text, 'null')
                                      ELSE '' END
                              -- (null, as a jsonb_agg of nothing was, when no target is for the year)
                              || ', "indicators": ' || coalesce('[' || k.inds || ']', 'null') || '}',
                              ', ' ORDER BY k.gso_code)
              FROM (  -- each child with its completeness and indicators (gathered, as above)
                    SELECT z.top, max(z.gso_code) AS gso_code, max(z.name) AS name, max(z.expected) AS expected,
                           max(z.reported) AS reported, max(z.on_time) AS on_time, max(z.inds) AS inds
                      FROM (SELECT ch.code AS top, ch.gso_code, ch.name, NULL::bigint AS expected,
                                   NULL::bigint AS reported, NULL::bigint AS on_time, NULL::text AS inds, true AS child
                              FROM children ch
                            UNION ALL
                            SELECT c.top, NULL, NULL, c.expected, c.reported, c.on_time, NULL, false
                              FROM completeness c WHERE c.top IS NOT NULL
                            UNION ALL
                            SELECT ci.code, NULL, NULL, NULL, NULL, NULL, ci.inds, false FROM child_inds ci) z
                     GROUP BY z.top
                    HAVING bool_or(z.child)) k) END
      INTO head, notes_txt, kids;
    IF NOT by_child THEN
        RETURN left(head::text, -1) || coalesce(notes_txt, '') || '}';
    END IF;
    RETURN left(head::text, -1) || coalesce(notes_txt, '') || ', "children": [' || coalesce(kids, '') || ']}';
END;
$$;

-- Below the national root, a report's territory is a small part of the
-- tables, and its results are best found by their keys; the planner cannot
-- know it (it sees the territory as a function's 1,000 rows) and scanned
-- all the country's results for a district (bench/RESULTS.md: a district's
-- year 255 ms, 58 ms by keys; a province's 445 ms, 185 ms). The country's
-- own report reads nearly everything, and is planned as it comes.
-- Planned once per connection (force_generic_plan): with enable_seqscan
-- off the one generic plan reads by keys whatever the unit, plan or period,
-- and planning each call was half of a province's report.
CREATE OR REPLACE FUNCTION th_report_by_keys(p_plan text, p_period text, p_unit text, p_by_child boolean,
                                             p_approved_only boolean DEFAULT false)
RETURNS text LANGUAGE sql STABLE
SET enable_seqscan = off
SET plan_cache_mode = force_generic_plan
AS $$ SELECT th_report_compute(p_plan, p_period, p_unit, p_by_child, p_approved_only) $$;

-- The country's report: each call planned for its own plan and period (a
-- cached generic plan was seen to take 15 s instead of 1).
CREATE OR REPLACE FUNCTION th_report_country(p_plan text, p_period text, p_unit text, p_by_child boolean,
                                             p_approved_only boolean DEFAULT false)
RETURNS text LANGUAGE sql STABLE
SET plan_cache_mode = force_custom_plan
AS $$ SELECT th_report_compute(p_plan, p_period, p_unit, p_by_child, p_approved_only) $$;

-- The report of a plan for a period at a unit, as the text of its JSON
-- document: th_report_compute, by keys unless it is the country's (the
-- unit VN, or a plan issued by VN asked without a unit). The same numbers
-- either way. What the server sends: the text is JSON as written, and
-- reading it back as json (th_report) parses all of it again, a twentieth
-- of a province's report.
DROP FUNCTION IF EXISTS th_report_text(text, text, text, boolean, boolean);
CREATE OR REPLACE FUNCTION th_report_text(p_plan text, p_period text, p_unit text, p_by_child boolean,
                                          p_approved_only boolean DEFAULT false)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF coalesce(p_unit, (SELECT issuer_unit FROM current_plans WHERE code = p_plan)) = 'VN' THEN
        RETURN th_report_country(p_plan, p_period, p_unit, p_by_child, p_approved_only);
    END IF;
    RETURN th_report_by_keys(p_plan, p_period, p_unit, p_by_child, p_approved_only);
END;
$$;

-- The same document as json, for SQL (tests, psql, exports).
CREATE OR REPLACE FUNCTION th_report(p_plan text, p_period text, p_unit text, p_by_child boolean,
                                     p_approved_only boolean DEFAULT false)
RETURNS json LANGUAGE sql STABLE AS $$
    SELECT th_report_text(p_plan, p_period, p_unit, p_by_child, p_approved_only)::json
$$;
