#!/usr/bin/env bash
# Live notifications (issue #13), with the real server and real `tonghop
# watch` subscribers over CURVE: a district hears what its communes send,
# its approvals, the deadline coming near for units that have not reported
# (the test clock moves past "7 days before") and the plans published above
# it; another district hears none of it, even when its key asks for the
# first district's territory (the server subscribes from the key, not from
# the request); the ministry may narrow to a province.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_keys_init
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR/deploy/samples/plans/binh-thuan-2025-1751-KH-UBND.json" >/dev/null
th_enrol phu-thuy 22924 commune   # Phường Phú Thủy, Thành phố Phan Thiết
th_enrol phan-thiet 593 district  # Thành phố Phan Thiết
th_enrol la-gi 594 district       # Thị xã La Gi
th_enrol binh-thuan 60 province   # Tỉnh Bình Thuận
th_enrol bo VN ministry

clock=$TH_WORK/clock
echo "2025-12-08T12:00:00+07:00" >"$clock"
TH_SECURE=1 th_server_start --secret-key-file "$TH_KEYS/server.key" --test-clock "$clock" \
  --notify-bind 'tcp://127.0.0.1:*' --notify-endpoint-file "$TH_WORK/notify"
NOTIFY=$(cat "$TH_WORK/notify")
# watch NAME FILE ARGS...: a subscriber in the background, for 30 s at most.
pids=()
watch() {
  local who=$1 file=$2
  shift 2
  TONGHOP_LANG=vi "$TONGHOP" watch --notify "$NOTIFY" --server-key "$TH_SERVER_PUB" --key-file "$TH_KEYS/$who.key" \
    --for 30s "$@" >"$TH_WORK/$file" 2>&1 &
  pids+=($!)
}
watch phan-thiet w-phan-thiet
watch la-gi w-la-gi
watch la-gi w-la-gi-asks-593 --unit 593
watch phu-thuy w-phu-thuy
watch bo w-bo-60 --unit 60
subscribed() { [ "$(grep -c 'subscribed to the territory' "$TH_WORK/server.log")" -ge 5 ]; }
for _ in $(seq 1 100); do subscribed && break; sleep 0.1; done
th_check "the five subscribers are subscribed" subscribed
th_check "La Gi's key asking for Phan Thiết got La Gi's own territory" \
  bash -c '[ "$(grep -c "to the territory of 594" "$1")" = 2 ] && [ "$(grep -c "to the territory of 593" "$1")" = 1 ]' _ "$TH_WORK/server.log"

th_results_csv "$TH_WORK/r.csv"
P=1751/KH-UBND
th_as phu-thuy submit --unit 22924 --period 2025Q2 --plan "$P" "$TH_WORK/r.csv"
th_check "Phú Thủy sends 2025Q2" th_ok
th_as phan-thiet approve --plan "$P" --period 2025Q2 --unit 593
th_check "Phan Thiết approves 2025Q2" th_ok
sleep 1
echo "2025-12-09T00:00:01+07:00" >"$clock"   # past 7 days before 15/12 (the end of that day, Vietnam time)
sleep 2
jq '.revision = 2 | .note = "Bản sửa đổi"' "$TH_SRC_DIR/deploy/samples/plans/binh-thuan-2025-1751-KH-UBND.json" >"$TH_WORK/plan-r2.json"
th_as binh-thuan plan publish "$TH_WORK/plan-r2.json"
th_check "Bình Thuận publishes revision 2 of its plan" th_ok
sleep 1.5
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done

has() { grep -q -- "$2" "$TH_WORK/$1" || { echo "  no \"$2\" in $1:" >&2; cat "$TH_WORK/$1" >&2; return 1; }; }
hasnt() { ! grep -q -- "$2" "$TH_WORK/$1" || { echo "  \"$2\" in $1:" >&2; cat "$TH_WORK/$1" >&2; return 1; }; }
th_check "Phan Thiết hears Phú Thủy's results (in Vietnamese)" has w-phan-thiet "22924 Phường Phú Thủy: đã nhận số liệu 2025Q2"
th_check "... and its own approval" has w-phan-thiet "593 Thành phố Phan Thiết: đã phê duyệt 2025Q2"
th_check "... and the province's plan" has w-phan-thiet "60 Tỉnh Bình Thuận: đã ban hành kế hoạch 1751/KH-UBND (bản 2)"
th_check "... and no deadline warning for itself (it has reported)" hasnt w-phan-thiet "chưa báo cáo"
th_check "Phú Thủy hears its own results and its district's approval" \
  bash -c 'grep -q "22924 Phường Phú Thủy: đã nhận" "$1" && grep -q "593 Thành phố Phan Thiết: đã phê duyệt" "$1"' _ "$TH_WORK/w-phu-thuy"
