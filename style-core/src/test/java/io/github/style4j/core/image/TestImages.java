package io.github.style4j.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;

/** Seeded images and fixture comparisons for tests. */
final class TestImages {
    private TestImages() {
    }

    /** Random samples on the {@code levels}-level grid (255 for 8-bit, 65535 for 16-bit). */
    static RgbImage random(int width, int height, int levels, boolean alpha, long seed) {
        Random random = new Random(seed);
        int n = width * height;
        float[] rgb = new float[3 * n];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = random.nextInt(levels + 1) / (float) levels;
        }
        float[] a = null;
        if (alpha) {
            a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = random.nextInt(levels + 1) / (float) levels;
            }
        }
        return RgbImage.of(width, height, rgb, a);
    }

    static float maxAbsDifference(RgbImage a, RgbImage b) {
        float[] x = a.rgbView();
        float[] y = b.rgbView();
        float max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }

    static double meanAbsDifference(RgbImage a, RgbImage b) {
        float[] x = a.rgbView();
        float[] y = b.rgbView();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += Math.abs(x[i] - y[i]);
        }
        return sum / x.length;
    }

    /** The bytes of a fixture in {@code src/test/resources/images}. */
    static byte[] fixture(String name) throws java.io.IOException {
        try (InputStream in = TestImages.class.getResourceAsStream("/images/" + name)) {
            assertNotNull(in, name);
            return in.readAllBytes();
        }
    }

    /**
     * Asserts that {@code image} has exactly the 8-bit pixels (and alpha, if the reference has
     * it) of {@code reference}, reporting how many differ and the first. Under full
     * transparency the colour is compared only if {@code colourUnderTransparency}.
     */
    static void assertSamePixels(String name, RgbImage image, BufferedImage reference,
            boolean colourUnderTransparency) {
        int w = reference.getWidth();
        int h = reference.getHeight();
        boolean alpha = reference.getColorModel().hasAlpha();
        assertEquals(alpha, image.hasAlpha(), name + ": alpha");
        int differing = 0;
        String first = null;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int expected = reference.getRGB(x, y);
                int a = alpha ? expected >>> 24 : 255;
                boolean colour = a > 0 || colourUnderTransparency;
                int[] theirs = {colour ? (expected >> 16) & 0xff : 0, colour ? (expected >> 8) & 0xff : 0,
                    colour ? expected & 0xff : 0, a};
                int[] ours = {colour ? Math.round(image.get(0, x, y) * 255) : 0,
                    colour ? Math.round(image.get(1, x, y) * 255) : 0, colour ? Math.round(image.get(2, x, y) * 255) : 0,
                    alpha ? Math.round(image.alpha(x, y) * 255) : 255};
                if (!Arrays.equals(theirs, ours)) {
                    differing++;
                    if (first == null) {
                        first = x + "," + y + ": reference " + Arrays.toString(theirs) + ", style4j "
                                + Arrays.toString(ours);
                    }
                }
            }
        }
        assertEquals(0, differing, name + ": " + differing + " of " + w * h + " pixels differ, first at " + first);
    }
}
