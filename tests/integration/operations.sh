#!/usr/bin/env bash
# Operations (issue #14): one structured log line per request (JSON when
# asked, no reported value in it), the Prometheus metrics at GET /metrics,
# and `tonghopd status` saying in one screen whether the server and its
# database are healthy.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR/deploy/samples/plans/binh-thuan-2025-1751-KH-UBND.json" >/dev/null
th_server_start --metrics-bind 127.0.0.1:0 --log-format json
for _ in $(seq 1 50); do grep -q 'metrics on http://' "$TH_WORK/server.log" && break; sleep 0.1; done
METRICS=$(grep -o 'metrics on http://[^/]*' "$TH_WORK/server.log" | head -1 | sed 's|metrics on http://||')
th_check "the metrics address is logged" test -n "$METRICS"

# get PATH [RAW]: an HTTP request to the metrics port, the whole answer.
get() {
  python3 - "$METRICS" "$1" "${2:-}" <<'PY'
import socket, sys
host, port = sys.argv[1].rsplit(':', 1)
s = socket.create_connection((host, int(port)), timeout=5)
import os
s.sendall(os.urandom(3000) + b'\r\n\r\n' if sys.argv[3] == 'garbage' else ('GET %s HTTP/1.0\r\n\r\n' % sys.argv[2]).encode())
data = b''
while True:
    b = s.recv(65536)
    if not b: break
    data += b
sys.stdout.write(data.decode('utf-8', 'replace'))
PY
}

th_results_csv "$TH_WORK/r.csv"
C=(--server "$TH_ENDPOINT" --timeout 10s --retries 1)
th_client submit "${C[@]}" --unit 22921 --period 2025Q2 --plan 1751/KH-UBND "$TH_WORK/r.csv" >/dev/null
th_client submit "${C[@]}" --unit 22924 --period 2025Q2 "$TH_WORK/r.csv" >/dev/null
rc=0; th_client submit "${C[@]}" --unit 99999 --period 2025Q2 "$TH_WORK/r.csv" >/dev/null 2>&1 || rc=$?
th_check "a submission for an unknown unit is refused" th_eq "$rc" 4
th_client report "${C[@]}" --plan 1751/KH-UBND --period 2025Q2 >/dev/null

m=$(get /metrics)
th_check "GET /metrics answers 200 in Prometheus's text format" \
  bash -c 'head -1 <<<"$1" | grep -q "200 OK" && grep -q "text/plain; version=0.0.4" <<<"$1"' _ "$m"
th_check "two submissions stored, counted by type and outcome" \
  grep -q '^tonghop_requests_total{type="submission",outcome="STORED"} 2$' <<<"$m"
th_check "the refusal counted by its code" grep -q '^tonghop_requests_total{type="submission",outcome="UNKNOWN_UNIT"} 1$' <<<"$m"
th_check "the report counted" grep -q '^tonghop_requests_total{type="report",outcome="OK"} 1$' <<<"$m"
th_check "latency histograms by type, with +Inf and count" \
  bash -c 'grep -q "^tonghop_request_duration_seconds_bucket{type=\"submission\",le=\"+Inf\"} 3$" <<<"$1" &&
           grep -q "^tonghop_request_duration_seconds_count{type=\"submission\"} 3$" <<<"$1"' _ "$m"
th_check "ingest batches and their database time" \
  bash -c 'grep -q "^tonghop_ingest_batch_submissions_count{} [1-9]" <<<"$1" && grep -q "^tonghop_ingest_db_seconds_sum{} " <<<"$1"' _ "$m"
th_check "the queue depth gauge" grep -q '^tonghop_open_requests [0-9]' <<<"$m"
th_check "GET /health answers ok" grep -q "^ok" <<<"$(get /health)"
th_check "anything else is 404" bash -c 'head -1 <<<"$1" | grep -q "404"' _ "$(get /nope)"
th_check "garbage is answered 404 and the server goes on" \
  bash -c 'head -1 <<<"$1" | grep -q "404"' _ "$(get / garbage)"

# One JSON line per request, with who, what, the outcome and the time, and
# never a reported value.
reqs=$(grep '"event":"request"' "$TH_WORK/server.log" || true)
th_check "one request line per request (4 submissions and reports)" th_eq "$(wc -l <<<"$reqs")" 4
th_check "every log line is JSON" bash -c 'grep -v "^$" "$1" | jq -e . >/dev/null' _ "$TH_WORK/server.log"
th_check "a request line has type, unit named, outcome and milliseconds" \
  bash -c 'jq -s -e "map(select(.type == \"submission\" and .target == \"22921\" and .outcome == \"STORED\" and (.ms | type == \"number\"))) | length == 1" <<<"$1" >/dev/null' _ "$reqs"
th_check "a refusal says the field and why" \
  bash -c 'jq -s -e "map(select(.outcome == \"UNKNOWN_UNIT\" and .field == \"unit_code\" and (.reason | test(\"99999\")))) | length == 1" <<<"$1" >/dev/null' _ "$reqs"
th_check "no reported value is logged" bash -c '! grep -q "numerator\|\"17\"\|17/20" "$1"' _ "$TH_WORK/server.log"

out=$("$TONGHOPD" status --db "$TH_DSN" --metrics "$METRICS" 2>&1) && rc=0 || rc=$?
th_check "tonghopd status: healthy, exit 0" bash -c '[ "$1" = 0 ] && grep -q "All healthy" <<<"$2"' _ "$rc" "$out"
th_check "... with the server's requests, the schema and the standby line" \
  bash -c 'grep -q "^Server    ok .*2 submission(s) stored" <<<"$1" && grep -q "^Database  ok .*(up to date)" <<<"$1" &&
           grep -q "^Standby   -  .*none streaming" <<<"$1" && grep -q "^Results   ok .*2 submission(s)" <<<"$1"' _ "$out"
th_server_stop
out=$("$TONGHOPD" status --db "$TH_DSN" --metrics "$METRICS" 2>&1) && rc=0 || rc=$?
th_check "with the server stopped: PROBLEM, exit 1" bash -c '[ "$1" = 1 ] && grep -q "^Server    PROBLEM" <<<"$2"' _ "$rc" "$out"
th_finish
