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
-- takes) and its latest quarter (what a stock takes). A probe per unit
-- (LATERAL with OFFSET 0, which the planner may not flatten: a plan
-- cached on a new database otherwise walked all the year's rows for every
-- batch).
CREATE OR REPLACE FUNCTION th_sender_values(p_year integer, p_quarter integer, p_units text[])
RETURNS TABLE (unit_code text, indicator_code text, f_num numeric, f_den numeric, f_val numeric,
               l_num bigint, l_den bigint, l_val bigint, l_txt text)
LANGUAGE sql STABLE AS $$
    SELECT x.unit_code, x.indicator_code, x.f_num, x.f_den, x.f_val,
           CASE x.lq WHEN 4 THEN x.n4 WHEN 3 THEN x.n3 WHEN 2 THEN x.n2 ELSE x.n1 END,
           CASE x.lq WHEN 4 THEN x.d4 WHEN 3 THEN x.d3 WHEN 2 THEN x.d2 ELSE x.d1 END,
           CASE x.lq WHEN 4 THEN x.v4 WHEN 3 THEN x.v3 WHEN 2 THEN x.v2 ELSE x.v1 END,
           CASE x.lq WHEN 4 THEN x.t4 WHEN 3 THEN x.t3 WHEN 2 THEN x.t2 ELSE x.t1 END
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

-- The rows of unit_period_values for a period (p_quarter 1-4, or 0 for the
-- year) and the units p_keys (keys of units existing on the period's last
-- day), every indicator:
--  * the senders of a unit are the units whose results belong to it on the
--    last day (th_heirs_at): itself, its predecessors, and a unit that
--    ceased leaving no successor, through its parent;
--  * per sender and indicator, a flow adds up its quarters of the period and
--    a stock is its latest quarter;
--  * per unit, a flow adds up its senders; a stock adds up the senders of
--    the nearest generation that has one (0: the unit itself), marked
--    carried when that is a predecessor.
CREATE OR REPLACE FUNCTION th_unit_values_compute(p_year integer, p_quarter integer, p_keys text[])
RETURNS TABLE (end_key text, indicator_code text, num numeric, den numeric, val numeric, txt text,
               carried boolean, f1 timestamptz, f2 timestamptz, f3 timestamptz, f4 timestamptz)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
    q_from  integer := CASE WHEN p_quarter = 0 THEN 1 ELSE p_quarter END;
    q_to    integer := CASE WHEN p_quarter = 0 THEN 4 ELSE p_quarter END;
    p_end   date := (make_date(p_year, (CASE WHEN p_quarter = 0 THEN 4 ELSE p_quarter END - 1) * 3 + 1, 1)
                     + interval '3 months' - interval '1 day')::date;
