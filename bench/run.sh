#!/usr/bin/env bash
# bench/run.sh -- the benchmark of issue #12: the whole country's quarter in
# one burst, against PostgreSQL's own COPY, and reports beside and after it.
#
#   bench/run.sh            the full run: every commune of the 2024 map
#                           (10,599) x 12 ratio indicators, four quarters
#   bench/run.sh --small    the same steps for one province's communes
#                           (Thành phố Hồ Chí Minh, 312): the smoke test
#   bench/run.sh --profile  the full run with PostgreSQL's statement profile
#                           (pg_stat_statements.track = all) and, if perf is
#                           there, a perf profile of the headline burst; its
#                           timings are slowed by the profiling: not the figures
#
# Builds the project first (Release, in build-bench/ of the source tree)
# unless TH_BIN_DIR names a build to use (bench/th_burst, bench/th_ask,
# server/tonghopd and client/tonghop in it). TH_KEEP=1 keeps the work
# directory. Everything runs on a private PostgreSQL cluster
# (tests/lib/harness.sh: fsync = on, synchronous_commit = on) and the real
# server on loopback, started with --insecure (plain text, no keys: on
# loopback only). The figures of a full run, the machine and the command are
# in bench/RESULTS.md.
#
# What it does, in order:
#   1. cluster, schema, the 2024 unit list, the benchmark plan (bench/data/:
#      issued by VN, 12 ratio indicators); pg_stat_statements loaded (top
#      level only: it gives the server's own time of each report); the
#      server; a warm-up report of each kind on both read workers.
#   2. burst 2025Q1 into the new database: every commune sends its quarter
#      (one submission of 12 values) through th_burst: 100 DEALER
#      connections, one request in flight on each; every reply must be an
#      Ack STORED. Then the first national year report, before autovacuum
#      has analyzed the new rows.
#   3. burst 2025Q2; burst 2025Q3 with a loop of national year reports
#      beside it (the real client, one after another): its p99 ack, how
#      many reports ran. After each quarter the database is settled
#      (VACUUM (ANALYZE), CHECKPOINT: what autovacuum does in the weeks
#      between quarters, at once).
#   4. burst 2025Q4, the headline; the values it sent are written to a file.
#   5. right after its last ack: the national year, national 2025Q4,
#      province and district year reports through the real client (end to
#      end), each with the time PostgreSQL spent in that same request's
#      th_report (in the server), and whether autovacuum analyzed meanwhile.
#   6. settle, then the same reports steady: one warm-up, then the median of
#      a few, end to end and in the server, and th_report timed in SQL; and
#      the floor under the end-to-end figures: a new process of the client
#      (tonghop --version), and a request the server refuses after one
#      lookup, through bare libzmq (bench/th_ask) and through the client.
#   7. COPY of the 2025Q4 values file into one table keyed on (unit_code,
#      indicator_code, year, quarter), three times; the ratio COPY / burst.
#   8. the real client's peak RSS (a report, a submission of 12 values), the
#      server's (VmHWM), consistency checks, and the table.
# A CHECKPOINT precedes every timed burst and COPY, so no checkpoint falls
# inside one by chance. A report the server answers UNAVAILABLE (its
# --db-timeout, 10 s) is a figure, printed as such; the statement PostgreSQL
# goes on running for it is cancelled. Exit status 0 only when every request
# of every burst was acknowledged STORED and every other report, check and
# COPY succeeded.
set -euo pipefail

SMALL=0
PROFILE=0
ARGS="$*"
for a in "$@"; do
  case $a in
    --small) SMALL=1 ;;
    --profile) PROFILE=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "bench/run.sh: unknown option $a (--small, --profile, --help)" >&2
      exit 2
      ;;
  esac
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TH_SRC_DIR=${TH_SRC_DIR:-$(cd "$here/.." && pwd)}
if [ -z "${TH_BIN_DIR:-}" ]; then
  TH_BIN_DIR=$TH_SRC_DIR/build-bench
  echo "== build (Release) in $TH_BIN_DIR"
  cmake -S "$TH_SRC_DIR" -B "$TH_BIN_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$TH_BIN_DIR" -j"$(nproc 2>/dev/null || echo 2)" -- --no-print-directory >/dev/null
