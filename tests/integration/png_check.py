#!/usr/bin/env python3
"""Checks that a screenshot shows a rendered report, with the standard
library only: decodes the PNG and counts pixels.

  png_check.py FILE WIDTH HEIGHT [plain]
Exits non-zero unless the image has the expected size, is not blank (at
least 3% of pixels not white), and shows the report's status colours: the
green of a met target's bar and the red of a missed one. With "plain" (a
black-and-white document, like the official report) the colours are not
asked for."""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("not a PNG")
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                sys.exit("unsupported PNG type %d/%d" % (depth, ctype))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def main():
    path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    w, h, bpp, rows = read_png(path)
    ok = True
    if (w, h) != (want_w, want_h):
        print("size %dx%d, expected %dx%d" % (w, h, want_w, want_h))
        ok = False
    inked = green = red = 0
    for line in rows:
        for x in range(0, w * bpp, bpp):
            r, g, b = line[x], line[x + 1], line[x + 2]
            if r < 235 or g < 235 or b < 235:
                inked += 1
            if abs(r - 0x2e) < 30 and abs(g - 0x9e) < 30 and abs(b - 0x55) < 30:
                green += 1
            if abs(r - 0xd9) < 30 and abs(g - 0x53) < 30 and abs(b - 0x4f) < 30:
                red += 1
    share = inked / (w * h)
    print("%dx%d, %.1f%% inked, %d green and %d red pixels" % (w, h, 100 * share, green, red))
    plain = len(sys.argv) > 4 and sys.argv[4] == "plain"
    ok = ok and share > 0.03 and (plain or (green > 200 and red > 200))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
