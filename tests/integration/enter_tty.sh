#!/usr/bin/env bash
# `tonghop enter` at a terminal (a pseudo-terminal driven like a keyboard):
# it asks for each indicator of the plan in Vietnamese, shows the
# percentage, refuses a wrong answer and asks again, and stores what was
# typed.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR/deploy/samples/plans/binh-thuan-2025-1751-KH-UBND.json" >/dev/null
th_server_start

script=$TH_WORK/keys.tsv
# What the person sees and types, step by step.
cat >"$script" <<'KEYS'
[1] CTXH-01	3
Mẫu số	6
[2] CTXH-02	abc
chữ số	4
Mẫu số	3
không được nhỏ hơn tử số	10
[3] CTXH-03	
[4] CTXH-04	17
Mẫu số	20
[c/k]	c
KEYS
# The first answer goes to the numerator prompt of [1]; the driver waits for
# each text before typing. "[2] CTXH-02 / abc" types a wrong numerator.
out=$(TONGHOP_LANG=vi python3 "$TH_SRC_DIR/tests/integration/pty_drive.py" "$script" -- \
  "$TONGHOP" enter --server "$TH_ENDPOINT" --unit 22921 --period 2025Q3 --plan 1751/KH-UBND) && rc=0 || rc=$?
echo "$out" | tail -25 >&2
th_check "enter: exit 0 (stored)" th_eq "$rc" 0
th_check "enter: asks in Vietnamese" grep -q "Tử số" <<<"$out"
th_check "enter: shows the percentage as it goes" grep -q "= 50,0%" <<<"$out"
th_check "enter: a wrong answer is explained and asked again" grep -q "chữ số" <<<"$out"
th_check "enter: the stored values are the ones typed" \
  th_eq "$(th_sql "SELECT string_agg(indicator_code || '=' || numerator || '/' || denominator, ',' ORDER BY indicator_code) FROM current_results WHERE unit_code = '22921'")" \
  "CTXH-01=3/6,CTXH-02=4/10,CTXH-04=17/20"
th_check "enter: the skipped indicator was not sent" th_eq "$(th_sql "SELECT count(*) FROM current_results WHERE indicator_code = 'CTXH-03'")" 0
th_check "enter: the submission names its plan" th_eq "$(th_sql "SELECT plan_code FROM submissions")" "1751/KH-UBND"
th_finish
