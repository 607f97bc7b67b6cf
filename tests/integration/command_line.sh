#!/usr/bin/env bash
# The command lines explain themselves: each command's --help, --version,
# errors that name the unknown command or option and point at --help,
# --lang everywhere, strict numbers and durations; honest connection
# messages (malformed, unresolvable, refused, silent); the configuration
# files and their precedence.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_server_start
csv=$TH_WORK/r.csv
th_results_csv "$csv"
run() { # run CMD...: sets rc, out (stdout+stderr)
  rc=0
  out=$("$@" 2>&1) || rc=$?
}

# --- help and version ---------------------------------------------------------
for cmd in submit enter sync status history plans "plan show" "plan publish" "catalogue publish" form report export; do
  # shellcheck disable=SC2086
  run "$TONGHOP" $cmd --help
  th_check "tonghop $cmd --help: exit 0, its usage and an example" \
    bash -c '[ "$1" = 0 ] && grep -q "Usage: tonghop $2" <<<"$3" && grep -q "Example:" <<<"$3"' _ "$rc" "$cmd" "$out"
done
for cmd in migrate serve import-units import-plan import-catalogue keygen enroll revoke keys audit; do
  run "$TONGHOPD" $cmd --help
  th_check "tonghopd $cmd --help: exit 0, its usage and an example" \
    bash -c '[ "$1" = 0 ] && grep -q "Usage: tonghopd $2" <<<"$3" && grep -q "Example:" <<<"$3"' _ "$rc" "$cmd" "$out"
done
run "$TONGHOP" --version
th_check "tonghop --version" grep -q "^tonghop [0-9]" <<<"$out"
run "$TONGHOPD" --version
th_check "tonghopd --version" grep -q "^tonghopd [0-9]" <<<"$out"
run env TONGHOP_LANG=vi "$TONGHOPD" --lang en --help
th_check "tonghopd --lang en --help is in English" grep -q "^Usage: tonghopd" <<<"$out"
run env TONGHOP_LANG=en "$TONGHOP" submit --help --lang vi
th_check "tonghop submit --help --lang vi is in Vietnamese" grep -q "Cách dùng: tonghop submit" <<<"$out"

# --- man pages and completion, installed by cmake --install ---------------------
cmake --install "$TH_BIN_DIR" --prefix "$TH_WORK/inst" >/dev/null
for page in man1/tonghop.1 man8/tonghopd.8; do
  th_check "$page installed and renders without warnings" \
    bash -c '[ -s "$1" ] && [ -z "$(groff -k -man -Tutf8 -ww -z "$1" 2>&1)" ]' _ "$TH_WORK/inst/share/man/$page"
done
comp=$TH_WORK/inst/share/bash-completion/completions
th_check "bash completion installed for both" test -s "$comp/tonghop" -a -s "$comp/tonghopd"
th_check "completion: tonghop rep<TAB> -> report" \
  th_eq "$(bash -c '. "$1"; COMP_WORDS=(tonghop rep); COMP_CWORD=1; _tonghop; echo "${COMPREPLY[@]}"' _ "$comp/tonghop")" report
th_check "completion: tonghopd serve --db-<TAB> -> --db-timeout" \
  th_eq "$(bash -c '. "$1"; COMP_WORDS=(tonghopd serve --db-); COMP_CWORD=2; _tonghopd; echo "${COMPREPLY[@]}"' _ "$comp/tonghopd")" --db-timeout

# --- errors name what is wrong ------------------------------------------------
run "$TONGHOP" submitt --unit 22921
th_check "unknown command: exit 2, named, points at --help, no usage dump" \
  bash -c '[ "$1" = 2 ] && grep -q "unknown command \"submitt\"" <<<"$2" && grep -q -- "--help" <<<"$2" && [ $(wc -l <<<"$2") -le 3 ]' _ "$rc" "$out"
run "$TONGHOPD" frobnicate --db "$TH_DSN"
th_check "tonghopd frobnicate: unknown command, not 'no database'" \
  bash -c '[ "$1" = 2 ] && grep -q "unknown command \"frobnicate\"" <<<"$2"' _ "$rc" "$out"
