#!/usr/bin/env bash
# Security (issue #11), the acceptance test from outside: an independent
# client (attacker.py: Python, Debian's python3-zmq, bindings generated here
# from proto/tonghop.proto) attacks a CURVE server holding real Bình Thuận
# data. No key, an unknown key, a key revoked while connected, a commune
# submitting for its neighbour, a district reading another district, a
# commune, a district and another province publishing a plan, a revision
# jump from authorised keys, a few hundred malformed messages, a burst past
# the per-connection cap and four clients that never read their replies:
# each refused as specified; the result tables unchanged (row counts and an
# md5 of every row); the server alive, under 100 MB, still serving; an
# audit row for each refusal. Then a man in the middle (mitm_proxy.py)
# flips a byte of a real client's encrypted request: the server drops the
# connection and stores nothing, while the same proxy passing bytes
# unchanged delivers it; on an --insecure server the proxy rewrites unit
# 22921 into 22915 unnoticed, which is why CURVE is the default.
. "$(dirname "$0")/../lib/harness.sh"
PY=/usr/bin/python3
th_setup
K=$TH_WORK/keys
mkdir -p "$K" "$TH_WORK/pb"

# The independent client's bindings, from the .proto, never committed.
protoc --python_out="$TH_WORK/pb" -I "$TH_SRC_DIR/proto" "$TH_SRC_DIR/proto/tonghop.proto"
ATK=("$PY" "$TH_SRC_DIR/tests/integration/attacker.py" --pb-dir "$TH_WORK/pb")
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR"/deploy/samples/plans/*.json >/dev/null
server_pub=$("$TONGHOPD" keygen --secret-file "$K/server.key" | tail -1)

# Keys made by pyzmq (zmq.curve_keypair), enrolled with their unit and role.
declare -A PK
mkkey() { PK[$1]=$("${ATK[@]}" keygen "$K/$1.key"); }
enroll() { # enroll NAME UNIT ROLE: a key of its own, enrolled
  mkkey "$1"
  "$TONGHOPD" enroll --db "$TH_DSN" --unit "$2" --role "$3" --public-key "${PK[$1]}" --name "attacker.sh $1" >/dev/null
}
enroll phuhai 22921 commune     # Phường Phú Hài, Thành phố Phan Thiết
enroll fuzz 22921 commune       # the same commune's second computer: the malformed messages
enroll lagi 23231 commune       # Phường Phước Hội, Thị xã La Gi
enroll phanthiet 593 district   # Thành phố Phan Thiết
enroll binhthuan 60 province    # Tỉnh Bình Thuận, issuer of 1751/KH-UBND
enroll dongthap 87 province     # Tỉnh Đồng Tháp
enroll ministry VN ministry
enroll admin VN admin
enroll revokee 22927 commune    # Phường Phú Tài
FLOOD_UNITS=(22918 22924 22930 22933)   # Hàm Tiến, Phú Thủy, Phú Trinh, Xuân An
for i in 1 2 3 4; do enroll "flood$i" "${FLOOD_UNITS[i-1]}" commune; done
enroll burst 22936 commune      # Phường Thanh Hải
mkkey unknown                   # never enrolled
enroll mitm 22921 commune       # the real client's key, behind the proxy

TH_SECURE=1 th_server_start --secret-key-file "$K/server.key"
A=("${ATK[@]}" --endpoint "$TH_ENDPOINT" --server-key "$server_pub")
ask() { "${A[@]}" ask --key "$K/$1.key" "${@:2}" 2>&1 || true; }
got() { echo "  got: $(head -c 400 <<<"$1" | head -3)" >&2; }
has() { grep -q -- "$2" <<<"$1" || { got "$1"; return 1; }; }
FOUR=CTXH-01=3/5,CTXH-02=4/10,CTXH-03=1/2,CTXH-04=17/20

