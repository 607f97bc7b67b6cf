#!/usr/bin/env bash
# Review before approval (issue #13), with the real server and client on
# real units: Thành phố Phan Thiết (593, Bình Thuận, 2024 map) and its wards
# Mũi Né 22915, Phú Hài 22921, Phú Thủy 22924, Bình Hưng 22927, under plan
# 1751/KH-UBND. Flags, never refusals: a flow numerator added up over the
# quarters above a stock denominator (CTXH-02, 67 trained of 59 staff), a
# denominator that jumps (10 → 25, and 10 → 4), a stock denominator that
# changes while the unit does not; none for steady data, nor for a merged
# unit's first quarter after the 2025 reform (its later quarters are
# compared again). `tonghop review` lists them (JSON and Vietnamese), the
# report counts flagged values per indicator and carries quality_notes (the
# text and HTML mark them, the official report lists them), a report with
# no flag keeps its old shape, and a key reads its territory only.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR"/deploy/samples/plans/binh-thuan-2025-1751-KH-UBND.json >/dev/null
th_server_start
C="$TONGHOP --server $TH_ENDPOINT"
P=1751/KH-UBND
# send UNIT PERIOD CTXH-01 CTXH-02 CTXH-03: each "numerator,denominator"
send() {
  printf 'indicator,numerator,denominator\nCTXH-01,%s\nCTXH-02,%s\nCTXH-03,%s\n' "$3" "$4" "$5" >"$TH_WORK/r.csv"
  $C submit --unit "$1" --period "$2" --plan "$P" "$TH_WORK/r.csv" >/dev/null
}
candidates_fresh() { # review_candidates is what a rebuild computes
  local d
  d=$(psql "$TH_DSN" -X -A -t -q -v ON_ERROR_STOP=1 <<'SQL'
BEGIN;
CREATE TEMP TABLE kept AS SELECT * FROM review_candidates;
SELECT th_review_rebuild();
SELECT count(*) FROM ((TABLE kept EXCEPT TABLE review_candidates) UNION ALL (TABLE review_candidates EXCEPT TABLE kept)) d;
ROLLBACK;
SQL
  ) || return 1
  th_eq "$(tail -1 <<<"$d")" 0
}

# --- the first half of 2025, on the 2024 map ------------------------------------
send 22921 2025Q1 3,5 30,59 1,2     # Phú Hài: 30 + 37 trained of 59 staff
send 22921 2025Q2 3,5 37,59 1,2
send 22924 2025Q1 3,10 1,20 5,10    # Phú Thủy: CTXH-01 10 → 25, CTXH-03 10 → 4
send 22924 2025Q2 3,25 1,20 2,4
send 22915 2025Q1 3,10 1,20 1,2     # Mũi Né: staff (a stock) 20 → 22
send 22915 2025Q2 3,10 1,22 1,2
send 22927 2025Q1 3,10 2,20 1,2     # Bình Hưng: the same every quarter
send 22927 2025Q2 3,10 2,20 1,2
th_check "the flagged results were all stored (flags refuse nothing)" \
  th_eq "$(th_sql "SELECT count(*) FROM current_results WHERE year = 2025")" 24

rv=$($C review --unit 593 --plan "$P" --period 2025 --json)
th_check "review 2025 of Phan Thiết: four flags, by unit then indicator" \
  th_eq "$(jq -c '[.flags[] | [.unit.code, .indicator, .quarter, .rule]]' <<<"$rv")" \
  '[["22915","CTXH-02",2,"stock_changed"],["22921","CTXH-02",0,"above_100"],["22924","CTXH-01",2,"denominator_jump"],["22924","CTXH-03",2,"denominator_jump"]]'
th_check "... above 100%: 67 of 59 for the year (113.6%)" \
  th_eq "$(jq -c '.flags[1] | [.numerator, .denominator, .percent, .text]' <<<"$rv")" \
  '[67,59,113.6,"Năm 2025: tử số 67 lớn hơn mẫu số 59 (113,6%)"]'
th_check "... the jumps with the quarter before, up and down; the factor is 2" \
  th_eq "$(jq -c '[.factor, (.flags[2:] | map([.previous_denominator, .denominator]))]' <<<"$rv")" '[2,[[10,25],[10,4]]]'
th_check "... a jumping stock is flagged once, as a jump" \
  th_eq "$(jq '[.flags[] | select(.unit.code == "22924")] | length' <<<"$rv")" 2
th_check "... nothing for Bình Hưng, whose data are steady" \
  th_eq "$(jq '[.flags[] | select(.unit.code == "22927")] | length' <<<"$rv")" 0
rv=$($C review --unit 593 --plan "$P" --period 2025Q1 --json)
th_check "review 2025Q1: nothing (no quarter before, nothing above 100%)" th_eq "$(jq -c '[.total, .flags]' <<<"$rv")" '[0,[]]'
rv=$($C review --unit 22921 --plan "$P" --period 2025Q2 --json)
th_check "review 2025Q2 of Phú Hài alone: nothing (each quarter is within 100%)" th_eq "$(jq .total <<<"$rv")" 0