fi
export TH_SRC_DIR TH_BIN_DIR
# shellcheck source=../tests/lib/harness.sh
. "$TH_SRC_DIR/tests/lib/harness.sh"
BURST=$TH_BIN_DIR/bench/th_burst
ASK=$TH_BIN_DIR/bench/th_ask
for f in "$BURST" "$ASK" "$TONGHOPD" "$TONGHOP"; do
  [ -x "$f" ] || { echo "bench/run.sh: $f is missing: build the project (or set TH_BIN_DIR)" >&2; exit 2; }
done

CONNS=100
PLAN=BENCH-12/KH-BYT
PLAN_FILE=$here/data/ke-hoach-bench-2025.json
UNITS_CSV=$TH_SRC_DIR/deploy/data/vn-admin-units-2024.csv
if [ "$SMALL" = 1 ]; then
  PROVINCE=79 # Thành phố Hồ Chí Minh: 312 communes, 24 districts
  RUNS=2
else
  PROVINCE=01 # Thành phố Hà Nội: the most communes (579) and districts (30)
  RUNS=5
fi
FAILED=0
failed() { FAILED=$((FAILED + 1)); echo "bench/run.sh: FAILED: $*" >&2; }
kv() { awk -v k="$2" '$1 == k { print $2; found = 1 } END { if (!found) print "n/a" }' "$1"; }
ms() { awk -v x="$1" 'BEGIN { if (x == "n/a" || x == "nan" || x == "") print "n/a"; else printf "%.1f", x }'; }
mb() { awk -v k="$1" 'BEGIN { if (k == "n/a") print "n/a"; else printf "%.1f", k / 1024 }'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---------------------------------------------------------------- 1. setup
t_setup=$(now_ms)
th_setup
# The communes from the real unit list (code,name,name_with_type,type,parent_code,level).
head -1 "$UNITS_CSV" | tr -d '\r' | grep -qx 'code,name,name_with_type,type,parent_code,level' ||
  { echo "bench/run.sh: unexpected header in $UNITS_CSV" >&2; exit 2; }
if [ "$SMALL" = 1 ]; then # (reads the list twice: the province's districts, then their communes)
  awk -F, -v p="$PROVINCE" '{ sub(/\r$/, "") } NR == FNR { if ($6 == 2 && $5 == p) d[$1] = 1; next } $6 == 3 && ($5 in d) { print $1 }' \
    "$UNITS_CSV" "$UNITS_CSV" >"$TH_WORK/communes"
else
  awk -F, '{ sub(/\r$/, "") } NR > 1 && $6 == 3 { print $1 }' "$UNITS_CSV" >"$TH_WORK/communes"
fi
N=$(wc -l <"$TH_WORK/communes")
NIND=12
DISTRICT=$(awk -F, -v p="$PROVINCE" '{ sub(/\r$/, "") } NR == FNR { if ($6 == 2 && $5 == p) d[$1] = 1; next }
  $6 == 3 && ($5 in d) { n[$5]++ } END { for (k in n) print n[k], k }' "$UNITS_CSV" "$UNITS_CSV" |
  sort -k1,1nr -k2,2 | awk 'NR == 1 { print $2 }')
in_db=$(th_sql "SELECT count(*) FROM unnest(string_to_array('$(tr '\n' ' ' <"$TH_WORK/communes" | sed 's/ $//')', ' ')) c
                 WHERE EXISTS (SELECT 1 FROM units u WHERE u.gso_code = c)")
[ "$in_db" = "$N" ] || { echo "bench/run.sh: $in_db of $N communes are in the database" >&2; exit 1; }

# pg_stat_statements: the server's own time of each report it runs.
pglib=$(dirname "$(th_pg_bindir)")/lib
if [ -f "$pglib/pg_stat_statements.so" ]; then
  th_sql "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" >/dev/null
  th_pg_stop "$TH_WORK/pg"
  th_pg_start "$TH_WORK/pg"
  th_sql "CREATE EXTENSION pg_stat_statements" >/dev/null
  if [ "$PROFILE" = 1 ]; then # (known once the library is loaded)
    th_sql "ALTER SYSTEM SET pg_stat_statements.track = 'all'" >/dev/null
    th_sql "ALTER SYSTEM SET track_functions = 'all'" >/dev/null
    th_sql "SELECT pg_reload_conf()" >/dev/null
  fi
else
  echo "bench/run.sh: no pg_stat_statements in $pglib: report times in the server only from SQL" >&2
fi
"$TONGHOPD" import-plan --db "$TH_DSN" "$PLAN_FILE" >/dev/null
th_server_start
PG_PID=$(head -1 "$TH_WORK/pg/data/postmaster.pid")
SERVE_ROLE=$TH_SERVE_ROLE

report_sql() { # report_sql national|province|district PERIOD: th_report as the server calls it
  local u=NULL
  case $1 in
    province) u="'$PROVINCE'" ;;
    district) u="'$DISTRICT'" ;;
  esac
  echo "SELECT length(th_report_text('$PLAN', '$2', $u, true))"
}
# run_report OUT national|province|district PERIOD [th_burst run options]:
# the real client (tonghop report ... --by-child --format json), timed.
run_report() {
  local out=$1 kind=$2 period=$3 unit=()
  shift 3
  case $kind in
    province) unit=(--unit "$PROVINCE") ;;
    district) unit=(--unit "$DISTRICT") ;;
  esac
  "$BURST" run --db "$TH_DSN" --role "$SERVE_ROLE" "$@" -- "$TONGHOP" report --server "$TH_ENDPOINT" --plan "$PLAN" --period "$period" \
    "${unit[@]}" --by-child --format json --timeout 120s --retries 1 >"$out" || failed "$kind report $period ($out)"
}
# A warm-up of each report on both read workers (two at once), before any data.
for kind in national province district; do
  run_report "$TH_WORK/warm1" "$kind" 2025 &
  w1=$!
  run_report "$TH_WORK/warm2" "$kind" 2025 &
  w2=$!
  wait "$w1" "$w2" # (never a bare wait: the server is a background job too)
