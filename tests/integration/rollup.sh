#!/usr/bin/env bash
# Rollup and attainment against an independent model (rollup_model.py):
# random results for every commune of Bình Thuận over four quarters, with
# missing quarters, zero denominators and resubmissions, sent through the
# real client and server; every number of the province report and of each
# district row is checked, for the year and for a quarter.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR/tests/data/plans/kiem-thu-binh-thuan-2025.json" >/dev/null
th_server_start
C="$TONGHOP --server $TH_ENDPOINT"
PLAN=99/KH-KIEMTHU

th_sql "SELECT c.code || E'\t' || d.code FROM units c JOIN units d ON d.code = c.parent_code WHERE d.parent_code = '60' ORDER BY c.code" \
  | python3 "$TH_SRC_DIR/tests/integration/rollup_model.py" generate "$TH_WORK/gen" "${TH_SEED:-20251125}"
files=("$TH_WORK"/gen/*.csv)
n=${#files[@]}
th_log "submitting $n files"

# Read-your-writes: the first submission shows in a report asked right after its ack.
first=${files[0]}
unit=$(basename "$first" | cut -d- -f2); period=$(basename "$first" .csv | cut -d- -f3)
$C submit --unit "$unit" --period "$period" "$first" >/dev/null
got=$($C report --plan $PLAN --period "$period" --unit "$unit" --format json | jq -r '.indicators[] | select(.code == "CTXH-01") | "\(.numerator)/\(.denominator)"')
want=$(grep '^CTXH-01,' "$first" | cut -d, -f2,3 | tr , /)
th_check "a report right after the ack includes the submission" th_eq "$got" "$want"

fails=0
for f in "${files[@]:1}"; do
  b=$(basename "$f" .csv)
  $C submit --unit "$(cut -d- -f2 <<<"$b")" --period "$(cut -d- -f3 <<<"$b")" "$f" >/dev/null || fails=$((fails + 1))
done
th_check "all $n submissions stored" th_eq "$fails" 0

# Timeliness: a fifth of the communes sent everything before the communes'
# deadline (25/11/2025); move their submissions there (this test cannot wait
# for 2025 to come back).
th_sql "SELECT DISTINCT unit_code FROM submissions ORDER BY 1" | awk 'NR % 5 == 0' >"$TH_WORK/ontime"
th_sql "UPDATE submissions SET received_at = TIMESTAMPTZ '2025-11-20 09:00+07' WHERE unit_code IN ($(sed "s/.*/'&'/" "$TH_WORK/ontime" | paste -sd,))" >/dev/null

for period in 2025 2025Q3 2025Q1; do
  $C report --plan $PLAN --period $period --by-child --format json >"$TH_WORK/report-$period.json"
  th_check "report $period matches the model" \
    python3 "$TH_SRC_DIR/tests/integration/rollup_model.py" check "$TH_WORK/gen" "$TH_WORK/report-$period.json" $period "$TH_WORK/ontime"
done

# The other formats are made from the same numbers.
csv=$($C report --plan $PLAN --period 2025 --by-child --format csv)
th_check "CSV: province row for CTXH-01 is exactly 50.0 and not met" grep -q '^60,Tỉnh Bình Thuận,CTXH-01,ratio,[0-9]*,[0-9]*,,50.0,>,50,no,' <<<"$csv"
th_check "CSV: one row per indicator for the province and each district" th_eq "$(wc -l <<<"$csv")" "$(( 1 + 5 * 11 ))"
table=$(TONGHOP_LANG=vi $C report --plan $PLAN --period 2025 --by-child)
th_check "table: Vietnamese, with the per-district rows" grep -q "Thành phố Phan Thiết" <<<"$table"
th_check "table: decimal comma" grep -q "50,0%" <<<"$table"
rc=0; $C report --plan NO/SUCH --period 2025 >/dev/null 2>&1 || rc=$?
th_check "report on an unknown plan: exit 4" th_eq "$rc" 4
rc=0; $C report --plan $PLAN --period 2025Q5 >/dev/null 2>&1 || rc=$?
th_check "report on a bad period: refused" test "$rc" -ne 0
th_check "the maintained values of each unit and period are what a rebuild computes" th_unit_values_fresh
th_finish
