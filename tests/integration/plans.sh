#!/usr/bin/env bash
# Plans: the five seed plans load faithfully (every target checked against a
# table written from the documents), loading twice changes nothing, a commune
# sees what it must report, bad plans are refused with the field named and
# nothing partly stored, and a revision keeps the old version.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
plans=$TH_SRC_DIR/deploy/samples/plans

"$TONGHOPD" import-plan --db "$TH_DSN" "$plans"/*.json >"$TH_WORK/import1.out"
th_check "five seed plans stored" th_eq "$(grep -c 'stored\.' "$TH_WORK/import1.out")" 5
snapshot() { th_sql "SELECT count(*) || '/' || (SELECT count(*) FROM plan_targets) || '/' || (SELECT count(*) FROM plan_deadlines) || '/' || max(imported_at) FROM plans"; }
before=$(snapshot)
"$TONGHOPD" import-plan --db "$TH_DSN" "$plans"/*.json >"$TH_WORK/import2.out"
th_check "second load: all five unchanged" th_eq "$(grep -c 'already stored' "$TH_WORK/import2.out")" 5
th_check "second load changed nothing" th_eq "$(snapshot)" "$before"

# Every numeric target, with its comparator and years, as the documents say.
tail -n +2 "$TH_SRC_DIR/tests/data/seed_targets.csv" | sort >"$TH_WORK/expected.csv"
th_sql "SELECT p.code || ',' || t.indicator_code || ',' || t.year_from || ',' || t.year_to || ',' || t.comparator || ',' || t.value
          FROM plan_targets t JOIN current_plans p ON p.id = t.plan_id WHERE t.value IS NOT NULL" | sort >"$TH_WORK/actual.csv"
th_check "every numeric target matches the seed table ($(wc -l <"$TH_WORK/expected.csv") targets)" \
  diff "$TH_WORK/expected.csv" "$TH_WORK/actual.csv"
th_check "Huế: strict targets (trên 50%)" th_eq "$(th_sql "SELECT comparator || value FROM plan_targets t JOIN plans p ON p.id = t.plan_id WHERE p.code = 'KH-UBND-TTH-2023' AND indicator_code = 'CTXH-01'")" ">50"
th_check "Huế: count targets 1,000 and 100 people" th_eq "$(th_sql "SELECT string_agg(value::text, ',' ORDER BY indicator_code) FROM plan_targets t JOIN plans p ON p.id = t.plan_id JOIN indicators i ON i.code = t.indicator_code WHERE p.code = 'KH-UBND-TTH-2023' AND i.kind = 'count'")" "1000,100"
th_check "Cao Lãnh: two year ranges" th_eq "$(th_sql "SELECT string_agg(DISTINCT t.year_from || '-' || t.year_to, ',') FROM plan_targets t JOIN plans p ON p.id = t.plan_id WHERE p.code = 'KH-UBND-HCL-2021-2030'")" "2021-2025,2026-2030"
th_check "Cao Lãnh: 40% trained where the province says 30%" th_eq "$(th_sql "SELECT value FROM plan_targets t JOIN plans p ON p.id = t.plan_id WHERE p.code = 'KH-UBND-HCL-2021-2030' AND indicator_code = 'CTXH-02' AND t.year_from = 2021")" 40
th_check "Thanh Bình: second programme (mental health and autism)" th_eq "$(th_sql "SELECT count(*) FROM plan_targets t JOIN plans p ON p.id = t.plan_id WHERE p.code = '70/KH-UBND' AND programme_code = 'SKTT'")" 11
th_check "qualitative targets kept" th_eq "$(th_sql "SELECT string_agg(p.code || ':' || indicator_code, ',' ORDER BY p.code, indicator_code) FROM plan_targets t JOIN plans p ON p.id = t.plan_id WHERE t.text IS NOT NULL")" "70/KH-UBND:CTXH-07,70/KH-UBND:CTXH-08,KH-UBND-HCL-2021-2030:CTXH-08"
th_check "deadlines" th_eq "$(th_sql "SELECT string_agg(p.code || ' ' || level || ' ' || due_on, ',' ORDER BY p.code, due_on, level) FROM plan_deadlines d JOIN plans p ON p.id = d.plan_id WHERE p.code <> 'KH-UBND-HCL-2021-2030'")" \
  "1751/KH-UBND department 2025-12-15,1751/KH-UBND district 2025-12-15,70/KH-UBND commune 2023-11-10,KH-UBND-TTH-2023 department 2023-11-30,KH-UBND-TTH-2023 district 2023-11-30,KH-UBND-TTH-2023 province 2023-12-15"
th_check "Cao Lãnh: communes report by 25/11 every year" th_eq "$(th_sql "SELECT count(*) FILTER (WHERE to_char(due_on, 'MM-DD') = '11-25') FROM plan_deadlines d JOIN plans p ON p.id = d.plan_id WHERE p.code = 'KH-UBND-HCL-2021-2030' AND level = 'commune'")" 10
th_check "district plans name the provincial plan they implement" th_eq "$(th_sql "SELECT implements FROM plans WHERE code = 'KH-UBND-HCL-2021-2030'")" "176/KH-UBND"

th_server_start
C="$TONGHOP --server $TH_ENDPOINT"

# A commune of Bình Thuận (Phường Phú Hài) asks what it must report.
json=$($C plan show 1751/KH-UBND --unit 22921 --json)
th_check "plan show --json: four indicators with targets 50, 30, 50, 85" \
  th_eq "$(jq -c '[.programmes[].targets[] | [.indicator, .value]]' <<<"$json")" '[["CTXH-01",50],["CTXH-02",30],["CTXH-03",50],["CTXH-04",85]]'
th_check "plan show --json: the commune's deadline is 2025-12-15" th_eq "$(jq -r '.for_unit.deadlines[0].date' <<<"$json")" 2025-12-15
th_check "plan show --json: the quarters to report" th_eq "$(jq -c '.for_unit.quarters' <<<"$json")" '["2025Q1","2025Q2","2025Q3","2025Q4"]'
th_check "plan show --json: indicator names from the catalogue" test "$(jq -r '.indicators["CTXH-04"].kind' <<<"$json")" = ratio
out=$(TONGHOP_LANG=vi $C plan show 1751/KH-UBND --unit 22921)
th_check "plan show: Vietnamese table with the deadline" grep -q "15/12/2025" <<<"$out"
th_check "plan show: targets with comparators" grep -q "≥ 85%" <<<"$out"
out=$($C plans --unit 22921)
th_check "plans: a Bình Thuận commune sees the Bình Thuận plan" grep -q "1751/KH-UBND" <<<"$out"
th_check "plans: and not Huế's" bash -c "! grep -q KH-UBND-TTH-2023 <<<'$out'"
out=$($C plans --unit 30130)  # Thị trấn Thanh Bình, Huyện Thanh Bình, Đồng Tháp
th_check "plans: a Thanh Bình commune sees its district's plan" grep -q "70/KH-UBND" <<<"$out"
rc=0; $C plan show NO/SUCH-PLAN >/dev/null 2>&1 || rc=$?
th_check "plan show of an unknown plan: exit 4" th_eq "$rc" 4

# Bad plans, over the wire and through the admin command: refused, field named, nothing stored.
counts() { th_sql "SELECT (SELECT count(*) FROM plans) || '/' || (SELECT count(*) FROM plan_targets) || '/' || (SELECT count(*) FROM plan_programmes) || '/' || (SELECT count(*) FROM plan_deadlines)"; }
before=$(counts)
base=$plans/binh-thuan-2025-1751-KH-UBND.json
# Each bad plan gets a code of its own, so only the fault named is wrong.
mk() { jq ".code = \"99/KH-THU\" | $1" "$base" >"$TH_WORK/bad.json"; }
bad() { # bad WHAT WANT_RC PATTERN (file in $TH_WORK/bad.json)
  local rc=0 e
  e=$($C plan publish "$TH_WORK/bad.json" 2>&1) || rc=$?
  th_check "$1: exit $2" th_eq "$rc" "$2"
  th_check "$1: names '$3'" grep -q -- "$3" <<<"$e"
  rc=0; e=$("$TONGHOPD" import-plan --db "$TH_DSN" "$TH_WORK/bad.json" 2>&1) || rc=$?
  th_check "$1: import-plan refuses too" th_eq "$rc" 1
  th_check "$1: import-plan names '$3'" grep -q -- "$3" <<<"$e"
}
mk '.issuer_unit = "99"';                                  bad "unknown issuer unit" 4 "issuer_unit"
mk '.programmes[0].targets[2].indicator = "CTXH-99"';      bad "unknown indicator" 4 "programmes\[0\].targets\[2\].indicator"
mk '.programmes[0].targets[1].value = 120';                bad "ratio target above 100%" 4 "programmes\[0\].targets\[1\].value"
mk '.code = "1751/KH-UBND" | .programmes[0].targets[3].comparator = ">"'; bad "same code and revision, other content" 4 "revision"
mk '.years.to = 2026 | .programmes[0].targets += [{"indicator": "CTXH-01", "years": {"from": 2025, "to": 2026}, "comparator": ">=", "value": 55}]'
bad "overlapping years for one indicator" 3 "programmes\[0\].targets\[4\].years"
mk '.programmes[0].targets[0].comparater = ">="';          bad "misspelt field" 3 "programmes\[0\].targets\[0\].comparater"
mk '.programmes[0].targets[0].comparator = "=>"';          bad "unknown comparator" 3 "programmes\[0\].targets\[0\].comparator"
mk '.programmes[0].targets[0].years.from = 2024';          bad "target outside the plan's years" 3 "programmes\[0\].targets\[0\].years"
mk '.deadlines[0].date = "2025-02-30"';                    bad "impossible date" 3 "deadlines\[0\].date"
mk 'del(.title)';                                          bad "missing title" 3 "title"
printf '{"format": "tonghop-plan/1",\n  "code": "1751/KH-UBND"\n  "title": "x"}' >"$TH_WORK/bad.json"
bad "malformed JSON" 3 "3:3"
th_check "bad plans stored nothing" th_eq "$(counts)" "$before"

# A revision: the old one is kept, the new one is current.
jq '.revision = 2 | .programmes[0].targets[0].value = 55' "$base" >"$TH_WORK/bad.json"
out=$($C plan publish "$TH_WORK/bad.json")
th_check "revision 2 published" grep -q "revision 2" <<<"$out"
th_check "both revisions kept" th_eq "$(th_sql "SELECT string_agg(revision::text, ',' ORDER BY revision) FROM plans WHERE code = '1751/KH-UBND'")" "1,2"
th_check "the current revision is 2 with 55%" th_eq "$($C plan show 1751/KH-UBND --json | jq -c '[.revision, .programmes[0].targets[0].value]')" "[2,55]"
rc=0; $C plan publish "$base" >/dev/null 2>&1 || rc=$?
th_check "publishing revision 1 again after 2: refused" th_eq "$rc" 4
# A revision only grows by one, and a new plan starts at revision 1.
jq '.revision = 1000000' "$base" >"$TH_WORK/jump.json"
rc=0; out=$($C plan publish "$TH_WORK/jump.json" 2>&1) || rc=$?
th_check "a revision jump (1000000 after 2): refused" th_eq "$rc" 4
th_check "it names the revision field and the next revision, 3" bash -c 'grep -q "revision" <<<"$1" && grep -q "(3)" <<<"$1"' _ "$out"
jq '.code = "12/KH-MOI" | .revision = 5' "$base" >"$TH_WORK/new5.json"
rc=0; $C plan publish "$TH_WORK/new5.json" >/dev/null 2>&1 || rc=$?
th_check "a new plan published as revision 5: refused" th_eq "$rc" 4
th_check "the jumps stored nothing" th_eq "$(th_sql "SELECT count(*) FROM plans WHERE revision > 2 OR code = '12/KH-MOI'")" 0
th_finish