BEGIN
    RETURN QUERY
    WITH RECURSIVE l(code) AS (
        SELECT k FROM unnest(p_keys) AS k
        UNION
        SELECT s.predecessor FROM l JOIN unit_successions s ON s.successor = l.code
    ), cand AS (
        SELECT code FROM l
        UNION
        SELECT u.code FROM units u   -- (th_report's senders: every such unit)
         WHERE u.valid_to IS NOT NULL AND u.valid_to <= p_end
           AND NOT EXISTS (SELECT 1 FROM unit_successions s WHERE s.predecessor = u.code)
    ), ends AS MATERIALIZED (   -- each sender of the period, where it belongs
        SELECT h.orig AS unit_code, h.key AS end_key, h.depth AS gen
          FROM th_heirs_at(ARRAY(SELECT DISTINCT s.unit_code FROM cand c
                                   JOIN submissions s ON s.unit_code = c.code
                                  WHERE s.year = p_year AND s.quarter BETWEEN q_from AND q_to), p_end) h
         WHERE h.key = ANY (p_keys)
    ), sender AS (    -- per sender and indicator: flows added up, the latest quarter
        SELECT * FROM th_sender_values(p_year, p_quarter, ARRAY(SELECT e.unit_code FROM ends e))
    ), r AS (
        SELECT s.*, e.end_key, e.gen, min(e.gen) OVER (PARTITION BY e.end_key, s.indicator_code) AS mingen
          FROM sender s JOIN ends e ON e.unit_code = s.unit_code
    ), per_unit AS (
        SELECT r.end_key, r.indicator_code,
               CASE WHEN i.numerator_agg = 'flow' THEN sum(r.f_num)
                    ELSE sum(r.l_num) FILTER (WHERE r.gen = r.mingen) END AS num,
               CASE WHEN i.denominator_agg = 'flow' THEN sum(r.f_den)
                    ELSE sum(r.l_den) FILTER (WHERE r.gen = r.mingen) END AS den,
               CASE WHEN i.numerator_agg = 'flow' THEN sum(r.f_val)
                    ELSE sum(r.l_val) FILTER (WHERE r.gen = r.mingen) END AS val,
               max(r.l_txt) FILTER (WHERE r.gen = r.mingen) AS txt,
               coalesce(bool_or(r.mingen > 0 AND 'stock' IN (i.numerator_agg, i.denominator_agg)), false) AS carried
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
-- exists on the period's last day, succeeded no unit and is no unit's
-- parent (th_unit_values_refresh checks), so its only sender is itself and
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

-- Replaces the rows of unit_period_values for the periods and units named:
-- element i of the arrays is one (year, quarter, unit key). Two
-- transactions storing results of two senders of one unit (two communes
-- merged into one, stored by two ingest workers) would each compute the
-- unit's row without the other's uncommitted results: so each first takes
-- a transaction lock for the unit (see below), sorted within the call, and
-- computes after it has it (under READ COMMITTED, a statement after the
-- wait sees what the other committed). Two transactions that each make
-- several calls can still take two of these locks in opposite orders:
-- PostgreSQL then cancels one as a deadlock, and the server stores its
-- batch again one submission at a time (server/ingest.c).
-- (SECURITY INVOKER, as the rest: the server's role writes this derived
-- table, rules/90_grants.sql. Run with its owner's rights it made every
-- batch twice as slow, measured.)
CREATE OR REPLACE FUNCTION th_unit_values_refresh(p_year integer[], p_quarter integer[], p_key text[])
RETURNS void LANGUAGE plpgsql
-- A batch's units are found by their keys, whatever the statistics say (a
-- plan cached on a new database would scan; see th_ingest_batch).
SET enable_seqscan = off
SET jit = off  -- compiling took 100-150 ms of a 10 ms statement
AS $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT a.y, a.q, p_end,
                    array_agg(DISTINCT a.k) FILTER (WHERE a.own) AS own,
                    array_agg(DISTINCT a.k) FILTER (WHERE NOT a.own) AS other
               FROM (SELECT b.y, b.q, b.k, b.p_end,
                            -- its own alone: it exists on the last day, no
                            -- predecessor of it, of any generation, sent
                            -- anything for the period (whatever the dates:
                            -- a map loaded late leaves what an old commune
                            -- sent after it ceased), and it is no unit's
                            -- parent (a unit that ceased leaving no
                            -- successor belongs to its parent)
                            EXISTS (SELECT 1 FROM units u WHERE u.code = b.k AND u.valid_from <= b.p_end
                                       AND (u.valid_to IS NULL OR u.valid_to > b.p_end))
                            AND NOT EXISTS (SELECT 1 FROM th_lineage(b.k) l
                                             WHERE l.depth > 0
                                               AND EXISTS (SELECT 1 FROM submissions x   -- (a probe: OFFSET 0)
                                                            WHERE x.unit_code = l.code AND x.year = b.y
                                                              AND x.quarter BETWEEN b.q_from AND b.q_to
                                                           OFFSET 0))
                            AND NOT EXISTS (SELECT 1 FROM unit_parents l WHERE l.parent_code = b.k) AS own
                       FROM (SELECT DISTINCT a0.y, a0.q, a0.k,
                                    CASE WHEN a0.q = 0 THEN 1 ELSE a0.q END AS q_from,
                                    CASE WHEN a0.q = 0 THEN 4 ELSE a0.q END AS q_to,
                                    (make_date(a0.y, (CASE WHEN a0.q = 0 THEN 4 ELSE a0.q END - 1) * 3 + 1, 1)
                                     + interval '3 months' - interval '1 day')::date AS p_end
                               FROM unnest(p_year, p_quarter, p_key) AS a0(y, q, k)) b) a
              GROUP BY a.y, a.q, a.p_end
              ORDER BY a.y, a.q   -- (the locks below sorted across periods too)
    LOOP
        -- Only a unit with several senders can be refreshed by two
        -- transactions at once (two ingest workers storing two of its
        -- predecessors; a unit of its own alone is stored by one worker).
        -- Wait for the other, by one of 64 transaction locks per period
        -- taken in a sorted order: bounded however many units a transaction
        -- touches (a lock per unit ran out of shared memory on a load of
        -- the whole country in one transaction).
        IF g.other IS NOT NULL THEN
            PERFORM pg_advisory_xact_lock(20250701, x.lk)
               FROM (SELECT DISTINCT (g.y * 5 + g.q) * 64 + (hashtext(k) & 63) AS lk
                       FROM unnest(g.other) AS k) x
              ORDER BY x.lk;
        END IF;
        -- A unit's year rows add up its quarters. One server stores one
        -- unit's submissions one after another (lane.c: a unit always goes
        -- to the same worker), but two servers (high availability) may
        -- store two quarters of one unit at once, and each would write the
        -- year from a snapshot without the other's quarter. So the second
        -- waits for the first to commit, then reads both: a lock per unit
        -- (64 buckets would make the two workers of one server wait for
        -- each other on every batch), or the 64 buckets above when one
        -- transaction touches more than 1,000 units (a bulk load: a lock
        -- each would fill the lock table).
        IF g.own IS NOT NULL AND g.q = 0 THEN
            IF cardinality(g.own) <= 1000 THEN
                PERFORM pg_advisory_xact_lock(20250702, x.lk)
                   FROM (SELECT DISTINCT hashtext(k) AS lk FROM unnest(g.own) AS k) x
                  ORDER BY x.lk;
            ELSE
                PERFORM pg_advisory_xact_lock(20250701, x.lk)
                   FROM (SELECT DISTINCT (g.y * 5 + g.q) * 64 + (hashtext(k) & 63) AS lk
                           FROM unnest(g.own) AS k) x
                  ORDER BY x.lk;
            END IF;
        END IF;
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

