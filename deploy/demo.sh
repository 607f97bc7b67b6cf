#!/usr/bin/env bash
# tonghop demo: the whole system on this machine, from nothing.
#
# Installs what it needs, builds, starts a private PostgreSQL cluster in a
# local directory (or uses an existing database: --db DSN), creates the
# schema, loads Vietnam's administrative units (the 2024 map, then the map
# of 1 July 2025 with who succeeded whom) and the five seed plans, gives the
# server and every office its key pair and enrols the offices' keys, starts
# the server as in production (CURVE, live notifications, and a database
# role with only the rights it needs) with the province office watching its
# notifications, and then tells a year of plan 1751/KH-UBND of Bình Thuận:
# five communes send 2025Q1 and 2025Q2 on the old map, two new communes of
# Lâm Đồng (which Bình Thuận joined on 1 July 2025) send 2025Q3 and 2025Q4,
# all after the plan's deadline (15/12/2025), so every acknowledgement says
# "late"; one commune corrects a number; Thành phố Phan Thiết approves its
# 2025Q2, which locks it; the province prints its reports (the table, a
# printable HTML page, the official report to sign, as HTML and, with
# Chromium, as PDF) and what is due; the notifications the province heard
# are printed; and everything the demo started is stopped.
#
#   ./deploy/demo.sh                 a private PostgreSQL in .demo/ (remade each run)
#   ./deploy/demo.sh --db DSN        an existing database instead, as its owner
#                                    (e.g. "host=/var/run/postgresql dbname=tonghop_demo");
#                                    running it again on the same database works
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
started=$(date +%s)

