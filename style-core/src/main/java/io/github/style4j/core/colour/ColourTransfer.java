package io.github.style4j.core.colour;

import io.github.style4j.core.image.RgbImage;

/**
 * Colour control for style transfer (Gatys, Bethge, Hertzmann and Shechtman, "Preserving
 * Color in Neural Artistic Style Transfer", 2016, and "Controlling Perceptual Factors in
 * Neural Style Transfer", CVPR 2017): keep the content photo's colours while taking the
 * painting's brush strokes.
 *
 * <p>Results are not clamped, so that the statistics promised below hold exactly; writers
 * clamp to {@code [0, 1]}. Alpha of the first argument is kept.
 */
public final class ColourTransfer {
    /** Added to covariance diagonals so flat (single-colour) images stay invertible. */
    static final double EPSILON = 1e-5;

    private ColourTransfer() {
    }

    /** How to choose the linear map A with A Σ_source Aᵀ = Σ_target (all three satisfy it). */
    public enum Method {
        /** A = L_t L_s⁻¹ with L the Cholesky factors. */
        CHOLESKY,
        /** A = Σ_t^½ Σ_s^-½ with symmetric square roots from the eigen-decomposition (PCA). */
        PCA,
        /**
         * The symmetric solution A = Σ_s^-½ (Σ_s^½ Σ_t Σ_s^½)^½ Σ_s^-½: the optimal-transport map
         * between the two Gaussians, which moves colours least.
         */
        SYMMETRIC
    }

    // ITU-R BT.601 YUV, as torch's image.rgb2yuv (used by neural-style's -original_colors).
    private static final double[] RGB_TO_YUV = {
        0.299, 0.587, 0.114,
        -0.14713, -0.28886, 0.436,
        0.615, -0.51499, -0.10001};
    private static final double[] YUV_TO_RGB = Matrix3.inverse(RGB_TO_YUV);

    /**
     * Luminance-only transfer: the luma (Y) of {@code stylised} with the chrominance (U, V) of
     * {@code content}, as neural-style's {@code -original_colors 1} does. Both must have the
     * same size.
     */
    public static RgbImage luminanceOnly(RgbImage stylised, RgbImage content) {
        requireSameSize(stylised, content, "luminanceOnly");
        int n = stylised.width() * stylised.height();
        float[] s = stylised.rgb();
        float[] c = content.rgb();
        float[] out = new float[3 * n];
        for (int i = 0; i < n; i++) {
            double y = RGB_TO_YUV[0] * s[i] + RGB_TO_YUV[1] * s[n + i] + RGB_TO_YUV[2] * s[2 * n + i];
            double u = RGB_TO_YUV[3] * c[i] + RGB_TO_YUV[4] * c[n + i] + RGB_TO_YUV[5] * c[2 * n + i];
            double v = RGB_TO_YUV[6] * c[i] + RGB_TO_YUV[7] * c[n + i] + RGB_TO_YUV[8] * c[2 * n + i];
            for (int k = 0; k < 3; k++) {
                out[k * n + i] = (float) (YUV_TO_RGB[3 * k] * y + YUV_TO_RGB[3 * k + 1] * u + YUV_TO_RGB[3 * k + 2] * v);
            }
        }
        return RgbImage.of(stylised.width(), stylised.height(), out, stylised.alpha());
    }