rc=0; out=$(TONGHOP_LANG=vi $C review --unit 593 --plan "$P" --period 2025 2>&1) || rc=$?
th_check "tonghop review exits 0 with flags listed" th_eq "$rc" 0
th_check "... in Vietnamese: Phú Hài's year above 100%" \
  grep -qF "Phường Phú Hài (22921) — CTXH-02, năm 2025: tử số 67 lớn hơn mẫu số 59 (113,6%)" <<<"$out"
th_check "... Phú Thủy's jump in the second quarter" \
  grep -qF "Phường Phú Thủy (22924) — CTXH-01, quý 2/2025: mẫu số tăng từ 10 lên 25" <<<"$out"
th_check "... Mũi Né's stock that changed" grep -qF "Phường Mũi Né (22915) — CTXH-02, quý 2/2025: mẫu số (số tại thời điểm) đổi từ 20 thành 22" <<<"$out"
out=$($C review --unit 593 --plan "$P" --period 2025Q1)
th_check "... and says so when nothing is flagged (English)" grep -q "no value is flagged" <<<"$out"
rv=$($C review --unit 593 --plan "$P" --period 2025 --limit 2 --json)
th_check "--limit 2: the first two flags listed, all counted" \
  th_eq "$(jq -c '[.total >= 3, (.flags | length), [.flags[].unit.code]]' <<<"$rv")" '[true,2,["22915","22921"]]'
out=$($C review --unit 593 --plan "$P" --period 2025 --limit 2)
th_check "... and the words say how many more" grep -qE "^\.\.\. and [0-9]+ more \([0-9]+ in all\): narrow with --unit" <<<"$out"
rc=0; $C review --unit 593 --plan "$P" --period 2025 --limit 0 >/dev/null 2>&1 || rc=$?
th_check "--limit 0: exit 2" th_eq "$rc" 2
rc=0; $C review --unit 593 --plan "$P" --period 2025Q7 >/dev/null 2>&1 || rc=$?
th_check "review with a period that is not one: exit 2" th_eq "$rc" 2
rc=0; $C review --unit 593 --plan 99/KHONG-CO --period 2025 >/dev/null 2>&1 || rc=$?
th_check "review of an unknown plan: exit 4" th_eq "$rc" 4

# --- the report marks them ---------------------------------------------------------
rep=$($C report --plan "$P" --period 2025 --unit 593 --by-child --format json)
th_check "report 2025 of Phan Thiết: flagged values per indicator (CTXH-01 1, CTXH-02 2, CTXH-03 1)" \
  th_eq "$(jq -c '[.indicators[] | .flags // 0]' <<<"$rep")" '[1,2,1,0]'
th_check "... per ward too (Phú Hài: CTXH-02)" \
  th_eq "$(jq -c '.children[] | select(.unit.code == "22921") | [.indicators[] | .flags // 0]' <<<"$rep")" '[0,1,0,0]'
th_check "... quality_notes: four, with unit, indicator, rule and the text in Vietnamese" \
  th_eq "$(jq -c '[.quality_notes_total, (.quality_notes | map([.unit.code, .indicator, .rule]))]' <<<"$rep")" \
  '[4,[["22915","CTXH-02","stock_changed"],["22921","CTXH-02","above_100"],["22924","CTXH-01","denominator_jump"],["22924","CTXH-03","denominator_jump"]]]'
rep=$($C report --plan "$P" --period 2025 --by-child --format json)
th_check "the province's report: the same four values under Phan Thiết" \
  th_eq "$(jq -c '[(.indicators | map(.flags // 0)), (.children[] | select(.unit.code == "593") | .indicators | map(.flags // 0)), .quality_notes_total]' <<<"$rep")" '[[1,2,1,0],[1,2,1,0],4]'
rep=$($C report --plan "$P" --period 2025Q1 --unit 593 --by-child --format json)
th_check "a report without flags has neither flags nor quality_notes (its shape unchanged)" \
  th_eq "$(jq -c '[has("quality_notes"), has("quality_notes_total"), ([.. | objects | select(has("flags"))] | length)]' <<<"$rep")" '[false,false,0]'
out=$(TONGHOP_LANG=vi $C report --plan "$P" --period 2025 --unit 593 --by-child)
th_check "table: ⚑ beside the flagged values, and how many with the command to run" \
  bash -c 'grep -q "^CTXH-02 *[0-9]*/[0-9]* ⚑" <<<"$1" && grep -q "⚑ 4 giá trị" <<<"$1" && grep -qF "tonghop review --unit 593 --plan 1751/KH-UBND --period 2025" <<<"$1"' _ "$out"
out=$($C report --plan "$P" --period 2025Q1 --unit 593 --by-child)
th_check "table without flags: no mark" bash -c '! grep -q "⚑" <<<"$1"' _ "$out"
out=$($C report --plan "$P" --period 2025 --unit 593 --by-child --format html)
th_check "HTML: ⚑ beside the flagged values and the line" \
  bash -c '[ "$(grep -o "class=\"flag\"" <<<"$1" | wc -l)" -ge 7 ] && grep -q "4 value(s) flagged for review" <<<"$1"' _ "$out"
