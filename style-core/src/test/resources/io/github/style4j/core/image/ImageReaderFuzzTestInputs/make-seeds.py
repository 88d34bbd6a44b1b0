#!/usr/bin/python3
"""Regenerates the fuzz seeds in decodesOrRefuses/: one small file per decoder path, plus
hostile ones, so that Jazzer starts from every branch rather than discovering them.
Needs Debian's python3-pil and python3-numpy, icc-profiles-free, and cwebp (webp)."""
import io
import os
import struct
import subprocess
import zlib

import numpy as np
from PIL import Image

D = os.path.join(os.path.dirname(os.path.abspath(__file__)), "decodesOrRefuses")
y, x = np.mgrid[0:6, 0:8]
rgb = np.stack([x * 30, y * 40, (x + y) * 15], -1).astype(np.uint8)
grey = (x * 30 + y).astype(np.uint8)


def save(name, data):
    open(os.path.join(D, name), "wb").write(data)


def pil(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width, height, bit_depth, colour_type, rows, extra=b""):
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + ihdr + extra + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


save("seed_png_grey", pil(Image.fromarray(grey, "L"), "PNG"))
save("seed_png_grey_alpha", pil(Image.fromarray(np.stack([grey, 255 - grey], -1), "LA"), "PNG"))
save("seed_png_palette", pil(Image.fromarray(rgb, "RGB").convert("P", palette=Image.ADAPTIVE, colors=8), "PNG"))
save("seed_png_rgba", pil(Image.fromarray(np.dstack([rgb, grey]), "RGBA"), "PNG"))
rows16 = b"".join(b"\0" + b"".join(struct.pack(">HHH", 8000 * i, 9000 * j, 1000 * (i + j)) for i in range(4))
                  for j in range(3))
save("seed_png_16bit", png(4, 3, 16, 2, rows16))
profile = open("/usr/share/color/icc/compatibleWithAdobeRGB1998.icc", "rb").read()
save("seed_png_icc", pil(Image.fromarray(rgb, "RGB"), "PNG", icc_profile=profile))
save("seed_png_ztxt", png(2, 1, 8, 0, b"\0\x10\x20", chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"hello" * 20))))
save("seed_jpg_progressive", pil(Image.fromarray(rgb, "RGB"), "JPEG", progressive=True, quality=80))
save("seed_jpg_grey", pil(Image.fromarray(grey, "L"), "JPEG"))
save("seed_jpg_cmyk", pil(Image.fromarray(rgb, "RGB").convert("CMYK"), "JPEG"))
exif = Image.Exif()
exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to display
save("seed_jpg_exif_icc", pil(Image.fromarray(rgb, "RGB"), "JPEG", exif=exif.tobytes(), icc_profile=profile))
save("seed_pgm", pil(Image.fromarray(grey, "L"), "PPM"))  # binary P5
save("seed_pam", b"P7\nWIDTH 2\nHEIGHT 2\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n" + bytes(range(16)))
save("seed_ppm_16bit", b"P6\n2 1\n65535\n" + struct.pack(">HHHHHH", 63736, 0, 47802, 1, 2, 65535))
save("seed_tif_16bit_grey", pil(Image.fromarray((grey.astype(np.uint16) * 250), "I;16"), "TIFF"))
save("seed_tif_deflate", pil(Image.fromarray(rgb, "RGB"), "TIFF", compression="tiff_adobe_deflate"))
# BMP, 2x2, 24-bit, stored top-down (negative height), rows padded to 4 bytes.
pixels = bytes([0, 0, 255, 0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 0])[:8] + bytes(range(8))
bmp_header = struct.pack("<IiiHHIIiiII", 40, 2, -2, 1, 24, 0, 16, 2835, 2835, 0, 0)
save("seed_bmp_top_down", b"BM" + struct.pack("<IHHI", 14 + 40 + 16, 0, 0, 54) + bmp_header + pixels)
save("seed_gif_transparent", pil(Image.fromarray(grey, "L").convert("P"), "GIF", transparency=0))
webp_source = os.path.join(D, *[".."] * 7, "images", "pattern-lossy.webp")
save("seed_webp", open(os.path.normpath(webp_source), "rb").read())
# style4j's own 16-bit RGB TIFF path (DeepTiff), from the reference fixtures (ImageMagick-made).
images = os.path.join(D, *[".."] * 7, "images")
save("seed_tif_16bit_rgb_deflate", open(os.path.join(images, "rgb16-deflate.tif"), "rb").read())
save("seed_tif_16bit_rgba", open(os.path.join(images, "rgba16.tif"), "rb").read())
# style4j's own lossy WebP path (WebpLossy): VP8 with a compressed ALPH chunk, and libvpx's
# simple filter with two token partitions (make-webp-lossy-fixtures.sh).
save("seed_webp_lossy_alpha", open(os.path.join(images, "lossy-alpha-best.webp"), "rb").read())
save("seed_webp_lossy_simple_partitions", open(os.path.join(images, "lossy-vpx-simple-odd.webp"), "rb").read())
# Hostile: a header that claims 65535x65535, a truncated PNG, and a small iCCP chunk that
# inflates to 48 MiB, past the 16 MiB limit for compressed chunks.
save("seed_bmp_huge_header", b"BM" + struct.pack("<IHHI", 70, 0, 0, 54)
     + struct.pack("<IiiHHIIiiII", 40, 65535, 65535, 1, 24, 0, 0, 0, 0, 0, 0) + bytes(16))
save("seed_png_truncated", png(8, 6, 8, 0, b"".join(b"\0" + bytes(grey[j]) for j in range(6)))[:-20])
bomb = zlib.compress(bytes(48 << 20), 9)
save("seed_png_iccp_bomb", png(1, 1, 8, 0, b"\0\0", chunk(b"iCCP", b"bomb\0\0" + bomb)))
