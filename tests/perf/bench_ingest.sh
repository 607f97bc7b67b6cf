#!/usr/bin/env bash
# Benchmark: the whole country's quarterly burst. All 10,599 communes send
# their quarter (four ratio values each) at once through the real server
# into a throw-away PostgreSQL cluster; then the same burst for the next
# quarter with a loop of province reports running beside it (reads must not
# hold up acks: compare the p50/p99 ack latency of the two); then, for
# comparison, the same 42,396 values loaded with PostgreSQL's own COPY.
# Prints the figures; asserts nothing about speed (a benchmark, not a test).
#
#   tests/perf/bench_ingest.sh [WINDOW]     (build first: ./tests/run.sh or cmake)
. "$(dirname "$0")/../lib/harness.sh"
WINDOW=${1:-512}
th_setup
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR"/deploy/samples/plans/*.json >/dev/null
# One DEALER connection keeps up to WINDOW (default 512) submissions in flight:
# more than one connection may have open by default (256).
th_server_start --max-open-per-client 1024
th_sql "SELECT code FROM units WHERE level = 3 ORDER BY code" >"$TH_WORK/communes"
echo "== tonghopd: $(wc -l <"$TH_WORK/communes") communes, one submission each, up to $WINDOW in flight"
"$TH_BIN_DIR/tests/th_bench" "$TH_ENDPOINT" 2025Q3 "$WINDOW" <"$TH_WORK/communes"
echo "   stored: $(th_sql "SELECT count(*) FROM submissions") submissions, $(th_sql "SELECT count(*) FROM result_values") values"

echo "== the same burst (2025Q4) with two loops of province reports beside it"
report_loop() {
  local n=0 start
  start=$(date +%s%N)
  while [ ! -e "$TH_WORK/stop" ]; do
    "$TONGHOP" report --server "$TH_ENDPOINT" --plan 1751/KH-UBND --period 2025 --by-child --format json \
      --timeout 30000 >/dev/null 2>&1 && n=$((n + 1))
  done
  echo "   report loop: $n province year reports by district in $(( ($(date +%s%N) - start) / 1000000 )) ms"
}
rm -f "$TH_WORK/stop"
report_loop & l1=$!
report_loop & l2=$!
sleep 0.5
"$TH_BIN_DIR/tests/th_bench" "$TH_ENDPOINT" 2025Q4 "$WINDOW" <"$TH_WORK/communes"
touch "$TH_WORK/stop"
wait $l1 $l2
th_server_stop TERM

echo "== PostgreSQL COPY of the same values into a table like result_values (one transaction)"
awk '{ for (k = 1; k <= 4; k++) printf "%s\tCTXH-0%d\t2025\t3\t%d\t%d\n", $1, k, NR % 10, 10 + NR % 7 }' \
  "$TH_WORK/communes" >"$TH_WORK/values.tsv"
th_sql "CREATE TABLE copy_bench (unit_code text, indicator_code text, year smallint, quarter smallint, numerator bigint, denominator bigint)" >/dev/null
start=$(date +%s%N)
psql "$TH_DSN" -X -q -c "\\copy copy_bench FROM '$TH_WORK/values.tsv'"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
rows=$(th_sql "SELECT count(*) FROM copy_bench")
echo "COPY             $rows values in $ms ms ($(( rows * 1000 / (ms > 0 ? ms : 1) )) values/s)"
