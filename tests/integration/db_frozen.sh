#!/usr/bin/env bash
# A PostgreSQL that stops answering (the postmaster and every backend
# paused with SIGSTOP) while reports, plan fetches, history and submissions
# arrive: every request of every type is answered UNAVAILABLE within
# --db-timeout plus a margin, the server says so in its log, and nothing is
# acknowledged that is not stored. Then the same during a running burst.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR"/deploy/samples/plans/*.json >/dev/null
TIMEOUT_MS=2000
MARGIN_MS=2500
th_server_start --db-timeout $TIMEOUT_MS
csv=$TH_WORK/r.csv
th_results_csv "$csv"

# Some results, so that the report has work to do.
for u in 22918 22921 22924; do
  TONGHOP_SPOOL=$TH_WORK/spool.seed th_client submit --server "$TH_ENDPOINT" --unit $u --period 2025Q2 "$csv" >/dev/null
done

pg_pids() {
  local pm
  pm=$(head -1 "$TH_WORK/pg/data/postmaster.pid")
  echo "$pm $(pgrep -P "$pm" | tr '\n' ' ')"
}

# waitall: waits for the background clients (not the server, also a job).
waitall() {
  local j
  for j in $(jobs -p); do [ "$j" = "$TH_SERVER_PID" ] || wait "$j" || true; done
}

# timed NAME CMD...: runs CMD, appends "NAME rc ms" to $TH_WORK/timed.
timed() {
  local name=$1 start rc=0 ms
  shift
  start=$(date +%s%N)
  "$@" >"$TH_WORK/out.$name" 2>&1 || rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "$name $rc $ms" >>"$TH_WORK/timed"
}
client() { local cmd=$1; shift; "$TONGHOP" "$cmd" --server "$TH_ENDPOINT" --timeout 9000 --retries 1 "$@"; }

# --- 1. frozen before the requests arrive --------------------------------
mapfile -t communes < <(th_sql "SELECT code FROM units WHERE parent_code = '593' ORDER BY code LIMIT 12")
pids=$(pg_pids)
kill -STOP $pids
timed report client report --plan 1751/KH-UBND --period 2025Q2 --by-child &
timed plans client plans --unit 22918 &
timed plan client plan show 1751/KH-UBND --unit 22918 &
timed history client history --unit 22918 --indicator CTXH-01 --period 2025Q2 &
for u in "${communes[@]}"; do
  TONGHOP_SPOOL=$TH_WORK/spool.a.$u timed "submit-$u" client submit --unit "$u" --period 2025Q3 "$csv" &
done
waitall
kill -CONT $pids

n=$(wc -l <"$TH_WORK/timed")
th_check "frozen: all $n requests answered" th_eq "$n" $((4 + ${#communes[@]}))
slow=$(awk -v lim=$((TIMEOUT_MS + MARGIN_MS)) '$3 > lim' "$TH_WORK/timed")
th_check "frozen: each within --db-timeout + ${MARGIN_MS} ms (slowest $(sort -k3 -n "$TH_WORK/timed" | tail -1))" th_eq "$slow" ""
not5=$(awk '$2 != 5' "$TH_WORK/timed")
th_check "frozen: each told to try later (exit 5), none stored or refused" th_eq "$not5" ""
th_check "frozen: the report says the database is unreachable" grep -q "cannot reach its database" "$TH_WORK/out.report"
th_check "frozen: the server logged it" grep -qE "did not answer within|stopped answering" "$TH_WORK/server.log"
th_check "server alive" kill -0 "$TH_SERVER_PID"

# Back: the queued submissions are delivered, once each.
for _ in $(seq 1 50); do
  rc=0
  TONGHOP_SPOOL=$TH_WORK/spool.seed th_client report --server "$TH_ENDPOINT" --plan 1751/KH-UBND --period 2025Q2 \
    --timeout 3000 --retries 1 >/dev/null 2>&1 || rc=$?
  [ "$rc" -eq 0 ] && break
  sleep 0.2
done
th_check "thawed: reports answer again without a restart" th_eq "$rc" 0
fails=0
for u in "${communes[@]}"; do
  TONGHOP_SPOOL=$TH_WORK/spool.a.$u th_client sync --server "$TH_ENDPOINT" --timeout 5000 >/dev/null 2>&1 || fails=$((fails + 1))
done
th_check "thawed: every queued submission delivered by sync" th_eq "$fails" 0
th_check "thawed: each stored once" \
  th_eq "$(th_sql "SELECT count(*) || '/' || count(DISTINCT unit_code) FROM submissions WHERE quarter = 3")" "12/12"

# --- 2. frozen in the middle of a burst ------------------------------------
mapfile -t burst < <(th_sql "SELECT c.code FROM units c JOIN units d ON c.parent_code = d.code WHERE d.parent_code = '60' ORDER BY c.code LIMIT 120")
: >"$TH_WORK/timed"
client_loop() { # client_loop K: every 4th commune from K, one spool per submission
  local k=$1 i u out
  for ((i = k; i < ${#burst[@]}; i += 4)); do
    u=${burst[$i]}
    TONGHOP_SPOOL=$TH_WORK/spool.b.$u timed "burst-$u" client submit --unit "$u" --period 2025Q4 "$csv"
    grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' "$TH_WORK/out.burst-$u" | head -1 >"$TH_WORK/id.$u" || true
    tail -1 "$TH_WORK/timed" | awk '$2 == 0 {print $1}' | sed 's/burst-//' >>"$TH_WORK/acked.$k"
  done
}
for k in 0 1 2 3; do client_loop $k & done
for _ in $(seq 1 200); do
  [ "$(cat "$TH_WORK"/acked.* 2>/dev/null | wc -l)" -ge 20 ] && break
  sleep 0.05
done
pids=$(pg_pids)
kill -STOP $pids
sleep 4
kill -CONT $pids
waitall

n=$(wc -l <"$TH_WORK/timed")
th_check "burst: every submission answered ($n)" th_eq "$n" "${#burst[@]}"
slow=$(awk -v lim=$((TIMEOUT_MS + MARGIN_MS)) '$3 > lim' "$TH_WORK/timed")
th_check "burst: each within --db-timeout + ${MARGIN_MS} ms (slowest $(sort -k3 -n "$TH_WORK/timed" | tail -1))" th_eq "$slow" ""
n5=$(awk '$2 == 5' "$TH_WORK/timed" | wc -l)
th_log "burst: $(cat "$TH_WORK"/acked.* | wc -l) acked, $n5 told to try later"
th_check "burst: the freeze was felt (some told to try later)" test "$n5" -gt 0
other=$(awk '$2 != 0 && $2 != 5' "$TH_WORK/timed")
th_check "burst: no other outcome" th_eq "$other" ""
missing=0
for u in $(cat "$TH_WORK"/acked.*); do
  id=$(cat "$TH_WORK/id.$u")
  [ "$(th_sql "SELECT count(*) FROM submissions WHERE id = '$id'")" = 1 ] || missing=$((missing + 1))
done
th_check "burst: every acknowledged submission is stored" th_eq "$missing" 0
for u in "${burst[@]}"; do
  TONGHOP_SPOOL=$TH_WORK/spool.b.$u th_client sync --server "$TH_ENDPOINT" --timeout 5000 >/dev/null 2>&1 || true
done
th_check "burst: after sync, all stored exactly once" \
  th_eq "$(th_sql "SELECT count(*) || '/' || count(DISTINCT unit_code) FROM submissions WHERE quarter = 4")" "${#burst[@]}/${#burst[@]}"
th_check "server stops cleanly on SIGTERM" th_server_stop TERM
th_finish
