-- 003: the unit tree through time.
--
-- Units are merged, split and moved (the July 2025 reform removed the
-- district tier). A result belongs to the unit that reported it; which
-- district or province it rolls up into depends on the tree *as it was in
-- the result's period*. unit_parents keeps every parent link with the dates
-- it held: [valid_from, valid_to).

CREATE TABLE unit_parents (
    unit_code   text NOT NULL REFERENCES units (code),
    parent_code text NOT NULL REFERENCES units (code),
    valid_from  date NOT NULL,
    valid_to    date,
    PRIMARY KEY (unit_code, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    CHECK (unit_code <> parent_code)
);
CREATE INDEX unit_parents_parent_idx ON unit_parents (parent_code);

INSERT INTO unit_parents (unit_code, parent_code, valid_from)
SELECT code, parent_code, valid_from FROM units WHERE parent_code IS NOT NULL;

-- The units below root (and root itself) on a given day, with their depth
-- below root. Follows the links valid that day; a unit that did not exist
-- that day is not in the tree.
CREATE FUNCTION th_subtree(p_root text, p_day date)
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
CREATE FUNCTION th_unit_role(p_type text, p_parent text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_parent IS NULL THEN 'province'
        WHEN p_type IN ('xa', 'phuong', 'thi-tran', 'dac-khu') THEN 'commune'
        ELSE 'district'
    END
$$;
