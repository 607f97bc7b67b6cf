#!/usr/bin/env bash
# bench/rules_renamed.sh REV DSN [PREFIX] -- installs the rules
# (migrations/rules/*.sql) of git revision REV into the database DSN with
# every name that begins "th_" renamed to begin PREFIX (default "tho_"),
# beside the rules already there: two versions of the reports in one
# database, to be compared call by call in one session, e.g.
#
#   createdb -T tonghop ab            # a copy: see below
#   bench/rules_renamed.sh 9082aad "dbname=ab"
#   build/bench/th_burst sqlab --db "dbname=ab" \
#     "SELECT length(tho_report('98/KH-BYT-KIEMTHU', '2025', '68', true)::text)" \
#     "SELECT length(th_report_text('98/KH-BYT-KIEMTHU', '2025', '68', true))"
#
# Only on a copy of a database: the renamed rules create their own
# triggers on the tables, which then run beside today's on every write,
# and rewrite the derived tables (the same rows) as they are applied.
# The tables must be those both revisions expect (no migration between
# them that changed what the older rules read). A file that fails is
# named and skipped (one that calls a function the older rules did not
# have, say); the others are installed.
set -u
if [ $# -lt 2 ]; then
  echo "usage: bench/rules_renamed.sh REV DSN [PREFIX]" >&2
  exit 2
fi
rev=$1 dsn=$2 prefix=${3:-tho_}
cd "$(dirname "$0")/.." || exit 2
files=$(git ls-tree --name-only "$rev" migrations/rules/) || exit 2
err=$(mktemp) || exit 2
trap 'rm -f "$err"' EXIT
rc=0
for f in $files; do
  case $f in *.sql) ;; *) continue ;; esac
  if ! git show "$rev:$f" | PREFIX=$prefix perl -pe 's/\bth_/$ENV{PREFIX}/g' |
    psql "$dsn" -X -q -v ON_ERROR_STOP=1 >/dev/null 2>"$err"; then
    echo "bench/rules_renamed.sh: $f of $rev not installed: $(grep -m1 ERROR "$err")" >&2
    rc=1
  fi
done
exit $rc
