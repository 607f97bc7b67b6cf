#!/usr/bin/env bash
# Each unit's maintained values for each period (unit_period_values,
# migrations/rules/35_unit_values.sql) stay exactly what a rebuild from the
# stored results computes (issue #12): when two transactions store the
# results of two communes that merged into one, side by side (as the two
# ingest workers do); when a correction replaces a value; when the unit
# tree changes under stored results; when a submission's time is changed.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
"$TONGHOPD" import-units --db "$TH_DSN" --as-of 2025-07-01 --complete \
  --succession "$TH_SRC_DIR/deploy/data/vn-succession-2025-07.csv" \
  "$TH_SRC_DIR/deploy/data/vn-admin-units-2025-07.csv" >/dev/null

# A new commune of 1 July 2025 made of two or more old ones.
read -r NEW OLD1 OLD2 < <(th_sql "
  SELECT s.successor, min(p.gso_code), max(p.gso_code)
    FROM unit_successions s JOIN units p ON p.code = s.predecessor
   WHERE s.valid_from = DATE '2025-07-01' AND p.level = 3
   GROUP BY s.successor HAVING count(*) >= 2 ORDER BY s.successor LIMIT 1" | tr '|' ' ')
th_log "new commune $NEW, made of $OLD1 and $OLD2 (among others)"

# store ID UNIT QUARTER NUM DEN: one submission, one ratio value (CTXH-02:
# a flow over a stock), through the server's own statement.
store() {
  echo "SELECT outcome FROM th_ingest_batch(ARRAY['$1']::uuid[], ARRAY['$2'], ARRAY[2025], ARRAY[$3], ARRAY[NULL::text],
        ARRAY[NULL::bigint], ARRAY[md5('$1')], ARRAY[1], ARRAY['CTXH-02'], ARRAY[$4]::bigint[], ARRAY[$5]::bigint[],
        ARRAY[NULL]::bigint[], ARRAY[NULL]::text[]);"
}
uuid() { python3 -c 'import uuid; print(uuid.uuid4())'; }

# Two transactions side by side: the first holds its transaction open
# after storing; the second stores the other old commune meanwhile.
{
  echo "BEGIN;"
  store "$(uuid)" "$OLD1" 2 3 10
  echo "SELECT pg_sleep(2);"
  echo "COMMIT;"
} | psql "$TH_DSN" -X -A -t -q -v ON_ERROR_STOP=1 >"$TH_WORK/a.out" 2>&1 &
a=$!
sleep 0.7
rcb=0
store "$(uuid)" "$OLD2" 2 4 20 | psql "$TH_DSN" -X -A -t -q -v ON_ERROR_STOP=1 >"$TH_WORK/b.out" 2>&1 || rcb=$?
rca=0
wait $a || rca=$?
th_check "both stored, side by side" th_eq "$rca $rcb $(cat "$TH_WORK/a.out" "$TH_WORK/b.out" | grep -c '^stored$')" "0 0 2"
th_check "the new commune's year holds both old communes' second quarter (3+4 of 30)" th_eq "$(th_sql "
  SELECT num || '/' || den FROM unit_period_values v JOIN units u ON u.code = v.end_key
   WHERE v.year = 2025 AND v.quarter = 0 AND u.code = '$NEW' AND v.indicator_code = 'CTXH-02'")" "7/30"
th_check "and what a rebuild computes" th_unit_values_fresh

# A correction, and the new commune's own third quarter.
store "$(uuid)" "$OLD1" 2 5 10 | psql "$TH_DSN" -X -A -t -q >/dev/null
gso=$(th_sql "SELECT gso_code FROM units WHERE code = '$NEW'")
store "$(uuid)" "$gso" 3 9 40 | psql "$TH_DSN" -X -A -t -q >/dev/null
th_check "after a correction and the new commune's Q3: flows add up (5+4+9), the stock is the new commune's (40)" \
  th_eq "$(th_sql "SELECT num || '/' || den FROM unit_period_values
                   WHERE year = 2025 AND quarter = 0 AND end_key = '$NEW' AND indicator_code = 'CTXH-02'")" "18/40"
th_check "still what a rebuild computes" th_unit_values_fresh

# A submission's time changed by hand: its first time follows.
th_sql "UPDATE submissions SET received_at = TIMESTAMPTZ '2025-07-20 09:00+07' WHERE unit_code = '$OLD1'" >/dev/null
th_check "a changed submission time is followed" th_eq "$(th_sql "
  SELECT f2 = TIMESTAMPTZ '2025-07-20 09:00+07' FROM unit_period_values
   WHERE year = 2025 AND quarter = 2 AND end_key = '$OLD1' AND indicator_code = 'CTXH-02'")" "t"

