-- 012: each unit's values for each period, kept up to date as results come
-- in, so that a report adds up a few rows per unit instead of every value
-- of every quarter (issue #12).
--
-- One row per period, unit and indicator: the period is a quarter (1-4) or
-- the year (quarter 0); the unit is the one the values belong to on the
-- period's last day (end_key: the sender, or its heir once it has ceased);
-- the values are those th_report would compute for that unit (flows added
-- up over the period, stocks each sender's latest quarter, the nearest
-- generation of predecessors standing in, marked carried). f1-f4: when
-- results for the indicator were first received for each quarter of the
-- period (completeness and timeliness).
--
-- The rows are written only by rules/35_unit_values.sql: by a statement
-- trigger on current_results (every stored result refreshes the rows it
-- changes, in the same transaction), and rebuilt whole when the unit tree
-- changes (th_units_apply) or the rules file itself changes (migrate).
CREATE TABLE unit_period_values (
    year           smallint NOT NULL,
    quarter        smallint NOT NULL CHECK (quarter BETWEEN 0 AND 4),
    end_key        text NOT NULL,
    indicator_code text NOT NULL,
    num            numeric,
    den            numeric,
    val            numeric,
    txt            text,
    carried        boolean NOT NULL,
    f1             timestamptz,
    f2             timestamptz,
    f3             timestamptz,
    f4             timestamptz,
    PRIMARY KEY (year, quarter, end_key, indicator_code)
);
