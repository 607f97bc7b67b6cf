#!/usr/bin/env bash
# Upgrade with data in it: a database at the schema of the previous release
# (version 5, with the rules that release carried inside its migrations)
# holding a quarter's worth of results, resubmissions included, and plans
# with their deadlines, is migrated by this release; every result is still
# there and every report is the same number for number, by SQL and through
# the server. The newest migrations take the old data on: 013 gives each
# old deadline the period it is for (a January date, the year before), and
# the report, `tonghop due` and the late count use it; 014's approvals
# start empty, and an approval locks the old results.
. "$(dirname "$0")/../lib/harness.sh"
TH_WORK=$(mktemp -d /tmp/tonghop-test.XXXXXX)
chmod 755 "$TH_WORK"
trap th_cleanup EXIT
export TONGHOP_SPOOL=$TH_WORK/spool
th_pg_init "$TH_WORK/pg"
th_pg_start "$TH_WORK/pg"
th_pg_createdb "$TH_WORK/pg" tonghop
TH_DSN=$(th_pg_dsn "$TH_WORK/pg" tonghop)

"$TONGHOPD" migrate --db "$TH_DSN" --to-version 5 >/dev/null
th_check "old schema: version 5" th_eq "$(th_sql "SELECT max(version) FROM schema_migrations")" 5
th_check "old schema: no rules files recorded" th_eq "$(th_sql "SELECT to_regclass('schema_rules') IS NULL")" t
# The units as the previous release loaded them (its own table shape).
psql "$TH_DSN" -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE TEMP TABLE u (code text, name text, name_with_type text, type text, parent_code text, level smallint);
\copy u FROM '$TH_SRC_DIR/deploy/data/vn-admin-units-2024.csv' CSV HEADER
INSERT INTO units (code, name, name_with_type, type, parent_code, level)
SELECT code, name, name_with_type, type, nullif(parent_code, ''), level FROM u ORDER BY level;
INSERT INTO unit_parents (unit_code, parent_code, valid_from)
SELECT code, parent_code, valid_from FROM units WHERE parent_code IS NOT NULL;
SQL
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR"/deploy/samples/plans/*.json >/dev/null
# A plan of the old schema whose deadline is in January, for the year before
# (013 says so when it converts the dates).
cat >"$TH_WORK/plan-jan.json" <<JSON
{"format": "tonghop-plan/1", "code": "03/KH-HAN", "revision": 1,
 "title": "Kế hoạch báo cáo năm 2025 trước ngày 10/01/2026", "issuer_unit": "593",
 "issuing_body": "Ủy ban nhân dân thành phố Phan Thiết", "issued_on": "2025-03-01",
 "years": {"from": 2025, "to": 2025}, "reporting_level": "commune",
 "deadlines": [{"level": "commune", "to": "UBND thành phố", "date": "2026-01-10"}],
 "programmes": [{"code": "CTXH", "name": "Chương trình phát triển công tác xã hội",
   "targets": [{"indicator": "CTXH-01", "years": {"from": 2025, "to": 2025}, "comparator": ">=", "value": 50}]}]}
JSON
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_WORK/plan-jan.json" >/dev/null
deadlines() {
  th_sql "SELECT count(*) || ' ' || md5(string_agg(concat_ws(',', p.code, p.revision, d.level, d.recipient, d.due_on, d.position), ';'
                                                   ORDER BY p.code, p.revision, d.position))
            FROM plan_deadlines d JOIN plans p ON p.id = d.plan_id"
}
deadlines_before=$(deadlines)
th_check "old schema: the plans' deadlines are stored ($deadlines_before)" test "${deadlines_before%% *}" -gt 10

# Results through the old schema's own ingest function: every commune of
# Bình Thuận, 2025Q1-Q3, then a correction of Q2 for a third of them.
th_sql "
SELECT setseed(0.2025);
CREATE TABLE upgrade_gen AS
SELECT c.code AS unit, q, gen_random_uuid() AS id,
       ARRAY(SELECT 5 + (random() * 20)::bigint FROM generate_series(1, 4)) AS den
  FROM units c JOIN units d ON c.parent_code = d.code, generate_series(1, 3) q
 WHERE d.parent_code = '60'
UNION ALL
SELECT c.code, 2, gen_random_uuid(), ARRAY(SELECT 5 + (random() * 20)::bigint FROM generate_series(1, 4))
  FROM units c JOIN units d ON c.parent_code = d.code
 WHERE d.parent_code = '60' AND c.code::int % 3 = 0;
ALTER TABLE upgrade_gen ADD COLUMN seq serial;
ALTER TABLE upgrade_gen ADD COLUMN num bigint[];
UPDATE upgrade_gen SET num = ARRAY[floor(random() * (den[1] + 1)), floor(random() * (den[2] + 1)),
                                   floor(random() * (den[3] + 1)), floor(random() * (den[4] + 1))]::bigint[];" >/dev/null
