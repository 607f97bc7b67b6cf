-- rules/05_clock.sql: the server's clock, which the tests may set.
--
-- A rules file: SQL functions only, re-applied by `tonghopd migrate`
-- whenever its content changes.

-- Now: clock_timestamp(), unless the session set tonghop.now (an ISO-8601
-- time with its offset). Only `tonghopd serve --test-clock FILE`, a mode
-- for tests, sets it (before each batch or request, from FILE); without it
-- the setting is empty and this is the real clock. Used for when a
-- submission is received (submissions.received_at) and for "now" in the
-- deadlines (45_due.sql).
CREATE OR REPLACE FUNCTION th_now()
RETURNS timestamptz LANGUAGE sql VOLATILE AS $$
    SELECT coalesce(nullif(current_setting('tonghop.now', true), '')::timestamptz, clock_timestamp())
$$;
