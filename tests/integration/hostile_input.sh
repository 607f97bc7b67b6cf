#!/usr/bin/env bash
# Whatever a client sends, the server answers (when the transport lets it)
# and keeps serving: random bytes, a truncated protobuf, a wrong protocol
# version, a request type not served yet, an envelope without a body, a
# message without the delimiter frame, and an oversized message. Nothing
# changes silently on the way: a NUL byte inside a string is refused, never
# cut, and so is a number past the sanity bound; neither stores anything.
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
expect_reply "an approval without its plan" "error MISSING_FIELD field=plan_code" unsupported
expect_reply "envelope without body" "error MISSING_FIELD field=body" empty
expect_reply "no delimiter frame" "ack STORED" nodelim

stored() { th_sql "SELECT count(*) FROM submissions"; }
before=$(stored)
out=$("$RAW" "$TH_ENDPOINT" nulunit || true)
th_check "NUL byte in unit_code: refused naming the field" \
  grep -q -- "error INVALID_VALUE field=submission.unit_code detail=NUL byte" <<<"$out"
th_check "NUL byte in unit_code: the bytes are not echoed" \
  bash -c '! grep -q xyz <<<"$1"' _ "$out"
out=$("$RAW" "$TH_ENDPOINT" bignum || true)
th_check "numerator 9223372036854775807: refused" \
  grep -q -- "error INVALID_VALUE field=values\[0\].numerator detail=above 1000000000" <<<"$out"
th_check "refused submissions stored nothing" test "$(stored)" = "$before"
th_check "nothing under their ids" test "$(th_sql "SELECT count(*) FROM submissions
  WHERE id IN ('6f1c2f0e-8a47-4c1e-9d51-3f1f6b7a0c13', '6f1c2f0e-8a47-4c1e-9d51-3f1f6b7a0c14')")" = 0
th_check "after the refusals: server still serves" still_serves

# Larger than ZMQ_MAXMSGSIZE: the transport drops the peer, no reply can
# come; the server must not notice beyond that.
out=$("$RAW" "$TH_ENDPOINT" random 2000000 || true)
th_check "oversized message: no reply" grep -q timeout <<<"$out"
th_check "oversized message: server still serves" still_serves

th_check "server stops cleanly on SIGTERM" th_server_stop TERM
th_finish