-- After a statement wrote current_results, or changed submissions
-- (new_rows, with unit_code, year and quarter): refreshes, for each
-- sender and quarter written, the quarter's and the year's row of the unit
-- it belongs to on that period's last day.
CREATE OR REPLACE FUNCTION th_unit_values_on_results()
RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off  -- probes by key (see th_unit_values_refresh)
SET jit = off             -- (see th_unit_values_refresh)
AS $$
DECLARE
    ys integer[];
    qs integer[];
    ks text[];
BEGIN
    -- Each sender's unit on each period's last day: itself while it
    -- exists (nearly always), else its heir (th_heirs_at, once per period).
    WITH w AS (SELECT DISTINCT n.unit_code, n.year, n.quarter FROM new_rows n),
    periods AS MATERIALIZED (
        SELECT w.unit_code, w.year, p.q,
               (make_date(w.year, (CASE WHEN p.q = 0 THEN 4 ELSE p.q END - 1) * 3 + 1, 1)
                + interval '3 months' - interval '1 day')::date AS p_end
          FROM w CROSS JOIN LATERAL (VALUES (w.quarter::integer), (0)) AS p(q)
    ),
    tagged AS MATERIALIZED (
        SELECT p.*, EXISTS (SELECT 1 FROM units u WHERE u.code = p.unit_code AND u.valid_from <= p.p_end
                               AND (u.valid_to IS NULL OR u.valid_to > p.p_end)) AS exists_then
          FROM periods p
    ),
    gone AS MATERIALIZED (
        SELECT year, q, p_end, array_agg(unit_code) AS senders
          FROM tagged WHERE NOT exists_then GROUP BY year, q, p_end
    ),
    heirs AS (
        SELECT year, q, unit_code AS key FROM tagged WHERE exists_then
        UNION ALL
        SELECT g.year, g.q, h.key FROM gone g CROSS JOIN LATERAL th_heirs_at(g.senders, g.p_end) h
    )
    SELECT array_agg(year), array_agg(q), array_agg(key) INTO ys, qs, ks FROM heirs;
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
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION th_unit_values_on_results();

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
