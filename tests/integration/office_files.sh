#!/usr/bin/env bash
# Files from a real office. A results file saved by Excel on a Vietnamese
# Windows (semicolons, a byte-order mark, CRLF, Vietnamese column names with
# or without diacritics) is submitted as it is; a row with a cell too many,
# or a number written 1.000, is refused naming its line and stores nothing.
# A plan file with a key written twice is refused naming the key's path; one
# saved with a byte-order mark is accepted. `tonghop form` writes the blank
# results file of a plan; filled in with sed, it is submitted as it is, and
# the indicators left empty are not reported.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
plans=$TH_SRC_DIR/deploy/samples/plans
"$TONGHOPD" import-plan --db "$TH_DSN" "$plans"/*.json >/dev/null
th_server_start

# The values in force for a unit in 2025Q3: "CTXH-01=3/6,CTXH-05=12,...".
current() {
  th_sql "SELECT coalesce(string_agg(indicator_code || '=' || coalesce(numerator || '/' || denominator, value::text, text), ','
                                     ORDER BY indicator_code), '')
            FROM current_results WHERE unit_code = '$1' AND year = 2025 AND quarter = 3"
}
submissions() { th_sql "SELECT count(*) FROM submissions"; }
submit() { # submit UNIT FILE [extra args]: the client's output (both streams) in $out, exit code in $rc
  local unit=$1 file=$2
  shift 2
  rc=0
  out=$(th_client submit --server "$TH_ENDPOINT" --unit "$unit" --period 2025Q3 "$@" "$file" 2>&1) || rc=$?
}

# --- Excel, Vietnamese Windows: "CSV UTF-8" with the list separator ';' ------
# (a comment padded by Excel, a blank row of separators, CRLF everywhere)
excel=$TH_WORK/phu-hai-excel.csv
printf '\xEF\xBB\xBF# Phường Phú Hài — quý 3/2025;;\r\nChỉ tiêu;Tử số;Mẫu số\r\nCTXH-01;3;6\r\nCTXH-02;2;9\r\n;;\r\nCTXH-03;2;4\r\nCTXH-04;11;14\r\n' >"$excel"
submit 22921 "$excel"
th_check "Excel file (BOM, ';', CRLF, Vietnamese headers) exits 0" th_eq "$rc" 0
th_check "Excel file: its values are stored" th_eq "$(current 22921)" "CTXH-01=3/6,CTXH-02=2/9,CTXH-03=2/4,CTXH-04=11/14"

# The same without diacritics, in capitals (a correction of two values).
plain=$TH_WORK/phu-hai-plain.csv
printf '\xEF\xBB\xBFCHI TIEU;Tu so;MAU SO\r\nCTXH-01;4;6\r\nCTXH-04;12;14\r\n' >"$plain"
submit 22921 "$plain"
th_check "headers without diacritics: exit 0" th_eq "$rc" 0
th_check "headers without diacritics: the corrections are in force" \
  th_eq "$(current 22921)" "CTXH-01=4/6,CTXH-02=2/9,CTXH-03=2/4,CTXH-04=12/14"

# --- refused before anything is queued or sent --------------------------------
before=$(submissions)
spooled() { find "$TONGHOP_SPOOL" -name '*.sub' | wc -l; }
spool_before=$(spooled)
refuse() { # refuse WHAT PATTERN CONTENT (printf format)
  local what=$1 pattern=$2 bad=$TH_WORK/bad.csv
  # shellcheck disable=SC2059
  printf "$3" >"$bad"
  submit 22921 "$bad"
  th_check "$what: exit 3" th_eq "$rc" 3
  th_check "$what: the message names '$pattern'" grep -qF -- "$pattern" <<<"$out"
}
refuse "a row with a cell more than the header" "line 3: 4 cells, but the header has only 3 columns" \
  'Chỉ tiêu;Tử số;Mẫu số\r\nCTXH-01;3;6\r\nCTXH-02;2;9;1\r\n'
refuse "an extra field is not dropped" "line 2: 3 cells" 'indicator,value\nCTXH-05,1,500\n'
refuse "thousands separator" 'line 2, column Tử số: "1.000"' 'Chỉ tiêu;Tử số;Mẫu số\r\nCTXH-01;1.000;2000\r\n'
refuse "decimal comma" 'line 3, column Mẫu số: "1,5"' 'Chỉ tiêu;Tử số;Mẫu số\r\nCTXH-01;1;2\r\nCTXH-02;1;1,5\r\n'
refuse "negative number" 'line 2, column numerator: "-3"' 'indicator;numerator;denominator\nCTXH-01;-3;5\n'
refuse "percentage" 'line 2, column numerator: "30%"' 'indicator;numerator;denominator\nCTXH-01;30%%;5\n'
refuse "header mixing ',' and ';'" "line 1:" 'indicator,numerator;denominator\nCTXH-01,1;2\n'
refuse "unknown column" 'unknown column "Ghi chú"' 'Chỉ tiêu;Tử số;Mẫu số;Ghi chú\nCTXH-01;1;2;x\n'
refuse "a file with no values" "no results" 'Chỉ tiêu;Tử số;Mẫu số\r\nCTXH-01;;\r\nCTXH-02;;\r\n'
printf 'Chỉ tiêu;Tử số;Mẫu số\r\nCTXH-01;1.000;2000\r\n' >"$TH_WORK/bad.csv"
e=$(TONGHOP_LANG=vi th_client submit --server "$TH_ENDPOINT" --unit 22921 --period 2025Q3 "$TH_WORK/bad.csv" 2>&1) || true
th_check "number refused in Vietnamese, naming line and column" grep -qF 'dòng 2, cột Tử số: "1.000"' <<<"$e"
th_check "refusals stored nothing" th_eq "$(submissions)" "$before"
th_check "refusals queued nothing" th_eq "$(spooled)" "$spool_before"

# --- plan files ---------------------------------------------------------------
# A key written twice: json-c would keep the second value without a word.
dup=$TH_WORK/dup-key.json
sed '0,/"value": 30,/s//"value": 30, "value": 90,/' "$plans/binh-thuan-2025-1751-KH-UBND.json" >"$dup"
th_check "the test plan has the key twice" grep -q '"value": 30, "value": 90' "$dup"
rc=0; out=$(th_client plan publish --server "$TH_ENDPOINT" "$dup" 2>&1) || rc=$?
th_check "plan with a duplicated key: plan publish exits 3" th_eq "$rc" 3
th_check "plan with a duplicated key: the message names the key's path" \
  grep -qF 'programmes[0].targets[1].value' <<<"$out"
th_check "plan with a duplicated key: the message says what is wrong" grep -qF 'duplicate key "value"' <<<"$out"
rc=0; out=$("$TONGHOPD" import-plan --db "$TH_DSN" "$dup" 2>&1) || rc=$?
th_check "plan with a duplicated key: tonghopd import-plan refuses it too" test "$rc" -ne 0
th_check "import-plan names the key's path" grep -qF 'programmes[0].targets[1].value' <<<"$out"
th_check "the plan in force is unchanged" \
  th_eq "$(th_sql "SELECT max(revision) || ':' || (SELECT value FROM plan_targets t JOIN current_plans c ON c.id = t.plan_id WHERE c.code = '1751/KH-UBND' AND t.indicator_code = 'CTXH-02') FROM plans WHERE code = '1751/KH-UBND'")" "1:30"

# Saved by Notepad on Windows: a byte-order mark and CRLF.
bom=$TH_WORK/bom.json
{ printf '\xEF\xBB\xBF'; sed -e 's/"revision": 1,/"revision": 2,/' -e 's/$/\r/' "$plans/binh-thuan-2025-1751-KH-UBND.json"; } >"$bom"
rc=0; out=$(th_client plan publish --server "$TH_ENDPOINT" "$bom" 2>&1) || rc=$?
th_check "plan with a byte-order mark: plan publish exits 0" th_eq "$rc" 0
th_check "plan with a byte-order mark: revision 2 stored" \
  th_eq "$(th_sql "SELECT max(revision) FROM plans WHERE code = '1751/KH-UBND'")" 2

# --- tonghop form: the blank file of the plan, filled in and submitted --------
form=$TH_WORK/phu-thuy-2025Q3.csv
rc=0; out=$(th_client form --server "$TH_ENDPOINT" --plan 1751/KH-UBND --unit 22924 --period 2025Q3 --output "$form" 2>&1) || rc=$?
th_check "form exits 0" th_eq "$rc" 0
th_check "form: the first line names the plan, the unit and the quarter" \
  th_eq "$(head -1 "$form" | sed 's/^\xEF\xBB\xBF//')" "# Plan 1751/KH-UBND — Phường Phú Thủy (22924) — quarter 3/2025"
th_check "form: the header and one empty row per indicator" \
  th_eq "$(sed '1s/^\xEF\xBB\xBF//' "$form" | grep -v '^#' | tr '\n' ' ')" "indicator,numerator,denominator,value,text CTXH-01,,,, CTXH-02,,,, CTXH-03,,,, CTXH-04,,,, "
th_check "form: what each number counts, from the catalogue" grep -q '^#   numerator: .' "$form"
th_check "form: no temporary file left" th_eq "$(find "$TH_WORK" -name 'phu-thuy-2025Q3.csv.tmp.*' | wc -l)" 0
vi_first=$(TONGHOP_LANG=vi th_client form --server "$TH_ENDPOINT" --plan 1751/KH-UBND --unit 22924 --period 2025Q3 | head -1)
th_check "form in Vietnamese: the first line" th_eq "$vi_first" "# Kế hoạch 1751/KH-UBND — Phường Phú Thủy (22924) — quý 3/2025"

submit 22924 "$form"
th_check "the blank form is refused: nothing filled in" th_eq "$rc" 3
th_check "the blank form: no results" grep -q "no results" <<<"$out"
sed -i -e 's/^CTXH-01,,,,/CTXH-01,2,5,,/' -e 's/^CTXH-02,,,,/CTXH-02,7,20,,/' -e 's/^CTXH-03,,,,/CTXH-03,1,1,,/' "$form"
submit 22924 "$form"
th_check "the filled form exits 0" th_eq "$rc" 0
th_check "the filled form: its values are stored, CTXH-04 (left empty) not reported" \
  th_eq "$(current 22924)" "CTXH-01=2/5,CTXH-02=7/20,CTXH-03=1/1"

# The form refuses what the plan does not ask for.
form_rc() { local r=0; th_client form --server "$TH_ENDPOINT" "$@" >"$TH_WORK/form.out" 2>&1 || r=$?; echo "$r"; }
th_check "form: a quarter outside the plan exits 2" \
  th_eq "$(form_rc --plan 1751/KH-UBND --unit 22924 --period 2026Q1)" 2
th_check "form: says which quarters the plan has" grep -q "2025Q1 to 2025Q4" "$TH_WORK/form.out"
th_check "form: a year instead of a quarter exits 2" th_eq "$(form_rc --plan 1751/KH-UBND --unit 22924 --period 2025)" 2
th_check "form: a unit the plan does not cover exits 4" \
  th_eq "$(form_rc --plan 1751/KH-UBND --unit 00001 --period 2025Q3)" 4
th_check "form: names the unit not covered" grep -q "does not cover Phường Phúc Xá (00001)" "$TH_WORK/form.out"
th_check "form: an unknown plan exits 4" th_eq "$(form_rc --plan 9999/KH-UBND --unit 22924 --period 2025Q3)" 4
th_check "form: an unknown unit exits 4" th_eq "$(form_rc --plan 1751/KH-UBND --unit 99999 --period 2025Q3)" 4
echo keep >"$TH_WORK/keep.csv"
form_rc --plan 1751/KH-UBND --unit 22924 --period 2026Q1 --output "$TH_WORK/keep.csv" >/dev/null
th_check "form: a refused form leaves an existing --output file alone" th_eq "$(cat "$TH_WORK/keep.csv")" keep

th_check "server stops cleanly on SIGTERM" th_server_stop TERM
th_finish