# --- Before: each key does what it may --------------------------------------
out=$(ask phuhai submit --unit 22921 --period 2025Q3 --plan 1751/KH-UBND --values "$FOUR")
th_check "a commune key submits for its own unit: stored" has "$out" "^ack STORED"
out=$(ask lagi submit --unit 23231 --period 2025Q3 --plan 1751/KH-UBND --values "$FOUR")
th_check "a La Gi commune submits for itself: stored" has "$out" "^ack STORED"

RESULT_TABLES="submissions result_values current_results plans plan_programmes plan_targets plan_deadlines
  catalogue_revisions indicators units unit_parents unit_successions"
db_state() {
  local t
  for t in $RESULT_TABLES; do
    th_sql "SELECT '$t ' || count(*) || ' ' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '-') FROM $t x"
  done
}
db_state >"$TH_WORK/db.before"
th_log "result tables before the attack: $(awk '{printf "%s=%s ", $1, $2}' "$TH_WORK/db.before")"

# --- Handshake: no key, an unknown key ---------------------------------------
out=$("${A[@]}" --timeout 2 ask --no-key planfetch --plan 1751/KH-UBND --unit 22921 2>&1 || true)
th_check "no key (plain text to the CURVE server): no reply, the handshake failed" \
  has "$out" "^timeout handshake=failed_[a-z_()*0-9]*\(,failed_[a-z_()*0-9]*\)*$"
th_log "  no key: $out"
out=$("${A[@]}" --timeout 2 ask --key "$K/unknown.key" submit --unit 22921 --period 2025Q3 --values "$FOUR" 2>&1 || true)
th_check "an unknown key: no reply" has "$out" "^timeout"
th_check "an unknown key: refused at the handshake by ZAP (400)" has "$out" "failed_auth(400)"

# --- A key revoked while connected --------------------------------------------
"${A[@]}" session --key "$K/revokee.key" --unit 22927 --ready "$TH_WORK/rv.ready" --go "$TH_WORK/rv.go" \
  >"$TH_WORK/rv.out" 2>&1 &
sess=$!
for _ in $(seq 1 200); do [ -e "$TH_WORK/rv.ready" ] && break; sleep 0.05; done
"$TONGHOPD" revoke --db "$TH_DSN" --public-key "${PK[revokee]}" >/dev/null
sleep 1.5
touch "$TH_WORK/rv.go"
wait "$sess" || true
th_check "revoked while connected: served before, FORBIDDEN field key after, same connection" \
  th_eq "$(sed 's/ detail=.*//; s/ plans=.*//' "$TH_WORK/rv.out" | tr '\n' '|')" "reply plan_reply|error FORBIDDEN field=key|"
out=$("${A[@]}" --timeout 2 ask --key "$K/revokee.key" planfetch --plan 1751/KH-UBND --unit 22927 2>&1 || true)
th_check "the revoked key on a new connection: refused at the handshake" has "$out" "^timeout handshake=failed_auth(400)"

# --- Authorisation from the key, never from the message -----------------------
out=$(ask phuhai submit --unit 22924 --period 2025Q3 --plan 1751/KH-UBND --values "$FOUR")
th_check "a commune key submitting for its neighbour (22924): FORBIDDEN submission.unit_code" \
  has "$out" "^error FORBIDDEN field=submission.unit_code"
out=$(ask phuhai submit --unit 23231 --period 2025Q3 --values "$FOUR")
th_check "a commune key submitting for a commune of another district: FORBIDDEN" \
  has "$out" "^error FORBIDDEN field=submission.unit_code"

out=$(ask phanthiet rollup --plan 1751/KH-UBND --period 2025Q3 --unit 593)
th_check "a district key reads its own district's report" has "$out" "^reply rollup_reply unit=593 reported=1"
out=$(ask phanthiet history --unit 22921 --indicator CTXH-01 --period 2025Q3)
th_check "a district key reads a commune's history in its district" has "$out" "^reply history_reply entries=1"
out=$(ask phanthiet rollup --plan 1751/KH-UBND --period 2025Q3 --unit 594)
th_check "a district key reading another district's report (La Gi): FORBIDDEN unit_code" \
  has "$out" "^error FORBIDDEN field=unit_code"
