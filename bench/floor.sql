-- bench/floor.sql: what writing the burst's rows costs at the least, in
-- today's tables and in a shape that stores each value once.
--
-- Not a test and not part of bench/run.sh: a measurement to read beside
-- it (bench/RESULTS.md, "Where issue #12 stands"). It takes the values of
-- the 2025Q4 burst that bench/run.sh keeps (TH_KEEP=1 keeps its work
-- directory, with values.tsv and the PostgreSQL cluster) and writes them
-- three ways, each one set-based statement per table in one transaction,
-- with no check, no trigger and no round trip: the least any ingest of
-- these rows can cost in that shape.
--   1. one keyed table (what bench/run.sh's COPY measures);
--   2. today's tables: submissions, result_values (history) and
--      current_results, then the two maintained rows per value
--      (unit_period_values: the quarter and the year);
--   3. each value stored once, history and current in one table with
--      integer keys, and a submissions table.
-- Into empty copies (CREATE TABLE ... LIKE ... INCLUDING ALL), dropped at
-- the end; the database's own rows are not touched.
--
--   psql -h WORK/pg/sock -d tonghop -v values=WORK/values.tsv -f bench/floor.sql
\set ON_ERROR_STOP 1
\timing on
CREATE TEMP TABLE f_vals (unit text, ind text, y integer, q integer, num bigint, den bigint);
COPY f_vals FROM :'values';
CREATE TEMP TABLE f_ids AS
    SELECT unit, row_number() OVER (ORDER BY unit)::integer AS uid, gen_random_uuid() AS id
      FROM (SELECT DISTINCT unit FROM f_vals) x;
CREATE TEMP TABLE f_inds AS
    SELECT ind, row_number() OVER (ORDER BY ind)::smallint AS iid FROM (SELECT DISTINCT ind FROM f_vals) x;
ANALYZE f_vals;
ANALYZE f_ids;
ANALYZE f_inds;

CREATE TABLE floor_keyed (unit text, ind text, y integer, q integer, num bigint, den bigint,
                          PRIMARY KEY (unit, ind, y, q));
CREATE TABLE floor_sub (LIKE submissions INCLUDING ALL);
CREATE TABLE floor_rv (LIKE result_values INCLUDING ALL);
CREATE TABLE floor_cr (LIKE current_results INCLUDING ALL);
CREATE TABLE floor_upv (LIKE unit_period_values INCLUDING ALL);
CREATE TABLE floor_once_sub (sid bigint PRIMARY KEY, id uuid UNIQUE, uid integer, y smallint, q smallint,
                             digest bytea, received_at timestamptz);
CREATE TABLE floor_once_val (uid integer, iid smallint, y smallint, q smallint, sid bigint,
                             num bigint, den bigint, val bigint, txt text,
                             PRIMARY KEY (uid, iid, y, q, sid));

\echo '== 1. one keyed table'
BEGIN;
INSERT INTO floor_keyed SELECT * FROM f_vals;
COMMIT;

\echo '== 2. today''s tables: submissions, result_values, current_results'
BEGIN;
INSERT INTO floor_sub (id, unit_code, year, quarter, plan_code, digest, value_count, superseded_count,
                       received_at, indicator_codes)
    SELECT i.id, i.unit, 2025, 4, 'BENCH-12/KH-BYT', sha256(i.id::text::bytea), 12, 0, now(), '{}'
      FROM f_ids i;
INSERT INTO floor_rv (submission_id, indicator_code, unit_code, year, quarter, numerator, denominator)
    SELECT i.id, v.ind, v.unit, v.y, v.q, v.num, v.den FROM f_vals v JOIN f_ids i USING (unit);
INSERT INTO floor_cr (unit_code, indicator_code, year, quarter, submission_id, numerator, denominator,
                      updated_at)
    SELECT v.unit, v.ind, v.y, v.q, i.id, v.num, v.den, now() FROM f_vals v JOIN f_ids i USING (unit);
COMMIT;
\echo '== 2b. ... and the maintained rows: the quarter and the year of each value'
BEGIN;
INSERT INTO floor_upv (year, quarter, end_key, indicator_code, num, den, carried)
    SELECT v.y, p.q, v.unit, v.ind, v.num, v.den, false FROM f_vals v, (VALUES (4), (0)) AS p(q);
COMMIT;

\echo '== 3. each value stored once (integer keys), and the submissions'
BEGIN;
INSERT INTO floor_once_sub SELECT i.uid, i.id, i.uid, 2025, 4, sha256(i.id::text::bytea), now() FROM f_ids i;
INSERT INTO floor_once_val (uid, iid, y, q, sid, num, den)
    SELECT i.uid, n.iid, v.y, v.q, i.uid, v.num, v.den
      FROM f_vals v JOIN f_ids i USING (unit) JOIN f_inds n USING (ind);
COMMIT;

\timing off
DROP TABLE floor_keyed, floor_sub, floor_rv, floor_cr, floor_upv, floor_once_sub, floor_once_val;
