#!/usr/bin/env bash
# tonghop demo: the whole system on this machine, from nothing.
#
# Installs what it needs, builds, starts a private PostgreSQL cluster in a
# local directory, creates the schema, loads Vietnam's administrative units
# (the 2024 map, then the map of 1 July 2025 with who succeeded whom) and
# the five seed plans, gives the server and every office its key pair and
# enrols the offices' keys, starts the server as in production (CURVE, and
# a database role with only the rights it needs), lets five communes of
# Bình Thuận submit their 2025Q2 results and two new communes of Lâm Đồng
# their 2025Q3 results through the real client, each with its own key,
# prints the province reports, asked with the province's key (and writes
# one as a printable HTML page), and stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

./deploy/install-deps.sh
echo "== Building"
cmake -S "$src" -B "$src/build-demo" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTH_TESTS=OFF >/dev/null
cmake --build "$src/build-demo" -j"$(nproc 2>/dev/null || echo 2)" -- --no-print-directory >/dev/null
TONGHOPD=$src/build-demo/server/tonghopd
TONGHOP=$src/build-demo/client/tonghop

. "$src/deploy/lib/pgcluster.sh"

# The cluster lives in .demo/ when the PostgreSQL user can reach it, else in
# a private directory under /tmp (a checkout under /root is not reachable).
demo=$src/.demo
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$src" 2>/dev/null; then
  demo=$(mktemp -d /tmp/tonghop-demo.XXXXXX)
fi
rm -rf "$demo/pg" "$demo/offices" "$demo/server.key"
mkdir -p "$demo"
chmod 755 "$demo"

server_pid=""
cleanup() {
  set +e
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  th_pg_stop "$demo/pg" fast
}
trap cleanup EXIT

echo "== Starting a private PostgreSQL in $demo/pg"
th_pg_init "$demo/pg"
th_pg_start "$demo/pg"
th_pg_createdb "$demo/pg" tonghop
dsn=$(th_pg_dsn "$demo/pg" tonghop)

# Two database roles, as in production (README: "Running in production"):
# the cluster's owner migrates and runs the admin commands; the server runs
# as tonghopd, a member of tonghop_server (which migrate creates: the rights
# serve needs, no DDL, history append-only) and of nothing else.
echo "== Creating the schema and loading the administrative units: the 2024 map, then the map of 1 July 2025"
"$TONGHOPD" migrate --db "$dsn" 2>/dev/null
th_pg_login_role "$demo/pg" tonghop tonghopd tonghop_server
serve_dsn=$(th_pg_dsn "$demo/pg" tonghop tonghopd)
"$TONGHOPD" import-units --db "$dsn" deploy/data/vn-admin-units-2024.csv
"$TONGHOPD" import-units --db "$dsn" --as-of 2025-07-01 --complete \
  --succession deploy/data/vn-succession-2025-07.csv deploy/data/vn-admin-units-2025-07.csv
