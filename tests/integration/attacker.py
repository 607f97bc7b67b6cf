#!/usr/bin/python3
"""attacker.py -- an independent tonghop client, for the security acceptance
test (attacker.sh). It shares no code with tonghop: Python 3 with Debian's
python3-zmq, and protobuf bindings that attacker.sh generates from
proto/tonghop.proto with `protoc --python_out` into the test's work
directory (--pb-dir). Malformed messages are written byte by byte by the
small encoder below, which can say what the generated bindings refuse to.

Every request is one Envelope in one frame after an empty delimiter frame,
on a DEALER socket, as tonghop's own client sends it; the reply's last frame
is the Envelope.

  attacker.py keygen FILE
      a CURVE key pair made by pyzmq, written in tonghop's key-file format
      (mode 0600); prints the public key
  attacker.py [COMMON] ask (--key FILE | --no-key) REQUEST...
      one request on a fresh connection; prints one line: "error CODE
      field=F detail=D", "ack OUTCOME ...", "reply KIND ..." or "timeout
      handshake=EVENT" (what the socket monitor saw: succeeded,
      failed_auth(400), failed_protocol, ...)
  attacker.py [COMMON] session --key FILE --ready F --go G
      two plan fetches on one connection, the second once file G exists
  attacker.py [COMMON] malformed --key FILE --out JSON
      a few hundred malformed or hostile messages, one at a time; then one
      over ZMQ_MAXMSGSIZE on a connection of its own; writes a summary
  attacker.py [COMMON] flood --keys F1,F2,.. --count N --pid PID --good-key F
      connections that send N plan fetches each and never read a reply,
      while the server's memory is sampled from /proc/PID/status and a good
      client asks once; prints a JSON summary
  attacker.py [COMMON] burst --key FILE --count N
      N plan fetches at once on one connection, then reads every reply;
      prints a JSON summary (how many PlanReply, BUSY, other, missing)

COMMON: --endpoint tcp://HOST:PORT --server-key Z85 --pb-dir DIR
"""
import argparse
import json
import os
import random
import struct
import sys
import threading
import time
import uuid

import zmq
from zmq.utils.monitor import recv_monitor_message

pb = None  # tonghop_pb2, imported from --pb-dir

PLAN = "1751/KH-UBND"  # Bình Thuận, issuer 60 (deploy/samples/plans)

EV_NAMES = {
    getattr(zmq, "EVENT_HANDSHAKE_SUCCEEDED", 0x1000): "succeeded",
    getattr(zmq, "EVENT_HANDSHAKE_FAILED_NO_DETAIL", 0x0800): "failed_no_detail",
    getattr(zmq, "EVENT_HANDSHAKE_FAILED_PROTOCOL", 0x2000): "failed_protocol",
    getattr(zmq, "EVENT_HANDSHAKE_FAILED_AUTH", 0x4000): "failed_auth",
}
# zmq.h's ZMQ_PROTOCOL_ERROR_* values (libzmq 4.3.4), what a failed handshake reports.
PROTOCOL_ERRORS = {
    0x10000000: "zmtp_unspecified", 0x10000001: "zmtp_unexpected_command",
    0x10000002: "zmtp_invalid_sequence", 0x10000003: "zmtp_key_exchange",
    0x10000011: "zmtp_malformed_command_unspecified", 0x10000012: "zmtp_malformed_command_message",
    0x10000013: "zmtp_malformed_command_hello", 0x10000014: "zmtp_malformed_command_initiate",
    0x10000015: "zmtp_malformed_command_error", 0x10000016: "zmtp_malformed_command_ready",
    0x10000017: "zmtp_malformed_command_welcome", 0x10000018: "zmtp_invalid_metadata",
    0x11000001: "zmtp_cryptographic", 0x11000002: "zmtp_mechanism_mismatch", 0x20000000: "zap_unspecified",
    0x20000001: "zap_malformed_reply", 0x20000002: "zap_bad_request_id", 0x20000003: "zap_bad_version",
    0x20000004: "zap_invalid_status_code", 0x20000005: "zap_invalid_metadata", 0x30000000: "ws_unspecified",
}
EV_DISCONNECTED = getattr(zmq, "EVENT_DISCONNECTED", 0x0200)


# ------------------------------------------------------------------ keys

def keygen(path):
    public, secret = zmq.curve_keypair()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("# tonghop CURVE key pair (made by attacker.py with pyzmq)\n")
        f.write("public = %s\nsecret = %s\n" % (public.decode(), secret.decode()))
    print(public.decode())


def read_key(path):
    kv = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                kv[k.strip()] = v.strip()
    return kv["public"].encode(), kv["secret"].encode()


