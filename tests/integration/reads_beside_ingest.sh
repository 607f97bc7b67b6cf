#!/usr/bin/env bash
# Reads never hold up an ack. (1) With every report worker stuck behind a
# lock on the plans, submissions are still acknowledged, and the stuck
# reports are answered "try later" at --db-timeout. (2) A loop of reports
# runs beside a burst of a province's communes: every submission is
# acknowledged and every report answered. (How fast is for the benchmark.)
. "$(dirname "$0")/../lib/harness.sh"
th_setup
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR"/deploy/samples/plans/*.json >/dev/null
th_server_start --db-timeout 4000 --workers 2
csv=$TH_WORK/r.csv
th_results_csv "$csv"
report() { "$TONGHOP" report --server "$TH_ENDPOINT" --plan 1751/KH-UBND --timeout 9000 --retries 1 "$@"; }

# --- 1. both read workers blocked by a lock on the plans ---------------------
psql "$TH_DSN" -X -q -c "BEGIN; LOCK TABLE plans IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(6); COMMIT;" >/dev/null &
locker=$!
sleep 0.5
report --period 2025Q3 >"$TH_WORK/r1.out" 2>&1 &
r1=$!
report --period 2025 >"$TH_WORK/r2.out" 2>&1 &
r2=$!
sleep 0.3
fails=0
start=$(date +%s%N)
for u in 22918 22921 22924 22927 22930 22933 22936 22939; do
  th_client submit --server "$TH_ENDPOINT" --unit $u --period 2025Q3 --timeout 3000 --retries 1 "$csv" >/dev/null 2>&1 ||
    fails=$((fails + 1))
done
ms=$(( ($(date +%s%N) - start) / 1000000 ))
th_check "reports stuck: 8 submissions acked meanwhile ($ms ms)" th_eq "$fails" 0
rc1=0; wait $r1 || rc1=$?
rc2=0; wait $r2 || rc2=$?
th_check "the stuck reports are told to try later (exit 5)" th_eq "$rc1 $rc2" "5 5"
wait $locker || true
rc=0; report --period 2025Q3 >/dev/null 2>&1 || rc=$?
th_check "the lock gone, reports answer again" th_eq "$rc" 0

# --- 2. a report loop beside a burst -----------------------------------------
th_sql "SELECT c.code FROM units c JOIN units d ON c.parent_code = d.code WHERE d.parent_code = '60' ORDER BY c.code" \
  >"$TH_WORK/communes"
: >"$TH_WORK/reports"
( while [ ! -e "$TH_WORK/stop" ]; do
    rc=0; report --period 2025Q2 --by-child >/dev/null 2>&1 || rc=$?
    echo "$rc" >>"$TH_WORK/reports"
  done ) &
loop=$!
rc=0; "$TH_BIN_DIR/tests/th_bench" "$TH_ENDPOINT" 2025Q2 32 <"$TH_WORK/communes" >"$TH_WORK/bench.out" 2>&1 || rc=$?
touch "$TH_WORK/stop"
wait $loop || true
cat "$TH_WORK/bench.out" >&2
n=$(wc -l <"$TH_WORK/communes")
th_check "burst beside reports: all $n submissions acknowledged" th_eq "$rc" 0
th_check "and stored" th_eq "$(th_sql "SELECT count(*) FROM submissions WHERE quarter = 2")" "$n"
th_check "reports ran meanwhile ($(wc -l <"$TH_WORK/reports"))" test "$(wc -l <"$TH_WORK/reports")" -ge 1
th_check "every one answered with a report" th_eq "$(grep -vc '^0$' "$TH_WORK/reports")" 0
th_finish
