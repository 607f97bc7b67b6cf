#!/usr/bin/env bash
# The indicator catalogue is data: the shipped file publishes as it is; a new
# indicator, published over the network, is used at once by a new plan and a
# commune's submission, without restarting the server; once an indicator has
# results its kind and stock/flow can no longer change (names can); an older
# revision is refused; a refused file changes nothing.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR"/deploy/samples/plans/*.json >/dev/null
th_server_start
shipped=$TH_SRC_DIR/deploy/data/indicator-catalogue.json
pub() { "$TONGHOP" catalogue publish --server "$TH_ENDPOINT" --timeout 5000 "$@"; }
snapshot() { th_sql "SELECT md5(string_agg(i::text, '|' ORDER BY code)) FROM indicators i"; }

rc=0; out=$(pub "$shipped" 2>&1) || rc=$?
th_check "shipped catalogue publishes (exit 0)" th_eq "$rc" 0
th_check "it matches what a fresh install holds: nothing added or changed" grep -q "0 indicator(s) added, 0 changed" <<<"$out"
th_check "the database has its 19 indicators" th_eq "$(th_sql "SELECT count(*) FROM indicators")" 19
rc=0; out=$(pub "$shipped" 2>&1) || rc=$?
th_check "publishing it again changes nothing (exit 0)" th_eq "$rc" 0
th_check "and says so" grep -qi "already stored" <<<"$out"

# Revision 2: a new count indicator for a district's own plan.
python3 - "$shipped" "$TH_WORK/rev2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["revision"] = 2
d["indicators"].append({
    "code": "CTXH-09", "programme": "CTXH",
    "name": "Số người cao tuổi, người khuyết tật được cung cấp dịch vụ công tác xã hội tại cộng đồng",
    "kind": "count",
    "numerator": {"label": "Số người cao tuổi, người khuyết tật lần đầu trong năm được cung cấp dịch vụ công tác xã hội tại cộng đồng trong quý",
                  "aggregation": "flow"},
    "description": "Mỗi quý báo cáo số người được cung cấp dịch vụ lần đầu trong năm."})
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False, indent=1)
PY
rc=0; out=$(pub "$TH_WORK/rev2.json" 2>&1) || rc=$?
th_check "revision 2 with a new indicator: stored" th_eq "$rc" 0
th_check "one indicator added" grep -q "1 indicator(s) added, 0 changed" <<<"$out"

cat >"$TH_WORK/plan.json" <<'JSON'
{
  "format": "tonghop-plan/1",
  "code": "45/KH-UBND",
  "revision": 1,
  "title": "Chăm sóc người cao tuổi, người khuyết tật dựa vào cộng đồng năm 2025",
  "issuer_unit": "593",
  "issuing_body": "Ủy ban nhân dân thành phố Phan Thiết",
  "issued_on": "2025-03-10",
  "years": {"from": 2025, "to": 2025},
  "implements": "1751/KH-UBND",
  "reporting_level": "commune",
  "deadlines": [{"level": "commune", "to": "Phòng Lao động - Thương binh và Xã hội", "date": "2025-11-25"}],
  "programmes": [{"code": "CTXH", "name": "Chương trình phát triển công tác xã hội",
    "targets": [{"indicator": "CTXH-09", "years": {"from": 2025, "to": 2025}, "comparator": ">=", "value": 300}]}]
}
JSON
rc=0; "$TONGHOP" plan publish --server "$TH_ENDPOINT" "$TH_WORK/plan.json" >/dev/null 2>&1 || rc=$?
th_check "a new plan naming the new indicator is accepted without a restart" th_eq "$rc" 0
printf 'indicator,value\nCTXH-09,120\n' >"$TH_WORK/r.csv"
rc=0; th_client submit --server "$TH_ENDPOINT" --unit 22921 --period 2025Q2 --plan 45/KH-UBND "$TH_WORK/r.csv" >/dev/null 2>&1 || rc=$?
th_check "a commune submits a value for it (exit 0)" th_eq "$rc" 0
json=$("$TONGHOP" report --server "$TH_ENDPOINT" --plan 45/KH-UBND --period 2025 --format json)
th_check "the report counts it against the target: 120 of 300" \
  th_eq "$(jq -r '.indicators[] | select(.code == "CTXH-09") | "\(.value) \(.progress) \(.met)"' <<<"$json")" "120 40 false"

