#!/usr/bin/env bash
# Deadlines (issue #13), with the real server on a test clock and the real
# client: lateness exactly at the end of the deadline day in Vietnam time
# (23:59:59+07:00 on time, 00:00:00+07:00 the next day late, both stored,
# the ack says late), a days_after_quarter deadline, a January deadline for
# the previous year's report, the report's on-time count from the same
# rule, and `tonghop due`: who has not reported and who was late, the most
# urgent first, in Vietnamese, and refused (FORBIDDEN) outside the key's
# territory. Units: Thành phố Phan Thiết (593, Bình Thuận, 2024 map) and its
# wards Mũi Né 22915, Phú Hài 22921, Phú Thủy 22924.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
clock=$TH_WORK/clock
at() { echo "$1" >"$clock"; }

# plan CODE DEADLINES-JSON: a commune-level plan of Phan Thiết for 2025.
plan() {
  cat >"$TH_WORK/plan-${1//\//_}.json" <<JSON
{"format": "tonghop-plan/1", "code": "$1", "revision": 1,
 "title": "Kế hoạch thử hạn nộp $1", "issuer_unit": "593",
 "issuing_body": "Ủy ban nhân dân thành phố Phan Thiết", "issued_on": "2025-03-01",
 "years": {"from": 2025, "to": 2025}, "reporting_level": "commune",
 "deadlines": $2,
 "programmes": [{"code": "CTXH", "name": "Chương trình phát triển công tác xã hội",
   "targets": [{"indicator": "CTXH-01", "years": {"from": 2025, "to": 2025}, "comparator": ">=", "value": 50},
               {"indicator": "CTXH-02", "years": {"from": 2025, "to": 2025}, "comparator": ">=", "value": 30}]}]}
JSON
  "$TONGHOPD" import-plan --db "$TH_DSN" "$TH_WORK/plan-${1//\//_}.json" >/dev/null
}
# A: a fixed date, 25/11 (the Cao Lãnh way). B: 15 days after each quarter,
# and a date for the year. C: 10 January 2026, for the 2025 report.
plan 01/KH-HAN '[{"level": "commune", "to": "UBND thành phố", "date": "2025-11-25"}]'
plan 02/KH-HAN '[{"level": "commune", "to": "UBND thành phố", "days_after_quarter": 15},
                 {"level": "commune", "to": "UBND thành phố", "date": "2025-12-20"}]'
plan 03/KH-HAN '[{"level": "commune", "to": "UBND thành phố", "date": "2026-01-10"}]'
th_check "a January deadline is stored for the year before (the plan's year)" \
  th_eq "$(th_sql "SELECT for_year FROM plan_deadlines d JOIN plans p ON p.id = d.plan_id WHERE p.code = '03/KH-HAN'")" 2025
th_check "an offset deadline is stored as days, for every year" \
  th_eq "$(th_sql "SELECT days_after_quarter || '/' || coalesce(for_year::text, '-') FROM plan_deadlines d JOIN plans p ON p.id = d.plan_id WHERE p.code = '02/KH-HAN' AND due_on IS NULL")" "15/-"

at 2025-10-15T23:59:59+07:00
th_server_start --test-clock "$clock"
th_check "the server warns loudly that it runs on a test clock" grep -q "TEST CLOCK" "$TH_WORK/server.log"
C="$TONGHOP --server $TH_ENDPOINT"
th_results_csv "$TH_WORK/r.csv"
send() { # send UNIT PERIOD PLAN: output in $out, exit code in $rc
  rc=0
  out=$($C submit --unit "$1" --period "$2" --plan "$3" "$TH_WORK/r.csv" 2>&1) || rc=$?
}

