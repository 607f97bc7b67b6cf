#!/usr/bin/env bash
# The benchmark of issue #12 in small (bench/run.sh --small: one province's
# communes, every step of the national run). Checks that it works — every
# submission acknowledged STORED, every figure printed — and never how fast:
# no timing is asserted. Then that the load generator says so loudly, and
# exits non-zero, when a reply is not an Ack STORED.
. "$(dirname "$0")/../lib/harness.sh"

th_setup

# ---- the benchmark, small
out=$TH_WORK/bench.out
rc=0
bash "$TH_SRC_DIR/bench/run.sh" --small >"$out" 2>&1 || rc=$?
[ -n "${TH_ARTIFACT_DIR:-}" ] && mkdir -p "$TH_ARTIFACT_DIR" && cp "$out" "$TH_ARTIFACT_DIR/bench-small.txt"
th_check "bench/run.sh --small exits 0" th_eq "$rc" 0
[ "$rc" -eq 0 ] || tail -60 "$out" >&2

n=$(grep -oE 'burst: [0-9]+ communes' "$out" | grep -oE '[0-9]+')
th_check "the burst is a province's communes (a few hundred)" test "${n:-0}" -ge 200
bursts_ok=$(grep -cE '^   2025Q[1-4] +[0-9.]+ s +[0-9.]+ subs/s +[0-9]+ values/s +ack p50 +[0-9.]+ ms +p99 +[0-9.]+ ms +max +[0-9.]+ ms +failures 0$' "$out" || true)
th_check "four bursts, each with its rate, its latencies and no failure" th_eq "$bursts_ok" 4
no_failure() { ! grep -qE 'FAILED|FAILURE' "$out"; }
th_check "no failure reported" no_failure

# The table, every figure a number (or a report the server gave up on).
table=$TH_WORK/table
sed -n '/^== tonghop benchmark/,$p' "$out" >"$table"
num='[0-9]+(\.[0-9]+)?'
has() { grep -qE "$1" "$table" || { echo "  no line matching: $1" >&2; return 1; }; }
th_check "the table: burst time" has "^burst: $n subs x 12 values, 100 connections \(2025Q4\) +$num s "
th_check "the table: submissions/s and values/s" has "^   submissions/s, values/s +$num, $num "
th_check "the table: ack p50 / p99" has "^   ack latency p50 / p99 +$num / $num ms "
th_check "the table: COPY of the same rows" has "^COPY of the same $((n * 12)) rows into one keyed table +$num s "
th_check "the table: the ratio COPY / burst" has "^ratio COPY time / burst time +$num %"
th_check "the table: p99 ack beside the report loop" has "^burst beside a loop of national year reports \(2025Q3\) +p99 ack $num ms"
th_check "the table: reports ran beside the burst" has "^   reports that ran beside it +[1-9][0-9]* "
th_check "the table: the floor, a new process of the client" \
  has "^   the floor under end to end: tonghop --version +$num ms"
th_check "the table: the floor, a refused request by bare libzmq and by the client" \
  has "^   \.\.\. a refused request: bare libzmq \(th_ask\) / tonghop +$num / $num ms"
for what in "national year report" "national 2025Q4 report" "province 79 year report" "district [0-9]+ year report"; do
  sed -En "/^$what/,+3p" "$table" >"$TH_WORK/rep"
  th_check "the table: $what, steady in the server" grep -qE "in the server \(th_report_text\), steady +$num ms \(SQL direct $num ms\)" "$TH_WORK/rep"
  th_check "the table: $what, steady end to end" grep -qE "end to end .*, steady +$num ms" "$TH_WORK/rep"
  th_check "the table: $what, right after the burst" \
    grep -qE "right after the burst: in the server / end to end +($num / $num ms|UNAVAILABLE after $num ms)" "$TH_WORK/rep"
done
th_check "the table: server peak RSS" has "^server peak RSS \(tonghopd VmHWM, whole run\) +$num MB"
th_check "the table: client peak RSS" has "^client peak RSS: tonghop report \(national\) / submit +$num / $num MB"

# ---- a burst with replies that are not Ack STORED: loud, non-zero
th_server_start
printf '22921\n99999\n22924\n' >"$TH_WORK/units"
rc=0
"$TH_BIN_DIR/bench/th_burst" submit --endpoint "$TH_ENDPOINT" --period 2025Q3 --units "$TH_WORK/units" --conns 2 \
  >"$TH_WORK/bad.out" 2>"$TH_WORK/bad.err" || rc=$?
th_check "th_burst exits 1 when a reply is not an Ack STORED" th_eq "$rc" 1
th_check "it counts the failure" th_eq "$(awk '$1 == "failures" { print $2 }' "$TH_WORK/bad.out")" 1
th_check "it names the unit and the error" grep -q 'FAILED 99999: error UNKNOWN_UNIT' "$TH_WORK/bad.err"
th_check "it says so loudly" grep -q '\*\*\*\* 1 FAILURE(S)' "$TH_WORK/bad.err"
th_check "the other two were stored" th_eq "$(th_sql "SELECT count(*) FROM submissions")" 2
th_finish
