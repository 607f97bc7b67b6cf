#!/usr/bin/env python3
"""Drives an interactive program through a pseudo-terminal, as a person at
a keyboard would: waits for each expected text, then types an answer.

  pty_drive.py SCRIPT -- COMMAND [ARGS...]
SCRIPT has lines "EXPECT<TAB>ANSWER" (ANSWER may be empty: just Enter).
Prints everything the program showed; exits with the program's exit code,
or 99 when an expected text does not appear within 10 seconds."""
import os
import pty
import select
import sys
import time


def main():
    sep = sys.argv.index("--")
    steps = [line.rstrip("\n").split("\t", 1) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[sep + 1], sys.argv[sep + 1:])
    seen = b""

    def read_some(timeout):
        nonlocal seen
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(fd, 4096)
        except OSError:
            return None
        if not data:
            return None
        seen += data
        return True

    pos = 0
    for expect, answer in ((s[0], s[1] if len(s) > 1 else "") for s in steps):
        want = expect.encode("utf-8")
        deadline = time.time() + 10
        while seen.find(want, pos) < 0:
            if time.time() > deadline or read_some(deadline - time.time()) is None:
                sys.stdout.write(seen.decode("utf-8", "replace"))
                print("\npty_drive: did not see %r" % expect)
                os.kill(pid, 9)
                sys.exit(99)
        pos = seen.find(want, pos) + len(want)
        os.write(fd, answer.encode("utf-8") + b"\r")
    while read_some(10):
        pass
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(seen.decode("utf-8", "replace"))
    sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 98)


if __name__ == "__main__":
    main()
