#!/usr/bin/env bash
# Authorisation from the key (issue #11), with the real client over CURVE:
# a commune sends and reads only its own; a district and a province read
# their territory as the tree stood for the period (and, after the 2025
# merger, what their territory's old units sent); plans are published by an
# admin or the issuer's province; the catalogue by an admin; the ministry
# reads everything. Every refusal is FORBIDDEN naming what, and every write
# and refusal is in the audit trail (tonghopd audit).
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_keys_init
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR"/deploy/samples/plans/*.json \
  "$TH_SRC_DIR/tests/data/plans/quoc-gia-2025.json" >/dev/null

th_enrol phu-thuy 22924 commune     # Phường Phú Thủy, Phan Thiết, Bình Thuận
th_enrol phu-hai 22921 commune      # Phường Phú Hài, its neighbour
th_enrol phan-thiet 593 district    # Thành phố Phan Thiết
th_enrol binh-thuan 60 province     # Tỉnh Bình Thuận (until July 2025)
th_enrol dong-thap 87 province      # Tỉnh Đồng Tháp (Huyện Cao Lãnh's province)
th_enrol bo VN ministry             # the ministry
th_enrol quan-tri VN admin          # the system's administrator

rc=0; err=$("$TONGHOPD" enroll --db "$TH_DSN" --unit 22924 --role district --public-key "$(
  "$TONGHOP" keygen --secret-file "$TH_KEYS/wrong.key" | tail -1)" 2>&1) || rc=$?
th_check "enrolling a commune as a district: refused, saying which role it is" \
  bash -c '[ "$1" != 0 ] && grep -q "commune" <<<"$2"' _ "$rc" "$err"

TH_SECURE=1 th_server_start --secret-key-file "$TH_KEYS/server.key"
TH_AS_TIMEOUT=5s # (th_as: the client with a key, 5 s a request)
forbidden() { [ "$rc" = 4 ] && grep -q "$1" <<<"$out" || { echo "  rc=$rc: $out" >&2; return 1; }; }

th_results_csv "$TH_WORK/r.csv"
P=1751/KH-UBND

# --- submissions -------------------------------------------------------------
th_as phu-thuy submit --unit 22924 --period 2025Q2 "$TH_WORK/r.csv"
th_check "a commune key submits for its own commune" th_ok
th_as phu-thuy submit --unit 22921 --period 2025Q2 "$TH_WORK/r.csv"
th_check "a commune key submitting for its neighbour: FORBIDDEN, naming the unit" forbidden "22921"
th_check "... and saying why" grep -q "only for its own unit" <<<"$out"
th_as phan-thiet submit --unit 22924 --period 2025Q2 "$TH_WORK/r.csv"
th_check "a district key submitting for one of its communes: FORBIDDEN" forbidden "22924"
th_as bo submit --unit 22924 --period 2025Q2 "$TH_WORK/r.csv"
th_check "a ministry key submits nothing" forbidden "22924"
th_as phu-hai submit --unit 22921 --period 2025Q2 "$TH_WORK/r.csv"
th_check "the neighbour's own key may" th_ok
th_check "two submissions stored, no more" th_eq "$(th_sql "SELECT string_agg(unit_code, ',' ORDER BY unit_code) FROM submissions")" "22921,22924"

# --- reports and history -------------------------------------------------------
th_as phan-thiet report --plan "$P" --period 2025Q2 --unit 593
th_check "a district reads its own report" th_ok
th_as phan-thiet report --plan "$P" --period 2025Q2 --unit 22924
th_check "a district reads one of its communes" th_ok
th_as phan-thiet report --plan "$P" --period 2025Q2 --unit 594
th_check "a district reading another district (La Gi): FORBIDDEN" forbidden "594"
th_check "... and saying why" grep -q "outside the territory" <<<"$out"
th_as phan-thiet report --plan "$P" --period 2025Q2
th_check "a district reading the province (the plan's issuer, by default): FORBIDDEN" forbidden "60"
th_as binh-thuan report --plan "$P" --period 2025Q2 --by-child
th_check "the province reads its whole report" th_ok
th_as binh-thuan report --plan KH-UBND-HCL-2021-2030 --period 2025 --unit 873
th_check "a province reading another province's district: FORBIDDEN" forbidden "873"
th_as bo report --plan KH-UBND-HCL-2021-2030 --period 2025 --unit 873
th_check "the ministry reads anywhere" th_ok
th_as phu-thuy history --unit 22924 --indicator CTXH-01 --period 2025Q2
th_check "a commune reads its own history" th_ok
th_as phu-thuy history --unit 22921 --indicator CTXH-01 --period 2025Q2
th_check "a commune reading its neighbour's history: FORBIDDEN" forbidden "22921"
th_as phu-thuy report --plan "$P" --period 2025Q2 --unit 593
th_check "a commune reading its district: FORBIDDEN" forbidden "593"

