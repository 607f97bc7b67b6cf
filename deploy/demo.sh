#!/usr/bin/env bash
# tonghop demo: the whole system on this machine, from nothing.
#
# Installs what it needs, builds, starts a private PostgreSQL cluster in a
# local directory, creates the schema, loads Vietnam's administrative units
# (the 2024 map, then the map of 1 July 2025 with who succeeded whom) and
# the five seed plans, starts the server, lets five communes of Bình Thuận
# submit their 2025Q2 results and two new communes of Lâm Đồng their
# 2025Q3 results through the real client, prints the province reports (and
# writes one as a printable HTML page), and stops everything it started.
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
rm -rf "$demo/pg"
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

echo "== Creating the schema and loading the administrative units: the 2024 map, then the map of 1 July 2025"
"$TONGHOPD" migrate --db "$dsn" 2>/dev/null
"$TONGHOPD" import-units --db "$dsn" deploy/data/vn-admin-units-2024.csv
"$TONGHOPD" import-units --db "$dsn" --as-of 2025-07-01 --complete \
  --succession deploy/data/vn-succession-2025-07.csv deploy/data/vn-admin-units-2025-07.csv
echo "== Loading the five seed plans"
"$TONGHOPD" import-plan --db "$dsn" deploy/samples/plans/*.json

echo "== Starting the server"
rm -f "$demo/endpoint"
"$TONGHOPD" serve --db "$dsn" --bind 'tcp://127.0.0.1:*' --insecure --endpoint-file "$demo/endpoint" \
  2>"$demo/server.log" &
server_pid=$!
for _ in $(seq 1 100); do [ -s "$demo/endpoint" ] && break; sleep 0.1; done
endpoint=$(cat "$demo/endpoint")
echo "   listening on $endpoint"

# The demo's client keeps its queue and its settings in the demo directory,
# never in the user's own ~/.local/share/tonghop or ~/.config/tonghop: a
# configuration file, as a commune office would have one.
export TONGHOP_CONFIG=$demo/tonghop.conf
unset TONGHOP_SERVER TONGHOP_UNIT TONGHOP_SPOOL TONGHOP_TIMEOUT
export TONGHOP_SYSCONFIG=/dev/null
rm -rf "$demo/spool"
cat >"$TONGHOP_CONFIG" <<CONF
# tonghop client settings for the demo (see the README: "A configuration file")
server = $endpoint
spool = $demo/spool
timeout = 10s
CONF

echo "== Five communes of Bình Thuận submit their results for 2025Q2 (the old map)"
for f in deploy/samples/results/*-2025Q2.csv; do
  unit=$(basename "$f" | cut -d- -f1)
  "$TONGHOP" submit --unit "$unit" --period 2025Q2 "$f"
done

echo
echo "== A mistake is refused, with the reason (nothing is stored):"
printf 'indicator,numerator,denominator\nCTXH-01,9,7\n' >"$demo/sai.csv"
"$TONGHOP" submit --unit 22924 --period 2025Q2 "$demo/sai.csv" 2>&1 || true
echo "== A commune merged away on 1 July 2025 is told who succeeded it:"
"$TONGHOP" submit --unit 22921 --period 2025Q3 deploy/samples/results/22921-phu-hai-2025Q3.csv 2>&1 || true

echo
echo "== Two new communes of Lâm Đồng (since 1 July 2025) submit 2025Q3"
for f in deploy/samples/results/after-2025-07/*-2025Q3.csv; do
  unit=$(basename "$f" | cut -d- -f1)
  "$TONGHOP" submit --unit "$unit" --period 2025Q3 "$f"
done

echo
echo "== The province report: plan 1751/KH-UBND of Bình Thuận, 2025Q2, by district"
"$TONGHOP" report --plan 1751/KH-UBND --period 2025Q2 --by-child
"$TONGHOP" report --plan 1751/KH-UBND --period 2025Q2 --by-child --format html \
  --output "$demo/bao-cao-binh-thuan-2025Q2.html"
echo
echo "== The same plan for the year 2025, on its territory as it stands on 31/12/2025"
echo "   (the communes of Lâm Đồng that came from Bình Thuận; districts no longer exist)"
"$TONGHOP" report --plan 1751/KH-UBND --period 2025
echo
echo "   Printable page: $demo/bao-cao-binh-thuan-2025Q2.html"
echo "Demo finished; everything it started is stopped."