th_check "La Gi hears the deadline coming for itself: 7 days left" has w-la-gi "594 Thị xã La Gi: chưa báo cáo 2025 của kế hoạch 1751/KH-UBND: còn 7 ngày (hạn 15/12/2025)"
th_check "La Gi hears the province's plan" has w-la-gi "đã ban hành kế hoạch 1751/KH-UBND"
th_check "La Gi hears nothing of Phan Thiết" bash -c '! grep -q "22924\|593" "$1"' _ "$TH_WORK/w-la-gi"
th_check "La Gi's key asking for Phan Thiết's territory hears nothing of it either" \
  bash -c '! grep "^\[" "$1" | grep -q "22924\|593" && grep -q "594 Thị xã La Gi: chưa báo cáo" "$1"' _ "$TH_WORK/w-la-gi-asks-593"
th_check "the ministry, narrowed to Bình Thuận, hears all of it: nine districts not reported" \
  bash -c 'grep -q "22924 Phường Phú Thủy: đã nhận" "$1" && grep -q "593 Thành phố Phan Thiết: đã phê duyệt" "$1" &&
           [ "$(grep -c "chưa báo cáo 2025" "$1")" = 9 ]' _ "$TH_WORK/w-bo-60"

# --- a key revoked while subscribed hears nothing more ------------------------------
pids=()
# (Counted before the watchers start: one may subscribe before a count
# taken after them.)
n0=$(grep -c 'subscribed to the territory' "$TH_WORK/server.log")
watch phu-thuy w-revoked
watch phan-thiet w-after
for _ in $(seq 1 100); do [ "$(grep -c 'subscribed to the territory' "$TH_WORK/server.log")" -ge $((n0 + 2)) ] && break; sleep 0.1; done
"$TONGHOPD" revoke --db "$TH_DSN" --public-key "$(th_sql "SELECT public_key FROM client_keys WHERE name = 'phu-thuy'")" >/dev/null
reopened() { grep -q "a key was revoked: every subscriber reconnects" "$TH_WORK/server.log"; }
for _ in $(seq 1 50); do reopened && break; sleep 0.1; done
th_check "the server drops every subscription when a key is revoked" reopened
# Phan Thiết's watcher reconnects and is subscribed again; Phú Thủy's key is refused.
for _ in $(seq 1 100); do [ "$(grep -c 'subscribed to the territory' "$TH_WORK/server.log")" -ge $((n0 + 3)) ] && break; sleep 0.1; done
sleep 0.5
jq '.revision = 3 | .note = "Bản sửa đổi lần 2"' "$TH_SRC_DIR/deploy/samples/plans/binh-thuan-2025-1751-KH-UBND.json" >"$TH_WORK/plan-r3.json"
th_as binh-thuan plan publish "$TH_WORK/plan-r3.json"
th_check "Bình Thuận publishes revision 3" th_ok
sleep 1.5
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
th_check "Phan Thiết, subscribed again, hears revision 3" has w-after "đã ban hành kế hoạch 1751/KH-UBND (bản 3)"
th_check "Phú Thủy's revoked key hears nothing of it" hasnt w-revoked "(bản 3)"
th_check "... and is not subscribed again" th_eq \
  "$(grep -c 'subscribed to the territory' "$TH_WORK/server.log")" $((n0 + 3))

