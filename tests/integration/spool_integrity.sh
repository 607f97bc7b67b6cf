#!/usr/bin/env bash
# The spool's integrity and its sharing: every spool file carries a CRC-32
# of its contents; one damaged on disk is set aside whole (rejected/, reason
# "damaged") and nothing of it is stored, while a file written before
# checksums existed is still delivered. Several `tonghop submit` sharing one
# spool each report their own submission's true outcome, even when another
# process's delivery sent it.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_server_start
EP=$TH_ENDPOINT
csv=$TH_WORK/r.csv
th_results_csv "$csv"
C="$TONGHOP --server $EP --timeout 1000 --retries 2"
ids() { ls "$TONGHOP_SPOOL/$1" 2>/dev/null | { grep '\.sub$' || true; } | sed -E 's/^[0-9]+-(.*)\.sub$/\1/' | sort; }
stored() { th_sql "SELECT count(*) FROM submissions WHERE unit_code = '$1'"; }

# Queue two submissions while the server is stopped.
th_server_stop TERM
rc=0; $C submit --unit 22915 --period 2025Q1 "$csv" >/dev/null 2>&1 || rc=$?
th_check "stopped server: queued (exit 5)" th_eq "$rc" 5
rc=0; $C submit --unit 22918 --period 2025Q1 "$csv" >/dev/null 2>&1 || rc=$?
th_check "stopped server: second one queued" th_eq "$rc" 5
f=$(ls "$TONGHOP_SPOOL/pending" | grep '\.sub$' | head -n 1)
th_check "spool files start with their checksum header" th_eq "$(head -c 8 "$TONGHOP_SPOOL/pending/$f")" THSPOOL1

# Flip one byte of a value in the first (CTXH-04's numerator, 17 -> 16):
# the file still unpacks, and without a checksum its values would be sent.
python3 - "$TONGHOP_SPOOL/pending/$f" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.index(b'CTXH-04')
j = b.index(b'\x10\x11', i)  # numerator (field 2), 17
b[j + 1] ^= 0x01
open(p, 'wb').write(b)
PY

# An old spool file (from a release before checksums: a bare packed
# Submission) is still read: make one from the second file.
g=$(ls "$TONGHOP_SPOOL/pending" | grep '\.sub$' | sed -n 2p)
tail -c +13 "$TONGHOP_SPOOL/pending/$g" >"$TONGHOP_SPOOL/pending/.old" && mv "$TONGHOP_SPOOL/pending/.old" "$TONGHOP_SPOOL/pending/$g"

st=$($TONGHOP status 2>&1 || true)
th_check "status before sync: the damaged file is flagged" grep -q "damaged spool file" <<<"$st"
th_check "status before sync: the old file is listed normally" grep -q "22918.*2025Q1" <<<"$st"

TH_BIND=$EP th_server_start
rc=0; out=$($C sync 2>&1) || rc=$?
th_check "sync: says the damaged file was set aside" grep -q "damaged spool file.*set aside" <<<"$out"
th_check "sync: the old-format file is stored" th_eq "$(stored 22918)" 1
th_check "sync: nothing of the damaged file is stored" th_eq "$(stored 22915)" 0
th_check "sync: no value of the damaged file is stored" \
  th_eq "$(th_sql "SELECT count(*) FROM result_values WHERE unit_code = '22915'")" 0
th_check "sync: exit 4 (something set aside)" th_eq "$rc" 4
th_check "the damaged file is in rejected/, whole" cmp -s <(ls "$TONGHOP_SPOOL/rejected" | grep -c '\.sub$') <(echo 1)
th_check "its reason is 'damaged'" grep -q '^DAMAGED' "$TONGHOP_SPOOL/rejected/${f%.sub}.why"
th_check "nothing waits" th_eq "$(ids pending | wc -l)" 0
rc=0; st=$($TONGHOP status 2>&1) || rc=$?
th_check "status lists it as set aside, with the reason" \
  grep -A1 -F "${f}" <<<"$st" | grep -q "reason: damaged spool file"
th_check "status: exit 0 (nothing waits)" th_eq "$rc" 0
rc=0; $C sync >/dev/null 2>&1 || rc=$?
th_check "a second sync does not send it either" th_eq "$(stored 22915)" 0

# Eight submits at once sharing one spool, against a live server: each
# reports its own submission as stored (exit 0), whichever process sent it.
pids=()
for k in 1 2 3 4 5 6 7 8; do
  $C submit --unit 22921 --period 2025Q2 "$csv" >"$TH_WORK/c$k.out" 2>&1 & pids+=($!)
done
codes=""
for p in "${pids[@]}"; do r=0; wait "$p" || r=$?; codes="$codes$r"; done
th_check "8 concurrent submits: every one exits 0" th_eq "$codes" 00000000
th_check "8 concurrent submits: every one says stored" th_eq "$(cat "$TH_WORK"/c?.out | grep -c '^Stored: submission')" 8
th_check "8 concurrent submits: none says queued" th_eq "$(cat "$TH_WORK"/c?.out | grep -c 'Queued')" 0
th_check "8 concurrent submits: the database has all 8" th_eq "$(stored 22921)" 8
th_check "8 concurrent submits: nothing waits" th_eq "$(ids pending | wc -l)" 0
th_finish