# --- plans -------------------------------------------------------------------
th_as phu-thuy plan show "$P"
th_check "a commune fetches the plan it reports against (issued above it)" th_ok
th_as phu-thuy plan show KH-UBND-HCL-2021-2030
th_check "a commune fetching another province's district plan: FORBIDDEN" forbidden "KH-UBND-HCL-2021-2030"
th_as phu-thuy plans
th_check "'plans' with a commune key lists the plans covering that commune" \
  bash -c 'grep -q "1751/KH-UBND" <<<"$1" && ! grep -q "KH-UBND-HCL" <<<"$1"' _ "$out"
th_as phan-thiet plan show "$P" --unit 594
th_check "a district fetching its plan for another district's unit: FORBIDDEN" forbidden "594"
th_as phan-thiet plan show "$P" --unit 22924
th_check "... and for one of its own communes: served" th_ok
th_as phan-thiet plans --unit 874
th_check "listing another province's unit's plans: FORBIDDEN" forbidden "874"

jq '.revision = 2 | .note = "Bản sửa đổi lần 2"' "$TH_SRC_DIR/deploy/samples/plans/cao-lanh-2021-2030-KH-UBND.json" \
  >"$TH_WORK/cao-lanh-r2.json"
th_as phu-thuy plan publish "$TH_WORK/cao-lanh-r2.json"
th_check "a commune key publishing a plan: FORBIDDEN" forbidden "commune"
th_as binh-thuan plan publish "$TH_WORK/cao-lanh-r2.json"
th_check "Bình Thuận publishing Huyện Cao Lãnh's plan: FORBIDDEN, naming the issuer" forbidden "873"
th_as phan-thiet plan publish "$TH_SRC_DIR/deploy/samples/plans/binh-thuan-2025-1751-KH-UBND.json"
th_check "a district key publishing: FORBIDDEN" forbidden "district"
th_check "no revision 2 stored by the refused" th_eq "$(th_sql "SELECT max(revision) FROM plans WHERE code = 'KH-UBND-HCL-2021-2030'")" 1
jq '.revision = 2 | .issuer_unit = "60"' "$TH_SRC_DIR/deploy/samples/plans/cao-lanh-2021-2030-KH-UBND.json" \
  >"$TH_WORK/cao-lanh-taken.json"
th_as binh-thuan plan publish "$TH_WORK/cao-lanh-taken.json"
th_check "Bình Thuận taking over Huyện Cao Lãnh's plan code by naming itself the issuer: FORBIDDEN, naming 873" \
  forbidden "873"
th_as dong-thap plan publish "$TH_WORK/cao-lanh-r2.json"
th_check "Đồng Tháp publishes its district's plan" th_ok
jq '.revision = 3' "$TH_WORK/cao-lanh-r2.json" >"$TH_WORK/cao-lanh-r3.json"
th_as quan-tri plan publish "$TH_WORK/cao-lanh-r3.json"
th_check "the admin publishes any plan" th_ok
th_as binh-thuan catalogue publish "$TH_SRC_DIR/deploy/data/indicator-catalogue.json"
th_check "a province key publishing the catalogue: FORBIDDEN" forbidden "province"
th_as quan-tri catalogue publish "$TH_SRC_DIR/deploy/data/indicator-catalogue.json"
th_check "the admin publishes the catalogue" th_ok

