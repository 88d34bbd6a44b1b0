#!/usr/bin/env bash
# Regenerates the WebP fixtures (Commons Imaging reads WebP but cannot write it, and the
# JDK has no WebP codec, so the tests need files made by an independent encoder).
# Needs python3 and Debian's `webp` package (cwebp, dwebp). The pattern is the one
# ImageReaderFormatsTest.webpPattern() computes: pixel (x, y) = (16x, 16y, 8(x + y)).
set -euo pipefail
cd "$(dirname "$0")"
python3 - <<'PY'
import struct, zlib
w = h = 16
rows = b"".join(b"\0" + bytes(v for x in range(w) for v in (16 * x, 16 * y, 8 * (x + y))) for y in range(h))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
open("/tmp/webp-pattern.png", "wb").write(png)
PY
cwebp -quiet -lossless -exact /tmp/webp-pattern.png -o pattern-lossless.webp
cwebp -quiet -q 90 /tmp/webp-pattern.png -o pattern-lossy.webp
# The lossy file as libwebp itself decodes it, with simple chroma upsampling (-nofancy) as
# TwelveMonkeys does (libwebp's default "fancy" upsampling differs by ~3/255 on average).
dwebp -quiet -nofancy pattern-lossy.webp -o pattern-lossy-dwebp.png
rm -f /tmp/webp-pattern.png
