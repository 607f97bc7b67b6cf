#!/usr/bin/env bash
# Benchmark: the map of 1 July 2025. Loads the 2024 map, then the new map
# with its succession, into a fresh database (timed); stores a year of the
# whole country (every commune of 2024 for Q1-Q2, every new commune for
# Q3-Q4: about 28,000 submissions, through the ingest function, in batches); then times
# reports that span the change, in the server (SQL) and end to end (the
# client), and the floor under the end-to-end figures (a new process of the
# client; a request the server refuses, through bare libzmq and through the
# client). Prints the figures; asserts nothing about speed.
#
#   tests/perf/bench_reform.sh       (build first: ./tests/run.sh or cmake)
. "$(dirname "$0")/../lib/harness.sh"
TH_WORK=$(mktemp -d /tmp/tonghop-test.XXXXXX)
chmod 755 "$TH_WORK"
trap th_cleanup EXIT
th_pg_init "$TH_WORK/pg"
th_pg_start "$TH_WORK/pg"
th_pg_createdb "$TH_WORK/pg" tonghop
TH_DSN=$(th_pg_dsn "$TH_WORK/pg" tonghop)
"$TONGHOPD" migrate --db "$TH_DSN" >/dev/null 2>&1
D=$TH_SRC_DIR/deploy/data
start=$(date +%s%N)
"$TONGHOPD" import-units --db "$TH_DSN" "$D/vn-admin-units-2024.csv" >/dev/null
mid=$(date +%s%N)
"$TONGHOPD" import-units --db "$TH_DSN" --as-of 2025-07-01 --complete \
  --succession "$D/vn-succession-2025-07.csv" "$D/vn-admin-units-2025-07.csv" >/dev/null
end=$(date +%s%N)
echo "== load: 2024 map $(( (mid - start) / 1000000 )) ms, map of 1 July 2025 with succession $(( (end - mid) / 1000000 )) ms, both $(( (end - start) / 1000000 )) ms"
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR"/deploy/samples/plans/*.json \
  "$TH_SRC_DIR/tests/data/plans/quoc-gia-2025.json" >/dev/null
start=$(date +%s%N)
# (In batches of 500 through th_ingest_batch, as the server stores them:
# one call of the one-at-a-time reference function per submission
# refreshes each unit's maintained values once per submission.)
n=$(psql "$TH_DSN" -X -A -t -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE TEMP TABLE g AS
SELECT row_number() OVER () AS rn, gso_code, q FROM (
  SELECT gso_code, q FROM units, generate_series(1, 2) q WHERE level = 3 AND valid_from < DATE '2025-01-01'
  UNION ALL
  SELECT gso_code, q FROM units, generate_series(3, 4) q WHERE level = 2 AND valid_from = DATE '2025-07-01'
) x;
CREATE TEMP TABLE stored (n bigint);
DO $$
DECLARE
    lo bigint := 0;
    hi bigint := (SELECT max(rn) FROM g);
BEGIN
    WHILE lo < hi LOOP
        INSERT INTO stored
        SELECT count(*) FROM th_ingest_batch(
            ARRAY(SELECT gen_random_uuid() FROM g WHERE rn > lo AND rn <= lo + 500 ORDER BY rn),
            ARRAY(SELECT gso_code FROM g WHERE rn > lo AND rn <= lo + 500 ORDER BY rn),
            ARRAY(SELECT 2025 FROM g WHERE rn > lo AND rn <= lo + 500 ORDER BY rn),
            ARRAY(SELECT q FROM g WHERE rn > lo AND rn <= lo + 500 ORDER BY rn),
            ARRAY(SELECT NULL::text FROM g WHERE rn > lo AND rn <= lo + 500 ORDER BY rn),
            ARRAY(SELECT NULL::bigint FROM g WHERE rn > lo AND rn <= lo + 500 ORDER BY rn),
            ARRAY(SELECT md5(rn::text) FROM g WHERE rn > lo AND rn <= lo + 500 ORDER BY rn),
            ARRAY(SELECT (rn - lo)::integer FROM g, generate_series(1, 4) i WHERE rn > lo AND rn <= lo + 500 ORDER BY rn, i),
            ARRAY(SELECT 'CTXH-0' || i FROM g, generate_series(1, 4) i WHERE rn > lo AND rn <= lo + 500 ORDER BY rn, i),
            ARRAY(SELECT (ARRAY[3, 2, 1, 5])[i]::bigint FROM g, generate_series(1, 4) i WHERE rn > lo AND rn <= lo + 500 ORDER BY rn, i),
            ARRAY(SELECT (ARRAY[6, 9, 4, 7])[i]::bigint FROM g, generate_series(1, 4) i WHERE rn > lo AND rn <= lo + 500 ORDER BY rn, i),
            ARRAY(SELECT NULL::bigint FROM g, generate_series(1, 4) i WHERE rn > lo AND rn <= lo + 500 ORDER BY rn, i),
            ARRAY(SELECT NULL::text FROM g, generate_series(1, 4) i WHERE rn > lo AND rn <= lo + 500 ORDER BY rn, i)) r
         WHERE r.outcome = 'stored';
        lo := lo + 500;
    END LOOP;
END
$$;
SELECT sum(n) FROM stored;
SQL
)
echo "== stored $n submissions for 2025 on both maps in $(( ($(date +%s%N) - start) / 1000000 )) ms"
th_sql "ANALYZE" >/dev/null
th_server_start
sql_ms() { # sql_ms PLAN PERIOD UNIT: the median of 5 reports in the server
  psql "$TH_DSN" -X -q -A -t <<SQL | grep -oE 'Time: [0-9]+\.[0-9]+' | awk '{print $2}' | sort -n | sed -n 3p
\\timing on
SELECT length(th_report_text('$1', '$2', $3, true));
SELECT length(th_report_text('$1', '$2', $3, true));
SELECT length(th_report_text('$1', '$2', $3, true));
SELECT length(th_report_text('$1', '$2', $3, true));
SELECT length(th_report_text('$1', '$2', $3, true));
SQL
}
cmd_ms() { # cmd_ms STATUS COMMAND...: the median of 5 runs of COMMAND, after
  # 4 warm-ups (each read worker keeps its plans for its connection: the
  # first report on each plans them); "FAILED" when any run's exit status
  # is not STATUS (4: a request the server refuses)
  local want=$1 i s t rc times=""
  shift
  for i in 1 2 3 4 5 6 7 8 9; do
    rc=0
    # (bash's clock: a `date` process around the client cost milliseconds
    # of its own)
    s=${EPOCHREALTIME/[.,]/}
    "$@" >/dev/null 2>&1 || rc=$?
    t=${EPOCHREALTIME/[.,]/}
    [ "$rc" = "$want" ] || { echo FAILED; return; }
    [ "$i" -gt 4 ] && times+="$(( (t - s) / 1000 ))"$'\n'
  done
  printf '%s' "$times" | sort -n | sed -n 3p
}
e2e_ms() { # e2e_ms ARGS: the same for a report through the client
  cmd_ms 0 "$TONGHOP" report --server "$TH_ENDPOINT" --format json --timeout 60s "$@"
}
printf '%-58s %12s %12s\n' "report (by unit below)" "server ms" "end to end ms"
printf '%-58s %12s %12s\n' "national, year 2025 (34 provinces)" "$(sql_ms 98/KH-BYT-KIEMTHU 2025 NULL)" \
  "$(e2e_ms --plan 98/KH-BYT-KIEMTHU --period 2025 --by-child)"
