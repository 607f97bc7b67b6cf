#!/usr/bin/env bash
# SIGTERM in the middle of a burst from several clients: the server answers
# what it has received, exits 0, and every submission it acknowledged is in
# the database exactly once.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_server_start

# The communes of Bình Thuận (province 60).
mapfile -t communes < <(th_sql "SELECT c.code FROM units c JOIN units d ON c.parent_code = d.code WHERE d.parent_code = '60' ORDER BY c.code")
th_check "Bình Thuận has its communes" test "${#communes[@]}" -gt 100

csv=$TH_WORK/r.csv
th_results_csv "$csv"
client_loop() { # client_loop N: submits for every Nth commune, logs acks
  local k=$1 i q
  for q in 1 2 3 4; do
    for ((i = k; i < ${#communes[@]}; i += 4)); do
      [ -e "$TH_WORK/stopped" ] && return 0
      out=$(TONGHOP_SPOOL=$TH_WORK/spool.$k "$TONGHOP" submit --server "$TH_ENDPOINT" --unit "${communes[$i]}" --period 2025Q$q \
            --timeout 1500 --retries 1 "$csv" 2>/dev/null) || continue
      grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' <<<"$out" >>"$TH_WORK/acked.$k"
    done
  done
}
for k in 0 1 2 3; do client_loop $k & done
# Stop the server once the burst is well under way.
for i in $(seq 1 200); do
  [ "$(cat "$TH_WORK"/acked.* 2>/dev/null | wc -l)" -ge 40 ] && break
  sleep 0.05
done
rc=0; th_server_stop TERM || rc=$?
touch "$TH_WORK/stopped"
th_check "server exits 0 on SIGTERM during the burst" th_eq "$rc" 0
wait

cat "$TH_WORK"/acked.* 2>/dev/null | sort >"$TH_WORK/acked"
n_acked=$(wc -l <"$TH_WORK/acked")
th_log "acked before the stop: $n_acked of ${#communes[@]}"
th_check "some submissions were acked before the stop" test "$n_acked" -gt 0
th_check "some were not (the stop really came mid-burst)" test "$n_acked" -lt "$(( ${#communes[@]} * 4 ))"
th_sql "SELECT id FROM submissions" | sort >"$TH_WORK/stored"
missing=$(comm -23 "$TH_WORK/acked" "$TH_WORK/stored" | wc -l)
th_check "every acked submission is stored" th_eq "$missing" 0
th_check "none stored twice" th_eq "$(th_sql "SELECT count(*) - count(DISTINCT (unit_code, year, quarter)) FROM submissions")" 0
th_check "history has 4 values per stored submission" \
  th_eq "$(th_sql "SELECT count(*) FROM result_values")" "$(( $(wc -l <"$TH_WORK/stored") * 4 ))"
th_finish
