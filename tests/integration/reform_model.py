#!/usr/bin/env python3
"""An independent model of the reporting rules across the reform of 1 July
2025, for the reform test. Written from the README ("How to read a report:
units that changed"), not from the SQL:

  * a period is reported on the territory as it stands on its last day;
  * every result counts there once: a result belongs to the unit that sent
    it while that unit exists, else to its heir (its first successor in the
    succession file; a unit that left no successor hands on to the unit
    above it), followed until a unit that exists on the last day;
  * a flow adds up every quarter of the period, whoever sent it;
  * a stock is each end-of-period unit's own latest quarter in the period;
    a unit that sent nothing for it since it came into being is stood in
    for by its predecessors' latest values, never added to its own (here
    every predecessor ceased on 1 July 2025, and the new unit's quarters
    all end after that: the new unit's own value, if any, else all of its
    predecessors' latest);
  * a plan covers its issuer's territory as it was when issued: after the
    reform, the units made (wholly or partly) of units that were in it.

  reform_model.py generate DIR SEED [SCENARIO]
      writes DIR/NNNN-UNIT-PERIOD.csv. SCENARIO "binh-thuan" (the default):
      Bình Thuận's communes and the Lâm Đồng communes they merged into, for
      plan 1751/KH-UBND. "south-north" (numbered from 5001, so both can
      share DIR): for the national plan, Hồ Chí Minh City, Bình Dương and
      Bà Rịa - Vũng Tàu (one new city) and Sơn La, with every old commune
      there that was split between new communes (its results go to its
      first successor) or left no successor (to the unit above, and so on).
  reform_model.py check DIR REPORT.json PERIOD ROOT ISSUER
      ROOT: the unit asked for ('-' for the plan alone), ISSUER: the plan's
      issuer code (on the old map; VN for the country). Compares totals and
      children.
"""
import csv
import json
import os
import random
import sys
from fractions import Fraction

