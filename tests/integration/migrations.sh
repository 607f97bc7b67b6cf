#!/usr/bin/env bash
# Migrations: two servers migrating a fresh database at once do not race;
# migrating again changes nothing; serve refuses a schema that is behind and
# says what to do.
. "$(dirname "$0")/../lib/harness.sh"
TH_WORK=$(mktemp -d /tmp/tonghop-test.XXXXXX)
chmod 755 "$TH_WORK"
trap th_cleanup EXIT
th_pg_init "$TH_WORK/pg"
th_pg_start "$TH_WORK/pg"
th_pg_createdb "$TH_WORK/pg" tonghop

TH_DSN=$(th_pg_dsn "$TH_WORK/pg" tonghop)

# serve on an empty database: refused, with the command to run.
rc=0; err=$("$TONGHOPD" serve --db "$TH_DSN" --bind 'tcp://127.0.0.1:*' 2>&1) || rc=$?
th_check "serve on an unmigrated database exits 1" th_eq "$rc" 1
th_check "serve says to run migrate" grep -q "tonghopd migrate" <<<"$err"

# Four migrations at once.
for i in 1 2 3 4; do
  "$TONGHOPD" migrate --db "$TH_DSN" >"$TH_WORK/m$i.out" 2>&1 &
  pids[$i]=$!
done
fails=0
for i in 1 2 3 4; do wait "${pids[$i]}" || fails=$((fails + 1)); done
th_check "concurrent migrations all succeed" th_eq "$fails" 0
th_check "each migration applied exactly once" \
  th_eq "$(th_sql "SELECT count(*) = count(DISTINCT version) AND count(*) > 0 FROM schema_migrations")" t
applied=$(cat "$TH_WORK"/m*.out | grep -oE '\(([0-9]+) migration' | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}')
th_check "the migrations were applied once in all" th_eq "$applied" "$(th_sql "SELECT count(*) FROM schema_migrations")"

before=$(th_sql "SELECT string_agg(version || ':' || applied_at, ',' ORDER BY version) FROM schema_migrations")
"$TONGHOPD" migrate --db "$TH_DSN" >/dev/null 2>&1
th_check "migrating again changes nothing" \
  th_eq "$(th_sql "SELECT string_agg(version || ':' || applied_at, ',' ORDER BY version) FROM schema_migrations")" "$before"

# A schema behind the binary: serve refuses.
latest=$(th_sql "SELECT max(version) FROM schema_migrations")
th_sql "DELETE FROM schema_migrations WHERE version = $latest" >/dev/null
rc=0; err=$("$TONGHOPD" serve --db "$TH_DSN" --bind 'tcp://127.0.0.1:*' 2>&1) || rc=$?
th_check "serve on a schema that is behind exits 1" th_eq "$rc" 1
th_check "and names both versions" grep -q "version $((latest - 1)) but this server needs version $latest" <<<"$err"

# Units: importing the same list twice changes nothing; a bad file imports nothing.
th_sql "INSERT INTO schema_migrations (version, name) VALUES ($latest, 'restored')" >/dev/null
out=$("$TONGHOPD" import-units --db "$TH_DSN" "$TH_SRC_DIR/deploy/data/vn-admin-units-2024.csv")
th_check "units: first import adds 11,367" grep -q "11367 added" <<<"$out"
out=$("$TONGHOPD" import-units --db "$TH_DSN" "$TH_SRC_DIR/deploy/data/vn-admin-units-2024.csv")
th_check "units: second import changes nothing" grep -q "0 added, 0 changed, 11367 unchanged" <<<"$out"
printf 'code,name,name_with_type,type,parent_code,level\n99001,Thử,Xã Thử,xa,999,3\n' >"$TH_WORK/bad.csv"
rc=0; err=$("$TONGHOPD" import-units --db "$TH_DSN" "$TH_WORK/bad.csv" 2>&1) || rc=$?
th_check "units: unknown parent refused" th_eq "$rc" 1
th_check "units: the error names line and field" grep -q "line 2, field parent_code" <<<"$err"
th_check "units: nothing imported from the bad file" th_eq "$(th_sql "SELECT count(*) FROM units WHERE code='99001'")" 0
th_finish