echo "== Loading the five seed plans"
"$TONGHOPD" import-plan --db "$dsn" deploy/samples/plans/*.json

# Keys as in production (README: "Keys: who may talk to the server"): the
# server's pair, and one pair per office, made on the office's computer
# (tonghop keygen) and enrolled on the server for its unit and role. A
# commune's key submits for its own commune only; a province's key reads the
# reports of its territory: Lâm Đồng's, since 1 July 2025, reads what Bình
# Thuận's communes sent before. Each office here is a directory standing for its
# computer: its key, its configuration and its queue, never in the user's
# own ~/.config/tonghop or ~/.local/share/tonghop.
echo "== Keys: the server's key pair, and one per office, enrolled on the server"
server_key=$("$TONGHOPD" keygen --secret-file "$demo/server.key" | tail -1)
offices=()
office() { # UNIT ROLE NAME
  local dir=$demo/offices/$1 pub
  mkdir -p "$dir"
  chmod 700 "$dir"
  pub=$("$TONGHOP" keygen --secret-file "$dir/client.key" | tail -1)
  "$TONGHOPD" enroll --db "$dsn" --unit "$1" --role "$2" --public-key "$pub" --name "$3" >/dev/null
  offices+=("$1")
  # Its configuration file (the server's address is added once it listens).
  # A commune reports for itself; a province names the unit of each report.
  {
    echo "# tonghop client settings of office $1 (see the README: \"A configuration file\")"
    echo "key_file = $dir/client.key"
    if [ "$2" = commune ]; then echo "unit = $1"; fi
    echo "spool = $dir/spool"
    echo "timeout = 10s"
  } >"$dir/tonghop.conf"
}
for f in deploy/samples/results/*-2025Q2.csv deploy/samples/results/after-2025-07/*-2025Q3.csv; do
  office "$(basename "$f" | cut -d- -f1)" commune "Văn phòng UBND xã/phường"
done
office 68 province "Sở Y tế tỉnh Lâm Đồng"
echo "   server public key: $server_key"
echo "   ${#offices[@]} office keys enrolled: communes ${offices[*]:0:${#offices[@]}-1}; province ${offices[-1]}"

echo "== Starting the server: encrypted (CURVE), enrolled keys only, as the database role tonghopd"
rm -f "$demo/endpoint"
"$TONGHOPD" serve --db "$serve_dsn" --bind 'tcp://127.0.0.1:*' --secret-key-file "$demo/server.key" \
  --endpoint-file "$demo/endpoint" 2>"$demo/server.log" &
server_pid=$!
for _ in $(seq 1 100); do [ -s "$demo/endpoint" ] && break; sleep 0.1; done
if [ ! -s "$demo/endpoint" ]; then
  cat "$demo/server.log" >&2
  exit 1
fi
endpoint=$(cat "$demo/endpoint")
echo "   listening on $endpoint"

# Only the offices' configuration files speak: not the user's, nor the
# machine's, nor the environment.
unset TONGHOP_SERVER TONGHOP_UNIT TONGHOP_SPOOL TONGHOP_TIMEOUT TONGHOP_SERVER_KEY TONGHOP_KEY_FILE
export TONGHOP_SYSCONFIG=/dev/null
for unit in "${offices[@]}"; do
  printf 'server = %s\nserver_key = %s\n' "$endpoint" "$server_key" >>"$demo/offices/$unit/tonghop.conf"
done
at() { # UNIT COMMAND...: the client, on that office's computer
  TONGHOP_CONFIG=$demo/offices/$1/tonghop.conf "$TONGHOP" "${@:2}"
}

echo "== Five communes of Bình Thuận submit their results for 2025Q2 (the old map)"
for f in deploy/samples/results/*-2025Q2.csv; do
  at "$(basename "$f" | cut -d- -f1)" submit --period 2025Q2 "$f"
done

echo
echo "== A mistake is refused, with the reason (nothing is stored):"
printf 'indicator,numerator,denominator\nCTXH-01,9,7\n' >"$demo/sai.csv"
at 22924 submit --period 2025Q2 "$demo/sai.csv" 2>&1 || true
echo "== A commune merged away on 1 July 2025 is told who succeeded it:"
at 22921 submit --period 2025Q3 deploy/samples/results/22921-phu-hai-2025Q3.csv 2>&1 || true

echo
echo "== Two new communes of Lâm Đồng (since 1 July 2025) submit 2025Q3"
for f in deploy/samples/results/after-2025-07/*-2025Q3.csv; do
  at "$(basename "$f" | cut -d- -f1)" submit --period 2025Q3 "$f"
done

echo
echo "== The province report: plan 1751/KH-UBND of Bình Thuận, 2025Q2, by district"
echo "   (asked with the key of the province office of Lâm Đồng, which Bình Thuận joined on 1 July 2025)"
at 68 report --plan 1751/KH-UBND --period 2025Q2 --by-child
at 68 report --plan 1751/KH-UBND --period 2025Q2 --by-child --format html \
  --output "$demo/bao-cao-binh-thuan-2025Q2.html"
echo
echo "== The same plan for the year 2025, on its territory as it stands on 31/12/2025"
echo "   (the communes of Lâm Đồng that came from Bình Thuận; districts no longer exist)"
at 68 report --plan 1751/KH-UBND --period 2025
echo
echo "   Printable page: $demo/bao-cao-binh-thuan-2025Q2.html"
echo "Demo finished; everything it started is stopped."
