#!/usr/bin/env bash
# No stored result can name a unit, an indicator or a submission that does
# not exist (issue #12). The foreign keys of submissions, result_values and
# current_results became statement triggers (migration 010,
# rules/25_results_integrity.sql): this tries every way of writing an orphan
# — a plain INSERT, one bad row among good ones, an upsert that re-points a
# value, deleting, re-keying or truncating what results name — as the
# owner and as the server's role, and checks that each is refused with
# foreign_key_violation and leaves the tables as they were.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_serve_role

# A real submission through the server's own statement: Xã Tân Hà (22921)
# of Bình Thuận, 2025Q1.
SUB=6b1f0c2e-4d1a-4c59-9a57-2a0c4e1b7d01
th_sql "SELECT outcome FROM th_ingest_batch(ARRAY['$SUB']::uuid[], ARRAY['22921'], ARRAY[2025], ARRAY[1], ARRAY[NULL::text],
        ARRAY[NULL::bigint], ARRAY['00'], ARRAY[1, 1], ARRAY['CTXH-01', 'CTXH-02'], ARRAY[3, 4]::bigint[],
        ARRAY[5, 10]::bigint[], ARRAY[NULL, NULL]::bigint[], ARRAY[NULL, NULL]::text[])" >"$TH_WORK/stored"
th_check "the submission is stored" th_eq "$(cat "$TH_WORK/stored")" "stored"

snapshot() {
  psql "$TH_DSN" -X -A -t -v ON_ERROR_STOP=1 -c "
    SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM indicators), (SELECT count(*) FROM submissions),
           (SELECT count(*) FROM result_values), (SELECT md5(string_agg(c::text, ',' ORDER BY unit_code, indicator_code))
                                                  FROM current_results c)"
}
before=$(snapshot)

# refused DESC DSN SQL: the statement fails with SQLSTATE 23503 and
# changes nothing.
refused() {
  local what=$1 dsn=$2 sql=$3 out
  out=$(psql "$dsn" -X -A -t -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -c "$sql" 2>&1) && {
    echo "  accepted: $sql" >&2
    return 1
  }
  case $out in
    *23503*) ;;
    *) echo "  not a foreign_key_violation: $out" >&2; return 1 ;;
  esac
  th_eq "$(snapshot)" "$before"
}

for who in owner server; do
  if [ $who = owner ]; then dsn=$TH_DSN; else dsn=$TH_SERVE_DSN; fi
  th_check "$who: a value naming no unit is refused" refused x "$dsn" \
    "INSERT INTO result_values VALUES ('$SUB', 'CTXH-03', '99999', 2025, 1, 1, 2, NULL, NULL)"
  th_check "$who: a value naming no indicator is refused" refused x "$dsn" \
    "INSERT INTO result_values VALUES ('$SUB', 'CTXH-99', '22921', 2025, 1, 1, 2, NULL, NULL)"
  th_check "$who: a value naming no submission is refused" refused x "$dsn" \
    "INSERT INTO result_values VALUES (gen_random_uuid(), 'CTXH-03', '22921', 2025, 1, 1, 2, NULL, NULL)"
  th_check "$who: one orphan among good rows refuses the whole statement" refused x "$dsn" \
    "INSERT INTO current_results (unit_code, indicator_code, year, quarter, submission_id, numerator, denominator, updated_at)
     VALUES ('22921', 'CTXH-03', 2025, 1, '$SUB', 1, 2, now()), ('22921', 'CTXH-04', 2025, 1, '$SUB', 1, 2, now()),
            ('00000', 'CTXH-04', 2025, 1, '$SUB', 1, 2, now())"
  th_check "$who: an upsert re-pointing a value in force at no submission is refused" refused x "$dsn" \
    "INSERT INTO current_results (unit_code, indicator_code, year, quarter, submission_id, numerator, denominator, updated_at)
     VALUES ('22921', 'CTXH-01', 2025, 1, gen_random_uuid(), 1, 2, now())
     ON CONFLICT (unit_code, indicator_code, year, quarter) DO UPDATE SET submission_id = EXCLUDED.submission_id"
  th_check "$who: a submission naming no unit is refused" refused x "$dsn" \
    "INSERT INTO submissions (id, unit_code, year, quarter, digest, value_count, superseded_count, indicator_codes)
     VALUES (gen_random_uuid(), '99999', 2025, 1, '\\x00', 0, 0, '{}')"
done

th_check "deleting a unit that results name is refused" refused x "$TH_DSN" "DELETE FROM units WHERE code = '22921'"
th_check "re-keying it is refused" refused x "$TH_DSN" "UPDATE units SET code = '22921x' WHERE code = '22921'"
th_check "deleting an indicator that results name is refused" refused x "$TH_DSN" "DELETE FROM indicators WHERE code = 'CTXH-02'"
th_check "re-keying it is refused" refused x "$TH_DSN" "UPDATE indicators SET code = 'CTXH-2' WHERE code = 'CTXH-02'"
th_check "deleting a submission that values name is refused" refused x "$TH_DSN" "DELETE FROM submissions WHERE id = '$SUB'"
th_check "re-keying it is refused" refused x "$TH_DSN" "UPDATE submissions SET id = gen_random_uuid() WHERE id = '$SUB'"
for t in units indicators submissions; do
  # (CASCADE: plans name units and indicators by foreign keys of their own.)
  th_check "TRUNCATE $t CASCADE is refused while results name it" refused x "$TH_DSN" "TRUNCATE $t CASCADE"
done
# What no result names may still go, as with a foreign key (rolled back).
th_check "a unit that nothing names can be deleted" \
  psql "$TH_DSN" -X -q -v ON_ERROR_STOP=1 -c "BEGIN; DELETE FROM units WHERE code = '22924'; ROLLBACK"

th_check "no orphan anywhere" th_eq "$(th_sql "
  SELECT (SELECT count(*) FROM result_values v WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.code = v.unit_code)
                                                  OR NOT EXISTS (SELECT 1 FROM indicators i WHERE i.code = v.indicator_code)
                                                  OR NOT EXISTS (SELECT 1 FROM submissions s WHERE s.id = v.submission_id))
       + (SELECT count(*) FROM current_results c WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.code = c.unit_code)
                                                  OR NOT EXISTS (SELECT 1 FROM indicators i WHERE i.code = c.indicator_code)
                                                  OR NOT EXISTS (SELECT 1 FROM submissions s WHERE s.id = c.submission_id))
       + (SELECT count(*) FROM submissions s WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.code = s.unit_code))")" 0
th_check "the foreign keys they replace are gone (the triggers are the check)" th_eq "$(th_sql "
  SELECT count(*) FROM pg_constraint WHERE contype = 'f'
     AND conrelid IN ('submissions'::regclass, 'result_values'::regclass, 'current_results'::regclass)")" 0
th_finish
