#!/usr/bin/env bash
# serve's least-privilege database role (part of issue "Security"). migrate
# creates the NOLOGIN group role tonghop_server with what serve needs and no
# more (migrations/rules/90_grants.sql); the harness runs serve as tonghopd,
# a member of it only, for the whole suite. Here: serve's writes all work
# with those rights, while the same role cannot delete or change history,
# touch the keys or the units, read the audit log, nor create, alter or
# drop anything, and owns nothing; serve warns at start when it runs with
# more (a superuser, an extra grant, the tables' owner); a migrating user
# that may not create roles is told the one command a DBA runs.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_server_start
th_results_csv "$TH_WORK/r.csv"
C=(--server "$TH_ENDPOINT" --timeout 10s)

# What serve writes, as tonghopd: a submission and its correction (the value
# in force replaced), a plan, a catalogue revision (an indicator added, then
# reworded), a report and a history read; the audit log as it goes.
rc=0; th_client submit "${C[@]}" --unit 22921 --period 2025Q3 "$TH_WORK/r.csv" >/dev/null || rc=$?
th_check "serve as tonghopd: a submission is stored" th_eq "$rc" 0
sed 's/^CTXH-01,3,5$/CTXH-01,4,5/' "$TH_WORK/r.csv" >"$TH_WORK/r2.csv"
rc=0; th_client submit "${C[@]}" --unit 22921 --period 2025Q3 "$TH_WORK/r2.csv" >/dev/null || rc=$?
th_check "a correction replaces the value in force" \
  th_eq "$rc:$(th_sql "SELECT numerator FROM current_results WHERE unit_code = '22921' AND indicator_code = 'CTXH-01'")" 0:4
rc=0; th_client plan publish "${C[@]}" "$TH_SRC_DIR/deploy/samples/plans/binh-thuan-2025-1751-KH-UBND.json" >/dev/null || rc=$?
th_check "a plan is published" th_eq "$rc" 0
rev=$(jq .revision "$TH_SRC_DIR/deploy/data/indicator-catalogue.json")
jq --argjson r $((rev + 1)) '.revision = $r | .indicators += [{"code": "CTXH-99", "programme": "CTXH",
  "name": "Thử", "kind": "count", "numerator": {"label": "Số người", "aggregation": "flow"}}]' \
  "$TH_SRC_DIR/deploy/data/indicator-catalogue.json" >"$TH_WORK/cat1.json"
jq --argjson r $((rev + 2)) '.revision = $r | (.indicators[] | select(.code == "CTXH-99") | .name) = "Thử lại"' \
  "$TH_WORK/cat1.json" >"$TH_WORK/cat2.json"
rc=0; th_client catalogue publish "${C[@]}" "$TH_WORK/cat1.json" >/dev/null || rc=$?
rc2=0; th_client catalogue publish "${C[@]}" "$TH_WORK/cat2.json" >/dev/null || rc2=$?
th_check "the catalogue is published: an indicator added, then reworded" \
  th_eq "$rc:$rc2:$(th_sql "SELECT name FROM indicators WHERE code = 'CTXH-99'")" "0:0:Thử lại"
rc=0; th_client report "${C[@]}" --plan 1751/KH-UBND --period 2025Q3 --by-child --format json >/dev/null || rc=$?
th_check "a report is answered" th_eq "$rc" 0
rc=0; th_client history "${C[@]}" --unit 22921 --indicator CTXH-01 --period 2025Q3 >/dev/null || rc=$?
th_check "a history is answered" th_eq "$rc" 0
th_check "serve hit no missing privilege (server log)" bash -c '! grep -qi "permission denied" "$1"' _ "$TH_WORK/server.log"
th_check "and did not warn about its rights: tonghopd has no more than it needs" \
  bash -c '! grep -q "more rights than it needs" "$1"' _ "$TH_WORK/server.log"

# The roles themselves.
th_check "tonghop_server cannot log in, is no superuser, creates no roles or databases" \
  th_eq "$(th_sql "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = 'tonghop_server'")" "f|f|f|f"
th_check "tonghopd is a member of tonghop_server and of nothing else" \
  th_eq "$(th_sql "SELECT string_agg(r.rolname, ',') FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
                    WHERE m.member = 'tonghopd'::regrole")" tonghop_server
th_check "neither owns anything in the database (tables, sequences, views, functions, schemas)" \
  th_eq "$(th_sql "SELECT (SELECT count(*) FROM pg_class WHERE relowner IN ('tonghop_server'::regrole, 'tonghopd'::regrole))
                        + (SELECT count(*) FROM pg_proc WHERE proowner IN ('tonghop_server'::regrole, 'tonghopd'::regrole))
                        + (SELECT count(*) FROM pg_namespace WHERE nspowner IN ('tonghop_server'::regrole, 'tonghopd'::regrole))")" 0
