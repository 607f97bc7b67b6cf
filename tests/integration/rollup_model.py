#!/usr/bin/env python3
"""An independent model of the rollup rules, for the rollup test.

Written from DOMAIN.md, not from the server's code:
  * sum numerators and denominators over units, then divide: never a mean of
    percentages;
  * per unit, time aggregation per component: a flow adds up the quarters of
    the period, a stock takes the latest quarter the unit reported;
  * a resubmission replaces the earlier value for its (unit, indicator, quarter);
    an indicator it leaves out keeps its earlier value;
  * a zero denominator is "no data", never 0%;
  * attainment compares exactly: 50% does not meet "> 50".

  rollup_model.py generate DIR SEED < communes.tsv   (code<TAB>district per line)
      writes DIR/NNNN-UNIT-PERIOD.csv in submission order, DIR/final.json
  rollup_model.py check DIR REPORT.json PERIOD ONTIME_FILE
      compares a report (tonghop-report/1, --by-child) with the model; prints
      one line per check and exits non-zero on any difference
"""
import json
import os
import random
import sys
from fractions import Fraction

# Indicator rules from the catalogue's definitions (DOMAIN.md: "% of staff
# trained" is a flow over a stock; facilities with staff are a stock).
RULES = {
    "CTXH-01": ("ratio", "stock", "stock"),
    "CTXH-02": ("ratio", "flow", "stock"),
    "CTXH-04": ("ratio", "stock", "stock"),
    "CTXH-05": ("count", "flow", None),
    "CTXH-07": ("qualitative", None, None),
}
TARGETS = {"CTXH-01": (">", 50), "CTXH-02": (">=", 30), "CTXH-04": (">=", 85), "CTXH-05": (">=", 1000)}
YEAR = 2025


def random_values(rng):
    vals = {}
    for code, (kind, _, _) in RULES.items():
        if kind == "ratio":
            den = 0 if rng.random() < 0.06 else rng.randint(1, {"CTXH-01": 12, "CTXH-02": 30, "CTXH-04": 20}[code])
            vals[code] = (rng.randint(0, den), den)
        elif kind == "count":
            vals[code] = rng.randint(0, 15)
        elif rng.random() < 0.5:
            vals[code] = "Duy trì %d cộng tác viên" % rng.randint(1, 9)
    return vals


def write_csv(path, vals):
    with open(path, "w", encoding="utf-8") as f:
        f.write("indicator,numerator,denominator,value,text\n")
        for code, v in vals.items():
            kind = RULES[code][0]
            if kind == "ratio":
                f.write("%s,%d,%d,,\n" % (code, v[0], v[1]))
            elif kind == "count":
                f.write("%s,,,%d,\n" % (code, v))
            else:
                f.write('%s,,,,"%s"\n' % (code, v))


