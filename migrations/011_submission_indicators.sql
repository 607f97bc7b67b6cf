-- 011: each submission lists the indicators it carried.
--
-- A report counts who has reported a plan, and when they first did, from
-- the submissions that carried a value for one of its indicators. Finding
-- those took an index probe into result_values per submission (42,000 for
-- the country's year, a tenth of the report's time; bench/RESULTS.md); the
-- list on the submission itself answers it by an array overlap. Written
-- once with the submission (th_ingest_batch), like the rest of the row.
ALTER TABLE submissions ADD COLUMN indicator_codes text[];
UPDATE submissions s
   SET indicator_codes = coalesce((SELECT array_agg(v.indicator_code ORDER BY v.indicator_code)
                                     FROM result_values v WHERE v.submission_id = s.id), '{}');
ALTER TABLE submissions ALTER COLUMN indicator_codes SET NOT NULL;