th_check "tonghopd may not create in the schema or the database" \
  th_eq "$(th_sql "SELECT has_schema_privilege('tonghopd', 'public', 'CREATE'), has_database_privilege('tonghopd', 'tonghop', 'CREATE')")" "f|f"
# (unit_period_values and review_candidates are derived data that storing
# results rewrites, and period_locks the locks an approval sets and its
# reopening removes: DELETE there only; rules/90_grants.sql.)
th_check "no DELETE, TRUNCATE or TRIGGER on any table (DELETE on the derived tables and period_locks only)" \
  th_eq "$(th_sql "SELECT string_agg(relname, ',') FROM pg_class c WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
                    AND ((has_table_privilege('tonghopd', c.oid, 'DELETE')
                          AND relname NOT IN ('unit_period_values', 'review_candidates', 'period_locks'))
                         OR has_table_privilege('tonghopd', c.oid, 'TRUNCATE')
                         OR has_table_privilege('tonghopd', c.oid, 'TRIGGER'))")" ""
th_check "history is append-only: no UPDATE of any column of the history tables" \
  th_eq "$(th_sql "SELECT string_agg(t, ',') FROM unnest(ARRAY['submissions', 'result_values', 'plans', 'plan_programmes',
                    'plan_targets', 'plan_deadlines', 'catalogue_revisions', 'audit_log', 'approval_events']) t
                    WHERE has_any_column_privilege('tonghopd', t, 'UPDATE')")" ""
th_check "it updates current_results (the value in force), indicators (the catalogue) in named columns, an approval's state, the derived unit_period_values, and how far deadlines were announced" \
  th_eq "$(th_sql "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class c
                    WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND has_any_column_privilege('tonghopd', c.oid, 'UPDATE')
                    UNION ALL
                   SELECT has_column_privilege('tonghopd', 'current_results', 'unit_code', 'UPDATE')::text
                       || has_column_privilege('tonghopd', 'indicators', 'code', 'UPDATE')::text" | paste -sd' ')" \
        "approvals,current_results,indicators,notify_scans,unit_period_values falsefalse"

# Straight to the database as tonghopd, what a bug or a stolen server might
# try: each refused for want of rights (never for another reason), inside a
# transaction that is rolled back should one get through.
as_serve() {
  psql "$TH_SERVE_DSN" -X -q -v ON_ERROR_STOP=1 -c "BEGIN" -c "$1" -c "ROLLBACK" 2>&1 >/dev/null || true
}
refused() { grep -qE "permission denied|must be owner|no privileges were granted" <<<"$(as_serve "$1")"; }
while IFS= read -r stmt; do
  th_check "tonghopd may not: $stmt" refused "$stmt"
done <<'SQL'
DELETE FROM submissions
DELETE FROM result_values
DELETE FROM current_results
DELETE FROM plans
DELETE FROM catalogue_revisions
DELETE FROM audit_log
TRUNCATE submissions, result_values, current_results
UPDATE submissions SET unit_code = '22924'
UPDATE result_values SET numerator = 0
UPDATE current_results SET unit_code = '22924'
UPDATE plans SET title = 'x'
UPDATE plan_targets SET value = 0
UPDATE catalogue_revisions SET document = '{}'
UPDATE audit_log SET outcome = 'STORED'
SELECT count(*) FROM audit_log
INSERT INTO client_keys (public_key, unit_code, role) VALUES (repeat('k', 40), '22921', 'admin')
UPDATE client_keys SET revoked_at = NULL
DELETE FROM client_keys
INSERT INTO units (code, gso_code, name, name_with_type, type, level) VALUES ('x', 'x', 'x', 'x', 'xa', 3)
UPDATE units SET name = 'x'
DELETE FROM unit_successions
UPDATE schema_rules SET sha256 = ''
SELECT setval(pg_get_serial_sequence('plans', 'id'), 1)
CREATE TABLE t (x int)
CREATE VIEW v AS SELECT 1 AS x
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'
CREATE SCHEMA s
CREATE INDEX ON submissions (year)
ALTER TABLE submissions ADD COLUMN x int
ALTER TABLE audit_log DISABLE TRIGGER ALL
DROP TABLE audit_log
DROP VIEW current_plans
CREATE OR REPLACE FUNCTION th_ingest_submission(uuid, text, integer, integer, text, bigint, bytea, text[], bigint[], bigint[], bigint[], text[]) RETURNS TABLE (outcome text, err_code text, err_field text, err_detail text, stored integer, superseded integer, stored_at bigint) LANGUAGE sql AS 'SELECT NULL::text, NULL, NULL, NULL, 0, 0, 0::bigint'
GRANT DELETE ON submissions TO tonghopd
CREATE ROLE intruder LOGIN
SQL
psql "$TH_SERVE_DSN" -X -q -c "INSERT INTO audit_log (public_key, request, outcome) VALUES ('', 'test', 'STORED')" >/dev/null 2>&1 || true
th_check "and what it may, it can (a control: reading, appending)" \
  th_eq "$(psql "$TH_SERVE_DSN" -X -A -t -c "SELECT count(*) > 0 FROM submissions" 2>&1)|$(th_sql "SELECT count(*) FROM audit_log WHERE request = 'test'")" "t|1"

