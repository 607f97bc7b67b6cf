#!/usr/bin/env bash
# An acknowledged submission is in the database; bad input is refused with a
# reason and stores nothing; a resubmission replaces the current value and
# keeps the old one in history; a replayed id is a duplicate.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_server_start

csv=$TH_WORK/phu-hai-2025q3.csv
th_results_csv "$csv"

# Phường Phú Hài, Thành phố Phan Thiết, Bình Thuận.
rc=0; out=$(th_client submit --server "$TH_ENDPOINT" --unit 22921 --period 2025Q3 "$csv") || rc=$?
th_check "submit exits 0" th_eq "$rc" 0
sid=$(grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' <<<"$out" | head -1)
th_check "ack names the submission id" test -n "$sid"
th_check "acked submission is in the database" \
  th_eq "$(th_sql "SELECT unit_code, year, quarter, value_count FROM submissions WHERE id = '$sid'")" "22921|2025|3|4"
th_check "values are stored as components" \
  th_eq "$(th_sql "SELECT string_agg(indicator_code || '=' || numerator || '/' || denominator, ',' ORDER BY indicator_code) FROM current_results WHERE unit_code = '22921'")" \
  "CTXH-01=3/5,CTXH-02=4/10,CTXH-03=1/2,CTXH-04=17/20"

# Replaying the same submission id with the same content: a duplicate, even
# when made at another time (the digest covers the results, not the clock).
sleep 1.1
rc=0; out=$(th_client submit --server "$TH_ENDPOINT" --unit 22921 --period 2025Q3 --id "$sid" "$csv") || rc=$?
th_check "replay exits 0" th_eq "$rc" 0
th_check "replay is reported as already stored" grep -q "Already stored" <<<"$out"
th_check "replay stored nothing twice" th_eq "$(th_sql "SELECT count(*) FROM result_values WHERE submission_id = '$sid'")" 4

# The same id with different content is refused.
sed -i 's/CTXH-01,3,5/CTXH-01,4,5/' "$csv"
rc=0; err=$(th_client submit --server "$TH_ENDPOINT" --unit 22921 --period 2025Q3 --id "$sid" "$csv" 2>&1) || rc=$?
th_check "reused id with other content exits 4" th_eq "$rc" 4
th_check "reused id names the field" grep -q "submission_id" <<<"$err"

# A new submission replaces; history keeps both.
rc=0; out=$(th_client submit --server "$TH_ENDPOINT" --unit 22921 --period 2025Q3 "$csv") || rc=$?
th_check "resubmission exits 0" th_eq "$rc" 0
th_check "resubmission reports 4 replaced" grep -q "4 replacing" <<<"$out"
th_check "current value replaced" th_eq "$(th_sql "SELECT numerator FROM current_results WHERE unit_code='22921' AND indicator_code='CTXH-01'")" 4
th_check "history keeps the old value" th_eq "$(th_sql "SELECT string_agg(numerator::text, ',' ORDER BY numerator) FROM result_values WHERE unit_code='22921' AND indicator_code='CTXH-01'")" "3,4"

# Refusals: each names the field and stores nothing.
before=$(th_sql "SELECT count(*) FROM submissions")
bad=$TH_WORK/bad.csv
refuse() { # refuse WHAT EXPECTED_RC PATTERN UNIT PERIOD CSV_BODY
  local what=$1 want=$2 pattern=$3 unit=$4 period=$5
  printf '%b' "$6" >"$bad"
  local e r=0
  e=$(th_client submit --server "$TH_ENDPOINT" --unit "$unit" --period "$period" "$bad" 2>&1) || r=$?
  th_check "$what: exit $want" th_eq "$r" "$want"
  th_check "$what: message names '$pattern'" grep -q -- "$pattern" <<<"$e"
}
refuse "unknown unit" 4 "unit_code" 99999 2025Q3 'indicator,numerator,denominator\nCTXH-01,1,2\n'
refuse "unknown indicator" 4 "values\[1\].indicator_code" 22921 2025Q3 'indicator,numerator,denominator\nCTXH-01,1,2\nXYZ-99,1,2\n'
refuse "count for a ratio" 4 "values\[0\]" 22921 2025Q3 'indicator,value\nCTXH-01,7\n'
refuse "numerator above denominator" 3 "values\[0\].numerator" 22921 2025Q3 'indicator,numerator,denominator\nCTXH-01,6,5\n'
refuse "year period" 3 "period" 22921 2025 'indicator,numerator,denominator\nCTXH-01,1,5\n'
refuse "future quarter" 3 "period" 22921 2099Q1 'indicator,numerator,denominator\nCTXH-01,1,5\n'
refuse "negative number" 3 "column numerator" 22921 2025Q3 'indicator,numerator,denominator\nCTXH-01,-1,5\n'
refuse "duplicate indicator" 3 "values\[1\].indicator_code" 22921 2025Q3 'indicator,numerator,denominator\nCTXH-01,1,5\nCTXH-01,2,5\n'
printf 'indicator,numerator,denominator\nCTXH-01,1,5\n' >"$bad"
r=0; e=$(th_client submit --server "$TH_ENDPOINT" --unit 22921 --period 2025Q1 --plan 1751/KH-UBNDD "$bad" 2>&1) || r=$?
th_check "a plan that does not exist (a typo): refused, exit 4, naming the field and the code" \
  bash -c '[ "$1" = 4 ] && grep -q "plan_code" <<<"$2" && grep -q "1751/KH-UBNDD" <<<"$2"' _ "$r" "$e"
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR/deploy/samples/plans/binh-thuan-2025-1751-KH-UBND.json" >/dev/null
r=0; e=$(th_client submit --server "$TH_ENDPOINT" --unit 00004 --period 2025Q1 --plan 1751/KH-UBND "$bad" 2>&1) || r=$?
th_check "Ba Đình (Hà Nội) naming Bình Thuận's plan: refused, exit 4, not in the plan's territory" \
  bash -c '[ "$1" = 4 ] && grep -q "field plan_code: the unit is not in the territory the plan covers" <<<"$2"' _ "$r" "$e"
th_check "refusals stored nothing" th_eq "$(th_sql "SELECT count(*) FROM submissions")" "$before"
r=0; e=$(th_client submit --server "$TH_ENDPOINT" --unit 22921 --period 2025Q1 --plan 1751/KH-UBND "$bad" 2>&1) || r=$?
th_check "Phú Hài naming it: stored" th_eq "$r" 0

# Vietnamese messages on this machine, whatever locales it has.
e=$(TONGHOP_LANG=vi th_client submit --server "$TH_ENDPOINT" --unit 99999 --period 2025Q3 "$csv" 2>&1) || true
th_check "refusal in Vietnamese" grep -q "đơn vị hành chính" <<<"$e"

th_check "server stops cleanly on SIGTERM" th_server_stop TERM
th_finish
