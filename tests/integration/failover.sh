#!/usr/bin/env bash
# High availability on PostgreSQL's own streaming replication (issue 14): a
# primary and a hot standby in synchronous replication (remote_apply), two
# tonghopd on the same multi-host connection string (read-write: whichever
# is the primary) with reports read from the standby (--read-db,
# prefer-standby), four clients that know both servers. In the middle of
# their burst the primary's host "dies" (SIGKILL to the postmaster and every
# one of its processes: nothing more is written, nothing is shut down
# cleanly) and the standby is promoted by hand (pg_ctl promote). Then:
# every submission a client saw acknowledged is on the new primary, none is
# stored twice, after the clients' retries (tonghop sync) every submission
# is stored, and reports work on the new primary. Then server A dies too
# (SIGKILL) and the clients move to B. Each commune's submissions come from
# one client and every client lists A before B, as the README advises (two
# servers storing the same commune at the same moment could leave its
# maintained totals stale: see "High availability").
. "$(dirname "$0")/../lib/harness.sh"
th_setup
BIN=$(th_pg_bindir)
OWNER=$(th_pg_owner)
P=$TH_WORK/pg  # the primary (made by th_setup)
S=$TH_WORK/pg2 # the standby
SERVER_B_PID=""

failover_cleanup() {
  local rc=$?
  set +e
  if [ -n "$SERVER_B_PID" ]; then kill -KILL "$SERVER_B_PID" 2>/dev/null; wait "$SERVER_B_PID" 2>/dev/null; fi
  [ -n "$TH_WORK" ] && th_pg_stop "$S" immediate
  if [ "$rc" -ne 0 ] || [ "$TH_FAILS" -ne 0 ]; then
    echo "---- second server's log (last 30 lines) ----" >&2
    tail -30 "$TH_WORK/server-b.log" 2>/dev/null >&2
  fi
  (exit "$rc")
  th_cleanup
}
trap failover_cleanup EXIT

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.1 s.
wait_for() {
  local secs=$1 what=$2 i
  shift 2
  for ((i = 0; i < secs * 10; i++)); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  echo "timed out after ${secs}s waiting for: $what" >&2
  return 1
}
sql_on() { psql "$(th_pg_dsn "$1" tonghop)" -X -A -t -v ON_ERROR_STOP=1 -c "$2"; }
sql_is() { [ "$(sql_on "$1" "$2" 2>/dev/null)" = "$3" ]; }

# --- the standby: a base backup of the primary, streaming (-R) -------------
th_serve_role # the serve role exists before the backup: the standby has it too
mkdir -p "$S"
if [ "$(id -u)" -eq 0 ]; then chown "$OWNER": "$S"; fi
chmod 700 "$S"
th_pg_as_owner mkdir -p "$S/sock"
th_pg_as_owner "$BIN/pg_basebackup" -D "$S/data" -R -X stream -c fast \
  -d "host=$P/sock port=5432 user=$OWNER" >"$S/basebackup.log" 2>&1 || { cat "$S/basebackup.log" >&2; exit 1; }
# Its own socket; it names itself s1 to the primary (synchronous_standby_names).
th_pg_as_owner tee -a "$S/data/postgresql.conf" >/dev/null <<CONF
unix_socket_directories = '$S/sock'
hot_standby = on
CONF
th_pg_as_owner tee -a "$S/data/postgresql.auto.conf" >/dev/null <<CONF
primary_conninfo = 'host=$P/sock port=5432 user=$OWNER application_name=s1'
CONF
th_pg_start "$S"
th_check "the standby is in recovery (hot standby)" sql_is "$S" "SELECT pg_is_in_recovery()" t
wait_for 30 "the standby streams from the primary" \
  sql_is "$P" "SELECT count(*) FROM pg_stat_replication WHERE application_name = 's1' AND state = 'streaming'" 1

# Synchronous replication, set on the primary only (after the backup: the
# standby, once promoted and alone, must not wait for a standby of its own).
# remote_apply: a commit returns once the standby has applied it, so a
# report read on the standby right after an ack includes the submission.
sql_on "$P" "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (s1)'" >/dev/null
sql_on "$P" "ALTER SYSTEM SET synchronous_commit = 'remote_apply'" >/dev/null
sql_on "$P" "SELECT pg_reload_conf()" >/dev/null
wait_for 30 "s1 becomes the synchronous standby" \
  sql_is "$P" "SELECT sync_state FROM pg_stat_replication WHERE application_name = 's1'" sync

