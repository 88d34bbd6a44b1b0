#!/usr/bin/env bash
# Regenerates the lossy WebP fixtures WebpLossyTest compares with libwebp's own decoder: each
# lossy-*.webp with lossy-*-dwebp.png, what Debian's dwebp (libwebp 1.2.4, default fancy
# upsampling) makes of it. Needs Debian's webp, imagemagick and vpx-tools packages and python3.
#   q75: cwebp's defaults (normal loop filter, four segments);  q5-simple: coarse quantiser,
#   simple filter, sharpness 3;  q100-nofilter: large coefficients (the longest tokens), one
#   segment, no filter;  q60-sharpness6: sharpness 6, strongest noise shaping;  rose-m6: a
#   photograph (ImageMagick's built-in rose) at cwebp's slowest method, many 4x4 modes;
#   alpha-*: an ALPH chunk compressed losslessly (fast and best filters, quantised) and raw;
#   vpx-*: key frames from libvpx's encoder, which cwebp cannot make: eight and two token
#   partitions, loop-filter deltas, the simple filter of profile 1, an odd size.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
convert -size 67x45 -seed 1 plasma:fractal "$work/plasma.png"
cwebp -quiet -q 75 "$work/plasma.png" -o lossy-q75.webp
cwebp -quiet -q 5 -nostrong -sharpness 3 "$work/plasma.png" -o lossy-q5-simple.webp
cwebp -quiet -q 100 -f 0 -segments 1 "$work/plasma.png" -o lossy-q100-nofilter.webp
cwebp -quiet -q 60 -sharpness 6 -sns 100 -strong "$work/plasma.png" -o lossy-q60-sharpness6.webp
convert rose: "$work/rose.png"
cwebp -quiet -q 85 -m 6 "$work/rose.png" -o lossy-rose-m6.webp
convert -size 53x37 -seed 2 plasma:fractal \( -size 53x37 radial-gradient:white-black \) -alpha off \
    -compose copy_opacity -composite "$work/alpha.png"
cwebp -quiet -q 70 "$work/alpha.png" -o lossy-alpha-fast.webp
cwebp -quiet -q 70 -alpha_filter best -alpha_q 50 "$work/alpha.png" -o lossy-alpha-best.webp
cwebp -quiet -q 70 -alpha_method 0 -alpha_filter none "$work/alpha.png" -o lossy-alpha-raw.webp

# A VP8 key frame by vpxenc, wrapped in a RIFF/WEBP container (a lossy WebP is exactly that).
vpx_webp() { # source width height output vpxenc-options...
    local src=$1 w=$2 h=$3 out=$4
    shift 4
    convert "$src" -resize "${w}x${h}!" rgb:"$work/frame.rgb"
    python3 - "$work/frame.rgb" "$w" "$h" "$work/frame.y4m" <<'PY'
import sys
rgb, w, h = open(sys.argv[1], "rb").read(), int(sys.argv[2]), int(sys.argv[3])
clip = lambda v: max(0, min(255, round(v)))
def plane(k, c, step):  # BT.601 studio range; chroma from the top-left pixel of each 2x2
    cw, ch = (w + step - 1) // step, (h + step - 1) // step
    px = lambda x, y: rgb[3 * (min(y, h - 1) * w + min(x, w - 1)):][:3]
    return bytes(clip(c + sum(a * b for a, b in zip(k, px(step * x, step * y)))) for y in range(ch) for x in range(cw))
y4m = b"YUV4MPEG2 W%d H%d F25:1 Ip A1:1 C420jpeg\nFRAME\n" % (w, h)
y4m += plane((0.257, 0.504, 0.098), 16, 1) + plane((-0.148, -0.291, 0.439), 128, 2) + plane((0.439, -0.368, -0.071), 128, 2)
open(sys.argv[4], "wb").write(y4m)
PY
    vpxenc --codec=vp8 --ivf --limit=1 -q -o "$work/frame.ivf" "$@" "$work/frame.y4m"
    python3 - "$work/frame.ivf" "$out" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
at = struct.unpack("<H", d[6:8])[0]
frame = d[at + 12:at + 12 + struct.unpack("<I", d[at:at + 4])[0]]
chunk = b"VP8 " + struct.pack("<I", len(frame)) + frame + (b"\0" if len(frame) & 1 else b"")
open(sys.argv[2], "wb").write(b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk)
PY
}
convert -size 128x96 -seed 5 plasma:fractal "$work/big.png"
vpx_webp "$work/big.png" 128 96 lossy-vpx-partitions.webp --token-parts=3 --end-usage=q --cq-level=40
vpx_webp "$work/big.png" 99 61 lossy-vpx-simple-odd.webp --profile=1 --sharpness=4 --token-parts=1 \
    --end-usage=q --cq-level=45
for f in lossy-*.webp; do dwebp -quiet "$f" -o "${f%.webp}-dwebp.png"; done