done
echo "== setup: $(($(now_ms) - t_setup)) ms (cluster, schema, units, plan, server, warm-up)"

# ---------------------------------------------------------------- the machine
pgv=$(th_sql "SHOW server_version")
settings=$(th_sql "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings
                    WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers', 'full_page_writes',
                                   'max_wal_size', 'checkpoint_timeout', 'autovacuum', 'wal_level')")
disk=$(findmnt -n -o SOURCE,FSTYPE --target "$TH_WORK" 2>/dev/null | tr -s ' ' || echo "?")
echo "== bench/run.sh${ARGS:+ $ARGS}, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "   machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo),"\
  "$(awk '/^MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)"
echo "   PostgreSQL $pgv on $disk ($TH_WORK): $settings"
echo "   source: $(git -C "$TH_SRC_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')$(
  [ -n "$(git -C "$TH_SRC_DIR" status --porcelain 2>/dev/null)" ] && echo ' (with local changes)'),"\
  "binaries: $TH_BIN_DIR"
echo "   server: tonghopd serve --insecure (loopback), default options (--workers 2, --batch 256,"\
  "--max-open-per-client 256); role $SERVE_ROLE (member of tonghop_server only)"
echo "   burst: $N communes ($([ "$SMALL" = 1 ] && echo "province $PROVINCE" || echo 'the 2024 map')) x $NIND ratio indicators,"\
  "$CONNS connections, one request in flight each; plan $PLAN; reports: province $PROVINCE, district $DISTRICT"

# ---------------------------------------------------------------- bursts
# burst QUARTER [th_burst submit options]: one timed burst; figures in $TH_WORK/burst.Qn
burst() {
  local q=$1 f=$TH_WORK/burst.Q$1
  shift
  th_sql "CHECKPOINT" >/dev/null
  "$BURST" submit --endpoint "$TH_ENDPOINT" --period "2025Q$q" --units "$TH_WORK/communes" --conns "$CONNS" \
    --plan "$PLAN" --server-pid "$TH_SERVER_PID" --pg-pid "$PG_PID" "$@" >"$f" ||
    failed "burst 2025Q$q: not every submission was acknowledged STORED (see above)"
  printf '   2025Q%s  %8.2f s  %8s subs/s  %8s values/s  ack p50 %7s ms  p99 %7s ms  max %7s ms  failures %s\n' \
    "$q" "$(kv "$f" seconds)" "$(kv "$f" submissions_per_s)" "$(kv "$f" values_per_s)" "$(kv "$f" ack_p50_ms)" \
    "$(kv "$f" ack_p99_ms)" "$(kv "$f" ack_max_ms)" "$(kv "$f" failures)"
  printf '           CPU s: server %s, postgres %s, th_burst %s, other processes %s; machine busy %s%%, iowait %s%% of %s CPUs\n' \
    "$(kv "$f" server_cpu_s)" "$(kv "$f" postgres_cpu_s)" "$(kv "$f" client_cpu_s)" "$(kv "$f" others_cpu_s)" \
    "$(kv "$f" machine_busy_pct)" "$(kv "$f" machine_iowait_pct)" "$(kv "$f" machine_cpus)"
}
# settle: what autovacuum does in the weeks between two quarters, at once.
settle() {
  local t
  t=$(now_ms)
  th_sql "VACUUM (ANALYZE)" >/dev/null
  th_sql "CHECKPOINT" >/dev/null
  echo "   settled (VACUUM (ANALYZE), CHECKPOINT) in $(($(now_ms) - t)) ms"
}
# report_line FILE: one report's figures, as printed under a burst.
report_line() {
  local f=$1
  if [ "$(kv "$f" first_status)" = unavailable ]; then
    echo "UNAVAILABLE: the server gave up after $(ms "$(kv "$f" e2e_first_ms)") ms (--db-timeout)"
  else
    echo "in the server $(ms "$(kv "$f" server_first_ms)") ms, end to end $(ms "$(kv "$f" e2e_first_ms)") ms"
  fi
}

