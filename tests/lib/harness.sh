# harness.sh -- integration test harness: a throw-away PostgreSQL cluster,
# the real tonghopd on a free loopback port, the real client. Source it from
# a test script, then call th_setup. Everything started is torn down on exit,
# whether the test passed or not.
#
# Environment (ctest sets these): TH_BIN_DIR (where tonghopd and tonghop are),
# TH_SRC_DIR (the source tree). TH_KEEP=1 keeps the work directory.
#
# Database roles, as in production (README: "Running in production"):
# migrate, the admin commands (import-*, enroll, revoke, keys) and th_sql
# run as the cluster's owner (TH_DSN); serve runs as TH_SERVE_ROLE, a LOGIN
# role that is a member of tonghop_server (the least-privilege group role
# migrate creates, migrations/rules/90_grants.sql) and of nothing else
# (TH_SERVE_DSN). So every test that goes through the server also proves
# that serve needs no more rights than tonghop_server has. A test may set
# TH_SERVE_DSN itself to run serve as another role.

set -euo pipefail

TH_SRC_DIR=${TH_SRC_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TH_BIN_DIR=${TH_BIN_DIR:-$TH_SRC_DIR/build}
# shellcheck source=../../deploy/lib/pgcluster.sh
. "$TH_SRC_DIR/deploy/lib/pgcluster.sh"

TONGHOPD="$TH_BIN_DIR/server/tonghopd"
TONGHOP="$TH_BIN_DIR/client/tonghop"
export TONGHOP_LANG=${TONGHOP_LANG:-en}

TH_WORK=""
TH_SERVER_PID=""
TH_SERVE_ROLE=${TH_SERVE_ROLE:-tonghopd}
TH_FAILS=0
TH_PASSES=0

th_log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

th_cleanup() {
  local rc=$?
  set +e
  # Background clients a test may have left running.
  local j
  for j in $(jobs -p); do [ "$j" = "$TH_SERVER_PID" ] || kill "$j" 2>/dev/null; done
  if [ -n "$TH_SERVER_PID" ] && kill -0 "$TH_SERVER_PID" 2>/dev/null; then
    kill -KILL "$TH_SERVER_PID" 2>/dev/null
    wait "$TH_SERVER_PID" 2>/dev/null
  fi
  if [ -n "$TH_WORK" ]; then
    # A test may have paused PostgreSQL (SIGSTOP): it cannot stop paused.
    if [ -s "$TH_WORK/pg/data/postmaster.pid" ]; then
      local pm
      pm=$(head -1 "$TH_WORK/pg/data/postmaster.pid")
      kill -CONT "$pm" $(pgrep -P "$pm") 2>/dev/null
    fi
    th_pg_stop "$TH_WORK/pg" immediate
    if [ "$rc" -ne 0 ] || [ "$TH_FAILS" -ne 0 ]; then
      echo "---- server log (last 40 lines) ----" >&2
      tail -40 "$TH_WORK/server.log" 2>/dev/null >&2
    fi
    if [ "${TH_KEEP:-0}" = 1 ]; then
      echo "work directory kept: $TH_WORK" >&2
    else
      rm -rf "$TH_WORK"
    fi
  fi
  return "$rc"
}

# th_setup [UNITS_CSV]: cluster, database, migrations, units.
th_setup() {
  local units=${1:-$TH_SRC_DIR/deploy/data/vn-admin-units-2024.csv}
  TH_WORK=$(mktemp -d /tmp/tonghop-test.XXXXXX)
  chmod 755 "$TH_WORK"
  trap th_cleanup EXIT
  # The client's queue of submissions: one per test, never the user's own.
  export TONGHOP_SPOOL=$TH_WORK/spool
  th_pg_init "$TH_WORK/pg"
  th_pg_start "$TH_WORK/pg"
  th_pg_createdb "$TH_WORK/pg" tonghop
  TH_DSN=$(th_pg_dsn "$TH_WORK/pg" tonghop)
  export TH_DSN
  "$TONGHOPD" migrate --db "$TH_DSN" >/dev/null
  "$TONGHOPD" import-units --db "$TH_DSN" "$units" >/dev/null
}

# th_serve_role: sets TH_SERVE_DSN, the connection string serve uses,
# unless the test set it: the serve role's, created on the first call (it
# needs the schema migrated: migrate creates tonghop_server).
th_serve_role() {
  if [ -z "${TH_SERVE_DSN:-}" ]; then
    th_pg_login_role "$TH_WORK/pg" tonghop "$TH_SERVE_ROLE" tonghop_server
    TH_SERVE_DSN=$(th_pg_dsn "$TH_WORK/pg" tonghop "$TH_SERVE_ROLE")
  fi
}

# th_server_start [extra args]: starts tonghopd on a free loopback port (or
# on TH_BIND, e.g. the endpoint of a server that was stopped) and waits until
# it listens; sets TH_ENDPOINT and TH_SERVER_PID.
th_server_start() {
  if [ -n "$TH_SERVER_PID" ] && kill -0 "$TH_SERVER_PID" 2>/dev/null; then
    kill -KILL "$TH_SERVER_PID" 2>/dev/null
    wait "$TH_SERVER_PID" 2>/dev/null || true
  fi
  rm -f "$TH_WORK/endpoint"
  th_serve_role
  # Plain text on loopback unless a test sets TH_SECURE=1 and passes its keys.
  local mode=--insecure
  [ "${TH_SECURE:-0}" = 1 ] && mode=""
  # TH_VALGRIND (a valgrind command line) runs the server under memcheck.
  # shellcheck disable=SC2086
  ${TH_VALGRIND:-} "$TONGHOPD" serve --db "$TH_SERVE_DSN" --bind "${TH_BIND:-tcp://127.0.0.1:*}" $mode \
    --endpoint-file "$TH_WORK/endpoint" "$@" >>"$TH_WORK/server.log" 2>&1 &
  TH_SERVER_PID=$!
  local i
  for i in $(seq 1 1200); do
    if [ -s "$TH_WORK/endpoint" ]; then
      TH_ENDPOINT=$(cat "$TH_WORK/endpoint")
      export TH_ENDPOINT
      return 0
    fi
    if ! kill -0 "$TH_SERVER_PID" 2>/dev/null; then
      echo "tonghopd exited during start:" >&2
      cat "$TH_WORK/server.log" >&2
      return 1
    fi
    sleep 0.05
  done
  echo "tonghopd did not start within 60 s" >&2
  return 1
}

# th_server_stop [SIGNAL]: stops the server and returns its exit status.
th_server_stop() {
  local sig=${1:-TERM} rc=0
  [ -n "$TH_SERVER_PID" ] || return 0
  kill -"$sig" "$TH_SERVER_PID" 2>/dev/null || true
  wait "$TH_SERVER_PID" || rc=$?
  TH_SERVER_PID=""
  return "$rc"
}

# th_sql QUERY: one query, unaligned output.
th_sql() {
  psql "$TH_DSN" -X -A -t -v ON_ERROR_STOP=1 -c "$1"
}

# th_client ARGS...: runs the client against the server; prints its output
# and returns its exit code without tripping set -e.
th_client() {
  local rc=0
  "$TONGHOP" "$@" || rc=$?
  return "$rc"
}

th_check() {
  local what=$1
  shift
  if "$@"; then
    TH_PASSES=$((TH_PASSES + 1))
    th_log "ok   - $what"
  else
    TH_FAILS=$((TH_FAILS + 1))
    th_log "FAIL - $what"
  fi
}

# th_unit_values_fresh: the maintained unit_period_values (35_unit_values.sql)
# are exactly what a rebuild from the stored results computes, byte for
# byte (rows compared as text: 5 and 5.0 are equal numerics; checked in a
# transaction that is rolled back).
th_unit_values_fresh() {
  local d
  d=$(psql "$TH_DSN" -X -A -t -q -v ON_ERROR_STOP=1 <<'SQL'
BEGIN;
CREATE TEMP TABLE kept AS SELECT * FROM unit_period_values;
SELECT count(*) > 0 FROM (SELECT th_unit_values_rebuild()) r;
SELECT count(*) FROM ((SELECT k::text FROM kept k EXCEPT SELECT u::text FROM unit_period_values u)
                      UNION ALL (SELECT u::text FROM unit_period_values u EXCEPT SELECT k::text FROM kept k)) d;
ROLLBACK;
SQL
  ) || return 1
  [ "$(tail -1 <<<"$d")" = 0 ] || { echo "  unit_period_values differs from a rebuild in $(tail -1 <<<"$d") rows" >&2; return 1; }
}

th_eq() { [ "$1" = "$2" ] || { echo "  expected: $2" >&2; echo "  actual:   $1" >&2; return 1; }; }

# th_finish: prints the tally and exits non-zero if anything failed.
th_finish() {
  echo "$TH_PASSES passed, $TH_FAILS failed"
  [ "$TH_FAILS" -eq 0 ]
}

# th_results_csv FILE: a Bình Thuận commune's quarter, four ratio indicators.
th_results_csv() {
  cat >"$1" <<CSV
indicator,numerator,denominator
CTXH-01,3,5
CTXH-02,4,10
CTXH-03,1,2
CTXH-04,17,20
CSV
}

# Keys (the tests of authorisation, approval and notifications): a key
# directory, the server's key pair, enrolled client keys, and the client
# run with one of them.
#
# th_keys_init: TH_KEYS (the directory) and the server's key pair there;
# TH_SERVER_PUB is its public key. Start the server with
# TH_SECURE=1 th_server_start --secret-key-file "$TH_KEYS/server.key".
th_keys_init() {
  TH_KEYS=$TH_WORK/keys
  mkdir -p "$TH_KEYS"
  TH_SERVER_PUB=$("$TONGHOPD" keygen --secret-file "$TH_KEYS/server.key" | tail -1)
}

# th_enrol NAME UNIT ROLE: a key pair for NAME ($TH_KEYS/NAME.key), enrolled
# for UNIT with ROLE; NAME.pub holds its public key as the server stores it.
th_enrol() {
  local pub
  pub=$("$TONGHOP" keygen --secret-file "$TH_KEYS/$1.key" | tail -1)
  "$TONGHOPD" enroll --db "$TH_DSN" --unit "$2" --role "$3" --public-key "$pub" --name "$1" >/dev/null
  th_sql "SELECT public_key FROM client_keys WHERE name = '$1'" >"$TH_KEYS/$1.pub"
}

# th_as NAME COMMAND ARGS...: the client with NAME's key (its own spool,
# TH_AS_TIMEOUT per request, 10 s unless set, one retry); its output and
# exit code in $out and $rc. th_ok: it succeeded. th_refused TEXT...: it
# was refused (exit 4) and its output has every TEXT. Both print what they
# saw when not.
th_as() {
  local who=$1
  shift
  rc=0
  out=$(TONGHOP_SPOOL=$TH_WORK/spool-$who "$TONGHOP" "$1" --server "$TH_ENDPOINT" --server-key "$TH_SERVER_PUB" \
    --key-file "$TH_KEYS/$who.key" --timeout "${TH_AS_TIMEOUT:-10s}" --retries 1 "${@:2}" 2>&1) || rc=$?
}
th_ok() { [ "$rc" = 0 ] || { echo "  rc=$rc: $out" >&2; return 1; }; }
th_refused() {
  [ "$rc" = 4 ] || { echo "  rc=$rc: $out" >&2; return 1; }
  local t
  for t in "$@"; do grep -qF -- "$t" <<<"$out" || { echo "  no \"$t\" in: $out" >&2; return 1; }; done
}