# ------------------------------------------------------------- transport

class Conn:
    """One DEALER connection, CURVE unless key is None, with a monitor."""

    def __init__(self, ctx, endpoint, server_key, key, rcvhwm=None, sndhwm=None, rcvbuf=None):
        self.s = ctx.socket(zmq.DEALER)
        self.s.linger = 0
        if rcvhwm is not None:
            self.s.rcvhwm = rcvhwm
        if sndhwm is not None:
            self.s.sndhwm = sndhwm
        if rcvbuf is not None:
            self.s.setsockopt(zmq.RCVBUF, rcvbuf)
        if key is not None:
            pub, sec = read_key(key)
            self.s.curve_serverkey = server_key.encode()
            self.s.curve_publickey = pub
            self.s.curve_secretkey = sec
        self.mon = self.s.get_monitor_socket()
        self.events = []
        self.s.connect(endpoint)

    def send(self, payload, frames=None, flags=0):
        self.s.send_multipart((frames if frames is not None else [b""]) + [payload], flags=flags)

    def recv(self, timeout_ms):
        """The reply's last frame, or None on timeout."""
        if self.s.poll(timeout_ms, zmq.POLLIN):
            return self.s.recv_multipart()[-1]
        return None

    def drain_events(self):
        while self.mon.poll(0):
            ev = recv_monitor_message(self.mon)
            self.events.append((ev["event"], ev["value"]))
        return self.events

    def handshake(self):
        """What the monitor saw of the handshake so far."""
        seen = []
        for ev, val in self.drain_events():
            if ev in EV_NAMES:
                name = EV_NAMES[ev]
                if name == "failed_protocol":
                    name += "(%s)" % PROTOCOL_ERRORS.get(val, hex(val))
                elif name == "failed_auth":
                    name += "(%d)" % val
                seen.append(name)
        out = []  # repeats (one per reconnection) counted: failed_no_detail*12
        for name in seen:
            if out and out[-1][0] == name:
                out[-1][1] += 1
            else:
                out.append([name, 1])
        return ",".join(n if k == 1 else "%s*%d" % (n, k) for n, k in out) if out else "none"

    def disconnected(self):
        return any(ev == EV_DISCONNECTED for ev, _ in self.drain_events())

    def close(self):
        try:
            self.s.disable_monitor()
        except zmq.ZMQError:
            pass
        self.mon.close(0)
        self.s.close(0)


# ------------------------------------------------------- valid requests

def envelope(rid=None):
    env = pb.Envelope()
    env.protocol_version = 1
    env.request_id = rid or str(uuid.uuid4())
    return env


def parse_values(spec):
    vals = []
    for item in spec.split(","):
        code, v = item.split("=", 1)
        if "/" in v:
            n, d = v.split("/", 1)
            vals.append((code, int(n), int(d)))
        else:
            vals.append((code, int(v), None))
    return vals


def build_request(a):
    env = envelope()
    if a.kind == "submit":
        s = env.submission
        s.submission_id = str(uuid.uuid4())
        s.unit_code = a.unit
        s.period = a.period
        if a.plan:
            s.plan_code = a.plan
        s.created_at = int(time.time())
        s.client_version = "attacker.py"
        for code, n, d in parse_values(a.values):
            v = s.values.add()
            v.indicator_code = code
            if d is None:
                v.value = n
            else:
                v.numerator, v.denominator = n, d
    elif a.kind == "planfetch":
        env.plan_fetch.plan_code = a.plan or ""
        if a.unit:
            env.plan_fetch.unit_code = a.unit
    elif a.kind == "rollup":
        q = env.rollup_query
        q.plan_code, q.period, q.unit_code = a.plan, a.period, a.unit
    elif a.kind == "history":
        q = env.history_query
        q.unit_code, q.indicator_code, q.period = a.unit, a.indicator, a.period
    elif a.kind == "publish":
        with open(a.file, encoding="utf-8") as f:
            env.plan_publish.plan_json = f.read()
    elif a.kind == "catalogue":
        with open(a.file, encoding="utf-8") as f:
            env.catalogue_publish.catalogue_json = f.read()
    return env


def plan_fetch_bytes(unit, rid=None):
    env = envelope(rid)
    env.plan_fetch.plan_code = PLAN
    env.plan_fetch.unit_code = unit
    return env.SerializeToString()


