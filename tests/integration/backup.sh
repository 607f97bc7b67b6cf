#!/usr/bin/env bash
# Backup and restore (issue #14), as the README's production guide says to
# do them: `deploy/tonghop-backup` (`pg_dump -Fc` and `pg_dumpall
# --roles-only`) while a burst of submissions runs against the real server,
# then `pg_restore` into a new database.
#
# - Every submission whose acknowledgement a client had printed before
#   pg_dump started is in the restored database, with its values.
# - The restored database is one consistent moment: the maintained values
#   equal a rebuild from the restored results, and the reports equal those
#   computed from that rebuild; `tonghopd migrate` on it has nothing to do.
# - serve runs on it as a role that is only a member of tonghop_server (the
#   grants come back with the dump), answers the same reports and stores a
#   new submission.
# - Roles belong to the cluster, not to the dump: restored into a new
#   cluster without them, pg_restore fails naming tonghop_server; after
#   `pg_dumpall --roles-only` of the old cluster is loaded, it succeeds and
#   serve works there too.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
# The second cluster (below) is stopped too, whatever happens.
trap 'rc=$?; set +e; th_pg_stop "$TH_WORK/pg2" immediate; (exit $rc); th_cleanup' EXIT
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR"/deploy/samples/plans/*.json >/dev/null
bindir=$(th_pg_bindir)
P=1751/KH-UBND
th_server_start

# The communes of Bình Thuận (province 60, 2024 map).
mapfile -t communes < <(th_sql "SELECT c.code FROM units c JOIN units d ON c.parent_code = d.code WHERE d.parent_code = '60' ORDER BY c.code")
th_check "Bình Thuận has its communes" test "${#communes[@]}" -gt 100

# One results file per client, quarter and pass (the second pass over 2025Q2
# is a correction, so the dump catches some of them), each with its own values, so that "present with its
# values" means something.
mkdir -p "$TH_WORK/csv"
for k in 0 1 2 3; do
  for q in 1 2 3 4; do
    for pass in 1 2; do
      {
        echo "indicator,numerator,denominator"
        echo "CTXH-01,$(((k + q + pass) % 6)),6"
        echo "CTXH-02,$(((k * q + pass) % 9)),9"
        echo "CTXH-03,$(((q + pass) % 4)),4"
        echo "CTXH-04,$((k + q + pass)),20"
      } >"$TH_WORK/csv/$k-$q-$pass.csv"
    done
  done
done

# Every report of plan 1751 for each quarter and the year, at the province,
# two districts and a commune.
REPORTS="SELECT p || ' ' || coalesce(u, '-') || ' ' || ((th_report('$P', p, u, true))::jsonb - 'generated_at')::text
           FROM unnest(ARRAY['2025Q1', '2025Q2', '2025Q3', '2025Q4', '2025']) p, unnest(ARRAY[NULL, '593', '594', '22921']) u
          ORDER BY 1"

