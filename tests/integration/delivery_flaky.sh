#!/usr/bin/env bash
# Delivery over a flaky link: a server that does not answer (paused with
# SIGSTOP, or stopped) leaves the submission queued within the client's
# timeout, and `tonghop sync` delivers it once the server is back; a spool
# file replayed by hand is stored once and answered as a duplicate; a
# refusal is kept with its reason; a dead first endpoint is skipped; the
# history shows every value and which one is in force.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_server_start
EP=$TH_ENDPOINT
csv=$TH_WORK/r.csv
th_results_csv "$csv"
C="$TONGHOP --server $EP --timeout 1000 --retries 2"
ids() { ls "$TONGHOP_SPOOL/$1" 2>/dev/null | { grep '\.sub$' || true; } | sed -E 's/^[0-9]+-(.*)\.sub$/\1/' | sort; }

rc=0; $C submit --unit 22915 --period 2025Q1 "$csv" >/dev/null || rc=$?
th_check "delivered while the server answers: exit 0" th_eq "$rc" 0

# Paused server: queued within the timeout (2 tries of 1 s, 250 ms apart).
kill -STOP "$TH_SERVER_PID"
start=$(date +%s%N)
rc=0; out=$($C submit --unit 22915 --period 2025Q2 "$csv" 2>&1) || rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
th_check "paused server: exit 5 (queued)" th_eq "$rc" 5
th_check "paused server: says queued" grep -q "Queued" <<<"$out"
th_check "paused server: gave up within its timeout ($ms ms)" test "$ms" -lt 3500
th_check "paused server: still pending in the spool" th_eq "$(ids pending | wc -l)" 1
kill -CONT "$TH_SERVER_PID"
rc=0; $C sync >/dev/null || rc=$?
th_check "server back: sync delivers, exit 0" th_eq "$rc" 0
th_check "server back: stored once" th_eq "$(th_sql "SELECT count(*) FROM submissions WHERE unit_code = '22915' AND quarter = 2")" 1

# Stopped server, restarted on the same address.
th_server_stop TERM
rc=0; $C submit --unit 22915 --period 2025Q3 "$csv" >/dev/null 2>&1 || rc=$?
th_check "stopped server: exit 5 (queued)" th_eq "$rc" 5
th_check "status lists it as waiting" grep -q "22915.*2025Q3" <<<"$($TONGHOP status)"
rc=0; $TONGHOP status >/dev/null || rc=$?
th_check "status exits 5 while something waits" th_eq "$rc" 5
TH_BIND=$EP th_server_start
rc=0; $C sync >/dev/null || rc=$?
th_check "restarted server: sync delivers" th_eq "$rc" 0
th_check "nothing waits any more" th_eq "$(ids pending | wc -l)" 0

# A spool file replayed by hand: one stored result, the reply says duplicate.
f=$(ls "$TONGHOP_SPOOL/delivered/" | grep '\.sub$' | head -n 1)
cp "$TONGHOP_SPOOL/delivered/$f" "$TONGHOP_SPOOL/pending/$f"
out=$($C sync)
th_check "replayed file: answered as a duplicate" grep -q "Already stored earlier" <<<"$out"
th_check "replayed file: still stored once" \
  th_eq "$(th_sql "SELECT count(*) FROM submissions WHERE id = '$(sed -E 's/^[0-9]+-(.*)\.sub$/\1/' <<<"$f")'")" 1
th_check "replayed file: counted as already stored" grep -q "1 already stored" <<<"$out"
th_check "submissions stored in all: 3" th_eq "$(th_sql "SELECT count(*) FROM submissions")" 3

# A refusal is final and kept with its reason.
rc=0; $C submit --unit 99999 --period 2025Q3 "$csv" >/dev/null 2>&1 || rc=$?
th_check "unknown unit: exit 4 (refused)" th_eq "$rc" 4
st=$($TONGHOP status)
th_check "status shows the refusal with its reason" grep -q "reason: field unit_code" <<<"$st"
th_check "the refused one is not retried" th_eq "$(ids pending | wc -l)" 0

# Several servers: the first does not answer, the client moves on.
# (Four tries: the dead one, the live one, and both again, so that a live
# server slow to answer on a loaded machine is not taken for a dead one.)
rc=0; out=$($TONGHOP submit --server tcp://127.0.0.1:9 --server "$EP" --timeout 3s --retries 4 \
  --unit 22918 --period 2025Q3 "$csv" 2>&1) || rc=$?
th_check "dead first endpoint: delivered through the second" \
  bash -c '[ "$1" = 0 ] || { echo "  rc=$1: $2" >&2; exit 1; }' _ "$rc" "$out"

# Two clients sending the same queue at once: one waits for the other;
# nothing is set aside, everything is stored once.
th_server_stop TERM
for q in 1 2 3 4; do for u in 22921 22924 22927 22930 22933; do
  $TONGHOP submit --server "$EP" --timeout 200 --retries 1 --unit $u --period 2024Q$q "$csv" >/dev/null 2>&1 || true
done; done
th_check "20 queued while the server was down" th_eq "$(ids pending | wc -l)" 20
TH_BIND=$EP th_server_start
$C sync >"$TH_WORK/sync1" 2>&1 & s1=$!
$C sync >"$TH_WORK/sync2" 2>&1 & s2=$!
r1=0; wait $s1 || r1=$?; r2=0; wait $s2 || r2=$?
th_check "two syncs at once: both succeed" th_eq "$r1/$r2" "0/0"
th_check "two syncs at once: nothing set aside" th_eq "$(ids rejected | wc -l)" 1
th_check "two syncs at once: all 20 stored once" th_eq "$(th_sql "SELECT count(*) FROM submissions WHERE year = 2024")" 20

# Results too large for the protocol are refused at home, not queued.
{ echo "indicator,text"; for i in $(seq 1 300); do printf 'X-%d,%s\n' "$i" "$(head -c 3999 /dev/zero | tr '\0' a)"; done; } >"$TH_WORK/huge.csv"
before=$(ids pending | wc -l)
rc=0; $C submit --unit 22915 --period 2025Q4 "$TH_WORK/huge.csv" >/dev/null 2>&1 || rc=$?
th_check "too large: exit 3, nothing sent" th_eq "$rc" 3
th_check "too large: nothing queued" th_eq "$(ids pending | wc -l)" "$before"

# History: a correction replaces the current value, the old one stays.
printf 'indicator,numerator,denominator\nCTXH-01,4,5\n' >"$TH_WORK/fix.csv"
$C submit --unit 22915 --period 2025Q3 "$TH_WORK/fix.csv" >/dev/null
h=$($C history --unit 22915 --indicator CTXH-01 --period 2025Q3)
th_check "history: two values received" grep -q "2 value(s) received" <<<"$h"
th_check "history: the first was replaced" grep -q "3/5 = 60.0%.*replaced" <<<"$h"
th_check "history: the correction is in force" grep -q "4/5 = 80.0%.*yes" <<<"$h"
th_finish