def describe(raw):
    """One line for a reply."""
    try:
        env = pb.Envelope.FromString(raw)
    except Exception as e:  # noqa: BLE001 -- any decoding failure is the answer
        return "undecodable reply (%s)" % e
    body = env.WhichOneof("body")
    if body == "error":
        e = env.error
        return "error %s field=%s detail=%s" % (pb.Error.Code.Name(e.code), e.field, e.detail)
    if body == "ack":
        a = env.ack
        return "ack %s plan=%s revision=%d values=%d" % (
            pb.Ack.Outcome.Name(a.outcome), a.plan_code, a.plan_revision, a.stored_values)
    if body == "plan_reply":
        return "reply plan_reply plans=%d" % len(env.plan_reply.plan_json)
    if body == "rollup_reply":
        r = env.rollup_reply
        unit, reported = r.total.unit_code, r.total.reported
        if r.report_json:  # the report as JSON: unit.code, completeness.reported
            j = json.loads(r.report_json)
            unit = j.get("unit", {}).get("code", "")
            reported = (j.get("completeness") or {}).get("reported", 0)
        return "reply rollup_reply unit=%s reported=%d" % (unit, reported)
    if body == "history_reply":
        return "reply history_reply entries=%d" % len(env.history_reply.entries)
    return "reply %s" % body


def reply_kind(raw):
    try:
        env = pb.Envelope.FromString(raw)
    except Exception:  # noqa: BLE001
        return ("undecodable", "")
    body = env.WhichOneof("body")
    if body == "error":
        return ("error:" + pb.Error.Code.Name(env.error.code), env.request_id)
    return (body or "none", env.request_id)


def cmd_ask(a, ctx):
    c = Conn(ctx, a.endpoint, a.server_key, None if a.no_key else a.key)
    c.send(build_request(a).SerializeToString())
    raw = c.recv(int(a.timeout * 1000))
    if raw is None:
        print("timeout handshake=%s" % c.handshake())
    else:
        print(describe(raw))
    c.close()


def cmd_session(a, ctx):
    c = Conn(ctx, a.endpoint, a.server_key, a.key)
    for step in (1, 2):
        if step == 2:
            with open(a.ready, "w"):
                pass
            for _ in range(400):
                if os.path.exists(a.go):
                    break
                time.sleep(0.025)
        c.send(plan_fetch_bytes(a.unit))
        raw = c.recv(5000)
        print("timeout" if raw is None else describe(raw), flush=True)
    c.close()


# ------------------------------------------------ a raw protobuf encoder

def varint(n):
    n &= (1 << 64) - 1  # negative int64: ten bytes, as protobuf writes it
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def tag(field, wt):
    return varint((field << 3) | wt)


def V(field, n):  # varint field
    return tag(field, 0) + varint(n)


def L(field, data):  # length-delimited field
    if isinstance(data, str):
        data = data.encode()
    return tag(field, 2) + varint(len(data)) + data


def F64(field, n):
    return tag(field, 1) + struct.pack("<q", n)


def F32(field, n):
    return tag(field, 5) + struct.pack("<i", n)


def rid():
    return str(uuid.uuid4())


def value_b(code="CTXH-01", num=3, den=5, val=None, text=None, extra=b""):
    b = L(1, code)
    if num is not None:
        b += V(2, num)
    if den is not None:
        b += V(3, den)
    if val is not None:
        b += V(4, val)
    if text is not None:
        b += L(5, text)
    return b + extra


def submission_b(unit="22921", period="2025Q3", values=None, sid=None, plan=PLAN,
                 created=None, version="attacker.py", extra=b""):
    """A valid submission for the fuzz key's own unit unless told otherwise:
    whatever is wrong with a message is what the case put there."""
    if values is None:
        values = [value_b()]
    b = L(1, sid if sid is not None else rid()) + L(2, unit) + L(3, period)
    b += b"".join(L(4, v) for v in values)
    if plan is not None:
        b += L(5, plan)
    b += V(6, created if created is not None else int(time.time()))
    if version is not None:
        b += L(7, version)
    return b + extra


def env_b(body_field=10, body=None, version=1, request_id=None, lang=None, extra=b""):
    b = b""
    if version is not None:
        b += V(1, version)
    b += L(2, request_id if request_id is not None else rid())
    if lang is not None:
        b += L(3, lang)
    if body_field is not None:
        b += L(body_field, body if body is not None else submission_b())
    return b + extra


def good_submission_env():
    return env_b(10, submission_b())


# ------------------------------------------------------ the hostile corpus

BAD_SEQS = [
    ("NUL", b"\x00"),
    ("0xFF", b"\xff"),
    ("overlong NUL", b"\xc0\x80"),
    ("surrogate", b"\xed\xa0\x80"),
    ("cut multibyte", b"\xe1\xbb"),
    ("above U+10FFFF", b"\xf4\x90\x80\x80"),
    ("5-byte form", b"\xf8\x88\x80\x80\x80"),
]


