package io.github.style4j.core.image;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.commons.imaging.ImageFormats;
import org.apache.commons.imaging.Imaging;
import org.apache.commons.imaging.ImagingException;

/**
 * Writes {@link RgbImage}s, choosing the format from the file extension: {@code .png}
 * (8-bit, or 16-bit on request), {@code .tif}/{@code .tiff}, {@code .jpg}/{@code .jpeg}.
 * Values are clamped to {@code [0, 1]} and rounded. Alpha is written to PNG and TIFF and
 * dropped from JPEG, which has none.
 *
 * <p>PNG (8-bit) and TIFF are encoded by Apache Commons Imaging. JPEG is encoded by the
 * JDK's {@code ImageIO} writer, because Commons Imaging cannot write JPEG; 16-bit PNG too,
 * because Commons Imaging writes 8-bit samples only.
 *
 * <p>Every write is atomic ({@link AtomicFiles}): a failure leaves any existing file as it
 * was. Instances are immutable and thread-safe.
 */
public final class ImageWriter {
    private static final ImageWriter DEFAULT = builder().build();

    private final boolean sixteenBitPng;
    private final float jpegQuality;

    private ImageWriter(Builder builder) {
        this.sixteenBitPng = builder.sixteenBitPng;
        this.jpegQuality = builder.jpegQuality;
    }

    /** 8-bit PNG, JPEG quality 0.95. */
    public static ImageWriter defaults() {
        return DEFAULT;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Writes {@code image} to {@code path} in the format its extension names.
     *
     * @throws UnsupportedImageException the extension names no format style4j writes
     * @throws ImageWriteException       the file system refused; nothing existing was changed
     */
    public void write(RgbImage image, Path path) throws ImageException {
        String extension = ImageReader.extension(path);
        checkWritable(extension, path);
        AtomicFiles.write(path, out -> encode(image, extension, out));
    }

    /**
     * The image encoded as a file of the format {@code name}'s extension names, in memory: for
     * storage that is not a local file system (HDFS, S3 through Hadoop's FileSystem).
     *
     * @throws UnsupportedImageException the extension names no format style4j writes
     */
    public byte[] encode(RgbImage image, Path name) throws ImageException {
        String extension = ImageReader.extension(name);
        checkWritable(extension, name);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            encode(image, extension, out);
        } catch (IOException e) {
            throw new ImageWriteException(name, "could not be encoded: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private static void checkWritable(String extension, Path path) throws UnsupportedImageException {
        if (!java.util.Set.of("png", "tif", "tiff", "jpg", "jpeg").contains(extension)) {
            throw new UnsupportedImageException(path, "cannot be written: style4j writes .png, .tif/.tiff "
                    + "and .jpg/.jpeg" + (extension.isEmpty() ? " (the name has no extension)"
                    : ", not ." + extension));
        }
    }

    private void encode(RgbImage image, String extension, java.io.OutputStream out) throws IOException {
        switch (extension) {
            case "png" -> {
                if (sixteenBitPng) {
                    writeWithJdk(toBufferedImage(image, 16), "png", out, 1f);
                } else {
                    writeWithCommons(toBufferedImage(image, 8), ImageFormats.PNG, out);
                }
            }
            case "tif", "tiff" -> writeWithCommons(toBufferedImage(image, 8), ImageFormats.TIFF, out);
            default -> writeWithJdk(toBufferedImage(image.withoutAlpha(), 8), "jpeg", out, jpegQuality);
        }
    }

    /**
     * The image as JPEG at this writer's quality, in memory (alpha dropped): for previews and
     * network responses, where no file is written.
     */
    public byte[] jpegBytes(RgbImage image) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            writeWithJdk(toBufferedImage(image.withoutAlpha(), 8), "jpeg", out, jpegQuality);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // in memory: only a missing JPEG writer gets here
        }
        return out.toByteArray();
    }

    private static void writeWithCommons(BufferedImage image, ImageFormats format, java.io.OutputStream out)
            throws IOException {
        try {
            Imaging.writeImage(image, out, format);
        } catch (ImagingException e) {
            throw new IOException("Commons Imaging could not encode " + format.getName() + ": " + e.getMessage(), e);
        }
    }

    private static void writeWithJdk(BufferedImage image, String format, java.io.OutputStream out, float quality)
            throws IOException {
        Iterator<javax.imageio.ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
        if (!writers.hasNext()) {
            throw new IOException("the JDK has no " + format + " writer");
        }
        javax.imageio.ImageWriter writer = writers.next();
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (format.equals("jpeg")) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }

    /** An sRGB BufferedImage with 8- or 16-bit samples, and alpha if the image has it. */
    static BufferedImage toBufferedImage(RgbImage image, int bits) {
        int w = image.width();
        int h = image.height();
        int n = w * h;
        boolean hasAlpha = image.hasAlpha();
        float[] rgb = image.rgbView();
        float[] alpha = image.alphaView();
        if (bits == 8) {
            // The standard packed types are what Commons Imaging and the JDK JPEG writer handle best.
            BufferedImage packed = new BufferedImage(w, h, hasAlpha ? BufferedImage.TYPE_INT_ARGB
                    : BufferedImage.TYPE_INT_RGB);
            int[] argb = new int[n];
            for (int i = 0; i < n; i++) {
                int a = hasAlpha ? quantise(alpha[i], 255f) : 255;
                argb[i] = (a << 24) | (quantise(rgb[i], 255f) << 16) | (quantise(rgb[n + i], 255f) << 8)
                        | quantise(rgb[2 * n + i], 255f);
            }
            packed.setRGB(0, 0, w, h, argb, 0, w);
            return packed;
        }
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), hasAlpha,
                false, hasAlpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(w, h);
        int[] samples = new int[n];
        for (int band = 0; band < (hasAlpha ? 4 : 3); band++) {
            for (int i = 0; i < n; i++) {
                samples[i] = quantise(band < 3 ? rgb[band * n + i] : alpha[i], 65535f);
            }
            raster.setSamples(0, 0, w, h, band, samples);
        }
        return new BufferedImage(model, raster, false, null);
    }

    /** Clamps to [0, 1] and rounds to the nearest of {@code max + 1} levels. */
    private static int quantise(float v, float max) {
        return Math.round((v < 0f ? 0f : Math.min(v, 1f)) * max);
    }
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ImageWriter[png=%d-bit, jpegQuality=%.2f]", sixteenBitPng ? 16 : 8,
                jpegQuality);
    }

    /** Builder for {@link ImageWriter}; every setting is optional. */
    public static final class Builder {
        private boolean sixteenBitPng;
        private float jpegQuality = 0.95f;

        private Builder() {
        }

        /** Write PNG with 16 bits per sample (default: 8). */
        public Builder optSixteenBitPng(boolean sixteenBitPng) {
            this.sixteenBitPng = sixteenBitPng;
            return this;
        }

        /** JPEG quality in (0, 1] (default 0.95). */
        public Builder optJpegQuality(float jpegQuality) {
            this.jpegQuality = jpegQuality;
            return this;
        }

        public ImageWriter build() {
            if (!(jpegQuality > 0f && jpegQuality <= 1f)) {
                throw new IllegalArgumentException("jpegQuality must be in (0, 1], got " + jpegQuality);
            }
            return new ImageWriter(this);
        }
    }
}