# --- across the 2025 merger ----------------------------------------------------
th_enrol ia-mo-nong 23737 commune # Xã Ia Mơ Nông (Gia Lai), until June 2025
th_enrol nga-tu-so 00235 commune  # Phường Ngã Tư Sở (Hà Nội), until June 2025
"$TONGHOPD" import-units --db "$TH_DSN" --as-of 2025-07-01 --complete \
  --succession "$TH_SRC_DIR/deploy/data/vn-succession-2025-07.csv" \
  "$TH_SRC_DIR/deploy/data/vn-admin-units-2025-07.csv" >/dev/null
th_enrol lam-dong 68 province # Tỉnh Lâm Đồng, which Bình Thuận went into
sleep 1.5                  # the server reads the keys twice a second
th_as lam-dong report --plan "$P" --period 2025Q2 --unit 60
th_check "new Lâm Đồng reads old Bình Thuận's first half (its territory today)" th_ok
th_as lam-dong history --unit 22921 --indicator CTXH-01 --period 2025Q2
th_check "... and an old commune's history" th_ok
th_as phu-hai submit --unit 22921 --period 2025Q3 "$TH_WORK/r.csv"
th_check "a merged commune's key after the merger: refused, the successor named" \
  bash -c '[ "$1" = 4 ] && grep -q "22924" <<<"$2"' _ "$rc" "$out"
th_as phu-thuy report --plan "$P" --period 2025Q2 --unit 22921
th_check "Phú Thủy (which took Phú Hài in) reads Phú Hài's first half" th_ok
th_as phu-thuy submit --unit 22924 --period 2025Q3 "$TH_WORK/r.csv"
th_check "old Phú Thủy's key sending for the new Phú Thủy (which kept its code): refused, naming it" \
  bash -c '[ "$1" = 4 ] && grep -q "2025-07-01: 22924 Phường Phú Thủy" <<<"$2" && grep -q "enrol one for it" <<<"$2"' _ "$rc" "$out"
# Reused codes. 22918 was Phường Hàm Tiến until June 2025; Phường Mũi Né,
# which succeeds it, kept the code: its key still sends Hàm Tiến's late
# 2025Q2. 23737 was Xã Ia Mơ Nông, which went into 23734; since July the
# code names Xã Ia Mơ (Gia Lai), which does not succeed it: Ia Mơ's key
# sends its own quarters only, never Ia Mơ Nông's.
th_enrol mui-ne 22918 commune
th_enrol ia-mo 23737 commune
sleep 1.5
th_as mui-ne submit --unit 22918 --period 2025Q2 "$TH_WORK/r.csv"
th_check "Mũi Né's key (22918, succeeding Hàm Tiến, 22918 until June) sends Hàm Tiến's 2025Q2" th_ok
th_as ia-mo submit --unit 23737 --period 2025Q2 "$TH_WORK/r.csv"
th_check "Ia Mơ's key (23737 since 1 July 2025) sending 2025Q2 for 23737 (then Ia Mơ Nông): FORBIDDEN on the period" \
  forbidden "2025-07-01"
th_check "... and nothing of Ia Mơ Nông's 2025Q2 was written" \
  th_eq "$(th_sql "SELECT count(*) FROM submissions WHERE unit_code = '23737' AND year = 2025 AND quarter = 2")" 0
th_as ia-mo submit --unit 23737 --period 2025Q3 "$TH_WORK/r.csv"
th_check "... its own 2025Q3: stored" th_ok
# Ngã Tư Sở went into two wards, 00229 (listed first) and 00235, which kept
# its code (Phường Đống Đa, with Nam Đồng, 00208, in it): its key follows
# 00235, and reads Nam Đồng's first half.
th_as nga-tu-so history --unit 00208 --indicator CTXH-01 --period 2025Q2
th_check "Ngã Tư Sở's key (00235, the code kept by the second of its successors) reads Nam Đồng (00208), now in 00235" th_ok
th_as nga-tu-so history --unit 00229 --indicator CTXH-01 --period 2025Q3
th_check "... but not Kim Liên (00229), its other successor: FORBIDDEN" \
  bash -c '[ "$1" = 4 ] && grep -q "territory of this computer.s key" <<<"$2"' _ "$rc" "$out"
th_as ia-mo-nong plans
th_check "Ia Mơ Nông's key asking for its plans: not shown those of Ia Mơ, which holds 23737 now (FORBIDDEN)" \
  bash -c '[ "$1" = 4 ] && grep -q "territory of this computer.s key" <<<"$2"' _ "$rc" "$out"
