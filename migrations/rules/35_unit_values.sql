-- rules/35_unit_values.sql: each unit's values for each period (unit_period_values), kept up to date as results are stored.
--
-- A report (th_report, 40_report.sql) sums unit_period_values over the
-- units of its territory. The rows hold what th_report's rules make of a
-- unit's results for a period (see there and the README, "How to read a
-- report"): computed here by th_unit_values_compute, refreshed for the units
-- a statement touched by a trigger on current_results, rebuilt whole when
-- the unit tree changes (th_units_apply) and when this file changes (the
-- last statement below, run by migrate).
--
-- A rules file: SQL functions and views only, applied by `tonghopd migrate`
-- after the versioned migrations whenever this file's content changes
-- (recorded in schema_rules with its SHA-256). Every statement must be
-- re-runnable (CREATE OR REPLACE); a changed signature needs a DROP ...
-- IF EXISTS first. Tables belong in versioned migrations (migrations/NNN_*.sql).

-- Each sender's results for a period (p_quarter 1-4, or 0 for the year),
-- per indicator, in one hashed pass: its quarters added up (what a flow
-- takes) and its latest quarter (what a stock takes), and which quarter
-- that is (lq). A probe per unit
-- (LATERAL with OFFSET 0, which the planner may not flatten: a plan
-- cached on a new database otherwise walked all the year's rows for every
-- batch).
DROP FUNCTION IF EXISTS th_sender_values(integer, integer, text[]);
CREATE OR REPLACE FUNCTION th_sender_values(p_year integer, p_quarter integer, p_units text[])
RETURNS TABLE (unit_code text, indicator_code text, f_num numeric, f_den numeric, f_val numeric,
               l_num bigint, l_den bigint, l_val bigint, l_txt text, lq integer)
LANGUAGE sql STABLE AS $$
    SELECT x.unit_code, x.indicator_code, x.f_num, x.f_den, x.f_val,
           CASE x.lq WHEN 4 THEN x.n4 WHEN 3 THEN x.n3 WHEN 2 THEN x.n2 ELSE x.n1 END,
           CASE x.lq WHEN 4 THEN x.d4 WHEN 3 THEN x.d3 WHEN 2 THEN x.d2 ELSE x.d1 END,
           CASE x.lq WHEN 4 THEN x.v4 WHEN 3 THEN x.v3 WHEN 2 THEN x.v2 ELSE x.v1 END,
           CASE x.lq WHEN 4 THEN x.t4 WHEN 3 THEN x.t3 WHEN 2 THEN x.t2 ELSE x.t1 END,
           x.lq::integer
      FROM (SELECT c.unit_code, c.indicator_code, max(c.quarter) AS lq,
                   sum(c.numerator) AS f_num, sum(c.denominator) AS f_den, sum(c.value) AS f_val,
                   max(c.numerator) FILTER (WHERE c.quarter = 1) AS n1, max(c.numerator) FILTER (WHERE c.quarter = 2) AS n2,
                   max(c.numerator) FILTER (WHERE c.quarter = 3) AS n3, max(c.numerator) FILTER (WHERE c.quarter = 4) AS n4,
                   max(c.denominator) FILTER (WHERE c.quarter = 1) AS d1, max(c.denominator) FILTER (WHERE c.quarter = 2) AS d2,
                   max(c.denominator) FILTER (WHERE c.quarter = 3) AS d3, max(c.denominator) FILTER (WHERE c.quarter = 4) AS d4,
                   max(c.value) FILTER (WHERE c.quarter = 1) AS v1, max(c.value) FILTER (WHERE c.quarter = 2) AS v2,
                   max(c.value) FILTER (WHERE c.quarter = 3) AS v3, max(c.value) FILTER (WHERE c.quarter = 4) AS v4,
                   max(c.text) FILTER (WHERE c.quarter = 1) AS t1, max(c.text) FILTER (WHERE c.quarter = 2) AS t2,
                   max(c.text) FILTER (WHERE c.quarter = 3) AS t3, max(c.text) FILTER (WHERE c.quarter = 4) AS t4
              FROM unnest(p_units) AS k(code)
              CROSS JOIN LATERAL (
                  SELECT c0.* FROM current_results c0
                   WHERE c0.unit_code = k.code AND c0.year = p_year
                     AND c0.quarter BETWEEN (CASE WHEN p_quarter = 0 THEN 1 ELSE p_quarter END)
                                        AND (CASE WHEN p_quarter = 0 THEN 4 ELSE p_quarter END)
                  OFFSET 0) c
             GROUP BY c.unit_code, c.indicator_code) x
$$;

