#!/usr/bin/env bash
# Install and operate (issue #14): the Debian packages cpack builds from this
# build tree (deploy/packaging.cmake), their contents, dependencies,
# conffiles and maintainer scripts, lintian, the systemd units
# (systemd-analyze verify), `cmake --install` unchanged; and `tonghopd serve
# --config FILE`: it listens where the file says, a SIGHUP applies what can
# change live and names what takes a restart, and a bad file is refused at
# start and ignored (the settings kept) at a reload.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
P=$TH_WORK/pkg
mkdir -p "$P"

# --- the packages -------------------------------------------------------------
rc=0
cpack --config "$TH_BIN_DIR/CPackConfig.cmake" -B "$P" >"$TH_WORK/cpack.log" 2>&1 || rc=$?
th_check "cpack builds the packages" th_eq "$rc" 0
[ "$rc" = 0 ] || cat "$TH_WORK/cpack.log" >&2
server_deb=$(ls "$P"/tonghop-server_*_*.deb)
client_deb=$(ls "$P"/tonghop-client_*_*.deb)
common_deb=$(ls "$P"/tonghop-common_*_all.deb)

files() { dpkg-deb --contents "$1" | awk '{print $6}' | grep -v '/$' | LC_ALL=C sort | tr '\n' ' '; }
th_check "tonghop-server holds tonghopd, its unit, conf, the backup script, man page, completion, copyright, changelog" \
  th_eq "$(files "$server_deb")" "./etc/tonghop/tonghopd.conf ./usr/bin/tonghopd \
./usr/lib/systemd/system/tonghopd.service ./usr/sbin/tonghop-backup ./usr/share/bash-completion/completions/tonghopd \
./usr/share/doc/tonghop-server/changelog.Debian.gz ./usr/share/doc/tonghop-server/copyright \
./usr/share/man/man8/tonghop-backup.8.gz ./usr/share/man/man8/tonghopd.8.gz "
th_check "tonghop-client holds tonghop, its user timer and service, man page, completion" \
  th_eq "$(files "$client_deb")" "./usr/bin/tonghop ./usr/lib/systemd/user/tonghop-sync.service \
./usr/lib/systemd/user/tonghop-sync.timer ./usr/share/bash-completion/completions/tonghop \
./usr/share/doc/tonghop-client/changelog.Debian.gz ./usr/share/doc/tonghop-client/copyright \
./usr/share/man/man1/tonghop.1.gz "
th_check "tonghop-common holds the message catalogue" \
  th_eq "$(files "$common_deb")" "./usr/share/doc/tonghop-common/changelog.Debian.gz \
./usr/share/doc/tonghop-common/copyright ./usr/share/locale/vi/LC_MESSAGES/tonghop.mo "

sdeps=$(dpkg-deb --field "$server_deb" Depends)
cdeps=$(dpkg-deb --field "$client_deb" Depends)
has_all() { # TEXT WORD...: every word is a package in the Depends line
  local t=$1 w
  shift
  for w in "$@"; do grep -qE "(^|, )$w( |,|$)" <<<"$t" || { echo "  missing $w in: $t" >&2; return 1; }; done
}
th_check "the server depends on its libraries (dpkg-shlibdeps), adduser and tonghop-common" \
  has_all "$sdeps" libzmq5 libpq5 libprotobuf-c1 libjson-c5 libc6 adduser tonghop-common
th_check "the client depends on its libraries, not on libpq5" \
  bash -c 'has() { grep -qE "(^|, )$1( |,|$)" <<<"$2"; }
           for p in libzmq5 libprotobuf-c1 libjson-c5 libuuid1 tonghop-common; do has $p "$1" || exit 1; done
           ! has libpq5 "$1"' _ "$cdeps"
th_check "chromium (PDF reports) is only suggested, by the client" \
  bash -c '[ "$1" = "chromium, fonts-liberation2" ] && ! grep -q chromium <<<"$2$3"' _ \
  "$(dpkg-deb --field "$client_deb" Suggests)" "$cdeps" "$sdeps"
th_check "tonghop-common is for every architecture" th_eq "$(dpkg-deb --field "$common_deb" Architecture)" all

C=$TH_WORK/control
dpkg-deb --control "$server_deb" "$C"
th_check "/etc/tonghop/tonghopd.conf is a conffile" th_eq "$(cat "$C/conffiles")" /etc/tonghop/tonghopd.conf
th_check "postinst creates the system user tonghopd, and neither enables nor starts the service" \
  bash -c 'grep -q "adduser --system --group" "$1" && grep -q " tonghopd$" "$1" &&
           ! grep -qE "systemctl .*(enable|start)|deb-systemd" "$1"' _ "$C/postinst"
th_check "the maintainer scripts are valid sh and executable" \
  bash -c 'sh -n "$1/postinst" && sh -n "$1/postrm" && [ -x "$1/postinst" ] && [ -x "$1/postrm" ]' _ "$C"

