#!/usr/bin/python3
"""mitm_proxy.py -- a man in the middle for the security acceptance test
(attacker.sh): a TCP proxy between a tonghop client and tonghopd that reads
the ZeroMQ (ZMTP 3) stream and changes what the client sends.

  mitm_proxy.py --target HOST:PORT --port-file F --log F --mode flip|rewrite|pass

  flip     on every connection, flips one byte in the middle of the first
           data frame the client sends after the handshake (with CURVE, the
           encrypted request)
  rewrite  replaces the unit code --find (22921) with --replace (22915)
           wherever it appears in what the client sends (plain text only:
           over CURVE it never appears)
  pass     changes nothing

Always: counts where --find appears in the clear, in both directions.

The log has one JSON object a line: "connection", "frame" (each frame the
client sent: flags, size, command name if any), "tampered", "rewritten",
"server_closed" (the server ended the connection: seconds since the
tampering, if any) and "client_closed". The greeting (the first 64 bytes)
is passed on as it comes: libzmq sends it in parts and waits for the
peer's; after it, whole frames are passed on, so that one can be changed
before any of it leaves.
"""
import argparse
import json
import os
import socket
import threading
import time

GREETING = 64
HANDSHAKE_COMMANDS = (b"HELLO", b"WELCOME", b"INITIATE", b"READY", b"ERROR")


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)
        self.lock = threading.Lock()

    def __call__(self, **event):
        event["t"] = round(time.time(), 3)
        with self.lock:
            self.f.write(json.dumps(event) + "\n")


def command_name(flags, body):
    if not flags & 0x04 or not body:
        return None
    n = body[0]
    return body[1:1 + n].decode("ascii", "replace")


def client_to_server(conn_id, src, dst, a, log, state):
    buf = bytearray()
    passed = 0          # bytes passed on so far
    tampered = False
    frame_no = 0
    find, replace = a.find.encode(), a.replace.encode()
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            buf += data
            out = bytearray()
            # The greeting, as it comes.
            if passed < GREETING:
                n = min(GREETING - passed, len(buf))
                out += buf[:n]
                del buf[:n]
                passed += n
            # Whole frames: flags, size (1 byte, or 8 when flags & 0x02), body.
            while passed >= GREETING and len(buf) >= 2:
                flags = buf[0]
                if flags & 0x02:
                    if len(buf) < 9:
                        break
                    size = int.from_bytes(buf[1:9], "big")
                    head = 9
                else:
                    size = buf[1]
                    head = 2
                if len(buf) < head + size:
                    break
                frame = bytearray(buf[:head + size])
                del buf[:head + size]
                body = frame[head:]
                name = command_name(flags, body)
                log(event="frame", conn=conn_id, no=frame_no, flags=flags, size=size, command=name)
                state["plain_c2s"] += bytes(body).count(find)
                handshake = name is not None and name.encode() in HANDSHAKE_COMMANDS
                if a.mode == "flip" and not tampered and not handshake and size >= 40:
                    at = head + size // 2
                    frame[at] ^= 0x01
                    tampered = True
                    state["tampered_at"] = time.time()
                    log(event="tampered", conn=conn_id, frame=frame_no, size=size, offset=size // 2)
                if a.mode == "rewrite" and find in frame:
                    count = bytes(frame).count(find)
                    frame = bytearray(bytes(frame).replace(find, replace))
                    log(event="rewritten", conn=conn_id, frame=frame_no, count=count)
                out += frame
                passed += len(frame)
                frame_no += 1
            if out:
                dst.sendall(out)
    except OSError:
        pass
    finally:
        log(event="client_closed", conn=conn_id)
        for s in (dst, src):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def server_to_client(conn_id, src, dst, a, log, state):
    find = a.find.encode()
    tail = b""
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            state["plain_s2c"] += (tail + data).count(find)
            tail = data[-(len(find) - 1):]
            dst.sendall(data)
    except OSError:
        pass
    finally:
        at = state.get("tampered_at")
        log(event="server_closed", conn=conn_id,
            after_tamper=None if at is None else round(time.time() - at, 3))
        for s in (dst, src):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def handle(conn_id, client, a, log):
    host, port = a.target.rsplit(":", 1)
    try:
        server = socket.create_connection((host, int(port)))
    except OSError as e:
        log(event="connect_failed", conn=conn_id, error=str(e))
        client.close()
        return
    log(event="connection", conn=conn_id)
    state = {"plain_c2s": 0, "plain_s2c": 0}
    t1 = threading.Thread(target=client_to_server, args=(conn_id, client, server, a, log, state), daemon=True)
    t2 = threading.Thread(target=server_to_client, args=(conn_id, server, client, a, log, state), daemon=True)
    t1.start()
    t2.start()
    t1.join()
    t2.join()
    log(event="plain_text", conn=conn_id, client_to_server=state["plain_c2s"], server_to_client=state["plain_s2c"])
    client.close()
    server.close()


def main():
    p = argparse.ArgumentParser(description="a man-in-the-middle proxy for ZeroMQ (tests only)")
    p.add_argument("--target", required=True, help="HOST:PORT of tonghopd")
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--mode", choices=["flip", "rewrite", "pass"], required=True)
    p.add_argument("--find", default="22921")
    p.add_argument("--replace", default="22915")
    a = p.parse_args()
    if len(a.find) != len(a.replace):
        p.error("--find and --replace must have the same length (frame sizes stay)")
    log = Log(a.log)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    n = 0
    while True:
        client, _ = ls.accept()
        n += 1
        threading.Thread(target=handle, args=(n, client, a, log), daemon=True).start()


if __name__ == "__main__":
    main()