# --- two servers, one connection string for both databases -----------------
DB="host=$P/sock,$S/sock port=5432,5432 user=$TH_SERVE_ROLE dbname=tonghop target_session_attrs=read-write"
READ_DB="host=$S/sock,$P/sock port=5432,5432 user=$TH_SERVE_ROLE dbname=tonghop target_session_attrs=prefer-standby"
# shellcheck disable=SC2034 # (th_server_start's)
TH_SERVE_DSN=$DB
th_server_start --read-db "$READ_DB" --db-timeout 3s
A=$TH_ENDPOINT
"$TONGHOPD" serve --db "$DB" --read-db "$READ_DB" --db-timeout 3s --bind "tcp://127.0.0.1:*" --insecure \
  --endpoint-file "$TH_WORK/endpoint-b" >>"$TH_WORK/server-b.log" 2>&1 &
SERVER_B_PID=$!
wait_for 60 "the second server listens" test -s "$TH_WORK/endpoint-b"
B=$(cat "$TH_WORK/endpoint-b")
th_check "the servers' report lanes are connected to the standby" \
  wait_for 10 "report connections on the standby" \
  sql_is "$S" "SELECT count(*) >= 4 FROM pg_stat_activity WHERE usename = '$TH_SERVE_ROLE'" t

# A write of the READ lane goes to the primary, though reads go to the standby.
PLAN=99/KH-KIEMTHU
rc=0; "$TONGHOP" --server "$A" --server "$B" plan publish "$TH_SRC_DIR/tests/data/plans/kiem-thu-binh-thuan-2025.json" >/dev/null 2>&1 || rc=$?
th_check "a plan published through a server with --read-db on the standby is stored (on the primary)" th_eq "$rc" 0

csv=$TH_WORK/r.csv
th_results_csv "$csv"
# Read-your-writes on the standby (synchronous_commit = remote_apply): a
# report asked right after an ack includes it, and it ran on the standby.
mapfile -t pairs < <(th_sql "SELECT c.code || ' 2025Q' || q FROM units c JOIN units d ON d.code = c.parent_code, generate_series(1, 4) q WHERE d.parent_code = '60' ORDER BY c.code, q LIMIT 401")
set -- ${pairs[400]}
TONGHOP_SPOOL=$TH_WORK/spool.first "$TONGHOP" submit --server "$A" --unit "$1" --period "$2" "$csv" >/dev/null
got=$("$TONGHOP" --server "$B" report --plan "$PLAN" --period "$2" --unit "$1" --format json | jq -r '.indicators[] | select(.code == "CTXH-01") | "\(.numerator)/\(.denominator)"')
th_check "a report on the standby right after the ack includes the submission" th_eq "$got" "3/5"
th_check "that report ran on the standby" \
  sql_is "$S" "SELECT count(*) > 0 FROM pg_stat_activity WHERE usename = '$TH_SERVE_ROLE' AND query LIKE '%th_report%'" t

# --- the burst: four clients, each with its own spool, both servers --------
# Each client is a few communes' office: all four quarters of a commune come
# from one client, one after another. Every client lists the servers in the
# same order (A, then B): A stores everything while it answers, B takes over
# when A is gone (README: "High availability").
ids() { ls "$TH_WORK"/spool.*/"$1"/ 2>/dev/null | { grep '\.sub$' || true; } | sed -E 's/^[0-9]+-(.*)\.sub$/\1/' | sort; }
NCLIENTS=4
client_loop() {
  local k=$1 i
  for ((i = 0; i < 400; i++)); do
    (((i / 4) % NCLIENTS == k)) || continue
    set -- ${pairs[$i]}
    rc=0
    TONGHOP_SPOOL=$TH_WORK/spool.$k "$TONGHOP" submit --server "$A" --server "$B" --unit "$1" --period "$2" \
      --timeout 2000 --retries 3 "$csv" >/dev/null 2>&1 || rc=$?
    echo "$rc" >>"$TH_WORK/exits.$k"
  done
}
loops=()
for ((k = 0; k < NCLIENTS; k++)); do client_loop $k & loops+=($!); done
enough_acked() { [ "$(ids delivered | wc -l)" -ge 120 ]; }
wait_for 60 "120 acknowledgements" enough_acked

