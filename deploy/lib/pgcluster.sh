# pgcluster.sh -- a private, throw-away PostgreSQL cluster in a directory.
# Sourced by deploy/demo.sh and the test harness. Listens only on a Unix
# socket inside the directory, so clusters never collide and nothing is
# reachable from the network.
#
#   th_pg_init  DIR     create the cluster (initdb), once
#   th_pg_start DIR     start it; sets TH_PG_DSN_BASE (without dbname)
#   th_pg_stop  DIR [MODE]   stop it (fast by default)
#   th_pg_dsn   DIR DB [USER]   prints a connection string for database DB
#                       (as the cluster's owner, or as USER)
#   th_pg_login_role DIR DB ROLE GROUP   a LOGIN role that is a member of
#                       GROUP only (created once; kept if it exists)
#
# initdb refuses to run as root, so as root the cluster belongs to the
# `postgres` user (created by the postgresql package) and commands run
# through runuser.

th_pg_bindir() {
  local d
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  echo "pgcluster: initdb not found (is postgresql-15 installed?)" >&2
  return 1
}

th_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

th_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

th_pg_init() {
  local dir=$1 bindir
  bindir=$(th_pg_bindir) || return 1
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  chmod 700 "$dir"
  if [ -f "$dir/data/PG_VERSION" ]; then return 0; fi
  th_pg_as_owner mkdir -p "$dir/data" "$dir/sock"
  th_pg_as_owner "$bindir/initdb" -D "$dir/data" -U "$(th_pg_owner)" --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    return 1
  }
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir/sock'
port = 5432
max_connections = 50
synchronous_commit = on
fsync = on
logging_collector = off
CONF
}

th_pg_start() {
  local dir=$1 bindir
  bindir=$(th_pg_bindir) || return 1
  th_pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null || {
    tail -20 "$dir/postgres.log" >&2
    return 1
  }
  TH_PG_DSN_BASE="host=$dir/sock port=5432 user=$(th_pg_owner)"
  export TH_PG_DSN_BASE
}

th_pg_stop() {
  local dir=$1 mode=${2:-fast} bindir
  bindir=$(th_pg_bindir) || return 1
  [ -f "$dir/data/postmaster.pid" ] || return 0
  th_pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -m "$mode" -w -t 60 stop >/dev/null 2>&1 || true
}

th_pg_dsn() {
  echo "host=$1/sock port=5432 user=${3:-$(th_pg_owner)} dbname=$2"
}

# The cluster trusts every connection on its private socket, so a role
# needs no password here; in production it has one in ~/.pgpass, or peer
# authentication (README: "Running in production").
th_pg_login_role() {
  local dir=$1 db=$2 role=$3 group=$4
  psql "$(th_pg_dsn "$dir" "$db")" -X -q -v ON_ERROR_STOP=1 -v role="$role" -v grp="$group" >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I LOGIN IN ROLE %I', :'role', :'grp')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SQL
}

th_pg_createdb() {
  local dir=$1 db=$2 bindir
  bindir=$(th_pg_bindir) || return 1
  th_pg_as_owner "$bindir/createdb" -h "$dir/sock" -p 5432 -U "$(th_pg_owner)" "$db"
}
