#!/usr/bin/env bash
# Approval (issue #13), with the real client over CURVE: a district approves
# its territory for a plan and a period, which locks those results (a later
# submission is refused PERIOD_LOCKED, naming who approved); the province
# approves once its districts have, or before them when it says so (and that
# is recorded); a reopening needs a reason, and none while a unit above has
# approved; every transition is kept (who: the key; when; why) and shown by
# `tonghop history --plan` and in the reports. After the 2025 reform the
# province approves directly over its communes, and a year's approval locks
# what the old communes sent in the first half.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_keys_init
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR"/deploy/samples/plans/*.json >/dev/null
th_enrol phu-thuy 22924 commune   # Phường Phú Thủy, Thành phố Phan Thiết
th_enrol phu-hai 22921 commune    # Phường Phú Hài, Phan Thiết
th_enrol phuoc-hoi 23231 commune  # Phường Phước Hội, Thị xã La Gi
th_enrol phan-thiet 593 district  # Thành phố Phan Thiết
th_enrol la-gi 594 district       # Thị xã La Gi
th_enrol binh-thuan 60 province   # Tỉnh Bình Thuận
th_enrol binh-hung 22939 commune  # Phường Bình Hưng, Phan Thiết: left no successor in 2025
th_enrol lam-dong-cu 68 province  # Tỉnh Lâm Đồng until June 2025 (not Bình Thuận's territory)
th_enrol bo VN ministry

TH_SECURE=1 th_server_start --secret-key-file "$TH_KEYS/server.key"
P=1751/KH-UBND
th_results_csv "$TH_WORK/r.csv"
sed 's/CTXH-01,3,5/CTXH-01,4,5/' "$TH_WORK/r.csv" >"$TH_WORK/fix.csv"
value() { th_sql "SELECT numerator FROM current_results WHERE unit_code = th_unit_key_in('$1', $2, $3) AND indicator_code = 'CTXH-01' AND year = $2 AND quarter = $3"; }

th_as phu-thuy submit --unit 22924 --period 2025Q2 --plan "$P" "$TH_WORK/r.csv"
th_check "Phú Thủy sends 2025Q2" th_ok
th_as phuoc-hoi submit --unit 23231 --period 2025Q2 --plan "$P" "$TH_WORK/r.csv"
th_check "Phước Hội (La Gi) sends 2025Q2" th_ok

# --- who may approve -----------------------------------------------------------
th_as phu-thuy approve --plan "$P" --period 2025Q2 --unit 22924
th_check "a commune does not approve (its district does)" th_refused "approved by the unit above"
th_as phan-thiet approve --plan "$P" --period 2025Q2 --unit 594
th_check "Phan Thiết's key approving La Gi: FORBIDDEN" th_refused "594" "only the key of the unit itself"
th_as bo approve --plan "$P" --period 2025Q2 --unit 593
th_check "the ministry approves nothing" th_refused "593"
# A unit of another province, outside the plan: refused as not the key's,
# before anything is said of the plan (not "outside the plan's territory").
th_as phan-thiet approve --plan "$P" --period 2025Q2 --unit 001
th_check "Phan Thiết's key approving Ba Đình (Hà Nội, outside the plan): FORBIDDEN, the plan not mentioned" \
  bash -c '[ "$1" = 4 ] && grep -q "only the key of the unit itself" <<<"$2" && ! grep -qi "territory" <<<"$2"' _ \
  "$rc" "$out"
th_as binh-thuan approve --plan "$P" --period 2025Q2 --unit 593
th_check "the province does not approve for a district" th_refused "only the key of the unit itself"
th_as binh-thuan approve --plan "$P" --period 2025Q2 --unit 60
th_check "the province before its districts: refused, naming them" th_refused "593 Thành phố Phan Thiết" \
  "594 Thị xã La Gi" "602 Huyện Phú Quí" "--before-children"
th_as phan-thiet reopen --plan "$P" --period 2025Q2 --unit 593 --reason "thử"
th_check "reopening what is not approved: NOT_APPROVED" th_refused "nothing to reopen"
th_as phan-thiet reopen --plan "$P" --period 2025Q2 --unit 593
th_check "reopening without a reason: a wrong command line" th_eq "$rc" 2
th_as phan-thiet reopen --plan "$P" --period 2025Q2 --unit 593 --reason "   "
th_check "... and with a reason of spaces" th_eq "$rc" 2
th_check "nothing recorded by the refusals" th_eq "$(th_sql "SELECT count(*) FROM approvals")" 0