printf '%-58s %12s %12s\n' "national, 2025Q2 (63 provinces, the old map)" "$(sql_ms 98/KH-BYT-KIEMTHU 2025Q2 NULL)" \
  "$(e2e_ms --plan 98/KH-BYT-KIEMTHU --period 2025Q2 --by-child)"
printf '%-58s %12s %12s\n' "national, year 2025, at Lâm Đồng (68: 124 communes)" "$(sql_ms 98/KH-BYT-KIEMTHU 2025 "'68'")" \
  "$(e2e_ms --plan 98/KH-BYT-KIEMTHU --period 2025 --unit 68 --by-child)"
printf '%-58s %12s %12s\n' "plan 1751 of Bình Thuận, year 2025 (on Lâm Đồng)" "$(sql_ms 1751/KH-UBND 2025 NULL)" \
  "$(e2e_ms --plan 1751/KH-UBND --period 2025 --by-child)"
printf '%-58s %12s %12s\n' "plan 1751, 2025Q2 (by district, the old map)" "$(sql_ms 1751/KH-UBND 2025Q2 NULL)" \
  "$(e2e_ms --plan 1751/KH-UBND --period 2025Q2 --by-child)"
# The floor under the end-to-end figures: a new process of the client, and a
# request the server refuses after one lookup, through bare libzmq
# (bench/th_ask.c) and through the client; then the report at Lâm Đồng again
# through bare libzmq (what the client adds to it).
ASK=$TH_BIN_DIR/bench/th_ask
printf '%-58s %12s %12s\n' "the floor: a new process (tonghop --version)" "" "$(cmd_ms 0 "$TONGHOP" --version)"
printf '%-58s %12s %12s\n' "the floor: a refused request, bare libzmq (th_ask)" "" \
  "$(cmd_ms 0 "$ASK" "$TH_ENDPOINT" NO/SUCH-PLAN 2025)"
printf '%-58s %12s %12s\n' "the floor: a refused request, tonghop report" "" \
  "$(cmd_ms 4 "$TONGHOP" report --server "$TH_ENDPOINT" --plan NO/SUCH-PLAN --period 2025)"
printf '%-58s %12s %12s\n' "national, year 2025, at Lâm Đồng, bare libzmq (th_ask)" "" \
  "$(cmd_ms 0 "$ASK" "$TH_ENDPOINT" 98/KH-BYT-KIEMTHU 2025 68)"
th_server_stop TERM