echo "== bursts: $N submissions of $NIND values each"
burst 1
# The first report after the first burst into a new database: before
# autovacuum has analyzed the new rows.
run_report "$TH_WORK/after.fresh" national 2025 --unavailable-ok
echo "           then a national year report: $(report_line "$TH_WORK/after.fresh")"
settle
burst 2
settle

echo "== burst 2025Q3 with a loop of national year reports beside it"
rm -f "$TH_WORK/stop"
run_report "$TH_WORK/beside" national 2025 --until "$TH_WORK/stop" --unavailable-ok &
loop=$!
sleep 0.3
burst 3
touch "$TH_WORK/stop"
wait "$loop" || true
f=$TH_WORK/beside
printf '           beside it: %s national reports in %s s, %s unavailable (end to end median %s ms, p99 %s ms; in the server median %s ms)\n' \
  "$(kv "$f" runs)" "$(kv "$f" loop_seconds)" "$(kv "$f" unavailable)" "$(ms "$(kv "$f" e2e_median_ms)")" \
  "$(ms "$(kv "$f" e2e_p99_ms)")" "$(ms "$(kv "$f" server_median_ms)")"
settle

if [ "$PROFILE" = 1 ]; then
  th_sql "SELECT pg_stat_statements_reset()" >/dev/null
  th_sql "SELECT pg_stat_reset(), pg_stat_reset_shared('wal')" >/dev/null
  if command -v perf >/dev/null; then
    perf record -a -g -F 499 -o "$TH_WORK/perf.data" >"$TH_WORK/perf.log" 2>&1 &
    perf_pid=$!
    sleep 0.5
  fi
