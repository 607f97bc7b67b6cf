-- rules/10_units.sql: Units through time: which unit exists when, its subtree and ancestors on a given day, its role.
--
-- A rules file: SQL functions and views only, applied by `tonghopd migrate`
-- after the versioned migrations whenever this file's content changes
-- (recorded in schema_rules with its SHA-256). Every statement must be
-- re-runnable (CREATE OR REPLACE); a changed signature needs a DROP ...
-- IF EXISTS first. Tables belong in versioned migrations (migrations/NNN_*.sql).

-- The units below root (and root itself) on a given day, with their depth
-- below root. Follows the links valid that day; a unit that did not exist
-- that day is not in the tree.
CREATE OR REPLACE FUNCTION th_subtree(p_root text, p_day date)
RETURNS TABLE (code text, depth integer)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE t(code, depth) AS (
        SELECT u.code, 0 FROM units u
         WHERE u.code = p_root AND u.valid_from <= p_day
           AND (u.valid_to IS NULL OR u.valid_to > p_day)
        UNION ALL
        SELECT l.unit_code, t.depth + 1
          FROM t JOIN unit_parents l ON l.parent_code = t.code
         WHERE l.valid_from <= p_day AND (l.valid_to IS NULL OR l.valid_to > p_day)
    )
    SELECT code, depth FROM t
$$;

-- The unit's role in reporting, from its type and place in the tree:
-- 'province', 'district' or 'commune' (plans name deadlines by role).
CREATE OR REPLACE FUNCTION th_unit_role(p_type text, p_parent text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_type = 'quoc-gia' THEN 'country'
        WHEN p_parent IS NULL OR p_parent = 'VN' THEN 'province'
        WHEN p_type IN ('xa', 'phuong', 'thi-tran', 'dac-khu') THEN 'commune'
        ELSE 'district'
    END
$$;

-- The key of the unit that holds a GSO code on a day, or NULL. Codes are
-- reused (the 2025 reform): the same code names different units at
-- different dates.
-- (PL/pgSQL, planned once per connection: as SQL, whose query cannot be
-- inlined, it was parsed and planned at each statement that called it.)
CREATE OR REPLACE FUNCTION th_unit_key(p_gso text, p_day date)
RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT u.code FROM units u
             WHERE u.gso_code = p_gso AND u.valid_from <= p_day AND (u.valid_to IS NULL OR u.valid_to > p_day)
             ORDER BY u.valid_from DESC LIMIT 1);
END;
$$;

-- The key of the unit that held a GSO code during a quarter (the latest to
-- come into being, should two have held it in one quarter), or NULL.
CREATE OR REPLACE FUNCTION th_unit_key_in(p_gso text, p_year integer, p_quarter integer)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT code FROM units
     WHERE gso_code = p_gso
       AND valid_from < make_date(p_year, (p_quarter - 1) * 3 + 1, 1) + interval '3 months'
       AND (valid_to IS NULL OR valid_to > make_date(p_year, (p_quarter - 1) * 3 + 1, 1))
     ORDER BY valid_from DESC LIMIT 1
$$;

-- The unit that last held a GSO code before a day (it has ceased by then).
CREATE OR REPLACE FUNCTION th_unit_key_before(p_gso text, p_day date)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT code FROM units
     WHERE gso_code = p_gso AND valid_from <= p_day AND valid_to IS NOT NULL AND valid_to <= p_day
     ORDER BY valid_to DESC LIMIT 1
$$;

-- The unit that holds a GSO code on a day, or else the last that held it
-- before (it has ceased): what a code given today means to someone asking
-- about it, a commune merged away included (`tonghop plans --unit 22921`).
CREATE OR REPLACE FUNCTION th_unit_key_latest(p_gso text, p_day date)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(th_unit_key(p_gso, p_day), th_unit_key_before(p_gso, p_day))
$$;

-- The key of the unit that holds a GSO code on a day (the period's last
-- day of a report, a review, what is due), or a refusal that says why not:
-- TH029 UNIT_CEASED naming when and who succeeded it, TH033 UNIT_NOT_YET
-- naming when it came into being and what it was made from, TH007
-- UNKNOWN_UNIT, TH004 MISSING_FIELD when no code is given
-- (server/sqlerr.h), all on the field unit_code.
CREATE OR REPLACE FUNCTION th_unit_key_or_raise(p_gso text, p_day date)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    k    text := th_unit_key(p_gso, p_day);
    gone text;
