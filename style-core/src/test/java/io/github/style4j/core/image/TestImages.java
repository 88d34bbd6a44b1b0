package io.github.style4j.core.image;

import java.util.Random;

/** Seeded images for tests. */
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
}