SRC = os.environ.get("TH_SRC_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(SRC, "deploy", "data")
RULES = {  # indicator: (numerator, denominator) aggregation, from the catalogue
    "CTXH-01": ("stock", "stock"),
    "CTXH-02": ("flow", "stock"),
    "CTXH-03": ("stock", "stock"),
    "CTXH-04": ("stock", "stock"),
}
REFORM_Q = 3  # quarters 3 and 4 of 2025 are on the new map


def read_units(name):
    units = {}
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            units[row["code"]] = row
    return units


OLD = read_units("vn-admin-units-2024.csv")
NEW = read_units("vn-admin-units-2025-07.csv")
SUCC = {}  # old code -> successors, in file order
with open(os.path.join(DATA, "vn-succession-2025-07.csv"), encoding="utf-8") as f:
    for row in csv.DictReader(f):
        SUCC.setdefault(row["old_code"], []).append(row["new_code"])
PRED = {}  # new code -> old codes
for old, news in SUCC.items():
    for n in news:
        PRED.setdefault(n, []).append(old)


def old_ancestors(code):
    """The unit, the units above it, and the country (VN) above them all."""
    out = []
    while code:
        out.append(code)
        code = OLD[code]["parent_code"]
    return out + ["VN"]


def new_ancestors(code):
    out = []
    while code:
        out.append(code)
        code = NEW[code]["parent_code"]
    return out + ["VN"]


def old_province(code):
    return old_ancestors(code)[-2]


def heir(old_code):
    """The new unit an old unit's results belong to after the reform."""
    code = old_code
    while code:
        if code in SUCC:
            return sorted(SUCC[code], key=lambda c: SUCC[code].index(c))[0]
        code = OLD[code]["parent_code"]  # left no successor: the unit above
    return None


def lineage_old(new_code):
    return PRED.get(new_code, [])


def bt_communes():
    """Communes of Bình Thuận (60) in 2024 whose heirs are a few new units."""
    return sorted(c for c, u in OLD.items() if u["level"] == "3" and old_province(c) == "60")


def generate(out, seed):
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    olds = bt_communes()
    # Every old commune of Phan Thiết (593) and a few others, and the new
    # communes they went to; some stay silent after July.
    chosen_old = [c for c in olds if OLD[c]["parent_code"] == "593"] + rng.sample(olds, 6)
    chosen_old = sorted(set(chosen_old))
    news = sorted({heir(c) for c in chosen_old})
    silent = set(rng.sample(news, max(1, len(news) // 3)))
    # Communes of old Lâm Đồng (68), outside plan 1751's territory, and one
    # that left no successor (Xã Quảng Lập): its results go to the unit
    # above, and so to new Lâm Đồng, which holds Bình Thuận's territory too,
    # but they are not Bình Thuận's.
    ld = sorted(c for c, u in OLD.items() if u["level"] == "3" and old_province(c) == "68")[:2] + ["24946"]
    n = 0
    plan = []
    for q in (1, 2):
        for c in chosen_old + ld:
            if rng.random() < 0.15:
                continue
            plan.append((c, q))
    for q in (3, 4):
        for c in news + sorted({heir(x) for x in ld if NEW[heir(x)]["parent_code"]}):  # (communes)
            if c in silent or rng.random() < 0.2:
                continue
            plan.append((c, q))
    write(out, rng, plan, 0)


def write(out, rng, plan, n):
    """One file of random values per (unit, quarter) of plan, numbered from n + 1."""
    for c, q in plan:
        vals = {}
        for ind in RULES:
            den = rng.randint(1, 30)
            vals[ind] = (rng.randint(0, den), den)
        n += 1
        with open(os.path.join(out, "%04d-%s-2025Q%d.csv" % (n, c, q)), "w", encoding="utf-8") as f:
            f.write("indicator,numerator,denominator\n")
            for ind, (a, b) in vals.items():
                f.write("%s,%d,%d\n" % (ind, a, b))


def generate_south_north(out, seed):
    """Old 79, 74, 77 (new 79) and 14: samples, every split commune and every
    commune that left no successor; their heirs after July, some silent, and
    new communes whose predecessors sent nothing."""
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    provs = ("79", "74", "77", "14")
    olds = sorted(c for c, u in OLD.items() if u["level"] == "3" and old_province(c) in provs)
    split = [c for c in olds if len(SUCC.get(c, [])) > 1]
    orphan = [c for c in olds if c not in SUCC]
    chosen_old = sorted(set(split + orphan + rng.sample(olds, 40)))
    news = sorted({heir(c) for c in chosen_old if NEW[heir(c)]["level"] == "2"})
    silent = set(rng.sample(news, max(1, len(news) // 4)))
    # New communes of the same provinces whose predecessors were not chosen.
    others = sorted(c for c, u in NEW.items() if u["level"] == "2" and new_ancestors(c)[-2] in ("79", "14")
                    and c not in news)
    news_only = rng.sample(others, 10)
    plan = []
    for q in (1, 2):
        for c in chosen_old:
            if rng.random() < 0.15:
                continue
            plan.append((c, q))
    for q in (3, 4):
        for c in sorted(set(news + news_only)):
            if c in silent or rng.random() < 0.25:
                continue
            plan.append((c, q))
    write(out, rng, plan, 5000)


def load(out):
    """(map, code, quarter) -> {indicator: (num, den)}; later files replace."""
    res = {}
    for name in sorted(os.listdir(out)):
        if not name.endswith(".csv"):
            continue
        _, code, period = name[:-4].split("-")
        q = int(period[-1])
        m = "new" if q >= REFORM_Q else "old"
        with open(os.path.join(out, name), encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        d = res.setdefault((m, code, q), {})
        for r in rows:
            d[r["indicator"]] = (int(r["numerator"]), int(r["denominator"]))
    return res


def in_plan_territory(new_code, issuer):
    if issuer in new_ancestors(new_code):
        return True
    return any(issuer in old_ancestors(p) for p in lineage_old(new_code))


def expected(res, period, root, issuer):
    """{'total': {ind: (num, den)}, 'children': {code: {ind: (num, den)}}}"""
    if len(period) == 6:
        quarters = [int(period[-1])]
    else:
        quarters = [1, 2, 3, 4]
    end_new = max(quarters) >= REFORM_Q
    # End-of-period unit of each result, in the map of the last day.
    def end_unit(m, code):
        if m == "new" or not end_new:
            return code
        return heir(code)
    if end_new:
        anc = new_ancestors
        if root == "-":
            root = heir(issuer) if issuer in OLD else issuer
        inside = lambda u: in_plan_territory(u, issuer) if issuer in OLD else issuer in new_ancestors(u)
    else:
        anc = old_ancestors
        if root == "-":
            root = issuer
        inside = lambda u: issuer in old_ancestors(u)
    # per end unit and indicator: rows (gen, quarter, values)
    per = {}
    for (m, code, q), vals in res.items():
        if q not in quarters:
            continue
        e = end_unit(m, code)
        if e is None or root not in anc(e) or not inside(e):
            continue
        # A plan keeps the territory it was issued for: on the new map, what
        # an old unit sent counts only if it lay in the issuer's territory.
        if end_new and m == "old" and issuer in OLD and issuer not in old_ancestors(code):
            continue
        gen = 0 if (m == "new") == end_new else 1
        for ind, v in vals.items():
            per.setdefault((e, ind), []).append((gen, q, code, v))
    tot = {}
    children = {}
    for (e, ind), rows in per.items():
        nagg, dagg = RULES[ind]
        mingen = min(g for g, _, _, _ in rows)
        latest = {}  # sender -> (q, v) of its latest quarter: the new unit's, else its predecessors'
        for g, q, code, v in rows:
            if g == mingen and (code not in latest or q > latest[code][0]):
                latest[code] = (q, v)
        def comp(i, agg):
            if agg == "flow":
                return sum(v[i] for _, _, _, v in rows)
            return sum(v[i] for _, v in latest.values())
        num, den = comp(0, nagg), comp(1, dagg)
        a = anc(e)
        top = a[a.index(root) - 1] if a.index(root) > 0 else None
        t = tot.setdefault(ind, [0, 0])
        t[0] += num
        t[1] += den
        if top is not None:
            c = children.setdefault(top, {}).setdefault(ind, [0, 0])
            c[0] += num
            c[1] += den
    return {"root": root, "total": tot, "children": children}


def check(out, report_path, period, root, issuer):
    rep = json.load(open(report_path, encoding="utf-8"))
    exp = expected(load(out), period, root, issuer)
    fails = passes = 0

    def same(what, got, want):
        nonlocal fails, passes
        if got == want:
            passes += 1
        else:
            fails += 1
            print("FAIL %s: report %s, model %s" % (what, got, want))

    same("unit", rep["unit"]["code"], exp["root"])
    for ind in rep["indicators"]:
        want = exp["total"].get(ind["code"])
        got = [ind["numerator"], ind["denominator"]] if ind.get("units_reporting") else None
        same("total %s" % ind["code"], got, want)
    for ch in rep.get("children", []):
        code = ch["unit"]["code"]
        for ind in ch["indicators"]:
            want = exp["children"].get(code, {}).get(ind["code"])
            got = [ind["numerator"], ind["denominator"]] if ind.get("units_reporting") else None
            same("%s %s" % (code, ind["code"]), got, want)
    with_data = {c for c, v in exp["children"].items() if v}
    same("children with data", sorted(c["unit"]["code"] for c in rep.get("children", [])
                                      if any(i.get("units_reporting") for i in c["indicators"])),
         sorted(with_data))
    print("%s %s: %d passed, %d failed" % (period, root, passes, fails))
    return fails == 0


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        scenario = sys.argv[4] if len(sys.argv) > 4 else "binh-thuan"
        {"binh-thuan": generate, "south-north": generate_south_north}[scenario](sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(0 if check(*sys.argv[2:7]) else 1)