# --- approve, locked, reopen, corrected --------------------------------------------
th_as phan-thiet approve --plan "$P" --period 2025Q2 --unit 593
th_check "Phan Thiết approves its 2025Q2" th_ok
th_check "... and is told how many units are locked" grep -q "are locked until reopened" <<<"$out"
locked=$(th_sql "SELECT count(DISTINCT l.unit_key) FROM period_locks l JOIN approvals a ON a.id = l.approval_id WHERE a.unit_key = '593'")
expected=$(th_sql "SELECT count(*) FROM th_subtree('593', '2025-06-30')")
th_check "the lock covers Phan Thiết and each of its communes ($expected units)" th_eq "$locked" "$expected"
th_as phan-thiet approve --plan "$P" --period 2025Q2 --unit 593
th_check "approving again changes nothing" bash -c '[ "$1" = 0 ] && grep -q "already approved" <<<"$2"' _ "$rc" "$out"

th_as phu-thuy submit --unit 22924 --period 2025Q2 --plan "$P" "$TH_WORK/fix.csv"
th_check "a correction after approval: PERIOD_LOCKED, naming who approved and the plan" \
  th_refused "field period" "593 Thành phố Phan Thiết" "$P" "tonghop reopen"
th_check "... and the value in force is unchanged" th_eq "$(value 22924 2025 2)" 3
th_as phu-hai submit --unit 22921 --period 2025Q2 --plan "$P" "$TH_WORK/r.csv"
th_check "a first submission of another commune of Phan Thiết: refused too" th_refused "593"
th_as phu-thuy submit --unit 22924 --period 2025Q3 --plan "$P" "$TH_WORK/r.csv"
th_check "another quarter is not locked" th_ok
th_as phuoc-hoi submit --unit 23231 --period 2025Q2 --plan "$P" "$TH_WORK/fix.csv"
th_check "another district's commune is not locked" th_ok
th_check "... its correction is in force" th_eq "$(value 23231 2025 2)" 4