    /**
     * Colour-statistics transfer: maps {@code source}'s pixels by x ↦ A (x − μ_s) + μ_t so that
     * their mean and covariance become {@code target}'s. Used before style transfer (recolour
     * the style image to the photo's palette) or after it. Sizes may differ.
     */
    public static RgbImage matchStatistics(RgbImage source, RgbImage target, Method method) {
        Statistics s = Statistics.of(source);
        Statistics t = Statistics.of(target);
        double[] a = switch (method) {
            case CHOLESKY -> Matrix3.multiply(Matrix3.cholesky(t.covariance), Matrix3.inverse(Matrix3.cholesky(s.covariance)));
            case PCA -> Matrix3.multiply(Matrix3.sqrt(t.covariance), Matrix3.apply(s.covariance, v -> 1 / Math.sqrt(v)));
            case SYMMETRIC -> {
                double[] rootS = Matrix3.sqrt(s.covariance);
                double[] inverseRootS = Matrix3.apply(s.covariance, v -> 1 / Math.sqrt(v));
                double[] middle = Matrix3.sqrt(Matrix3.multiply(rootS, Matrix3.multiply(t.covariance, rootS)));
                yield Matrix3.multiply(inverseRootS, Matrix3.multiply(middle, inverseRootS));
            }
        };
        int n = source.width() * source.height();
        float[] x = source.rgb();
        float[] out = new float[3 * n];
        for (int i = 0; i < n; i++) {
            double r = x[i] - s.mean[0];
            double g = x[n + i] - s.mean[1];
            double b = x[2 * n + i] - s.mean[2];
            for (int k = 0; k < 3; k++) {
                out[k * n + i] = (float) (a[3 * k] * r + a[3 * k + 1] * g + a[3 * k + 2] * b + t.mean[k]);
            }
        }
        return RgbImage.of(source.width(), source.height(), out, source.alpha());
    }

    /**
     * Per-channel histogram matching: each channel of {@code source} is mapped monotonically so
     * that its distribution becomes {@code reference}'s (exact when both have the same number of
     * pixels; by linear interpolation of reference quantiles otherwise). Pixels of equal value
     * may map to neighbouring reference values; their order is kept.
     */
    public static RgbImage matchHistograms(RgbImage source, RgbImage reference) {
        int n = source.width() * source.height();
        int m = reference.width() * reference.height();
        float[] x = source.rgb();
        float[] ref = reference.rgb();
        float[] out = new float[3 * n];
        for (int c = 0; c < 3; c++) {
            float[] sorted = java.util.Arrays.copyOfRange(ref, c * m, (c + 1) * m);
            java.util.Arrays.sort(sorted);
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            final int channel = c;
            java.util.Arrays.sort(order, (p, q) -> Float.compare(x[channel * n + p], x[channel * n + q]));
            for (int rank = 0; rank < n; rank++) {
                double position = n == 1 ? 0 : rank * (m - 1) / (double) (n - 1);
                int below = (int) Math.floor(position);
                int above = Math.min(m - 1, below + 1);
                double fraction = position - below;
                out[c * n + order[rank]] = (float) (sorted[below] + fraction * (sorted[above] - sorted[below]));
            }
        }
        return RgbImage.of(source.width(), source.height(), out, source.alpha());
    }

    private static void requireSameSize(RgbImage a, RgbImage b, String operation) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new IllegalArgumentException(operation + " needs images of one size, got " + a.width() + "x"
                    + a.height() + " and " + b.width() + "x" + b.height() + "; resize one first (Resizing.resize)");
        }
    }

    /** Channel means and covariance (population, with {@link #EPSILON} on the diagonal). */
    static final class Statistics {
        final double[] mean = new double[3];
        final double[] covariance = new double[9];

        static Statistics of(RgbImage image) {
            int n = image.width() * image.height();
            float[] x = image.rgb();
            Statistics stats = new Statistics();
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += x[c * n + i];
                }
                stats.mean[c] = sum / n;
            }
            for (int p = 0; p < 3; p++) {
                for (int q = p; q < 3; q++) {
                    double sum = 0;
                    for (int i = 0; i < n; i++) {
                        sum += (x[p * n + i] - stats.mean[p]) * (x[q * n + i] - stats.mean[q]);
                    }
                    stats.covariance[3 * p + q] = sum / n;
                    stats.covariance[3 * q + p] = sum / n;
                }
                stats.covariance[4 * p] += EPSILON;
            }
            return stats;
        }
    }
}
