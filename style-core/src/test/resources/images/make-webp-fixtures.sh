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
# The lossy file as libwebp itself decodes it (default "fancy" chroma upsampling, as WebpLossy).
dwebp -quiet pattern-lossy.webp -o pattern-lossy-dwebp.png
rm -f /tmp/webp-pattern.png  # (the lossy fixtures above are made first)

# Lossless files that exercise every part of the VP8L decoder (WebpLossless): each with the
# PNG libwebp's own dwebp makes of it, the reference WebpLosslessTest compares against.
#   smooth-*: gradients and noise (predictor, cross-colour, subtract-green transforms, colour
#             cache, backward references), encoded at three effort levels;
#   palette-N: N colours (colour indexing, 8/4/2/1 indices packed a pixel);
#   alpha: varying transparency kept exactly (-exact); odd: 37x23, not a multiple of any block;
#   plasma: a fractal, for the predictors the others leave unused.
python3 - <<'PY'
import random, struct, zlib
random.seed(17)
def png(path, w, h, pixels, alpha=False):
    rows = b"".join(b"\0" + bytes(v for x in range(w) for v in pixels(x, y)) for y in range(h))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6 if alpha else 2, 0, 0, 0))
                           + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
noise = [[random.randint(-12, 12) for x in range(96)] for y in range(64)]
clip = lambda v: max(0, min(255, v))
def smooth(x, y):
    return (clip(2 * x + noise[y][x]), clip(3 * y + noise[y][x] // 2), clip(128 + (x - y) + (40 if (x // 16 + y // 16) % 2 else 0)))
png("/tmp/webp-smooth.png", 96, 64, smooth)
for n in (2, 4, 16, 200):
    colours = [(random.randrange(256), random.randrange(256), random.randrange(256)) for _ in range(n)]
    png(f"/tmp/webp-palette-{n}.png", 40, 24, lambda x, y, c=colours, n=n: c[(x * 7 + y * 3 + (x * y) % 5) % n])
png("/tmp/webp-alpha.png", 32, 32, lambda x, y: (8 * x, 8 * y, 128, clip(255 - 8 * (x + y) // 2)), alpha=True)
png("/tmp/webp-odd.png", 37, 23, lambda x, y: (clip(7 * x + noise[y][x]), clip(11 * y), clip(3 * (x ^ y))))
PY
for z in 0 6 9; do
  cwebp -quiet -lossless -z "$z" /tmp/webp-smooth.png -o "lossless-smooth-z$z.webp"
done
for n in 2 4 16 200; do cwebp -quiet -lossless /tmp/webp-palette-$n.png -o "lossless-palette-$n.webp"; done
cwebp -quiet -lossless -exact /tmp/webp-alpha.png -o lossless-alpha.webp
cwebp -quiet -lossless -z 9 /tmp/webp-odd.png -o lossless-odd.webp
# A fractal (ImageMagick's plasma): the predictors the synthetic images leave unused (13 among them).
convert -size 64x48 -seed 1 plasma:fractal -blur 0x1 /tmp/webp-plasma.png
cwebp -quiet -lossless -z 9 /tmp/webp-plasma.png -o lossless-plasma.webp
rm -f /tmp/webp-plasma.png
for f in lossless-*.webp; do dwebp -quiet "$f" -o "${f%.webp}-dwebp.png"; done
rm -f /tmp/webp-smooth.png /tmp/webp-palette-*.png /tmp/webp-alpha.png /tmp/webp-odd.png
