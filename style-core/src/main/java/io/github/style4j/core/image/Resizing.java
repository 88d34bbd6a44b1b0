package io.github.style4j.core.image;

/**
 * Resizes {@link RgbImage}s: separable convolution with a {@link ResizeFilter} whose support
 * is widened by the shrink factor when downscaling (so fine detail averages out instead of
 * aliasing). Colour is premultiplied by alpha while resampling, so transparent pixels do not
 * bleed their colour into opaque neighbours. Results are clamped to {@code [0, 1]} (Lanczos
 * and bicubic overshoot at edges).
 */
public final class Resizing {
    private Resizing() {
    }

    /** Resizes to exactly {@code width x height} with {@link ResizeFilter#AUTO}. */
    public static RgbImage resize(RgbImage image, int width, int height) {
        return resize(image, width, height, ResizeFilter.AUTO);
    }

    /** Resizes to exactly {@code width x height}. */
    public static RgbImage resize(RgbImage image, int width, int height, ResizeFilter filter) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        if (width == image.width() && height == image.height()) {
            return image;
        }
        int inW = image.width();
        int inH = image.height();
        int inN = inW * inH;
        float[] rgb = image.rgbView();
        float[] alpha = image.alphaView();
        int planes = alpha == null ? 3 : 4;
        float[][] source = new float[planes][];
        for (int c = 0; c < 3; c++) {
            source[c] = new float[inN];
            System.arraycopy(rgb, c * inN, source[c], 0, inN);
            if (alpha != null) {
                for (int i = 0; i < inN; i++) {
                    source[c][i] *= alpha[i];
                }
            }
        }
        if (alpha != null) {
            source[3] = alpha;
        }
        Weights horizontal = Weights.of(inW, width, filter.forAxis(inW, width));
        Weights vertical = Weights.of(inH, height, filter.forAxis(inH, height));
        boolean clamp = filter.forAxis(inW, width) != ResizeFilter.AREA || filter.forAxis(inH, height) != ResizeFilter.AREA;

        int outN = width * height;
        float[] outRgb = new float[3 * outN];
        float[] outAlpha = alpha == null ? null : new float[outN];
        float[] rows = new float[width * inH];
        for (int p = 0; p < planes; p++) {
            float[] in = source[p];
            for (int y = 0; y < inH; y++) {
                horizontal.apply(in, y * inW, 1, rows, y * width, 1);
            }
            float[] out = p < 3 ? new float[outN] : outAlpha;
            for (int x = 0; x < width; x++) {
                vertical.apply(rows, x, width, out, x, width);
            }
            if (p < 3) {
                System.arraycopy(out, 0, outRgb, p * outN, outN);
            }
        }
        if (outAlpha != null) {
            for (int i = 0; i < outN; i++) {
                float a = clamp ? Math.max(0f, Math.min(1f, outAlpha[i])) : outAlpha[i];
                outAlpha[i] = a;
                for (int c = 0; c < 3; c++) {
                    outRgb[c * outN + i] = a > 1e-6f ? outRgb[c * outN + i] / a : 0f;
                }
            }
        }
        if (clamp) {
            for (int i = 0; i < outRgb.length; i++) {
                outRgb[i] = Math.max(0f, Math.min(1f, outRgb[i]));
            }
        }
        return RgbImage.wrap(width, height, outRgb, outAlpha, image.sourceBitDepth());
    }

    /**
     * Scales so that the longer side is {@code maxSide} pixels, keeping the aspect ratio
     * (the shorter side is rounded, and at least 1).
     */
    public static RgbImage fitToMaxSide(RgbImage image, int maxSide) {
        int[] size = fittedSize(image.width(), image.height(), maxSide);
        return resize(image, size[0], size[1]);
    }

    /** The {@code {width, height}} that {@link #fitToMaxSide} produces. */
    public static int[] fittedSize(int width, int height, int maxSide) {
        if (maxSide <= 0) {
            throw new IllegalArgumentException("maxSide must be positive, got " + maxSide);
        }
        double factor = maxSide / (double) Math.max(width, height);
        return new int[] {Math.max(1, (int) Math.round(width * factor)), Math.max(1, (int) Math.round(height * factor))};
    }

    /** Scales both sides by {@code factor} (e.g. 0.5 halves them), keeping the aspect ratio. */
    public static RgbImage scale(RgbImage image, double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("scale factor must be positive and finite, got " + factor);
        }
        return resize(image, Math.max(1, (int) Math.round(image.width() * factor)),
                Math.max(1, (int) Math.round(image.height() * factor)));
    }

    /** Precomputed normalised weights for one axis: for each output index, a run of input indices. */
    private record Weights(int[] start, int[] count, float[][] weights) {
        static Weights of(int in, int out, ResizeFilter filter) {
            double scale = in / (double) out;
            double stretch = Math.max(scale, 1.0);
            double support = filter.support() * stretch;
            int[] start = new int[out];
            int[] count = new int[out];
            float[][] weights = new float[out][];
            for (int i = 0; i < out; i++) {
                double centre = (i + 0.5) * scale;
                int first = Math.max(0, (int) Math.floor(centre - support));
                int last = Math.min(in - 1, (int) Math.ceil(centre + support));
                double[] w = new double[last - first + 1];
                double sum = 0;
                for (int j = first; j <= last; j++) {
                    w[j - first] = filter.weight((j + 0.5 - centre) / stretch);
                    sum += w[j - first];
                }
                if (sum == 0) { // can only happen for AREA at extreme enlargements: take the nearest pixel
                    int nearest = Math.min(in - 1, (int) centre);
                    w = new double[] {1};
                    first = nearest;
                    sum = 1;
                }
                weights[i] = new float[w.length];
                for (int k = 0; k < w.length; k++) {
                    weights[i][k] = (float) (w[k] / sum);
                }
                start[i] = first;
                count[i] = w.length;
            }
            return new Weights(start, count, weights);
        }

        void apply(float[] in, int inOffset, int inStride, float[] out, int outOffset, int outStride) {
            for (int i = 0; i < start.length; i++) {
                float[] w = weights[i];
                int at = inOffset + start[i] * inStride;
                float sum = 0;
                for (int k = 0; k < count[i]; k++) {
                    sum += w[k] * in[at];
                    at += inStride;
                }
                out[outOffset + i * outStride] = sum;
            }
        }
    }
}
