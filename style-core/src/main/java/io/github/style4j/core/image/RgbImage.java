package io.github.style4j.core.image;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * An RGB image in memory: three float planes, nominally in {@code [0, 1]} (sRGB encoded, as
 * stored in files), plus an optional alpha plane kept aside so that it can be re-attached
 * on output. Values may leave {@code [0, 1]} after arithmetic (colour transfer, resampling
 * overshoot); writers clamp.
 *
 * <p>Immutable: factories copy the arrays given, accessors return copies. Planes are stored
 * channel-major ({@code rgb[c * width * height + y * width + x]}), the layout of an NCHW tensor.
 */
public final class RgbImage {
    private final int width;
    private final int height;
    private final float[] rgb;
    private final float[] alpha;
    private final int sourceBitDepth;

    private RgbImage(int width, int height, float[] rgb, float[] alpha, int sourceBitDepth) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
        this.alpha = alpha;
        this.sourceBitDepth = sourceBitDepth;
    }

    /**
     * An image from channel-major planes ({@code 3 * width * height} values) and an optional
     * alpha plane ({@code width * height} values, or null). The arrays are copied.
     */
    public static RgbImage of(int width, int height, float[] rgb, float[] alpha) {
        return wrap(width, height, rgb.clone(), alpha == null ? null : alpha.clone(), 8);
    }

    /**
     * As {@link #of}, but takes the arrays without copying them: the caller hands them over and
     * must not change them afterwards. For pictures too large to hold twice (an 8192 x 5461
     * image is 537 MB of float planes).
     */
    public static RgbImage adopt(int width, int height, float[] rgb, float[] alpha) {
        return wrap(width, height, rgb, alpha, 8);
    }

    /** A constant-colour opaque image. */
    public static RgbImage filled(int width, int height, float r, float g, float b) {
        int n = checkedPixels(width, height);
        float[] rgb = new float[3 * n];
        Arrays.fill(rgb, 0, n, r);
        Arrays.fill(rgb, n, 2 * n, g);
        Arrays.fill(rgb, 2 * n, 3 * n, b);
        return wrap(width, height, rgb, null, 8);
    }

    /**
     * The pixels of a decoded {@link java.awt.image.BufferedImage} (samples as stored; grey
     * without the JDK's linear-grey conversion; sRGB assumed).
     *
     * @throws UnsupportedImageException for a colour space other than RGB or grey
     */
    public static RgbImage fromBufferedImage(java.awt.image.BufferedImage image) throws ImageException {
        return ImageReader.toRgb(image, null, java.nio.file.Path.of("<in memory>"));
    }

    /** Takes ownership of the arrays: for code in this package that just made them. */
    static RgbImage wrap(int width, int height, float[] rgb, float[] alpha, int sourceBitDepth) {
        int n = checkedPixels(width, height);
        Objects.requireNonNull(rgb, "rgb");
        if (rgb.length != 3 * n) {
            throw new IllegalArgumentException("rgb has " + rgb.length + " values; a " + width + "x" + height
                    + " image needs " + 3 * n);
        }
        if (alpha != null && alpha.length != n) {
            throw new IllegalArgumentException("alpha has " + alpha.length + " values; a " + width + "x" + height
                    + " image needs " + n);
        }
        return new RgbImage(width, height, rgb, alpha, sourceBitDepth);
    }

    private static int checkedPixels(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        long n = (long) width * height;
        if (3 * n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("image of " + width + "x" + height + " is too large for one array");
        }
        return (int) n;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Bits per sample of the file this came from (8 or 16); 8 for computed images. */
    public int sourceBitDepth() {
        return sourceBitDepth;
    }

    public boolean hasAlpha() {
        return alpha != null;
    }

    /** Channel {@code c} (0 red, 1 green, 2 blue) at column {@code x}, row {@code y}. */
    public float get(int c, int x, int y) {
        return rgb[c * width * height + y * width + x];
    }

    /** Alpha at column {@code x}, row {@code y}; 1 for an opaque image. */
    public float alpha(int x, int y) {
        return alpha == null ? 1f : alpha[y * width + x];
    }

    /** A copy of the channel-major RGB planes. */
    public float[] rgb() {
        return rgb.clone();
    }

    /**
     * The channel-major RGB planes, read-only and not copied: for copying them elsewhere (a
     * tensor) without a second copy on the heap.
     */
    public java.nio.FloatBuffer rgbBuffer() {
        return java.nio.FloatBuffer.wrap(rgb).asReadOnlyBuffer();
    }

    /** A copy of the alpha plane, or null when the image is opaque. */
    public float[] alpha() {
        return alpha == null ? null : alpha.clone();
    }

    /** The same pixels with this alpha plane (or none). */
    public RgbImage withAlpha(float[] newAlpha) {
        return wrap(width, height, rgb, newAlpha == null ? null : newAlpha.clone(), sourceBitDepth);
    }

    /** The same pixels without alpha. */
    public RgbImage withoutAlpha() {
        return alpha == null ? this : new RgbImage(width, height, rgb, null, sourceBitDepth);
    }

    /** Internal view without copying; callers in this package must not modify it. */
    float[] rgbView() {
        return rgb;
    }

    float[] alphaView() {
        return alpha;
    }

    RgbImage withSourceBitDepth(int bits) {
        return new RgbImage(width, height, rgb, alpha, bits);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "RgbImage[%dx%d, %s, %d-bit source]", width, height,
                alpha == null ? "opaque" : "with alpha", sourceBitDepth);
    }
}
