-- 019: three closures of the map, derived from units, unit_parents,
-- unit_successions and unit_orphans, so that a report, a review or an
-- approval across a reform looks them up by key instead of walking the
-- successions and the links at each call (that walk was a third of plan
-- 1751/KH-UBND's year on new Lâm Đồng).
--
-- Like unit_orphans (018), all three are rewritten by the statement
-- trigger on the map's tables (th_unit_derived_rewrite, rules/10_units.sql)
-- and filled when that rules file is applied; nothing else writes them.

-- Whose territory each unit's was, wholly or in part, through the
-- succession: each predecessor but the direct ones (those are
-- unit_successions' rows: transitively, th_lineage), and each unit a
-- predecessor lay under on its own last day (th_ancestors). A plan of
-- Bình Thuận (60) covers the new communes whose part_of holds 60
-- (th_territory_among).
CREATE TABLE unit_origins (
    code    text NOT NULL,  -- a unit (units.code)
    part_of text NOT NULL,  -- a unit whose territory went (in part) into it
    PRIMARY KEY (code, part_of)
);

-- The units whose results may belong to each unit (th_unit_sender_candidates
-- walked once for every unit): its predecessors, the units under them that
-- ceased leaving no successor (unit_orphans), and theirs in turn. since:
-- such a unit's results can belong to code only for a period ending on or
-- after it (the latest day an orphan on the way ceased; NULL: any period).
CREATE TABLE unit_sender_paths (
    code   text NOT NULL,   -- a unit (units.code)
    sender text NOT NULL,   -- a unit whose results may belong to it
    since  date,
    PRIMARY KEY (code, sender)
);

-- The way each unit's results go once it has ceased (th_heir_paths walked
-- once for every unit that ceased): step 1 is its heir (its first
-- successor, else the unit it lay under on its last day), each next step
-- the heir of the step before. A period's results belong to the unit
-- itself while it exists, else to the first step that exists on the
-- period's last day among those the period reaches (ceased_by: the latest
-- day the unit or a step before ceased).
CREATE TABLE unit_heir_steps (
    orig      text NOT NULL,     -- a unit that ceased (units.code)
    depth     integer NOT NULL,  -- 1, 2, ...
    key       text NOT NULL,     -- the unit at this step
    ceased_by date NOT NULL,
    path      text[] NOT NULL,   -- orig .. key
    PRIMARY KEY (orig, depth)
);
