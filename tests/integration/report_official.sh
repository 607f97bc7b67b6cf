#!/usr/bin/env bash
# The report a province or a district signs (--format official): a
# Vietnamese administrative document (Nghị định 30/2020/NĐ-CP) as one
# self-contained HTML page, and as a PDF printed by headless Chromium. The
# screenshot and the PDF are kept in the build tree's test-artifacts/.
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
artifacts=${TH_ARTIFACT_DIR:-$TH_WORK}
mkdir -p "$artifacts"
echo "artifacts: $artifacts"

# The province's document, with the defaults, the messages in English: the
# document is Vietnamese all the same.
html=$TH_WORK/bao-cao.html
TONGHOP_LANG=en $C report --plan $PLAN --period 2025Q3 --by-child --format official --output "$html"
has() { grep -qF -- "$1" "$html"; }
th_check "one self-contained page (no scripts, no external files)" \
  bash -c "! grep -Eq '<script|<link|src=|url\\(|https?:' '$html'"
th_check "A4, with Nghị định 30's margins" has "@page{size:A4;margin:20mm 15mm 20mm 30mm}"
th_check "the national name" has "Cộng hòa xã hội chủ nghĩa Việt Nam"
th_check "the motto" has "Độc lập - Tự do - Hạnh phúc"
th_check "the issuing body: the plan's, the province issued it" has "Ủy ban nhân dân<br>tỉnh Bình Thuận"
th_check "a number to fill in by hand" has "Số:&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;/BC-"
th_check "the place and date line (Vietnam time)" \
  grep -Eq 'Bình Thuận, ngày [0-3][0-9] tháng ([3-9]|1[0-2]|0[12]) năm 20[0-9][0-9]' "$html"
th_check "the title" has "<h1>BÁO CÁO</h1>"
th_check "the subject: the plan and the quarter in words" \
  has "Kết quả thực hiện kế hoạch kiểm thử tổng hợp số liệu công tác xã hội năm 2025 (dùng cho bộ kiểm thử) quý III năm 2025"
th_check "Kính gửi: nobody above the province in the plan, a dotted line" has "Kính gửi: ....."
th_check "the intro cites the plan's number and date" has "Thực hiện Kế hoạch số 99/KH-KIEMTHU ngày 15/01/2025 của Ủy ban nhân dân tỉnh Bình Thuận"
for code in CTXH-01 CTXH-02 CTXH-04 CTXH-05 CTXH-07; do
  th_check "the results table has $code" has "<span class=\"code\">$code</span>"
done
th_check "one row per indicator" th_eq "$(grep -o '<tr class="ind">' "$html" | wc -l)" 5
th_check "CTXH-01 as the other reports compute it: 15/30, 50,0%, not met (> 50%)" \
  grep -q 'CTXH-01</span>[^<]*</td><td class="c">&gt; 50%</td><td class="n">15&nbsp;/&nbsp;30</td><td class="n">50,0%</td><td class="c notmet">Chưa đạt</td>' "$html"
th_check "CTXH-05, a count: 640 of 1.000" grep -q '≥ 1.000</td><td class="n">—</td><td class="n">640<br>(64,0% kế hoạch)' "$html"
th_check "--by-child: the districts' rows under each indicator" \
  th_eq "$(grep -o '<tr class="child">' "$html" | wc -l)" "$((5 * 10))"
th_check "completeness of the communes" has "Số đơn vị cấp xã phải báo cáo: <b>"
th_check "completeness per district" grep -q '<td class="name">Thành phố Phan Thiết</td><td class="n">[0-9]*</td>' "$html"
th_check "no quality notes or approval section without them in the JSON" \
  bash -c "! grep -Eq 'CHẤT LƯỢNG SỐ LIỆU|PHÊ DUYỆT' '$html'"
th_check "Nơi nhận" has "<b>Nơi nhận:</b>"
th_check "the signature block of a committee" has "TM. Ủy ban nhân dân<br>Chủ tịch"

# Rendered in Chromium: a screenshot, looked at.
png=$artifacts/report-official-2025Q3.png
chrome() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$TH_WORK/chromium" --hide-scrollbars "$@" 2>/dev/null
}
rm -f "$png"
chrome --window-size=900,1300 --screenshot="$png" "file://$html" >/dev/null || true
th_check "Chromium rendered a screenshot ($png)" test -s "$png"
th_check "the screenshot shows the document: not blank" \
  python3 "$TH_SRC_DIR/tests/integration/png_check.py" "$png" 900 1300 plain
dom=$(chrome --dump-dom "file://$html" || true)
th_check "the rendered page keeps the motto and the table" \
  bash -c 'grep -q "Độc lập - Tự do - Hạnh phúc" <<<"$1" && grep -q "Tử số / Mẫu số" <<<"$1"' _ "$dom"

