#!/usr/bin/env bash
# Secrets stay secret (part of issue "Security"). The server's secret key
# comes from a key file only its owner can read, named by
# --secret-key-file or TONGHOP_SECRET_KEY_FILE, or from TONGHOP_SECRET_KEY,
# which serve wipes from its environment once read; a wrong or doubled
# setting is refused without echoing it. serve's database password comes
# from a password file only its owner can read (PGPASSFILE, ~/.pgpass) or
# from TONGHOP_DB, never --db. Neither secret, nor a value a commune
# reported, nor a key holder's name, appears in the server's log (at
# --verbose) or on its command line.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
K=$TH_WORK/keys
mkdir -p "$K"
server_pub=$("$TONGHOPD" keygen --secret-file "$K/server.key" | tail -1)
secret=$(sed -n 's/^secret = //p' "$K/server.key")
other_secret=$("$TONGHOPD" keygen --secret-file "$K/other.key" >/dev/null && sed -n 's/^secret = //p' "$K/other.key")
client_pub=$("$TONGHOP" keygen --secret-file "$K/client.key" | tail -1)
"$TONGHOPD" enroll --db "$TH_DSN" --unit 22924 --role commune --public-key "$client_pub" --name "Nguyễn Thị Hoa Mai" >/dev/null

# The database password: tonghopd gets one, and the cluster asks it of
# tonghopd (only) on its socket.
password="pw-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
th_serve_role
th_sql "ALTER ROLE tonghopd PASSWORD '$password'" >/dev/null
hba=$TH_WORK/pg/data/pg_hba.conf
{ echo "local tonghop tonghopd scram-sha-256"; cat "$hba"; } >"$TH_WORK/hba.new"
cat "$TH_WORK/hba.new" >"$hba" # in place: the file keeps its owner
th_pg_as_owner "$(th_pg_bindir)/pg_ctl" -D "$TH_WORK/pg/data" reload >/dev/null

S=(--server-key "$server_pub" --key-file "$K/client.key" --timeout 5s --retries 1)
submit() { # PERIOD: a submission with the client's key, stored (0) or not
  local rc=0
  TONGHOP_SPOOL=$TH_WORK/spool-$1 "$TONGHOP" submit --server "$TH_ENDPOINT" "${S[@]}" --unit 22924 --period "$1" \
    "$TH_WORK/r.csv" >/dev/null 2>&1 || rc=$?
  return "$rc"
}
th_results_csv "$TH_WORK/r.csv"
printf '%s\n' '*:*:tonghop:tonghopd:'"$password" >"$TH_WORK/pgpass"

rc=0; out=$(TH_SECURE=1 th_server_start --secret-key-file "$K/server.key" 2>&1) || rc=$?
th_check "serve as tonghopd without its password: cannot start" bash -c '[ "$1" != 0 ] && grep -q "password" <<<"$2"' _ "$rc" "$out"
chmod 644 "$TH_WORK/pgpass"
rc=0; out=$(PGPASSFILE=$TH_WORK/pgpass TH_SECURE=1 th_server_start --secret-key-file "$K/server.key" 2>&1) || rc=$?
th_check "a password file others can read is ignored (libpq says why)" \
  bash -c '[ "$1" != 0 ] && grep -q "group or world access" <<<"$2"' _ "$rc" "$out"
chmod 600 "$TH_WORK/pgpass"
: >"$TH_WORK/server.log"

# The key from TONGHOP_SECRET_KEY, the password from PGPASSFILE, --verbose.
PGPASSFILE=$TH_WORK/pgpass TONGHOP_SECRET_KEY=$secret TH_MARKER=environ-is-readable TH_SECURE=1 \
  th_server_start --verbose
th_check "TONGHOP_SECRET_KEY and a password file: serve starts and a client with its public key is served" submit 2025Q1
environ=$(tr '\0' '\n' <"/proc/$TH_SERVER_PID/environ")
th_check "the secret key is gone from the server's environment (/proc/PID/environ)" \
  bash -c 'grep -q "^TH_MARKER=environ-is-readable$" <<<"$1" && ! grep -qF -- "$2" <<<"$1"' _ "$environ" "$secret"
cmdline=$(tr '\0' ' ' <"/proc/$TH_SERVER_PID/cmdline")
th_check "neither the key nor the password is on its command line" \
  bash -c 'grep -q -- "--verbose" <<<"$1" && ! grep -qF -- "$2" <<<"$1" && ! grep -qF -- "$3" <<<"$1"' _ "$cmdline" "$secret" "$password"