out=$($C report --plan "$P" --period 2025 --unit 593 --by-child --format official)
th_check "official: the data-quality section lists the four, in Vietnamese" \
  bash -c 'grep -q "CHẤT LƯỢNG SỐ LIỆU" <<<"$1" && [ "$(grep -c "<td>Quý 2/2025: mẫu số\|<td>Năm 2025: tử số" <<<"$1")" = 4 ] && grep -q "Năm 2025: tử số 67 lớn hơn mẫu số 59 (113,6%)" <<<"$1"' _ "$out"
out=$($C report --plan "$P" --period 2025Q1 --unit 593 --format official)
th_check "official without flags: no data-quality section" bash -c '! grep -q "CHẤT LƯỢNG SỐ LIỆU" <<<"$1"' _ "$out"

# A correction clears a flag: Mũi Né's second quarter back at 20 staff.
send 22915 2025Q2 3,10 1,20 1,2
rv=$($C review --unit 22915 --plan "$P" --period 2025Q2 --json)
th_check "a corrected value is no longer flagged" th_eq "$(jq .total <<<"$rv")" 0
th_check "the kept candidates are what a rebuild computes" candidates_fresh

# --- with keys: a district reviews its territory only ---------------------------------
th_server_stop
K=$TH_WORK/keys
mkdir -p "$K"
server_pub=$("$TONGHOPD" keygen --secret-file "$K/server.key" | tail -1)
pub=$("$TONGHOP" keygen --secret-file "$K/phan-thiet.key" | tail -1)
"$TONGHOPD" enroll --db "$TH_DSN" --unit 593 --role district --public-key "$pub" --name phan-thiet >/dev/null
TH_SECURE=1 th_server_start --secret-key-file "$K/server.key"
as_pt() { rc=0; out=$("$TONGHOP" review --server "$TH_ENDPOINT" --server-key "$server_pub" --key-file "$K/phan-thiet.key" \
  --timeout 10s --retries 1 "$@" 2>&1) || rc=$?; }
as_pt --unit 22921 --plan "$P" --period 2025 --json
th_check "Phan Thiết's key reviews its ward Phú Hài" bash -c '[ "$1" = 0 ] && [ "$(jq .total <<<"$2")" = 1 ]' _ "$rc" "$out"
as_pt --unit 594 --plan "$P" --period 2025
th_check "... not Thị xã La Gi (594): FORBIDDEN, exit 4, naming 594" bash -c '[ "$1" = 4 ] && grep -q 594 <<<"$2"' _ "$rc" "$out"
as_pt --plan "$P" --period 2025
th_check "... nor the province's (the plan's issuer, 60)" th_eq "$rc" 4
th_server_stop

# --- after the reform: no flag for a merged unit's first quarter -------------------------
"$TONGHOPD" import-units --db "$TH_DSN" --as-of 2025-07-01 --complete \
  --succession "$TH_SRC_DIR/deploy/data/vn-succession-2025-07.csv" "$TH_SRC_DIR/deploy/data/vn-admin-units-2025-07.csv" >/dev/null
th_server_start
C="$TONGHOP --server $TH_ENDPOINT"
# The new Phường Phú Thủy (22924, Phú Hài and Phú Thủy merged): its
# denominators are naturally those of both (CTXH-01 25 → 40, staff 79 → 80)...
send 22924 2025Q3 6,40 5,80 3,6
rv=$($C review --unit 22924 --plan "$P" --period 2025Q3 --json)
th_check "the merged ward's first quarter: no flag" th_eq "$(jq .total <<<"$rv")" 0
# ... then its staff changes from Q3 to Q4 while it does not: flagged.
send 22924 2025Q4 6,40 5,90 3,6
rv=$($C review --unit 22924 --plan "$P" --period 2025 --json)
th_check "review 2025 of the new Phú Thủy: its Q4 stock change, and its predecessor's Q2 jumps" \
  th_eq "$(jq -c '[.flags[] | [.unit.code, .indicator, .quarter, .rule, .previous_denominator, .denominator]]' <<<"$rv")" \
  '[["22924","CTXH-01",2,"denominator_jump",10,25],["22924","CTXH-02",4,"stock_changed",80,90],["22924","CTXH-03",2,"denominator_jump",10,4]]'
rv=$($C review --unit 68 --plan "$P" --period 2025Q3 --json)
th_check "Lâm Đồng's 2025Q3: nothing flagged" th_eq "$(jq -c '[.unit.code, .total]' <<<"$rv")" '["68",0]'
rep=$($C report --plan "$P" --period 2025 --unit 22924 --format json)
th_check "the new ward's year report counts those values" \
  th_eq "$(jq -c '[(.indicators | map(.flags // 0)), .quality_notes_total]' <<<"$rep")" '[[1,1,1,0],3]'
th_check "the kept candidates are still what a rebuild computes" candidates_fresh
th_check "the maintained values are still exact" th_unit_values_fresh
th_finish
