#!/usr/bin/env bash
# Vietnam's map of 1 July 2025 with the real shipped lists: the 2024 map,
# then the new one with who succeeded whom. Reports stay right across the
# change, checked against an independent model of the README's rules
# (reform_model.py): Bình Thuận's communes report Q1-Q2, the Lâm Đồng
# communes they merged into report Q3-Q4 (some stay silent); plan
# 1751/KH-UBND keeps its territory; reused codes, old names, a district-level
# plan after July, the national root, and refusals that name the successor.
. "$(dirname "$0")/../lib/harness.sh"
th_setup
start=$(date +%s%N)
out=$("$TONGHOPD" import-units --db "$TH_DSN" --as-of 2025-07-01 --complete \
  --succession "$TH_SRC_DIR/deploy/data/vn-succession-2025-07.csv" "$TH_SRC_DIR/deploy/data/vn-admin-units-2025-07.csv")
th_log "the map of 1 July 2025 and its succession loaded in $(( ($(date +%s%N) - start) / 1000000 )) ms"
th_check "the new map: 34 provinces and 3,321 communes, all new units" grep -q "3355 added" <<<"$out"
th_check "today's map: 34 provinces under the country" \
  th_eq "$(th_sql "SELECT count(*) FROM th_subtree('VN', DATE '2025-12-31') WHERE depth = 1")" 34
th_check "today's map: no district" \
  th_eq "$(th_sql "SELECT count(*) FROM th_subtree('VN', DATE '2025-12-31') WHERE depth = 3")" 0
th_check "the 2024 map is still there for 2024" \
  th_eq "$(th_sql "SELECT count(*) FROM th_subtree('VN', DATE '2024-12-31') WHERE depth = 3")" 10599
th_check "no link or succession names a unit that does not exist" th_eq "$(th_sql "
  SELECT count(*) FROM unit_parents l LEFT JOIN units a ON a.code = l.unit_code LEFT JOIN units b ON b.code = l.parent_code
   WHERE a.code IS NULL OR b.code IS NULL")/$(th_sql "
  SELECT count(*) FROM unit_successions s LEFT JOIN units a ON a.code = s.predecessor LEFT JOIN units b ON b.code = s.successor
   WHERE a.code IS NULL OR b.code IS NULL")" "0/0"
out=$("$TONGHOPD" import-units --db "$TH_DSN" --as-of 2025-07-01 --complete \
  --succession "$TH_SRC_DIR/deploy/data/vn-succession-2025-07.csv" "$TH_SRC_DIR/deploy/data/vn-admin-units-2025-07.csv")
th_check "loading it again changes nothing" grep -q "0 added, 0 changed, 3355 unchanged" <<<"$out"
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_SRC_DIR"/deploy/samples/plans/*.json \
  "$TH_SRC_DIR/tests/data/plans/quoc-gia-2025.json" >/dev/null
th_server_start
C="$TONGHOP --server $TH_ENDPOINT"
P=1751/KH-UBND

