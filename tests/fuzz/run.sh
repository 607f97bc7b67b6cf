#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, with ASan and UBSan) of what parses
# untrusted input: protocol envelopes and submissions, plan files, the
# indicator catalogue file, CSV, and the report JSON the client prints
# (client/json_pretty.c). ./tests/run.sh runs it for 12 s a target
# after the ctest runs; run it longer after touching a parser:
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET]        (default 60)
#
# Needs: clang with libFuzzer (Debian: clang and libclang-rt-14-dev, which
# deploy/install-deps.sh --tests installs), and a build tree in build/ (for
# the generated protobuf code).
#
# Each target starts from its committed seed corpus, tests/fuzz/corpus/
# fuzz_<target>/ (real plan files, the catalogue, results files, envelopes
# written by make_seeds.c), copied into a scratch corpus under build/fuzz/
# so runs never modify the committed one; what the fuzzer finds there is
# kept for the next run. A crash fails the run (exit 1) and prints the path
# of its reproducer: run `build/fuzz/fuzz_<target> REPRODUCER` to see it
# again.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
case $secs in '' | *[!0-9]*) echo "usage: tests/fuzz/run.sh [SECONDS_PER_TARGET]" >&2; exit 2 ;; esac
out=$(pwd)/build/fuzz
mkdir -p "$out/crashes"
[ -f build/proto/tonghop.pb-c.c ] || { echo "build first: ./tests/run.sh or cmake -S . -B build && cmake --build build"; exit 2; }
command -v clang >/dev/null || { echo "fuzz: clang is missing (deploy/install-deps.sh --tests)"; exit 2; }
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L"
inc="-Icommon -Iclient -Ibuild/proto $(pkg-config --cflags libprotobuf-c json-c libzmq)"
libs="$(pkg-config --libs libprotobuf-c json-c libzmq) -lm"
common="client/json_pretty.c common/wire.c common/validate.c common/period.c common/plan_file.c common/catalogue_file.c common/json_dupkeys.c common/csv.c build/proto/tonghop.pb-c.c"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
# TH_FUZZ_TARGETS="csv wire" runs only those.
for t in ${TH_FUZZ_TARGETS:-wire plan_file catalogue_file csv json_dupkeys json_pretty}; do
  bin=$out/fuzz_$t
  # shellcheck disable=SC2086
  if ! clang $flags $inc -o "$bin" "tests/fuzz/fuzz_$t.c" $common $libs; then
    echo "== fuzz_$t: FAILED to build"
    status=1
    continue
  fi
  seeds=tests/fuzz/corpus/fuzz_$t
  corpus=$out/corpus_$t
  mkdir -p "$corpus"
  cp "$seeds"/* "$corpus/"
  log=$out/fuzz_$t.log
  echo "== fuzz_$t for ${secs}s (seeds: $seeds)"
  before=$(find "$out/crashes" -name "fuzz_$t-*" | wc -l)
  rc=0
  "$bin" -max_total_time="$secs" -max_len=65536 -print_final_stats=0 \
    -artifact_prefix="$out/crashes/fuzz_$t-" "$corpus" >"$log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    status=1
    tail -n 60 "$log"
    echo "== fuzz_$t: FAILED (exit $rc); full log: $log"
    find "$out/crashes" -name "fuzz_$t-*" -newer "$bin" | sed 's/^/   reproducer: /'
    [ "$(find "$out/crashes" -name "fuzz_$t-*" | wc -l)" -gt "$before" ] ||
      echo "   (no reproducer written; see the log)"
  else
    grep -E '^#[0-9]+ +DONE' "$log" | tail -n 1 || tail -n 1 "$log"
  fi
done
[ $status -eq 0 ] && echo "== fuzz: no crash" || echo "== fuzz: FAILED"
exit $status