BEGIN
    IF p_gso IS NULL THEN   -- (a NULL DETAIL below would fail the RAISE itself)
        RAISE EXCEPTION USING ERRCODE = 'TH004', COLUMN = 'unit_code', MESSAGE = 'no unit given';
    END IF;
    IF k IS NULL THEN
        gone := th_unit_ceased_text(th_unit_key_before(p_gso, p_day));
        IF gone IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'TH029', COLUMN = 'unit_code', DETAIL = p_gso || ' ' || gone,
                                  MESSAGE = 'the unit had ceased by the end of the period';
        END IF;
        gone := th_unit_begun_text(th_unit_key_after(p_gso, p_day));
        IF gone IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'TH033', COLUMN = 'unit_code', DETAIL = p_gso || ' ' || gone,
                                  MESSAGE = 'the unit came into being after the end of the period';
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'TH007', COLUMN = 'unit_code', DETAIL = p_gso, MESSAGE = 'no such unit';
    END IF;
    RETURN k;
END;
$$;

-- The unit and every unit above it on a given day, nearest first.
CREATE OR REPLACE FUNCTION th_ancestors(p_unit text, p_day date)
RETURNS TABLE (code text, distance integer)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE a(code, distance) AS (
        SELECT p_unit, 0
        UNION ALL
        SELECT l.parent_code, a.distance + 1
          FROM a JOIN unit_parents l ON l.unit_code = a.code
         WHERE l.valid_from <= p_day AND (l.valid_to IS NULL OR l.valid_to > p_day)
           AND a.distance < 32
    )
    SELECT code, distance FROM a
$$;


-- th_unit_exists_in (001_core) is no longer used: th_unit_key_in says
-- which unit held a code during a quarter.
DROP FUNCTION IF EXISTS th_unit_exists_in(text, integer, integer);

