package io.github.style4j.core.video;

import io.github.style4j.core.image.AtomicFiles;
import io.github.style4j.core.image.CorruptImageException;
import io.github.style4j.core.image.ImageException;
import io.github.style4j.core.image.ImageFileException;
import io.github.style4j.core.image.RgbImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A dense optical flow field: for each pixel {@code (x, y)} of a frame, the displacement
 * {@code (u, v)} to where that point is in another frame. style4j uses <em>backward</em> flow,
 * from the current frame to the previous one (as Ruder et al.'s artistic-videos does): the
 * previous result, sampled at {@code (x + u, y + v)}, is the current frame's starting point.
 *
 * <p>Files are Middlebury {@code .flo}: the float 202021.25 ("PIEH"), width and height as
 * 32-bit integers, then {@code (u, v)} pairs of 32-bit floats row by row, all little-endian.
 * Values above 1e9 mark unknown flow.
 */
public final class OpticalFlow {
    /** "PIEH" read as a little-endian float. */
    static final float MAGIC = 202021.25f;
    /** Larger components mark unknown flow (Middlebury's convention). */
    static final float UNKNOWN = 1e9f;
    private static final int MAX_SIDE = 1 << 15;

    private final int width;
    private final int height;
    private final float[] u;
    private final float[] v;

    private OpticalFlow(int width, int height, float[] u, float[] v) {
        this.width = width;
        this.height = height;
        this.u = u;
        this.v = v;
    }

    /** A flow from its components, each {@code width * height} values row by row (copied). */
    public static OpticalFlow of(int width, int height, float[] u, float[] v) {
        if (width < 1 || height < 1 || u.length != (long) width * height || v.length != u.length) {
            throw new IllegalArgumentException("a " + width + "x" + height + " flow needs " + (long) width * height
                    + " values per component, got " + u.length + " and " + v.length);
        }
        return new OpticalFlow(width, height, u.clone(), v.clone());
    }

    /** The same displacement everywhere: a camera pan. */
    public static OpticalFlow uniform(int width, int height, float u, float v) {
        float[] us = new float[width * height];
        float[] vs = new float[width * height];
        java.util.Arrays.fill(us, u);
        java.util.Arrays.fill(vs, v);
        return new OpticalFlow(width, height, us, vs);
    }

    /**
     * Reads a Middlebury {@code .flo} file.
     *
     * @throws ImageFileException    missing or unreadable
     * @throws CorruptImageException not a {@code .flo} file, or truncated
     */
    public static OpticalFlow read(Path file) throws ImageException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ImageFileException(file, "does not exist (no optical flow file for this frame)", e);
        } catch (IOException e) {
            throw new ImageFileException(file, "cannot be read: " + e.getMessage(), e);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 12 || in.getFloat(0) != MAGIC) {
            throw new CorruptImageException(file, "is not a Middlebury .flo file (it does not start with PIEH)");
        }
        int width = in.getInt(4);
        int height = in.getInt(8);
        if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
            throw new CorruptImageException(file, "declares a " + width + "x" + height + " flow, which cannot be right");
        }
        long expected = 12 + 8L * width * height;
        if (bytes.length != expected) {
            throw new CorruptImageException(file, "has " + bytes.length + " bytes where a " + width + "x" + height
                    + " flow has " + expected + (bytes.length < expected ? " (truncated)" : ""));
        }
        float[] u = new float[width * height];
        float[] v = new float[width * height];
        in.position(12);
        for (int i = 0; i < u.length; i++) {
            u[i] = in.getFloat();
            v[i] = in.getFloat();
        }
        return new OpticalFlow(width, height, u, v);
    }

    /** Writes this flow as a Middlebury {@code .flo} file, atomically. */
    public void write(Path file) throws ImageException {
        ByteBuffer out = ByteBuffer.allocate(12 + 8 * u.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putFloat(MAGIC).putInt(width).putInt(height);
        for (int i = 0; i < u.length; i++) {
            out.putFloat(u[i]).putFloat(v[i]);
        }
        AtomicFiles.write(file, stream -> stream.write(out.array()));
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Horizontal displacement at {@code (x, y)}, in pixels. */
    public float u(int x, int y) {
        return u[y * width + x];
    }

    /** Vertical displacement at {@code (x, y)}, in pixels. */
    public float v(int x, int y) {
        return v[y * width + x];
    }

    private boolean known(int i) {
        return Math.abs(u[i]) < UNKNOWN && Math.abs(v[i]) < UNKNOWN && Float.isFinite(u[i]) && Float.isFinite(v[i]);
    }

    /**
     * This flow at another resolution (a frame processed smaller than the flow was computed):
     * sampled bilinearly, the displacements scaled with the size.
     */
    public OpticalFlow resized(int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) {
            return this;
        }
        float sx = (float) newWidth / width;
        float sy = (float) newHeight / height;
        float[] nu = new float[newWidth * newHeight];
        float[] nv = new float[newWidth * newHeight];
        for (int y = 0; y < newHeight; y++) {
            for (int x = 0; x < newWidth; x++) {
                // pixel centres map to pixel centres
                float fx = (x + 0.5f) / sx - 0.5f;
                float fy = (y + 0.5f) / sy - 0.5f;
                int i = y * newWidth + x;
                int nearest = Math.min(height - 1, Math.max(0, Math.round(fy))) * width
                        + Math.min(width - 1, Math.max(0, Math.round(fx)));
                if (!known(nearest)) {
                    nu[i] = u[nearest];
                    nv[i] = v[nearest];
                    continue;
                }
                nu[i] = sample(u, width, height, fx, fy) * sx;
                nv[i] = sample(v, width, height, fx, fy) * sy;
            }
        }
        return new OpticalFlow(newWidth, newHeight, nu, nv);
    }

    /**
     * The previous frame's picture moved into this frame: each pixel sampled (bilinearly) at
     * {@code (x + u, y + v)} in {@code previous}, which must have this flow's size. Points that
     * fall outside take the nearest edge pixel; {@link #reliability} gives them weight 0.
     */
    public RgbImage warp(RgbImage previous) {
        if (previous.width() != width || previous.height() != height) {
            throw new IllegalArgumentException("the picture is " + previous.width() + "x" + previous.height()
                    + " but the flow is " + width + "x" + height + "; resize the flow first (resized)");
        }
        int n = width * height;
        float[] source = previous.rgb();
        float[] rgb = new float[3 * n];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                float fx = known(i) ? x + u[i] : x;
                float fy = known(i) ? y + v[i] : y;
                for (int c = 0; c < 3; c++) {
                    rgb[c * n + i] = sampleChannel(source, c * n, width, height, fx, fy);
                }
            }
        }
        return RgbImage.of(width, height, rgb, null);
    }

    /**
     * Where this (backward) flow can be trusted, per pixel, 1 or 0 ({@code width * height},
     * row by row), after Ruder et al. (2016): 0 where the flow is unknown or leads outside the
     * previous frame; at motion boundaries, {@code |∇u|² + |∇v|² > 0.01 |w|² + 0.002}; and, when
     * the {@code forward} flow (previous frame to this one) is given, at disocclusions, where
     * the two flows do not cancel: {@code |ŵ + w|² > 0.01 (|ŵ|² + |w|²) + 0.5}, with {@code ŵ}
     * the forward flow at {@code (x + u, y + v)}.
     *
     * @param forward the forward flow, this flow's size, or null
     */
    public float[] reliability(OpticalFlow forward) {
        if (forward != null && (forward.width != width || forward.height != height)) {
            throw new IllegalArgumentException("the forward flow is " + forward.width + "x" + forward.height
                    + " but the backward flow is " + width + "x" + height);
        }
        float[] weights = new float[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                if (!known(i)) {
                    continue;
                }
                float fx = x + u[i];
                float fy = y + v[i];
                if (fx < 0 || fy < 0 || fx > width - 1 || fy > height - 1) {
                    continue;
                }
                float ux = derivative(u, x, y, true);
                float uy = derivative(u, x, y, false);
                float vx = derivative(v, x, y, true);
                float vy = derivative(v, x, y, false);
                float squared = u[i] * u[i] + v[i] * v[i];
                if (ux * ux + uy * uy + vx * vx + vy * vy > 0.01f * squared + 0.002f) {
                    continue;
                }
                if (forward != null) {
                    float fu = sample(forward.u, width, height, fx, fy);
                    float fv = sample(forward.v, width, height, fx, fy);
                    float su = fu + u[i];
                    float sv = fv + v[i];
                    if (su * su + sv * sv > 0.01f * (fu * fu + fv * fv + squared) + 0.5f) {
                        continue;
                    }
                }
                weights[i] = 1;
            }
        }
        return weights;
    }

    /** Central difference (one-sided at the border). */
    private float derivative(float[] component, int x, int y, boolean alongX) {
        int lo = alongX ? Math.max(0, x - 1) : Math.max(0, y - 1);
        int hi = alongX ? Math.min(width - 1, x + 1) : Math.min(height - 1, y + 1);
        if (hi == lo) {
            return 0;
        }
        float a = alongX ? component[y * width + lo] : component[lo * width + x];
        float b = alongX ? component[y * width + hi] : component[hi * width + x];
        return (b - a) / (hi - lo);
    }

    private static float sample(float[] values, int width, int height, float x, float y) {
        return sampleChannel(values, 0, width, height, x, y);
    }

    /** Bilinear sample of one channel at {@code offset}, clamped to the edges. */
    private static float sampleChannel(float[] values, int offset, int width, int height, float x, float y) {
        x = Math.max(0, Math.min(width - 1, x));
        y = Math.max(0, Math.min(height - 1, y));
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        int x1 = Math.min(width - 1, x0 + 1);
        int y1 = Math.min(height - 1, y0 + 1);
        float ax = x - x0;
        float ay = y - y0;
        float top = values[offset + y0 * width + x0] * (1 - ax) + values[offset + y0 * width + x1] * ax;
        float bottom = values[offset + y1 * width + x0] * (1 - ax) + values[offset + y1 * width + x1] * ax;
        return top * (1 - ay) + bottom * ay;
    }

    @Override
    public String toString() {
        double sum = 0;
        for (int i = 0; i < u.length; i++) {
            if (known(i)) {
                sum += Math.hypot(u[i], v[i]);
            }
        }
        return String.format(Locale.ROOT, "OpticalFlow[%dx%d, mean displacement %.2f px]", width, height,
                sum / u.length);
    }
}