stored=$(th_sql "
SELECT count(*) FROM (SELECT * FROM upgrade_gen ORDER BY seq) g,
  LATERAL th_ingest_submission(g.id, g.unit, 2025, g.q, '1751/KH-UBND', NULL, sha256(convert_to(g.id::text, 'UTF8')),
          ARRAY['CTXH-01', 'CTXH-02', 'CTXH-03', 'CTXH-04'], g.num, g.den,
          ARRAY[NULL, NULL, NULL, NULL]::bigint[], ARRAY[NULL, NULL, NULL, NULL]::text[]) r
 WHERE r.outcome = 'stored'")
th_check "old schema: results stored by its own function ($stored)" test "$stored" -gt 300

# The fields added to the report since that release (for the official
# report: the plan's date and deadlines, the unit above; the communes under
# a district-level report's units; the review's flags and quality_notes,
# which these random quarters have) are left out.
ADDED="- 'quality_notes' - 'quality_notes_total' #- '{plan,issued_on}' #- '{plan,deadlines}' #- '{unit,parent}' #- '{communes}'"
th_sql "
CREATE FUNCTION test_no_flags(j jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS \$\$
    SELECT j || jsonb_build_object('indicators', (SELECT jsonb_agg(i - 'flags' ORDER BY n)
                                                    FROM jsonb_array_elements(j->'indicators') WITH ORDINALITY x(i, n)))
             || CASE WHEN jsonb_typeof(j->'children') = 'array' THEN jsonb_build_object('children', (
                    SELECT coalesce(jsonb_agg(test_no_flags(c) ORDER BY n), '[]'::jsonb)
                      FROM jsonb_array_elements(j->'children') WITH ORDINALITY x(c, n))) ELSE '{}'::jsonb END
\$\$" >/dev/null
reports() { # every report of plan 1751 for the quarters and the year, at the province and a district
  th_sql "
SELECT p || ' ' || coalesce(u, '-') || ' ' || test_no_flags((th_report('1751/KH-UBND', p, u, true))::jsonb - 'generated_at' $ADDED)::text
  FROM unnest(ARRAY['2025Q1', '2025Q2', '2025Q3', '2025']) p, unnest(ARRAY[NULL, '593', '22921']) u
 ORDER BY 1"
}
tables() {
  th_sql "
SELECT (SELECT count(*) || ':' || md5(string_agg(id::text || unit_code || year || quarter, ',' ORDER BY id)) FROM submissions)
    || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws(',', submission_id, indicator_code, numerator, denominator), ';'
                                                    ORDER BY submission_id, indicator_code)) FROM result_values)
    || ' ' || (SELECT count(*) || ':' || md5(string_agg(concat_ws(',', unit_code, indicator_code, quarter, submission_id, numerator, denominator), ';'
                                                    ORDER BY unit_code, indicator_code, quarter)) FROM current_results)"
}
in_force_q1_q3() {
  th_sql "SELECT md5(string_agg(concat_ws(',', unit_code, indicator_code, quarter, submission_id, numerator, denominator), ';'
                                ORDER BY unit_code, indicator_code, quarter)) FROM current_results WHERE quarter <= 3"
}
reports >"$TH_WORK/before.txt"
tables_before=$(tables)
in_force_before=$(in_force_q1_q3)
year_before=$(th_sql "SELECT (th_report('1751/KH-UBND', '2025', NULL, true))::jsonb - 'generated_at'")

