#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, with ASan and UBSan) of what parses
# untrusted input: protocol envelopes and submissions, plan files, the
# indicator catalogue file, CSV.
# Not part of ./tests/run.sh (it needs clang and takes as long as you give
# it); run it after touching a parser:
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET]        (default 60)
#
# Needs: clang and libclang-rt-14-dev (Debian), and a build tree in build/
# (for the generated protobuf code). Crashes are written to build/fuzz/.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
out=build/fuzz
mkdir -p "$out"
[ -f build/proto/tonghop.pb-c.c ] || { echo "build first: ./tests/run.sh or cmake -S . -B build && cmake --build build"; exit 2; }
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L"
inc="-Icommon -Ibuild/proto $(pkg-config --cflags libprotobuf-c json-c libzmq)"
libs="$(pkg-config --libs libprotobuf-c json-c libzmq) -lm"
common="common/wire.c common/validate.c common/period.c common/plan_file.c common/catalogue_file.c common/json_dupkeys.c common/csv.c build/proto/tonghop.pb-c.c"
status=0
for t in wire plan_file catalogue_file csv json_dupkeys; do
  clang $flags $inc -o "$out/fuzz_$t" "tests/fuzz/fuzz_$t.c" $common $libs
  mkdir -p "$out/corpus_$t"
  # Seeds: real plan files and results files, so the fuzzer starts deep.
  case $t in
    plan_file | json_dupkeys) cp deploy/samples/plans/*.json tests/data/plans/*.json "$out/corpus_$t/" ;;
    catalogue_file) cp deploy/data/indicator-catalogue.json "$out/corpus_$t/" ;;
    csv) cp deploy/samples/results/*.csv "$out/corpus_$t/"; head -200 deploy/data/vn-admin-units-2024.csv >"$out/corpus_$t/units.csv" ;;
  esac
  echo "== fuzz_$t for ${secs}s"
  (cd "$out" && "./fuzz_$t" -max_total_time="$secs" -max_len=65536 "corpus_$t" 2>&1 | tail -3) || status=1
done
exit $status
