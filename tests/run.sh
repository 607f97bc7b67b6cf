#!/usr/bin/env bash
# Builds tonghop twice and runs the whole suite with ctest on both: cmocka
# unit tests and integration tests against a real PostgreSQL, real ZeroMQ
# sockets and the real binaries.
#   build/       Release with Debian's hardening flags (dpkg-buildflags), as
#                a packager builds it; valgrind runs here too
#   build-asan/  Debug with AddressSanitizer + UBSan (asserts on)
# Both with -Werror (TH_WERROR): the project's own builds must be clean; the
# shipped CMakeLists does not make warnings errors.
#
#   ./tests/run.sh            everything
#   ./tests/run.sh -L unit    only tests with a ctest label (passed to ctest;
#                             the fuzzers then do not run)
# After the ctest runs, tests/fuzz/run.sh fuzzes the parsers, 12 s a
# target.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

./deploy/install-deps.sh --tests

jobs=$(nproc 2>/dev/null || echo 2)

build() { # build DIR CMAKE_ARGS...
  local dir=$1
  shift
  cmake -S "$src" -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs" -- --no-print-directory >/dev/null
}

# Some warnings only show when optimising (-O3 in Release).
echo "== build (Release, Debian hardening flags)"
build "$src/build" -DCMAKE_BUILD_TYPE=Release -DTH_WERROR=ON \
  -DCMAKE_C_FLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)" \
  -DCMAKE_EXE_LINKER_FLAGS="$(dpkg-buildflags --get LDFLAGS)"
echo "== build (Debug, AddressSanitizer + UBSan)"
build "$src/build-asan" -DCMAKE_BUILD_TYPE=Debug -DTH_SANITIZE=ON -DTH_WERROR=ON

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
echo "== tests (plain build)"
(cd "$src/build" && ctest --output-on-failure -j"$jobs" "$@") || status=1
echo "== tests (sanitizer build)"
(cd "$src/build-asan" && ctest --output-on-failure -j"$jobs" "$@") || status=1
# Then the parsers of untrusted input under libFuzzer, from the committed
# seed corpora: 5 targets x 12 s (about 2 min with building). A crash fails
# the run and prints the reproducer's path. Skipped when only some ctest
# labels were asked for (./tests/run.sh -L unit).
if [ $# -eq 0 ]; then
  echo "== fuzz (libFuzzer, 12 s a target)"
  ./tests/fuzz/run.sh 12 || status=1
fi
exit $status
