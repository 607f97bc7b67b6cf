#!/usr/bin/env python3
"""Random batches of submissions with every trap the ingest knows, written
two ways for tests/integration/ingest_batch.sh:

  batch.sql       the batches as server/ingest.c sends them: each batch split
                  into rounds (no id, and no unit and quarter, twice in a
                  round), one th_ingest_batch call per round
  sequential.sql  the same submissions one by one, in order, through
                  th_ingest_submission (the rules the batch must match)

Each prints one line per submission: its number, outcome, error code, field,
detail, stored and superseded counts.

  ingest_batch_gen.py OUTDIR SEED
"""
import hashlib, os, random, sys, uuid

out, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
# Real communes of Thành phố Phan Thiết (Bình Thuận; 22924 goes on after July
# 2025, the others were merged into it), one of Hà Nội, one made on 1 July
# 2025 under a new code (03980, Phường Mộc Châu of Sơn La: refused for Q1-Q2),
# and codes that are not.
UNITS = ["22915", "22918", "22921", "22924", "22945", "00004", "03980"]  # (00004: Ba Đình, Hà Nội, outside plan 1751)
BAD_UNITS = ["99999", "00000"]
RATIO, COUNT, QUAL = ["CTXH-01", "CTXH-02", "CTXH-03", "SKTT-01"], ["CTXH-05", "SKTT-04"], ["CTXH-07"]


def value(rng):
    r = rng.random()
    if r < 0.03:
        return ("KHONG-CO", 1, 2, None, None)  # unknown indicator
    if r < 0.06:
        return (rng.choice(RATIO), None, None, 5, None)  # wrong kind
    kind = rng.choice(["ratio"] * 6 + ["count"] * 2 + ["qual"])
    if kind == "ratio":
        d = rng.randint(0, 50)
        return (rng.choice(RATIO), rng.randint(0, d), d, None, None)
    if kind == "count":
        return (rng.choice(COUNT), None, None, rng.randint(0, 500), None)
    return (rng.choice(QUAL), None, None, None, rng.choice(["Đã thành lập tổ CTXH", "Chưa có", "Có kế hoạch"]))


subs = []  # (id, unit, year, quarter, plan, created, content, values)
for n in range(rng.randint(150, 260)):
    r = rng.random()
    if subs and r < 0.08:
        s = rng.choice(subs)
        subs.append(s)  # a resend, same content
        continue
    if subs and r < 0.12:
        s = rng.choice(subs)  # the same id, different content
        vals = [value(rng)]
        subs.append((s[0], s[1], s[2], s[3], s[4], s[5], "other-%d" % n, vals))
        continue
    unit = rng.choice(BAD_UNITS) if rng.random() < 0.04 else rng.choice(UNITS)
    q = rng.choice([1, 2, 3])  # 2025Q3: after the merger of 1 July 2025
    vals, seen = [], set()
    for _ in range(rng.randint(1, 5)):
        v = value(rng)
        if v[0] in seen:
            continue  # the server refuses duplicates before the database
        seen.add(v[0])
        vals.append(v)
    plan = rng.choice([None, "1751/KH-UBND"]) if rng.random() > 0.04 else "1751/KH-UBNDD"  # a typo: NOT_FOUND
    created = rng.choice([None, 1751000000 + n])
    subs.append((str(uuid.UUID(int=rng.getrandbits(128))), unit, 2025, q, plan, created, "c-%d" % n, vals))


def lit(x):
    if x is None:
        return "NULL"
    if isinstance(x, int):
        return str(x)
    return "'" + str(x).replace("'", "''") + "'"


def arr(xs, typ):
    return "ARRAY[%s]::%s[]" % (",".join(lit(x) for x in xs), typ) if xs else "'{}'::%s[]" % typ


def hexof(s):
    return ("|".join([s[0], s[1], str(s[2]), str(s[3]), str(s[4]), s[6]] +
                     ["%s:%s:%s:%s:%s" % v for v in s[7]])).encode().hex()


COLS = "outcome, coalesce(err_code,''), coalesce(err_field,''), coalesce(err_detail,''), stored, superseded"
with open(os.path.join(out, "sequential.sql"), "w") as f:
    for i, s in enumerate(subs):
        v = s[7]
        f.write("SELECT %d, %s FROM th_ingest_submission(%s::uuid, %s, %d, %d, %s, %s, sha256(decode('%s', 'hex')), "
                "%s, %s, %s, %s, %s);\n" % (
                    i, COLS, lit(s[0]), lit(s[1]), s[2], s[3], lit(s[4]), lit(s[5]), hexof(s),
                    arr([x[0] for x in v], "text"), arr([x[1] for x in v], "bigint"),
                    arr([x[2] for x in v], "bigint"), arr([x[3] for x in v], "bigint"),
                    arr([x[4] for x in v], "text")))

# Batches of random sizes, split into rounds as server/ingest.c does.
with open(os.path.join(out, "batch.sql"), "w") as f:
    i = 0
    while i < len(subs):
        batch = list(range(i, min(len(subs), i + rng.randint(1, 64))))
        i = batch[-1] + 1
        rnd = {}
        for a in batch:
            rnd[a] = 0
            for b in batch:
                if b >= a:
                    break
                if subs[a][0] == subs[b][0] or (subs[a][1:4] == subs[b][1:4]):
                    rnd[a] = max(rnd[a], rnd[b] + 1)
        for r in range(max(rnd.values()) + 1):
            sel = [a for a in batch if rnd[a] == r]
            vsub, vind, vnum, vden, vval, vtxt = [], [], [], [], [], []
            for k, a in enumerate(sel):
                for v in subs[a][7]:
                    vsub.append(k + 1); vind.append(v[0]); vnum.append(v[1])
                    vden.append(v[2]); vval.append(v[3]); vtxt.append(v[4])
            f.write("SELECT (%s)[idx], %s FROM th_ingest_batch(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                    "ORDER BY idx;\n" % (
                        arr(sel, "int"), COLS,
                        arr([subs[a][0] for a in sel], "uuid"), arr([subs[a][1] for a in sel], "text"),
                        arr([subs[a][2] for a in sel], "int"), arr([subs[a][3] for a in sel], "int"),
                        arr([subs[a][4] for a in sel], "text"), arr([subs[a][5] for a in sel], "bigint"),
                        arr([hexof(subs[a]) for a in sel], "text"),
                        arr(vsub, "int"), arr(vind, "text"), arr(vnum, "bigint"), arr(vden, "bigint"),
                        arr(vval, "bigint"), arr(vtxt, "text")))
print(len(subs))
