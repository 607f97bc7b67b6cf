#!/usr/bin/env bash
# The server under valgrind's memcheck through a session that touches every
# request type: submissions (stored, duplicate, refused), hostile bytes, plan
# publication and fetch, a report, a history query, then SIGTERM. valgrind
# exits 99 on any memory error or definite leak, and the test fails on it.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_server_start
C="$TONGHOP --server $TH_ENDPOINT --timeout 20000"
RAW="$TH_BIN_DIR/tests/th_rawsend"
csv=$TH_WORK/r.csv
th_results_csv "$csv"
th_check "submit" $C submit --unit 22921 --period 2025Q3 "$csv"
$C submit --unit 99999 --period 2025Q3 "$csv" >/dev/null 2>&1 || true
"$RAW" "$TH_ENDPOINT" random 300 >/dev/null || true
"$RAW" "$TH_ENDPOINT" truncated >/dev/null || true
"$RAW" "$TH_ENDPOINT" unsupported >/dev/null || true
th_check "publish a plan" $C plan publish "$TH_SRC_DIR/deploy/samples/plans/binh-thuan-2025-1751-KH-UBND.json"
th_check "show it" $C plan show 1751/KH-UBND --unit 22921 --json
th_check "report" $C report --plan 1751/KH-UBND --period 2025Q3 --by-child --format json
th_check "history" $C history --unit 22921 --indicator CTXH-01 --period 2025Q3
rc=0; th_server_stop TERM || rc=$?
th_check "server exits 0 under valgrind: no memory errors, no leaks" th_eq "$rc" 0
[ "$rc" -eq 0 ] || grep -E "==[0-9]+==" "$TH_WORK/server.log" | head -40 >&2
th_finish
