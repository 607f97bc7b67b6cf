#!/usr/bin/env bash
# The README's worked example of two communes merging on 1 July 2025, number
# for number: Phường Mũi Né (22915) and Xã Thiện Nghiệp (22957) of Phan
# Thiết became the new Phường Mũi Né (22918) of Lâm Đồng.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
"$TONGHOPD" import-units --db "$TH_DSN" --as-of 2025-07-01 --complete \
  --succession "$TH_SRC_DIR/deploy/data/vn-succession-2025-07.csv" \
  "$TH_SRC_DIR/deploy/data/vn-admin-units-2025-07.csv" >/dev/null
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR/deploy/samples/plans/binh-thuan-2025-1751-KH-UBND.json" >/dev/null
th_server_start
C="$TONGHOP --server $TH_ENDPOINT"
send() { # send UNIT PERIOD CTXH-01 CTXH-02
  printf 'indicator,numerator,denominator\nCTXH-01,%s\nCTXH-02,%s\n' "${3/\//,}" "${4/\//,}" >"$TH_WORK/r.csv"
  $C submit --unit "$1" --period "$2" "$TH_WORK/r.csv" >/dev/null
}
ratio() { # ratio JSON CODE
  jq -r --arg c "$2" '.indicators[] | select(.code == $c) | "\(.numerator)/\(.denominator)"' <<<"$1"
}
send 22915 2025Q1 3/6 1/9
send 22915 2025Q2 3/6 2/9
send 22957 2025Q1 2/4 1/5
send 22957 2025Q2 2/4 0/5

rep=$($C report --plan 1751/KH-UBND --period 2025 --unit 22918 --format json)
th_check "silent new commune: CTXH-01 5/10, carried from the predecessors' Q2" th_eq "$(ratio "$rep" CTXH-01)" 5/10
th_check "silent new commune: CTXH-02 4/14" th_eq "$(ratio "$rep" CTXH-02)" 4/14
th_check "marked as carried" \
  th_eq "$(jq -c '[.indicators[] | select(.code == "CTXH-01" or .code == "CTXH-02") | .carried_from_predecessors]' <<<"$rep")" "[1,1]"

send 22918 2025Q3 6/11 3/15
send 22918 2025Q4 7/11 2/15
rep=$($C report --plan 1751/KH-UBND --period 2025 --unit 22918 --format json)
th_check "the year: CTXH-01 7/11, the new commune's own Q4" th_eq "$(ratio "$rep" CTXH-01)" 7/11
th_check "the year: CTXH-02 9/15, every quarter's trained over the staff at year end" th_eq "$(ratio "$rep" CTXH-02)" 9/15
th_check "nothing carried any more" th_eq "$(jq '[.indicators[] | .carried_from_predecessors // 0] | add' <<<"$rep")" 0
rep=$($C report --plan 1751/KH-UBND --period 2025 --unit 68 --format json)
th_check "the same numbers for Lâm Đồng (only this commune reported)" \
  th_eq "$(ratio "$rep" CTXH-01) $(ratio "$rep" CTXH-02)" "7/11 9/15"
rep=$($C report --plan 1751/KH-UBND --period 2025Q2 --by-child --format json)
th_check "2025Q2: the two old communes under Thành phố Phan Thiết" \
  th_eq "$(jq -r '.children[] | select(.unit.code == "593") | "\(.unit.name) \(.indicators[0].numerator)/\(.indicators[0].denominator)"' <<<"$rep")" \
        "Thành phố Phan Thiết 5/10"
rep=$($C report --plan 1751/KH-UBND --period 2025Q3 --unit 22918 --format json)
th_check "2025Q3: the new commune alone, by its new name" \
  th_eq "$(jq -r '.unit.name' <<<"$rep") $(ratio "$rep" CTXH-01)" "Phường Mũi Né 6/11"

# Units that left no successor hand on to the unit above: Phường Bình Hưng
# (22939) to Phan Thiết (593), which left none either, to Bình Thuận, to
# Lâm Đồng. Bình Hưng's stock and Phan Thiết's own stood side by side until
# July: both are carried, added up; Lâm Đồng's own Q4 then stands for both.
send 22939 2025Q1 1/40 0/4
send 22939 2025Q2 2/4 1/4
send 593 2025Q1 1/3 1/2
rep=$($C report --plan 1751/KH-UBND --period 2025 --unit 68 --format json)
th_check "Lâm Đồng silent itself: Bình Hưng's and Phan Thiết's own stocks both carried (7/11 + 2/4 + 1/3)" \
  th_eq "$(ratio "$rep" CTXH-01) $(ratio "$rep" CTXH-02)" "10/18 11/21"
th_check "... and Bình Hưng's Q2 denominator that fell from 40 to 4 is flagged in Lâm Đồng's year" \
  th_eq "$(jq -c '[.quality_notes[] | select(.unit.code == "22939") | [.indicator, .quarter, .rule]]' <<<"$rep")" \
        '[["CTXH-01",2,"denominator_jump"]]'
th_check "by commune, the report says why the total is more than its rows add up to" \
  bash -c '$1 report --plan 1751/KH-UBND --period 2025 --unit 68 --by-child | grep -q "Tỉnh Lâm Đồng (68) itself holds results in none of the rows below"' _ "$C"
th_check "... as tonghop review lists it" \
  bash -c '$1 review --plan 1751/KH-UBND --period 2025 --unit 68 | grep -q "Bình Hưng (22939)"' _ "$C"
send 68 2025Q4 4/8 0/8
rep=$($C report --plan 1751/KH-UBND --period 2025 --unit 68 --format json)
th_check "Lâm Đồng's own Q4 stands for them: 7/11 + 4/8; the flows still add up (9/15 + (1+1+0)/8)" \
  th_eq "$(ratio "$rep" CTXH-01) $(ratio "$rep" CTXH-02)" "11/19 11/23"
th_finish