run "$TONGHOP" submit --unti 22921 --period 2025Q3 "$csv"
th_check "unknown option: exit 2, named" bash -c '[ "$1" = 2 ] && grep -q -- "--unti" <<<"$2"' _ "$rc" "$out"
run "$TONGHOP" submit --server "$TH_ENDPOINT" --unit 22921 "$csv"
th_check "missing option: exit 2, names --period, points at submit --help" \
  bash -c '[ "$1" = 2 ] && grep -q -- "--period is missing" <<<"$2" && grep -q "tonghop submit --help" <<<"$2"' _ "$rc" "$out"
run "$TONGHOP" status --lang fr
th_check "unknown --lang: exit 2" bash -c '[ "$1" = 2 ] && grep -q "\"fr\"" <<<"$2"' _ "$rc" "$out"
run "$TONGHOPD" migrate --lang de --db "$TH_DSN"
th_check "tonghopd unknown --lang: exit 2" th_eq "$rc" 2

run "$TONGHOPD" migrate --db "host=/tmp dbname=tonghop password=secret"
th_check "tonghopd --db with a password: refused (exit 2), never used" \
  bash -c '[ "$1" = 2 ] && grep -q "pgpass" <<<"$2"' _ "$rc" "$out"
run "$TONGHOPD" migrate --db "postgresql://tonghop:secret@localhost/tonghop"
th_check "tonghopd --db URI with a password: refused" th_eq "$rc" 2

# --- numbers and durations ----------------------------------------------------
run "$TONGHOP" sync --server "$TH_ENDPOINT" --timeout 30x
th_check "--timeout 30x: exit 2, named" bash -c '[ "$1" = 2 ] && grep -q "30x" <<<"$2"' _ "$rc" "$out"
run "$TONGHOP" sync --server "$TH_ENDPOINT" --timeout 5s
th_check "--timeout 5s is five seconds (sync works)" th_eq "$rc" 0
run "$TONGHOP" sync --server "$TH_ENDPOINT" --retries three
th_check "--retries three: exit 2" th_eq "$rc" 2
run "$TONGHOPD" serve --db "$TH_DSN" --bind 'tcp://127.0.0.1:*' --batch lots
th_check "tonghopd --batch lots: exit 2, not the default" bash -c '[ "$1" = 2 ] && grep -q "lots" <<<"$2"' _ "$rc" "$out"
run "$TONGHOPD" serve --db "$TH_DSN" --bind 'tcp://127.0.0.1:*' --db-timeout 10sec
th_check "tonghopd --db-timeout 10sec: exit 2" th_eq "$rc" 2

# --- honest connection messages -------------------------------------------------
export TONGHOP_SPOOL=$TH_WORK/spool-conn
run "$TONGHOP" submit --server "tcp//127.0.0.1:5570" --unit 22921 --period 2025Q3 "$csv"
th_check "malformed address: exit 2, says so" bash -c '[ "$1" = 2 ] && grep -q "not a server address" <<<"$2"' _ "$rc" "$out"
th_check "malformed address: nothing queued" th_eq "$(find "$TONGHOP_SPOOL" -name '*.sub' 2>/dev/null | wc -l)" 0
# A port bound and held, never listened on: connecting is refused at once,
# and no other test's server can take it meanwhile (a port found free and
# let go could be, under ctest -j2, and the client then waited for it).
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0))
open(sys.argv[1], "w").write(str(s.getsockname()[1])); time.sleep(300)' "$TH_WORK/held_port" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 100); do [ -s "$TH_WORK/held_port" ] && break; sleep 0.05; done
free_port=$(cat "$TH_WORK/held_port")
start=$(date +%s%N)
run "$TONGHOP" submit --server "tcp://127.0.0.1:$free_port" --unit 22921 --period 2025Q3 --timeout 5s --retries 2 "$csv"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
th_check "refused connection: exit 5 (queued), says refused" bash -c '[ "$1" = 5 ] && grep -q "refused" <<<"$2"' _ "$rc" "$out"
th_check "refused connection: told at once, not after the timeout ($ms ms)" test "$ms" -lt 4000
run env RES_OPTIONS="timeout:1 attempts:1" "$TONGHOP" submit --server "tcp://tonghop.invalid:5570" --unit 22921 \
  --period 2025Q3 --timeout 2s --retries 1 "$csv"
th_check "unresolvable name: exit 5, says it does not resolve" \
  bash -c '[ "$1" = 5 ] && grep -q "does not resolve" <<<"$2"' _ "$rc" "$out"
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
conns = []
end = time.time() + 20
while time.time() < end:
    s.settimeout(0.5)
    try: conns.append(s.accept()[0])
    except OSError: pass
