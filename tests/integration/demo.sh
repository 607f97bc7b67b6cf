#!/usr/bin/env bash
# The demo (issue #14): ./deploy/demo.sh from this source tree, twice (a
# second run must work too), on its embedded PostgreSQL: it tells the
# whole story and stops everything it started.
set -euo pipefail
src=${TH_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
fails=0
check() { if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; fails=$((fails + 1)); fi; }
for run in 1 2; do
  out=$(mktemp)
  rc=0
  # (With the suite's binaries: a build of its own beside the other tests
  # would load the machine for a minute.)
  (cd "$src" && TH_DEMO_BIN_DIR=${TH_BIN_DIR:-$src/build} timeout 280 ./deploy/demo.sh) >"$out" 2>&1 || rc=$?
  check "run $run: the demo exits 0" test "$rc" = 0
  check "run $run: it finished and stopped what it started" grep -q "everything it started is stopped" "$out"
  check "run $run: late results, a correction, an approval and the lock it sets" \
    bash -c 'grep -q "nộp muộn" "$1" && grep -q "Phú Hài corrects" "$1" && grep -q "approves its 2025Q2" "$1" &&
             grep -q "PERIOD_LOCKED\|đã khóa\|is closed" "$1"' _ "$out"
  check "run $run: the review found the jumping denominator" grep -q "1 điểm cần xem" "$out"
  check "run $run: the province report and what is due" \
    bash -c 'grep -q "The province report" "$1" && grep -q "What is due" "$1"' _ "$out"
  check "run $run: the notifications the province heard" grep -q "đã phê duyệt 2025Q2" "$out"
  for f in $(grep -o '/[^ ]*bao-cao[^ ]*\.\(html\|pdf\)' "$out" | sort -u); do
    check "run $run: $(basename "$f") written" test -s "$f"
  done
  [ "$fails" = 0 ] || cat "$out"
  rm -f "$out"
done
check "no server of the demo left running" \
  bash -c '! pgrep -f "[t]onghopd serve .*demo" >/dev/null'
echo "$fails failed"
[ "$fails" = 0 ]