fi
echo "== burst 2025Q4, the headline (the values sent kept for COPY)"
analyzed() { th_sql "SELECT coalesce(sum(autoanalyze_count), 0) FROM pg_stat_user_tables
                      WHERE relname IN ('submissions', 'result_values', 'current_results')"; }
analyzed_before=$(analyzed)
burst 4 --values-out "$TH_WORK/values.tsv"
if [ -n "${perf_pid:-}" ]; then # (the profile: of the burst alone)
  kill -INT "$perf_pid" 2>/dev/null || true
  wait "$perf_pid" 2>/dev/null || true
fi

# ---------------------------------------------------------------- right after
# In this order, the first right after the last ack.
REPORTS="national:2025 national:2025Q4 province:2025 district:2025"
for r in $REPORTS; do
  run_report "$TH_WORK/after.${r/:/.}" "${r%%:*}" "${r#*:}" --unavailable-ok
  echo "   then ${r%%:*} ${r#*:}: $(report_line "$TH_WORK/after.${r/:/.}")"
done
# Whether autovacuum analyzed the tables meanwhile (it wakes every minute):
# the plans of the reports above depend on it.
sleep 0.5 # (autovacuum workers report when they end)
echo "   autovacuum analyzed $(($(analyzed) - analyzed_before)) of submissions, result_values and current_results" \
  "during the burst and these reports"
if [ "$PROFILE" = 1 ]; then
  echo "== profile of the 2025Q4 burst (perf: the burst alone; PostgreSQL: the burst and the reports after it)"
  echo "-- pg_stat_statements (track = all: the statements inside th_ingest_submission are counted on their own too)"
  psql "$TH_DSN" -X -q -P pager=off -v burst="$(kv "$TH_WORK/burst.Q4" seconds)" <<'SQL'
SELECT calls, round(total_exec_time::numeric, 0) AS total_ms,
       round((total_exec_time / calls * 1000)::numeric, 1) AS mean_us,
       round((total_exec_time / (:burst * 1000) * 100)::numeric, 1) AS "% of burst",
       round((jit_generation_time + jit_inlining_time + jit_optimization_time + jit_emission_time)::numeric, 0)
         AS jit_ms, wal_records, round(wal_bytes / 1048576.0, 1) AS wal_mb, wal_fpi, shared_blks_hit,
       shared_blks_read, shared_blks_dirtied, left(regexp_replace(query, '\s+', ' ', 'g'), 100) AS query
  FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25;
SQL
  echo "-- functions (track_functions = all)"
  psql "$TH_DSN" -X -q -P pager=off -c "SELECT funcname, calls, round(total_time::numeric, 0) AS total_ms,
     round(self_time::numeric, 0) AS self_ms FROM pg_stat_user_functions ORDER BY total_time DESC LIMIT 15"
  echo "-- WAL"
  psql "$TH_DSN" -X -q -P pager=off -c "SELECT wal_records, wal_fpi, round(wal_bytes / 1048576.0, 1) AS wal_mb,
     wal_write, wal_sync, round(wal_write_time::numeric, 0) AS write_ms, round(wal_sync_time::numeric, 0) AS sync_ms
     FROM pg_stat_wal"
  if [ -s "$TH_WORK/perf.data" ]; then
    echo "-- perf: CPU samples by process (comm) and shared object"
    { perf report -i "$TH_WORK/perf.data" --no-children --sort comm,dso --stdio -g none 2>/dev/null |
      grep -v '^#' | grep -v '^$' | head -25; } || true
    echo "-- perf: hottest symbols"
    { perf report -i "$TH_WORK/perf.data" --no-children --sort comm,sym --stdio -g none 2>/dev/null |
      grep -v '^#' | grep -v '^$' | head -40; } || true
  fi
fi

# ---------------------------------------------------------------- steady
echo "== steady"
settle
for r in $REPORTS; do
  out=$TH_WORK/steady.${r/:/.}
  run_report "$out" "${r%%:*}" "${r#*:}" --warmup 1 --runs "$RUNS" --output "$TH_WORK/report.${r/:/.}.json"
  "$BURST" sqltime --db "$TH_SERVE_DSN" --warmup 1 --runs "$RUNS" "$(report_sql "${r%%:*}" "${r#*:}")" \
    >"$TH_WORK/sql.${r/:/.}" || failed "th_report ${r%%:*} ${r#*:} in SQL"
  echo "   ${r%%:*} ${r#*:}: in the server $(ms "$(kv "$out" server_median_ms)") ms (SQL direct" \
    "$(ms "$(kv "$TH_WORK/sql.${r/:/.}" sql_median_ms)") ms), end to end $(ms "$(kv "$out" e2e_median_ms)") ms"
done

# The floor under every report's end-to-end figure: a new process that loads
# libzmq and exits (tonghop --version); a request the server refuses after one
# lookup (no such plan), through bare libzmq (bench/th_ask.c) and through the
# client (exit status 4: refused).
floor() { # floor NAME [th_burst run options] -- COMMAND...
  local name=$1
  shift
  "$BURST" run --warmup 1 --runs "$RUNS" "$@" >"$TH_WORK/floor.$name" 2>"$TH_WORK/floor.$name.err" ||
    failed "floor $name ($TH_WORK/floor.$name.err)"
}
floor start -- "$TONGHOP" --version
floor bare -- "$ASK" "$TH_ENDPOINT" NO/SUCH-PLAN 2025
floor client --status 4 -- "$TONGHOP" report --server "$TH_ENDPOINT" --plan NO/SUCH-PLAN --period 2025 \
  --timeout 120s --retries 1
echo "   the floor, end to end: a new process $(ms "$(kv "$TH_WORK/floor.start" e2e_median_ms)") ms; a refused request:" \
  "bare libzmq $(ms "$(kv "$TH_WORK/floor.bare" e2e_median_ms)") ms, tonghop $(ms "$(kv "$TH_WORK/floor.client" e2e_median_ms)") ms"

# ---------------------------------------------------------------- COPY
echo "== COPY of the same $(wc -l <"$TH_WORK/values.tsv") values (2025Q4) into one keyed table, three times"
for i in 1 2 3; do
  th_sql "DROP TABLE IF EXISTS copy_bench" >/dev/null 2>&1
  th_sql "CREATE TABLE copy_bench (unit_code text NOT NULL, indicator_code text NOT NULL, year smallint NOT NULL,
            quarter smallint NOT NULL, numerator bigint, denominator bigint,
            PRIMARY KEY (unit_code, indicator_code, year, quarter))" >/dev/null
  th_sql "CHECKPOINT" >/dev/null
  "$BURST" copy --db "$TH_DSN" --table copy_bench --file "$TH_WORK/values.tsv" >"$TH_WORK/copy.$i" ||
    failed "COPY $i"
  printf '   COPY %s: %s rows in %s s\n' "$i" "$(kv "$TH_WORK/copy.$i" copy_rows)" "$(kv "$TH_WORK/copy.$i" copy_seconds)"
done
copy_s=$(for i in 1 2 3; do kv "$TH_WORK/copy.$i" copy_seconds; done | sort -n | sed -n 2p)

# ---------------------------------------------------------------- client RSS
{
  echo "indicator,numerator,denominator"
  for k in CTXH-01 CTXH-02 CTXH-03 CTXH-04 SKTT-01 SKTT-02 SKTT-03 SKTT-06 SKTT-07 SKTT-08 SKTT-09 SKTT-10; do
    echo "$k,3,7"
  done
} >"$TH_WORK/one.csv"
"$BURST" run --runs 1 -- "$TONGHOP" submit --server "$TH_ENDPOINT" --unit "$(head -1 "$TH_WORK/communes")" \
  --period 2025Q4 --plan "$PLAN" --timeout 60s --spool "$TH_WORK/spool-rss" "$TH_WORK/one.csv" \
  >"$TH_WORK/submit.rss" || failed "tonghop submit"

# ---------------------------------------------------------------- checks
server_hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$TH_SERVER_PID/status")
server_rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$TH_SERVER_PID/status")
subs=$(th_sql "SELECT count(*) FROM submissions")
cur=$(th_sql "SELECT count(*) FROM current_results")
[ "$subs" = $((4 * N + 1)) ] || failed "$subs submissions stored, expected $((4 * N + 1))"
[ "$cur" = $((4 * N * NIND)) ] || failed "$cur current results, expected $((4 * N * NIND))"
if ! python3 - "$TH_WORK/report.national.2025.json" "$N" "$NIND" <<'PY'; then
import json, sys
r = json.load(open(sys.argv[1]))
n, nind = int(sys.argv[2]), int(sys.argv[3])
ok = r["completeness"]["reported"] == n and len(r["indicators"]) == nind \
     and all(i["denominator"] for i in r["indicators"])
if not ok:
    print("national report: %s reported, %d indicators" % (r["completeness"]["reported"], len(r["indicators"])))
sys.exit(0 if ok else 1)
PY
  failed "the national year report does not count every commune's twelve values"
fi
dbsize=$(th_sql "SELECT pg_size_pretty(pg_database_size(current_database()))")
th_server_stop TERM || failed "tonghopd did not exit 0 on SIGTERM"

# ---------------------------------------------------------------- the table
B=$TH_WORK/burst.Q4
burst_s=$(kv "$B" seconds)
ratio=$(awk -v c="$copy_s" -v b="$burst_s" 'BEGIN { printf "%.1f %%", 100 * c / b }')
nvals=$((N * NIND))
row() { printf '%-58s %-40s %s\n' "$1" "$2" "$3"; }
after() { # after FILE STEADY_FILE: right after the burst, against steady
  local a=$1 s=$2
  if [ "$(kv "$a" first_status)" = unavailable ]; then
    echo "UNAVAILABLE after $(ms "$(kv "$a" e2e_first_ms)") ms"
  else
    echo "$(ms "$(kv "$a" server_first_ms)") / $(ms "$(kv "$a" e2e_first_ms)") ms ($(awk -v a="$(kv "$a" e2e_first_ms)" \
      -v s="$(kv "$s" e2e_median_ms)" 'BEGIN { if (s > 0) printf "%.1fx", a / s; else print "n/a" }') steady)"
  fi
}
rep() { # rep KIND.PERIOD LABEL GOAL_SERVER GOAL_E2E
  local s=$TH_WORK/steady.$1 a=$TH_WORK/after.$1 q=$TH_WORK/sql.$1
  row "$2" "" ""
  row "   in the server (th_report_text), steady" \
    "$(ms "$(kv "$s" server_median_ms)") ms (SQL direct $(ms "$(kv "$q" sql_median_ms)") ms)" "$3"
  row "   end to end (tonghop report --format json), steady" "$(ms "$(kv "$s" e2e_median_ms)") ms" "$4"
  row "   right after the burst: in the server / end to end" "$(after "$a" "$s")" "within 2x of steady"
}
echo
echo "== tonghop benchmark$([ "$SMALL" = 1 ] && echo ' (--small: NOT the national figures)')$([ "$PROFILE" = 1 ] &&
  echo ' (--profile: timings slowed by profiling)'), $(date -u '+%Y-%m-%d %H:%M UTC')"
