#!/usr/bin/env bash
# Reports that read right: each column under its own heading, in both
# languages; a unit outside the plan's territory refused by name; a wrong
# period explained before anything is sent; times in Vietnam time and dates
# written dd/mm/yyyy; names with <, >, & and quotes escaped in HTML and in an
# ADX export that still validates against the schema.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR/tests/data/plans/kiem-thu-binh-thuan-2025.json" >/dev/null
th_server_start
C="$TONGHOP --server $TH_ENDPOINT"
PLAN=99/KH-KIEMTHU
lacks() { ! grep -q "$@"; }                       # lacks PATTERN [FILE]
both() { "$1" "$2" <<<"$4" && "$1" "$3" <<<"$4"; } # both grep-fn PATTERN1 PATTERN2 TEXT
q() { grep -q "$1"; }
# refused_with RC WANT_RC FIRST_LINE WANT_FIRST_LINE
refused_with() { th_eq "$1" "$2" && th_eq "$3" "$4"; }
for f in "$TH_SRC_DIR"/deploy/samples/results/*-2025Q3.csv; do
  $C submit --unit "$(basename "$f" | cut -d- -f1)" --period 2025Q3 "$f" >/dev/null
done

# --- 1. a heading per column ---------------------------------------------------
vi_table=$(TONGHOP_LANG=vi $C report --plan $PLAN --period 2025Q3 --by-child)
en_table=$(TONGHOP_LANG=en $C report --plan $PLAN --period 2025Q3 --by-child)
vi_head=$(grep '^Chỉ tiêu ' <<<"$vi_table")
th_check "table (vi): the numbers column is headed Tử số/Mẫu số" grep -q "Tử số/Mẫu số" <<<"$vi_head"
th_check "table (vi): \"Đã báo cáo\" heads no column" lacks "Đã báo cáo" <<<"$vi_head"
th_check "table (vi): the per-unit completeness column has its own heading" \
  grep -q "^Đơn vị .*Đơn vị đã báo cáo / phải báo cáo$" <<<"$vi_table"
th_check "table (en): headings Numerator/denominator and Units reported / expected" \
  both q '^Indicator .*Numerator/denominator' '^Unit .*Units reported / expected$' "$en_table"
html=$TH_WORK/bao-cao.html
TONGHOP_LANG=vi $C report --plan $PLAN --period 2025Q3 --by-child --format html --output "$html"
th_check "HTML (vi): the per-unit table's last column says what it counts" \
  grep -q "<th>Đơn vị đã báo cáo / phải báo cáo</th></tr>" "$html"

# --- 2. a unit outside the plan ---------------------------------------------------
# Hà Nội (01) is not under Bình Thuận (60), which issued the plan.
rc=0; err=$(TONGHOP_LANG=en $C report --plan $PLAN --period 2025Q3 --unit 01 2>&1 >/dev/null) || rc=$?
th_check "a unit outside the plan: refused, exit 4" th_eq "$rc" 4
th_check "the refusal names the unit and the plan" \
  th_eq "$err" "tonghop: report: unit 01 is not in the territory of plan $PLAN (the unit that issued it and the units below it)"
rc=0; err=$(TONGHOP_LANG=vi $C report --plan $PLAN --period 2025 --unit 01 --format json 2>&1 >/dev/null) || rc=$?
th_check "in Vietnamese too, for a year report in JSON" \
  refused_with "$rc" 4 "$err" "tonghop: báo cáo: đơn vị 01 không thuộc địa bàn của kế hoạch $PLAN (đơn vị ban hành kế hoạch và các đơn vị trực thuộc)"
rc=0; TONGHOP_LANG=en $C export --plan $PLAN --period 2025Q3 --unit 22627 --format adx >/dev/null 2>&1 || rc=$?
th_check "an export for a commune of another province (22627): exit 4" th_eq "$rc" 4
for u in 60 593 22921; do
  rc=0; $C report --plan $PLAN --period 2025Q3 --unit $u --format json >/dev/null || rc=$?
  th_check "unit $u (the issuer, or below it) gets its report" th_eq "$rc" 0
done
th_check "by SQL: SQLSTATE TH028 on column unit_code" \
  th_eq "$(psql "$TH_DSN" -X -q -v VERBOSITY=verbose -c "SELECT th_report('$PLAN', '2025Q3', '01', false)" 2>&1 | grep -Eo 'TH028|COLUMN NAME:  unit_code|DETAIL:  01' | paste -sd,)" \
  "TH028,DETAIL:  01,COLUMN NAME:  unit_code"

# --- 3. periods ------------------------------------------------------------------------
# Checked before anything is sent: no server listens on port 9 of loopback.
for p in 2025Q5 2025-Q3 Q3 1999; do
  rc=0; err=$(TONGHOP_LANG=en "$TONGHOP" --server tcp://127.0.0.1:9 report --plan $PLAN --period "$p" 2>&1) || rc=$?
  th_check "report --period $p: exit 2, before sending, saying what a period is" \
    refused_with "$rc" 2 "$(head -1 <<<"$err")" "tonghop: --period $p: a report's period is a year (2025) or a quarter (2025Q3)"
done
rc=0; err=$(TONGHOP_LANG=en "$TONGHOP" --server tcp://127.0.0.1:9 export --plan $PLAN --period 2025Q5 --format adx 2>&1) || rc=$?
th_check "export --period 2025Q5: exit 2, an export's periods" \
  refused_with "$rc" 2 "$(head -1 <<<"$err")" "tonghop: --period 2025Q5: an export's period is a year (2025) or a quarter (2025Q3)"
rc=0; err=$(TONGHOP_LANG=vi "$TONGHOP" --server tcp://127.0.0.1:9 report --plan $PLAN --period 2025Q5 2>&1) || rc=$?
th_check "report --period 2025Q5 (vi)" \
  refused_with "$rc" 2 "$(head -1 <<<"$err")" "tonghop: --period 2025Q5: kỳ báo cáo là một năm (2025) hoặc một quý (2025Q3)"

# --- 4. Vietnam time, Vietnamese dates ---------------------------------------------------
# The machine's time zone does not matter: the client runs in New York here.
vn_now() { TZ=Asia/Ho_Chi_Minh date "$@"; }
before_vi=$(vn_now '+%H:%M ngày %d/%m/%Y'); before_en=$(vn_now '+%d/%m/%Y %H:%M')
vi_table=$(TZ=America/New_York TONGHOP_LANG=vi $C report --plan $PLAN --period 2025Q3)
en_table=$(TZ=America/New_York TONGHOP_LANG=en $C report --plan $PLAN --period 2025Q3)
TZ=America/New_York TONGHOP_LANG=en $C report --plan $PLAN --period 2025Q3 --format html --output "$TH_WORK/en.html"
TZ=America/New_York TONGHOP_LANG=vi $C report --plan $PLAN --period 2025Q3 --format html --output "$TH_WORK/vi.html"
after_vi=$(vn_now '+%H:%M ngày %d/%m/%Y'); after_en=$(vn_now '+%d/%m/%Y %H:%M')
one_of() { local got=$1; shift; for w in "$@"; do [ "$got" = "$w" ] && return 0; done; echo "  got: $got; want one of: $*" >&2; return 1; }
th_check "table footer (vi): Lập lúc HH:MM ngày dd/mm/yyyy (giờ Việt Nam)" \
  one_of "$(tail -1 <<<"$vi_table")" "Lập lúc $before_vi (giờ Việt Nam)" "Lập lúc $after_vi (giờ Việt Nam)"
th_check "table footer (en): Generated dd/mm/yyyy HH:MM (Vietnam time, UTC+7)" \
  one_of "$(tail -1 <<<"$en_table")" "Generated $before_en (Vietnam time, UTC+7)" "Generated $after_en (Vietnam time, UTC+7)"
th_check "HTML footer (vi) in Vietnam time" \
  one_of "$(grep -o 'Lập lúc [^(]*(giờ Việt Nam)' "$TH_WORK/vi.html")" "Lập lúc $before_vi (giờ Việt Nam)" "Lập lúc $after_vi (giờ Việt Nam)"
th_check "HTML footer (en) in Vietnam time" \
  one_of "$(grep -o 'Generated [^(]*(Vietnam time, UTC+7)' "$TH_WORK/en.html")" \
  "Generated $before_en (Vietnam time, UTC+7)" "Generated $after_en (Vietnam time, UTC+7)"
gen=$($C report --plan $PLAN --period 2025Q3 --format json | jq -r .generated_at)
th_check "the JSON keeps generated_at in UTC ISO 8601 ($gen)" grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' <<<"$gen"
th_check "table: the period's dates as dd/mm/yyyy" grep -q "(01/07/2025 – 30/09/2025)" <<<"$vi_table"
th_check "table: the deadline as dd/mm/yyyy" grep -q "25/11/2025" <<<"$vi_table"
th_check "HTML: the period and the deadline as dd/mm/yyyy" \
  both q '(01/07/2025 – 30/09/2025)' ': 25/11/2025</span>' "$(cat "$TH_WORK/vi.html")"
th_check "no ISO date shown anywhere in the table or the page" \
  lacks -E '20[0-9]{2}-[0-9]{2}-[0-9]{2}' <<<"$vi_table$(cat "$TH_WORK/vi.html")"

# --- 5. names with <, >, & and quotes ----------------------------------------------------
# The ADX carries the plan's code (dataSet), the units' and indicators' codes;
# the HTML page also the plan's title. A plan whose code and title hold every
# character XML and HTML must escape:
ODD_CODE=$'98/KH<&>"\'x'
ODD_TITLE=$'Kế hoạch <thử> & "nháy kép" \'nháy đơn\' > hết'
jq --arg code "$ODD_CODE" --arg title "$ODD_TITLE" '.code = $code | .title = $title' \
  "$TH_SRC_DIR/tests/data/plans/kiem-thu-binh-thuan-2025.json" >"$TH_WORK/odd-plan.json"
rc=0; $C plan publish "$TH_WORK/odd-plan.json" >/dev/null || rc=$?
th_check "a plan with <, >, & and quotes in its code and title is published" th_eq "$rc" 0
adx=$TH_WORK/odd.adx.xml
$C export --plan "$ODD_CODE" --period 2025Q3 --format adx --output "$adx"
th_check "ADX with such a dataSet validates against adx_loose.xsd" \
  xmllint --noout --schema "$TH_SRC_DIR/tests/data/adx-schema/adx_loose.xsd" "$adx"
th_check "ADX: every character escaped, > included" \
  grep -q 'dataSet="98/KH&lt;&amp;&gt;&quot;&apos;x"' "$adx"
th_check "ADX: an XML reader gets the plan's code back" \
  th_eq "$(xmllint --xpath 'string(//*[local-name()="group"][1]/@dataSet)' "$adx")" "$ODD_CODE"
th_check "DHIS2: the same code, as JSON" \
  th_eq "$($C export --plan "$ODD_CODE" --period 2025Q3 --format dhis2 | jq -r .dataSet)" "$ODD_CODE"
TONGHOP_LANG=vi $C report --plan "$ODD_CODE" --period 2025Q3 --by-child --format html --output "$TH_WORK/odd.html"
th_check "HTML: the code and the title escaped" \
  both q '98/KH&lt;&amp;&gt;&quot;&#39;x' 'Kế hoạch &lt;thử&gt; &amp; &quot;nháy kép&quot; &#39;nháy đơn&#39; &gt; hết' \
  "$(cat "$TH_WORK/odd.html")"
th_check "HTML: no raw markup from the names" lacks '<thử>' "$TH_WORK/odd.html"
th_finish
