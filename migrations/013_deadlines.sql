-- 013: deadlines as fixed dates or as an offset after each quarter, and the
-- period each deadline is for (issue #13).
--
-- A deadline is either a date (due_on, as before) or a number of days after
-- the last day of each quarter (days_after_quarter), never both. for_year
-- and for_quarter say which period it is for: a date is for its own year,
-- or, when that year is outside the plan's years and the year before is
-- inside, for the year before (a January deadline for the year's report);
-- an offset deadline is for every quarter of the plan unless the file says
-- otherwise ("for": "2025" or "2025Q3"). The rule that picks the deadline
-- of a period is th_deadline_for (rules/30_plans.sql).
ALTER TABLE plan_deadlines ALTER COLUMN due_on DROP NOT NULL;
ALTER TABLE plan_deadlines
    ADD COLUMN days_after_quarter integer CHECK (days_after_quarter BETWEEN 0 AND 366),
    ADD COLUMN for_year smallint,
    ADD COLUMN for_quarter smallint CHECK (for_quarter BETWEEN 1 AND 4),
    ADD CONSTRAINT plan_deadlines_date_or_offset CHECK ((due_on IS NULL) <> (days_after_quarter IS NULL)),
    ADD CONSTRAINT plan_deadlines_quarter_of_year CHECK (for_quarter IS NULL OR for_year IS NOT NULL);

-- The deadlines stored so far are dates: each for its year, by the rule above.
UPDATE plan_deadlines d
   SET for_year = CASE WHEN extract(year FROM d.due_on) NOT BETWEEN p.year_from AND p.year_to
                            AND extract(year FROM d.due_on) - 1 BETWEEN p.year_from AND p.year_to
                       THEN extract(year FROM d.due_on) - 1
                       ELSE extract(year FROM d.due_on) END
  FROM plans p
 WHERE p.id = d.plan_id;
