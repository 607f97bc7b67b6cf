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

# A commune of its own alone for all of 2026 (its rows derived from what
# is written and the rows stored, 35_unit_values.sql): flows and stocks, a
# count and a text, a quarter with fewer indicators, a correction of an
# earlier quarter after a later one, and two quarters in one call.
OWN=$(th_sql "
  SELECT min(x.gso_code) FROM units x
   WHERE x.level = 2 AND x.valid_to IS NULL AND x.valid_from = DATE '2025-07-01'
     AND x.code NOT IN ('$NEW') AND x.gso_code NOT IN ('$XG', '$YG')
     AND NOT EXISTS (SELECT 1 FROM unit_parents p WHERE p.parent_code = x.code)")
th_log "a commune of its own in 2026: $OWN"
# storem ID UNIT QUARTER IND... : one submission; each IND is CODE:NUM:DEN:VAL:TXT (empty: NULL)
storem() {
  local id=$1 unit=$2 q=$3; shift 3
  local inds="" nums="" dens="" vals="" txts="" subs="" e c n d v t
  for e in "$@"; do
    IFS=: read -r c n d v t <<<"$e"
    inds+="${inds:+,}'$c'"; nums+="${nums:+,}${n:-NULL}"; dens+="${dens:+,}${d:-NULL}"
    vals+="${vals:+,}${v:-NULL}"; txts+="${txts:+,}$( [ -n "$t" ] && echo "'$t'" || echo NULL)"; subs+="${subs:+,}1"
  done
  echo "SELECT outcome FROM th_ingest_batch(ARRAY['$id']::uuid[], ARRAY['$unit'], ARRAY[2026], ARRAY[$q], ARRAY[NULL::text],
        ARRAY[NULL::bigint], ARRAY[md5('$id')], ARRAY[$subs], ARRAY[$inds], ARRAY[$nums]::bigint[], ARRAY[$dens]::bigint[],
        ARRAY[$vals]::bigint[], ARRAY[$txts]::text[]);"
}
yearof() { # yearof IND: the 2026 year row of OWN, num/den/val/txt
  th_sql "SELECT concat_ws('/', num, den, val, txt) FROM unit_period_values v JOIN units u ON u.code = v.end_key
           WHERE v.year = 2026 AND v.quarter = 0 AND u.gso_code = '$OWN' AND u.valid_to IS NULL AND v.indicator_code = '$1'"
}
th_check "its 2026Q1: five indicators" th_eq "$(storem "$(uuid)" "$OWN" 1 CTXH-02:3:10 CTXH-01:2:8 CTXH-05:::4 CTXH-07::::a SKTT-06:1:5 |
  psql "$TH_DSN" -X -A -t -q)" stored
th_check "its 2026Q3: four of them" th_eq "$(storem "$(uuid)" "$OWN" 3 CTXH-02:5:12 CTXH-01:6:9 CTXH-05:::7 CTXH-07::::c |
  psql "$TH_DSN" -X -A -t -q)" stored
th_check "a correction of its 2026Q1, after Q3" th_eq "$(storem "$(uuid)" "$OWN" 1 CTXH-02:4:11 CTXH-01:1:7 CTXH-05:::9 CTXH-07::::b SKTT-06:2:6 |
  psql "$TH_DSN" -X -A -t -q)" stored
th_check "the year: a flow over a stock adds up Q1's correction and Q3 (4+5), Q3's stock (12)" th_eq "$(yearof CTXH-02)" "9/12"
th_check "a stock over a stock stays Q3's (6/9)" th_eq "$(yearof CTXH-01)" "6/9"
th_check "a count adds up (9+7)" th_eq "$(yearof CTXH-05)" "16"
th_check "the text is Q3's" th_eq "$(yearof CTXH-07)" "c"
th_check "an indicator sent in Q1 alone: its correction (2/6)" th_eq "$(yearof SKTT-06)" "2/6"
th_check "it is its own alone for all of 2026 (the derived path)" th_eq "$(th_sql "
  SELECT string_agg(c.whole::text, ',' ORDER BY c.q) FROM units u
   CROSS JOIN LATERAL th_unit_values_periods(ARRAY[2026, 2026, 2026], ARRAY[0, 1, 3], ARRAY[u.code, u.code, u.code]) c
   WHERE u.gso_code = '$OWN' AND u.valid_to IS NULL")" "true,true,true"
th_check "all of it what a rebuild computes" th_unit_values_fresh
# Two quarters of the commune in one call (Q2 and Q4), different indicators.
i2=$(uuid); i4=$(uuid)
th_check "its 2026Q2 and Q4 in one call" th_eq "$(psql "$TH_DSN" -X -A -t -q <<SQL
SELECT string_agg(outcome, ',' ORDER BY idx) FROM th_ingest_batch(ARRAY['$i2', '$i4']::uuid[], ARRAY['$OWN', '$OWN'], ARRAY[2026, 2026],
  ARRAY[2, 4], ARRAY[NULL, NULL]::text[], ARRAY[NULL, NULL]::bigint[], ARRAY[md5('$i2'), md5('$i4')],
  ARRAY[1, 1, 2, 2], ARRAY['CTXH-02', 'CTXH-05', 'CTXH-05', 'CTXH-07'], ARRAY[1, NULL, NULL, NULL]::bigint[],
  ARRAY[2, NULL, NULL, NULL]::bigint[], ARRAY[NULL, 5, 6, NULL]::bigint[], ARRAY[NULL, NULL, NULL, 'd']::text[]);
