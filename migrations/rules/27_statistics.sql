-- rules/27_statistics.sql: fresh planner statistics of what reports read, on the server's request.
--
-- The server calls th_refresh_statistics() once it has stored values
-- amounting to a tenth of the rows unit_period_values held at the last
-- call (server/stats_refresh.h): right after a burst, before autovacuum
-- would, so that the first report is planned for the table as it is.
-- ANALYZE needs the table's owner; the function runs with its owner's
-- rights (SECURITY DEFINER, with a fixed search_path), does nothing else,
-- and only tonghop_server and the owner may call it (rules/90_grants.sql).
--
-- A rules file: SQL functions and views only, applied by `tonghopd migrate`
-- after the versioned migrations whenever this file's content changes
-- (recorded in schema_rules with its SHA-256). Every statement must be
-- re-runnable (CREATE OR REPLACE); a changed signature needs a DROP ...
-- IF EXISTS first. Tables belong in versioned migrations (migrations/NNN_*.sql).

-- Analyses what a report reads that a burst changes: each unit's
-- maintained values (unit_period_values; the ingest's own statements probe
-- by key whatever the statistics, so the results tables are left to
-- autovacuum: analysing them too tripled the time). Returns the rows of
-- unit_period_values now (the server's measure of "a tenth").
CREATE OR REPLACE FUNCTION th_refresh_statistics()
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    ANALYZE public.unit_period_values;
    RETURN (SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'public.unit_period_values'::regclass);
END;
$$;
