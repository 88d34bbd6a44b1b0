#!/usr/bin/python3
"""Regenerates the reference fixtures that style4j's image tests compare against.

Each expected value here comes from a decoder or colour engine independent of style4j:
libjpeg-turbo (through Pillow) for JPEG pixels, littleCMS (Pillow's ImageCms) for ICC
conversion, and Pillow's own resampler for Lanczos and bicubic resizing.
Run with Debian's python3-pil and python3-numpy:  /usr/bin/python3 make-reference-fixtures.py
(also needs icc-profiles-free for the Adobe RGB (1998)-compatible profile).
"""
import io
import os

import numpy as np
from PIL import Image, ImageCms

HERE = os.path.dirname(os.path.abspath(__file__))
ADOBE = "/usr/share/color/icc/compatibleWithAdobeRGB1998.icc"


def out(name):
    return os.path.join(HERE, name)


# 1. Adobe RGB (1998) files: 8 flat 8x8 blocks, so JPEG (quality 100, 4:4:4) keeps each block
#    flat. Expected sRGB values: littleCMS, relative colorimetric, from the pixels as Pillow
#    (libjpeg-turbo) decodes them.
colours = [(200, 100, 50), (50, 150, 200), (128, 128, 128), (100, 200, 100),
           (180, 60, 160), (30, 30, 30), (240, 220, 200), (90, 60, 200)]
blocks = np.zeros((8, 64, 3), np.uint8)
for i, c in enumerate(colours):
    blocks[:, 8 * i:8 * i + 8] = c
profile = open(ADOBE, "rb").read()
adobe = Image.fromarray(blocks, "RGB")
adobe.save(out("adobe-rgb.png"), icc_profile=profile)
adobe.save(out("adobe-rgb.jpg"), icc_profile=profile, quality=100, subsampling=0)
to_srgb = ImageCms.buildTransform(ImageCms.ImageCmsProfile(io.BytesIO(profile)), ImageCms.createProfile("sRGB"),
                                  "RGB", "RGB", renderingIntent=ImageCms.INTENT_RELATIVE_COLORIMETRIC)
with open(out("adobe-rgb-expected.txt"), "w") as f:
    f.write("# file block_x adobe_r adobe_g adobe_b srgb_r srgb_g srgb_b (8-bit; littleCMS, relative colorimetric)\n")
    for name in ("adobe-rgb.png", "adobe-rgb.jpg"):
        decoded = Image.open(out(name)).convert("RGB")
        srgb = np.asarray(ImageCms.applyTransform(decoded, to_srgb))
        stored = np.asarray(decoded)
        for i in range(8):
            x = 8 * i + 4
            f.write("%s %d %s %s\n" % (name, x, " ".join(map(str, stored[4, x])), " ".join(map(str, srgb[4, x]))))

# 2. A progressive JPEG (4:4:4, so no chroma upsampling choice is involved) and its pixels as
#    libjpeg-turbo decodes them, raw RGB bytes row by row.
y, x = np.mgrid[0:16, 0:32]
smooth = np.stack([(x * 7 + y * 3) % 256, (x * 2 + y * 11) % 256, ((x - 16) ** 2 + (y - 8) ** 2) % 256], -1)
Image.fromarray(smooth.astype(np.uint8), "RGB").save(out("progressive.jpg"), quality=90, subsampling=0,
                                                     progressive=True)
open(out("progressive-libjpeg.rgb"), "wb").write(np.asarray(Image.open(out("progressive.jpg")).convert("RGB")).tobytes())
# A baseline JPEG with 4:2:0 chroma (what cameras and phones write), and libjpeg-turbo's pixels.
Image.fromarray(smooth.astype(np.uint8), "RGB").save(out("baseline-420.jpg"), quality=85, subsampling=2)
open(out("baseline-420-libjpeg.rgb"), "wb").write(np.asarray(Image.open(out("baseline-420.jpg")).convert("RGB")).tobytes())

# 3. Resizing: a 23x17 float image resized by Pillow's resampler (mode F, double-precision sums):
#    Lanczos (a = 3) down to 9x7 and bicubic (a = -0.5) up to 41x29.
rng = np.random.default_rng(20)
source = (0.25 + 0.5 * rng.random((17, 23))).astype(np.float32)
with open(out("resize-reference.txt"), "w") as f:
    f.write("# Pillow %s, mode F; lines: 'input W H', 'lanczos3 W H', 'bicubic W H', each followed by H rows\n"
            % Image.__version__)
    for label, image in (("input", source),
                         ("lanczos3", np.asarray(Image.fromarray(source, "F").resize((9, 7), Image.LANCZOS))),
                         ("bicubic", np.asarray(Image.fromarray(source, "F").resize((41, 29), Image.BICUBIC)))):
        f.write("%s %d %d\n" % (label, image.shape[1], image.shape[0]))
        for row in image:
            f.write(" ".join(repr(float(v)) for v in row) + "\n")

# 4. TIFFs with each EXIF/TIFF orientation (tag 274), written by Pillow: 16x8, black, with a
#    white 4x4 block in the stored top-left corner.
stored = np.zeros((8, 16, 3), np.uint8)
stored[:4, :4] = 255
for orientation in range(1, 9):
    Image.fromarray(stored, "RGB").save(out("oriented-%d.tif" % orientation), tiffinfo={274: orientation})

