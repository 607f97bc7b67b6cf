-- rules/15_units_import.sql: applying a staged list of administrative units
-- (tonghopd import-units), with its succession.
--
-- A rules file: SQL functions and views only, applied by `tonghopd migrate`
-- after the versioned migrations whenever this file's content changes
-- (recorded in schema_rules with its SHA-256). Every statement must be
-- re-runnable (CREATE OR REPLACE); a changed signature needs a DROP ...
-- IF EXISTS first. Tables belong in versioned migrations (migrations/NNN_*.sql).

-- Applies th_units_stage (the file: GSO codes) and th_succession_stage (old
-- code -> new code) as of a day. The caller (server/import_units.c) made
-- both temporary tables, checked every row's shape, duplicates and that
-- every parent exists, and that the day is not before the last change.
--
-- Identity: a row of the file is the unit that holds its code on the day,
-- unless the code is a successor's (or a predecessor's) in the succession
-- and that holder came into being earlier: then it is a new unit (key "CODE.YYYY-MM-DD" when the
-- plain code is taken). So importing the same files again changes nothing.
-- Every predecessor ceases on the day; with p_complete every unit not in
-- the file does too (districts abolished). Provinces hang from the country.
-- Refusals (SQLSTATE TH005 / TH007, server/sqlerr.h) name the line or the
-- codes: a succession row naming an unknown unit, a date that is not the
-- day, a parent link that would make a cycle.
-- Approvals standing over a territory the list changed lock again what
-- counts there now (th_approval_locks_follow, 47_approval.sql); the last
-- three columns say how many approvals and locks that changed.
DROP FUNCTION IF EXISTS th_units_apply(date, boolean);
CREATE OR REPLACE FUNCTION th_units_apply(p_as_of date, p_complete boolean)
RETURNS TABLE (added bigint, changed bigint, moved bigint, closed bigint, succeeded bigint,
               approvals_followed integer, locks_added bigint, locks_removed bigint)
LANGUAGE plpgsql AS $$
DECLARE
    n_added   bigint;
    n_changed bigint;
    n_moved   bigint;
    n_closed  bigint := 0;
    n_succ    bigint := 0;
    bad       record;
    cyc       text;
    jit_was   text := current_setting('jit');
    stats_was text := current_setting('default_statistics_target');
    merge_was text := current_setting('enable_mergejoin');
    loop_was  text := current_setting('enable_nestloop');
    n_reached bigint;
    follow    record;
