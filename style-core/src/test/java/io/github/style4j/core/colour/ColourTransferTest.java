package io.github.style4j.core.colour;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.Resizing;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.testing.SharedFiles;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ColourTransferTest {
    /** A photo and a painting, small: real colour distributions, correlated channels. */
    private static RgbImage photo() throws Exception {
        return Resizing.fitToMaxSide(ImageReader.defaults().read(SharedFiles.image("chelsea.png")), 96);
    }

    private static RgbImage painting() throws Exception {
        return Resizing.fitToMaxSide(ImageReader.defaults().read(SharedFiles.image("starry_night.jpg")), 80);
    }

    /** Means and covariance computed here in the plainest way, independently of the code under test. */
    private static double[][] meanAndCovariance(RgbImage image) {
        int w = image.width();
        int h = image.height();
        double[] mean = new double[3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    mean[c] += image.get(c, x, y) / (double) (w * h);
                }
            }
        }
        double[] cov = new double[9];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int p = 0; p < 3; p++) {
                    for (int q = 0; q < 3; q++) {
                        cov[3 * p + q] += (image.get(p, x, y) - mean[p]) * (image.get(q, x, y) - mean[q]) / (w * h);
                    }
                }
            }
        }
        return new double[][] {mean, cov};
    }

    @ParameterizedTest
    @EnumSource(ColourTransfer.Method.class)
    void statisticsTransferMatchesTheTargetsMeanAndCovariance(ColourTransfer.Method method) throws Exception {
        RgbImage recoloured = ColourTransfer.matchStatistics(painting(), photo(), method);
        double[][] got = meanAndCovariance(recoloured);
        double[][] want = meanAndCovariance(photo());
        assertArrayEquals(want[0], got[0], 1e-3, method + " mean");
        assertArrayEquals(want[1], got[1], 1e-3, method + " covariance");
        assertEquals(painting().width(), recoloured.width());
    }

    @Test
    void theMethodsDifferButAgreeOnStatistics() throws Exception {
        RgbImage chol = ColourTransfer.matchStatistics(painting(), photo(), ColourTransfer.Method.CHOLESKY);
        RgbImage sym = ColourTransfer.matchStatistics(painting(), photo(), ColourTransfer.Method.SYMMETRIC);
        double difference = 0;
        for (int i = 0; i < chol.width() * chol.height() * 3; i++) {
            difference += Math.abs(chol.rgb()[i] - sym.rgb()[i]);
        }
        org.junit.jupiter.api.Assertions.assertTrue(difference > 1, "Cholesky and symmetric maps should differ");
    }

    @Test
    void luminanceTransferKeepsTheContentsChrominance() throws Exception {
        RgbImage content = photo();
        RgbImage stylised = Resizing.resize(painting(), content.width(), content.height());
        RgbImage result = ColourTransfer.luminanceOnly(stylised, content);
        for (int y = 0; y < content.height(); y += 3) {
            for (int x = 0; x < content.width(); x += 3) {
                // BT.601 YUV written out here (torch image.rgb2yuv's coefficients).
                double[] want = yuv(content, x, y);
                double[] got = yuv(result, x, y);
                double[] styled = yuv(stylised, x, y);
                assertEquals(want[1], got[1], 1e-5, "U at " + x + "," + y);
                assertEquals(want[2], got[2], 1e-5, "V at " + x + "," + y);
                assertEquals(styled[0], got[0], 1e-5, "Y at " + x + "," + y);
            }
        }
    }

    private static double[] yuv(RgbImage image, int x, int y) {
        double r = image.get(0, x, y);
        double g = image.get(1, x, y);
        double b = image.get(2, x, y);
        return new double[] {0.299 * r + 0.587 * g + 0.114 * b, -0.14713 * r - 0.28886 * g + 0.436 * b,
                0.615 * r - 0.51499 * g - 0.10001 * b};
    }

    @Test
    void luminanceTransferNeedsOneSize() throws Exception {
        // Read first: inside assertThrows a skip for a missing shared file would count as the wrong exception.
        var photo = photo();
        var painting = painting();
        var error = assertThrows(IllegalArgumentException.class, () -> ColourTransfer.luminanceOnly(photo, painting));
        org.junit.jupiter.api.Assertions.assertTrue(error.getMessage().contains("Resizing"), error.getMessage());
    }

    @Test
    void histogramMatchingGivesTheReferenceDistributionAndKeepsOrder() {
        Random random = new Random(3);
        int n = 12 * 10;
        float[] source = new float[3 * n];
        float[] reference = new float[3 * n];
        for (int i = 0; i < 3 * n; i++) {
            source[i] = random.nextFloat();
            reference[i] = (float) Math.pow(random.nextFloat(), 3);
        }
        RgbImage matched = ColourTransfer.matchHistograms(RgbImage.of(12, 10, source, null),
                RgbImage.of(12, 10, reference, null));
        float[] out = matched.rgb();
        for (int c = 0; c < 3; c++) {
            float[] got = Arrays.copyOfRange(out, c * n, (c + 1) * n);
            float[] want = Arrays.copyOfRange(reference, c * n, (c + 1) * n);
            Arrays.sort(got);
            Arrays.sort(want);
            assertArrayEquals(want, got, c + ": same values as the reference");
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (source[c * n + i] < source[c * n + j]) {
                        org.junit.jupiter.api.Assertions.assertTrue(out[c * n + i] <= out[c * n + j], "order kept");
                    }
                }
            }
        }
    }

    @Test
    void matrixHelpersAgreeWithTheirDefinitions() {
        double[] m = {4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2};
        double[] l = Matrix3.cholesky(m);
        assertArrayEquals(m, Matrix3.multiply(l, Matrix3.transpose(l)), 1e-12);
        double[] root = Matrix3.sqrt(m);
        assertArrayEquals(m, Matrix3.multiply(root, root), 1e-12);
        double[] identity = Matrix3.multiply(m, Matrix3.inverse(m));
        assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, identity, 1e-12);
    }
}