out=$(ask phanthiet rollup --plan 1751/KH-UBND --period 2025Q3 --unit 60)
th_check "a district key reading its province's report: FORBIDDEN unit_code" has "$out" "^error FORBIDDEN field=unit_code"
out=$(ask phanthiet history --unit 23231 --indicator CTXH-01 --period 2025Q3)
th_check "a district key reading another district's commune history: FORBIDDEN unit_code" \
  has "$out" "^error FORBIDDEN field=unit_code"
out=$(ask phanthiet planfetch --unit 23231)
th_check "a district key listing the plans covering a unit of another district: FORBIDDEN unit_code" \
  has "$out" "^error FORBIDDEN field=unit_code"
out=$(ask phanthiet planfetch --plan 1751/KH-UBND --unit 23231)
th_check "a district key reading a plan for a unit of another district: FORBIDDEN unit_code" \
  has "$out" "^error FORBIDDEN field=unit_code"
out=$(ask ministry rollup --plan 1751/KH-UBND --period 2025Q3 --unit 594)
th_check "a ministry key reads La Gi's report (and there is data to steal)" has "$out" "^reply rollup_reply unit=594 reported=1"

base=$TH_SRC_DIR/deploy/samples/plans/binh-thuan-2025-1751-KH-UBND.json
jq '.revision = 2 | .programmes[0].targets[0].value = 55' "$base" >"$TH_WORK/rev2.json"
jq '.revision = 5' "$base" >"$TH_WORK/rev5.json"
for who in phuhai phanthiet dongthap; do
  out=$(ask "$who" publish --file "$TH_WORK/rev2.json")
  th_check "a valid revision 2 of 1751/KH-UBND published by the $who key: FORBIDDEN" has "$out" "^error FORBIDDEN"
done
out=$(ask binhthuan publish --file "$base")
th_check "the province key of the issuer may publish (revision 1 again: unchanged)" has "$out" "^ack DUPLICATE"
for who in binhthuan admin; do
  out=$(ask "$who" publish --file "$TH_WORK/rev5.json")
  th_check "a revision jump (1 stored, 5 sent) from the $who key: refused naming revision" \
    has "$out" "^error \(INVALID_VALUE\|OLD_REVISION\) field=revision"
  th_log "  $who, revision 5: $out"
done
for who in phuhai binhthuan; do
  out=$(ask "$who" catalogue --file "$TH_SRC_DIR/deploy/data/indicator-catalogue.json")
  th_check "the indicator catalogue published by the $who key: FORBIDDEN" has "$out" "^error FORBIDDEN"
done

# --- A few hundred malformed messages from an enrolled key --------------------
"${A[@]}" malformed --key "$K/fuzz.key" --out "$TH_WORK/malformed.json" >"$TH_WORK/malformed.out" 2>&1 || true
th_log "  $(cat "$TH_WORK/malformed.out")"
M=$TH_WORK/malformed.json
mj() { jq -r "$1" "$M" 2>/dev/null; }
th_check "malformed: a few hundred sent ($(mj .sent), $(mj '.categories | to_entries | map("\(.key) \(.value)") | join(", ")'))" \
  test "$(mj .sent)" -ge 300
th_check "malformed: every one answered with an Error ($(mj .answered_error) of $(mj .sent))" \
  th_eq "$(mj .answered_error)" "$(mj .sent)"
th_check "malformed: no other reply" th_eq "$(mj '.not_error | join("; ")')" ""
th_check "malformed: none unanswered" th_eq "$(mj '.unanswered | join("; ")')" ""
th_check "malformed: no refusal echoes what it was sent (largest reply $(mj .max_reply_bytes) bytes)" \
  test "$(mj .max_reply_bytes)" -lt 1024
th_check "a 2 MB message: dropped by libzmq, no reply, the peer disconnected" \
  bash -c '[ "$1" = timeout ] && [ "$2" = true ]' _ "$(mj .oversize)" "$(mj .oversize_disconnected)"