db=""
while [ $# -gt 0 ]; do
  case $1 in
    --db) [ $# -ge 2 ] || { echo "demo.sh: --db needs a connection string" >&2; exit 2; }; db=$2; shift 2 ;;
    --db=*) db=${1#--db=}; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

./deploy/install-deps.sh
# TH_DEMO_BIN_DIR: binaries built already (the test suite's), used as they
# are; otherwise the demo builds its own.
bin=${TH_DEMO_BIN_DIR:-$src/build-demo}
if [ -z "${TH_DEMO_BIN_DIR:-}" ]; then
  echo "== Building"
  cmake -S "$src" -B "$bin" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTH_TESTS=OFF >/dev/null
  cmake --build "$bin" -j"$(nproc 2>/dev/null || echo 2)" -- --no-print-directory >/dev/null
fi
TONGHOPD=$bin/server/tonghopd
TONGHOP=$bin/client/tonghop

. "$src/deploy/lib/pgcluster.sh"

# The demo's directory: .demo/ when the PostgreSQL user can reach it, else
# a fixed directory under /tmp (a checkout under /root is not reachable);
# each run starts it afresh, so running the demo again works.
demo=$src/.demo
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$src" 2>/dev/null; then
  demo=/tmp/tonghop-demo
fi
if [ -f "$demo/pg/data/postmaster.pid" ]; then th_pg_stop "$demo/pg" fast; fi
rm -rf "$demo/pg" "$demo/offices" "$demo/server.key" "$demo"/*.html "$demo"/*.pdf "$demo"/*.log
mkdir -p "$demo"
chmod 755 "$demo"

server_pid=""
watch_pid=""
cleanup() {
  set +e
  for p in $watch_pid $server_pid; do
    kill -TERM "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  if [ -z "$db" ]; then th_pg_stop "$demo/pg" fast; fi
}
trap cleanup EXIT

sql() { psql "$dsn" -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"; }
if [ -z "$db" ]; then
  echo "== Starting a private PostgreSQL in $demo/pg"
  th_pg_init "$demo/pg"
  th_pg_start "$demo/pg"
  th_pg_createdb "$demo/pg" tonghop
  dsn=$(th_pg_dsn "$demo/pg" tonghop)
else
  echo "== Using the existing database: $db"
  dsn=$db
fi

# Two database roles, as in production (README: "Running in production"):
# the tables' owner migrates and runs the admin commands; the server runs as
# tonghopd, a member of tonghop_server (which migrate creates: the rights
# serve needs, no DDL, history append-only) and of nothing else.
echo "== Creating the schema and loading the administrative units: the 2024 map, then the map of 1 July 2025"
"$TONGHOPD" migrate --db "$dsn" 2>/dev/null
if [ -z "$db" ]; then
  th_pg_login_role "$demo/pg" tonghop tonghopd tonghop_server
  serve_dsn=$(th_pg_dsn "$demo/pg" tonghop tonghopd)
else
  # On an existing cluster: serve's own role when the owner may create it
  # and reach the database with it (key=value strings: the last user= wins);
  # else serve runs as the owner, and says in its log that it has more
  # rights than it needs.
  serve_dsn=$dsn
  if psql "$dsn" -X -q -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<'SQL' &&
SELECT 'CREATE ROLE tonghopd LOGIN IN ROLE tonghop_server'
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tonghopd') \gexec
SQL
     [[ $dsn != *://* ]] && psql "$dsn user=tonghopd" -X -A -t -q -c "SELECT 1" >/dev/null 2>&1; then
    serve_dsn="$dsn user=tonghopd"
  else
    echo "   (serve runs as the owner: the role tonghopd cannot be created or cannot connect here)"
  fi
fi
# (Run again on the same database (--db), the maps are there: the 2024 list
# cannot go in after the change of 1 July 2025, and the 2025 one changes nothing.)
if [ "$(sql "SELECT count(*) FROM unit_successions")" = 0 ]; then
  "$TONGHOPD" import-units --db "$dsn" deploy/data/vn-admin-units-2024.csv
fi
"$TONGHOPD" import-units --db "$dsn" --as-of 2025-07-01 --complete \
  --succession deploy/data/vn-succession-2025-07.csv deploy/data/vn-admin-units-2025-07.csv
echo "== Loading the five seed plans"
"$TONGHOPD" import-plan --db "$dsn" deploy/samples/plans/*.json

# Keys as in production (README: "Keys: who may talk to the server"): the
# server's pair, and one pair per office, made on the office's computer
# (tonghop keygen) and enrolled on the server for its unit and role. A
# commune's key submits for its own commune only; a district's approves its
# territory; a province's key reads the reports of its territory: Lâm
# Đồng's, since 1 July 2025, reads what Bình Thuận's communes sent before.
# Each office here is a directory standing for its computer: its key, its
# configuration and its queue, never in the user's own ~/.config/tonghop or
# ~/.local/share/tonghop.
echo "== Keys: the server's key pair, and one per office, enrolled on the server"
server_key=$("$TONGHOPD" keygen --secret-file "$demo/server.key" | tail -1)
offices=()
office() { # UNIT ROLE NAME [AS_OF: a unit that has ceased, as it was that day]
  local dir=$demo/offices/$1 pub
  mkdir -p "$dir"
  chmod 700 "$dir"
  pub=$("$TONGHOP" keygen --secret-file "$dir/client.key" | tail -1)
  "$TONGHOPD" enroll --db "$dsn" --unit "$1" --role "$2" --public-key "$pub" --name "$3" ${4:+--as-of "$4"} >/dev/null
  offices+=("$1")
  # Its configuration file (the server's addresses are added once it listens).
  # A commune reports for itself; a district or province names the unit.
  {
    echo "# tonghop client settings of office $1 (see the README: \"A configuration file\")"
    echo "key_file = $dir/client.key"
    if [ "$2" = commune ]; then echo "unit = $1"; fi
    echo "spool = $dir/spool"
    echo "timeout = 10s"
  } >"$dir/tonghop.conf"
}
communes_old=() communes_new=()
for f in deploy/samples/results/*-2025Q2.csv; do communes_old+=("$(basename "$f" | cut -d- -f1)"); done
for f in deploy/samples/results/after-2025-07/*-2025Q3.csv; do communes_new+=("$(basename "$f" | cut -d- -f1)"); done
# The offices of units that ceased on 1 July 2025 are enrolled as they were
# on 30 June 2025 (--as-of), to send and close the first half.
for u in "${communes_old[@]}"; do office "$u" commune "Văn phòng UBND xã/phường $u" 2025-06-30; done
for u in "${communes_new[@]}"; do office "$u" commune "Văn phòng UBND xã/phường $u"; done
office 593 district "Phòng Y tế thành phố Phan Thiết" 2025-06-30
office 68 province "Sở Y tế tỉnh Lâm Đồng"
echo "   server public key: $server_key"
echo "   ${#offices[@]} office keys enrolled: communes ${communes_old[*]} (2024 map), ${communes_new[*]} (since 1 July 2025);"
echo "   district 593 (Thành phố Phan Thiết); province 68 (Lâm Đồng)"

echo "== Starting the server: encrypted (CURVE), enrolled keys only, as the database role of serve, with live notifications"
rm -f "$demo/endpoint" "$demo/notify-endpoint"
"$TONGHOPD" serve --db "$serve_dsn" --bind 'tcp://127.0.0.1:*' --secret-key-file "$demo/server.key" \
  --endpoint-file "$demo/endpoint" --notify-bind 'tcp://127.0.0.1:*' --notify-endpoint-file "$demo/notify-endpoint" \
  2>"$demo/server.log" &
server_pid=$!
for _ in $(seq 1 100); do [ -s "$demo/endpoint" ] && [ -s "$demo/notify-endpoint" ] && break; sleep 0.1; done
if [ ! -s "$demo/endpoint" ] || [ ! -s "$demo/notify-endpoint" ]; then
  cat "$demo/server.log" >&2
  exit 1
fi
endpoint=$(cat "$demo/endpoint")
notify=$(cat "$demo/notify-endpoint")
echo "   requests on $endpoint, notifications on $notify"

# Only the offices' configuration files speak: not the user's, nor the
# machine's, nor the environment.
unset TONGHOP_SERVER TONGHOP_UNIT TONGHOP_SPOOL TONGHOP_TIMEOUT TONGHOP_SERVER_KEY TONGHOP_KEY_FILE TONGHOP_LANG
export TONGHOP_SYSCONFIG=/dev/null
for unit in "${offices[@]}"; do
  printf 'server = %s\nserver_key = %s\nnotify = %s\n' "$endpoint" "$server_key" "$notify" >>"$demo/offices/$unit/tonghop.conf"
done
at() { # UNIT COMMAND...: the client, on that office's computer
  TONGHOP_CONFIG=$demo/offices/$1/tonghop.conf "$TONGHOP" "${@:2}"
}
P=1751/KH-UBND

# The province office watches what happens in its territory; what it heard
# is printed at the end.
at 68 watch --for 10min >"$demo/watch.log" 2>&1 &
watch_pid=$!
for _ in $(seq 1 50); do grep -q "subscribed to the territory" "$demo/server.log" && break; sleep 0.1; done

# Run again on the same database (--db): Phan Thiết's approval of the last
# run would lock its communes' 2025Q2; it reopens it first, with a reason.
if [ -n "$db" ] && [ "$(sql "SELECT count(*) FROM approvals WHERE plan_code = '$P' AND unit_key = '593' AND year = 2025 AND quarter = 2 AND state = 'approved'")" != 0 ]; then
  echo "== (run again on this database: Phan Thiết first reopens the 2025Q2 it approved last time)"
  at 593 reopen --plan "$P" --period 2025Q2 --unit 593 --reason "Chạy lại bản trình diễn"
fi

echo
echo "== Five communes of Bình Thuận send 2025Q1 and 2025Q2 (the old map), for plan $P"
echo "   (its deadline, 15/12/2025, has passed: the server stores them and says they are late)"
for q in 1 2; do
  for f in deploy/samples/results/*-2025Q"$q".csv; do
    at "$(basename "$f" | cut -d- -f1)" submit --period 2025Q$q --plan "$P" "$f"
  done
done

echo
echo "== A mistake is refused, with the reason (nothing is stored):"
printf 'indicator,numerator,denominator\nCTXH-01,9,7\n' >"$demo/sai.csv"
at 22924 submit --period 2025Q2 "$demo/sai.csv" 2>&1 || true
echo "== A commune merged away on 1 July 2025 is told who succeeded it:"
at 22921 submit --period 2025Q3 deploy/samples/results/22921-phu-hai-2025Q3.csv 2>&1 || true

echo
echo "== Phú Hài corrects its 2025Q2 (CTXH-01: 3 of 6, not 2): the correction is in force, the history keeps both"
sed 's/^CTXH-01,2,6$/CTXH-01,3,6/' deploy/samples/results/22921-phu-hai-2025Q2.csv >"$demo/phu-hai-2025Q2-sua.csv"
at 22921 submit --period 2025Q2 --plan "$P" "$demo/phu-hai-2025Q2-sua.csv"
at 22921 history --unit 22921 --indicator CTXH-01 --period 2025Q2

echo
echo "== Thành phố Phan Thiết approves its 2025Q2: its communes' results are locked"
at 593 approve --plan "$P" --period 2025Q2 --unit 593
echo "== ... so a later change is refused, naming who approved:"
at 22957 submit --period 2025Q2 --plan "$P" deploy/samples/results/22957-thien-nghiep-2025Q1.csv 2>&1 || true

echo
echo "== Two new communes of Lâm Đồng (since 1 July 2025) send 2025Q3 and 2025Q4"
for q in 3 4; do
  for f in deploy/samples/results/after-2025-07/*-2025Q"$q".csv; do
    at "$(basename "$f" | cut -d- -f1)" submit --period 2025Q$q --plan "$P" "$f"
  done
done

# Data-quality review (`tonghop review`) is being built; shown here once the
# client has it.
review() {
  if at 68 review --help >/dev/null 2>&1; then
    echo
    echo "== Data-quality review: the province looks at its communes' numbers"
    at 68 review --plan "$P" --period 2025Q2 2>&1 || true
  fi
}
review

echo
echo "== The province report: plan $P of Bình Thuận, 2025Q2, by district"
echo "   (asked with the key of the province office of Lâm Đồng, which Bình Thuận joined on 1 July 2025)"
at 68 report --plan "$P" --period 2025Q2 --by-child
at 68 report --plan "$P" --period 2025Q2 --by-child --format html --output "$demo/bao-cao-binh-thuan-2025Q2.html"
echo
echo "== The same plan for the year 2025, on its territory as it stands on 31/12/2025"
echo "   (the communes of Lâm Đồng that came from Bình Thuận; districts no longer exist)"
at 68 report --plan "$P" --period 2025
echo
echo "== The official report of 2025Q2, to sign and send (Nghị định 30/2020)"
at 68 report --plan "$P" --period 2025Q2 --by-child --format official --output "$demo/bao-cao-chinh-thuc-2025Q2.html"
pdf=""
if command -v "${TONGHOP_CHROMIUM:-chromium}" >/dev/null 2>&1; then
  at 68 report --plan "$P" --period 2025Q2 --by-child --format official --output "$demo/bao-cao-chinh-thuc-2025Q2.pdf" &&
    pdf=$demo/bao-cao-chinh-thuc-2025Q2.pdf
fi
echo "   written: $demo/bao-cao-chinh-thuc-2025Q2.html${pdf:+ and $pdf (printed by Chromium)}"
echo
echo "== What is due: plan $P for the year 2025, asked by the province"
at 68 due --plan "$P" --period 2025

sleep 1
kill -TERM "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true
watch_pid=""
echo
echo "== What the province office heard meanwhile (tonghop watch):"
cat "$demo/watch.log"

echo
echo "   Printable page:  $demo/bao-cao-binh-thuan-2025Q2.html"
echo "   Official report: $demo/bao-cao-chinh-thuc-2025Q2.html${pdf:+ and $pdf}"
echo "   Server log:      $demo/server.log"
cleanup
trap - EXIT
echo "Demo finished in $(($(date +%s) - started)) s; everything it started is stopped."