BEGIN
    -- No JIT for the statements of the import: each runs once on ten
    -- thousand rows, and compiling one took longer than running it (set
    -- back before the rebuild below, which is its own business).
    PERFORM set_config('jit', 'off', true);
    -- The units that left no successor are found once, below, rather than
    -- after each statement (th_unit_orphans_refresh, 10_units.sql).
    PERFORM set_config('tonghop.orphans_deferred', 'on', true);
    -- Results stored while the tree changes would be filed under the old
    -- tree, after the rebuild below has read them: wait for the batches
    -- being stored, and hold new ones (they wait; a client retries past
    -- the server's --db-timeout) until this import commits.
    LOCK TABLE current_results IN SHARE MODE;
    SELECT * INTO bad FROM th_succession_stage WHERE valid_from <> p_as_of ORDER BY line LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'TH005', COLUMN = 'valid_from',
            DETAIL = format('line %s: %s is not the date of the import, %s', bad.line, bad.valid_from, p_as_of),
            MESSAGE = 'succession date';
    END IF;
    SELECT * INTO bad FROM th_succession_stage ss
     WHERE NOT EXISTS (SELECT 1 FROM th_units_stage s WHERE s.code = ss.new_code) ORDER BY line LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'TH007', COLUMN = 'new_code',
            DETAIL = format('line %s: %s is not in the list', bad.line, bad.new_code), MESSAGE = 'successor';
    END IF;

    -- Which unit each row of the file is (set-based: a list has ten
    -- thousand rows; hashed, so the staging tables need no index).
    -- (Statistics of the columns that are joined on only, from a sample of
    -- 3,000 rows: ANALYZE sorts each column's sample, and the plans need
    -- little more than how many rows and how many distinct codes.)
    PERFORM set_config('default_statistics_target', '10', true);
    ANALYZE th_units_stage (code);
    ANALYZE th_succession_stage (old_code, new_code);
    -- Each row's key: the unit holding its code on the day; but a
    -- successor is a new unit, unless this import already made it, and so
    -- is a unit whose code's holder is a predecessor (it ceases today). A
    -- new unit's key is its code, or "CODE.YYYY-MM-DD" when the code is
    -- taken. Then each row's parent: a row of the file, else the unit
    -- holding the code. (One statement: the rows are written once.)
    -- (Hashed: a merge join sorted both sides by code, estimated from a
    -- CTE without statistics.)
    PERFORM set_config('enable_mergejoin', 'off', true);
    CREATE TEMP TABLE th_units_keyed ON COMMIT DROP AS
    WITH k AS MATERIALIZED (
        SELECT s.*,
               CASE WHEN h.code IS NOT NULL
                         AND NOT (h.valid_from < p_as_of
                                  AND (s.code IN (SELECT new_code FROM th_succession_stage)
                                       OR s.code IN (SELECT old_code FROM th_succession_stage)))
                    THEN h.code
                    WHEN EXISTS (SELECT 1 FROM units u WHERE u.code = s.code)
                    THEN s.code || '.' || p_as_of::text
                    ELSE s.code END AS key
          FROM th_units_stage s
          LEFT JOIN LATERAL (
              SELECT u.code, u.valid_from FROM units u
               WHERE u.gso_code = s.code AND u.valid_from <= p_as_of
                 AND (u.valid_to IS NULL OR u.valid_to > p_as_of)
               ORDER BY u.valid_from DESC LIMIT 1) h ON true
    )
    SELECT k.*, CASE WHEN k.parent_code IS NULL THEN 'VN'
                     ELSE coalesce(p.key, th_unit_key(k.parent_code, p_as_of)) END AS parent_key
      FROM k LEFT JOIN k p ON p.code = k.parent_code;
    PERFORM set_config('enable_mergejoin', merge_was, true);
    ANALYZE th_units_keyed (code, key, parent_code);
    PERFORM set_config('default_statistics_target', stats_was, true);

    -- Predecessors: who held each old code the day before (the latest to
    -- come into being; joined, not probed once per row).
    CREATE TEMP TABLE th_succ ON COMMIT DROP AS
    SELECT DISTINCT ON (ss.line) ss.line, ss.old_code, p.code AS pred, k.key AS succ, ss.line AS position
      FROM th_succession_stage ss
      JOIN th_units_keyed k ON k.code = ss.new_code
      LEFT JOIN units p ON p.gso_code = ss.old_code AND p.valid_from < p_as_of
                       AND (p.valid_to IS NULL OR p.valid_to >= p_as_of)
     ORDER BY ss.line, p.valid_from DESC;
    SELECT * INTO bad FROM th_succ WHERE pred IS NULL ORDER BY line LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'TH007', COLUMN = 'old_code',
            DETAIL = format('line %s: no unit had the code %s before %s', bad.line, bad.old_code, p_as_of),
            MESSAGE = 'predecessor';
    END IF;

    -- Units that move: their open link closes on the day (or, when it
    -- began that day, is a correction and goes).
    WITH moving AS (
        SELECT k.key, k.parent_key FROM th_units_keyed k JOIN units u ON u.code = k.key
         WHERE u.parent_code IS DISTINCT FROM k.parent_key
    ), closed_l AS (
        UPDATE unit_parents l SET valid_to = p_as_of FROM moving m
         WHERE l.unit_code = m.key AND l.valid_to IS NULL AND l.valid_from < p_as_of RETURNING 1
    ), dropped_l AS (
        DELETE FROM unit_parents l USING moving m
         WHERE l.unit_code = m.key AND l.valid_to IS NULL AND l.valid_from >= p_as_of RETURNING 1
    )
    SELECT (SELECT count(*) FROM closed_l) + (SELECT count(*) FROM dropped_l) INTO n_moved;

    -- The units of the file: those known changed in place, the others
    -- added. (Two plain statements: an INSERT ... ON CONFLICT DO UPDATE
    -- checked each row apart first, a fifth slower. Should another import
    -- be adding the same units at the same moment, the insert fails when
    -- that one commits, and both are done again the old way.)
    BEGIN
        UPDATE units u SET name = k.name, name_with_type = k.name_with_type, type = k.type,
               parent_code = k.parent_key, level = k.level, valid_to = NULL
          FROM th_units_keyed k
         WHERE u.code = k.key
           AND (u.name, u.name_with_type, u.type, u.parent_code, u.level, u.valid_to)
               IS DISTINCT FROM (k.name, k.name_with_type, k.type, k.parent_key, k.level, NULL::date);
        GET DIAGNOSTICS n_changed = ROW_COUNT;
        INSERT INTO units (code, gso_code, name, name_with_type, type, parent_code, level, valid_from)
        SELECT k.key, k.code, k.name, k.name_with_type, k.type, k.parent_key, k.level, p_as_of
          FROM th_units_keyed k
         WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.code = k.key);
        GET DIAGNOSTICS n_added = ROW_COUNT;
    EXCEPTION WHEN unique_violation THEN
        WITH up AS (
            INSERT INTO units AS u (code, gso_code, name, name_with_type, type, parent_code, level, valid_from)
            SELECT key, code, name, name_with_type, type, parent_key, level, p_as_of FROM th_units_keyed
            ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, name_with_type = EXCLUDED.name_with_type,
                type = EXCLUDED.type, parent_code = EXCLUDED.parent_code, level = EXCLUDED.level, valid_to = NULL
            WHERE (u.name, u.name_with_type, u.type, u.parent_code, u.level, u.valid_to)
                  IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.name_with_type, EXCLUDED.type,
                                    EXCLUDED.parent_code, EXCLUDED.level, NULL::date)
            RETURNING (xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) INTO n_added, n_changed
          FROM up;
    END;

    INSERT INTO unit_parents (unit_code, parent_code, valid_from)
    SELECT k.key, k.parent_key, p_as_of FROM th_units_keyed k
     WHERE NOT EXISTS (SELECT 1 FROM unit_parents l WHERE l.unit_code = k.key AND l.valid_to IS NULL);

    -- Predecessors cease; with a complete list, so does every unit left out.
    WITH gone AS (
        SELECT DISTINCT pred AS key FROM th_succ
        UNION
        SELECT u.code FROM units u
         WHERE p_complete AND u.valid_to IS NULL AND u.code <> 'VN'
           AND NOT EXISTS (SELECT 1 FROM th_units_keyed k WHERE k.key = u.code)
    ), links AS (
        UPDATE unit_parents l SET valid_to = greatest(p_as_of, l.valid_from + 1) FROM gone g
         WHERE l.unit_code = g.key AND l.valid_to IS NULL RETURNING 1
    ), cl AS (
        UPDATE units u SET valid_to = greatest(p_as_of, u.valid_from + 1) FROM gone g
         WHERE u.code = g.key AND u.valid_to IS NULL RETURNING 1
    )
    SELECT (SELECT count(*) FROM cl) + 0 * (SELECT count(*) FROM links) INTO n_closed;

    -- The links not recorded yet, each once (the first line naming it).
    -- A plain insert: ON CONFLICT DO NOTHING checked each row apart and
    -- took twice as long. Should another import be recording the same
    -- links at the same moment, the insert fails when that one commits and
    -- is done again the old way, skipping them.
    BEGIN
        INSERT INTO unit_successions (predecessor, successor, valid_from, position)
        SELECT DISTINCT ON (t.pred, t.succ) t.pred, t.succ, p_as_of, t.position FROM th_succ t
         WHERE NOT EXISTS (SELECT 1 FROM unit_successions s WHERE s.predecessor = t.pred AND s.successor = t.succ)
         ORDER BY t.pred, t.succ, t.line;
        GET DIAGNOSTICS n_succ = ROW_COUNT;
    EXCEPTION WHEN unique_violation THEN
        WITH ins AS (
            INSERT INTO unit_successions (predecessor, successor, valid_from, position)
            SELECT pred, succ, p_as_of, position FROM th_succ ORDER BY line
            ON CONFLICT (predecessor, successor) DO NOTHING RETURNING 1
        )
        SELECT count(*) INTO n_succ FROM ins;
    END;

    -- Every link names units that exist (the tables have no per-row
    -- foreign keys: this one pass is the check). First whether any code a
    -- link names is missing, against the units hashed once (counted: an
    -- EXISTS would be planned to stop early, with a probe per code), then
    -- which link.
    IF (SELECT count(*) FROM (SELECT l.unit_code AS c FROM unit_parents l
                              UNION ALL SELECT l.parent_code FROM unit_parents l
                              UNION ALL SELECT u.parent_code FROM units u WHERE u.parent_code IS NOT NULL
                              UNION ALL SELECT s.predecessor FROM unit_successions s
                              UNION ALL SELECT s.successor FROM unit_successions s) r
         WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.code = r.c)) > 0 THEN
        SELECT x.* INTO bad FROM (
            SELECT l.unit_code AS a, l.parent_code AS b FROM unit_parents l
              LEFT JOIN units u1 ON u1.code = l.unit_code LEFT JOIN units u2 ON u2.code = l.parent_code
             WHERE u1.code IS NULL OR u2.code IS NULL
            UNION ALL
            SELECT u.code, u.parent_code FROM units u LEFT JOIN units p ON p.code = u.parent_code
             WHERE u.parent_code IS NOT NULL AND p.code IS NULL
            UNION ALL
            SELECT s.predecessor, s.successor FROM unit_successions s
              LEFT JOIN units u1 ON u1.code = s.predecessor LEFT JOIN units u2 ON u2.code = s.successor
             WHERE u1.code IS NULL OR u2.code IS NULL) x LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'TH007', COLUMN = 'parent_code',
                DETAIL = format('a link names a unit that does not exist: %s -> %s', bad.a, bad.b),
                MESSAGE = 'orphan link';
        END IF;
    END IF;

    -- No unit may end up its own ancestor: every unit of the day must be
    -- reached from the country going down (one pass over the tree); one
    -- that is not sits in a cycle, which is then named. (The day's links
    -- hashed once, not probed for each unit reached.)
    PERFORM set_config('enable_nestloop', 'off', true);
    n_reached := (WITH RECURSIVE down(code, depth) AS (
            SELECT 'VN'::text, 0
            UNION ALL
            SELECT l.unit_code, down.depth + 1 FROM down
              JOIN unit_parents l ON l.parent_code = down.code
             WHERE l.valid_from <= p_as_of AND (l.valid_to IS NULL OR l.valid_to > p_as_of) AND down.depth < 64
        ) SELECT count(*) FROM down);
    PERFORM set_config('enable_nestloop', loop_was, true);
    IF n_reached < 1 + (SELECT count(*) FROM units u
               WHERE u.code <> 'VN' AND u.valid_from <= p_as_of AND (u.valid_to IS NULL OR u.valid_to > p_as_of)) THEN
        WITH RECURSIVE up(start, code, path) AS (
            SELECT k.key, k.key, ARRAY[k.key] FROM th_units_keyed k
            UNION ALL
            SELECT up.start, l.parent_code, up.path || l.parent_code
              FROM up JOIN unit_parents l ON l.unit_code = up.code
             WHERE l.valid_from <= p_as_of AND (l.valid_to IS NULL OR l.valid_to > p_as_of)
               AND NOT l.parent_code = ANY (up.path) AND cardinality(up.path) < 64
        )
        SELECT string_agg((SELECT gso_code FROM units WHERE code = c), ' → ' ORDER BY o) INTO cyc
          FROM (SELECT up.path || l.parent_code AS p
                  FROM up JOIN unit_parents l ON l.unit_code = up.code
                 WHERE l.valid_from <= p_as_of AND (l.valid_to IS NULL OR l.valid_to > p_as_of)
                   AND l.parent_code = up.start
                 LIMIT 1) x, unnest(x.p) WITH ORDINALITY AS e(c, o);
        -- (Not reached but in no cycle: a unit left under a parent that
        -- ceased; that is the list's business, not a cycle.)
        IF cyc IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = 'TH005', COLUMN = 'parent_code',
                DETAIL = 'a cycle: ' || cyc, MESSAGE = 'cycle in the unit tree';
        END IF;
    END IF;

    PERFORM set_config('tonghop.orphans_deferred', '', true);
    PERFORM th_unit_derived_rewrite();

    -- Who belongs where may have changed: each unit's values for each
    -- period are computed anew (35_unit_values.sql).
    PERFORM set_config('jit', jit_was, true);
    IF n_added + n_changed + n_moved + n_closed + n_succ > 0 THEN
        PERFORM th_unit_values_rebuild();
        SELECT * INTO follow FROM th_approval_locks_follow();
    ELSE
        SELECT 0 AS approvals_changed, 0::bigint AS locks_added, 0::bigint AS locks_removed INTO follow;
    END IF;
    RETURN QUERY SELECT n_added, n_changed, n_moved, n_closed, n_succ,
                        follow.approvals_changed, follow.locks_added, follow.locks_removed;
END;
$$;
