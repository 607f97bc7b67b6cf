#!/usr/bin/env bash
# The server killed with SIGKILL in the middle of a burst of 1,000
# submissions from four clients: every acknowledged submission is in the
# database; after the server restarts and the clients sync, all 1,000 are
# stored exactly once.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_server_start
csv=$TH_WORK/r.csv
th_results_csv "$csv"

# 1,000 (commune, quarter) pairs from Bình Thuận and Đồng Tháp.
mapfile -t pairs < <(th_sql "SELECT c.code || ' 2025Q' || q FROM units c JOIN units d ON d.code = c.parent_code, generate_series(1, 4) q WHERE d.parent_code IN ('60', '87') ORDER BY c.code, q LIMIT 1000")
th_check "1,000 submissions to make" th_eq "${#pairs[@]}" 1000

client_loop() { # client_loop K: every 4th pair, from its own spool
  local k=$1 i
  for ((i = k; i < 1000; i += 4)); do
    set -- ${pairs[$i]}
    TONGHOP_SPOOL=$TH_WORK/spool.$k "$TONGHOP" submit --server "$TH_ENDPOINT" --unit "$1" --period "$2" \
      --timeout 700 --retries 1 "$csv" >/dev/null 2>&1 || true
  done
}
acked() { ls "$TH_WORK"/spool.*/delivered/ 2>/dev/null | grep -c '\.sub$' || true; }
ids_in() { ls "$TH_WORK"/spool.*/"$1"/ 2>/dev/null | { grep '\.sub$' || true; } | sed -E 's/^[0-9]+-(.*)\.sub$/\1/' | sort; }

loops=()
for k in 0 1 2 3; do client_loop $k & loops+=($!); done
for _ in $(seq 1 400); do [ "$(acked)" -ge 300 ] && break; sleep 0.05; done
th_server_stop KILL || true
th_log "SIGKILL after $(acked) acknowledgements"

# Every submission acknowledged before the kill is in the database.
ids_in delivered >"$TH_WORK/acked"
th_sql "SELECT id FROM submissions ORDER BY 1" | sort >"$TH_WORK/stored"
th_check "acks were given before the kill ($(wc -l <"$TH_WORK/acked"))" test "$(wc -l <"$TH_WORK/acked")" -ge 300
th_check "every acknowledged submission is in the database" \
  th_eq "$(comm -23 "$TH_WORK/acked" "$TH_WORK/stored" | wc -l)" 0

sleep 1
TH_BIND=$TH_ENDPOINT th_server_start
wait "${loops[@]}"
for k in 0 1 2 3; do
  TONGHOP_SPOOL=$TH_WORK/spool.$k "$TONGHOP" sync --server "$TH_ENDPOINT" --timeout 3000 >/dev/null 2>&1 || true
done
th_check "nothing left in the clients' queues" th_eq "$(ids_in pending | wc -l)" 0
th_check "all 1,000 acknowledged" th_eq "$(ids_in delivered | wc -l)" 1000
th_check "all 1,000 stored" th_eq "$(th_sql "SELECT count(*) FROM submissions")" 1000
th_check "the stored ones are exactly the clients' submissions" \
  th_eq "$(th_sql "SELECT id FROM submissions ORDER BY 1" | sort | md5sum)" "$(ids_in delivered | md5sum)"
th_check "each stored once: 4 values each in the history" th_eq "$(th_sql "SELECT count(*) FROM result_values")" 4000
th_check "one current value per (unit, indicator, quarter)" th_eq "$(th_sql "SELECT count(*) FROM current_results")" 4000
th_finish
