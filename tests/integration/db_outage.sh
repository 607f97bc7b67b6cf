#!/usr/bin/env bash
# PostgreSQL stopped while the server runs: the client gets an error, never
# an ack, and nothing is half-stored; once PostgreSQL is back, the next
# submission succeeds without restarting the server.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_server_start
csv=$TH_WORK/ham-tien.csv
th_results_csv "$csv"

rc=0; th_client submit --server "$TH_ENDPOINT" --unit 22918 --period 2025Q2 "$csv" >/dev/null || rc=$?
th_check "before the outage: stored" th_eq "$rc" 0

th_pg_stop "$TH_WORK/pg" fast
rc=0; err=$(th_client submit --server "$TH_ENDPOINT" --unit 22918 --period 2025Q3 --timeout 8000 --retries 1 "$csv" 2>&1) || rc=$?
th_check "during the outage: exit 5 (try later), not 0" th_eq "$rc" 5
th_check "during the outage: says the database is unreachable" grep -q "cannot reach its database" <<<"$err"
th_check "during the outage: says it is queued" grep -q "Queued" <<<"$err"
sid=$(grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' <<<"$err" | head -1)
th_check "server process survived the outage" kill -0 "$TH_SERVER_PID"

th_pg_start "$TH_WORK/pg"
# The server reconnects by itself while idle (it tries once a second).
for i in $(seq 1 50); do
  grep -q "reconnected to the database" "$TH_WORK/server.log" && break
  sleep 0.1
done
th_check "server reconnected by itself" grep -q "reconnected to the database" "$TH_WORK/server.log"
th_check "the refused submission waits in the spool" grep -q "$sid" <<<"$(th_client status)"
rc=0; th_client sync --server "$TH_ENDPOINT" --timeout 3000 --retries 1 >/dev/null || rc=$?
th_check "after the restart: sync stores it, server not restarted" th_eq "$rc" 0
th_check "it is stored under its own id" th_eq "$(th_sql "SELECT count(*) FROM submissions WHERE id = '$sid'")" 1
th_check "the refused attempt left nothing half-stored" \
  th_eq "$(th_sql "SELECT count(*) FROM submissions WHERE unit_code='22918' AND quarter=3")" 1

th_check "server stops cleanly on SIGTERM" th_server_stop TERM
th_finish
