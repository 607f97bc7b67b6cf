#!/usr/bin/env bash
# Installs the Debian packages that building, the demo and (with --tests)
# the test suite need. Idempotent: installs nothing that is already there,
# and touches the network only when something is missing. Needs root (or
# sudo) when it installs.
#
#   deploy/install-deps.sh           build and run (what deploy/demo.sh needs)
#   deploy/install-deps.sh --tests   also what tests/run.sh needs
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libzmq3-dev
  protobuf-c-compiler libprotobuf-c-dev
  libpq-dev postgresql-15 postgresql-client-15
  libjson-c-dev uuid-dev
  gettext
  util-linux procps
)
if [ "${1:-}" = "--tests" ]; then
  # cmocka for unit tests; jq, python3 and xmllint for checking outputs;
  # Chromium (with fonts that have Vietnamese letters) to render the HTML report,
  # and Liberation Serif (Times New Roman's metrics) for the official report's PDF;
  # clang with its libFuzzer and sanitizer runtimes for tests/fuzz/run.sh;
  # pyzmq, protobuf for Python and protoc for the independent client of
  # tests/integration/attacker.sh; dpkg-dev (dpkg-shlibdeps), lintian and
  # systemd (systemd-analyze verify) for tests/integration/packages.sh.
  packages+=(libcmocka-dev jq python3 libxml2-utils chromium fonts-dejavu-core fonts-liberation2 clang libclang-rt-14-dev
    python3-zmq python3-protobuf protobuf-compiler dpkg-dev lintian systemd)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