# The PDF, printed by Chromium through the client.
pdf=$artifacts/report-official-2025Q3.pdf
rm -f "$pdf"
th_check "--output x.pdf makes a PDF" $C report --plan $PLAN --period 2025Q3 --by-child --format official --output "$pdf"
th_check "the PDF starts with %PDF" bash -c "head -c 5 '$pdf' | grep -q '^%PDF-'"
pages=$(python3 -c 'import re,sys; print(len(re.findall(rb"/Type\s*/Page(?![a-z])", open(sys.argv[1], "rb").read())))' "$pdf")
echo "PDF pages: $pages"
th_check "the PDF has at least one page" test "$pages" -ge 1
a4() { # every page's MediaBox is 595 x 842 points, give or take a point
  python3 -c 'import re,sys
boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]", open(sys.argv[1], "rb").read())
sys.exit(0 if boxes and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in boxes) else 1)' "$1"
}
th_check "the PDF is A4 (595 x 842 points)" a4 "$pdf"
th_check "no temporary file left behind" bash -c "! ls '${TMPDIR:-/tmp}' | grep -q '^tonghop-report\\..*\\.html\$\\|^tonghop-pdf\\.'"

# Without Chromium: a clear error, exit 1 (a local failure), no file.
rm -f "$TH_WORK/none.pdf"
rc=0
out=$(TONGHOP_CHROMIUM=/nonexistent/chromium th_client --server "$TH_ENDPOINT" report --plan $PLAN --period 2025Q3 \
  --format official --output "$TH_WORK/none.pdf" 2>&1) || rc=$?
th_check "no Chromium: exit 1" th_eq "$rc" 1
th_check "no Chromium: says what to install" grep -q "apt-get install chromium" <<<"$out"
th_check "no Chromium: no PDF" test ! -e "$TH_WORK/none.pdf"
out=$(TONGHOP_LANG=vi TONGHOP_CHROMIUM=/nonexistent/chromium th_client --server "$TH_ENDPOINT" report --plan $PLAN \
  --period 2025Q3 --format official --output "$TH_WORK/none.pdf" 2>&1) || true
th_check "no Chromium: said in Vietnamese too" grep -q "không tìm thấy" <<<"$out"

# A district's document: its own body, its level's recipient in the plan,
# its place.
d=$($C report --plan $PLAN --period 2025Q3 --unit 593 --format official)
th_check "district: the body is its committee" grep -q "Ủy ban nhân dân<br>thành phố Phan Thiết" <<<"$d"
th_check "district: Kính gửi the plan's recipient for districts" grep -q "Kính gửi: Sở Y tế" <<<"$d"
th_check "district: the place without its type word" grep -q "Phan Thiết, ngày" <<<"$d"
th_check "district: the quarter in words, the territory named" \
  grep -q "quý III năm 2025 trên địa bàn thành phố Phan Thiết như sau" <<<"$d"
# One page: the whole document in one screenshot, signature block included.
printf '%s\n' "$d" >"$TH_WORK/huyen.html"
png=$artifacts/report-official-district-2025Q3.png
rm -f "$png"
chrome --window-size=900,1800 --screenshot="$png" "file://$TH_WORK/huyen.html" >/dev/null || true
th_check "district: the screenshot shows the document ($png)" \
  python3 "$TH_SRC_DIR/tests/integration/png_check.py" "$png" 900 1800 plain

# The options, escaped like everything else.
o=$($C report --plan $PLAN --period 2025 --format official --issuer-body 'UBND tỉnh Bình Thuận|Sở Y tế' \
  --number 15/BC-SYT --to 'Bộ Y tế & <Cục Bảo trợ>' --place 'Phan Thiết' \
  --signer-title 'KT. Giám đốc|Phó Giám đốc' --signer-name 'Nguyễn <Văn> A')
th_check "options: superior and issuing body on two lines" \
  grep -q '<div class="parent">UBND tỉnh Bình Thuận</div><div class="own">Sở Y tế</div>' <<<"$o"
th_check "options: the number" grep -q "Số: 15/BC-SYT" <<<"$o"
th_check "options: the recipient, escaped" grep -qF "Kính gửi: Bộ Y tế &amp; &lt;Cục Bảo trợ&gt;" <<<"$o"
th_check "options: the place" grep -q "Phan Thiết, ngày" <<<"$o"
th_check "options: the signer, escaped" grep -qF 'KT. Giám đốc<br>Phó Giám đốc</div><div class="space"></div><div class="name">Nguyễn &lt;Văn&gt; A' <<<"$o"
th_check "options: the year in words" \
  grep -q "năm 2025 (dùng cho bộ kiểm thử) năm 2025</div>" <<<"$o"
th_finish