def generate(outdir, seed):
    rng = random.Random(seed)
    communes = [line.split("\t") for line in sys.stdin.read().split("\n") if line.strip()]
    final = {}  # unit -> quarter -> values (after resubmissions)
    order = []  # (unit, quarter, values) in submission order
    for code, district in communes:
        for q in (1, 2, 3, 4):
            if rng.random() < 0.12:  # missing quarter
                continue
            vals = random_values(rng)
            order.append((code, q, vals))
            final.setdefault(code, {})[q] = vals
    # Resubmissions replace: new values for some (unit, quarter) sent later.
    for code, q, _ in rng.sample(order, max(1, len(order) // 20)):
        vals = random_values(rng)
        order.append((code, q, vals))
        final[code][q] = {**final[code][q], **vals}
    # A value exactly on the strict target: make the province's CTXH-01 for
    # the year exactly 50% by fixing one commune's latest quarter.
    latest = {u: max(qs) for u, qs in final.items()}
    pivot = sorted(final)[-1]
    num = sum(final[u][latest[u]]["CTXH-01"][0] for u in final if u != pivot)
    den = sum(final[u][latest[u]]["CTXH-01"][1] for u in final if u != pivot)
    for d in range(1, 10000):
        if (den + d) % 2 == 0 and 0 <= (den + d) // 2 - num <= d:
            vals = dict(final[pivot][latest[pivot]])
            vals["CTXH-01"] = ((den + d) // 2 - num, d)
            order.append((pivot, latest[pivot], vals))
            final[pivot][latest[pivot]] = vals
            break
    else:
        sys.exit("could not place the province exactly on 50%")
    os.makedirs(outdir, exist_ok=True)
    for i, (code, q, vals) in enumerate(order):
        write_csv(os.path.join(outdir, "%04d-%s-%dQ%d.csv" % (i, code, YEAR, q)), vals)
    with open(os.path.join(outdir, "final.json"), "w") as f:
        json.dump({"communes": communes, "final": final}, f)


def aggregate(values_by_q, quarters):
    """One unit's values for a period: per indicator, per component."""
    out = {}
    reported = [q for q in sorted(values_by_q) if q in quarters]
    for code, (kind, nagg, dagg) in RULES.items():
        qs = [q for q in reported if code in values_by_q[q]]
        if not qs:
            continue
        last = values_by_q[qs[-1]][code]
        if kind == "ratio":
            n = sum(values_by_q[q][code][0] for q in qs) if nagg == "flow" else last[0]
            d = sum(values_by_q[q][code][1] for q in qs) if dagg == "flow" else last[1]
            out[code] = (n, d)
        elif kind == "count":
            out[code] = sum(values_by_q[q][code] for q in qs)
        else:
            out[code] = last
    return out


def met(code, agg):
    if code not in TARGETS or agg is None:
        return None
    cmp, target = TARGETS[code]
    if RULES[code][0] == "ratio":
        n, d = agg
        if d == 0:
            return None
        x = Fraction(n * 100, d)
    else:
        x = Fraction(agg)
    return {">": x > target, ">=": x >= target}[cmp]


def half_up_2dp(n, d):
    q = Fraction(n * 100, d) * 100
    return Fraction(int(q + Fraction(1, 2)), 100)


class Checker:
    def __init__(self):
        self.failed = 0
        self.passed = 0

    def eq(self, what, got, want):
        if got == want:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL %s: report %r, model %r" % (what, got, want))


def check_row(c, label, inds, unit_aggs):
    by_code = {i["code"]: i for i in inds}
    c.eq(label + " indicator list", sorted(by_code), sorted(RULES))
    for code, (kind, _, _) in RULES.items():
        ind = by_code.get(code, {})
        present = [a[code] for a in unit_aggs if code in a]
        c.eq("%s %s units reporting" % (label, code), ind.get("units_reporting"), len(present))
        if kind == "ratio":
            n = sum(p[0] for p in present)
            d = sum(p[1] for p in present)
            c.eq("%s %s numerator" % (label, code), ind.get("numerator"), n)
            c.eq("%s %s denominator" % (label, code), ind.get("denominator"), d)
            c.eq("%s %s no data" % (label, code), ind.get("no_data"), d == 0)
            want_pct = half_up_2dp(n, d) if d else None
            got_pct = ind.get("percent")
            c.eq("%s %s percent" % (label, code), None if got_pct is None else Fraction(str(got_pct)), want_pct)
            c.eq("%s %s met" % (label, code), ind.get("met"), met(code, (n, d)))
        elif kind == "count":
            v = sum(present) if present else None
            c.eq("%s %s value" % (label, code), ind.get("value"), v)
            c.eq("%s %s met" % (label, code), ind.get("met"), met(code, v))


def check(outdir, report_path, period, ontime_path):
    with open(os.path.join(outdir, "final.json")) as f:
        model = json.load(f)
    with open(report_path) as f:
        report = json.load(f)
    with open(ontime_path) as f:
        on_time = set(f.read().split())
    quarters = {int(period[5])} if len(period) == 6 else {1, 2, 3, 4}
    final = {u: {int(q): v for q, v in qs.items()} for u, qs in model["final"].items()}
    for qs in final.values():
        for vals in qs.values():
            for code, v in vals.items():
                if RULES[code][0] == "ratio":
                    vals[code] = tuple(v)
    aggs = {u: aggregate(qs, quarters) for u, qs in final.items()}
    aggs = {u: a for u, a in aggs.items() if a}
    district_of = dict((code, district) for code, district in model["communes"])
    c = Checker()
    check_row(c, "province", report["indicators"], list(aggs.values()))

    def completeness(units):
        reported = [u for u in units if u in aggs]
        return {"expected": len(units), "reported": len(reported),
                "on_time": len([u for u in reported if u in on_time])}

    comp = completeness(list(district_of))
    got = report["completeness"]
    c.eq("province completeness", {k: got[k] for k in comp}, comp)
    children = {ch["unit"]["code"]: ch for ch in report["children"]}
    c.eq("district rows", sorted(children), sorted(set(district_of.values())))
    for dist in sorted(set(district_of.values())):
        units = [u for u, d in district_of.items() if d == dist]
        ch = children.get(dist, {"indicators": [], "completeness": {}})
        check_row(c, "district " + dist, ch["indicators"], [aggs[u] for u in units if u in aggs])
        comp = completeness(units)
        c.eq("district %s completeness" % dist, {k: ch["completeness"].get(k) for k in comp}, comp)

    # The mean of the communes' percentages is not what the report says (the
    # data are built so that it differs for the province's CTXH-01).
    ratios = [a["CTXH-01"] for a in aggs.values() if "CTXH-01" in a and a["CTXH-01"][1] > 0]
    mean = sum(Fraction(n * 100, d) for n, d in ratios) / len(ratios)
    prov = next(i for i in report["indicators"] if i["code"] == "CTXH-01")
    c.eq("sum-then-divide differs from the mean of percentages", Fraction(str(prov["percent"])) != mean, True)
    if len(quarters) == 4:
        c.eq("province CTXH-01 exactly 50% for the year", Fraction(str(prov["percent"])), 50)
        c.eq("exactly 50% does not meet '> 50'", prov["met"], False)
    print("%s: %d passed, %d failed" % (period, c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]))
