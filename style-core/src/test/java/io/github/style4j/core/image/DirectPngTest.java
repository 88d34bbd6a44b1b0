package io.github.style4j.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * style4j's own PNG decoder ({@link DirectPng}) against the JDK's PNG decoder on the same
 * files, sample for sample: every colour type it takes, 8 and 16 bits, odd sizes, rows using
 * each of the five filters, image data split over many IDAT chunks; and damaged data refused.
 */
class DirectPngTest {
    private static final Path NAME = Path.of("test.png");

    /** A noisy gradient: smooth regions (Sub/Up/Average/Paeth win) and noise (None wins). */
    private static BufferedImage image(int w, int h, int bands, int bits, long seed) {
        ColorSpace space = ColorSpace.getInstance(bands <= 2 ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        boolean alpha = bands % 2 == 0;
        int type = bits == 8 ? DataBuffer.TYPE_BYTE : DataBuffer.TYPE_USHORT;
        ComponentColorModel model = new ComponentColorModel(space, alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, type);
        WritableRaster raster = model.createCompatibleWritableRaster(w, h);
        Random random = new Random(seed);
        int max = (1 << bits) - 1;
        for (int y = 0; y < h; y++) {
            int style = y % 7; // rows of different character, under each filter in turn
            for (int x = 0; x < w; x++) {
                for (int b = 0; b < bands; b++) {
                    double v = switch (style) {
                        case 0 -> random.nextDouble();
                        case 1 -> (double) x / w;
                        case 2 -> (double) y / h;
                        case 3 -> 0.5 + 0.4 * Math.sin(x * 0.05 + b) * Math.cos(y * 0.07);
                        default -> (double) (x + y + 7 * b) % 97 / 96;
                    };
                    raster.setSample(x, y, b, (int) Math.round(v * max));
                }
            }
        }
        return new BufferedImage(model, raster, false, null);
    }

    private static byte[] png(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, "png", out));
        return out.toByteArray();
    }

    /**
     * The image as a PNG whose row {@code y} uses filter {@code y % 5}: the JDK's writer uses
     * no filter at all, so the rows are filtered here (PNG specification, section 9.2).
     */
    private static byte[] filteredPng(Raster raster, int bits) throws Exception {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        int bpp = bands * bits / 8;
        int stride = w * bpp;
        byte[] previous = new byte[stride];
        ByteArrayOutputStream rows = new ByteArrayOutputStream();
        for (int y = 0; y < h; y++) {
            byte[] row = new byte[stride];
            for (int x = 0; x < w; x++) {
                for (int b = 0; b < bands; b++) {
                    int sample = raster.getSample(x, y, b);
                    if (bits == 8) {
                        row[x * bpp + b] = (byte) sample;
                    } else {
                        row[x * bpp + 2 * b] = (byte) (sample >> 8);
                        row[x * bpp + 2 * b + 1] = (byte) sample;
                    }
                }
            }
            int filter = y % 5;
            rows.write(filter);
            for (int i = 0; i < stride; i++) {
                int left = i >= bpp ? row[i - bpp] & 0xff : 0;
                int above = previous[i] & 0xff;
                int upperLeft = i >= bpp ? previous[i - bpp] & 0xff : 0;
                int predictor = switch (filter) {
                    case 0 -> 0;
                    case 1 -> left;
                    case 2 -> above;
                    case 3 -> (left + above) / 2;
                    default -> {
                        int p = left + above - upperLeft;
                        int pa = Math.abs(p - left);
                        int pb = Math.abs(p - above);
                        int pc = Math.abs(p - upperLeft);
                        yield pa <= pb && pa <= pc ? left : pb <= pc ? above : upperLeft;
                    }
                };
                rows.write((row[i] - predictor) & 0xff);
            }
            previous = row;
        }
        int colourType = switch (bands) {
            case 1 -> 0;
            case 2 -> 4;
            case 3 -> 2;
            default -> 6;
        };
        return pngOf(w, h, bits, colourType, rows.toByteArray());
    }

    @ParameterizedTest(name = "{0}x{1}, {2} band(s), {3} bits")
    @CsvSource({"97, 61, 1, 8", "97, 61, 2, 8", "97, 61, 3, 8", "97, 61, 4, 8", "97, 61, 1, 16", "97, 61, 2, 16",
            "97, 61, 3, 16", "97, 61, 4, 16", "1, 1, 3, 8", "1, 9, 4, 16", "300, 7, 3, 8"})
    void equalsTheJdkDecodersSamples(int w, int h, int bands, int bits) throws Exception {
        Raster source = image(w, h, bands, bits, 31L * w + h + bands + bits).getRaster();
        byte[] file = filteredPng(source, bits);
        assertTrue(DirectPng.handles(file), "the file is one the direct decoder takes");
        RgbImage ours = ImageReader.defaults().read(file, NAME);
        Raster jdk = ImageIO.read(new ByteArrayInputStream(file)).getRaster();
        // The JDK's decoder gives back the source samples: the test's own filtering is right.
        assertEquals(java.util.Arrays.toString(source.getPixels(0, 0, w, h, (int[]) null)),
                java.util.Arrays.toString(jdk.getPixels(0, 0, w, h, (int[]) null)));
        float max = (1 << bits) - 1;
        int colours = bands <= 2 ? 1 : 3;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    float expected = jdk.getSample(x, y, colours == 1 ? 0 : c) / max;
                    assertEquals(expected, ours.get(c, x, y), 0f, "band " + c + " at " + x + "," + y);
                }
                if (bands % 2 == 0) {
                    assertEquals(jdk.getSample(x, y, colours) / max, ours.alpha()[y * w + x], 0f,
                            "alpha at " + x + "," + y);
                }
            }
        }
        if (bands % 2 == 1) {
            assertNull(ours.alpha());
        } else {
            assertNotNull(ours.alpha());
        }
        assertEquals(bits, ours.sourceBitDepth());
    }

    /** An 8-bit RGB PNG built by hand from raw rows (each starting with its filter byte). */
    private static byte[] handMade(int w, int h, byte[] rows) throws Exception {
        return pngOf(w, h, 8, 2, rows);
    }

    private static byte[] pngOf(int w, int h, int bits, int colourType, byte[] rows) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) bits).put((byte) colourType)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        Deflater deflater = new Deflater();
        deflater.setInput(rows);
        deflater.finish();
        // Split over IDAT chunks of at most 1000 bytes, as large files are.
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (!deflater.finished()) {
            compressed.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        byte[] stream = compressed.toByteArray();
        for (int at = 0; at < stream.length; at += 1000) {
            chunk(out, "IDAT", java.util.Arrays.copyOfRange(stream, at, Math.min(stream.length, at + 1000)));
        }
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws Exception {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(name);
        out.write(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void imageDataShorterThanTheHeaderSaysIsRefusedWithTheRow() throws Exception {
        byte[] twoRows = new byte[2 * (1 + 4 * 3)]; // filter 0, black
        byte[] file = handMade(4, 3, twoRows);
        CorruptImageException error = assertThrows(CorruptImageException.class,
                () -> ImageReader.defaults().read(file, NAME));
        assertTrue(error.getMessage().contains("ends at row 2"), error.getMessage());
    }

    @Test
    void aLargeDeclaredSizeWithLittleImageDataIsRefusedBeforeAllocating() throws Exception {
        // 7000x7000 (under the 50 MP limit) with one row's worth of data: 147 MB of rows that the
        // few bytes of deflate cannot possibly hold.
        byte[] file = handMade(7000, 7000, new byte[1 + 7000 * 3]);
        long[] allocated = new long[1];
        CorruptImageException error = assertThrows(CorruptImageException.class, () -> {
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            try {
                ImageReader.defaults().read(file, NAME);
            } finally {
                allocated[0] = threads.getCurrentThreadAllocatedBytes() - before;
            }
        });
        assertTrue(error.getMessage().contains("PNG is truncated"), error.getMessage());
        assertTrue(allocated[0] < 16 << 20, "refusing it allocated " + allocated[0] + " bytes");
    }

    @Test
    void anUnknownFilterTypeIsRefused() throws Exception {
        byte[] rows = new byte[2 * (1 + 4 * 3)];
        rows[1 + 4 * 3] = 7;
        byte[] file = handMade(4, 2, rows);
        CorruptImageException error = assertThrows(CorruptImageException.class,
                () -> ImageReader.defaults().read(file, NAME));
        assertTrue(error.getMessage().contains("filter type 7"), error.getMessage());
    }

    @Test
    void damagedDeflateIsRefused() throws Exception {
        byte[] file = handMade(4, 2, new byte[2 * (1 + 4 * 3)]);
        int idat = 8 + 25;
        file[idat + 8] = (byte) 0xff; // the zlib header's first byte: an unknown compression method
        CorruptImageException error = assertThrows(CorruptImageException.class,
                () -> ImageReader.defaults().read(file, NAME));
        assertTrue(error.getMessage().contains("PNG image data is damaged"), error.getMessage());
    }

    @Test
    void palettePngsAndColourKeysStayWithTheOtherDecoders() throws Exception {
        BufferedImage indexed = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_INDEXED);
        assertTrue(!DirectPng.handles(png(indexed)), "palette");
        BufferedImage rgb = image(8, 8, 3, 8, 1);
        byte[] plain = png(rgb);
        assertTrue(DirectPng.handles(plain));
        // The same file with a tRNS chunk (a transparent colour) inserted after IHDR.
        ByteArrayOutputStream keyed = new ByteArrayOutputStream();
        keyed.write(plain, 0, 8 + 25);
        chunk(keyed, "tRNS", new byte[] {0, 0, 0, 0, 0, 0});
        keyed.write(plain, 8 + 25, plain.length - 8 - 25);
        assertTrue(!DirectPng.handles(keyed.toByteArray()), "tRNS");
    }
}