# A map loaded late: a commune sends 2026Q1, then a merger dated 1 January
# 2026 is imported (it ceased before what it sent), then its successor
# sends 2026Q1 too. The successor's quarter holds both (4 + 9 of its own
# 50), not its own alone.
read -r XG YG < <(th_sql "
  SELECT min(x.gso_code), max(x.gso_code) FROM units x
   WHERE x.level = 2 AND x.valid_to IS NULL AND x.valid_from = DATE '2025-07-01'
     AND x.code IN (SELECT unit_code FROM unit_parents WHERE valid_to IS NULL
                     AND parent_code = (SELECT min(code) FROM units WHERE level = 1 AND valid_to IS NULL))
     AND x.code <> '$NEW' AND NOT EXISTS (SELECT 1 FROM unit_successions s WHERE s.predecessor = x.code)" | tr '|' ' ')
th_log "late merger: $XG into $YG from 2026-01-01"
store26() {
  echo "SELECT outcome FROM th_ingest_batch(ARRAY['$1']::uuid[], ARRAY['$2'], ARRAY[2026], ARRAY[1], ARRAY[NULL::text],
        ARRAY[NULL::bigint], ARRAY[md5('$1')], ARRAY[1], ARRAY['CTXH-02'], ARRAY[$3]::bigint[], ARRAY[$4]::bigint[],
        ARRAY[NULL]::bigint[], ARRAY[NULL]::text[]);"
}
th_check "the commune's 2026Q1, before the merger is known" \
  th_eq "$(store26 "$(uuid)" "$XG" 4 20 | psql "$TH_DSN" -X -A -t -q)" stored
grep -v "^$XG," "$TH_SRC_DIR/deploy/data/vn-admin-units-2025-07.csv" >"$TH_WORK/late.csv"
printf 'old_code,new_code,valid_from,kind\n%s,%s,2026-01-01,commune\n' "$XG" "$YG" >"$TH_WORK/late-succession.csv"
th_check "the merger of 1 January 2026 imported after it" \
  "$TONGHOPD" import-units --db "$TH_DSN" --as-of 2026-01-01 --complete --succession "$TH_WORK/late-succession.csv" \
  "$TH_WORK/late.csv"
th_check "the successor's own 2026Q1" th_eq "$(store26 "$(uuid)" "$YG" 9 50 | psql "$TH_DSN" -X -A -t -q)" stored
th_check "its quarter holds what both sent (4+9), its own stock (50)" th_eq "$(th_sql "
  SELECT num || '/' || den FROM unit_period_values v JOIN units u ON u.code = v.end_key
   WHERE v.year = 2026 AND v.quarter = 1 AND u.gso_code = '$YG' AND u.valid_to IS NULL
     AND v.indicator_code = 'CTXH-02'")" "13/50"
th_check "after the late merger, still what a rebuild computes" th_unit_values_fresh

# Two servers (high availability) may store two quarters of one commune of
# its own alone at the same moment: the second waits for the first (a lock
# per unit on its year rows), then adds up both quarters.
NEW_GSO=$(th_sql "SELECT gso_code FROM units WHERE code = '$NEW'")
store26() { # ID UNIT QUARTER NUM DEN
  echo "SELECT outcome FROM th_ingest_batch(ARRAY['$1']::uuid[], ARRAY['$2'], ARRAY[2026], ARRAY[$3], ARRAY[NULL::text],
        ARRAY[NULL::bigint], ARRAY[md5('$1')], ARRAY[1], ARRAY['CTXH-02'], ARRAY[$4]::bigint[], ARRAY[$5]::bigint[],
        ARRAY[NULL]::bigint[], ARRAY[NULL]::text[]);"
}
{
  echo "BEGIN;"
  store26 "$(uuid)" "$NEW_GSO" 1 2 20
  echo "SELECT pg_sleep(2);"
  echo "COMMIT;"
} | psql "$TH_DSN" -X -A -t -q -v ON_ERROR_STOP=1 >"$TH_WORK/c.out" 2>&1 &
c=$!
sleep 0.7
th_check "meanwhile another transaction stores its 2026Q2" \
  bash -c 'psql "$1" -X -A -t -q -v ON_ERROR_STOP=1 <<<"$2" | grep -q stored' _ "$TH_DSN" "$(store26 "$(uuid)" "$NEW_GSO" 2 3 20)"
wait "$c"
th_check "the first committed too" grep -q stored "$TH_WORK/c.out"
th_check "the year 2026 adds up both quarters' flows: 5 trained of 20" \
  th_eq "$(th_sql "SELECT num || '/' || den FROM unit_period_values WHERE year = 2026 AND quarter = 0
                    AND end_key = '$NEW' AND indicator_code = 'CTXH-02'")" "5/20"
th_check "and everything is what a rebuild computes" th_unit_values_fresh

# The tree changes under stored results (a later reform moves the new
# commune to another province): everything is computed anew.
prov=$(th_sql "SELECT min(gso_code) FROM units WHERE level = 1 AND valid_to IS NULL AND code <> (
                 SELECT parent_code FROM unit_parents WHERE unit_code = '$NEW' AND valid_to IS NULL)")
head -1 "$TH_SRC_DIR/deploy/data/vn-admin-units-2025-07.csv" >"$TH_WORK/move.csv"
th_sql "SELECT gso_code || ',' || name || ',' || name_with_type || ',' || type || ',$prov,' || level
          FROM units WHERE code = '$NEW'" >>"$TH_WORK/move.csv"
th_check "the commune moves to province $prov from 2026" \
  "$TONGHOPD" import-units --db "$TH_DSN" --as-of 2026-01-01 "$TH_WORK/move.csv"
th_check "after the tree changed, still what a rebuild computes" th_unit_values_fresh
th_finish