# lintian: no errors, and only the warnings listed here:
#   initial-upload-closes-no-bugs   the changelog closes no Debian bug: these
#                                   packages are built by a province, not
#                                   uploaded to Debian (no ITP bug to close)
allowed_warnings='initial-upload-closes-no-bugs'
lint=$(lintian --no-tag-display-limit "$server_deb" "$client_deb" "$common_deb" 2>&1 | grep -E '^[EW]: ' || true)
th_check "lintian: no errors" bash -c '! grep -q "^E: " <<<"$1" || { echo "$1" >&2; exit 1; }' _ "$lint"
th_check "lintian: no warnings but the ones listed in this test" \
  bash -c 'w=$(grep "^W: " <<<"$1" | grep -vE "^W: [^ ]+ ($2)( |$)"); [ -z "$w" ] || { echo "$w" >&2; exit 1; }' \
  _ "$lint" "$allowed_warnings"

# --- the systemd units --------------------------------------------------------
# The packages unpacked into a root with what the units name: /bin/kill, and
# the targets the server's unit orders itself after.
R=$TH_WORK/root
mkdir -p "$R"
for d in "$server_deb" "$client_deb" "$common_deb"; do dpkg-deb -x "$d" "$R"; done
ln -s usr/bin "$R/bin"
cp /usr/bin/kill "$R/usr/bin/"
cp -n /usr/lib/systemd/system/*.target "$R/usr/lib/systemd/system/"
out=$(systemd-analyze verify --man=no --root="$R" /usr/lib/systemd/system/tonghopd.service 2>&1) && rc=0 || rc=$?
th_check "systemd-analyze verify accepts tonghopd.service, without a word" \
  bash -c '[ "$1" = 0 ] && [ -z "$2" ] || { echo "$2" >&2; exit 1; }' _ "$rc" "$out"
th_check "tonghopd.service: User=tonghopd, reload by SIGHUP, the config file, hardening" \
  bash -c 'u=$1; for l in "User=tonghopd" "ExecReload=/bin/kill -HUP \$MAINPID" "Restart=on-failure" \
             "ExecStart=/usr/bin/tonghopd serve --config /etc/tonghop/tonghopd.conf" \
             "EnvironmentFile=-/etc/tonghop/tonghopd.env" "NoNewPrivileges=yes" "ProtectSystem=strict" \
             "ProtectHome=yes" "PrivateTmp=yes" "LimitNOFILE=65536" \
             "After=network-online.target postgresql.service"; do
             grep -qxF -- "$l" "$u" || { echo "  missing: $l" >&2; exit 1; }; done' \
  _ "$R/usr/lib/systemd/system/tonghopd.service"
# systemd 252 verifies user units only without --root: the user service is
# checked with ExecStart pointed at the unpacked client.
U=$TH_WORK/user-units
mkdir -p "$U" "$TH_WORK/xdg"
chmod 700 "$TH_WORK/xdg"
cp "$R/usr/lib/systemd/user/tonghop-sync.timer" "$U/"
sed "s|^ExecStart=/usr/bin/tonghop |ExecStart=$R/usr/bin/tonghop |" \
  "$R/usr/lib/systemd/user/tonghop-sync.service" >"$U/tonghop-sync.service"
out=$(XDG_RUNTIME_DIR=$TH_WORK/xdg systemd-analyze --user verify --man=no \
  "$U/tonghop-sync.timer" "$U/tonghop-sync.service" 2>&1) && rc=0 || rc=$?
th_check "systemd-analyze --user verify accepts tonghop-sync.timer and .service" \
  bash -c '[ "$1" = 0 ] && [ -z "$2" ] || { echo "$2" >&2; exit 1; }' _ "$rc" "$out"
th_check "tonghop-sync.timer runs every 15 minutes" \
  th_eq "$(systemd-analyze calendar "$(sed -n 's/^OnCalendar=//p' "$U/tonghop-sync.timer")" |
    sed -n 's/^Normalized form: //p')" "*-*-* *:00/15:00"

# The shipped tonghopd.conf, as the package installs it, is read by serve.
rc=0
out=$("$TONGHOPD" serve --config "$R/etc/tonghop/tonghopd.conf" --db "host=/nonexistent dbname=x" --db-timeout 100ms \
  --insecure 2>&1) || rc=$?
th_check "the shipped tonghopd.conf has no error (serve gets as far as the database)" \
  bash -c '[ "$1" = 1 ] && grep -q "cannot start" <<<"$2" && ! grep -q "tonghopd.conf" <<<"$2" || { echo "$2" >&2; exit 1; }' \
  _ "$rc" "$out"

# cmake --install installs what it did before the packages: no /etc, no units.
cmake --install "$TH_BIN_DIR" --prefix "$TH_WORK/prefix" >/dev/null
th_check "cmake --install: binaries, the backup script, catalogue, man pages, completion, nothing more" \
  th_eq "$(cd "$TH_WORK/prefix" && find . -type f | LC_ALL=C sort | tr '\n' ' ')" "./bin/tonghop ./bin/tonghopd \
./sbin/tonghop-backup ./share/bash-completion/completions/tonghop ./share/bash-completion/completions/tonghopd \
./share/locale/vi/LC_MESSAGES/tonghop.mo ./share/man/man1/tonghop.1 ./share/man/man8/tonghop-backup.8 \
./share/man/man8/tonghopd.8 "

# --- serve --config -----------------------------------------------------------
th_serve_role
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
conf=$TH_WORK/tonghopd.conf
write_conf() { # EXTRA LINES...
  {
    echo "# test settings"
    echo "db = $TH_SERVE_DSN"
    echo "bind = tcp://127.0.0.1:$port"
    echo "endpoint_file = $TH_WORK/endpoint   # written once listening"
    echo "lang = en"
    printf '%s\n' "$@"
  } >"$conf"
}

write_conf "bnd = tcp://127.0.0.1:1"
rc=0; out=$("$TONGHOPD" serve --config "$conf" --insecure 2>&1) || rc=$?
th_check "an unknown key: serve refuses to start, naming the file, the line and the key" \
  bash -c '[ "$1" = 2 ] && grep -qF "$3, line 6, bnd: unknown setting" <<<"$2" || { echo "$2" >&2; exit 1; }' \
  _ "$rc" "$out" "$conf"
write_conf "max_open_per_client = 5000"
rc=0; out=$(TONGHOP_LANG=vi "$TONGHOPD" serve --config "$conf" --insecure 2>&1) || rc=$?
th_check "a bad value: refused, in the user's language" \
  bash -c '[ "$1" = 2 ] && grep -qF "$3, dòng 6, max_open_per_client: không phải số nguyên từ 1 đến 4096" <<<"$2" ||
           { echo "$2" >&2; exit 1; }' _ "$rc" "$out" "$conf"

write_conf "max_open_per_client = 8" "batch = 64"
rm -f "$TH_WORK/endpoint"
: >"$TH_WORK/server.log"
# The command line wins: --batch over the file's.
TONGHOPD_CONFIG=$conf "$TONGHOPD" serve --insecure --batch 100 >>"$TH_WORK/server.log" 2>&1 &
TH_SERVER_PID=$!
for _ in $(seq 1 400); do [ -s "$TH_WORK/endpoint" ] && break; sleep 0.05; done
th_check "serve (TONGHOPD_CONFIG) listens where the file says, and writes its endpoint_file" \
  th_eq "$(cat "$TH_WORK/endpoint" 2>/dev/null)" "tcp://127.0.0.1:$port"
th_results_csv "$TH_WORK/r.csv"
rc=0; th_client submit --server "tcp://127.0.0.1:$port" --unit 22921 --period 2025Q3 "$TH_WORK/r.csv" >/dev/null || rc=$?
th_check "a client is served at that address" th_eq "$rc" 0

wait_log() { # PATTERN: waits up to 5 s for a line of the server's log
  local i
  for i in $(seq 1 100); do grep -qF -- "$1" "$TH_WORK/server.log" && return 0; sleep 0.05; done
  echo "  not in the log: $1" >&2
  return 1
}
write_conf "max_open_per_client = 16" "verbose = yes" "workers = 3" "batch = 32"
kill -HUP "$TH_SERVER_PID"
th_check "SIGHUP: the live settings are applied and logged" \
  wait_log "SIGHUP: $conf read again; applied: verbose, max_open_per_client"
th_check "SIGHUP: what takes a restart is named" \
  wait_log "SIGHUP: $conf read again; changed, but in force only after a restart: workers"
th_check "SIGHUP: a key the command line sets is named as winning" \
  wait_log "SIGHUP: $conf read again; the command line or the environment sets batch, and wins"

cp "$conf" "$conf.good"
write_conf "max_open_per_client = 16" "verbose = yes" "workers = 3" "batch = lots"
kill -HUP "$TH_SERVER_PID"
th_check "SIGHUP with a bad file: the error is logged with file, line and key, the settings kept" \
  wait_log "SIGHUP: $conf, line 9, batch: not a whole number from 1 to 10000; the settings in force are kept"
rc=0; th_client submit --server "tcp://127.0.0.1:$port" --unit 22921 --period 2025Q2 "$TH_WORK/r.csv" >/dev/null || rc=$?
th_check "... and the server goes on serving" bash -c 'kill -0 "$1" && [ "$2" = 0 ]' _ "$TH_SERVER_PID" "$rc"
cp "$conf.good" "$conf"
kill -HUP "$TH_SERVER_PID"
wait_log "SIGHUP: $conf read again; changed, but in force only after a restart: workers" 2>/dev/null
for _ in $(seq 1 100); do
  [ "$(grep -c "only after a restart: workers" "$TH_WORK/server.log")" = 2 ] && break
  sleep 0.05
done
th_check "SIGHUP with the good file back: still a restart for workers, nothing applied twice" \
  bash -c '[ "$(grep -c "only after a restart: workers" "$1")" = 2 ] && [ "$(grep -c "; applied: " "$1")" = 1 ]' \
  _ "$TH_WORK/server.log"

rc=0; th_server_stop TERM || rc=$?
th_check "SIGTERM: serve exits 0" th_eq "$rc" 0
th_finish