# --- a deadline that passes while the server is stopped -----------------------------
# La Gi has still not reported 2025 (due 15/12). The server stops on 10/12
# and starts again on 16/12: once La Gi's watcher is back, it hears that the
# deadline passed. A second restart does not say it again.
echo "2025-12-10T12:00:00+07:00" >"$clock"
looked() { [ "$(th_sql "SELECT scanned_to = '$1'::timestamptz FROM notify_scans")" = t ]; }
for _ in $(seq 1 200); do looked 2025-12-10T12:00:00+07:00 && break; sleep 0.1; done
th_check "the server records how far it announced deadlines (10/12 12:00)" looked 2025-12-10T12:00:00+07:00
th_server_stop
echo "2025-12-16T09:00:00+07:00" >"$clock"
caught_up() { grep -c "notify: deadlines from .* announced" "$TH_WORK/server.log" || true; }
# restart FILE [catch-up]: the server again, and La Gi's watcher (into FILE)
# once it listens, until it is subscribed, and then until the server
# announced what came while it was stopped (catch-up: at most 20 s), or 2 s.
restart() {
  rm -f "$TH_WORK/notify"
  local n0 c0
  n0=$(grep -c 'subscribed to the territory of 594' "$TH_WORK/server.log")
  c0=$(caught_up)
  TH_SECURE=1 th_server_start --secret-key-file "$TH_KEYS/server.key" --test-clock "$clock" \
    --notify-bind 'tcp://127.0.0.1:*' --notify-endpoint-file "$TH_WORK/notify"
  for _ in $(seq 1 100); do [ -s "$TH_WORK/notify" ] && break; sleep 0.05; done
  NOTIFY=$(cat "$TH_WORK/notify")
  pids=()
  watch la-gi "$1"
  for _ in $(seq 1 400); do
    [ "$(grep -c 'subscribed to the territory of 594' "$TH_WORK/server.log")" -gt "$n0" ] && break
    sleep 0.05
  done
  if [ "${2:-}" = catch-up ]; then
    for _ in $(seq 1 400); do [ "$(caught_up)" -gt "$c0" ] && break; sleep 0.05; done
    for _ in $(seq 1 100); do grep -q "chưa báo cáo" "$TH_WORK/$1" && break; sleep 0.05; done
  else
    sleep 2
  fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  th_server_stop
}
restart w-la-gi-back catch-up
th_check "the server said it would announce what came before its start, then did" \
  th_eq "$(grep -c "(before this start) are announced once subscribers are back" "$TH_WORK/server.log") $(caught_up)" "1 1"
th_check "La Gi, back after the server's stop, hears the deadline that passed meanwhile" \
  has w-la-gi-back "594 Thị xã La Gi: chưa báo cáo 2025 của kế hoạch 1751/KH-UBND: đã quá hạn 15/12/2025"
th_check "... once (the 3- and 1-day warnings due while it was stopped are not sent late)" \
  th_eq "$(grep -c "594 Thị xã La Gi: chưa báo cáo" "$TH_WORK/w-la-gi-back")" 1
th_check "the window is recorded as announced (16/12 09:00)" looked 2025-12-16T09:00:00+07:00
restart w-la-gi-again
th_check "a second restart has nothing to catch up, and announces nothing" \
  bash -c '[ "$(grep -c "(before this start)" "$1")" = 1 ] && ! grep -q "chưa báo cáo" "$2"' _ \
  "$TH_WORK/server.log" "$TH_WORK/w-la-gi-again"

# --- a subscribed key enrolled again for another unit hears that unit only ----------
TH_SECURE=1 th_server_start --secret-key-file "$TH_KEYS/server.key" --test-clock "$clock" \
  --notify-bind 'tcp://127.0.0.1:*' --notify-endpoint-file "$TH_WORK/notify"
for _ in $(seq 1 100); do [ -s "$TH_WORK/notify" ] && break; sleep 0.05; done
NOTIFY=$(cat "$TH_WORK/notify")
n594=$(grep -c 'subscribed to the territory of 594' "$TH_WORK/server.log")
n593=$(grep -c 'subscribed to the territory of 593' "$TH_WORK/server.log")
pids=()
watch la-gi w-la-gi-moved
for _ in $(seq 1 200); do
  [ "$(grep -c 'subscribed to the territory of 594' "$TH_WORK/server.log")" -gt "$n594" ] && break
  sleep 0.05
done
# La Gi's key, enrolled again for Phan Thiết (the office moved, say).
"$TONGHOPD" enroll --db "$TH_DSN" --unit 593 --role district --public-key "$(cat "$TH_KEYS/la-gi.pub")" >/dev/null
moved() { [ "$(grep -c 'subscribed to the territory of 593' "$TH_WORK/server.log")" -gt "$n593" ]; }
for _ in $(seq 1 100); do moved && break; sleep 0.1; done
th_check "a key enrolled again while subscribed: the server drops the subscriptions" \
  grep -q "a key was enrolled again: every subscriber reconnects" "$TH_WORK/server.log"
th_check "... and the key, subscribed again, has its new territory (593), not the old one" moved
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
th_finish