th_as binh-thuan report --plan "$P" --period 2025Q2 --by-child --format json
th_check "the province's report says Phan Thiết approved, and 1 of 10 districts" \
  bash -c 'jq -e "(.children[] | select(.unit.code == \"593\") | .approval.state == \"approved\" and .approval.by == \"593\")
                  and (.children[] | select(.unit.code == \"594\") | .approval == null)
                  and .completeness.children_approved == 1 and .completeness.children == 10 and .approval == null" <<<"$1" >/dev/null' _ "$out"
th_as binh-thuan report --plan "$P" --period 2025Q2 --by-child
th_check "the table says so in words" bash -c 'grep -q "units directly below approved: 1 of 10" <<<"$1" && grep -q "approved .* by 593" <<<"$1"' _ "$out"
th_check "... and counts the communes under each district: Phan Thiết 1 of 18" \
  bash -c 'grep "Thành phố Phan Thiết" <<<"$1" | grep -q "1/1 (1/18 communes)" && grep -q "communes that sent results: 2 of 124" <<<"$1"' _ "$out"
th_as binh-thuan report --plan "$P" --period 2025Q2 --by-child --format official
th_check "so does the official report the province signs" \
  bash -c 'grep -q "TÌNH TRẠNG PHÊ DUYỆT" <<<"$1" && grep -q "Chưa phê duyệt" <<<"$1" && grep -q "Đơn vị trực thuộc đã phê duyệt: 1/10" <<<"$1"' _ "$out"

th_as binh-thuan approve --plan "$P" --period 2025Q2 --unit 60 --before-children
th_check "the province approves before its other districts, saying so" th_ok
th_check "... and is told which had not approved" bash -c 'grep -q "594 Thị xã La Gi" <<<"$1" && ! grep -q "593 Thành phố" <<<"$1"' _ "$out"
th_as phuoc-hoi submit --unit 23231 --period 2025Q2 --plan "$P" "$TH_WORK/r.csv"
th_check "now La Gi's commune is locked too, by the province" th_refused "60 Tỉnh Bình Thuận"

th_as phan-thiet reopen --plan "$P" --period 2025Q2 --unit 593 --reason "Phú Thủy sửa số liệu"
th_check "Phan Thiết cannot reopen while the province's approval stands" th_refused "60 Tỉnh Bình Thuận" "must reopen it first"
th_as phu-thuy reopen --plan "$P" --period 2025Q2 --unit 593 --reason "xin mở"
th_check "a commune cannot reopen its district" th_refused "only the key of the unit that approved"
th_as binh-thuan reopen --plan "$P" --period 2025Q2 --unit 60 --reason "Trả lại để Phan Thiết sửa số liệu Phú Thủy"
th_check "the province reopens, with a reason" th_ok
th_as phan-thiet reopen --plan "$P" --period 2025Q2 --unit 593 --reason "Phú Thủy sửa số liệu CTXH-01"
th_check "then Phan Thiết reopens" th_ok
th_as phu-thuy submit --unit 22924 --period 2025Q2 --plan "$P" "$TH_WORK/fix.csv"
th_check "the correction is accepted now" th_ok
th_check "... and in force" th_eq "$(value 22924 2025 2)" 4
th_check "no lock is left" th_eq "$(th_sql "SELECT count(*) FROM period_locks")" 0
th_as phan-thiet approve --plan "$P" --period 2025Q2 --unit 593
th_check "Phan Thiết approves again" th_ok
th_as binh-thuan report --plan "$P" --period 2025Q2 --approved-only --format json
th_check "the province consolidates from approved data only: Phan Thiết's, not La Gi's" \
  bash -c 'jq -e ".approved_only and (.indicators[] | select(.code == \"CTXH-01\") | .numerator == 4 and .denominator == 5)
                  and .completeness.reported == 1" <<<"$1" >/dev/null' _ "$out"
th_as binh-thuan report --plan "$P" --period 2025Q2 --format json
th_check "... where the whole report has both" \
  bash -c 'jq -e "(.approved_only | not) and (.indicators[] | select(.code == \"CTXH-01\") | .numerator == 8)" <<<"$1" >/dev/null' _ "$out"
th_as binh-thuan report --plan "$P" --period 2025Q2 --approved-only
th_check "... and the table says it is made of approved results only" grep -q "Built from approved results only" <<<"$out"

# --- the record ------------------------------------------------------------------
th_as binh-thuan history --plan "$P" --period 2025Q2 --unit 60
th_check "history lists the five transitions in order" bash -c '
  grep -q "5 change(s)" <<<"$1" &&
  [ "$(grep -E "^[0-9]{2}/" <<<"$1" | awk "{print \$3, \$4}" | tr "\n" ";")" = "593 approved;60 approved;60 reopened;593 reopened;593 approved;" ]' _ "$out"
th_check "... with the reasons, the province's approval before La Gi, and the keys" bash -c '
  grep -q "Trả lại để Phan Thiết" <<<"$1" && grep -q "Phú Thủy sửa số liệu CTXH-01" <<<"$1" &&
  grep -q "before the units below: 594 Thị xã La Gi" <<<"$1" && grep -qF -- "$(cut -c1-8 "$2")" <<<"$1"' _ "$out" "$TH_KEYS/binh-thuan.pub"
th_check "every transition is kept, with the key that made it" th_eq \
  "$(th_sql "SELECT string_agg(u.gso_code || ':' || e.action || ':' || (e.actor_key = k.public_key)::text, ' ' ORDER BY e.id)
               FROM approval_events e JOIN approvals a ON a.id = e.approval_id JOIN units u ON u.code = a.unit_key
               JOIN client_keys k ON k.public_key = e.actor_key")" \
  "593:approve:true 60:approve:true 60:reopen:true 593:reopen:true 593:approve:true"
th_check "the province's early approval is recorded with the districts pending" th_eq \
  "$(th_sql "SELECT before_children AND cardinality(children_pending) = 9 FROM approval_events WHERE action = 'approve' AND approval_id = (SELECT id FROM approvals WHERE unit_key = '60')")" t
th_as phan-thiet history --plan "$P" --period 2025Q2 --unit 60
th_check "a district cannot read the province's history" th_refused "60"
th_check "the audit trail has every approval request, refused ones too" bash -c '[ "$1" -ge 12 ]' _ \
  "$(th_sql "SELECT count(*) FROM audit_log WHERE request = 'approval'")"

# --- a year's approval locks each quarter ----------------------------------------
th_as la-gi approve --plan "$P" --period 2025 --unit 594
th_check "La Gi approves the year 2025" th_ok
th_as phuoc-hoi submit --unit 23231 --period 2025Q1 --plan "$P" "$TH_WORK/r.csv"
th_check "... and a first quarter's submission is refused" th_refused "594 Thị xã La Gi"
th_as binh-thuan approve --plan "$P" --period 2025Q1 --unit 60
th_check "... and counts as La Gi's approval of 2025Q1 when the province approves it" bash -c '
  [ "$2" -ne 0 ] && grep -q "593 Thành phố Phan Thiết" <<<"$1" && ! grep -q "594 Thị xã La Gi" <<<"$1"' _ "$out" "$rc"
th_as binh-thuan approve --plan "$P" --period 2025Q1 --unit 60 --before-children
th_check "the province approves 2025Q1 before Phan Thiết" th_ok
th_as la-gi reopen --plan "$P" --period 2025 --unit 594 --reason "sửa số liệu"
th_check "... and La Gi may not reopen its year while the province has approved one of its quarters" \
  th_refused "60 Tỉnh Bình Thuận"
th_as binh-thuan reopen --plan "$P" --period 2025Q1 --unit 60 --reason "chờ Phan Thiết"
th_check "... the province reopens first" th_ok

# --- a later list changes approved territories: the locks follow --------------------
# A correction list as of 1 January 2025 moves Phường Phước Hội from La Gi
# to Phan Thiết and adds a commune to La Gi (Xã Tân Tiến, 23298: made up
# for the test). Phan Thiết's approval of 2025Q2 must now lock Phước Hội's
# 2025Q2 (its results count there), La Gi's approval of the year must lock
# the new commune and no longer Phước Hội.
cat >"$TH_WORK/correction.csv" <<'CSV'
code,name,name_with_type,type,parent_code,level
23231,Phước Hội,Phường Phước Hội,phuong,593,3
23298,Tân Tiến,Xã Tân Tiến,xa,594,3
CSV
imp=$("$TONGHOPD" import-units --db "$TH_DSN" --lang en --as-of 2025-01-01 "$TH_WORK/correction.csv" 2>&1)
th_check "the import says which approvals follow the new map" \
  grep -qF "2 approval(s) cover territory this list changed: they now lock what counts there (5 lock(s) added, 4 removed)" <<<"$imp"
locks() { th_sql "SELECT string_agg(u.gso_code || ':' || l.quarter, ' ' ORDER BY u.gso_code, l.quarter)
                    FROM period_locks l JOIN approvals a ON a.id = l.approval_id JOIN units u ON u.code = l.unit_key
                   WHERE a.unit_key = '$1' AND l.unit_key IN (th_unit_key('23231', '2025-06-30'), th_unit_key('23298', '2025-06-30'))"; }
th_check "Phan Thiết's 2025Q2 approval now locks Phước Hội's 2025Q2" th_eq "$(locks 593)" "23231:2"
th_check "La Gi's year locks the new commune, and no longer Phước Hội" th_eq "$(locks 594)" "23298:1 23298:2 23298:3 23298:4"
th_as phuoc-hoi submit --unit 23231 --period 2025Q2 --plan "$P" "$TH_WORK/fix.csv"
th_check "Phước Hội's correction of 2025Q2 is refused, naming Phan Thiết" th_refused "593 Thành phố Phan Thiết"
th_as phuoc-hoi submit --unit 23231 --period 2025Q1 --plan "$P" "$TH_WORK/fix.csv"
th_check "... its 2025Q1, in no approved territory now, is accepted" th_ok
th_check "the maintained values follow the new map" th_unit_values_fresh

# --- after the reform: the province over its communes ------------------------------
th_server_stop
"$TONGHOPD" import-units --db "$TH_DSN" --as-of 2025-07-01 --complete \
  --succession "$TH_SRC_DIR/deploy/data/vn-succession-2025-07.csv" "$TH_SRC_DIR/deploy/data/vn-admin-units-2025-07.csv" >/dev/null
th_enrol lam-dong 68 province       # Tỉnh Lâm Đồng, since 1 July 2025
th_enrol phu-thuy-moi 22924 commune # the new Phường Phú Thủy (Phú Hài and Phú Thủy went into it)
th_enrol dong-thap 82 province      # Tỉnh Đồng Tháp, since 1 July 2025 (Cao Lãnh's territory)
pub=$("$TONGHOP" keygen --secret-file "$TH_KEYS/phan-thiet-2.key" | tail -1)
rc=0; out=$("$TONGHOPD" enroll --db "$TH_DSN" --unit 593 --role district --public-key "$pub" 2>&1) || rc=$?
th_check "enrolling a key for Phan Thiết (593), gone since July: refused, naming where it went" \
  bash -c '[ "$1" = 1 ] && grep -q "2025-07-01: 68 Tỉnh Lâm Đồng" <<<"$2" && grep -q -- "--as-of" <<<"$2"' _ "$rc" "$out"
rc=0; out=$("$TONGHOPD" enroll --db "$TH_DSN" --unit 593 --role district --public-key "$pub" --as-of 2025-06-30 2>&1) || rc=$?
th_check "... and accepted as of 30 June 2025, to close its own periods" \
  bash -c '[ "$1" = 0 ] && grep -q "593 (Thành phố Phan Thiết)" <<<"$2"' _ "$rc" "$out"
TH_SECURE=1 th_server_start --secret-key-file "$TH_KEYS/server.key"
th_as phu-thuy-moi submit --unit 22924 --period 2025Q3 --plan "$P" "$TH_WORK/r.csv"
th_check "the new Phú Thủy sends 2025Q3" th_ok
th_as lam-dong approve --plan "$P" --period 2025Q3 --unit 68
th_check "Lâm Đồng approves 2025Q3 over its communes, no district to wait for" th_ok
th_as lam-dong report --plan "$P" --period 2025Q3 --unit 68 --format json
th_check "... and its report counts no unit below that approves in turn (communes are approved above them)" \
  bash -c 'jq -e ".approval.state == \"approved\" and .completeness.children == 0" <<<"$1" >/dev/null' _ "$out"
th_as phu-thuy-moi submit --unit 22924 --period 2025Q3 --plan "$P" "$TH_WORK/fix.csv"
th_check "the new commune's correction is refused" th_refused "68 Tỉnh Lâm Đồng"
th_as phu-hai submit --unit 22921 --period 2025Q1 --plan "$P" "$TH_WORK/r.csv"
th_check "old Phú Hài may still send its first quarter (not approved)" th_ok
th_as lam-dong approve --plan "$P" --period 2025 --unit 68
th_check "Lâm Đồng approves the year 2025" th_ok
th_as phu-hai submit --unit 22921 --period 2025Q1 --plan "$P" "$TH_WORK/fix.csv"
th_check "... which locks what old Phú Hài sent in the first half (it counts in Lâm Đồng's year)" th_refused "68 Tỉnh Lâm Đồng"
th_as binh-hung submit --unit 22939 --period 2025Q1 --plan "$P" "$TH_WORK/r.csv"
th_check "... and what Bình Hưng (no successor: through Phan Thiết and Bình Thuận) would send" th_refused "68 Tỉnh Lâm Đồng"
th_as lam-dong-cu submit --unit 68 --period 2025Q1 "$TH_WORK/r.csv"
th_check "... but not old Lâm Đồng's own first quarter, which does not count in Bình Thuận's plan" th_ok
th_check "the maintained values are still exact" th_unit_values_fresh
th_as phan-thiet reopen --plan "$P" --period 2025Q2 --unit 593 --reason "Phú Thủy sửa số liệu"
th_check "Phan Thiết cannot reopen its 2025Q2 while Lâm Đồng's year, over its territory now, stands" \
  th_refused "68 Tỉnh Lâm Đồng"
th_as lam-dong reopen --plan "$P" --period 2025 --unit 68 --reason "Trả lại để Phan Thiết sửa"
th_check "Lâm Đồng reopens its year" th_ok
th_as lam-dong reopen --plan "$P" --period 2025Q2 --unit 593 --reason "Phan Thiết không còn: tỉnh mở lại"
th_check "... and may reopen old Phan Thiết's 2025Q2 itself (its territory is Lâm Đồng's now)" th_ok
th_as phu-thuy submit --unit 22924 --period 2025Q2 --plan "$P" "$TH_WORK/fix.csv"
th_check "... after which old Phú Thủy's correction of 2025Q2 is stored" th_ok

# A period is approved once it has ended: the last quarter of this year
# (Cao Lãnh's plan runs to 2030) is refused until the day after its last day.
y=$(date -u -d "+7 hours" +%Y)  # the year in Vietnam
th_as dong-thap approve --plan KH-UBND-HCL-2021-2030 --period "${y}Q4" --unit 82
th_check "approving ${y}Q4 before it ends: refused, naming the field and its last day" \
  th_refused "field approval.period" "$y-12-31" "has not ended"
th_check "... and nothing recorded" th_eq "$(th_sql "SELECT count(*) FROM approvals WHERE year = $y")" 0
th_finish