th_check "after them the same key on a new connection is served" has "$(mj .after)" "^reply plan_reply"
th_check "server alive after the malformed messages" kill -0 "$TH_SERVER_PID"

# --- Requests past the per-connection cap --------------------------------------
out=$("${A[@]}" burst --key "$K/burst.key" --unit 22936 --count 2000 2>&1 || true)
th_log "  burst of 2000 plan fetches on one connection: $out"
th_check "a burst of 2000 requests on one connection (a client that reads as they come): some answered BUSY" \
  test "$(jq -r '.kinds["error:BUSY"] // 0' <<<"$out" 2>/dev/null || echo 0)" -gt 0
th_check "and every request answered exactly once (BUSY or served)" \
  bash -c '[ "$(jq -r .distinct_ids <<<"$1")" = 2000 ] && [ "$(jq -r .answered <<<"$1")" = 2000 ]' _ "$out"

# --- Four clients that never read their replies --------------------------------
out=$("${A[@]}" flood --keys "$K/flood1.key,$K/flood2.key,$K/flood3.key,$K/flood4.key" \
  --units "$(IFS=,; echo "${FLOOD_UNITS[*]}")" --count 5000 --pid "$TH_SERVER_PID" --good-key "$K/phuhai.key" 2>&1 || true)
th_log "  flood: $out"
fj() { jq -r "$1" <<<"$out" 2>/dev/null; }
th_check "four clients sent 5000 plan fetches each and read nothing" th_eq "$(fj .sent)" 20000
th_check "what one of them reads afterwards: its excess requests were answered BUSY" \
  test "$(fj '.first_read_late["error:BUSY"] // 0')" -gt 0
# (Not `ldd | grep -q` under pipefail: grep leaving at the first match can
# fail ldd with SIGPIPE, and the plain-build branch would run.)
if [[ $(ldd "$TONGHOPD") == *libasan* ]]; then
  # AddressSanitizer's shadow memory and quarantine are most of the figure:
  # the bound is checked on the plain build.
  th_log "  (AddressSanitizer build: server VmRSS peak $(fj .rss_max_kb) kB, VmHWM $(fj .hwm_kb) kB, not bounded here)"
else
  th_check "the server's memory stayed under 100 MB (VmRSS peak $(fj .rss_max_kb) kB, VmHWM $(fj .hwm_kb) kB)" \
    bash -c '[ "$1" -lt 102400 ] && [ "$2" -lt 102400 ]' _ "$(fj .rss_max_kb)" "$(fj .hwm_kb)"
fi
th_log "  a good client asking during the flood: $(fj .good.reply) after $(fj .good.ms) ms"
th_check "a good client asking during the flood is answered within the server's bound (--db-timeout, 10 s)" \
  has "$(fj .good.reply)" "^\(reply plan_reply\|error UNAVAILABLE\)"
th_check "server alive after the flood" kill -0 "$TH_SERVER_PID"
# Within the server's own bound on an answer (--db-timeout, 10 s by default).
out=$("${A[@]}" --timeout 10 ask --key "$K/phuhai.key" planfetch --plan 1751/KH-UBND --unit 22921 2>&1 || true)
th_check "a good client is served once the flood stops" has "$out" "^reply plan_reply plans=1"

# --- The database is as it was ------------------------------------------------
db_state >"$TH_WORK/db.after"
th_check "result tables unchanged (row counts and md5 of every row: $RESULT_TABLES)" \
  diff "$TH_WORK/db.before" "$TH_WORK/db.after"

