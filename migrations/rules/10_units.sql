-- rules/10_units.sql: Units through time: which unit exists when, its subtree and ancestors on a given day, its role.
--
-- A rules file: SQL functions and views only, applied by `tonghopd migrate`
-- after the versioned migrations whenever this file's content changes
-- (recorded in schema_rules with its SHA-256). Every statement must be
-- re-runnable (CREATE OR REPLACE); a changed signature needs a DROP ...
-- IF EXISTS first. Tables belong in versioned migrations (migrations/NNN_*.sql).

-- Submissions: a unit must exist during the quarter it reports on (a
-- commune merged on 2025-07-01 may still send 2025Q2, not 2025Q4).
CREATE OR REPLACE FUNCTION th_unit_exists_in(p_unit text, p_year integer, p_quarter integer)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM units
         WHERE code = p_unit
           AND valid_from < make_date(p_year, (p_quarter - 1) * 3 + 1, 1) + interval '3 months'
           AND (valid_to IS NULL OR valid_to > make_date(p_year, (p_quarter - 1) * 3 + 1, 1)))
$$;

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
        WHEN p_parent IS NULL THEN 'province'
        WHEN p_type IN ('xa', 'phuong', 'thi-tran', 'dac-khu') THEN 'commune'
        ELSE 'district'
    END
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