# --- days_after_quarter: 2025Q3 is due 15 days after 30/09, on 15/10/2025 ---
send 22921 2025Q3 02/KH-HAN
th_check "offset deadline: 23:59:59+07:00 on 15/10 is stored" th_eq "$rc" 0
th_check "... and not late" bash -c '! grep -qi late <<<"$1"' _ "$out"
th_check "the test clock is the time received" \
  th_eq "$(th_sql "SELECT to_char(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI:SS') FROM submissions WHERE unit_code = '22921'")" "2025-10-15 23:59:59"
at 2025-10-16T00:00:00+07:00
send 22924 2025Q3 02/KH-HAN
th_check "offset deadline: 00:00:00+07:00 on 16/10 is stored too" th_eq "$rc" 0
th_check "... and the ack says late, due 15/10/2025" grep -q "late: the deadline was 15/10/2025" <<<"$out"

# --- a fixed date: 25/11/2025, exactly at the boundary ----------------------
at 2025-11-25T23:59:59+07:00
send 22915 2025Q3 01/KH-HAN
th_check "fixed date: 23:59:59+07:00 on 25/11 stored, not late" \
  bash -c '[ "$1" = 0 ] && ! grep -qi late <<<"$2"' _ "$rc" "$out"
at 2025-11-25T17:00:00Z   # the same instant as 26/11 00:00 in Vietnam
rc=0; out=$(TONGHOP_LANG=vi $C submit --unit 22918 --period 2025Q3 --plan 01/KH-HAN "$TH_WORK/r.csv" 2>&1) || rc=$?
th_check "fixed date: 00:00:00+07:00 on 26/11 (17:00 UTC) stored" th_eq "$rc" 0
th_check "... and the ack says so in Vietnamese: nộp muộn, hạn 25/11/2025" grep -q "Đã nhận, nộp muộn: hạn 25/11/2025" <<<"$out"
th_check "a submission without a plan gets no deadline" bash -c '
  out=$('"$C"' submit --unit 22927 --period 2025Q3 "$1" 2>&1) && ! grep -qi late <<<"$out"' _ "$TH_WORK/r.csv"

# The report counts on time by the same rule: plan 01 for 2025Q3 has its
# year's date, 25/11; of the five wards that sent Q3 (22921 and 22924 in
# October, 22915 at 23:59:59 on the day, 22918 and 22927 at midnight),
# three in time.
rep=$($C report --plan 01/KH-HAN --period 2025Q3 --unit 593 --format json)
th_check "report 01 2025Q3: deadline 25/11/2025, 5 reported, 3 on time" \
  th_eq "$(jq -c '[.deadline.date, .completeness.reported, .completeness.on_time]' <<<"$rep")" '["2025-11-25",5,3]'
rep=$($C report --plan 02/KH-HAN --period 2025Q3 --unit 593 --format json)
th_check "report 02 2025Q3: the offset deadline 15/10/2025, 1 of 5 on time" \
  th_eq "$(jq -c '[.deadline.date, .completeness.reported, .completeness.on_time]' <<<"$rep")" '["2025-10-15",5,1]'
rep=$($C report --plan 02/KH-HAN --period 2025 --unit 593 --format json)
th_check "report 02 for the year: the year's date, 20/12/2025" th_eq "$(jq -r '.deadline.date' <<<"$rep")" 2025-12-20

# --- a January deadline for the 2025 report ----------------------------------
at 2026-01-10T12:00:00+07:00
send 22921 2025Q4 03/KH-HAN
th_check "January deadline: 10/01/2026 is in time for 2025Q4" bash -c '[ "$1" = 0 ] && ! grep -qi late <<<"$2"' _ "$rc" "$out"
at 2026-01-11T00:00:00+07:00
send 22924 2025Q4 03/KH-HAN
th_check "January deadline: 11/01/2026 00:00 is late, due 10/01/2026" grep -q "late: the deadline was 10/01/2026" <<<"$out"
rep=$($C report --plan 03/KH-HAN --period 2025 --unit 593 --format json)
th_check "report 03 for 2025: the January deadline applies" th_eq "$(jq -r '.deadline.date' <<<"$rep")" 2026-01-10

# --- tonghop due --------------------------------------------------------------
due=$($C due --unit 593 --period 2025Q4 --json)
th_check "due: the most urgent first (25/11 overdue, 10/01 overdue, 15/01 to come)" \
  th_eq "$(jq -c '[.items[] | [.plan.code, .deadline.date]]' <<<"$due")" \
  '[["01/KH-HAN","2025-11-25"],["03/KH-HAN","2026-01-10"],["02/KH-HAN","2026-01-15"]]'
th_check "due: time left from the test clock (46 days over, 0 to 10/01, 5 days to 15/01)" \
  th_eq "$(jq -c '[.items[] | .seconds_left]' <<<"$due")" "[$((-46 * 86400)),0,$((5 * 86400))]"
th_check "due: plan 03 2025Q4: 22921 on time, 22924 late, the others missing" \
  th_eq "$(jq -c '.items[1] | [.reported, (.late | map(.code)), (.missing | map(.code) | index("22921")), (.missing | map(.code) | index("22915") != null)]' <<<"$due")" \
  '[2,["22924"],null,true]'
th_check "due: every ward of Phan Thiết expected" \
  th_eq "$(jq -r '.items[1].expected' <<<"$due")" "$(th_sql "SELECT count(*) FROM units WHERE parent_code = '593'")"
due=$($C due --unit 593 --plan 01/KH-HAN --period 2025Q3 --json)
th_check "due --plan 01 2025Q3: late 22918 and 22927 (midnight), not 22915 (23:59:59)" \
  th_eq "$(jq -c '[.items[] | .late | map(.code)] ' <<<"$due")" '[["22918","22927"]]'
th_check "due: the late ward's time received, in Vietnam time" \
  th_eq "$(jq -r '.items[0].late[0].received_at' <<<"$due")" "2025-11-26T00:00:00+07:00"
out=$(TONGHOP_LANG=vi $C due --unit 593 --period 2025Q4)
th_check "due in Vietnamese: overdue, time left, who has not reported, who was late" \
  bash -c 'grep -q "QUÁ HẠN 46 ngày" <<<"$1" && grep -q "còn 5 ngày" <<<"$1" && grep -q "Chưa báo cáo" <<<"$1" && grep -q "Báo cáo muộn (1)" <<<"$1" && grep -q "22924 *Phường Phú Thủy" <<<"$1"' _ "$out"
th_check "due: the Vietnamese listing puts the overdue plan first" \
  th_eq "$(grep -o '^[0-9]\. [0-9/A-Z-]*' <<<"$out" | tr '\n' ' ')" "1. 01/KH-HAN 2. 03/KH-HAN 3. 02/KH-HAN "
due=$($C due --unit 593 --json)
th_check "due without --period: the current quarter by the clock (2026Q1: nothing in force)" \
  th_eq "$(jq -c '[.period, (.items | length)]' <<<"$due")" '["2026Q1",0]'
rc=0; $C due --unit 593 --plan 99/KHONG-CO --period 2025Q4 >/dev/null 2>&1 || rc=$?
th_check "due of an unknown plan: exit 4" th_eq "$rc" 4
rc=0; $C due --unit 593 --period 2025Q5 >/dev/null 2>&1 || rc=$?
th_check "due with a period that is not one: exit 2" th_eq "$rc" 2

# --- with keys: a district reads its territory only ---------------------------
th_server_stop
K=$TH_WORK/keys
mkdir -p "$K"
server_pub=$("$TONGHOPD" keygen --secret-file "$K/server.key" | tail -1)
pub=$("$TONGHOP" keygen --secret-file "$K/phan-thiet.key" | tail -1)
"$TONGHOPD" enroll --db "$TH_DSN" --unit 593 --role district --public-key "$pub" --name phan-thiet >/dev/null
TH_SECURE=1 th_server_start --secret-key-file "$K/server.key" --test-clock "$clock"
as_pt() { rc=0; out=$("$TONGHOP" due --server "$TH_ENDPOINT" --server-key "$server_pub" --key-file "$K/phan-thiet.key" \
  --timeout 5s --retries 1 "$@" 2>&1) || rc=$?; }
as_pt --period 2025Q4 --json
th_check "due with a district key and no --unit: its own unit" \
  bash -c '[ "$1" = 0 ] && [ "$(jq -r .unit.code <<<"$2")" = 593 ]' _ "$rc" "$out"
as_pt --unit 22924 --period 2025Q4 --json
th_check "due of a ward of its own: allowed" th_eq "$rc" 0
as_pt --unit 594 --period 2025Q4
th_check "due of Thị xã La Gi (594) with Phan Thiết's key: FORBIDDEN (exit 4), naming 594" \
  bash -c '[ "$1" = 4 ] && grep -q 594 <<<"$2"' _ "$rc" "$out"
audited() { for _ in $(seq 50); do [ "$(th_sql "SELECT count(*) FROM audit_log WHERE request = 'due' AND outcome = 'FORBIDDEN' AND target = '594'")" = 1 ] && return 0; sleep 0.1; done; return 1; }
th_check "the refusal is in the audit trail" audited

# In SQL (an operator's psql): what is due with no unit given is refused as
# a missing unit_code, not with PostgreSQL's own "RAISE ... cannot be null".
th_check "by SQL: th_due without a unit: SQLSTATE TH004 on column unit_code" \
  th_eq "$(psql "$TH_DSN" -X -q -v VERBOSITY=verbose -c "SELECT th_due(NULL, NULL, '2025Q3')" 2>&1 | grep -Eo 'TH004|COLUMN NAME:  unit_code' | paste -sd,)" \
  "TH004,COLUMN NAME:  unit_code"

th_finish
