#!/usr/bin/env bash
# The unit tree changes (the July 2025 reform): results keep rolling up where
# they belonged in their own period. A commune merged away may still report
# for quarters before the merge, not after.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_server_start
csv=$TH_WORK/r.csv
th_results_csv "$csv"

# Xã Tiến Thành (22966) of Thành phố Phan Thiết (593) reports for 2023Q4.
rc=0; th_client submit --server "$TH_ENDPOINT" --unit 22966 --period 2023Q4 "$csv" >/dev/null || rc=$?
th_check "2023Q4 stored for Xã Tiến Thành" th_eq "$rc" 0

# The reform, as of 2025-07-01: the district tier of Bình Thuận is removed,
# its communes hang directly from the province; Xã Tiến Lợi (22963) is merged
# away (absent from the new list). The rest of the country is unchanged.
new=$TH_WORK/units-2025-07.csv
awk -F, 'BEGIN { OFS = "," }
  NR == 1 { print; next }
  $1 == "22963" { next }
  $5 ~ /^(59[3-9]|60[0-2])$/ { $5 = "60"; $6 = 2 }
  $1 ~ /^(59[3-9]|60[0-2])$/ { next }
  { print }' "$TH_SRC_DIR/deploy/data/vn-admin-units-2024.csv" >"$new"
out=$("$TONGHOPD" import-units --db "$TH_DSN" --as-of 2025-07-01 --complete "$new")
th_check "reform import reports moved and dissolved units" grep -q "ceased to exist, as of 2025-07-01" <<<"$out"

subtree_has() { th_sql "SELECT count(*) FROM th_subtree('$1', DATE '$2') WHERE code = '$3'"; }
th_check "2023: Tiến Thành still under Phan Thiết" th_eq "$(subtree_has 593 2023-12-31 22966)" 1
th_check "2023: Phan Thiết still under Bình Thuận" th_eq "$(subtree_has 60 2023-12-31 593)" 1
th_check "2025Q3: Phan Thiết no longer exists" th_eq "$(th_sql "SELECT count(*) FROM th_subtree('593', DATE '2025-09-30')")" 0
th_check "2025Q3: Tiến Thành directly under Bình Thuận" th_eq "$(th_sql "SELECT depth FROM th_subtree('60', DATE '2025-09-30') WHERE code = '22966'")" 1
th_check "2023: province subtree has three levels" th_eq "$(th_sql "SELECT max(depth) FROM th_subtree('60', DATE '2023-12-31')")" 2
th_check "the 2023 result is still attributed to the commune" th_eq "$(th_sql "SELECT count(*) FROM current_results WHERE unit_code = '22966' AND year = 2023")" 4
th_check "Hà Nội untouched" th_eq "$(th_sql "SELECT count(*) FROM unit_parents WHERE valid_to IS NOT NULL AND unit_code LIKE '00%'")" 0

# Xã Tiến Lợi, merged away on 2025-07-01.
rc=0; th_client submit --server "$TH_ENDPOINT" --unit 22963 --period 2025Q2 "$csv" >/dev/null || rc=$?
th_check "a merged commune may still report for 2025Q2" th_eq "$rc" 0
rc=0; e=$(th_client submit --server "$TH_ENDPOINT" --unit 22963 --period 2025Q3 "$csv" 2>&1) || rc=$?
th_check "but not for 2025Q3" th_eq "$rc" 4
th_check "the refusal names the unit and the date it ceased" grep -q "22963 2025-07-01" <<<"$e"

# A period is reported on the territory as it stands on its last day, and
# every result counts there once. The 2025 report of Bình Thuận still counts
# the merged commune's 2025Q2 results (it left no successor in this test, so
# they count in the unit that held its territory: the province); Phan Thiết
# no longer exists on 31/12/2025, so it is no row of the year report. The
# 2025Q2 report shows the tree of 30/06/2025.
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR/tests/data/plans/kiem-thu-binh-thuan-2025.json" >/dev/null
rep=$("$TONGHOP" report --server "$TH_ENDPOINT" --plan 99/KH-KIEMTHU --period 2025 --by-child --format json)
th_check "2025 report: the merged commune's Q2 values count" \
  th_eq "$(jq -c '.indicators[] | select(.code == "CTXH-01") | [.numerator, .denominator, .units_reporting]' <<<"$rep")" "[3,5,1]"
th_check "2025 report: Phan Thiết, ceased, is no row of it" \
  th_eq "$(jq -c '[.children[] | select(.unit.code == "593")] | length' <<<"$rep")" "0"
th_check "2025 report: completeness counts the units that exist on 31/12 (the merged commune is not one)" \
  th_eq "$(jq -c '.completeness | [.reported]' <<<"$rep")" "[0]"
rep=$("$TONGHOP" report --server "$TH_ENDPOINT" --plan 99/KH-KIEMTHU --period 2025Q2 --by-child --format json)
th_check "2025Q2 report: under Phan Thiết, where it was then" \
  th_eq "$(jq -c '.children[] | select(.unit.code == "593") | .indicators[] | select(.code == "CTXH-01") | [.numerator, .denominator]' <<<"$rep")" "[3,5]"
th_check "2025Q2 report: it was expected to report, and did" th_eq "$(jq -c '.completeness | [.reported]' <<<"$rep")" "[1]"
rc=0; e=$("$TONGHOP" report --server "$TH_ENDPOINT" --plan 99/KH-KIEMTHU --period 2025 --unit 593 2>&1) || rc=$?
th_check "a report of Phan Thiết for 2025, after it ceased: refused (exit 4), with the date" \
  bash -c '[ "$1" = 4 ] && grep -q "2025-07-01" <<<"$2"' _ "$rc" "$e"

# Importing the same reform file again changes nothing.
before=$(th_sql "SELECT count(*) || '/' || count(valid_to) FROM unit_parents")
"$TONGHOPD" import-units --db "$TH_DSN" --as-of 2025-07-01 --complete "$new" >/dev/null
th_check "re-importing the reform changes nothing" th_eq "$(th_sql "SELECT count(*) || '/' || count(valid_to) FROM unit_parents")" "$before"
# History is recorded in order: a change dated before the last one is refused
# (it would give a unit two parents at once), and so is an undated one.
rc=0; e=$("$TONGHOPD" import-units --db "$TH_DSN" --as-of 2025-01-01 "$TH_SRC_DIR/deploy/data/vn-admin-units-2024.csv" 2>&1) || rc=$?
th_check "back-dated import refused" th_eq "$rc" 1
th_check "back-dated import names the last change" grep -q "2025-07-01" <<<"$e"
rc=0; "$TONGHOPD" import-units --db "$TH_DSN" "$TH_SRC_DIR/deploy/data/vn-admin-units-2024.csv" >/dev/null 2>&1 || rc=$?
th_check "undated import after a dated change refused" th_eq "$rc" 1
th_check "and nothing changed" th_eq "$(th_sql "SELECT count(*) || '/' || count(valid_to) FROM unit_parents")" "$before"
th_finish
