#!/usr/bin/env bash
# PostgreSQL restarted in the middle of a burst from two clients: no
# submission is acknowledged without being stored, and after a sync every
# one of them is stored exactly once.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_server_start
csv=$TH_WORK/r.csv
th_results_csv "$csv"
mapfile -t pairs < <(th_sql "SELECT c.code || ' 2025Q' || q FROM units c JOIN units d ON d.code = c.parent_code, generate_series(1, 4) q WHERE d.parent_code = '60' ORDER BY c.code, q LIMIT 400")
ids() { ls "$TH_WORK"/spool.*/"$1"/ 2>/dev/null | { grep '\.sub$' || true; } | sed -E 's/^[0-9]+-(.*)\.sub$/\1/' | sort; }
client_loop() {
  local k=$1 i
  for ((i = k; i < ${#pairs[@]}; i += 2)); do
    set -- ${pairs[$i]}
    rc=0
    TONGHOP_SPOOL=$TH_WORK/spool.$k "$TONGHOP" submit --server "$TH_ENDPOINT" --unit "$1" --period "$2" \
      --timeout 2000 --retries 1 "$csv" >/dev/null 2>&1 || rc=$?
    echo "$rc" >>"$TH_WORK/exits.$k"
  done
}
loops=()
for k in 0 1; do client_loop $k & loops+=($!); done
for _ in $(seq 1 400); do [ "$(ids delivered | wc -l)" -ge 100 ] && break; sleep 0.05; done
th_pg_stop "$TH_WORK/pg" fast
th_log "PostgreSQL stopped after $(ids delivered | wc -l) acknowledgements"
sleep 2
th_pg_start "$TH_WORK/pg"
wait "${loops[@]}"

# No false ack: everything the clients hold as delivered is in the database.
ids delivered >"$TH_WORK/acked"
th_sql "SELECT id FROM submissions" | sort >"$TH_WORK/stored"
th_check "every acknowledged submission is stored" th_eq "$(comm -23 "$TH_WORK/acked" "$TH_WORK/stored" | wc -l)" 0
th_check "submissions during the outage were queued (exit 5), not acknowledged" \
  test "$(cat "$TH_WORK"/exits.* | grep -c '^5$')" -gt 0
th_check "no other exit codes than 0 and 5" th_eq "$(cat "$TH_WORK"/exits.* | grep -vc '^[05]$')" 0
th_check "the server logged the outage" grep -q "lost the database connection\|cannot connect to the database" "$TH_WORK/server.log"

for _ in $(seq 1 50); do grep -q "reconnected to the database" "$TH_WORK/server.log" && break; sleep 0.1; done
for k in 0 1; do
  TONGHOP_SPOOL=$TH_WORK/spool.$k "$TONGHOP" sync --server "$TH_ENDPOINT" --timeout 3000 --retries 5 >/dev/null 2>&1 || true
done
th_check "after sync nothing waits" th_eq "$(ids pending | wc -l)" 0
th_check "all 400 stored exactly once" th_eq "$(th_sql "SELECT count(*) || '/' || count(DISTINCT (unit_code, year, quarter)) FROM submissions")" "400/400"
th_check "the stored ones are exactly the clients' submissions" \
  th_eq "$(th_sql "SELECT id FROM submissions" | sort | md5sum)" "$(ids delivered | md5sum)"
th_finish