rc=0; out=$("$TONGHOPD" migrate --db "$TH_DSN" 2>&1) || rc=$?
th_check "migrate from the old schema succeeds" th_eq "$rc" 0
# The latest version and the rules files, from the source tree.
latest=$(basename "$(ls "$TH_SRC_DIR"/migrations/[0-9][0-9][0-9]_*.sql | sort | tail -1)" | cut -c1-3)
nrules=$(ls "$TH_SRC_DIR"/migrations/rules/*.sql | wc -l)
th_check "it applies the new migrations and every rules file" grep -q "migration(s) applied now, $nrules rules file(s)" <<<"$out"
th_check "schema now at the latest version" th_eq "$(th_sql "SELECT max(version) FROM schema_migrations")" "$((10#$latest))"
th_check "every result kept, unchanged" th_eq "$(tables)" "$tables_before"
reports >"$TH_WORK/after.txt"
th_check "every report the same, number for number ($(wc -l <"$TH_WORK/before.txt") reports)" \
  cmp -s "$TH_WORK/before.txt" "$TH_WORK/after.txt"
th_check "the reports have data in them" grep -q '"numerator": [1-9]' "$TH_WORK/after.txt"

# 013 and 014 on the old data.
th_check "every deadline kept" th_eq "$(deadlines)" "$deadlines_before"
th_check "013: each old deadline is a date for its own year ..." th_eq \
  "$(th_sql "SELECT count(*) FROM plan_deadlines d JOIN plans p ON p.id = d.plan_id
              WHERE p.code <> '03/KH-HAN' AND (d.for_year IS DISTINCT FROM extract(year FROM d.due_on)
                    OR d.days_after_quarter IS NOT NULL OR d.for_quarter IS NOT NULL)")" 0
th_check "... and a January one for the year before, the plan's" th_eq \
  "$(th_sql "SELECT d.for_year FROM plan_deadlines d JOIN plans p ON p.id = d.plan_id WHERE p.code = '03/KH-HAN'")" 2025
th_check "the 2025 report of that plan is due on the January date" th_eq \
  "$(th_sql "SELECT th_report('03/KH-HAN', '2025', '593', false)->'deadline'->>'date'")" 2026-01-10
th_check "the old results were received after 15/12/2025: counted reported, not on time" th_eq \
  "$(th_sql "SELECT (th_report('1751/KH-UBND', '2025Q2', '60', false)->'completeness')::jsonb - 'level' - 'expected'")" \
  "$(th_sql "SELECT jsonb_build_object('reported', (th_report('1751/KH-UBND', '2025Q2', '60', false)->'completeness'->>'reported')::int, 'on_time', 0)")"
th_check "014: no approval, event or lock yet" th_eq \
  "$(th_sql "SELECT (SELECT count(*) FROM approvals) + (SELECT count(*) FROM approval_events) + (SELECT count(*) FROM period_locks)")" 0
th_check "the maintained values equal a rebuild from the old results" th_unit_values_fresh

rc=0; out=$("$TONGHOPD" migrate --db "$TH_DSN" 2>&1) || rc=$?
th_check "migrating again applies nothing" grep -q "0 migration(s) applied now, 0 rules file(s)" <<<"$out"

th_server_start
json=$("$TONGHOP" report --server "$TH_ENDPOINT" --plan 1751/KH-UBND --period 2025 --by-child --format json)
th_check "through the server: the year report is the one before the upgrade" \
  th_eq "$(jq -cS 'del(.generated_at, .plan.issued_on, .plan.deadlines, .unit.parent, .communes, .quality_notes, .quality_notes_total, .indicators[].flags, .children[].indicators[].flags)' <<<"$json")" \
  "$(jq -cS . <<<"$year_before")"
th_results_csv "$TH_WORK/r.csv"
rc=0; th_client submit --server "$TH_ENDPOINT" --unit 22921 --period 2025Q4 "$TH_WORK/r.csv" >/dev/null || rc=$?
th_check "a new submission after the upgrade is stored" th_eq "$rc" 0
rc=0; out=$("$TONGHOP" due --server "$TH_ENDPOINT" --unit 593 --period 2025Q2 --plan 1751/KH-UBND --json 2>&1) || rc=$?
th_check "tonghop due on the old data: Phan Thiết's communes sent 2025Q2 late" \
  bash -c '[ "$1" = 0 ] && jq -e "(.items[0].late | length) > 0" <<<"$2" >/dev/null' _ "$rc" "$out"
rc=0; out=$("$TONGHOP" approve --server "$TH_ENDPOINT" --plan 1751/KH-UBND --period 2025Q2 --unit 593 2>&1) || rc=$?
th_check "Phan Thiết approves its old 2025Q2 results" th_eq "$rc" 0
rc=0; out=$(th_client submit --server "$TH_ENDPOINT" --unit 22921 --period 2025Q2 "$TH_WORK/r.csv" 2>&1) || rc=$?
th_check "... which locks them: a correction is refused (PERIOD_LOCKED, exit 4)" th_eq "$rc" 4
th_check "the old results are still those in force" th_eq "$(in_force_q1_q3)" "$in_force_before"

# A rules file changed by a later release is applied again; the server
# refuses to start on rules that are not its own.
th_server_stop TERM
th_sql "UPDATE schema_rules SET sha256 = 'old' WHERE name = '40_report.sql'" >/dev/null
rc=0; err=$("$TONGHOPD" serve --db "$TH_DSN" --bind 'tcp://127.0.0.1:*' 2>&1) || rc=$?
th_check "serve refuses rules that are not its own (exit 1)" th_eq "$rc" 1
th_check "and says to run migrate" grep -q "tonghopd migrate" <<<"$err"
out=$("$TONGHOPD" migrate --db "$TH_DSN" 2>&1)
th_check "migrate applies just the changed rules file" grep -q "0 migration(s) applied now, 1 rules file(s)" <<<"$out"
th_finish