row "measure" "today" "goal (issue #12)"
row "burst: $N subs x $NIND values, $CONNS connections (2025Q4)" "$burst_s s" "< 0.6 s (national)"
row "   submissions/s, values/s" "$(kv "$B" submissions_per_s), $(kv "$B" values_per_s)" ""
row "   ack latency p50 / p99" "$(ms "$(kv "$B" ack_p50_ms)") / $(ms "$(kv "$B" ack_p99_ms)") ms" "p99 < 25 ms"
row "   CPU s: postgres / tonghopd / th_burst / other processes" \
  "$(kv "$B" postgres_cpu_s) / $(kv "$B" server_cpu_s) / $(kv "$B" client_cpu_s) / $(kv "$B" others_cpu_s) (of $(kv "$B" machine_cpus) CPUs)" ""
row "   other bursts: 2025Q1 (new database) / 2025Q2" \
  "$(kv "$TH_WORK/burst.Q1" seconds) / $(kv "$TH_WORK/burst.Q2" seconds) s" ""
row "COPY of the same $nvals rows into one keyed table" "$copy_s s (median of 3)" "the floor (was 0.224 s)"
row "ratio COPY time / burst time" "$ratio" ">= 40 %"
row "burst beside a loop of national year reports (2025Q3)" \
  "p99 ack $(ms "$(kv "$TH_WORK/burst.Q3" ack_p99_ms)") ms, $(kv "$TH_WORK/burst.Q3" seconds) s" ""
