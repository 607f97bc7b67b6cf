-- 007: a unit is its GSO code *and* its dates; the national root; who
-- succeeded whom.
--
-- The reform of 1 July 2025 made most new communes and every new province
-- reuse an old unit's code: Phường 22921 of 2024 and the commune that took
-- code 22921 in July 2025 are different units, with different territories.
-- So units.code becomes the unit's internal key (unchanged for every unit
-- known so far); the code the GSO gives it is gso_code. A unit that reuses a
-- code someone else held gets the key "CODE.YYYY-MM-DD" (the date it came
-- into being). Codes stay at the edges: what comes in is resolved to a key
-- by (gso_code, date), what goes out is the gso_code.

ALTER TABLE units ADD COLUMN gso_code text;
UPDATE units SET gso_code = code;
ALTER TABLE units ALTER COLUMN gso_code SET NOT NULL;
ALTER TABLE units ADD CHECK (gso_code ~ '^[0-9A-Za-z._-]{1,32}$');
ALTER TABLE units DROP CONSTRAINT units_code_check;
ALTER TABLE units ADD CONSTRAINT units_code_check CHECK (code ~ '^[0-9A-Za-z._-]{1,48}$');
ALTER TABLE units DROP CONSTRAINT units_level_check;
ALTER TABLE units ADD CONSTRAINT units_level_check CHECK (level >= 0);
CREATE INDEX units_gso_code_idx ON units (gso_code, valid_from);

-- The country: the root above the provinces, so that the ministry can
-- consolidate everything. Level 0; its key and code are "VN".
INSERT INTO units (code, gso_code, name, name_with_type, type, parent_code, level, valid_from)
VALUES ('VN', 'VN', 'Việt Nam', 'Nước Cộng hòa xã hội chủ nghĩa Việt Nam', 'quoc-gia', NULL, 0, DATE '1900-01-01');
INSERT INTO unit_parents (unit_code, parent_code, valid_from, valid_to)
SELECT code, 'VN', valid_from, valid_to FROM units WHERE parent_code IS NULL AND code <> 'VN';
UPDATE units SET parent_code = 'VN' WHERE parent_code IS NULL AND code <> 'VN';

-- Who succeeded whom: the territory of predecessor went (wholly or partly)
-- to successor on valid_from. A predecessor split between several
-- successors has one row each; its results count once, towards its heir:
-- the successor with the lowest position (then key).
CREATE TABLE unit_successions (
    predecessor text NOT NULL,
    successor   text NOT NULL,
    valid_from  date NOT NULL,
    position    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (predecessor, successor),
    CHECK (predecessor <> successor)
);
CREATE INDEX unit_successions_successor_idx ON unit_successions (successor);

-- The tree (units.parent_code, unit_parents, unit_successions) is written by
-- one function only, th_units_apply (rules/15_units_import.sql), which
-- checks in one pass that every link names existing units and refuses the
-- whole import otherwise (tests/integration/reform.sh checks that no orphan
-- was written): per-row foreign keys cost more than the whole check when
-- the country's ten thousand units are loaded. A unit changes its dates in
-- place, so room is left on each page for those updates.
ALTER TABLE units DROP CONSTRAINT units_parent_code_fkey;
ALTER TABLE unit_parents DROP CONSTRAINT unit_parents_unit_code_fkey;
ALTER TABLE unit_parents DROP CONSTRAINT unit_parents_parent_code_fkey;
ALTER TABLE units SET (fillfactor = 80);
ALTER TABLE unit_parents SET (fillfactor = 80);