-- The unit whose territory each unit's results belong to on a day: the
-- unit itself while it exists; after it ceased, its heir (the first
-- successor: lowest position, then key), followed until one exists on the
-- day; a unit that ceased without successor hands on to its parent of its
-- last day. One row per unit of p_keys that reaches a unit existing on the
-- day; depth counts the steps (0: the unit itself), path lists the units
-- stepped through, the unit itself first and key last (a stock's latest
-- value stands until one of the later units of its path reports after
-- taking it over: th_unit_values_compute). Set-based: a report asks it
-- for every sender at once. The steps are walked once for every unit that
-- ceased, when the map changes (unit_heir_steps, th_unit_closures_rewrite):
-- a step is reached on a day by which the unit and every step before it
-- had ceased.
DROP FUNCTION IF EXISTS th_heir_at(text, date);
CREATE OR REPLACE FUNCTION th_heir_paths(p_keys text[], p_day date)
RETURNS TABLE (orig text, key text, depth integer, path text[])
LANGUAGE plpgsql STABLE
-- (PL/pgSQL, planned once per connection, by key: its callers pass it
-- subqueries, and as SQL it was planned again at each call, 0.3 ms of a
-- province's report.)
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT DISTINCT ON (h.orig) h.orig, h.key, h.depth, h.path
      FROM (SELECT k AS orig, k AS key, 0 AS depth, ARRAY[k] AS path, NULL::date AS ceased_by
              FROM unnest(p_keys) AS k
            UNION ALL
            SELECT s.orig, s.key, s.depth, s.path, s.ceased_by FROM unit_heir_steps s
             WHERE s.orig = ANY (p_keys)) h
      JOIN units v ON v.code = h.key
     WHERE (h.ceased_by IS NULL OR h.ceased_by <= p_day)
       AND v.valid_from <= p_day AND (v.valid_to IS NULL OR v.valid_to > p_day)
     ORDER BY h.orig, h.depth;
END;
$$;

-- th_heir_paths without the paths.
-- (PL/pgSQL: as SQL, called with a subquery for its array, as the review
-- and the values of units outside a plan's territory call it, it was
-- planned again at each call, 0.3 ms of a province's report even for no
-- key at all.)
CREATE OR REPLACE FUNCTION th_heirs_at(p_keys text[], p_day date)
RETURNS TABLE (orig text, key text, depth integer)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    IF cardinality(p_keys) > 0 THEN
        RETURN QUERY SELECT h.orig, h.key, h.depth FROM th_heir_paths(p_keys, p_day) h;
    END IF;
END;
$$;

-- The unit that first held a GSO code after a day (it came into being
-- later: a unit made by the 2025 reform, asked about for 2025Q2).
CREATE OR REPLACE FUNCTION th_unit_key_after(p_gso text, p_day date)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT code FROM units
     WHERE gso_code = p_gso AND valid_from > p_day
     ORDER BY valid_from LIMIT 1
$$;

-- What a unit was made from: "2025-07-01: 03979 Xã Mường Sang, ..." for
-- refusals of a period before it came into being: the date and its
-- predecessors in the succession file (just the date when none is
-- recorded); NULL for NULL.
CREATE OR REPLACE FUNCTION th_unit_begun_text(p_key text)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT u.valid_from::text || coalesce(': ' || (
               SELECT string_agg(o.gso_code || ' ' || o.name_with_type, ', ' ORDER BY o.gso_code, o.code)
                 FROM unit_successions s JOIN units o ON o.code = s.predecessor
                WHERE s.successor = u.code), '')
      FROM units u WHERE u.code = p_key
$$;

-- Who took over a unit that ceased: "2025-07-01: 26734 Phường Hàm Thắng,
-- ..." for refusals that must name the successor: its successors in the
-- succession file, else the unit its territory went to (th_heirs_at: the
-- unit above it, or that unit's heir: Phường 2 of Tuy Hòa, 22021, left no
-- successor and is named "2025-07-01: 66 Tỉnh Đắk Lắk"); just the date
-- when nothing took it; NULL when the unit still exists.
CREATE OR REPLACE FUNCTION th_unit_ceased_text(p_key text)
RETURNS text LANGUAGE sql STABLE AS $$
    SELECT u.valid_to::text || coalesce(': ' || coalesce((
               SELECT string_agg(n.gso_code || ' ' || n.name_with_type, ', ' ORDER BY s.position, n.gso_code)
                 FROM unit_successions s JOIN units n ON n.code = s.successor
                WHERE s.predecessor = u.code), (
               SELECT n.gso_code || ' ' || n.name_with_type
                 FROM th_heirs_at(ARRAY[u.code], u.valid_to) h JOIN units n ON n.code = h.key)), '')
      FROM units u WHERE u.code = p_key AND u.valid_to IS NOT NULL
$$;

-- A unit and every unit whose territory went into it, transitively
-- (depth 0: the unit itself).
CREATE OR REPLACE FUNCTION th_lineage(p_key text)
RETURNS TABLE (code text, depth integer)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE l(code, depth) AS (
        SELECT p_key, 0
        UNION
        SELECT s.predecessor, l.depth + 1 FROM l JOIN unit_successions s ON s.successor = l.code
         WHERE l.depth < 16
    )
    SELECT code, min(depth) FROM l GROUP BY code
$$;

-- Whether p_unit is p_root or lies below it on p_day (th_ancestors). A
-- plan's issuer, an approving unit, a report's unit: "is it the root's".
-- (PL/pgSQL, planned once per connection: as SQL, whose EXISTS cannot be
-- inlined, the walk was parsed and planned at each statement that called
-- it, 0.3 ms of every report.)
CREATE OR REPLACE FUNCTION th_within(p_unit text, p_root text, p_day date)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN p_unit = p_root OR EXISTS (SELECT 1 FROM th_ancestors(p_unit, p_day) a WHERE a.code = p_root);
END;
$$;

-- Whether a unit lies in the territory of a plan's issuer: below it on the
-- day, or made (wholly or partly) of units that were below it on their last
-- day. A plan keeps its territory across a reform this way.
CREATE OR REPLACE FUNCTION th_in_territory(p_unit text, p_issuer text, p_day date)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT th_within(p_unit, p_issuer, p_day)
        OR EXISTS (SELECT 1 FROM th_lineage(p_unit) l JOIN units u ON u.code = l.code
                    WHERE l.depth > 0 AND th_within(u.code, p_issuer, u.valid_to - 1))
$$;

-- Those of p_units that lie in the territory of p_issuer on p_day: the
-- units for which th_in_territory is true, found for all of them at once.
-- A report, a review or an approval filters a territory of hundreds of
-- units with it: th_in_territory unit by unit took 38 ms of the 115 of
-- plan 1751/KH-UBND's year on Lâm Đồng (125 units), this takes a few.
-- The same three ways in, as sets: the issuer itself; the units below it
-- on p_day (its links walked down, as th_ancestors walks them up); and the
-- units one of whose predecessors (th_lineage) is the issuer or was below
-- it on its own last day: a direct predecessor in unit_successions, the
-- rest in unit_origins, which holds them for every unit
-- (th_unit_closures_rewrite; walking the successions and the links back
-- at each call was 2 ms of that year's report, looking them up 0.3).
CREATE OR REPLACE FUNCTION th_territory_among(p_units text[], p_issuer text, p_day date)
RETURNS SETOF text LANGUAGE plpgsql STABLE
-- (PL/pgSQL, planned once per connection with its arguments unknown, as
-- an SQL function is planned at each call: called with a subquery for an
-- argument, as SQL it was planned again each time, a third of finding a
-- plan's territory. It walks by key whoever calls it.)
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH RECURSIVE u AS MATERIALIZED (
        SELECT DISTINCT x AS code FROM unnest(p_units) AS x
    ), below(code, depth) AS (
        SELECT p_issuer, 0
        UNION ALL
        SELECT l.unit_code, b.depth + 1 FROM below b JOIN unit_parents l ON l.parent_code = b.code
         WHERE l.valid_from <= p_day AND (l.valid_to IS NULL OR l.valid_to > p_day) AND b.depth < 32
    )
    SELECT u.code FROM u
     WHERE u.code = p_issuer OR u.code IN (SELECT b.code FROM below b)
        OR EXISTS (SELECT 1 FROM unit_successions s WHERE s.successor = u.code AND s.predecessor = p_issuer)
        OR EXISTS (SELECT 1 FROM unit_origins o WHERE o.code = u.code AND o.part_of = p_issuer);
END;
$$;

-- The units that ceased leaving no successor, each with the units it was
-- linked under on its last day (migration 018's unit_orphans, which this
-- rewrites): run by a statement trigger on the three tables it derives
-- from, so that no writer of the map can leave it stale. (Computing it in
-- each query walked every child of every old district and province: most
-- of a province's report across the reform.)
CREATE OR REPLACE FUNCTION th_unit_orphans_rewrite()
RETURNS void LANGUAGE sql AS $$
    -- (One writer of the map at a time rewrites it: two at once each
    -- deleted the rows they saw and inserted the same ones. The lock is
    -- held to the end of the transaction; the next one then sees them.)
    LOCK TABLE unit_orphans IN EXCLUSIVE MODE;
    DELETE FROM unit_orphans;
    INSERT INTO unit_orphans (code, parent_code, valid_to)
    SELECT DISTINCT u.code, l.parent_code, u.valid_to
      FROM units u
      JOIN unit_parents l ON l.unit_code = u.code
                         AND l.valid_from < u.valid_to AND (l.valid_to IS NULL OR l.valid_to >= u.valid_to)
     WHERE u.valid_to IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM unit_successions s WHERE s.predecessor = u.code);
$$;
CREATE OR REPLACE FUNCTION th_unit_orphans_refresh()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- (An import, th_units_apply, rewrites it once when its statements are
    -- done: about ten of them. On the two maps of 2024 and 2025 a rewrite
    -- takes about 0.4 s, so any other statement that changes the map, one
    -- row or many, takes that much longer; only imports are expected to.)
    IF coalesce(current_setting('tonghop.orphans_deferred', true), '') <> 'on' THEN
        PERFORM th_unit_derived_rewrite();
    END IF;
    RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER units_orphans AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION th_unit_orphans_refresh();
CREATE OR REPLACE TRIGGER unit_parents_orphans AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit_parents
    FOR EACH STATEMENT EXECUTE FUNCTION th_unit_orphans_refresh();
CREATE OR REPLACE TRIGGER unit_successions_orphans AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit_successions
    FOR EACH STATEMENT EXECUTE FUNCTION th_unit_orphans_refresh();

-- The three closures of migration 019, rewritten with unit_orphans (after
-- it: the senders' closure reads it), from which the territory
-- (th_territory_among), the senders (th_unit_sender_candidates) and the
-- heirs (th_heir_paths) of a report are looked up by key.
--  * unit_origins: each unit, and each unit whose territory went (in part)
--    into it: its predecessors (th_lineage, depth > 1: the direct ones are
--    unit_successions' rows) and, for each that ceased, the units it lay
--    under on its last day (th_ancestors);
--  * unit_sender_paths: each unit, and the units th_unit_sender_candidates
--    reaches from it (its predecessors, the orphans under them, theirs in
--    turn), with since, the latest day an orphan on the way ceased (the
--    earliest such over the ways there are; NULL: a way with none);
--  * unit_heir_steps: each unit that ceased, and the steps th_heir_paths
--    follows from it, with the day by which every step before had ceased.
CREATE OR REPLACE FUNCTION th_unit_closures_rewrite()
RETURNS void LANGUAGE sql
-- (Each statement runs once on the whole map: compiling it took longer
-- than running it. Its hash tables are sized from the planner's guesses
-- for recursive queries, far above what they hold, and up to work_mem:
-- memory asked for and never used was 40 ms of an import of the 2024 map,
-- where these tables stay empty.)
SET jit = off
SET work_mem = '1MB'
AS $$
    LOCK TABLE unit_origins, unit_sender_paths, unit_heir_steps IN EXCLUSIVE MODE;
    DELETE FROM unit_origins;
    INSERT INTO unit_origins (code, part_of)
    WITH RECURSIVE lin(code, pred, depth) AS (   -- th_lineage, depth > 0
        SELECT s.successor, s.predecessor, 1 FROM unit_successions s
        UNION
        SELECT lin.code, s.predecessor, lin.depth + 1 FROM lin JOIN unit_successions s ON s.successor = lin.pred
         WHERE lin.depth < 16
    ), cp AS MATERIALIZED (   -- each unit, and the unit each of its predecessors that
                              -- ceased lay under on its last day
        SELECT DISTINCT lin.code, l.parent_code, u.valid_to - 1 AS last_day
          FROM lin JOIN units u ON u.code = lin.pred
          JOIN unit_parents l ON l.unit_code = lin.pred AND l.valid_from <= u.valid_to - 1
                             AND (l.valid_to IS NULL OR l.valid_to > u.valid_to - 1)
         WHERE u.valid_to IS NOT NULL
           AND lin.pred <> lin.code   -- (a unit is not its own predecessor, even in a cycle)
    ), up(start, last_day, code, distance) AS (   -- th_ancestors of those units on those days
        SELECT d.parent_code, d.last_day, d.parent_code, 1 FROM (SELECT DISTINCT cp.parent_code, cp.last_day FROM cp) d
        UNION ALL
        SELECT up.start, up.last_day, l.parent_code, up.distance + 1 FROM up JOIN unit_parents l ON l.unit_code = up.code
         WHERE l.valid_from <= up.last_day AND (l.valid_to IS NULL OR l.valid_to > up.last_day) AND up.distance < 32
    )
    SELECT x.code, x.part_of
      FROM (SELECT lin.code, lin.pred AS part_of FROM lin
             WHERE lin.depth > 1   -- (a direct predecessor: th_territory_among asks unit_successions)
            UNION ALL
            SELECT cp.code, up.code FROM cp JOIN up ON up.start = cp.parent_code AND up.last_day = cp.last_day) x
     WHERE x.part_of <> x.code    -- (nor the unit itself)
     GROUP BY x.code, x.part_of
     ORDER BY x.code COLLATE "C";  -- (a unit's rows together: a report reads them so)
    DELETE FROM unit_sender_paths;
    INSERT INTO unit_sender_paths (code, sender, since)
    WITH RECURSIVE step(code, sender, since) AS (   -- one step of th_unit_sender_candidates
        SELECT s.successor, s.predecessor, NULL::date FROM unit_successions s
        UNION ALL
        SELECT o.parent_code, o.code, o.valid_to FROM unit_orphans o
    ), c(code, sender, since) AS (   -- (UNION: each way once; greatest ignores a NULL)
        SELECT st.code, st.sender, st.since FROM step st
        UNION
        SELECT c.code, st.sender, greatest(c.since, st.since) FROM c JOIN step st ON st.code = c.sender
    )
    SELECT c.code, c.sender, CASE WHEN bool_or(c.since IS NULL) THEN NULL ELSE min(c.since) END
      FROM c WHERE c.sender <> c.code
     GROUP BY c.code, c.sender
     ORDER BY c.code COLLATE "C";
    DELETE FROM unit_heir_steps;
    INSERT INTO unit_heir_steps (orig, depth, key, ceased_by, path)
    WITH RECURSIVE h(orig, key, depth, ceased_by, path) AS (
        SELECT u.code, u.code, 0, NULL::date, ARRAY[u.code] FROM units u WHERE u.valid_to IS NOT NULL
        UNION ALL
        SELECT h.orig, coalesce(fs.successor, fp.parent_code), h.depth + 1,
               greatest(h.ceased_by, u.valid_to), h.path || coalesce(fs.successor, fp.parent_code)
          FROM h JOIN units u ON u.code = h.key
          LEFT JOIN LATERAL (SELECT s.successor FROM unit_successions s WHERE s.predecessor = h.key
                              ORDER BY s.position, s.successor LIMIT 1) fs ON true
          LEFT JOIN LATERAL (SELECT l.parent_code FROM unit_parents l
                              WHERE l.unit_code = h.key AND l.valid_from < u.valid_to
                                AND (l.valid_to IS NULL OR l.valid_to >= u.valid_to)
                              ORDER BY l.valid_from DESC LIMIT 1) fp ON true
         WHERE u.valid_to IS NOT NULL AND h.depth < 16
           AND coalesce(fs.successor, fp.parent_code) IS NOT NULL
    )
    SELECT h.orig, h.depth, h.key, h.ceased_by, h.path FROM h WHERE h.depth > 0 ORDER BY h.orig COLLATE "C", h.depth;
$$;

-- Everything derived from the map's tables, in order.
CREATE OR REPLACE FUNCTION th_unit_derived_rewrite()
RETURNS void LANGUAGE sql AS $$
    SELECT th_unit_orphans_rewrite();
    SELECT th_unit_closures_rewrite();
$$;

-- (Filled as the map stands when this file is applied.)
SELECT th_unit_derived_rewrite();

-- The units whose results may belong to one of p_keys on p_end (th_heirs_at
-- walked back): the keys, their predecessors, and the units below them
-- that ceased leaving no successor (linked to them on their last day:
-- unit_orphans) by p_end, and theirs in turn: unit_sender_paths, that
-- walk done for every unit when the map changes. A superset: th_heirs_at
-- keeps those whose results do end at a key (a split commune's go to its
-- first successor only).
CREATE OR REPLACE FUNCTION th_unit_sender_candidates(p_keys text[], p_end date)
RETURNS SETOF text LANGUAGE sql STABLE AS $$
    SELECT k FROM unnest(p_keys) AS k
    UNION
    SELECT p.sender FROM unit_sender_paths p
     WHERE p.code = ANY (p_keys) AND (p.since IS NULL OR p.since <= p_end)
$$;

-- Those of p_units (units that have ceased: senders whose results belong to
-- another unit) that lay in the territory of a plan's issuer p_issuer on
-- their own last day (th_in_territory, with th_territory_among for the
-- units that ceased on each day).
CREATE OR REPLACE FUNCTION th_territory_senders(p_units text[], p_issuer text)
RETURNS SETOF text LANGUAGE plpgsql STABLE
-- (PL/pgSQL, planned once per connection, by key: see th_territory_among)
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH s AS MATERIALIZED (
        SELECT u.code, u.valid_to - 1 AS last_day FROM units u WHERE u.code = ANY (p_units) AND u.valid_to IS NOT NULL
    )
    SELECT t.code
      FROM (SELECT DISTINCT s.last_day FROM s) d
      CROSS JOIN LATERAL th_territory_among(ARRAY(SELECT s.code FROM s WHERE s.last_day = d.last_day),
                                            p_issuer, d.last_day) AS t(code);
END;
$$;