row "   reports that ran beside it" "$(kv "$TH_WORK/beside" runs) ($(kv "$TH_WORK/beside" unavailable) unavailable)" ""
rep national.2025 "national year report by province (4 quarters)" "< 50 ms" "< 100 ms"
rep national.2025Q4 "national 2025Q4 report by province" "" ""
rep province.2025 "province $PROVINCE year report by district" "< 5 ms" "< 15 ms"
row "   the floor under end to end: tonghop --version" "$(ms "$(kv "$TH_WORK/floor.start" e2e_median_ms)") ms" ""
row "   ... a refused request: bare libzmq (th_ask) / tonghop" \
  "$(ms "$(kv "$TH_WORK/floor.bare" e2e_median_ms)") / $(ms "$(kv "$TH_WORK/floor.client" e2e_median_ms)") ms" ""
rep district.2025 "district $DISTRICT year report by commune" "" ""
row "first report after the first burst into a new database" "$(after "$TH_WORK/after.fresh" "$TH_WORK/steady.national.2025")" ""
row "server peak RSS (tonghopd VmHWM, whole run)" "$(mb "$server_hwm") MB (at the end $(mb "$server_rss") MB)" "< 100 MB"
row "client peak RSS: tonghop report (national) / submit" \
  "$(mb "$(kv "$TH_WORK/steady.national.2025" child_peak_rss_kb)") / $(mb "$(kv "$TH_WORK/submit.rss" child_peak_rss_kb)") MB" \
  "< 10 MB"
row "   th_burst ($CONNS connections in one process)" "$(mb "$(kv "$B" client_peak_rss_kb)") MB" ""
row "database size after the run" "$dbsize" ""
if [ "$FAILED" -ne 0 ]; then
  echo
  echo "************ bench/run.sh: $FAILED FAILURE(S): the figures above are not valid ************" >&2
  exit 1
fi
