#!/usr/bin/env bash
# The report's printable HTML page, rendered in headless Chromium (the
# screenshot is kept in the build tree's test-artifacts/), and the exports
# for national systems: ADX validated against the public schema, DHIS2
# dataValueSets checked for structure and periods.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR/tests/data/plans/kiem-thu-binh-thuan-2025.json" >/dev/null
th_server_start
C="$TONGHOP --server $TH_ENDPOINT"
PLAN=99/KH-KIEMTHU
for f in "$TH_SRC_DIR"/deploy/samples/results/*-2025Q3.csv; do
  $C submit --unit "$(basename "$f" | cut -d- -f1)" --period 2025Q3 "$f" >/dev/null
done
printf 'indicator,value\nCTXH-05,640\n' >"$TH_WORK/dao-tao.csv"
$C submit --unit 22915 --period 2025Q3 "$TH_WORK/dao-tao.csv" >/dev/null

# HTML, opened in Chromium.
html=$TH_WORK/bao-cao.html
TONGHOP_LANG=vi $C report --plan $PLAN --period 2025Q3 --by-child --format html --output "$html"
th_check "HTML: one self-contained page (no scripts, no external files)" \
  bash -c "! grep -Eq '<script|<link|src=|url\\(' '$html'"
artifacts=${TH_ARTIFACT_DIR:-$TH_WORK}
mkdir -p "$artifacts"
png=$artifacts/report-2025Q3.png
chrome() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$TH_WORK/chromium" --hide-scrollbars "$@" 2>/dev/null
}
rm -f "$png"
chrome --window-size=1000,1400 --screenshot="$png" "file://$html" >/dev/null || true
th_check "Chromium rendered a screenshot ($png)" test -s "$png"
th_check "the screenshot shows the report: not blank, met bars green, missed bars red" \
  python3 "$TH_SRC_DIR/tests/integration/png_check.py" "$png" 1000 1400
dom=$(chrome --dump-dom "file://$html" || true)
th_check "the rendered page has a bar per indicator" th_eq "$(grep -o 'class="bar"' <<<"$dom" | wc -l)" 5
th_check "the rendered page has the per-district table" th_eq "$(grep -o '<tr>' <<<"$dom" | wc -l)" 11
th_check "the rendered page is in Vietnamese" grep -q "Kết quả theo chỉ tiêu" <<<"$dom"

# ADX: valid against the public schema, ISO periods.
adx=$TH_WORK/export.adx.xml
$C export --plan $PLAN --period 2025Q3 --format adx --output "$adx"
th_check "ADX validates against adx_loose.xsd" \
  xmllint --noout --schema "$TH_SRC_DIR/tests/data/adx-schema/adx_loose.xsd" "$adx"
th_check "ADX periods are ISO 8601 start/duration" \
  th_eq "$(grep -o 'period="[^"]*"' "$adx" | sort -u)" 'period="2025-07-01/P3M"'
th_check "ADX: province, two districts and their communes... just the units with data" \
  th_eq "$(grep -c '<group ' "$adx")" 3
th_check "ADX: the province's CTXH-01 numerator" grep -q 'dataElement="CTXH-01" value="15" component="NUMERATOR"' "$adx"
$C export --plan $PLAN --period 2025 --format adx --output "$TH_WORK/year.adx.xml"
th_check "ADX year period" grep -q 'period="2025-01-01/P1Y"' "$TH_WORK/year.adx.xml"

# DHIS2 dataValueSets.
dv=$($C export --plan $PLAN --period 2025Q3 --format dhis2)
th_check "DHIS2: valid JSON with DHIS2 periods" th_eq "$(jq -r '[.dataValues[].period] | unique | join(",")' <<<"$dv")" 2025Q3
th_check "DHIS2: the province's CTXH-05 count" \
  th_eq "$(jq -r '.dataValues[] | select(.orgUnit == "60" and .dataElement == "CTXH-05") | .value' <<<"$dv")" 640
th_check "DHIS2: ratios as NUMERATOR and DENOMINATOR" \
  th_eq "$(jq -r '[.dataValues[] | select(.orgUnit == "60" and .dataElement == "CTXH-01") | .categoryOptionCombo + "=" + .value] | join(",")' <<<"$dv")" "NUMERATOR=15,DENOMINATOR=30"
th_finish