# serve with more rights than it needs: a warning at start, once, naming
# what is too much; it still serves.
wait_log() { # PATTERN: waits up to 5 s for it in the server log
  local i
  for i in $(seq 1 100); do grep -q -- "$1" "$TH_WORK/server.log" && return 0; sleep 0.05; done
  return 1
}
th_server_stop
: >"$TH_WORK/server.log"
TH_SERVE_DSN=$TH_DSN th_server_start
th_check "serve as the cluster's owner: warns that it runs as a superuser" \
  wait_log "more rights than it needs: it is a superuser ($(th_pg_owner))"
rc=0; th_client report --server "$TH_ENDPOINT" --timeout 10s --plan 1751/KH-UBND --period 2025Q3 >/dev/null || rc=$?
th_check "and still serves" th_eq "$rc" 0
th_check "the warning comes once" th_eq "$(grep -c "more rights than it needs" "$TH_WORK/server.log")" 1
th_server_stop

th_sql "CREATE ROLE tonghopd_wide LOGIN IN ROLE tonghop_server" >/dev/null
th_sql "GRANT DELETE, TRUNCATE ON submissions, result_values TO tonghopd_wide" >/dev/null
th_sql "GRANT CREATE ON SCHEMA public TO tonghopd_wide" >/dev/null
: >"$TH_WORK/server.log"
TH_SERVE_DSN=$(th_pg_dsn "$TH_WORK/pg" tonghop tonghopd_wide) th_server_start
th_check "serve with extra grants: warns, naming each one" \
  wait_log "it may create objects (CREATE on schema public); rights tonghop_server does not have: DELETE (result_values, submissions); TRUNCATE (result_values, submissions)"
th_server_stop

# A migrating user that owns its database but may not create roles, on a
# cluster without tonghop_server yet: told the one command a DBA runs; once
# it is run, migrate completes and grants the role its rights.
th_sql "ALTER ROLE tonghop_server RENAME TO tonghop_server_before" >/dev/null
th_sql "CREATE ROLE migrator LOGIN" >/dev/null
th_sql "CREATE DATABASE tonghop2 OWNER migrator" >/dev/null
DSN2=$(th_pg_dsn "$TH_WORK/pg" tonghop2 migrator)
rc=0; out=$("$TONGHOPD" migrate --db "$DSN2" 2>&1) || rc=$?
th_check "migrate without the right to create roles: fails (exit 1)" th_eq "$rc" 1
th_check "and names the command for the DBA" grep -q "CREATE ROLE tonghop_server NOLOGIN" <<<"$out"
th_check "the rules stayed unapplied (all or nothing): serve would refuse the database" \
  th_eq "$(psql "$DSN2" -X -A -t -c "SELECT count(*) FROM schema_rules" 2>&1)" 0
th_sql "CREATE ROLE tonghop_server NOLOGIN" >/dev/null
rc=0; "$TONGHOPD" migrate --db "$DSN2" >/dev/null 2>&1 || rc=$?
th_check "after the DBA's command, migrate completes" th_eq "$rc" 0
th_check "and grants tonghop_server its rights there" \
  th_eq "$(psql "$DSN2" -X -A -t -c "SELECT has_table_privilege('tonghop_server', 'submissions', 'INSERT'),
                                             has_table_privilege('tonghop_server', 'submissions', 'DELETE')")" "t|f"
: >"$TH_WORK/server.log"
TH_SERVE_DSN=$DSN2 th_server_start
th_check "serve as the tables' owner (no superuser): warns that it owns them" \
  wait_log "more rights than it needs: it owns the tables (as migrator)"
th_server_stop
th_finish
