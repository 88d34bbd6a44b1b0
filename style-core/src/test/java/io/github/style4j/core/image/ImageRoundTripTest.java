package io.github.style4j.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageRoundTripTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void eightBitPngIsExact(boolean alpha) throws Exception {
        RgbImage original = TestImages.random(37, 23, 255, alpha, 1);
        Path file = dir.resolve("a.png");
        ImageWriter.defaults().write(original, file);
        RgbImage read = ImageReader.defaults().read(file);
        assertArrayEquals(original.rgb(), read.rgb());
        assertArrayEquals(original.alpha(), read.alpha());
        assertEquals(8, read.sourceBitDepth());
        // And an independent decoder sees the same bytes.
        BufferedImage jdk = ImageIO.read(file.toFile());
        assertEquals(Math.round(original.get(1, 5, 7) * 255), (jdk.getRGB(5, 7) >> 8) & 0xff);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void sixteenBitPngIsExact(boolean alpha) throws Exception {
        RgbImage original = TestImages.random(41, 19, 65535, alpha, 2);
        Path file = dir.resolve("a16.png");
        ImageWriter.builder().optSixteenBitPng(true).build().write(original, file);
        RgbImage read = ImageReader.defaults().read(file);
        assertArrayEquals(original.rgb(), read.rgb());
        assertArrayEquals(original.alpha(), read.alpha());
        assertEquals(16, read.sourceBitDepth());
        assertEquals(16, ImageIO.read(file.toFile()).getColorModel().getComponentSize(0));
    }

    @Test
    void tiffIsExact() throws Exception {
        RgbImage original = TestImages.random(20, 30, 255, true, 3);
        Path file = dir.resolve("a.tiff");
        ImageWriter.defaults().write(original, file);
        RgbImage read = ImageReader.defaults().read(file);
        assertArrayEquals(original.rgb(), read.rgb());
        assertArrayEquals(original.alpha(), read.alpha());
    }

    @Test
    void jpegIsCloseAndDropsAlpha() throws Exception {
        // Smooth content: JPEG's error on it is small.
        int w = 64;
        int h = 48;
        float[] rgb = new float[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                rgb[y * w + x] = x / (float) w;
                rgb[w * h + y * w + x] = y / (float) h;
                rgb[2 * w * h + y * w + x] = 0.5f;
            }
        }
        RgbImage original = RgbImage.of(w, h, rgb, new float[w * h]);
        Path file = dir.resolve("a.jpg");
        ImageWriter.builder().optJpegQuality(1f).build().write(original, file);
        RgbImage read = ImageReader.defaults().read(file);
        assertFalse(read.hasAlpha());
        assertTrue(TestImages.meanAbsDifference(original, read) < 2 / 255.0,
                () -> "mean error " + TestImages.meanAbsDifference(original, read));
    }

    @Test
    void writersClampOutOfRangeValues() throws Exception {
        RgbImage wild = RgbImage.of(2, 1, new float[] {-0.5f, 1.7f, 0.5f, 0.5f, 2f, -1f}, null);
        Path file = dir.resolve("clamped.png");
        ImageWriter.defaults().write(wild, file);
        RgbImage read = ImageReader.defaults().read(file);
        assertArrayEquals(new float[] {0f, 1f, 128 / 255f, 128 / 255f, 1f, 0f}, read.rgb());
        assertNull(read.alpha());
    }
}
