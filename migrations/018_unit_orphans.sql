-- 018: the units that ceased leaving no successor, and the unit above each
-- on its last day.
--
-- Their results belong to that unit (and so to its heir): Phường Bình Hưng
-- of Phan Thiết (22939) to Phan Thiết, which left none either, to Bình
-- Thuận, to Lâm Đồng. Finding who may have sent results for a unit
-- (th_unit_sender_candidates, rules/10_units.sql) walked every child of
-- every old district and province to find the few that left no successor;
-- this table holds those few (848 after the reform of 1 July 2025). It is
-- derived from units, unit_parents and unit_successions, and rewritten by
-- a statement trigger on them (th_unit_orphans_refresh, rules/10_units.sql),
-- filled when that rules file is applied.
CREATE TABLE unit_orphans (
    code        text NOT NULL,  -- the unit that ceased (units.code)
    parent_code text NOT NULL,  -- a unit it was linked under on its last day
    valid_to    date NOT NULL,  -- the day it ceased (units.valid_to)
    PRIMARY KEY (code, parent_code)
);
CREATE INDEX unit_orphans_parent ON unit_orphans (parent_code, valid_to);
