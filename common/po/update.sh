#!/usr/bin/env bash
# Re-extracts the translatable strings (every _("...") in server/, client/,
# common/) into tonghop.pot and merges them into each language's .po file.
# Run after adding or changing user-facing text, then translate the new
# entries (msgattrib --untranslated vi.po lists them).
set -euo pipefail
cd "$(dirname "$0")"
top=../..
xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --add-comments=TRANSLATORS \
  --package-name=tonghop --msgid-bugs-address=tonghop -o tonghop.pot \
  $(cd "$top" && ls server/*.c client/*.c common/*.c | sed "s|^|$top/|")
for po in *.po; do
  msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po" tonghop.pot
  msgattrib --no-obsolete -o "$po" "$po"
done
msgattrib --untranslated vi.po | grep -c '^msgid' || true