' >"$TH_WORK/silent.port" &
silent=$!
for _ in $(seq 1 50); do [ -s "$TH_WORK/silent.port" ] && break; sleep 0.1; done
run "$TONGHOP" submit --server "tcp://127.0.0.1:$(cat "$TH_WORK/silent.port")" --unit 22921 --period 2025Q3 \
  --timeout 1s --retries 1 "$csv"
kill $silent 2>/dev/null || true
th_check "silent server: exit 5, says it accepted but did not answer" \
  bash -c '[ "$1" = 5 ] && grep -q "accepted the connection but did not answer" <<<"$2"' _ "$rc" "$out"
th_check "the three failures are queued for later" th_eq "$(TONGHOP_SPOOL=$TONGHOP_SPOOL "$TONGHOP" status | grep -c '2025Q3')" 3

# --- configuration files: command line over environment over file over system file
unset TONGHOP_SPOOL
export XDG_CONFIG_HOME=$TH_WORK/xdg
mkdir -p "$XDG_CONFIG_HOME/tonghop"
cat >"$TH_WORK/system.conf" <<CONF
# the machine's settings
server = tcp://127.0.0.1:$free_port
lang = vi
unit = 22918
CONF
export TONGHOP_SYSCONFIG=$TH_WORK/system.conf
cat >"$XDG_CONFIG_HOME/tonghop/config" <<CONF
server = $TH_ENDPOINT
spool = $TH_WORK/spool-cfg
lang = en
timeout = 3s
CONF
run "$TONGHOP" submit --period 2025Q1 "$csv"
th_check "config: user file's server, system file's unit, user file's language" \
  bash -c '[ "$1" = 0 ] && grep -q "Stored" <<<"$2"' _ "$rc" "$out"
th_check "config: stored for the system file's unit 22918" \
  th_eq "$(th_sql "SELECT count(*) FROM submissions WHERE unit_code = '22918' AND quarter = 1")" 1
th_check "config: the spool of the user file is used" test -d "$TH_WORK/spool-cfg"
run env TONGHOP_UNIT=22921 "$TONGHOP" submit --period 2025Q1 "$csv"
th_check "environment over file: TONGHOP_UNIT" \
  th_eq "$(th_sql "SELECT count(*) FROM submissions WHERE unit_code = '22921' AND quarter = 1")" 1
run env TONGHOP_UNIT=22921 "$TONGHOP" submit --unit 22924 --period 2025Q1 "$csv"
th_check "command line over environment: --unit" \
  th_eq "$(th_sql "SELECT count(*) FROM submissions WHERE unit_code = '22924' AND quarter = 1")" 1
run env TONGHOP_SERVER="tcp://127.0.0.1:$free_port" "$TONGHOP" plans --retries 1
th_check "environment over file: TONGHOP_SERVER (refused port)" th_eq "$rc" 5
run env TONGHOP_SERVER="tcp://127.0.0.1:$free_port" "$TONGHOP" plans --server "$TH_ENDPOINT" --retries 1
th_check "command line over environment: --server" th_eq "$rc" 0
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
run env TONGHOP_LANG=vi "$TONGHOP" status
th_check "environment over file: TONGHOP_LANG=vi" grep -q "Đang chờ gửi\|Chờ gửi\|chờ" <<<"$out"
# A Z85 key may hold '#': there it is a letter, not a comment (a comment
# starts a line or follows a space).
for i in $(seq 1 50); do
  key=$("$TONGHOPD" keygen --secret-file "$TH_WORK/hash-$i.key" | tail -1)
  case $key in *'#'*) break ;; esac
done
printf '# a comment\nserver_key = %s\ntimeout = 3s   # a comment after a space\n' "$key" >"$TH_WORK/hash.conf"
run env TONGHOP_CONFIG="$TH_WORK/hash.conf" "$TONGHOP" status
th_check "config: a server_key with '#' in it is read whole ($key)" \
  bash -c '[[ $1 == *"#"* ]] && [ "$2" = 0 ]' _ "$key" "$rc"
echo "servr = tcp://x:1" >>"$XDG_CONFIG_HOME/tonghop/config"
run "$TONGHOP" status
th_check "config: an unknown key is an error naming the file and line" \
  bash -c '[ "$1" = 2 ] && grep -q "config, line 5, servr" <<<"$2"' _ "$rc" "$out"
th_finish
