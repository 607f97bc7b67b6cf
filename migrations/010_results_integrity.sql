-- 010: the references of submissions, result_values and current_results are
-- checked once per statement instead of once per row.
--
-- A foreign key checks each inserted row with a query of its own: six per
-- stored value (about 760,000 for the country's quarter), half of the
-- ingest's time in PostgreSQL (bench/RESULTS.md). The statement triggers of
-- rules/25_results_integrity.sql check the same references (every row names
-- a unit, an indicator and a submission that exist) with one join per
-- statement over the rows it wrote, and refuse to delete, truncate or
-- re-key a unit, indicator or submission that results refer to, so no
-- orphan can be written by the server or by hand
-- (tests/integration/results_integrity.sh).
ALTER TABLE submissions DROP CONSTRAINT submissions_unit_code_fkey;
ALTER TABLE result_values DROP CONSTRAINT result_values_submission_id_fkey,
                          DROP CONSTRAINT result_values_indicator_code_fkey,
                          DROP CONSTRAINT result_values_unit_code_fkey;
ALTER TABLE current_results DROP CONSTRAINT current_results_unit_code_fkey,
                            DROP CONSTRAINT current_results_indicator_code_fkey,
                            DROP CONSTRAINT current_results_submission_id_fkey;

-- The value in force is found by its key (unit, indicator, quarter): the
-- primary key. The index by indicator and quarter served no report better
-- than a scan or the key, cost every stored value one more index entry, and
-- on a new database (no statistics yet) the planner chose it to look up a
-- single key, with a cost that grew with every batch.
DROP INDEX current_results_period_idx;
