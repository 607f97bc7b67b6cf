-- 015: what the review rules (rules/48_review.sql, `tonghop review`) need
-- from a unit's quarter-to-quarter results, kept up to date as results are
-- stored, so that a report can count its flagged values without reading
-- every quarter of its territory (issue #13).
--
-- One row per unit (the sender: current_results.unit_code), quarter and
-- ratio indicator whose denominator differs from the same unit's previous
-- quarter (the quarter before, possibly in the previous year) and either
-- jumped (by more than th_review_jump_factor(), up or down) or is a stock.
-- Whether a stock's change is flagged depends on the unit tree (the unit
-- must not have changed between the two quarters): that is decided when
-- read, so a change to the tree needs no rebuild.
--
-- The rows are written only by rules/48_review.sql: by a statement trigger
-- on current_results (the quarters written and the quarters after them, in
-- the same transaction), and rebuilt whole when that file changes.
CREATE TABLE review_candidates (
    unit_code      text NOT NULL,
    year           smallint NOT NULL,
    quarter        smallint NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    indicator_code text NOT NULL,
    den            bigint NOT NULL,
    prev_den       bigint NOT NULL,
    jump           boolean NOT NULL,
    PRIMARY KEY (unit_code, year, quarter, indicator_code)
);