# A key of a unit that ceased keeps its old territory. Old Bình Thuận's
# (enrolled before the merger) reads its old communes' first half, but not
# new Lâm Đồng (68), with old Lâm Đồng and Đắk Nông in it.
th_as binh-thuan report --plan "$P" --period 2025Q2 --unit 22921
th_check "old Bình Thuận's key reads its old commune Phú Hài's first half" th_ok
th_as binh-thuan report --plan "$P" --period 2025Q3 --unit 68
th_check "... but not new Lâm Đồng's report (68): FORBIDDEN" \
  bash -c '[ "$1" = 4 ] && grep -q "territory of this computer.s key" <<<"$2"' _ "$rc" "$out"
th_as binh-thuan report --plan "$P" --period 2024 --unit 67
th_check "... nor old Đắk Nông's 2024 (67, which went into Lâm Đồng too): FORBIDDEN" \
  bash -c '[ "$1" = 4 ] && grep -q "territory of this computer.s key" <<<"$2"' _ "$rc" "$out"
th_as binh-thuan report --plan "$P" --period 2025Q3
th_check "... nor its own plan's 2025Q3 asked without a unit, which is about new Lâm Đồng: FORBIDDEN, naming 68" \
  bash -c '[ "$1" = 4 ] && grep -q "territory of this computer.s key" <<<"$2" && grep -q "(68)" <<<"$2"' _ "$rc" "$out"
th_as binh-thuan review --plan "$P" --period 2025
th_check "... nor its year's review: FORBIDDEN" \
  bash -c '[ "$1" = 4 ] && grep -q "territory of this computer.s key" <<<"$2"' _ "$rc" "$out"
th_as binh-thuan report --plan "$P" --period 2025Q2
th_check "... but its own plan's 2025Q2, about itself, without a unit: read" th_ok
th_as lam-dong report --plan "$P" --period 2025Q3 --unit 68
th_check "new Lâm Đồng's own key reads it" th_ok
th_as lam-dong report --plan "$P" --period 2025Q3
th_check "... and Bình Thuận's plan's 2025Q3 without a unit" th_ok

# --- the audit trail -----------------------------------------------------------
sleep 1 # written within a fraction of a second
audit=$("$TONGHOPD" audit --db "$TH_DSN" --limit 1000)
th_check "the audit trail has every stored submission" \
  th_eq "$(th_sql "SELECT count(*) FROM audit_log WHERE request = 'submission' AND outcome = 'STORED'")" 4
th_check "... the refused submission for the neighbour, with key, unit and address" \
  th_eq "$(th_sql "SELECT count(*) FROM audit_log WHERE request = 'submission' AND outcome = 'FORBIDDEN'
                    AND target = '22921' AND unit_code = '22924' AND role = 'commune' AND peer LIKE '127.0.0.1%'")" 1
th_check "... every FORBIDDEN answer (reads included)" \
  bash -c '[ "$1" -ge 14 ]' _ "$(th_sql "SELECT count(*) FROM audit_log WHERE outcome = 'FORBIDDEN'")"
th_check "... the published plans and catalogue" \
  th_eq "$(th_sql "SELECT count(*) FROM audit_log WHERE request IN ('plan publish', 'catalogue publish') AND outcome = 'ACCEPTED'")" 3
th_check "... no reported value in it" \
  th_eq "$(th_sql "SELECT count(*) FROM audit_log WHERE detail ~ '17|CTXH-04,'")" 0
th_check "tonghopd audit shows them in Vietnam time" \
  bash -c 'grep -q "FORBIDDEN" <<<"$1" && grep -Eq "^[0-9]{2}/[0-9]{2}/20[0-9]{2} " <<<"$(tail -1 <<<"$1")"' _ "$audit"
th_check "tonghopd audit --unit 22924 --refused: only Phú Thủy's refusals" \
  bash -c '! grep -v "^time\|22924" <<<"$1" | grep -q . && grep -q FORBIDDEN <<<"$1"' _ \
  "$(TONGHOP_LANG=en "$TONGHOPD" audit --db "$TH_DSN" --unit 22924 --refused)"
th_finish