-- The senders of a period (p_quarter 1-4, or 0 for the year) whose results
-- belong to one of the units p_keys (keys of units existing on the
-- period's last day) on that day (th_heirs_at): each unit itself, its
-- predecessors, and a unit that ceased leaving no successor, through its
-- parent; gen counts the steps (0: the unit itself), path lists them
-- (th_heir_paths). Only the candidates
-- (th_unit_sender_candidates) that sent something for the period.
DROP FUNCTION IF EXISTS th_unit_senders(integer, integer, text[]);
CREATE OR REPLACE FUNCTION th_unit_senders(p_year integer, p_quarter integer, p_keys text[])
RETURNS TABLE (unit_code text, end_key text, gen integer, path text[])
LANGUAGE sql STABLE AS $$
    WITH d AS (   -- the period's last day
        SELECT (make_date(p_year, (CASE WHEN p_quarter = 0 THEN 4 ELSE p_quarter END - 1) * 3 + 1, 1)
                + interval '3 months' - interval '1 day')::date AS p_end
    ), cand AS MATERIALIZED (
        SELECT c.code FROM d, th_unit_sender_candidates(p_keys, d.p_end) AS c(code)
    )
    SELECT h.orig, h.key, h.depth, h.path
      FROM th_heir_paths(ARRAY(SELECT c.code FROM cand c   -- (a probe per candidate: the planner
                              -- takes the recursion for thousands of rows, and
                              -- hashed the whole year's submissions)
                              CROSS JOIN LATERAL (
                                  SELECT 1 FROM submissions s
                                   WHERE s.unit_code = c.code AND s.year = p_year
                                     AND s.quarter BETWEEN (CASE WHEN p_quarter = 0 THEN 1 ELSE p_quarter END)
                                                       AND (CASE WHEN p_quarter = 0 THEN 4 ELSE p_quarter END)
                                   LIMIT 1) sent),
                       (SELECT d.p_end FROM d)) h
     WHERE h.key = ANY (p_keys)
$$;

-- The senders (th_unit_senders) whose results belong to one of p_keys but
-- that lay outside the territory of a plan's issuer p_issuer on their own
-- last day: an old Lâm Đồng commune that left no successor hands its
-- results to new Lâm Đồng (68), which is in the territory of Bình Thuận's
-- plan 1751/KH-UBND (Bình Thuận went into it), but the results are not
-- Bình Thuận's. A report on a plan's territory that is not whole leaves
-- them out (th_report_compute, th_review_compute_json): out_keys are the
-- units of p_keys whose values hold such results, out_from their senders
-- (empty arrays when none).
DROP FUNCTION IF EXISTS th_unit_senders_outside(integer, integer, text[], text);
CREATE OR REPLACE FUNCTION th_unit_senders_outside(p_year integer, p_quarter integer, p_keys text[],
                                                   p_issuer text, OUT out_keys text[], OUT out_from text[])
LANGUAGE plpgsql STABLE AS $$
-- (PL/pgSQL, planned once per connection: as SQL, which returns one row
-- and so cannot be inlined, it was parsed and planned at each call, a
-- tenth of plan 1751/KH-UBND's year on Lâm Đồng.)
#variable_conflict use_column
BEGIN
    -- (The territory is asked first, of every sender that is no key, and
    -- the heirs only of the few outside it: heirs for all of them, as
    -- th_unit_senders finds them, were a quarter of plan 1751/KH-UBND's
    -- year on Lâm Đồng.)
    WITH d AS (   -- the period's last day
        SELECT (make_date(p_year, (CASE WHEN p_quarter = 0 THEN 4 ELSE p_quarter END - 1) * 3 + 1, 1)
                + interval '3 months' - interval '1 day')::date AS p_end
    ), sent AS MATERIALIZED (   -- the candidates that are no key and sent for the period
        SELECT c.code FROM d, th_unit_sender_candidates(p_keys, d.p_end) AS c(code)
         CROSS JOIN LATERAL (   -- (a probe per candidate, as in th_unit_senders)
             SELECT 1 FROM submissions s
              WHERE s.unit_code = c.code AND s.year = p_year
                AND s.quarter BETWEEN (CASE WHEN p_quarter = 0 THEN 1 ELSE p_quarter END)
                                  AND (CASE WHEN p_quarter = 0 THEN 4 ELSE p_quarter END)
              LIMIT 1) x
         WHERE c.code <> ALL (p_keys)
    ), outside AS MATERIALIZED (
        SELECT s.code FROM sent s
         WHERE s.code NOT IN (SELECT th_territory_senders(ARRAY(SELECT s2.code FROM sent s2), p_issuer))
    ), o AS (   -- ... whose results belong to a key on the last day (th_heirs_at)
        SELECT h.orig AS unit_code, h.key AS end_key
          FROM th_heirs_at(ARRAY(SELECT o0.code FROM outside o0), (SELECT d.p_end FROM d)) h
         WHERE h.key = ANY (p_keys)
    )
    SELECT coalesce(array_agg(DISTINCT o.end_key), '{}'), coalesce(array_agg(DISTINCT o.unit_code), '{}')
      INTO out_keys, out_from
      FROM o;
END;
$$;

-- The rows of unit_period_values for a period (p_quarter 1-4, or 0 for the
-- year) and the units p_keys (keys of units existing on the period's last
-- day), every indicator:
--  * the senders of a unit are the units whose results belong to it on the
--    last day (th_unit_senders): itself, its predecessors, and a unit that
--    ceased leaving no successor, through its parent; given p_issuer, only
--    those in the territory of that plan's issuer (th_territory_senders:
--    a report on the part of a unit's territory that a plan covers);
--  * per sender and indicator, a flow adds up its quarters of the period and
--    a stock is its latest quarter;
--  * per unit, a flow adds up its senders; a stock adds up the latest
--    values of its senders but those that a later unit of their path sent
--    a quarter for, ending once they had ceased (the unit itself stands for
--    its predecessors from its first quarter; a commune that left no
--    successor and its district, side by side until then, add up), marked
--    carried when a predecessor's counts.
DROP FUNCTION IF EXISTS th_unit_values_compute(integer, integer, text[]);
CREATE OR REPLACE FUNCTION th_unit_values_compute(p_year integer, p_quarter integer, p_keys text[],
                                                  p_issuer text DEFAULT NULL)
RETURNS TABLE (end_key text, indicator_code text, num numeric, den numeric, val numeric, txt text,
               carried boolean, f1 timestamptz, f2 timestamptz, f3 timestamptz, f4 timestamptz)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
    q_from  integer := CASE WHEN p_quarter = 0 THEN 1 ELSE p_quarter END;
    q_to    integer := CASE WHEN p_quarter = 0 THEN 4 ELSE p_quarter END;
BEGIN
    RETURN QUERY
    WITH ends0 AS MATERIALIZED (   -- each sender of the period, where it belongs
        SELECT h.unit_code, h.end_key, h.gen, h.path FROM th_unit_senders(p_year, p_quarter, p_keys) h
    ), ends AS MATERIALIZED (      -- ... given p_issuer, those in that plan's territory
        SELECT e.unit_code, e.end_key, e.gen, e.path FROM ends0 e
         WHERE p_issuer IS NULL OR e.gen = 0
            OR e.unit_code IN (SELECT th_territory_senders(ARRAY(SELECT e2.unit_code FROM ends0 e2 WHERE e2.gen > 0),
                                                           p_issuer))
    ), sender AS (    -- per sender and indicator: flows added up, the latest quarter
        -- (The senders as a column, not a subquery: th_sender_values is
        -- then inlined, not parsed and planned again at each call.)
        SELECT v.* FROM (SELECT ARRAY(SELECT e.unit_code FROM ends e) AS a OFFSET 0) k
         CROSS JOIN LATERAL th_sender_values(p_year, p_quarter, k.a) v
    ), r0 AS MATERIALIZED (
        SELECT s.*, e.end_key, e.gen, e.path, u.valid_to AS ceased,
               (make_date(p_year, s.lq * 3, 1) + interval '1 month' - interval '1 day')::date AS lq_end
          FROM sender s JOIN ends e ON e.unit_code = s.unit_code JOIN units u ON u.code = s.unit_code
    ), later AS (      -- a sender's latest stock stands for its part of the
                       -- territory unless a unit after it on its path (the
                       -- unit it went into, ..., the end unit) sent a later
                       -- quarter that ends once it had ceased: that one
                       -- describes the same facilities and people. (Units
                       -- that stood side by side, a commune that left no
                       -- successor and the district above it, add up.)
                       -- (Joined by the path's units: a correlated test
                       -- compared every pair of a rebuild's rows.)
        SELECT DISTINCT r0.unit_code, r0.end_key, r0.indicator_code
          FROM r0
          CROSS JOIN LATERAL unnest(r0.path[2:]) AS p(code)
          JOIN r0 t ON t.end_key = r0.end_key AND t.indicator_code = r0.indicator_code AND t.unit_code = p.code
         WHERE r0.gen > 0 AND t.lq_end >= r0.ceased
    ), r AS (
        SELECT r0.*, l.unit_code IS NOT NULL AS superseded
          FROM r0 LEFT JOIN later l
            ON l.unit_code = r0.unit_code AND l.end_key = r0.end_key AND l.indicator_code = r0.indicator_code
    ), per_unit AS (
        SELECT r.end_key, r.indicator_code,
               CASE WHEN i.numerator_agg = 'flow' THEN sum(r.f_num)
                    ELSE sum(r.l_num) FILTER (WHERE NOT r.superseded) END AS num,
               CASE WHEN i.denominator_agg = 'flow' THEN sum(r.f_den)
                    ELSE sum(r.l_den) FILTER (WHERE NOT r.superseded) END AS den,
               CASE WHEN i.numerator_agg = 'flow' THEN sum(r.f_val)
                    ELSE sum(r.l_val) FILTER (WHERE NOT r.superseded) END AS val,
               max(r.l_txt) FILTER (WHERE NOT r.superseded) AS txt,
               coalesce(bool_or(r.gen > 0 AND NOT r.superseded
                                AND 'stock' IN (i.numerator_agg, i.denominator_agg)), false) AS carried
          FROM r JOIN indicators i ON i.code = r.indicator_code
         GROUP BY r.end_key, r.indicator_code, i.numerator_agg, i.denominator_agg
    ), firsts AS (     -- when each unit's results for each indicator first came, per quarter
        SELECT e.end_key, i.code AS indicator_code,
               min(s.received_at) FILTER (WHERE s.quarter = 1) AS f1,
               min(s.received_at) FILTER (WHERE s.quarter = 2) AS f2,
               min(s.received_at) FILTER (WHERE s.quarter = 3) AS f3,
               min(s.received_at) FILTER (WHERE s.quarter = 4) AS f4
          FROM ends e
          CROSS JOIN LATERAL (SELECT s0.quarter, s0.received_at, s0.indicator_codes FROM submissions s0
                               WHERE s0.unit_code = e.unit_code AND s0.year = p_year
                                 AND s0.quarter BETWEEN q_from AND q_to OFFSET 0) s
          CROSS JOIN LATERAL unnest(s.indicator_codes) AS i(code)
         GROUP BY e.end_key, i.code
    )
    SELECT p.end_key, p.indicator_code, p.num, p.den, p.val, p.txt, p.carried, f.f1, f.f2, f.f3, f.f4
      FROM per_unit p LEFT JOIN firsts f ON f.end_key = p.end_key AND f.indicator_code = p.indicator_code;
END;
$$;

-- The same rows, for units whose results are their own alone: each key
-- exists on the period's last day, no predecessor of it sent anything for
-- the period, and neither it nor a predecessor was ever a unit's parent
-- (th_unit_values_periods checks), so its only sender is itself and
-- nothing is carried. Nearly every commune, every quarter: the ingest's
-- path, without th_unit_values_compute's search for senders.
CREATE OR REPLACE FUNCTION th_unit_values_compute_own(p_year integer, p_quarter integer, p_keys text[])
RETURNS TABLE (end_key text, indicator_code text, num numeric, den numeric, val numeric, txt text,
               carried boolean, f1 timestamptz, f2 timestamptz, f3 timestamptz, f4 timestamptz)
LANGUAGE sql STABLE AS $$
    WITH x AS (SELECT * FROM th_sender_values(p_year, p_quarter, p_keys))
    SELECT x.unit_code, x.indicator_code,
           CASE WHEN i.numerator_agg = 'flow' THEN x.f_num ELSE x.l_num END,
           CASE WHEN i.denominator_agg = 'flow' THEN x.f_den ELSE x.l_den END,
           CASE WHEN i.numerator_agg = 'flow' THEN x.f_val ELSE x.l_val END,
           x.l_txt,
           false, f.f1, f.f2, f.f3, f.f4
      FROM x
      JOIN indicators i ON i.code = x.indicator_code
      -- When results for the indicator first came, per quarter: a probe
      -- per row (the unit's few submissions of the year). (Joined to an
      -- aggregate instead, a plan cached on a new database looped over it
      -- for every row.)
      CROSS JOIN LATERAL (
          SELECT min(s.received_at) FILTER (WHERE s.quarter = 1) AS f1,
                 min(s.received_at) FILTER (WHERE s.quarter = 2) AS f2,
                 min(s.received_at) FILTER (WHERE s.quarter = 3) AS f3,
                 min(s.received_at) FILTER (WHERE s.quarter = 4) AS f4
            FROM submissions s
           WHERE s.unit_code = x.unit_code AND s.year = p_year
             AND s.quarter BETWEEN (CASE WHEN p_quarter = 0 THEN 1 ELSE p_quarter END)
                               AND (CASE WHEN p_quarter = 0 THEN 4 ELSE p_quarter END)
             AND x.indicator_code = ANY (s.indicator_codes)) f
$$;

-- The periods and units named (element i of the arrays is one year,
-- quarter and unit key), each marked:
--   own    its results are its own alone: it exists on the period's last
--          day, no predecessor of it, of any generation, sent anything for
--          the period (whatever the dates: a map loaded late leaves what an
--          old commune sent after it ceased), and neither it nor any of its
--          predecessors was ever a unit's parent (a unit that ceased
--          leaving no successor belongs to its parent, and through it to
--          the parent's heir: a hamlet under a commune that merged);
--   whole  own, and it existed on the last day of every quarter of the
--          period (for a year: since the first quarter's last day), so each
--          of its quarter rows of the period is its own results alone too
--          (th_unit_values_on_results derives its year row from them).
CREATE OR REPLACE FUNCTION th_unit_values_periods(p_year integer[], p_quarter integer[], p_key text[])
RETURNS TABLE (y integer, q integer, k text, own boolean, whole boolean)
LANGUAGE sql STABLE AS $$
    SELECT a.y, a.q, a.k, a.own, a.own AND a.from_start
      FROM (SELECT b.y, b.q, b.k,
                   coalesce(u.valid_from <= b.p_end AND (u.valid_to IS NULL OR u.valid_to > b.p_end), false)
                   AND NOT EXISTS (SELECT 1 FROM th_lineage(b.k) l
                                    WHERE (l.depth > 0
                                           AND EXISTS (SELECT 1 FROM submissions x   -- (a probe: OFFSET 0)
                                                        WHERE x.unit_code = l.code AND x.year = b.y
                                                          AND x.quarter BETWEEN b.q_from AND b.q_to
                                                       OFFSET 0))
                                       OR EXISTS (SELECT 1 FROM unit_parents p WHERE p.parent_code = l.code))
                   AS own,
                   coalesce(u.valid_from <= (make_date(b.y, b.q_from * 3, 1) + interval '1 month' - interval '1 day')::date,
                            false) AS from_start
              FROM (SELECT DISTINCT a0.y, a0.q, a0.k,
                           CASE WHEN a0.q = 0 THEN 1 ELSE a0.q END AS q_from,
                           CASE WHEN a0.q = 0 THEN 4 ELSE a0.q END AS q_to,
                           (make_date(a0.y, (CASE WHEN a0.q = 0 THEN 4 ELSE a0.q END - 1) * 3 + 1, 1)
                            + interval '3 months' - interval '1 day')::date AS p_end
                      FROM unnest(p_year, p_quarter, p_key) AS a0(y, q, k)) b
              LEFT JOIN LATERAL (SELECT u0.valid_from, u0.valid_to FROM units u0
                                  WHERE u0.code = b.k OFFSET 0) u ON true) a
$$;

-- Takes the transaction locks a transaction needs before it writes the
-- rows of the periods and units named (marked own as th_unit_values_periods
-- does), all of them in one sorted order (period, lock space, key), so that
-- two transactions that each take several wait for each other instead of
-- deadlocking. Two kinds:
--  * A unit with several senders can be refreshed by two transactions at
--    once (two ingest workers storing two of its predecessors; a unit of its
--    own alone is stored by one worker), and each would compute the unit's
--    rows without the other's uncommitted results. So each first takes a
--    lock for the unit, then computes after it has it (under READ
--    COMMITTED, a statement after the wait sees what the other committed):
--    one of 64 locks per period (space 20250701), bounded however many units
--    a transaction touches (a lock per unit ran out of shared memory on a
--    load of the whole country in one transaction).
--  * A unit's year rows add up its quarters. One server stores one unit's
--    submissions one after another (lane.c: a unit always goes to the same
--    worker), but two servers (high availability) may store two quarters of
--    one unit at once, and each would write the year from a snapshot
--    without the other's quarter. So the second waits for the first to
--    commit, then reads both: a lock per unit of its own (space 20250702;
--    64 buckets would make the two workers of one server wait for each
--    other on every batch), or the 64 buckets above when one transaction
--    touches more than 1,000 such units in a year (a bulk load: a lock each
--    would fill the lock table).
-- Two transactions whose statements each take their locks can still take
-- two of them in opposite orders across statements: PostgreSQL then
-- cancels one as a deadlock, and the server stores its batch again one
-- submission at a time (server/ingest.c).
CREATE OR REPLACE FUNCTION th_unit_values_lock(p_year integer[], p_quarter integer[], p_key text[], p_own boolean[])
RETURNS void LANGUAGE plpgsql
SET enable_seqscan = off
SET jit = off
AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(x.sp, x.lk)
       FROM (SELECT DISTINCT a.y, a.q,
                    CASE WHEN a.own AND a.nown <= 1000 THEN 20250702 ELSE 20250701 END AS sp,
                    CASE WHEN a.own AND a.nown <= 1000 THEN hashtext(a.k)
                         ELSE (a.y * 5 + a.q) * 64 + (hashtext(a.k) & 63) END AS lk
               FROM (SELECT d.*, count(*) FILTER (WHERE d.own) OVER (PARTITION BY d.y, d.q) AS nown
                       FROM (SELECT DISTINCT a0.y, a0.q, a0.k, a0.own
                               FROM unnest(p_year, p_quarter, p_key, p_own) AS a0(y, q, k, own)) d) a
              WHERE NOT a.own OR a.q = 0) x
      ORDER BY x.y, x.q, x.sp, x.lk;
END;
$$;

-- Replaces the rows of unit_period_values for the periods and units named,
-- by th_unit_values_compute_own for a unit of its own alone (p_own) and
-- th_unit_values_compute for the others. The caller holds the locks
-- (th_unit_values_lock).
-- (SECURITY INVOKER, as the rest: the server's role writes this derived
-- table, rules/90_grants.sql. Run with its owner's rights it made every
-- batch twice as slow, measured.)
CREATE OR REPLACE FUNCTION th_unit_values_write(p_year integer[], p_quarter integer[], p_key text[], p_own boolean[])
RETURNS void LANGUAGE plpgsql
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT a.y, a.q,
                    array_agg(DISTINCT a.k) FILTER (WHERE a.own) AS own,
                    array_agg(DISTINCT a.k) FILTER (WHERE NOT a.own) AS other
               FROM unnest(p_year, p_quarter, p_key, p_own) AS a(y, q, k, own)
              GROUP BY a.y, a.q
              ORDER BY a.y, a.q
    LOOP
        IF g.own IS NOT NULL THEN
            -- A unit of its own keeps its rows (current results are never
            -- deleted): replaced in place.
            INSERT INTO unit_period_values AS v (year, quarter, end_key, indicator_code, num, den, val, txt,
                                                 carried, f1, f2, f3, f4)
            SELECT g.y, g.q, c.end_key, c.indicator_code, c.num, c.den, c.val, c.txt, c.carried,
                   c.f1, c.f2, c.f3, c.f4
              FROM th_unit_values_compute_own(g.y, g.q, g.own) c
            ON CONFLICT (year, quarter, end_key, indicator_code) DO UPDATE
               SET num = EXCLUDED.num, den = EXCLUDED.den, val = EXCLUDED.val, txt = EXCLUDED.txt,
                   carried = EXCLUDED.carried, f1 = EXCLUDED.f1, f2 = EXCLUDED.f2,
                   f3 = EXCLUDED.f3, f4 = EXCLUDED.f4;
        END IF;
        IF g.other IS NOT NULL THEN
            DELETE FROM unit_period_values v
             WHERE v.year = g.y AND v.quarter = g.q AND v.end_key = ANY (g.other);
            INSERT INTO unit_period_values (year, quarter, end_key, indicator_code, num, den, val, txt,
                                            carried, f1, f2, f3, f4)
            SELECT g.y, g.q, c.end_key, c.indicator_code, c.num, c.den, c.val, c.txt, c.carried,
                   c.f1, c.f2, c.f3, c.f4
              FROM th_unit_values_compute(g.y, g.q, g.other) c;
        END IF;
    END LOOP;
END;
$$;

-- Replaces the rows of unit_period_values for the periods and units named
-- (element i of the arrays is one year, quarter and unit key), computed
-- from the stored results, after taking the locks (th_unit_values_lock).
CREATE OR REPLACE FUNCTION th_unit_values_refresh(p_year integer[], p_quarter integer[], p_key text[])
RETURNS void LANGUAGE plpgsql
-- A batch's units are found by their keys, whatever the statistics say (a
-- plan cached on a new database would scan; see th_ingest_batch).
SET enable_seqscan = off
SET jit = off  -- compiling took 100-150 ms of a 10 ms statement
AS $$
DECLARE
    ys integer[];
    qs integer[];
    ks text[];
    os boolean[];
BEGIN
    SELECT array_agg(c.y), array_agg(c.q), array_agg(c.k), array_agg(c.own) INTO ys, qs, ks, os
      FROM th_unit_values_periods(p_year, p_quarter, p_key) c;
    IF ks IS NOT NULL THEN
        PERFORM th_unit_values_lock(ys, qs, ks, os);
        PERFORM th_unit_values_write(ys, qs, ks, os);
    END IF;
END;
$$;

-- Each sender's unit on each period's last day, for each sender and period
-- (its quarter, and the year: quarter 0) of p_rows: itself while it exists
-- (nearly always), else its heir (th_heirs_at, once per period).
CREATE OR REPLACE FUNCTION th_unit_values_heirs(p_unit text[], p_year integer[], p_quarter integer[])
RETURNS TABLE (y integer, q integer, k text)
LANGUAGE sql STABLE AS $$
    WITH periods AS MATERIALIZED (
        SELECT w.unit_code, w.year, p.q,
               (make_date(w.year, (CASE WHEN p.q = 0 THEN 4 ELSE p.q END - 1) * 3 + 1, 1)
                + interval '3 months' - interval '1 day')::date AS p_end
          FROM (SELECT DISTINCT * FROM unnest(p_unit, p_year, p_quarter) AS w0(unit_code, year, quarter)) w
          CROSS JOIN LATERAL (VALUES (w.quarter), (0)) AS p(q)
    ),
    tagged AS MATERIALIZED (
        SELECT p.*, EXISTS (SELECT 1 FROM units u WHERE u.code = p.unit_code AND u.valid_from <= p.p_end
                               AND (u.valid_to IS NULL OR u.valid_to > p.p_end)) AS exists_then
          FROM periods p
    ),
    gone AS MATERIALIZED (
        SELECT year, q, p_end, array_agg(unit_code) AS senders
          FROM tagged WHERE NOT exists_then GROUP BY year, q, p_end
    )
    SELECT year, q, unit_code FROM tagged WHERE exists_then
    UNION ALL
    SELECT g.year, g.q, h.key FROM gone g CROSS JOIN LATERAL th_heirs_at(g.senders, g.p_end) h
$$;

-- After a statement wrote current_results (new_rows): refreshes, for each
-- sender and quarter written, the quarter's and the year's row of the unit
-- it belongs to on that period's last day.
--
-- The common path (nearly every commune, every quarter) is a unit whose
-- rows are its own results alone (th_unit_values_periods: own, whole).
-- Its rows are derived from what the statement wrote and the rows already
-- stored, without reading its results and submissions again (computing
-- them anew from current_results and submissions, a quarter and a year of
-- 12 indicators per unit, was half of PostgreSQL's time in the national
-- burst, bench/RESULTS.md):
--  * its quarter row is its own values for the quarter: the row new_rows
--    holds. f<q> (when results for the indicator first came in the quarter)
--    is the earlier of the row's f<q> and the time of the submission that
--    wrote the value (a correction keeps the first time; the first value
--    has no row yet);
--  * its year row changes by what the statement wrote (the unit's year row,
--    and its quarter rows from the first quarter written, read by one probe
--    per unit, after the unit's year lock, so with what another server
--    committed): a flow is the year less the quarters' stored values plus
--    their new ones (the year and the values NULL as th_unit_values_compute
--    makes them: see the CASE below); a stock and the text are the latest
--    quarter written unless a later quarter has a row (a correction of an
--    earlier quarter), then the year's as they were; f<q> the earlier of
--    the year's and the submission's, as for the quarter row.
-- That they are exactly what th_unit_values_rebuild computes rests on
-- every stored row being so when the statement starts (true after each
-- statement, by induction: rebuilt whole when the tree or these rules
-- change; current results are never deleted, so an own unit's quarter row
-- is there for each quarter it has results; a submission's time changed by
-- hand recomputes from the results, th_unit_values_on_submissions), and on
-- a unit of its own alone for a year being so for each quarter (whole: it
-- existed on the first quarter's last day). tests/integration/unit_values.sh
-- checks corrections of an earlier quarter after a later one, flows and
-- stocks, counts and texts, against a rebuild. The received time is the
-- submission's (a probe by its id per submission, not per value), counted
-- only when it is of that unit, quarter and indicator, as
-- th_unit_values_compute_own counts. Quarter and year rows are written by
-- one INSERT ... ON CONFLICT.
-- Any other unit (several senders; an heir; a unit new during the year)
-- is computed from the stored results (th_unit_values_write), after the
-- same locks, taken first for all (th_unit_values_lock).
CREATE OR REPLACE FUNCTION th_unit_values_on_results()
RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off  -- probes by key (see th_unit_values_refresh)
SET jit = off             -- (see th_unit_values_refresh)
AS $$
DECLARE
    ys integer[];
    qs integer[];
    ks text[];
    os boolean[];
    fs boolean[];
BEGIN
    SELECT array_agg(c.y), array_agg(c.q), array_agg(c.k), array_agg(c.own), array_agg(c.whole)
      INTO ys, qs, ks, os, fs
      FROM (SELECT array_agg(n.unit_code) AS u, array_agg(n.year::integer) AS y, array_agg(n.quarter::integer) AS q
              FROM new_rows n) n
     CROSS JOIN LATERAL (SELECT array_agg(h.y) AS y, array_agg(h.q) AS q, array_agg(h.k) AS k
                           FROM th_unit_values_heirs(n.u, n.y, n.q) h) h
     CROSS JOIN LATERAL th_unit_values_periods(h.y, h.q, h.k) c;
    IF ks IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM th_unit_values_lock(ys, qs, ks, os);

    WITH f AS MATERIALIZED (     -- the units' periods taken here
        SELECT a.y, a.q, a.k FROM unnest(ys, qs, ks, fs) AS a(y, q, k, whole) WHERE a.whole
    ),
    subs AS MATERIALIZED (       -- when each submission came (a probe by its id)
        SELECT s.id, s.unit_code, s.year, s.quarter, s.received_at, s.indicator_codes
          FROM (SELECT DISTINCT r.submission_id FROM new_rows r) r
          CROSS JOIN LATERAL (SELECT s0.* FROM submissions s0 WHERE s0.id = r.submission_id OFFSET 0) s
    ),
    n AS MATERIALIZED (          -- the rows written, of those units
        SELECT r.unit_code AS k, r.indicator_code AS ind, r.year::integer AS y, r.quarter::integer AS q,
               r.numerator::numeric AS num, r.denominator::numeric AS den, r.value::numeric AS val,
               r.text AS txt, fq.k IS NOT NULL AS fq, fy.k IS NOT NULL AS fy,
               r.quarter = max(r.quarter) OVER (PARTITION BY r.unit_code, r.indicator_code, r.year) AS latest,
               CASE WHEN s.unit_code = r.unit_code AND s.year = r.year AND s.quarter = r.quarter
                         AND r.indicator_code = ANY (s.indicator_codes) THEN s.received_at END AS recv
          FROM new_rows r
          LEFT JOIN f fq ON fq.y = r.year AND fq.q = r.quarter AND fq.k = r.unit_code
          LEFT JOIN f fy ON fy.y = r.year AND fy.q = 0 AND fy.k = r.unit_code
          LEFT JOIN subs s ON s.id = r.submission_id
         WHERE fq.k IS NOT NULL OR fy.k IS NOT NULL
    ),
    stored AS MATERIALIZED (     -- the stored rows of those years: the year's, and each quarter's from the
                                 -- first written (a probe per unit and quarter, by the whole key but
                                 -- the indicator: a plan made on a new database, given quarter = ANY
                                 -- (...), probed by year and unit alone, reading the whole year's rows)
        SELECT v.end_key AS k, v.indicator_code AS ind, v.year::integer AS y, v.quarter::integer AS q,
               v.num, v.den, v.val, v.txt
          FROM (SELECT n.y, n.k, min(n.q) AS q0 FROM n WHERE n.fy GROUP BY n.y, n.k) u
          CROSS JOIN LATERAL (SELECT 0 UNION ALL SELECT generate_series(u.q0, 4)) AS p(q)
          CROSS JOIN LATERAL (SELECT v0.* FROM unit_period_values v0
                               WHERE v0.year = u.y AND v0.quarter = p.q AND v0.end_key = u.k
                              OFFSET 0) v
    ),
    yq AS (                      -- in one list: each value written (1), with the stored value it replaces
                                 -- and whether it is the latest quarter written; the year row (0); the
                                 -- stored quarter rows (2)
        SELECT n.k, n.ind, n.y, n.q, 1 AS src, n.num, n.den, n.val, n.txt, n.recv,
               s.num AS o_num, s.den AS o_den, s.val AS o_val, n.latest
          FROM n LEFT JOIN stored s ON s.k = n.k AND s.ind = n.ind AND s.y = n.y AND s.q = n.q
         WHERE n.fy
        UNION ALL
        SELECT s.k, s.ind, s.y, s.q, CASE WHEN s.q = 0 THEN 0 ELSE 2 END, s.num, s.den, s.val, s.txt, NULL,
               NULL, NULL, NULL, false
          FROM stored s
    ),
    a AS (                       -- per unit, indicator and year written
        SELECT yq.k, yq.ind, yq.y, array_agg(yq.q) FILTER (WHERE yq.src = 1) AS qw,
               coalesce(max(yq.q) FILTER (WHERE yq.src = 2) > max(yq.q) FILTER (WHERE yq.src = 1), false) AS later,
               sum(yq.num) FILTER (WHERE yq.src = 1) AS s_num, sum(yq.den) FILTER (WHERE yq.src = 1) AS s_den,
               sum(yq.val) FILTER (WHERE yq.src = 1) AS s_val,
               sum(yq.o_num) FILTER (WHERE yq.src = 1) AS o_num, sum(yq.o_den) FILTER (WHERE yq.src = 1) AS o_den,
               sum(yq.o_val) FILTER (WHERE yq.src = 1) AS o_val,
               max(yq.num) FILTER (WHERE yq.src = 0) AS y_num, max(yq.den) FILTER (WHERE yq.src = 0) AS y_den,
               max(yq.val) FILTER (WHERE yq.src = 0) AS y_val, max(yq.txt) FILTER (WHERE yq.src = 0) AS y_txt,
               max(yq.num) FILTER (WHERE yq.latest) AS l_num, max(yq.den) FILTER (WHERE yq.latest) AS l_den,
               max(yq.val) FILTER (WHERE yq.latest) AS l_val, max(yq.txt) FILTER (WHERE yq.latest) AS l_txt,
               min(yq.recv) FILTER (WHERE yq.src = 1 AND yq.q = 1) AS f1,
               min(yq.recv) FILTER (WHERE yq.src = 1 AND yq.q = 2) AS f2,
               min(yq.recv) FILTER (WHERE yq.src = 1 AND yq.q = 3) AS f3,
               min(yq.recv) FILTER (WHERE yq.src = 1 AND yq.q = 4) AS f4
          FROM yq
         GROUP BY yq.k, yq.ind, yq.y
        HAVING count(*) FILTER (WHERE yq.src = 1) > 0
    ),
    yr AS (                      -- the year rows
        SELECT a.k, a.ind, a.y,
               CASE WHEN i.numerator_agg IS DISTINCT FROM 'flow' THEN CASE WHEN a.later THEN a.y_num ELSE a.l_num END
                    WHEN a.y_num IS NULL THEN a.s_num
                    WHEN a.s_num IS NOT NULL THEN a.y_num - coalesce(a.o_num, 0) + a.s_num
                    WHEN a.o_num IS NULL THEN a.y_num
                    ELSE (SELECT sum(v.num) FROM unit_period_values v   -- (never through the ingest)
                           WHERE v.year = a.y AND v.quarter = ANY (ARRAY[1, 2, 3, 4]) AND v.end_key = a.k
                             AND v.indicator_code = a.ind AND NOT (v.quarter = ANY (a.qw))) END AS num,
               CASE WHEN i.denominator_agg IS DISTINCT FROM 'flow' THEN CASE WHEN a.later THEN a.y_den ELSE a.l_den END
                    WHEN a.y_den IS NULL THEN a.s_den
                    WHEN a.s_den IS NOT NULL THEN a.y_den - coalesce(a.o_den, 0) + a.s_den
                    WHEN a.o_den IS NULL THEN a.y_den
                    ELSE (SELECT sum(v.den) FROM unit_period_values v   -- (never through the ingest)
                           WHERE v.year = a.y AND v.quarter = ANY (ARRAY[1, 2, 3, 4]) AND v.end_key = a.k
                             AND v.indicator_code = a.ind AND NOT (v.quarter = ANY (a.qw))) END AS den,
               CASE WHEN i.numerator_agg IS DISTINCT FROM 'flow' THEN CASE WHEN a.later THEN a.y_val ELSE a.l_val END
                    WHEN a.y_val IS NULL THEN a.s_val
                    WHEN a.s_val IS NOT NULL THEN a.y_val - coalesce(a.o_val, 0) + a.s_val
                    WHEN a.o_val IS NULL THEN a.y_val
                    ELSE (SELECT sum(v.val) FROM unit_period_values v   -- (never through the ingest)
                           WHERE v.year = a.y AND v.quarter = ANY (ARRAY[1, 2, 3, 4]) AND v.end_key = a.k
                             AND v.indicator_code = a.ind AND NOT (v.quarter = ANY (a.qw))) END AS val,
               CASE WHEN a.later THEN a.y_txt ELSE a.l_txt END AS txt,
               a.f1, a.f2, a.f3, a.f4
          FROM a JOIN indicators i ON i.code = a.ind
    )
    INSERT INTO unit_period_values AS v (year, quarter, end_key, indicator_code, num, den, val, txt,
                                         carried, f1, f2, f3, f4)
    SELECT n.y, n.q, n.k, n.ind, n.num, n.den, n.val, n.txt, false,
           CASE WHEN n.q = 1 THEN n.recv END, CASE WHEN n.q = 2 THEN n.recv END,
           CASE WHEN n.q = 3 THEN n.recv END, CASE WHEN n.q = 4 THEN n.recv END
      FROM n WHERE n.fq
    UNION ALL
    SELECT yr.y, 0, yr.k, yr.ind, yr.num, yr.den, yr.val, yr.txt, false, yr.f1, yr.f2, yr.f3, yr.f4
      FROM yr
    ON CONFLICT (year, quarter, end_key, indicator_code) DO UPDATE
       SET num = EXCLUDED.num, den = EXCLUDED.den, val = EXCLUDED.val, txt = EXCLUDED.txt,
           carried = false, f1 = least(v.f1, EXCLUDED.f1), f2 = least(v.f2, EXCLUDED.f2),
           f3 = least(v.f3, EXCLUDED.f3), f4 = least(v.f4, EXCLUDED.f4);

    IF NOT (true = ALL (fs)) THEN
        PERFORM th_unit_values_write(array_agg(a.y), array_agg(a.q), array_agg(a.k), array_agg(a.own))
           FROM unnest(ys, qs, ks, os, fs) AS a(y, q, k, own, whole)
          WHERE NOT a.whole;
    END IF;
    RETURN NULL;
END;
$$;

-- After a statement changed submissions (a submission's time changed by
-- hand; new_rows with unit_code, year and quarter): the rows of the periods
-- it sent for, computed anew from the stored results (its first times).
CREATE OR REPLACE FUNCTION th_unit_values_on_submissions()
RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off  -- probes by key (see th_unit_values_refresh)
SET jit = off             -- (see th_unit_values_refresh)
AS $$
DECLARE
    ys integer[];
    qs integer[];
    ks text[];
BEGIN
    SELECT array_agg(h.y), array_agg(h.q), array_agg(h.k) INTO ys, qs, ks
      FROM (SELECT array_agg(n.unit_code) AS u, array_agg(n.year::integer) AS y, array_agg(n.quarter::integer) AS q
              FROM new_rows n) n
     CROSS JOIN LATERAL th_unit_values_heirs(n.u, n.y, n.q) h;
    IF ks IS NOT NULL THEN
        PERFORM th_unit_values_refresh(ys, qs, ks);
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER current_results_unit_values_ins AFTER INSERT ON current_results
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION th_unit_values_on_results();
CREATE OR REPLACE TRIGGER current_results_unit_values_upd AFTER UPDATE ON current_results
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION th_unit_values_on_results();
-- (When a submission's time is changed by hand, its first times are too.)
CREATE OR REPLACE TRIGGER submissions_unit_values_upd AFTER UPDATE ON submissions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION th_unit_values_on_submissions();

-- Recomputes every row: for each period with results, the units their
-- senders belong to on its last day. Run when the unit tree changed (who
-- belongs where) and when this file changed (how the rows are computed).
CREATE OR REPLACE FUNCTION th_unit_values_rebuild()
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    g record;
    n bigint;
BEGIN
    DELETE FROM unit_period_values;
    FOR g IN SELECT DISTINCT s.year, p.q
               FROM (SELECT DISTINCT year, quarter FROM submissions) s
               CROSS JOIN LATERAL (VALUES (s.quarter::integer), (0)) AS p(q)
    LOOP
        INSERT INTO unit_period_values (year, quarter, end_key, indicator_code, num, den, val, txt,
                                        carried, f1, f2, f3, f4)
        SELECT g.year, g.q, c.end_key, c.indicator_code, c.num, c.den, c.val, c.txt, c.carried,
               c.f1, c.f2, c.f3, c.f4
          FROM th_unit_values_compute(g.year, g.q, ARRAY(
                   SELECT DISTINCT h.key
                     FROM th_heirs_at(ARRAY(SELECT DISTINCT s.unit_code FROM submissions s
                                             WHERE s.year = g.year
                                               AND (g.q = 0 OR s.quarter = g.q)),
                                      (make_date(g.year, (CASE WHEN g.q = 0 THEN 4 ELSE g.q END - 1) * 3 + 1, 1)
                                       + interval '3 months' - interval '1 day')::date) h)) c;
    END LOOP;
    SELECT count(*) INTO n FROM unit_period_values;
    RETURN n;
END;
$$;

-- This file's rules may have changed: what they maintain is computed anew.
SELECT th_unit_values_rebuild();