# --- The audit trail ----------------------------------------------------------
sleep 1.5
audit() { # audit WHAT MIN CONDITION: at least MIN rows of audit_log match
  local n
  n=$(th_sql "SELECT count(*) FROM audit_log WHERE $3" 2>&1) || { echo "  $n" >&2; n=0; }
  th_check "audit: $1 ($n row(s))" test "$n" -ge "$2"
}
key() { echo "'${PK[$1]}'"; }
audit "the submission stored" 1 "public_key = $(key phuhai) AND request = 'submission' AND outcome = 'STORED' AND target = '22921'"
# (A plain-text client is refused by libzmq itself, at the greeting, on the
# mechanism mismatch: the ZAP handler is never asked, and the monitor event
# that would tell is unsafe to subscribe to in libzmq 4.3 (it clobbers errno
# after a failed CURVE decryption and stalls that connection: the MITM test
# below would hang). So no audit row for it: the README says so.)
audit "the unknown key's handshake refused" 1 "request = 'handshake' AND public_key = $(key unknown)"
audit "the revoked key refused on its open connection" 1 "public_key = $(key revokee) AND outcome = 'FORBIDDEN' AND field = 'key'"
audit "the revoked key's new handshake refused" 1 "request = 'handshake' AND public_key = $(key revokee)"
audit "the submission for the neighbour refused, with the unit, peer and request id" 1 \
  "public_key = $(key phuhai) AND request = 'submission' AND outcome = 'FORBIDDEN' AND target = '22924'
   AND unit_code = '22921' AND role = 'commune' AND peer LIKE '%127.0.0.1%' AND request_id <> ''"
audit "the district's five reads outside its territory refused" 5 \
  "public_key = $(key phanthiet) AND outcome = 'FORBIDDEN' AND field = 'unit_code' AND request <> 'plan publish'"
audit "the three plan publications refused" 3 \
  "public_key IN ($(key phuhai), $(key phanthiet), $(key dongthap)) AND request = 'plan publish' AND outcome = 'FORBIDDEN'"
audit "the unchanged plan publication (a write, whatever its outcome)" 1 \
  "public_key = $(key binhthuan) AND request = 'plan publish' AND outcome = 'DUPLICATE'"
audit "the two revision jumps refused" 2 \
  "public_key IN ($(key binhthuan), $(key admin)) AND request = 'plan publish' AND outcome IN ('INVALID_VALUE', 'OLD_REVISION') AND field = 'revision'"
audit "the two catalogue publications refused" 2 \
  "public_key IN ($(key phuhai), $(key binhthuan)) AND outcome = 'FORBIDDEN' AND request LIKE 'catalogue%'"
audit "every malformed message refused" "$(mj .answered_error)" \
  "public_key = $(key fuzz) AND outcome NOT IN ('STORED', 'DUPLICATE', 'ACCEPTED') AND request <> 'handshake'"
audit "the burst's BUSY answers" 1 "public_key = $(key burst) AND outcome = 'BUSY'"
th_log "audit_log: $(th_sql "SELECT sum(n) || ' rows; ' || string_agg(o || ' ' || n, ', ' ORDER BY n DESC) FROM (SELECT outcome o, count(*) n FROM audit_log GROUP BY 1) x" 2>&1 | head -1)"
out=$("$TONGHOPD" audit --db "$TH_DSN" --refused --limit 100000 2>&1 || true)
th_check "tonghopd audit prints the trail (the unknown key's refused handshake among it)" \
  has "$(grep -F -- "${PK[unknown]:0:10}" <<<"$out")" "handshake"