# The primary's host dies: every process of the cluster at once.
pm=$(head -1 "$P/data/postmaster.pid")
# shellcheck disable=SC2046
kill -KILL "$pm" $(pgrep -P "$pm")
acked_before=$(ids delivered | wc -l)
th_log "primary killed (SIGKILL) after $acked_before acknowledgements"
lost_noticed() { grep -q "lost the database connection\|cannot connect to the database" "$TH_WORK/server.log" "$TH_WORK/server-b.log"; }
th_check "the servers noticed the loss of the primary" wait_for 10 "the loss noticed" lost_noticed
# The failover, by hand (pg_auto_failover or Patroni would do this).
th_pg_as_owner "$BIN/pg_ctl" -D "$S/data" -w -t 60 promote >/dev/null
th_check "the standby is now the primary" sql_is "$S" "SELECT pg_is_in_recovery()" f
# shellcheck disable=SC2034 # (th_sql's, from here on the new primary)
TH_DSN=$(th_pg_dsn "$S" tonghop)
reconnected() { [ "$(grep -c "reconnected to the database" "$1")" -ge 1 ]; }
th_check "server A reconnected to the new primary by itself" wait_for 15 "A reconnects" reconnected "$TH_WORK/server.log"
th_check "server B reconnected to the new primary by itself" wait_for 15 "B reconnects" reconnected "$TH_WORK/server-b.log"
# Then server A dies too (SIGKILL, mid-burst): the clients move to B.
more_acked() { [ "$(ids delivered | wc -l)" -ge $((acked_before + 60)) ]; }
wait_for 60 "60 more acknowledgements" more_acked
kill -KILL "$TH_SERVER_PID"
wait "$TH_SERVER_PID" 2>/dev/null || true
TH_SERVER_PID=""
a_gone=$(th_sql "SELECT clock_timestamp()")
th_log "server A killed (SIGKILL) after $(ids delivered | wc -l) acknowledgements"
wait "${loops[@]}"
th_check "server B stored the submissions that came after A died" \
  test "$(th_sql "SELECT count(*) FROM submissions WHERE received_at > '$a_gone'")" -gt 0

th_check "no other exit codes than 0 (stored) and 5 (queued)" th_eq "$(cat "$TH_WORK"/exits.* | grep -vc '^[05]$' || true)" 0
th_log "exit codes: $(cat "$TH_WORK"/exits.* | sort | uniq -c | tr -s ' \n' ' ')"
# The clients' retries: sync until nothing waits.
sync_all() {
  local k
  for ((k = 0; k < NCLIENTS; k++)); do
    TONGHOP_SPOOL=$TH_WORK/spool.$k "$TONGHOP" sync --server "$A" --server "$B" --timeout 3000 --retries 2 >/dev/null 2>&1 || true
  done
  [ "$(ids pending | wc -l)" -eq 0 ]
}
th_check "after the clients' retries nothing waits in any spool" wait_for 30 "empty spools" sync_all

# No acknowledged submission lost, none stored twice.
ids delivered >"$TH_WORK/acked"
th_sql "SELECT id FROM submissions" | sort >"$TH_WORK/stored"
th_check "every acknowledged submission is on the new primary" th_eq "$(comm -23 "$TH_WORK/acked" "$TH_WORK/stored" | wc -l)" 0
th_check "all 401 stored exactly once (ids and unit-quarters unique)" \
  th_eq "$(th_sql "SELECT count(*) || '/' || count(DISTINCT id) || '/' || count(DISTINCT (unit_code, year, quarter)) FROM submissions")" "401/401/401"
th_check "the stored ones are exactly the clients' submissions" th_eq "$(md5sum <"$TH_WORK/stored")" "$(md5sum <"$TH_WORK/acked")"
th_check "the values are stored once: 4 per submission" th_eq "$(th_sql "SELECT count(*) FROM result_values")" $((401 * 4))
th_check "the maintained values match the stored results" th_unit_values_fresh

# Reports on the new primary (through B: A is gone).
q1=$(th_sql "SELECT count(*) FROM submissions WHERE quarter = 1")
got=$("$TONGHOP" --server "$B" report --plan "$PLAN" --period 2025Q1 --format json | jq -r '.indicators[] | select(.code == "CTXH-01") | "\(.numerator)/\(.denominator)"')
th_check "the province report on the new primary counts every commune" th_eq "$got" "$((3 * q1))/$((5 * q1))"
th_check "nothing ran a write on a read-only connection" \
  th_eq "$(cat "$TH_WORK/server.log" "$TH_WORK/server-b.log" | grep -c 'read-only transaction\|during recovery' || true)" 0
th_check "server B still runs" kill -0 "$SERVER_B_PID"
th_finish