# Each client logs "SUBMISSION-ID FILE" once the server's acknowledgement
# has been printed: the line is appended only after the ack arrived.
client_loop() { # client_loop K: every 4th commune: 2025Q2, corrected, then Q1, Q3, Q4
  local k=$1 i q pass qp out id
  for qp in 2:1 2:2 1:1 3:1 4:1; do
    q=${qp%:*} pass=${qp#*:}
    for ((i = k; i < ${#communes[@]}; i += 4)); do
      [ -e "$TH_WORK/stopped" ] && return 0
      out=$(TONGHOP_SPOOL=$TH_WORK/spool.$k "$TONGHOP" submit --server "$TH_ENDPOINT" --unit "${communes[$i]}" \
            --period 2025Q$q --plan "$P" --timeout 10s --retries 1 "$TH_WORK/csv/$k-$q-$pass.csv" 2>/dev/null) || continue
      id=$(grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' <<<"$out" | head -1) || continue
      echo "$id $k-$q-$pass.csv" >>"$TH_WORK/acked.$k"
    done
  done
}
acked() { cat "$TH_WORK"/acked.* 2>/dev/null | grep -cE '^[0-9a-f-]{36} [0-9]-[0-9]-[0-9]\.csv$' || true; }
loops=()
for k in 0 1 2 3; do
  client_loop $k &
  loops+=($!)
done
for _ in $(seq 1 600); do [ "$(acked)" -ge 150 ] && break; sleep 0.05; done

# What the clients know was acknowledged, taken before pg_dump starts.
cat "$TH_WORK"/acked.* | grep -E '^[0-9a-f-]{36} [0-9]-[0-9]-[0-9]\.csv$' >"$TH_WORK/acked-before-dump"
n_before=$(wc -l <"$TH_WORK/acked-before-dump")
th_log "acknowledged before pg_dump started: $n_before"
# The backup as the README's nightly timer takes it (deploy/tonghop-backup:
# pg_dump -Fc, then pg_dumpall --roles-only), keeping 14 days: an older
# backup is deleted, a recent one kept.
B=$TH_WORK/backups
mkdir -p "$B"
touch -d '20 days ago' "$B/tonghop-2000-01-01.dump" "$B/roles-2000-01-01.sql"
touch -d '3 days ago' "$B/tonghop-2000-01-02.dump"
rc=0; DUMP=$("$TH_SRC_DIR/deploy/tonghop-backup" --db "$TH_DSN" --keep 14 "$B" 2>"$TH_WORK/backup.err") || rc=$?
n_after_dump=$(acked)
th_check "tonghop-backup (pg_dump -Fc) during the burst succeeds" \
  bash -c '[ "$1" = 0 ] || { cat "$2" >&2; false; }' _ "$rc" "$TH_WORK/backup.err"
th_check "... writes today's dump and roles, mode 600, and nothing half-written" bash -c '
  [ "$2" = "$1/tonghop-$(date +%F).dump" ] && [ -s "$2" ] && [ -s "$1/roles-$(date +%F).sql" ] &&
  [ "$(stat -c %a "$2")" = 600 ] && [ -z "$(ls -A "$1" | grep "^\.")" ]' _ "$B" "$DUMP"
th_check "... deletes the backups older than 14 days and keeps the others" bash -c '
  [ ! -e "$1/tonghop-2000-01-01.dump" ] && [ ! -e "$1/roles-2000-01-01.sql" ] && [ -e "$1/tonghop-2000-01-02.dump" ]' _ "$B"
# A second dump, still during the burst, of the snapshot a session of the
# source exports, where the same session then computes the reports: the
# source's reports at the moment of the dump, to compare with the restore's.
coproc SNAP { psql "$TH_DSN" -X -A -t -q -v ON_ERROR_STOP=1 2>&1; }
snap_pid=$SNAP_PID # (bash unsets SNAP_PID once the coprocess has exited)
echo "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT pg_export_snapshot();" >&"${SNAP[1]}"
read -r -t 30 snap <&"${SNAP[0]}"
rc=0; "$bindir/pg_dump" -Fc --snapshot="$snap" -d "$TH_DSN" -f "$TH_WORK/snapshot.dump" || rc=$?
th_check "pg_dump -Fc of an exported snapshot during the burst succeeds" th_eq "$rc" 0
printf '%s\n' "\\o $TH_WORK/reports-source-at-snapshot.txt" "$REPORTS;" '\o' "SELECT 'done';" "COMMIT;" '\q' >&"${SNAP[1]}"
read -r -t 120 done_line <&"${SNAP[0]}" || true
wait "$snap_pid" 2>/dev/null || true
th_check "the source's reports at that snapshot are computed" th_eq "${done_line:-}" "done"

# Let the burst go on a little, then stop it.
for _ in $(seq 1 200); do [ "$(acked)" -ge $((n_after_dump + 40)) ] && break; sleep 0.05; done
touch "$TH_WORK/stopped"
wait "${loops[@]}"
th_check "the burst went on while pg_dump ran and after ($n_before acked before it, $(acked) in all)" \
  test "$(acked)" -gt "$n_before"
th_server_stop TERM

# --- restore into a new database of the same cluster ----------------------------
R_DSN=$(th_pg_dsn "$TH_WORK/pg" tonghop_restored)
th_pg_createdb "$TH_WORK/pg" tonghop_restored
rc=0; "$bindir/pg_restore" --exit-on-error -d "$R_DSN" "$DUMP" 2>"$TH_WORK/pg_restore.err" || rc=$?
th_check "pg_restore into a new database succeeds" bash -c '[ "$1" = 0 ] || { cat "$2" >&2; false; }' _ "$rc" "$TH_WORK/pg_restore.err"
rsql() { psql "$R_DSN" -X -A -t -v ON_ERROR_STOP=1 -c "$1"; }
out=$("$TONGHOPD" migrate --db "$R_DSN" 2>&1)
th_check "migrate on the restored database has nothing to do" grep -q "0 migration(s) applied now, 0 rules file(s)" <<<"$out"

# Every acknowledged submission is there with the values of its file.
while read -r id file; do
  tail -n +2 "$TH_WORK/csv/$file" | while IFS=, read -r ind num den; do echo "$id,$ind,$num,$den"; done
done <"$TH_WORK/acked-before-dump" >"$TH_WORK/expected-values.csv"
missing=$(psql "$R_DSN" -X -A -t -q -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE expected (id uuid, indicator text, numerator bigint, denominator bigint);
\copy expected FROM '$TH_WORK/expected-values.csv' CSV
SELECT count(*) FROM (SELECT id, indicator, numerator, denominator FROM expected
                      EXCEPT SELECT submission_id, indicator_code, numerator, denominator FROM result_values) m;
SQL
)
th_check "every submission acknowledged before the dump started is restored, with its values ($n_before submissions, $(wc -l <"$TH_WORK/expected-values.csv") values)" \
  th_eq "$missing" 0
n_src=$(th_sql "SELECT count(*) FROM submissions")
n_rest=$(rsql "SELECT count(*) FROM submissions")
th_log "submissions: $n_before acked before the dump, $n_rest restored, $n_src in the source after the burst"
th_check "the restored database is a moment of the source during the burst" \
  bash -c '[ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]' _ "$n_rest" "$n_before" "$n_src"
th_check "no restored submission is unknown to the source" th_eq "$(comm -13 <(th_sql "SELECT id FROM submissions ORDER BY 1") \
  <(rsql "SELECT id FROM submissions ORDER BY 1") | wc -l)" 0
th_check "the corrections are there: some 2025Q2 values were replaced" \
  test "$(rsql "SELECT count(*) FROM current_results c JOIN submissions s ON s.id = c.submission_id
                 WHERE c.quarter = 2 AND EXISTS (SELECT 1 FROM submissions o WHERE o.unit_code = s.unit_code
                   AND o.year = s.year AND o.quarter = s.quarter AND o.id <> s.id)")" -gt 0

# One consistent moment: the maintained values are those a rebuild makes of
# the restored results, and so are the reports.
src_dsn=$TH_DSN
TH_DSN=$R_DSN
th_check "the restored unit_period_values equal a rebuild from the restored results" th_unit_values_fresh
TH_DSN=$src_dsn
rsql "$REPORTS" >"$TH_WORK/reports-restored.txt"
psql "$R_DSN" -X -A -t -q -v ON_ERROR_STOP=1 >"$TH_WORK/reports-rebuilt.txt" <<SQL
BEGIN;
SELECT FROM (SELECT th_unit_values_rebuild()) r;
$REPORTS;
ROLLBACK;
SQL
th_check "the reports of the restored database equal those of a rebuild ($(wc -l <"$TH_WORK/reports-restored.txt") reports)" \
  cmp -s "$TH_WORK/reports-restored.txt" "$TH_WORK/reports-rebuilt.txt"
th_check "the reports have data in them" grep -q '"numerator": [1-9]' "$TH_WORK/reports-restored.txt"

# The snapshot's dump, restored, gives the reports the source gave at that
# snapshot.
S_DSN=$(th_pg_dsn "$TH_WORK/pg" tonghop_snapshot)
th_pg_createdb "$TH_WORK/pg" tonghop_snapshot
"$bindir/pg_restore" --exit-on-error -d "$S_DSN" "$TH_WORK/snapshot.dump"
psql "$S_DSN" -X -A -t -v ON_ERROR_STOP=1 -c "$REPORTS" >"$TH_WORK/reports-snapshot-restored.txt"
th_check "the reports of the restored snapshot equal the source's at the snapshot ($(wc -l <"$TH_WORK/reports-source-at-snapshot.txt") reports)" \
  cmp -s "$TH_WORK/reports-source-at-snapshot.txt" "$TH_WORK/reports-snapshot-restored.txt"
th_check "... and differ from the source's now (the burst went on)" \
  bash -c '! cmp -s "$1" <(psql "$2" -X -A -t -c "$3")' _ "$TH_WORK/reports-snapshot-restored.txt" "$TH_DSN" "$REPORTS"

# serve on the restored database, as a role that is only a member of
# tonghop_server: the grants came back with the dump.
: >"$TH_WORK/server.log"
TH_SERVE_DSN=$(th_pg_dsn "$TH_WORK/pg" tonghop_restored "$TH_SERVE_ROLE")
th_server_start
th_check "serve's role is a member of tonghop_server only" th_eq \
  "$(rsql "SELECT string_agg(g.rolname, ',') FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member
             JOIN pg_roles g ON g.oid = m.roleid WHERE r.rolname = '$TH_SERVE_ROLE'")" tonghop_server
th_check "serve on the restored database does not warn of extra rights" bash -c '! grep -q "more rights" "$1"' _ "$TH_WORK/server.log"
same=0
for p in 2025Q2 2025; do
  for u in 60 593; do
    json=$("$TONGHOP" report --server "$TH_ENDPOINT" --plan "$P" --period "$p" --unit "$u" --by-child --format json)
    sqlj=$(rsql "SELECT th_report('$P', '$p', '$u', true)::text")
    [ "$(jq -cS 'del(.generated_at)' <<<"$json")" = "$(jq -cS 'del(.generated_at)' <<<"$sqlj")" ] && same=$((same + 1))
  done
done
th_check "the reports through serve on the restored database equal the SQL's (4 of 4)" th_eq "$same" 4
th_results_csv "$TH_WORK/r.csv"
rc=0; th_client submit --server "$TH_ENDPOINT" --unit 22921 --period 2026Q1 "$TH_WORK/r.csv" >/dev/null || rc=$?
th_check "a new submission is stored on the restored database" th_eq "$rc" 0
th_server_stop TERM

# --- a new cluster: the roles first --------------------------------------------
cp "$B/roles-$(date +%F).sql" "$TH_WORK/roles.sql"
th_check "pg_dumpall --roles-only has tonghop_server and serve's role" \
  bash -c 'grep -q "CREATE ROLE tonghop_server" "$1" && grep -q "CREATE ROLE $2" "$1" && grep -q "GRANT tonghop_server TO $2" "$1"' \
  _ "$TH_WORK/roles.sql" "$TH_SERVE_ROLE"
th_pg_stop "$TH_WORK/pg" fast
PG2=$TH_WORK/pg2
th_pg_init "$PG2"
th_pg_start "$PG2"
th_pg_createdb "$PG2" tonghop
N_DSN=$(th_pg_dsn "$PG2" tonghop)
rc=0; "$bindir/pg_restore" --exit-on-error --single-transaction -d "$N_DSN" "$DUMP" 2>"$TH_WORK/pg_restore2.err" || rc=$?
th_check "without the roles, pg_restore into a new cluster fails, naming tonghop_server" \
  bash -c '[ "$1" != 0 ] && grep -q "role \"tonghop_server\" does not exist" "$2"' _ "$rc" "$TH_WORK/pg_restore2.err"
th_check "... and, in one transaction, leaves nothing behind" \
  th_eq "$(psql "$N_DSN" -X -A -t -c "SELECT to_regclass('submissions') IS NULL")" t
# The roles of the old cluster (the cluster owner's own role exists already:
# that one error is expected).
psql "$(th_pg_dsn "$PG2" postgres)" -X -q -f "$TH_WORK/roles.sql" >/dev/null 2>"$TH_WORK/roles.err" || true
th_check "loading the roles: only the cluster owner's CREATE ROLE fails (it exists)" \
  th_eq "$(grep -c ERROR "$TH_WORK/roles.err")" 1
rc=0; "$bindir/pg_restore" --exit-on-error --single-transaction -d "$N_DSN" "$DUMP" 2>"$TH_WORK/pg_restore3.err" || rc=$?
th_check "with the roles, pg_restore into the new cluster succeeds" th_eq "$rc" 0
out=$("$TONGHOPD" migrate --db "$N_DSN" 2>&1)
th_check "migrate on it has nothing to do" grep -q "0 migration(s) applied now, 0 rules file(s)" <<<"$out"
TH_SERVE_DSN=$(th_pg_dsn "$PG2" tonghop "$TH_SERVE_ROLE")
th_server_start
json=$("$TONGHOP" report --server "$TH_ENDPOINT" --plan "$P" --period 2025 --unit 60 --by-child --format json)
th_check "serve as $TH_SERVE_ROLE on the new cluster answers the year report" th_eq \
  "$(jq -cS 'del(.generated_at)' <<<"$json")" \
  "$(psql "$N_DSN" -X -A -t -c "SELECT (th_report('$P', '2025', '60', true)::jsonb - 'generated_at')::text" | jq -cS .)"
numbers() { jq -c '[.indicators[] | [.code, .numerator, .denominator]]'; }
th_check "... with the numbers of the first restore" th_eq "$(numbers <<<"$json")" \
  "$(grep '^2025 - ' "$TH_WORK/reports-restored.txt" | cut -d' ' -f3- | numbers)"
th_server_stop TERM
th_pg_stop "$PG2" fast
th_finish