SQL
)" "stored,stored"
th_check "the year: CTXH-02 adds Q2 (4+1+5, Q3's stock), the count adds Q2 and Q4 (9+5+7+6), Q4's text" \
  th_eq "$(yearof CTXH-02) $(yearof CTXH-05) $(yearof CTXH-07)" "10/12 27 d"
th_check "and what a rebuild computes" th_unit_values_fresh

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

# A unit that ceases leaving no successor hands its results to its parent,
# and through the parent to the parent's heir. A hamlet (thôn, made up for
# the test: 99901) under commune A sends 2027Q1; on 1 April 2027 A merges
# into a new commune B (99902) and the hamlet ceases. B's year 2027 holds
# the hamlet's first quarter, though neither B nor A sent anything then: B
# is not "its own alone" (A was a parent), and its own 2027Q2 must not
# drop what the hamlet sent.
read -r A APARENT < <(th_sql "
  SELECT u.gso_code, p.gso_code FROM units u JOIN units p ON p.code = u.parent_code
   WHERE u.level = 2 AND u.valid_to IS NULL AND u.code = u.gso_code
     AND u.code NOT IN ('$NEW', (SELECT code FROM units WHERE gso_code = '$YG' AND valid_to IS NULL))
     AND NOT EXISTS (SELECT 1 FROM unit_successions s WHERE u.code IN (s.predecessor, s.successor))
     AND NOT EXISTS (SELECT 1 FROM unit_parents l WHERE l.parent_code = u.code)
     AND NOT EXISTS (SELECT 1 FROM submissions x WHERE x.unit_code = u.code)
   ORDER BY u.code LIMIT 1" | tr '|' ' ')
th_log "hamlet 99901 under commune $A; $A merges into 99902 (under $APARENT) on 2027-04-01"
store27() { # ID UNIT QUARTER NUM DEN
  echo "SELECT outcome FROM th_ingest_batch(ARRAY['$1']::uuid[], ARRAY['$2'], ARRAY[2027], ARRAY[$3], ARRAY[NULL::text],
        ARRAY[NULL::bigint], ARRAY[md5('$1')], ARRAY[1], ARRAY['CTXH-02'], ARRAY[$4]::bigint[], ARRAY[$5]::bigint[],
        ARRAY[NULL]::bigint[], ARRAY[NULL]::text[]);"
}
printf 'code,name,name_with_type,type,parent_code,level\n99901,Thử,Thôn Thử,thon,%s,3\n' "$A" >"$TH_WORK/hamlet.csv"
th_check "the hamlet is added under $A from 2027" \
  "$TONGHOPD" import-units --db "$TH_DSN" --as-of 2027-01-01 "$TH_WORK/hamlet.csv"
th_check "the hamlet sends 2027Q1 (3 of 10)" th_eq "$(store27 "$(uuid)" 99901 1 3 10 | psql "$TH_DSN" -X -A -t -q)" stored
{
  echo "code,name,name_with_type,type,parent_code,level"
  psql "$TH_DSN" -X -A -t -q -c "COPY (
      SELECT u.gso_code, u.name, u.name_with_type, u.type, coalesce(nullif(p.gso_code, 'VN'), ''), u.level
        FROM units u LEFT JOIN units p ON p.code = u.parent_code
       WHERE u.valid_to IS NULL AND u.code <> 'VN' AND u.gso_code NOT IN ('$A', '99901')
       ORDER BY u.level, u.gso_code) TO STDOUT WITH (FORMAT csv)"
  printf '99902,Hợp Nhất,Xã Hợp Nhất,xa,%s,2\n' "$APARENT"
} >"$TH_WORK/map-2027.csv"
printf 'old_code,new_code,valid_from,kind\n%s,99902,2027-04-01,commune\n' "$A" >"$TH_WORK/succ-2027.csv"
th_check "the map of 1 April 2027: $A merged into 99902, the hamlet gone" \
  "$TONGHOPD" import-units --db "$TH_DSN" --as-of 2027-04-01 --complete --succession "$TH_WORK/succ-2027.csv" \
  "$TH_WORK/map-2027.csv"
th_check "99902 sends its own 2027Q2 (5 of 20)" th_eq "$(store27 "$(uuid)" 99902 2 5 20 | psql "$TH_DSN" -X -A -t -q)" stored
th_check "its year holds the hamlet's first quarter too (3+5), its own stock (20)" th_eq "$(th_sql "
  SELECT num || '/' || den FROM unit_period_values v JOIN units u ON u.code = v.end_key
   WHERE v.year = 2027 AND v.quarter = 0 AND u.gso_code = '99902' AND v.indicator_code = 'CTXH-02'")" "8/20"
th_check "... what a rebuild computes" th_unit_values_fresh
th_finish
