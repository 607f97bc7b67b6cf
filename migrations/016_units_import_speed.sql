-- 016: storage for a faster `tonghopd import-units` (issue #10: both maps
-- and the succession loaded in under 2 seconds). Nothing a query sees
-- changes.
--
-- An import that takes effect on a day closes every unit that ceases and
-- its open parent link in place (valid_to set): on the map of 1 July 2025,
-- eleven thousand rows of each table. An update stays on its page (a HOT
-- update: no new entry in any index) only when the page has room for the
-- new version; at fillfactor 80 (007) a fifth of the rows did, and the rest
-- cost an entry in each index of the table. At 45 every row written by an
-- import has room on its page to be closed once. (The tables are small: a
-- few megabytes.) Pages already written keep their fill until rewritten.
ALTER TABLE units SET (fillfactor = 45);
ALTER TABLE unit_parents SET (fillfactor = 45);

-- The same checks on unit keys and GSO codes as before (001, 007), written
-- without a bounded repetition ({1,48}), which PostgreSQL's regular
-- expressions match several times slower than a plain one: the two checks
-- took about a quarter of the time of inserting the country's units, and
-- again of closing them (every update checks the row anew). The names
-- stay, so a refusal reads as before.
ALTER TABLE units DROP CONSTRAINT units_code_check,
    ADD CONSTRAINT units_code_check CHECK (code ~ '^[0-9A-Za-z._-]+$' AND length(code) <= 48);
ALTER TABLE units DROP CONSTRAINT units_gso_code_check,
    ADD CONSTRAINT units_gso_code_check CHECK (gso_code ~ '^[0-9A-Za-z._-]+$' AND length(gso_code) <= 32);