def spliced(good, bad):
    good = good.encode() if isinstance(good, str) else good
    mid = max(1, len(good) // 2)
    return good[:mid] + bad + good[mid:]


def corpus():
    """(category, name, frames or None, payload): each must be answered with
    an Error. Deterministic (seeded)."""
    rng = random.Random(20251128)
    cases = []

    def add(cat, name, payload, frames=None):
        cases.append((cat, name, frames, payload))

    # 1. Random bytes, from none at all to 64 KiB.
    lengths = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 100, 127, 128, 255, 256,
               511, 1000, 1024, 4095, 4096, 10000, 65536]
    lengths += [rng.randrange(1, 3000) for _ in range(31)]
    for n in lengths:
        add("random", "%d random bytes" % n, bytes(rng.randrange(256) for _ in range(n)))
    # Random bytes behind a valid-looking start (version 1, a request id, a body tag).
    for i in range(10):
        add("random", "valid head, random body %d" % i,
            V(1, 1) + L(2, rid()) + tag(10, 2) + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200))))

    # 2. Truncated valid envelopes: a submission, a plan publish, a report query.
    sub = good_submission_env()
    cuts = sorted(set(list(range(1, 24)) + [rng.randrange(24, len(sub)) for _ in range(40)] + [len(sub) - 1]))
    for cut in cuts:
        add("truncated", "submission cut at %d of %d" % (cut, len(sub)), sub[:cut])
    rollup = env_b(13, L(1, PLAN) + L(2, "2025Q3") + L(3, "22921"))
    for cut in (len(rollup) - 1, len(rollup) - 3, len(rollup) - 8):
        add("truncated", "report query cut at %d of %d" % (cut, len(rollup)), rollup[:cut])

    # 3. Wrong wire types: each field of the envelope, the submission and a
    # value written with a type it cannot have; the rest a valid submission.
    wrong_types = {0: lambda f: V(f, 7), 2: lambda f: L(f, "x"), 1: lambda f: F64(f, 7),
                   5: lambda f: F32(f, 7)}
    head = {1: lambda: V(1, 1), 2: lambda: L(2, rid()), 3: lambda: L(3, "vi")}
    for field, right in ((1, 0), (2, 2), (3, 2)):
        for wt, enc in wrong_types.items():
            if wt == right:
                continue
            # The other head fields right, the field itself wrong, a valid body.
            rest = b"".join(head[f]() for f in (1, 2) if f != field)
            add("wire type", "envelope field %d as wire type %d" % (field, wt),
                rest + enc(field) + L(10, submission_b()))
    for body in (10, 11, 12, 13, 16):
        add("wire type", "body %d as a varint" % body, V(1, 1) + L(2, rid()) + V(body, 5))
        add("wire type", "body %d as fixed64" % body, V(1, 1) + L(2, rid()) + F64(body, 5))
    sub_fields = {1: "sid", 2: "unit", 3: "period", 5: "plan", 6: "created", 7: "version"}
    for f in sub_fields:
        wrong = V(f, 22921) if f != 6 else L(f, "1764300000")
        add("wire type", "submission field %d with the wrong wire type" % f,
            env_b(10, submission_b(extra=wrong)))
    for f, wrong in ((1, V(1, 1)), (2, L(2, "3")), (3, L(3, "5")), (4, F32(4, 5)), (5, V(5, 1))):
        add("wire type", "value field %d with the wrong wire type" % f,
            env_b(10, submission_b(values=[value_b(extra=wrong)])))
    add("wire type", "values as a varint", env_b(10, submission_b(extra=V(4, 1))))
    add("wire type", "wire type 6 (none such)", V(1, 1) + L(2, rid()) + tag(10, 6) + b"\x00" * 8)
    add("wire type", "wire type 7 (none such)", V(1, 1) + L(2, rid()) + tag(10, 7) + b"\x00" * 8)
    add("wire type", "end-group without a start", V(1, 1) + L(2, rid()) + tag(10, 4))
    add("wire type", "field number 0", V(1, 1) + L(2, rid()) + tag(0, 0) + b"\x01" + L(10, submission_b()))

    # 4. Huge repeated fields (each under libzmq's 1 MB + 1 KB bound).
    add("huge", "1001 values", env_b(10, submission_b(
        values=[value_b("CTXH-%04d" % i) for i in range(1001)])))
    add("huge", "60000 values (~900 KB)", env_b(10, submission_b(values=[value_b()] * 60000)))
    add("huge", "1000 values with 900-byte texts", env_b(10, submission_b(
        values=[value_b("CTXH-08", None, None, text="x" * 900)] * 1000)))
    add("huge", "protocol_version 2 written 300000 times", V(1, 2) * 300000 + L(2, rid()) + L(10, submission_b()))
    add("huge", "200000 unknown fields", V(1, 1) + L(2, rid()) + V(99, 1) * 200000)
    add("huge", "100000 empty unknown strings", V(1, 1) + L(2, rid()) + L(98, b"") * 100000)
    # The oneof switched 40000 times between a submission and a plan fetch,
    # ending on a submission with a negative numerator.
    flip = L(10, L(2, "22921")) + L(11, L(1, "x"))
    add("huge", "oneof switched 40000 times", V(1, 1) + L(2, rid()) + flip * 20000 +
        L(10, submission_b(values=[value_b(num=-1)])))
    add("huge", "a PlanReply of 200 plans sent as a request",
        env_b(32, L(1, "{" + "x" * 4000 + "}") * 200))

    # 5. Deep nesting: groups 100000 deep; unknown messages 2000 deep, in the
    # envelope and in a value.
    add("nesting", "start-group 100000 deep", V(1, 1) + L(2, rid()) + tag(99, 3) * 100000)
    add("nesting", "start-group 100000 deep in a value",
        env_b(10, submission_b(values=[value_b(extra=tag(99, 3) * 100000)])))
    deep = b""
    for _ in range(2000):
        deep = L(99, deep)
    add("nesting", "unknown message 2000 deep", V(1, 1) + L(2, rid()) + deep)
    add("nesting", "unknown message 2000 deep in a submission with 5 > 3",
        env_b(10, submission_b(values=[value_b(num=5, den=3, extra=deep)])))
    lies = V(1, 1) + L(2, rid()) + tag(10, 2) + varint(1 << 40) + submission_b()
    add("nesting", "body length 2^40", lies)
    add("nesting", "value length past the submission's end",
        V(1, 1) + L(2, rid()) + L(10, L(2, "22921") + tag(4, 2) + varint(500) + value_b()))

    # 6. Invalid UTF-8 and NUL in every string a request carries.
    def str_cases(label, build, good):
        for bname, bad in BAD_SEQS:
            add("utf8/nul", "%s with %s" % (label, bname), build(spliced(good, bad)))
    str_cases("request_id", lambda s: env_b(request_id=s), rid())
    str_cases("lang", lambda s: env_b(lang=s), "vi")
    str_cases("submission_id", lambda s: env_b(10, submission_b(sid=s)), rid())
    str_cases("unit_code", lambda s: env_b(10, submission_b(unit=s)), "22921")
    str_cases("period", lambda s: env_b(10, submission_b(period=s)), "2025Q3")
    str_cases("plan_code", lambda s: env_b(10, submission_b(plan=s)), PLAN)
    str_cases("client_version", lambda s: env_b(10, submission_b(version=s)), "attacker.py")
    str_cases("indicator_code", lambda s: env_b(10, submission_b(values=[value_b(s)])), "CTXH-01")
    str_cases("text", lambda s: env_b(10, submission_b(values=[value_b("CTXH-08", None, None, text=s)])),
              "Đã tổ chức tập huấn")
    str_cases("plan_fetch.plan_code", lambda s: env_b(11, L(1, s) + L(2, "22921")), PLAN)
    str_cases("plan_fetch.unit_code", lambda s: env_b(11, L(1, PLAN) + L(2, s)), "22921")
    str_cases("rollup_query.unit_code", lambda s: env_b(13, L(1, PLAN) + L(2, "2025Q3") + L(3, s)), "22921")
    str_cases("history_query.unit_code", lambda s: env_b(16, L(1, s) + L(2, "CTXH-01") + L(3, "2025Q3")),
              "22921")
    str_cases("plan_json", lambda s: env_b(12, L(1, s)), '{"format": "tonghop-plan/1", "code": "9/KH"}')

    # 7. Over-long strings, where the server reads them.
    for n in (33, 1000, 100000):
        add("long", "unit_code of %d characters" % n, env_b(10, submission_b(unit="2" * n)))
    add("long", "period of 100000 characters", env_b(10, submission_b(period="2025Q3" * 16666)))
    add("long", "submission_id of 10000 characters", env_b(10, submission_b(sid="a" * 10000)))
    add("long", "request_id of 500000 characters", env_b(request_id="f" * 500000, body=submission_b(
        values=[value_b(num=7, den=5)])))
    for n in (65, 10000):
        add("long", "plan_code of %d characters" % n, env_b(10, submission_b(plan="K" * n)))
    add("long", "indicator_code of 100000 characters", env_b(10, submission_b(values=[value_b("C" * 100000)])))
    for n in (4001, 900000):
        add("long", "text of %d characters" % n,
            env_b(10, submission_b(values=[value_b("CTXH-08", None, None, text="ư" * (n // 2) + "x" * (n % 2))])))
    add("long", "plan_fetch.unit_code of 100000 characters", env_b(11, L(1, PLAN) + L(2, "2" * 100000)))
    add("long", "plan_fetch.plan_code of 100000 characters", env_b(11, L(1, "K" * 100000) + L(2, "22921")))
    add("long", "report plan_code of 100000 characters",
        env_b(13, L(1, "K" * 100000) + L(2, "2025Q3") + L(3, "22921")))
    add("long", "plan_json of 900000 bytes", env_b(12, L(1, '{"x": "' + "y" * 900000 + '"}')))

    # 8. Negative and huge numbers.
    for label, v in (("numerator -1", value_b(num=-1)), ("denominator -1", value_b(den=-1)),
                     ("numerator INT64_MIN", value_b(num=-(1 << 63))),
                     ("numerator and denominator INT64_MAX", value_b(num=(1 << 63) - 1, den=(1 << 63) - 1)),
                     ("denominator 1000000001", value_b(num=1, den=1000000001)),
                     ("numerator above denominator", value_b(num=6, den=5)),
                     ("count -5", value_b("CTXH-05", None, None, val=-5)),
                     ("count 2^63-1", value_b("CTXH-05", None, None, val=(1 << 63) - 1)),
                     ("count varint of 2^64-1", value_b("CTXH-05", None, None, val=(1 << 64) - 1)),
                     ("numerator without denominator", value_b(num=3, den=None)),
                     ("value and numerator at once", value_b(num=3, den=5, val=4)),
                     ("no value at all", value_b(num=None, den=None))):
        add("numbers", label, env_b(10, submission_b(values=[v])))
    for label, created in (("created_at -1", -1), ("created_at 0", 0), ("created_at INT64_MIN", -(1 << 63)),
                           ("created_at INT64_MAX", (1 << 63) - 1), ("created_at year 2200", 7258118400)):
        add("numbers", label, env_b(10, submission_b(created=created)))
    for p in ("2025Q0", "2025Q5", "-2025Q1", "99999Q1", "2025Q3\n", "2200Q1", "1999Q4", "2025", "Q3"):
        add("numbers", "period %r" % p, env_b(10, submission_b(period=p)))
    for label, ver in (("protocol_version 0", 0), ("protocol_version 2", 2),
                       ("protocol_version 2^32-1", (1 << 32) - 1), ("protocol_version 2^64-1", (1 << 64) - 1)):
        add("numbers", label, env_b(10, submission_b(), version=ver))
    add("numbers", "no protocol_version", env_b(10, submission_b(), version=None))
    add("numbers", "an 11-byte varint", V(1, 1) + L(2, rid()) + tag(6, 0) + b"\xff" * 10 + b"\x01")
    add("numbers", "a varint cut short", V(1, 1) + L(2, rid()) + tag(6, 0) + b"\xff\xff")
    add("numbers", "a length varint of 2^64-1", V(1, 1) + L(2, rid()) + tag(10, 2) + b"\xff" * 9 + b"\x01")

    # 9. Body numbers the protocol does not have, and reply bodies sent as requests.
    for n in (4, 5, 6, 7, 8, 9, 18, 19, 20, 25, 29, 36, 40, 45, 49, 51, 60, 100, 1000, 19000, 19999, 65535,
              (1 << 29) - 1):
        add("unknown body", "field %d holding a submission" % n, env_b(n, submission_b()))
    for n in (30, 31, 32, 33, 34, 35, 50):
        add("unknown body", "reply body %d sent as a request" % n, env_b(n, b""))
    add("unknown body", "envelope without a body", env_b(None))
    add("unknown body", "approval (not served)", env_b(15, L(1, "593") + L(2, "2025Q3")))

    # 10. Frames: extra empty frames, and more route frames than the server keeps.
    bad = V(1, 1) + L(2, rid()) + L(10, submission_b(values=[value_b(num=9, den=2)]))
    add("frames", "two delimiter frames", bad, frames=[b"", b""])
    add("frames", "seven junk frames", bad, frames=[b"junk%d" % i for i in range(7)])
    add("frames", "thirty junk frames", bad, frames=[b"junk%d" % i for i in range(30)])
    add("frames", "no delimiter, random bytes", bytes(rng.randrange(256) for _ in range(50)), frames=[])
    return cases


def cmd_malformed(a, ctx):
    cases = corpus()
    c = Conn(ctx, a.endpoint, a.server_key, a.key)
    results = []
    codes = {}
    not_error, unanswered = [], []
    consecutive_timeouts = 0
    max_reply = 0  # a refusal never echoes what it was sent
    started = time.time()
    for cat, name, frames, payload in cases:
        if consecutive_timeouts >= 3:
            unanswered.append(name + " (not sent: the server stopped answering)")
            continue
        c.send(payload, frames)
        raw = c.recv(int(a.timeout * 1000))
        if raw is None:
            consecutive_timeouts += 1
            unanswered.append(name)
            results.append({"case": name, "category": cat, "bytes": len(payload), "reply": "timeout"})
            # The connection may be gone: a fresh one for the next case.
            c.close()
            c = Conn(ctx, a.endpoint, a.server_key, a.key)
            continue
        consecutive_timeouts = 0
        max_reply = max(max_reply, len(raw))
        kind, _ = reply_kind(raw)
        line = describe(raw)
        results.append({"case": name, "category": cat, "bytes": len(payload), "reply": line})
        if kind.startswith("error:"):
            codes[kind[6:]] = codes.get(kind[6:], 0) + 1
        else:
            not_error.append("%s -> %s" % (name, line))
    c.close()
    elapsed = time.time() - started

    # Over ZMQ_MAXMSGSIZE: libzmq drops the peer; no reply can come.
    big = Conn(ctx, a.endpoint, a.server_key, a.key)
    big.send(env_b(12, L(1, "z" * 2_000_000)))
    raw = big.recv(3000)
    oversize = "timeout" if raw is None else describe(raw)
    oversize_dropped = big.disconnected()
    big.close()

    # The same key, a fresh connection: still served.
    after = Conn(ctx, a.endpoint, a.server_key, a.key)
    after.send(plan_fetch_bytes("22921"))
    raw = after.recv(5000)
    still = "timeout" if raw is None else describe(raw)
    after.close()

    summary = {
        "sent": len(cases), "answered_error": sum(codes.values()), "codes": codes,
        "not_error": not_error, "unanswered": unanswered, "seconds": round(elapsed, 2),
        "max_reply_bytes": max_reply,
        "categories": {}, "oversize": oversize, "oversize_disconnected": oversize_dropped,
        "after": still, "results": results,
    }
    for cat, _, _, _ in cases:
        summary["categories"][cat] = summary["categories"].get(cat, 0) + 1
    with open(a.out, "w") as f:
        json.dump(summary, f, indent=1, ensure_ascii=False)
    print("malformed: %d sent, %d answered with an Error %s, %d other replies, %d unanswered; "
          "2 MB message: %s; afterwards: %s" % (len(cases), sum(codes.values()), json.dumps(codes),
                                               len(not_error), len(unanswered), oversize, still))


# --------------------------------------------------------- memory pressure

def proc_status(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def proc_cpu(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return int(parts[11]) + int(parts[12])  # utime + stime, clock ticks
    except OSError:
        return None


def cmd_flood(a, ctx):
    keys = a.keys.split(",")
    units = a.units.split(",")
    conns = []
    rss_before = proc_status(a.pid, "VmRSS")
    for key in keys:
        # An attacker's settings: send without bound, read nothing, and keep
        # the kernel's receive buffer small so the replies back up into the
        # server, not into this machine.
        conns.append(Conn(ctx, a.endpoint, a.server_key, key, rcvhwm=1, sndhwm=0, rcvbuf=4096))
    time.sleep(0.3)
    t0 = time.time()
    sent = 0
    for i in range(a.count):
        for c, unit in zip(conns, units):
            c.send(plan_fetch_bytes(unit))
            sent += 1
    send_s = time.time() - t0

    def ask_good(result):
        # A good client asks while the flood is on (its own socket, used only
        # in this thread): answered, and how soon?
        g = Conn(ctx, a.endpoint, a.server_key, a.good_key)
        g0 = time.time()
        g.send(plan_fetch_bytes(a.good_unit))
        raw = g.recv(int(a.good_timeout * 1000))
        result.update(reply="timeout" if raw is None else describe(raw), ms=int((time.time() - g0) * 1000))
        g.close()

    samples = []
    good, good_thread = {}, None
    last_cpu, last_change = proc_cpu(a.pid), time.time()
    while time.time() - t0 < a.max_seconds or (good_thread and good_thread.is_alive()):
        rss = proc_status(a.pid, "VmRSS")
        if rss is None:
            break
        samples.append(rss)
        cpu = proc_cpu(a.pid)
        if cpu != last_cpu:
            last_cpu, last_change = cpu, time.time()
        if good_thread is None and time.time() - t0 > 1.0:
            good_thread = threading.Thread(target=ask_good, args=(good,))
            good_thread.start()
        # Done when the good client has its answer and the server has worked
        # through what it will take (its CPU time stands still).
        if good and time.time() - last_change > 1.5 and time.time() - t0 > 4:
            break
        time.sleep(0.1)
    if good_thread:
        good_thread.join()
    alive = proc_status(a.pid, "VmRSS") is not None
    summary = {
        "connections": len(conns), "sent": sent, "send_seconds": round(send_s, 2),
        "held_seconds": round(time.time() - t0, 2), "rss_before_kb": rss_before,
        "rss_max_kb": max(samples) if samples else None, "rss_samples": len(samples),
        "hwm_kb": proc_status(a.pid, "VmHWM"), "alive": alive, "good": good,
    }
    # Only now does the first of them read: what did the server answer it?
    kinds, quiet_since = {}, time.time()
    while time.time() - quiet_since < 1.0:
        raw = conns[0].recv(200)
        if raw is not None:
            kind, _ = reply_kind(raw)
            kinds[kind] = kinds.get(kind, 0) + 1
            quiet_since = time.time()
    summary["first_read_late"] = kinds
    for c in conns:
        c.close()
    time.sleep(0.5)
    summary["rss_after_close_kb"] = proc_status(a.pid, "VmRSS")
    print(json.dumps(summary))


def cmd_burst(a, ctx):
    # A client that does read, promptly (no receive bound, replies taken as
    # they come while it sends), but sends its requests all at once.
    c = Conn(ctx, a.endpoint, a.server_key, a.key, sndhwm=0, rcvhwm=0)
    time.sleep(0.2)
    ids = set()
    kinds, seen, unknown = {}, set(), 0

    def take(raw):
        nonlocal unknown
        kind, r = reply_kind(raw)
        kinds[kind] = kinds.get(kind, 0) + 1
        if r in ids:
            seen.add(r)
        else:
            unknown += 1

    for _ in range(a.count):
        r = str(uuid.uuid4())
        ids.add(r)
        c.send(plan_fetch_bytes(a.unit, r))
        while c.s.poll(0, zmq.POLLIN):
            take(c.s.recv_multipart()[-1])
    deadline = time.time() + a.max_seconds
    while len(seen) < a.count and time.time() < deadline:
        raw = c.recv(500)
        if raw is not None:
            take(raw)
    c.close()
    print(json.dumps({"sent": a.count, "answered": sum(kinds.values()), "distinct_ids": len(seen),
                      "unknown_ids": unknown, "kinds": kinds}))


# -------------------------------------------------------------------- main

def main():
    global pb
    p = argparse.ArgumentParser(description="an independent tonghop client (tests only)")
    p.add_argument("--endpoint")
    p.add_argument("--server-key")
    p.add_argument("--pb-dir")
    p.add_argument("--timeout", type=float, default=3.0)
    sub = p.add_subparsers(dest="cmd", required=True)

    k = sub.add_parser("keygen")
    k.add_argument("file")

    q = sub.add_parser("ask")
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--key")
    g.add_argument("--no-key", action="store_true")
    q.add_argument("kind", choices=["submit", "planfetch", "rollup", "history", "publish", "catalogue"])
    q.add_argument("--unit")
    q.add_argument("--period")
    q.add_argument("--plan")
    q.add_argument("--indicator")
    q.add_argument("--values", default="CTXH-01=3/5")
    q.add_argument("--file")

    s = sub.add_parser("session")
    s.add_argument("--key", required=True)
    s.add_argument("--unit", default="22921")
    s.add_argument("--ready", required=True)
    s.add_argument("--go", required=True)

    m = sub.add_parser("malformed")
    m.add_argument("--key", required=True)
    m.add_argument("--out", required=True)

    f = sub.add_parser("flood")
    f.add_argument("--keys", required=True)
    f.add_argument("--units", required=True)
    f.add_argument("--count", type=int, default=5000)
    f.add_argument("--pid", type=int, required=True)
    f.add_argument("--good-key", required=True)
    f.add_argument("--good-unit", default="22921")
    f.add_argument("--good-timeout", type=float, default=11.0)
    f.add_argument("--max-seconds", type=float, default=12.0)

    b = sub.add_parser("burst")
    b.add_argument("--key", required=True)
    b.add_argument("--unit", default="22921")
    b.add_argument("--count", type=int, default=2000)
    b.add_argument("--max-seconds", type=float, default=20.0)

    a = p.parse_args()
    if a.cmd == "keygen":
        keygen(a.file)
        return 0
    sys.path.insert(0, a.pb_dir)
    import tonghop_pb2  # generated at test time from proto/tonghop.proto
    pb = tonghop_pb2
    ctx = zmq.Context()
    try:
        {"ask": cmd_ask, "session": cmd_session, "malformed": cmd_malformed, "flood": cmd_flood,
         "burst": cmd_burst}[a.cmd](a, ctx)
    finally:
        ctx.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())