python3 "$TH_SRC_DIR/tests/integration/reform_model.py" generate "$TH_WORK/gen" "${TH_SEED:-20250701}"
# And, for the national plan: Hồ Chí Minh City, Bình Dương and Bà Rịa - Vũng
# Tàu, one city since July, and Sơn La, with every commune there that was
# split between new communes or left no successor.
python3 "$TH_SRC_DIR/tests/integration/reform_model.py" generate "$TH_WORK/gen" "${TH_SEED:-20250701}" south-north
fails=0
for f in "$TH_WORK"/gen/*.csv; do
  b=$(basename "$f" .csv)
  $C submit --unit "$(cut -d- -f2 <<<"$b")" --period "$(cut -d- -f3 <<<"$b")" "$f" >/dev/null || fails=$((fails + 1))
done
th_check "$(ls "$TH_WORK"/gen | wc -l) submissions on both maps stored" th_eq "$fails" 0

model() { # model PERIOD ROOT ARGS...: a report checked against the model
  local period=$1 root=$2
  shift 2
  $C report --plan $P --period "$period" --by-child --format json "$@" >"$TH_WORK/rep.json"
  python3 "$TH_SRC_DIR/tests/integration/reform_model.py" check "$TH_WORK/gen" "$TH_WORK/rep.json" "$period" "$root" 60 >&2
}
th_check "model: 2025Q2 by district, on the old map" model 2025Q2 -
th_check "model: 2025Q3, on the new map" model 2025Q3 -
th_check "model: the year 2025 on its territory of 31/12 (the plan alone)" model 2025 -
th_check "model: the year 2025 asked from Lâm Đồng (68)" model 2025 68 --unit 68
th_check "model: 2025Q4 asked from Lâm Đồng (68)" model 2025Q4 68 --unit 68

nmodel() { # nmodel PERIOD ROOT ARGS...: a report of the national plan checked against the model
  local period=$1 root=$2
  shift 2
  $C report --plan 98/KH-BYT-KIEMTHU --period "$period" --by-child --format json "$@" >"$TH_WORK/rep.json"
  python3 "$TH_SRC_DIR/tests/integration/reform_model.py" check "$TH_WORK/gen" "$TH_WORK/rep.json" "$period" "$root" VN >&2
}
th_check "model, national plan: the year 2025, the country by province" nmodel 2025 -
th_check "model, national plan: 2025Q2, the country's 63 provinces of then" nmodel 2025Q2 -
th_check "model, national plan: 2025Q3, the country" nmodel 2025Q3 -
th_check "model, national plan: the year 2025 at Hồ Chí Minh City (79: three provinces of 2024)" nmodel 2025 79 --unit 79
th_check "model, national plan: 2025Q2 at the Hồ Chí Minh City of then, by district" nmodel 2025Q2 79 --unit 79
th_check "model, national plan: 2025Q2 at Bình Dương (74), by district" nmodel 2025Q2 74 --unit 74
th_check "model, national plan: the year 2025 at Sơn La (14: split communes)" nmodel 2025 14 --unit 14
th_check "model, national plan: 2025Q4 at Sơn La" nmodel 2025Q4 14 --unit 14

rep=$($C report --plan $P --period 2025 --format json)
th_check "plan 1751 for 2025 reports on Lâm Đồng's communes from Bình Thuận" \
  th_eq "$(jq -c '[.unit.code, .unit.plan_territory.code, .unit.plan_territory.ceased]' <<<"$rep")" '["68","60","2025-07-01"]'
th_check "district-level plan after July: counted at commune level, and says so" \
  th_eq "$(jq -c '[.completeness.level, .completeness.planned_level]' <<<"$rep")" '["commune","district"]'
th_check "completeness counts the units that exist on 31/12 (communes of Lâm Đồng from Bình Thuận)" \
  test "$(jq '.completeness.expected' <<<"$rep")" -gt 20
th_check "a silent successor's stocks are carried from its predecessors, and marked" \
  test "$(jq '[.indicators[] | .carried_from_predecessors // 0] | add' <<<"$rep")" -gt 0
rep=$($C report --plan $P --period 2025Q2 --by-child --format json)
th_check "2025Q2: by district, with the districts' names of then" \
  th_eq "$(jq -r '.children[] | select(.unit.code == "593") | .unit.name' <<<"$rep")" "Thành phố Phan Thiết"
th_check "2025Q2: the district level, as planned" th_eq "$(jq -r '.completeness.level' <<<"$rep")" district
th_check "2025Q2: the province of then" th_eq "$(jq -r '.unit.name' <<<"$rep")" "Tỉnh Bình Thuận"

# A reused code: 22918 was Phường Hàm Tiến until June 2025, Phường Mũi Né after.
n2=$($C report --plan $P --period 2025Q2 --unit 22918 --format json | jq -r .unit.name)
n3=$($C report --plan $P --period 2025Q3 --unit 22918 --format json | jq -r .unit.name)
th_check "a reused code names the unit of the period: $n2, then $n3" th_eq "$n2 / $n3" "Phường Hàm Tiến / Phường Mũi Né"

# Clear words at the border.
th_results_csv "$TH_WORK/r.csv"
rc=0; e=$($C submit --unit 22921 --period 2025Q3 "$TH_WORK/r.csv" 2>&1) || rc=$?
th_check "a merged commune reporting after July: refused (exit 4)" th_eq "$rc" 4
th_check "naming the date and its successor" bash -c 'grep -q "2025-07-01" <<<"$1" && grep -q "22924 Phường Phú Thủy" <<<"$1"' _ "$e"
rc=0; e=$($C submit --unit 22939 --period 2025Q3 "$TH_WORK/r.csv" 2>&1) || rc=$?
th_check "a commune that left no successor (Bình Hưng): refused, naming the unit its territory went to" \
  bash -c '[ "$1" = 4 ] && grep -q "2025-07-01: 68 Tỉnh Lâm Đồng" <<<"$2"' _ "$rc" "$e"
# Phường Mộc Châu (03980, Sơn La) was made on 1 July 2025 under a new code,
# from two towns and two communes: before that it did not exist.
rc=0; e=$($C submit --unit 03980 --period 2025Q2 "$TH_WORK/r.csv" 2>&1) || rc=$?
th_check "a commune made in July reporting 2025Q2: refused, naming the date and what it was made from, not as unknown" \
  bash -c '[ "$1" = 4 ] && grep -q "UNIT_NOT_YET\|did not exist yet" <<<"$2" &&
           grep -q "03980 2025-07-01: 03979 Thị trấn Mộc Châu, 03982 Thị trấn NT Mộc Châu, 04012 Xã Chiềng Hắc, 04027 Xã Mường Sang" <<<"$2"' \
  _ "$rc" "$e"
rc=0; e=$($C report --plan 98/KH-BYT-KIEMTHU --period 2025Q2 --unit 03980 2>&1) || rc=$?
th_check "a report of it for 2025Q2: refused the same way" \
  bash -c '[ "$1" = 4 ] && grep -q "did not exist yet" <<<"$2" && grep -q "03980 2025-07-01: 03979" <<<"$2"' _ "$rc" "$e"
rc=0; e=$($C submit --unit 03980 --period 2025Q3 "$TH_WORK/r.csv" 2>&1) || rc=$?
th_check "and its 2025Q3 is stored" th_eq "$rc" 0
rc=0; e=$($C report --plan $P --period 2024Q4 2>&1) || rc=$?
th_check "a report of plan 1751 (for 2025) for 2024Q4: refused, naming the plan's years" \
  bash -c '[ "$1" = 4 ] && grep -q "field period" <<<"$2" && grep -q "(2025)" <<<"$2"' _ "$rc" "$e"
rc=0; e=$($C report --plan $P --period 2025 --unit 22921 2>&1) || rc=$?
th_check "a report of a merged commune for 2025: refused, naming its successor" \
  bash -c '[ "$1" = 4 ] && grep -q "22924" <<<"$2"' _ "$rc" "$e"
th_check "plans --unit finds the plans that cover a new commune through succession" \
  bash -c '$1 plans --unit 22924 | grep -q "1751/KH-UBND"' _ "$C"
th_check "and not those of elsewhere" bash -c '! $1 plans --unit 22924 | grep -q "70/KH-UBND"' _ "$C"
th_check "plans --unit of a commune merged away (Phú Hài) lists the plans that covered it" \
  bash -c '$1 plans --unit 22921 | grep -q "1751/KH-UBND" && ! $1 plans --unit 22921 | grep -q "70/KH-UBND"' _ "$C"

# A plan of Phan Thiết (593), a district that left no successor: its own
# results and those of its wards that left none (Bình Hưng, 22939) went to
# Bình Thuận, and so to new Lâm Đồng, which is not its territory; the plan's
# year still counts them, there, with the wards that succeeded its own.
jq '.code = "THU/593" | .issuer_unit = "593" | .issuing_body = "Ủy ban nhân dân thành phố Phan Thiết"
    | .reporting_level = "commune" | .deadlines = [{"level": "commune", "to": "UBND thành phố", "date": "2025-12-15"}] | del(.implements)' \
  "$TH_SRC_DIR/deploy/samples/plans/binh-thuan-2025-1751-KH-UBND.json" >"$TH_WORK/thu-593.json"
"$TONGHOPD" import-plan --db "$TH_DSN" "$TH_WORK/thu-593.json" >/dev/null
want=$(th_sql "SELECT sum(c.numerator) FROM current_results c
                WHERE c.indicator_code = 'CTXH-02' AND c.year = 2025
                  AND ((c.quarter <= 2 AND th_within(c.unit_code, '593', DATE '2025-06-30'))
                    OR (c.quarter >= 3 AND th_in_territory(c.unit_code, '593', DATE '2025-12-31')))")
got=$($C report --plan THU/593 --period 2025 --format json | jq '.indicators[] | select(.code == "CTXH-02") | .numerator')
th_check "a plan of Phan Thiết for 2025: every result sent within Phan Thiết counts once ($got of $want), Bình Hưng's too" \
  bash -c '[ -n "$2" ] && [ "$1" = "$2" ] && [ "$3" -gt 0 ]' _ "$got" "$want" \
  "$(th_sql "SELECT count(*) FROM current_results WHERE unit_code = '22939' AND year = 2025")"

# Cao Lãnh's plan (district 873, issued in 2021) runs to 2030: in 2026 it
# reports on the communes that succeeded the district's.
rep=$($C report --plan KH-UBND-HCL-2021-2030 --period 2026 --by-child --format json)
th_check "Cao Lãnh 2026: on the district's territory, now part of the new Đồng Tháp" \
  th_eq "$(jq -c '[.unit.role, .unit.plan_territory.code, .completeness.level]' <<<"$rep")" '["province","873","commune"]'
want=$(th_sql "SELECT count(DISTINCT s.successor) FROM unit_successions s JOIN unit_parents l ON l.unit_code = s.predecessor
                WHERE l.parent_code = '873' AND l.valid_to = DATE '2025-07-01'")
th_check "Cao Lãnh 2026: its communes are those that succeeded the district's ($want)" \
  th_eq "$(jq '.completeness.expected' <<<"$rep")" "$want"

# The national root: the ministry consolidates the whole country.
rep=$($C report --plan 98/KH-BYT-KIEMTHU --period 2025 --by-child --format json)
th_check "national report: the country, its 34 provinces" \
  th_eq "$(jq -c '[.unit.code, .unit.role, (.children | length)]' <<<"$rep")" '["VN","country",34]'
th_check "national report: every stored value of CTXH-02's numerator counted once" \
  th_eq "$(jq '.indicators[] | select(.code == "CTXH-02") | .numerator' <<<"$rep")" \
        "$(th_sql "SELECT sum(numerator) FROM current_results WHERE indicator_code = 'CTXH-02' AND year = 2025")"
rep=$($C report --plan 98/KH-BYT-KIEMTHU --period 2025Q2 --by-child --format json)
th_check "national report for 2025Q2: the 63 provinces of then" th_eq "$(jq '.children | length' <<<"$rep")" 63

# A plan's territory found for a whole tree at once (th_territory_among, as
# reports, reviews, approvals and what is due filter with it) is the one
# th_in_territory finds unit by unit: for the issuers of the sample plans,
# a province and a district of each map, on a day of each map.
terr=$(th_sql "
  WITH iss(code) AS (VALUES ('60'), ('593'), ('874'), ('873'), ('89'), ('46'), ('VN'),
                            ((SELECT th_unit_key('68', DATE '2025-12-31'))), ((SELECT th_unit_key('22924', DATE '2025-12-31')))),
       days(d) AS (VALUES (DATE '2025-06-30'), (DATE '2025-12-31')),
       -- one unit in ten of the country, and every unit of Bình Thuận and of Lâm Đồng, Đồng Tháp and An Giang of the day
       c AS (SELECT i.code AS issuer, d.d,
                    ARRAY(SELECT t.code FROM th_subtree('VN', d.d) t
                           WHERE hashtext(t.code) % 10 = 0
                              OR t.code IN (SELECT s.code FROM unnest(ARRAY['60', '68', '87', '82', '89', '91']) g,
                                                               th_subtree(coalesce(th_unit_key(g, d.d), g), d.d) s)) AS keys
               FROM iss i, days d),
       one AS MATERIALIZED (SELECT c.issuer, c.d, k FROM c, unnest(c.keys) k WHERE th_in_territory(k, c.issuer, c.d)),
       all_ AS MATERIALIZED (SELECT c.issuer, c.d, t FROM c, th_territory_among(c.keys, c.issuer, c.d) t)
  SELECT (SELECT count(*) FROM (SELECT * FROM one EXCEPT ALL SELECT * FROM all_) x)
         + (SELECT count(*) FROM (SELECT * FROM all_ EXCEPT ALL SELECT * FROM one) y)
         || '/' || (SELECT count(*) FROM all_) || '/' || (SELECT sum(cardinality(keys)) FROM c)")
th_check "the territory of a plan found for all units at once is the one found unit by unit (differences/in territory/units: $terr)" \
  bash -c '[[ $1 =~ ^0/[1-9][0-9]+/[1-9][0-9]+$ ]]' _ "$terr"

# The heirs and the possible senders of every unit, looked up in the map's
# closures (migration 019, kept by th_unit_closures_rewrite), are those
# found by walking the map as the README states it, written out here: a
# unit that ceased hands on to its first successor (by position, then
# code), else to the unit it lay under on its last day, until a unit that
# exists on the day; the senders of a unit are itself, its predecessors,
# the units under it that ceased by the day leaving no successor, and
# theirs in turn. On a day of each map, and on the day of the change.
heirs=$(th_sql "
  WITH RECURSIVE days(d) AS (VALUES (DATE '2025-06-30'), (DATE '2025-07-01'), (DATE '2025-12-31')),
  walk(d, orig, key, depth, path) AS (
      SELECT d.d, u.code, u.code, 0, ARRAY[u.code] FROM days d, units u
      UNION ALL
      SELECT w.d, w.orig, n.heir, w.depth + 1, w.path || n.heir
        FROM walk w JOIN units u ON u.code = w.key
        CROSS JOIN LATERAL (
            SELECT coalesce((SELECT s.successor FROM unit_successions s WHERE s.predecessor = u.code
                              ORDER BY s.position, s.successor LIMIT 1),
                            (SELECT l.parent_code FROM unit_parents l
                              WHERE l.unit_code = u.code AND l.valid_from < u.valid_to
                                AND (l.valid_to IS NULL OR l.valid_to >= u.valid_to)
                              ORDER BY l.valid_from DESC LIMIT 1)) AS heir) n
       WHERE u.valid_to <= w.d AND n.heir IS NOT NULL AND w.depth < 16
  ), model AS MATERIALIZED (
      SELECT DISTINCT ON (w.d, w.orig) w.d, w.orig, w.key, w.depth, w.path
        FROM walk w JOIN units v ON v.code = w.key
       WHERE v.valid_from <= w.d AND (v.valid_to IS NULL OR v.valid_to > w.d)
       ORDER BY w.d, w.orig, w.depth
  ), looked AS MATERIALIZED (
      SELECT d.d, h.orig, h.key, h.depth, h.path
        FROM days d, th_heir_paths(ARRAY(SELECT code FROM units), d.d) h
  )
  SELECT (SELECT count(*) FROM (SELECT * FROM model EXCEPT ALL SELECT * FROM looked) x)
         + (SELECT count(*) FROM (SELECT * FROM looked EXCEPT ALL SELECT * FROM model) y)
         || '/' || (SELECT count(*) FROM looked WHERE depth > 0)")
th_check "every unit's heir on a day is the one walking the map finds (differences/units handing on: $heirs)" \
  bash -c '[[ $1 =~ ^0/[1-9][0-9]+$ ]]' _ "$heirs"
senders=$(th_sql "
  WITH RECURSIVE days(d) AS (VALUES (DATE '2025-06-30'), (DATE '2025-07-01'), (DATE '2025-12-31')),
  walk(d, root, code) AS (
      SELECT d.d, u.code, u.code FROM days d, units u
      UNION
      SELECT w.d, w.root, b.code
        FROM walk w
        CROSS JOIN LATERAL (
            SELECT s.predecessor AS code FROM unit_successions s WHERE s.successor = w.code
            UNION ALL
            SELECT c.code FROM units c JOIN unit_parents l ON l.unit_code = c.code
             WHERE l.parent_code = w.code AND c.valid_to <= w.d
               AND l.valid_from < c.valid_to AND (l.valid_to IS NULL OR l.valid_to >= c.valid_to)
               AND NOT EXISTS (SELECT 1 FROM unit_successions s WHERE s.predecessor = c.code)) b
  ), looked AS MATERIALIZED (
      SELECT d.d, u.code AS root, c.code FROM days d, units u, th_unit_sender_candidates(ARRAY[u.code], d.d) AS c(code)
  )
  SELECT (SELECT count(*) FROM (SELECT * FROM walk EXCEPT ALL SELECT * FROM looked) x)
         + (SELECT count(*) FROM (SELECT * FROM looked EXCEPT ALL SELECT * FROM walk) y)
         || '/' || (SELECT count(*) FROM looked WHERE root <> code)")
th_check "every unit's possible senders on a day are those walking the map finds (differences/senders not the unit: $senders)" \
  bash -c '[[ $1 =~ ^0/[1-9][0-9]+$ ]]' _ "$senders"

# An import that would make a cycle is refused, naming the codes.
printf 'code,name,name_with_type,type,parent_code,level\n68,Lâm Đồng,Tỉnh Lâm Đồng,tinh,22918,2\n22918,Mũi Né,Phường Mũi Né,phuong,68,2\n' >"$TH_WORK/cycle.csv"
before=$(th_sql "SELECT count(*) || '/' || count(valid_to) FROM unit_parents")
rc=0; e=$("$TONGHOPD" import-units --db "$TH_DSN" --as-of 2026-01-01 "$TH_WORK/cycle.csv" 2>&1) || rc=$?
th_check "a cycle in the tree is refused" th_eq "$rc" 1
th_check "naming the codes involved" bash -c 'grep -q "68" <<<"$1" && grep -q "22918" <<<"$1" && grep -q "cycle" <<<"$1"' _ "$e"
th_check "and nothing changed" th_eq "$(th_sql "SELECT count(*) || '/' || count(valid_to) FROM unit_parents")" "$before"
th_check "the maintained values of each unit and period are what a rebuild computes" th_unit_values_fresh
th_finish
