#!/usr/bin/env bash
# tonghop demo: the whole system on this machine, from nothing.
#
# Installs what it needs, builds, starts a private PostgreSQL cluster in a
# local directory, creates the schema, loads Vietnam's administrative units,
# starts the server, submits sample results from five communes of Bình Thuận
# through the real client, prints what the province has received, and stops
# everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)

./deploy/install-deps.sh
echo "== Building"
cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$src/build" -j"$(nproc 2>/dev/null || echo 2)" -- --no-print-directory >/dev/null
TONGHOPD=$src/build/server/tonghopd
TONGHOP=$src/build/client/tonghop

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

echo "== Creating the schema and loading the administrative units"
"$TONGHOPD" migrate --db "$dsn" 2>/dev/null
"$TONGHOPD" import-units --db "$dsn" deploy/data/vn-admin-units-2024.csv

echo "== Starting the server"
rm -f "$demo/endpoint"
"$TONGHOPD" serve --db "$dsn" --bind 'tcp://127.0.0.1:*' --endpoint-file "$demo/endpoint" \
  2>"$demo/server.log" &
server_pid=$!
for _ in $(seq 1 100); do [ -s "$demo/endpoint" ] && break; sleep 0.1; done
endpoint=$(cat "$demo/endpoint")
echo "   listening on $endpoint"

echo "== Communes submit their results for 2025Q3"
for f in deploy/samples/results/*-2025Q3.csv; do
  unit=$(basename "$f" | cut -d- -f1)
  "$TONGHOP" submit --server "$endpoint" --unit "$unit" --period 2025Q3 "$f"
done

echo
echo "== A mistake is refused, with the reason (nothing is stored):"
printf 'indicator,numerator,denominator\nCTXH-01,9,7\n' >"$demo/sai.csv"
"$TONGHOP" submit --server "$endpoint" --unit 22924 --period 2025Q3 "$demo/sai.csv" 2>&1 || true

echo
echo "== What the province of Bình Thuận has received for 2025Q3"
psql "$dsn" -X -q -P footer=off -v ON_ERROR_STOP=1 <<'SQL'
\pset border 2
SELECT d.name_with_type AS "Huyện/Thị xã/Thành phố",
       c.name_with_type AS "Xã/Phường",
       r.indicator_code AS "Chỉ tiêu",
       r.numerator || '/' || r.denominator AS "Tử/Mẫu",
       to_char(100.0 * r.numerator / NULLIF(r.denominator, 0), 'FM990.0') || '%' AS "Tỷ lệ"
  FROM current_results r
  JOIN units c ON c.code = r.unit_code
  JOIN units d ON d.code = c.parent_code
 WHERE d.parent_code = '60' AND r.year = 2025 AND r.quarter = 3
 ORDER BY d.code, c.code, r.indicator_code;

-- Rolled up: sum of numerators over sum of denominators, never a mean of
-- percentages.
SELECT i.code AS "Chỉ tiêu",
       sum(r.numerator) || '/' || sum(r.denominator) AS "Tử/Mẫu toàn tỉnh",
       to_char(100.0 * sum(r.numerator) / NULLIF(sum(r.denominator), 0), 'FM990.0') || '%' AS "Tỷ lệ",
       left(i.name, 60) AS "Tên chỉ tiêu"
  FROM current_results r
  JOIN units c ON c.code = r.unit_code
  JOIN units d ON d.code = c.parent_code
  JOIN indicators i ON i.code = r.indicator_code
 WHERE d.parent_code = '60' AND r.year = 2025 AND r.quarter = 3
 GROUP BY i.code, i.name ORDER BY i.code;
SQL
echo "Demo finished; everything it started is stopped."
