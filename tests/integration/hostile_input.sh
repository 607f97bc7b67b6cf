#!/usr/bin/env bash
# Whatever a client sends, the server answers (when the transport lets it)
# and keeps serving: random bytes, a truncated protobuf, a wrong protocol
# version, a request type not served yet, an envelope without a body, a
# message without the delimiter frame, and an oversized message.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_server_start
RAW="$TH_BIN_DIR/tests/th_rawsend"

still_serves() {
  local csv=$TH_WORK/ok.csv
  th_results_csv "$csv"
  th_client submit --server "$TH_ENDPOINT" --unit 22921 --period 2025Q3 --timeout 3000 "$csv" >/dev/null
}

expect_reply() { # expect_reply WHAT PATTERN RAWSEND-ARGS...
  local what=$1 pattern=$2 out
  shift 2
  out=$("$RAW" "$TH_ENDPOINT" "$@" || true)
  th_check "$what: reply '$pattern'" grep -q -- "$pattern" <<<"$out"
  th_check "$what: server still serves" still_serves
}

for n in 1 7 100 4096 65536; do
  expect_reply "$n random bytes" "error MALFORMED" random "$n"
done
expect_reply "truncated protobuf" "error MALFORMED" truncated
expect_reply "protocol version 2" "error UNSUPPORTED_VERSION field=protocol_version" version 2
expect_reply "protocol version 0" "error UNSUPPORTED_VERSION" version 0
expect_reply "approval not served yet" "error UNSUPPORTED field=body detail=approval" unsupported
expect_reply "envelope without body" "error MISSING_FIELD field=body" empty
expect_reply "no delimiter frame" "ack STORED" nodelim

# Larger than ZMQ_MAXMSGSIZE: the transport drops the peer, no reply can
# come; the server must not notice beyond that.
out=$("$RAW" "$TH_ENDPOINT" random 2000000 || true)
th_check "oversized message: no reply" grep -q timeout <<<"$out"
th_check "oversized message: server still serves" still_serves

th_check "server stops cleanly on SIGTERM" th_server_stop TERM
th_finish
