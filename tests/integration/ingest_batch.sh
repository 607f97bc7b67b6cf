#!/usr/bin/env bash
# The set-based ingest (issue #12): th_ingest_batch, called in rounds as the
# server's group commit does, must give every submission the outcome it gets
# when stored alone, in order, by th_ingest_submission — resends in the same
# batch, the same id with other content, two corrections of one value in one
# batch, unknown units, units merged away or not yet made, a plan that does
# not exist or does not cover the unit, unknown indicators, wrong kinds — and
# leave the same rows. Random batches from ingest_batch_gen.py, on two
# databases of the same cluster.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
th_pg_createdb "$TH_WORK/pg" sequential
SEQ_DSN=$(th_pg_dsn "$TH_WORK/pg" sequential)
"$TONGHOPD" migrate --db "$SEQ_DSN" >/dev/null
"$TONGHOPD" import-units --db "$SEQ_DSN" "$TH_SRC_DIR/deploy/data/vn-admin-units-2024.csv" >/dev/null
# Both on the map of 1 July 2025 too: old communes are refused for 2025Q3.
for dsn in "$TH_DSN" "$SEQ_DSN"; do
  "$TONGHOPD" import-units --db "$dsn" --as-of 2025-07-01 --complete \
    --succession "$TH_SRC_DIR/deploy/data/vn-succession-2025-07.csv" \
    "$TH_SRC_DIR/deploy/data/vn-admin-units-2025-07.csv" >/dev/null
  "$TONGHOPD" import-plan --db "$dsn" "$TH_SRC_DIR/deploy/samples/plans/binh-thuan-2025-1751-KH-UBND.json" >/dev/null
done

# rows DSN: what the tables hold, without times.
rows() {
  psql "$1" -X -A -t -v ON_ERROR_STOP=1 -c "
    SELECT 's', id, unit_code, year, quarter, coalesce(plan_code, ''), encode(digest, 'hex'), value_count, superseded_count,
           coalesce(extract(epoch FROM client_created_at)::bigint, 0) FROM submissions ORDER BY id" -c "
    SELECT 'v', submission_id, indicator_code, unit_code, year, quarter, numerator, denominator, value, text
      FROM result_values ORDER BY submission_id, indicator_code" -c "
    SELECT 'c', unit_code, indicator_code, year, quarter, submission_id, numerator, denominator, value, text
      FROM current_results ORDER BY unit_code, indicator_code, year, quarter"
}

for seed in ${TH_SEEDS:-1 2 3 20250701}; do
  mkdir -p "$TH_WORK/g$seed"
  n=$(python3 "$TH_SRC_DIR/tests/integration/ingest_batch_gen.py" "$TH_WORK/g$seed" "$seed")
  psql "$TH_DSN" -X -A -t -q -v ON_ERROR_STOP=1 -1 -f "$TH_WORK/g$seed/batch.sql" | sort -n >"$TH_WORK/g$seed/batch.out"
  psql "$SEQ_DSN" -X -A -t -q -v ON_ERROR_STOP=1 -1 -f "$TH_WORK/g$seed/sequential.sql" | sort -n >"$TH_WORK/g$seed/sequential.out"
  th_check "seed $seed: $n submissions, each with the outcome it gets alone ($(cut -d'|' -f2 "$TH_WORK/g$seed/batch.out" | sort | uniq -c | tr -s ' ' | tr '\n' ','))" \
    diff "$TH_WORK/g$seed/sequential.out" "$TH_WORK/g$seed/batch.out"
  th_check "seed $seed: the same rows in submissions, result_values and current_results" \
    diff <(rows "$SEQ_DSN") <(rows "$TH_DSN")
done
th_check "the traps were there: resends, reused ids, corrections, unknown units, units merged away or not yet made, unknown plans, indicators and kinds" \
  bash -c 'for w in duplicate ID_REUSED UNKNOWN_UNIT UNIT_CEASED UNIT_NOT_YET "NOT_FOUND|plan_code" "OUTSIDE_PLAN|plan_code" UNKNOWN_INDICATOR WRONG_KIND; do grep -q "$w" "$1"/g*/batch.out || exit 1; done
           awk -F"|" "\$7 > 0" "$1"/g*/batch.out | grep -q .' _ "$TH_WORK"
th_finish
