#!/usr/bin/env bash
# CURVE and enrolled keys (part of issue #11): the server refuses plain text,
# an unknown key, a revoked key — at once, also on a connection already
# open — and serves an enrolled one; --insecure binds only to loopback; a
# secret key file others can read is refused.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
K=$TH_WORK/keys
mkdir -p "$K"
th_results_csv "$TH_WORK/r.csv"

out=$("$TONGHOPD" keygen --secret-file "$K/server.key")
server_pub=$(tail -1 <<<"$out")
th_check "tonghopd keygen: a key pair, mode 0600, the public key printed" \
  bash -c '[ "$(stat -c %a "$1")" = 600 ] && [ ${#2} = 40 ]' _ "$K/server.key" "$server_pub"
client_pub=$("$TONGHOP" keygen --secret-file "$K/phu-thuy.key" | tail -1)
other_pub=$("$TONGHOP" keygen --secret-file "$K/other.key" | tail -1)
rc=0; "$TONGHOP" keygen --secret-file "$K/phu-thuy.key" >/dev/null 2>&1 || rc=$?
th_check "keygen never overwrites a key file" test "$rc" -ne 0
out=$("$TONGHOPD" enroll --db "$TH_DSN" --unit 22924 --role commune --public-key "$client_pub" --name "UBND phường Phú Thủy")
th_check "tonghopd enroll" grep -q "22924" <<<"$out"
th_check "tonghopd keys lists it" grep -qF -- "$client_pub" <<<"$("$TONGHOPD" keys --db "$TH_DSN")"

rc=0; err=$("$TONGHOPD" serve --db "$TH_DSN" --bind 'tcp://0.0.0.0:*' --insecure 2>&1) || rc=$?
th_check "--insecure on a public address: refused" bash -c '[ "$1" != 0 ] && grep -q "insecure" <<<"$2"' _ "$rc" "$err"
rc=0; err=$("$TONGHOPD" serve --db "$TH_DSN" --bind 'tcp://127.0.0.1:*' 2>&1) || rc=$?
th_check "no key and no --insecure: refused, saying what to give" bash -c '[ "$1" != 0 ] && grep -q -- "--secret-key-file" <<<"$2"' _ "$rc" "$err"

TH_SECURE=1 th_server_start --secret-key-file "$K/server.key"
# An array: a Z85 key may hold * ? [ that a shell would expand.
S=(--server "$TH_ENDPOINT" --server-key "$server_pub" --timeout 2s --retries 1)
rc=0; TONGHOP_SPOOL=$TH_WORK/s1 "$TONGHOP" submit "${S[@]}" --key-file "$K/phu-thuy.key" --unit 22924 --period 2025Q3 "$TH_WORK/r.csv" >/dev/null || rc=$?
th_check "an enrolled key: stored" th_eq "$rc" 0
rc=0; err=$(TONGHOP_SPOOL=$TH_WORK/s2 "$TONGHOP" submit --server "$TH_ENDPOINT" --timeout 2s --retries 1 --unit 22924 --period 2025Q2 "$TH_WORK/r.csv" 2>&1) || rc=$?
th_check "plain text to a CURVE server: not stored (queued, exit 5)" th_eq "$rc" 5
rc=0; err=$(TONGHOP_SPOOL=$TH_WORK/s3 "$TONGHOP" submit "${S[@]}" --key-file "$K/other.key" --unit 22924 --period 2025Q2 "$TH_WORK/r.csv" 2>&1) || rc=$?
th_check "an unknown key: refused at the handshake (queued, exit 5)" th_eq "$rc" 5
th_check "and told so" grep -q "refused this computer's key" <<<"$err"
th_check "nothing but the enrolled client's submission stored" th_eq "$(th_sql "SELECT count(*) FROM submissions")" 1
cp "$K/phu-thuy.key" "$K/open.key"; chmod 644 "$K/open.key"
rc=0; err=$("$TONGHOP" plans "${S[@]}" --key-file "$K/open.key" 2>&1) || rc=$?
th_check "a secret key file others can read: refused" bash -c '[ "$1" != 0 ] && grep -q "chmod 600" <<<"$2"' _ "$rc" "$err"

# Revoked while connected: one connection asks, the key is revoked, the
# same connection asks again and is refused (FORBIDDEN), within a second.
"$TONGHOPD" enroll --db "$TH_DSN" --unit 22924 --role commune --public-key "$other_pub" >/dev/null
sleep 1.5
"$TH_BIN_DIR/tests/th_session" "$TH_ENDPOINT" "$server_pub" "$K/other.key" "$TH_WORK/revoked" >"$TH_WORK/session.out" &
sess=$!
for _ in $(seq 1 100); do [ -s "$TH_WORK/session.out" ] && break; sleep 0.05; done
"$TONGHOPD" revoke --db "$TH_DSN" --public-key "$other_pub" >/dev/null
sleep 1.5
touch "$TH_WORK/revoked"
wait $sess || true
th_check "revoked while connected: served before, FORBIDDEN after, on the same connection" \
  th_eq "$(cat "$TH_WORK/session.out" | tr '\n' '|')" "reply PLAN_REPLY|error FORBIDDEN key|"

# Revoked between sessions: a queue is delivered, the key is revoked, the
# next submission is refused at the handshake.
export TONGHOP_SPOOL=$TH_WORK/s4
for q in 1 2; do "$TONGHOP" submit --server tcp://127.0.0.1:1 --timeout 200ms --retries 1 --unit 22924 --period 2025Q$q "$TH_WORK/r.csv" >/dev/null 2>&1 || true; done
rc=0; "$TONGHOP" sync "${S[@]}" --key-file "$K/phu-thuy.key" >/dev/null 2>&1 || rc=$?
th_check "before the revocation: the queue is delivered" th_eq "$rc" 0
"$TONGHOPD" revoke --db "$TH_DSN" --public-key "$client_pub" >/dev/null
sleep 1.5
rc=0; err=$("$TONGHOP" submit "${S[@]}" --key-file "$K/phu-thuy.key" --unit 22924 --period 2025Q4 "$TH_WORK/r.csv" 2>&1) || rc=$?
th_check "after the revocation (within a second, no restart): refused" th_eq "$rc" 5
th_check "revoked keys are listed as such" grep -q "REVOKED" <<<"$("$TONGHOPD" keys --db "$TH_DSN")"
th_check "the revoked key stored nothing more" th_eq "$(th_sql "SELECT count(*) FROM submissions WHERE quarter = 4")" 0
th_check "the server logged the refused handshakes" grep -q "refused a CURVE handshake" "$TH_WORK/server.log"
th_finish