# --- A man in the middle ------------------------------------------------------
# A real client (tonghop) through mitm_proxy.py: one byte of its encrypted
# request flipped on every connection.
proxy() { # proxy MODE NAME: starts mitm_proxy.py in front of the server; sets PROXY, PROXY_PID
  rm -f "$TH_WORK/$2.port"
  "$PY" "$TH_SRC_DIR/tests/integration/mitm_proxy.py" --target "${TH_ENDPOINT#tcp://}" --mode "$1" \
    --port-file "$TH_WORK/$2.port" --log "$TH_WORK/$2.log" 2>>"$TH_WORK/$2.err" &
  PROXY_PID=$!
  for _ in $(seq 1 100); do [ -s "$TH_WORK/$2.port" ] && break; sleep 0.05; done
  PROXY=tcp://127.0.0.1:$(cat "$TH_WORK/$2.port")
}
proxy_stop() { sleep 0.3; kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null || true; }
plain() { jq -s '[.[] | select(.event == "plain_text") | .client_to_server + .server_to_client] | add // 0' "$1"; }
th_results_csv "$TH_WORK/mitm.csv"
export TONGHOP_SPOOL=$TH_WORK/mitm-spool
count() { th_sql "SELECT count(*) FROM submissions"; }
before=$(count)
proxy flip flip
rc=0; out=$("$TONGHOP" submit --server "$PROXY" --server-key "$server_pub" --key-file "$K/mitm.key" \
  --timeout 3s --retries 2 --unit 22921 --period 2025Q2 "$TH_WORK/mitm.csv" 2>&1) || rc=$?
proxy_stop
th_log "  through the flipping proxy: exit $rc: $(tr '\n' ' ' <<<"$out")"
L=$TH_WORK/flip.log
th_check "MITM: the proxy flipped a byte of the encrypted request ($(jq -s '[.[] | select(.event == "tampered")] | length' "$L") connection(s))" \
  test "$(jq -s '[.[] | select(.event == "tampered")] | length' "$L")" -ge 1
th_check "MITM: the server dropped every tampered connection at once" \
  th_eq "$(jq -s '[.[] | select(.event == "tampered") | .conn] as $t | [.[] | select(.event == "server_closed" and (.conn as $c | $t | index($c)) and .after_tamper != null and .after_tamper < 2)] | length == ($t | length)' "$L")" true
th_check "MITM: the client did not report it stored; it stays queued (exit 5)" \
  bash -c '[ "$1" = 5 ] && ! grep -qi "^stored" <<<"$2"' _ "$rc" "$out"
th_check "MITM: the rewritten request was not stored" th_eq "$(count)" "$before"
th_check "MITM: over CURVE the unit code never passes in plain text" th_eq "$(plain "$L")" 0

# The same proxy changing nothing: the queued submission goes through intact.
proxy pass pass
rc=0; out=$("$TONGHOP" sync --server "$PROXY" --server-key "$server_pub" --key-file "$K/mitm.key" \
  --timeout 5s --retries 2 2>&1) || rc=$?
proxy_stop
th_check "MITM control: through the proxy passing bytes unchanged, the queue is delivered" \
  bash -c '[ "$1" = 0 ] && grep -q "Stored" <<<"$2"' _ "$rc" "$out"
th_check "MITM control: stored as sent (unit 22921, 2025Q2, numerators 3,4,1,17)" \
  th_eq "$(th_sql "SELECT s.unit_code || ' ' || string_agg(r.numerator::text, ',' ORDER BY r.indicator_code)
                   FROM submissions s JOIN result_values r ON r.submission_id = s.id
                  WHERE s.year = 2025 AND s.quarter = 2 GROUP BY s.unit_code")" "22921 3,4,1,17"
th_check "MITM control: no unit code in plain text either" th_eq "$(plain "$TH_WORK/pass.log")" 0

# For contrast: plain text (--insecure, loopback only) lets the proxy turn
# Phú Hài's results into Mũi Né's, and nobody notices.
th_server_start
proxy rewrite rewrite
rc=0; out=$("$TONGHOP" submit --server "$PROXY" --timeout 3s --retries 1 --unit 22921 --period 2025Q1 \
  "$TH_WORK/mitm.csv" 2>&1) || rc=$?
proxy_stop
th_check "without CURVE: the client believes 22921's results stored" \
  bash -c '[ "$1" = 0 ] && grep -q "unit 22921" <<<"$2"' _ "$rc" "$out"
th_check "without CURVE: the proxy rewrote them into 22915's, and the server stored that" \
  th_eq "$(th_sql "SELECT string_agg(unit_code, ',') FROM submissions WHERE year = 2025 AND quarter = 1")" 22915
th_finish