# A commune's values, stored and refused, and a refused key.
printf 'indicator,numerator,denominator\nCTXH-01,86421,97531\n' >"$TH_WORK/values.csv"
printf 'indicator,numerator,denominator\nCTXH-01,86423,97533\nCTXH-77,86425,97535\n' >"$TH_WORK/refused.csv"
TONGHOP_SPOOL=$TH_WORK/spool-v "$TONGHOP" submit --server "$TH_ENDPOINT" "${S[@]}" --unit 22924 --period 2025Q2 "$TH_WORK/values.csv" >/dev/null 2>&1 || true
TONGHOP_SPOOL=$TH_WORK/spool-w "$TONGHOP" submit --server "$TH_ENDPOINT" "${S[@]}" --unit 22924 --period 2025Q3 "$TH_WORK/refused.csv" >/dev/null 2>&1 || true
TONGHOP_SPOOL=$TH_WORK/spool-x "$TONGHOP" submit --server "$TH_ENDPOINT" --server-key "$server_pub" --key-file "$K/other.key" \
  --timeout 2s --retries 1 --unit 22924 --period 2025Q4 "$TH_WORK/r.csv" >/dev/null 2>&1 || true
th_check "the values reached the database" th_eq "$(th_sql "SELECT count(*) FROM result_values WHERE numerator = 86421")" 1
th_server_stop
th_check "the server's log holds no secret: neither key nor password" \
  bash -c '! grep -qF -- "$2" "$1" && ! grep -qF -- "$3" "$1" && ! grep -qF -- "$4" "$1"' _ "$TH_WORK/server.log" "$secret" "$other_secret" "$password"
th_check "nor a reported value (stored or refused), nor a key holder's name" \
  bash -c '! grep -qE "8642[135]|9753[135]|Hoa Mai" "$1"' _ "$TH_WORK/server.log"

# The key file named by TONGHOP_SECRET_KEY_FILE; the command line wins.
PGPASSFILE=$TH_WORK/pgpass TONGHOP_SECRET_KEY_FILE=$K/server.key TH_SECURE=1 th_server_start
th_check "TONGHOP_SECRET_KEY_FILE: served" submit 2026Q1
th_server_stop
PGPASSFILE=$TH_WORK/pgpass TONGHOP_SECRET_KEY=$other_secret TH_SECURE=1 th_server_start --secret-key-file "$K/server.key"
th_check "--secret-key-file wins over TONGHOP_SECRET_KEY" submit 2026Q2
th_server_stop

# The password in TONGHOP_DB instead (the whole DSN), never in --db.
rm -f "$TH_WORK/endpoint"
TONGHOP_DB="$TH_SERVE_DSN password=$password" TONGHOP_SECRET_KEY_FILE=$K/server.key \
  "$TONGHOPD" serve --bind 'tcp://127.0.0.1:*' --endpoint-file "$TH_WORK/endpoint" >>"$TH_WORK/server.log" 2>&1 &
TH_SERVER_PID=$!
for _ in $(seq 1 200); do [ -s "$TH_WORK/endpoint" ] && break; sleep 0.05; done
TH_ENDPOINT=$(cat "$TH_WORK/endpoint" 2>/dev/null || true)
th_check "the password in TONGHOP_DB: served" submit 2026Q3
th_server_stop
rc=0; err=$("$TONGHOPD" serve --db "$TH_SERVE_DSN password=$password" --bind 'tcp://127.0.0.1:*' 2>&1) || rc=$?
th_check "a password in --db: refused (exit 2), without repeating it" \
  bash -c '[ "$1" = 2 ] && grep -q "pgpass" <<<"$2" && ! grep -qF -- "$3" <<<"$2"' _ "$rc" "$err" "$password"

# Wrong settings: refused, naming the variable, never echoing the value.
serve_env() { # VAR=VALUE...: serve with that environment; prints exit code and output
  local rc=0 out
  out=$(env "$@" PGPASSFILE="$TH_WORK/pgpass" timeout 20 "$TONGHOPD" serve --db "$TH_SERVE_DSN" --bind 'tcp://127.0.0.1:*' 2>&1) || rc=$?
  echo "$rc $out"
}
bad="${secret:0:39}"
out=$(serve_env TONGHOP_SECRET_KEY="$bad")
th_check "TONGHOP_SECRET_KEY that is no key: exit 2, named, not echoed" \
  bash -c '[ "${1%% *}" = 2 ] && grep -q "TONGHOP_SECRET_KEY is not a secret key" <<<"$1" && ! grep -qF -- "$2" <<<"$1"' _ "$out" "$bad"
out=$(serve_env TONGHOP_SECRET_KEY="$secret" TONGHOP_SECRET_KEY_FILE="$K/server.key")
th_check "both TONGHOP_SECRET_KEY and TONGHOP_SECRET_KEY_FILE: exit 2, not echoed" \
  bash -c '[ "${1%% *}" = 2 ] && grep -q "only one of" <<<"$1" && ! grep -qF -- "$2" <<<"$1"' _ "$out" "$secret"
cp "$K/server.key" "$K/open.key"
chmod 644 "$K/open.key"
out=$(serve_env TONGHOP_SECRET_KEY_FILE="$K/open.key")
th_check "TONGHOP_SECRET_KEY_FILE that others can read: refused (chmod 600)" \
  bash -c '[ "${1%% *}" = 1 ] && grep -q "chmod 600" <<<"$1"' _ "$out"
th_check "serve --help tells where the key and the password come from" \
  bash -c '"$1" serve --help | grep -q "TONGHOP_SECRET_KEY_FILE" && "$1" serve --help | grep -q "pgpass"' _ "$TONGHOPD"
th_finish