# 5. Greyscale binary PNM (P5): 8-bit as Pillow writes it, values 16 * x in row 0 (dark tones
#    included); 16-bit (maxval 65535, big-endian samples, written here: Pillow 9 cannot),
#    values 4099 * x + 7 in row 1.
ramp = np.zeros((2, 16), np.uint8)
ramp[0] = 16 * np.arange(16)
Image.fromarray(ramp, "L").save(out("grey.pgm"))
ramp16 = np.zeros((2, 16), np.uint16)
ramp16[1] = 4099 * np.arange(16) + 7
open(out("grey16.pgm"), "wb").write(b"P5\n16 2\n65535\n" + ramp16.astype(">u2").tobytes())

# 6. A CMYK JPEG (Adobe APP14, as Pillow writes it), no ICC profile: 5 blocks of 8x8 converted
#    from RGB red, green, blue, white and black by Pillow's naive RGB->CMYK.
blocks = np.zeros((8, 40, 3), np.uint8)
for i, c in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0)]):
    blocks[:, 8 * i:8 * i + 8] = c
Image.fromarray(blocks, "RGB").convert("CMYK").save(out("cmyk.jpg"), quality=95)

# 7. 16-bit RGB TIFFs written by ImageMagick (convert, Debian's imagemagick) from a 16-bit PPM
#    of known samples: R = 4099x + 7, G = 9001y + 13, B = 65535 - 3001(x + y), 6x4 pixels;
#    uncompressed, deflate with horizontal predictor, and with a 16-bit alpha channel.
import subprocess
deep = np.zeros((4, 6, 3), ">u2")
for y in range(4):
    for x in range(6):
        deep[y, x] = (4099 * x + 7, 9001 * y + 13, 65535 - 3001 * (x + y))
open("/tmp/deep16.ppm", "wb").write(b"P6\n6 4\n65535\n" + deep.tobytes())
subprocess.run(["convert", "/tmp/deep16.ppm", "-depth", "16", "-compress", "none", out("rgb16.tif")], check=True)
subprocess.run(["convert", "/tmp/deep16.ppm", "-depth", "16", "-compress", "zip", "-define", "tiff:predictor=2",
                out("rgb16-deflate.tif")], check=True)
subprocess.run(["convert", "/tmp/deep16.ppm", "-depth", "16", "-alpha", "set", "-channel", "A", "-evaluate", "set",
                "50%", "+channel", "-compress", "none", out("rgba16.tif")], check=True)
os.remove("/tmp/deep16.ppm")

# 8. 16-bit TIFFs with LZW and PackBits, with enough variety (64x48, a little pattern noise) for
#    LZW's table to fill and be cleared: RGB R = 1021x + 7y + (31x^2 + 17y + 7xy) mod 256,
#    G = 1361y + 3x + 13xy mod 199, B = 65535 - 511(x + y) - (x^2 + y^2) mod 97, LZW with and
#    without the horizontal predictor; grey V = 1000x + 13y, PackBits (ImageMagick's "RLE").
wide = np.zeros((48, 64, 3), ">u2")
grey = np.zeros((48, 64), ">u2")
for y in range(48):
    for x in range(64):
        wide[y, x] = (1021 * x + 7 * y + (31 * x * x + 17 * y + 7 * x * y) % 256,
                      1361 * y + 3 * x + (13 * x * y) % 199, 65535 - 511 * (x + y) - (x * x + y * y) % 97)
        grey[y, x] = 1000 * x + 13 * y
open("/tmp/wide16.ppm", "wb").write(b"P6\n64 48\n65535\n" + wide.tobytes())
open("/tmp/grey16.pgm", "wb").write(b"P5\n64 48\n65535\n" + grey.tobytes())
subprocess.run(["convert", "/tmp/wide16.ppm", "-depth", "16", "-compress", "lzw", "-define", "tiff:predictor=2",
                "-define", "tiff:rows-per-strip=16", out("rgb16-lzw-predictor.tif")], check=True)
subprocess.run(["convert", "/tmp/wide16.ppm", "-depth", "16", "-compress", "lzw", "-define", "tiff:predictor=1",
                out("rgb16-lzw.tif")], check=True)
subprocess.run(["convert", "/tmp/grey16.pgm", "-depth", "16", "-compress", "rle", out("grey16-packbits.tif")],
               check=True)
os.remove("/tmp/wide16.ppm")
os.remove("/tmp/grey16.pgm")

# 9. Tiled 16-bit TIFFs: the images of section 8 in 48x32 tiles, so that the right and bottom
#    tiles run past the 64x48 image (padding the reader must skip); RGB deflate with the
#    horizontal predictor, grey LZW.
open("/tmp/wide16.ppm", "wb").write(b"P6\n64 48\n65535\n" + wide.tobytes())
open("/tmp/grey16.pgm", "wb").write(b"P5\n64 48\n65535\n" + grey.tobytes())
subprocess.run(["convert", "/tmp/wide16.ppm", "-depth", "16", "-compress", "zip", "-define", "tiff:predictor=2",
                "-define", "tiff:tile-geometry=48x32", out("rgb16-tiled-deflate.tif")], check=True)
subprocess.run(["convert", "/tmp/grey16.pgm", "-depth", "16", "-compress", "lzw",
                "-define", "tiff:tile-geometry=48x32", out("grey16-tiled-lzw.tif")], check=True)
os.remove("/tmp/wide16.ppm")
os.remove("/tmp/grey16.pgm")