# Revision 3 would turn CTXH-09 into a stock: it has results now.
before=$(snapshot)
python3 - "$TH_WORK/rev2.json" "$TH_WORK/rev3-kind.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["revision"] = 3
for i in d["indicators"]:
    if i["code"] == "CTXH-09": i["numerator"]["aggregation"] = "stock"
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY
rc=0; out=$(pub "$TH_WORK/rev3-kind.json" 2>&1) || rc=$?
th_check "stock/flow change of an indicator with results: refused (exit 4)" th_eq "$rc" 4
th_check "the refusal names the field and the indicator" grep -q "indicators\[19\].numerator.aggregation.*CTXH-09" <<<"$out"
python3 - "$TH_WORK/rev2.json" "$TH_WORK/rev3-ratio.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["revision"] = 3
for i in d["indicators"]:
    if i["code"] == "CTXH-01":
        i["kind"] = "count"; del i["denominator"]
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY
rc=0; out=$(pub "$TH_WORK/rev3-ratio.json" 2>&1) || rc=$?
th_check "kind change of an indicator that plans use: refused (exit 4)" th_eq "$rc" 4
th_check "it names the kind field" grep -q "indicators\[0\].kind" <<<"$out"
th_check "the refused revisions changed nothing" th_eq "$(snapshot)" "$before"

# A new name is allowed, through the server-side import too.
python3 - "$TH_WORK/rev2.json" "$TH_WORK/rev3-name.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["revision"] = 3
for i in d["indicators"]:
    if i["code"] == "CTXH-09": i["name"] = "Số người cao tuổi, người khuyết tật được trợ giúp công tác xã hội tại cộng đồng"
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY
rc=0; out=$("$TONGHOPD" import-catalogue --db "$TH_DSN" "$TH_WORK/rev3-name.json" 2>&1) || rc=$?
th_check "a changed name is accepted (tonghopd import-catalogue)" th_eq "$rc" 0
th_check "one indicator changed" grep -q "0 indicator(s) added, 1 changed" <<<"$out"
th_check "the new name is in force" \
  th_eq "$(th_sql "SELECT name FROM indicators WHERE code = 'CTXH-09'")" "Số người cao tuổi, người khuyết tật được trợ giúp công tác xã hội tại cộng đồng"
sed 's/"revision": 3/"revision": 2/' "$TH_WORK/rev3-name.json" >"$TH_WORK/rev2-other.json"
rc=0; out=$(pub "$TH_WORK/rev2-other.json" 2>&1) || rc=$?
th_check "revision 2 again, with other content than stored: refused (exit 4)" th_eq "$rc" 4
th_check "it says which revision comes next" grep -q "must be revision 4" <<<"$out"
rc=0; pub "$TH_WORK/rev2.json" >/dev/null 2>&1 || rc=$?
th_check "revision 2 as it was stored is recognised (exit 0)" th_eq "$rc" 0
rc=0; pub "$shipped" >/dev/null 2>&1 || rc=$?
th_check "the old revision 1, unchanged, is recognised (exit 0)" th_eq "$rc" 0
th_check "and does not bring back the old names" \
  th_eq "$(th_sql "SELECT count(*) FROM indicators WHERE code = 'CTXH-09'")" 1
printf '{"format": "tonghop-catalogue/1", "revision": 4, "indicators": [{"code": "X", "name": "x", "kind": "ratio", "programme": "X"}]}' >"$TH_WORK/bad.json"
rc=0; out=$(pub "$TH_WORK/bad.json" 2>&1) || rc=$?
th_check "a malformed file is refused before sending (exit 3)" th_eq "$rc" 3
th_check "naming the field" grep -q "indicators\[0\]" <<<"$out"
th_finish
