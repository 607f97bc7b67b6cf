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
# (Each of the server's connections reconnects on its own, once a second:
# the first one's log line does not mean the lane that stores submissions
# is back. A sync refused with "try later" meanwhile is what a commune
# would see; it tries again, as its next sync would.)
for i in $(seq 1 10); do
  rc=0; th_client sync --server "$TH_ENDPOINT" --timeout 3000 --retries 1 >/dev/null || rc=$?
  [ "$rc" = 5 ] || break
  sleep 0.5
done
th_check "after the restart: sync stores it, server not restarted" th_eq "$rc" 0
th_check "it is stored under its own id" th_eq "$(th_sql "SELECT count(*) FROM submissions WHERE id = '$sid'")" 1
th_check "the refused attempt left nothing half-stored" \
  th_eq "$(th_sql "SELECT count(*) FROM submissions WHERE unit_code='22918' AND quarter=3")" 1

# A PostgreSQL that stops answering (every process paused): the server does
# not hang; after its --db-timeout the client hears "try later" and queues.
th_server_stop TERM
th_server_start --db-timeout 1500
pg_pids=$(cat "$TH_WORK/pg/data/postmaster.pid" | head -1)
pg_pids="$pg_pids $(pgrep -P "$pg_pids" | tr '\n' ' ')"
kill -STOP $pg_pids
start=$(date +%s%N)
rc=0; th_client submit --server "$TH_ENDPOINT" --unit 22918 --period 2025Q4 --timeout 6000 --retries 1 "$csv" >/dev/null 2>&1 || rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill -CONT $pg_pids
th_check "frozen database: the client is answered (queued, exit 5), not left hanging ($ms ms)" th_eq "$rc" 5
th_check "frozen database: the server said so in its log" grep -q "stopped answering" "$TH_WORK/server.log"
th_check "frozen database: nothing stored for that quarter yet" th_eq "$(th_sql "SELECT count(*) FROM submissions WHERE quarter = 4")" 0
for _ in $(seq 1 50); do
  rc=0; th_client sync --server "$TH_ENDPOINT" --timeout 3000 >/dev/null 2>&1 || rc=$?
  [ "$rc" -eq 0 ] && break
  sleep 0.2
done
th_check "database back: sync stores it once" th_eq "$(th_sql "SELECT count(*) FROM submissions WHERE quarter = 4")" 1

th_check "server stops cleanly on SIGTERM" th_server_stop TERM
th_finish
