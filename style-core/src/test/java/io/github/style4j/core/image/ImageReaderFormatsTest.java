package io.github.style4j.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.testing.SharedFiles;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.apache.commons.imaging.ImageFormats;
import org.apache.commons.imaging.Imaging;
import org.apache.commons.imaging.formats.jpeg.exif.ExifRewriter;
import org.apache.commons.imaging.formats.tiff.constants.TiffTagConstants;
import org.apache.commons.imaging.formats.tiff.write.TiffOutputSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every format and pixel layout the reader promises, each against an independent source of truth. */
class ImageReaderFormatsTest {
    @TempDir
    Path dir;

    private final ImageReader reader = ImageReader.defaults();

    private Path writeJdk(BufferedImage image, String format, String name) throws Exception {
        Path file = dir.resolve(name);
        assertTrue(ImageIO.write(image, format, file.toFile()), "JDK has no " + format + " writer");
        return file;
    }

    @Test
    void greyPngKeepsItsValuesWithoutGammaConversion() throws Exception {
        BufferedImage grey = new BufferedImage(16, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 16; x++) {
            grey.getRaster().setSample(x, 0, 0, x * 16);
        }
        RgbImage read = reader.read(writeJdk(grey, "png", "grey.png"));
        for (int x = 0; x < 16; x++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(x * 16 / 255f, read.get(c, x, 0), "channel " + c + " at x=" + x);
            }
        }
    }

    @Test
    void sixteenBitGreyPngIsExact() throws Exception {
        BufferedImage grey = new BufferedImage(8, 2, BufferedImage.TYPE_USHORT_GRAY);
        for (int x = 0; x < 8; x++) {
            grey.getRaster().setSample(x, 1, 0, x * 9000 + 7);
        }
        RgbImage read = reader.read(writeJdk(grey, "png", "grey16.png"));
        assertEquals(16, read.sourceBitDepth());
        for (int x = 0; x < 8; x++) {
            assertEquals((x * 9000 + 7) / 65535f, read.get(2, x, 1));
        }
    }

    /** A 16-bit RGBA PNG written by the JDK: every sample as stored, divided by 65535. */
    @Test
    void sixteenBitRgbaPngIsExact() throws Exception {
        var model = new java.awt.image.ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), true, false,
                java.awt.Transparency.TRANSLUCENT, java.awt.image.DataBuffer.TYPE_USHORT);
        var raster = model.createCompatibleWritableRaster(7, 3);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 7; x++) {
                raster.setPixel(x, y, new int[] {x * 9000 + y, 65535 - x * 7001, y * 20000 + 5, 30000 + x * y});
            }
        }
        RgbImage read = reader.read(writeJdk(new BufferedImage(model, raster, false, null), "png", "rgba16.png"));
        assertEquals(16, read.sourceBitDepth());
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 7; x++) {
                assertEquals((x * 9000 + y) / 65535f, read.get(0, x, y));
                assertEquals((65535 - x * 7001) / 65535f, read.get(1, x, y));
                assertEquals((y * 20000 + 5) / 65535f, read.get(2, x, y));
                assertEquals((30000 + x * y) / 65535f, read.alpha(x, y));
            }
        }
    }

    @Test
    void greyWithAlphaPng() throws Exception {
        var model = new java.awt.image.ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                java.awt.Transparency.TRANSLUCENT, java.awt.image.DataBuffer.TYPE_BYTE);
        WritableRaster raster = model.createCompatibleWritableRaster(3, 1);
        raster.setPixel(0, 0, new int[] {10, 255});
        raster.setPixel(1, 0, new int[] {100, 128});
        raster.setPixel(2, 0, new int[] {200, 0});
        RgbImage read = reader.read(writeJdk(new BufferedImage(model, raster, false, null), "png", "ga.png"));
        assertEquals(100 / 255f, read.get(0, 1, 0));
        assertEquals(128 / 255f, read.alpha(1, 0));
        assertEquals(0f, read.alpha(2, 0));
    }

    @Test
    void palettePng() throws Exception {
        byte[] r = {(byte) 255, 0, 0, 17};
        byte[] g = {0, (byte) 255, 0, 34};
        byte[] b = {0, 0, (byte) 255, 51};
        BufferedImage indexed = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(2, 4, r, g, b));
        for (int x = 0; x < 4; x++) {
            indexed.getRaster().setSample(x, 0, 0, x);
        }
        RgbImage read = reader.read(writeJdk(indexed, "png", "palette.png"));
        for (int x = 0; x < 4; x++) {
            assertEquals((r[x] & 0xff) / 255f, read.get(0, x, 0));
            assertEquals((g[x] & 0xff) / 255f, read.get(1, x, 0));
            assertEquals((b[x] & 0xff) / 255f, read.get(2, x, 0));
        }
    }

    /** BMP, GIF, TIFF and PNM files written by Commons Imaging's encoders, and BMP by the JDK's. */
    @ParameterizedTest
    @ValueSource(strings = {"bmp", "gif", "tiff", "ppm", "jdk-bmp"})
    void otherFormatsDecodeExactly(String kind) throws Exception {
        // 16 colours, so GIF's palette holds them all and the comparison can be exact.
        BufferedImage image = new BufferedImage(12, 9, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 12; x++) {
                image.setRGB(x, y, ((x % 4) * 80 << 16) | ((y % 4) * 80 << 8) | 40);
            }
        }
        Path file = dir.resolve("image." + kind.replace("jdk-", ""));
        if (kind.startsWith("jdk-")) {
            ImageIO.write(image, "bmp", file.toFile());
        } else {
            ImageFormats format = switch (kind) {
                case "bmp" -> ImageFormats.BMP;
                case "gif" -> ImageFormats.GIF;
                case "tiff" -> ImageFormats.TIFF;
                default -> ImageFormats.PNM;
            };
            Files.write(file, Imaging.writeImageToBytes(image, format));
        }
        RgbImage read = reader.read(file);
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 12; x++) {
                int p = image.getRGB(x, y);
                assertEquals(((p >> 16) & 0xff) / 255f, read.get(0, x, y), kind);
                assertEquals(((p >> 8) & 0xff) / 255f, read.get(1, x, y), kind);
                assertEquals((p & 0xff) / 255f, read.get(2, x, y), kind);
            }
        }
    }

    /**
     * A top-down BMP (negative height in the info header, rows stored first to last), made from
     * a JDK-written bottom-up one by reversing its rows: the same pixels.
     */
    @Test
    void topDownBmpIsRead() throws Exception {
        BufferedImage image = new BufferedImage(5, 3, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                image.setRGB(x, y, (x * 50 << 16) | (y * 100 << 8) | 30);
            }
        }
        ByteArrayOutputStream bottomUp = new ByteArrayOutputStream();
        ImageIO.write(image, "bmp", bottomUp);
        byte[] b = bottomUp.toByteArray();
        int offset = java.nio.ByteBuffer.wrap(b, 10, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        int stride = 16; // 5 pixels x 3 bytes, padded to 4
        byte[] topDown = b.clone();
        for (int row = 0; row < 3; row++) {
            System.arraycopy(b, offset + row * stride, topDown, offset + (2 - row) * stride, stride);
        }
        java.nio.ByteBuffer.wrap(topDown, 22, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(-3);
        Path file = dir.resolve("top-down.bmp");
        Files.write(file, topDown);
        RgbImage read = reader.read(file);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                assertEquals(x * 50 / 255f, read.get(0, x, y), 1e-6f);
                assertEquals(y * 100 / 255f, read.get(1, x, y), 1e-6f, "row " + y);
            }
        }
    }

    /**
     * WebP files made by libwebp's cwebp (make-webp-fixtures.sh): the lossless one must give the
     * pattern exactly (pixel (x, y) = (16x, 16y, 8(x + y))), the lossy one exactly what libwebp's
     * own dwebp decodes from it (WebpLossyTest covers lossy WebP in depth).
     */
    @Test
    void webpLosslessIsExactAndLossyMatchesLibwebp() throws Exception {
        RgbImage lossless = reader.read(resource("pattern-lossless.webp"));
        assertEquals(16, lossless.width());
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                int[] expected = {16 * x, 16 * y, 8 * (x + y)};
                for (int c = 0; c < 3; c++) {
                    assertEquals(expected[c], lossless.get(c, x, y) * 255, 0.01, "lossless at " + x + "," + y);
                }
            }
        }
        RgbImage lossy = reader.read(resource("pattern-lossy.webp"));
        RgbImage libwebp = reader.read(resource("pattern-lossy-dwebp.png"));
        double mean = TestImages.meanAbsDifference(lossy, libwebp) * 255;
        assertEquals(0, mean, 1e-9, "lossy WebP: mean difference from libwebp " + mean + "/255");
        // The header is read first, by style4j: a WebP bomb is reported as such.
        var tiny = ImageReader.builder().optMaxPixels(255).build();
        var tooLarge = assertThrows(ImageTooLargeException.class, () -> tiny.read(resource("pattern-lossy.webp")));
        assertEquals(16, tooLarge.width());
        assertEquals(16, tooLarge.height());
        var losslessTooLarge = assertThrows(ImageTooLargeException.class,
                () -> tiny.read(resource("pattern-lossless.webp")));
        assertEquals(16, losslessTooLarge.height());
    }

    private Path resource(String name) throws Exception {
        Path file = dir.resolve(name);
        if (Files.exists(file)) {
            return file;
        }
        try (InputStream in = getClass().getResourceAsStream("/images/" + name)) {
            Files.copy(in, file);
        }
        return file;
    }

    /**
     * JPEGs against another decoder, libjpeg-turbo (through Pillow, make-reference-fixtures.py):
     * a progressive 4:4:4 file, and a baseline 4:2:0 one as cameras write them (both decoders
     * use "fancy" chroma upsampling).
     */
    @ParameterizedTest
    @CsvSource({"progressive.jpg, progressive-libjpeg.rgb, 1", "baseline-420.jpg, baseline-420-libjpeg.rgb, 2"})
    void jpegMatchesLibjpegTurbo(String name, String reference, int tolerance) throws Exception {
        Path file = resource(name);
        assertEquals(name.startsWith("progressive"), Imaging.getImageInfo(file.toFile()).isProgressive());
        RgbImage ours = reader.read(file);
        byte[] expected;
        try (InputStream in = getClass().getResourceAsStream("/images/" + reference)) {
            expected = in.readAllBytes();
        }
        assertEquals(32, ours.width());
        assertEquals(16, ours.height());
        int worst = 0;
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) {
                for (int c = 0; c < 3; c++) {
                    int libjpeg = expected[(y * 32 + x) * 3 + c] & 0xff;
                    worst = Math.max(worst, Math.abs(Math.round(ours.get(c, x, y) * 255) - libjpeg));
                }
            }
        }
        // Two IJG-lineage decoders: an IDCT or upsampling rounding step apart at most.
        assertTrue(worst <= tolerance, name + ": largest difference from libjpeg-turbo " + worst + "/255");
    }

    /**
     * Adobe RGB (1998) files converted to sRGB, against littleCMS's conversion of the same
     * stored pixels (Pillow's ImageCms; values in adobe-rgb-expected.txt, made by
     * make-reference-fixtures.py). Catches a profile ignored (up to 27 levels off here) or
     * applied twice.
     */
    @ParameterizedTest
    @ValueSource(strings = {"adobe-rgb.png", "adobe-rgb.jpg"})
    void adobeRgbIsConvertedAsLittleCmsDoes(String name) throws Exception {
        RgbImage read = reader.read(resource(name));
        List<String> rows;
        try (InputStream in = getClass().getResourceAsStream("/images/adobe-rgb-expected.txt")) {
            rows = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).lines()
                    .filter(line -> line.startsWith(name + " ")).toList();
        }
        assertEquals(8, rows.size());
        for (String row : rows) {
            String[] f = row.split(" ");
            int x = Integer.parseInt(f[1]);
            for (int c = 0; c < 3; c++) {
                int expected = Integer.parseInt(f[5 + c]);
                float actual = read.get(c, x, 4) * 255;
                assertEquals(expected, actual, 2.0, name + " block at x=" + x + " channel " + c + " (stored "
                        + f[2] + "," + f[3] + "," + f[4] + ")");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void exifOrientationIsApplied(int orientation) throws Exception {
        // A 64x32 image: black, with a white 16x16 block in the stored top-left corner.
        BufferedImage stored = new BufferedImage(64, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                stored.setRGB(x, y, 0xffffff);
            }
        }
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(stored, "jpeg", jpeg);
        TiffOutputSet exif = new TiffOutputSet();
        exif.getOrCreateRootDirectory().add(TiffTagConstants.TIFF_TAG_ORIENTATION, (short) orientation);
        Path file = dir.resolve("oriented.jpg");
        try (var out = Files.newOutputStream(file)) {
            new ExifRewriter().updateExifMetadataLossless(jpeg.toByteArray(), out, exif);
        }
        assertStoredCornerShownAt(reader.read(file), orientation, 64, 32, 8, 0.1f);
    }

    /**
     * An image stored {@code width x height}, white in its stored top-left corner and black
     * opposite, as displayed for {@code orientation}: sides swapped for 5 to 8, and the white
     * corner where the EXIF / TIFF 6.0 orientation table puts it ({@code inset} pixels in).
     */
    private static void assertStoredCornerShownAt(RgbImage read, int orientation, int width, int height, int inset,
                                                  float tolerance) {
        boolean swapped = orientation >= 5;
        assertEquals(swapped ? height : width, read.width());
        assertEquals(swapped ? width : height, read.height());
        boolean right = orientation == 2 || orientation == 3 || orientation == 6 || orientation == 7;
        boolean bottom = orientation == 3 || orientation == 4 || orientation == 7 || orientation == 8;
        int x = right ? read.width() - 1 - inset : inset;
        int y = bottom ? read.height() - 1 - inset : inset;
        assertEquals(1f, read.get(0, x, y), tolerance, "white corner expected at " + x + "," + y);
        assertEquals(0f, read.get(0, read.width() - 1 - x, read.height() - 1 - y), tolerance);
    }

    /** TIFFs written by Pillow with each orientation tag: the stored top-left corner lands where TIFF 6.0 says. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void tiffOrientationIsApplied(int orientation) throws Exception {
        assertStoredCornerShownAt(reader.read(resource("oriented-" + orientation + ".tif")), orientation, 16, 8, 1,
                1e-6f);
    }

    /** Binary greyscale PNM as Pillow writes it (8-bit) and as the format defines it (16-bit): samples as stored. */
    @Test
    void greyPnmKeepsItsValues() throws Exception {
        RgbImage grey = reader.read(resource("grey.pgm"));
        for (int x = 0; x < 16; x++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(16 * x / 255f, grey.get(c, x, 0), 1e-6f, "8-bit, channel " + c + " at x=" + x);
            }
        }
        RgbImage deep = reader.read(resource("grey16.pgm"));
        assertEquals(16, deep.sourceBitDepth());
        for (int x = 0; x < 16; x++) {
            assertEquals((4099 * x + 7) / 65535f, deep.get(1, x, 1), 1e-6f, "16-bit at x=" + x);
        }
    }

    /**
     * 16-bit RGB and RGBA TIFFs written by ImageMagick (make-reference-fixtures.py) from samples
     * R = 4099x + 7, G = 9001y + 13, B = 65535 - 3001(x + y): every bit kept, uncompressed and
     * deflate with the horizontal predictor; the alpha channel set to 50%.
     */
    @ParameterizedTest
    @ValueSource(strings = {"rgb16.tif", "rgb16-deflate.tif", "rgba16.tif"})
    void sixteenBitRgbTiffKeepsItsValues(String name) throws Exception {
        RgbImage read = reader.read(resource(name));
        assertEquals(16, read.sourceBitDepth());
        assertEquals(6, read.width());
        assertEquals(4, read.height());
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 6; x++) {
                assertEquals((4099 * x + 7) / 65535f, read.get(0, x, y), 1e-7f, name + " red at " + x + "," + y);
                assertEquals((9001 * y + 13) / 65535f, read.get(1, x, y), 1e-7f, name + " green");
                assertEquals((65535 - 3001 * (x + y)) / 65535f, read.get(2, x, y), 1e-7f, name + " blue");
            }
        }
        assertEquals(name.startsWith("rgba"), read.hasAlpha());
        if (read.hasAlpha()) {
            assertEquals(0.5f, read.alpha(3, 2), 1e-4f);
        }
    }

    /**
     * 16-bit TIFFs in LZW (with the horizontal predictor over three strips, and without) and
     * PackBits, written by ImageMagick (make-reference-fixtures.py, section 8) from samples
     * defined by formula; 64x48 with pattern noise, so that LZW's table grows to 12-bit codes.
     * And the same in 48x32 tiles that run past the image's right and bottom edges (section 9).
     */
    @ParameterizedTest
    @ValueSource(strings = {"rgb16-lzw-predictor.tif", "rgb16-lzw.tif", "grey16-packbits.tif",
            "rgb16-tiled-deflate.tif", "grey16-tiled-lzw.tif"})
    void sixteenBitLzwAndPackBitsTiffsKeepTheirValues(String name) throws Exception {
        RgbImage read = reader.read(resource(name));
        assertEquals(16, read.sourceBitDepth());
        assertEquals(64, read.width());
        assertEquals(48, read.height());
        boolean grey = name.startsWith("grey");
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                int[] expected = grey ? new int[] {1000 * x + 13 * y, 1000 * x + 13 * y, 1000 * x + 13 * y}
                        : new int[] {1021 * x + 7 * y + (31 * x * x + 17 * y + 7 * x * y) % 256,
                        1361 * y + 3 * x + (13 * x * y) % 199, 65535 - 511 * (x + y) - (x * x + y * y) % 97};
                for (int c = 0; c < 3; c++) {
                    assertEquals(expected[c] / 65535f, read.get(c, x, y), 1e-7f, name + " at " + x + "," + y + " c" + c);
                }
            }
        }
    }

    /** A 16-bit colour PPM, bytes as ppm(5) defines them: big-endian R, G, B per pixel. */
    @Test
    void sixteenBitColourPpmKeepsItsValues() throws Exception {
        Path file = dir.resolve("deep.ppm");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("P6\n# made by hand\n2 1\n65535\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (int sample : new int[] {63736, 0, 47802, 1, 2, 65535}) {
            bytes.write(sample >> 8);
            bytes.write(sample & 0xff);
        }
        Files.write(file, bytes.toByteArray());
        RgbImage read = reader.read(file);
        assertEquals(16, read.sourceBitDepth());
        assertEquals(63736 / 65535f, read.get(0, 0, 0), 1e-7f);
        assertEquals(0f, read.get(1, 0, 0));
        assertEquals(47802 / 65535f, read.get(2, 0, 0), 1e-7f);
        assertEquals(1f, read.get(2, 1, 0));
    }

    @Test
    void nonSrgbIccProfileIsConvertedToSrgb() throws Exception {
        // Linear-light RGB 0.5 is sRGB 0.7354 (IEC 61966-2-1: 1.055 * 0.5^(1/2.4) - 0.055).
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                image.setRGB(x, y, (128 << 16) | (128 << 8) | 128);
            }
        }
        Path file = dir.resolve("linear.png");
        writePngWithIcc(image, ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB), file);
        RgbImage read = reader.read(file);
        double expected = 1.055 * Math.pow(128 / 255.0, 1 / 2.4) - 0.055;
        assertEquals(expected, read.get(1, 2, 2), 2.0 / 255);
    }

    private static void writePngWithIcc(BufferedImage image, ICC_Profile profile, Path file) throws Exception {
        Iterator<javax.imageio.ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        javax.imageio.ImageWriter writer = writers.next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
        IIOMetadataNode root = new IIOMetadataNode("javax_imageio_png_1.0");
        IIOMetadataNode icc = new IIOMetadataNode("iCCP");
        icc.setAttribute("profileName", "linear");
        icc.setAttribute("compressionMethod", "deflate");
        // The PNG writer stores the user object as the chunk's compressed profile.
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (var deflater = new java.util.zip.DeflaterOutputStream(compressed)) {
            deflater.write(profile.getData());
        }
        icc.setUserObject(compressed.toByteArray());
        root.appendChild(icc);
        metadata.mergeTree("javax_imageio_png_1.0", root);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, metadata), param);
        }
        assertTrue(Imaging.getIccProfile(file.toFile()) != null, "fixture must carry an ICC profile");
    }

    /**
     * A CMYK JPEG written by Pillow (no profile, so a generic CMYK profile converts it): each
     * block keeps its hue, white stays white and black black. Print colours do not map one to
     * one onto sRGB, so the check is on hues, not values.
     */
    @Test
    void cmykJpegIsConvertedToRgb() throws Exception {
        RgbImage read = reader.read(resource("cmyk.jpg"));
        assertEquals(40, read.width());
        for (int block = 0; block < 3; block++) {
            int x = 8 * block + 4;
            for (int c = 0; c < 3; c++) {
                if (c != block) {
                    assertTrue(read.get(block, x, 4) > read.get(c, x, 4) + 0.3f, "block " + block + " channel " + c
                            + ": " + read.get(0, x, 4) + "," + read.get(1, x, 4) + "," + read.get(2, x, 4));
                }
            }
        }
        for (int c = 0; c < 3; c++) {
            assertTrue(read.get(c, 28, 4) > 0.9f, "white");
            assertTrue(read.get(c, 36, 4) < 0.2f, "black");
        }
    }

    @Test
    void pngNamedJpgIsReadByItsContent() throws Exception {
        RgbImage original = TestImages.random(5, 5, 255, false, 9);
        Path png = dir.resolve("real.png");
        ImageWriter.defaults().write(original, png);
        Path misnamed = dir.resolve("actually-png.jpg");
        Files.copy(png, misnamed);
        assertArrayEquals(original.rgb(), reader.read(misnamed).rgb());
    }
}
