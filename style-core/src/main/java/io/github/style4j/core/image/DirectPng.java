package io.github.style4j.core.image;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * style4j's own decoder for the common PNG: not interlaced, 8 or 16 bits a sample, grey,
 * grey+alpha, RGB or RGBA, no colour-key transparency (tRNS) and no ICC profile (iCCP). The
 * image data is inflated one row at a time, unfiltered (PNG specification, section 9) and
 * written straight into float planes, so that no decoded raster is held besides the result: a
 * 12 MP 16-bit photo read in about half the time and 70 MB less memory than through the JDK's
 * decoder and its 16-bit raster (docs/decisions/0006-image-decoders.md). Everything else (palette,
 * 1/2/4-bit, interlaced, tRNS, iCCP) stays with the decoders chosen there.
 *
 * <p>The caller has already walked the chunks ({@link ContainerChecks#requireCompletePng}) and
 * checked the declared size against its pixel limit.
 */
final class DirectPng {
    private DirectPng() {
    }

    /** Whether this decoder reads the PNG (whose IHDR {@link ContainerChecks#pngHeader} accepted). */
    static boolean handles(byte[] b) {
        int bitDepth = b[24] & 0xff;
        int colourType = b[25] & 0xff;
        int compression = b[26] & 0xff;
        int filter = b[27] & 0xff;
        int interlace = b[28] & 0xff;
        return (bitDepth == 8 || bitDepth == 16) && channels(colourType) > 0 && compression == 0 && filter == 0
                && interlace == 0 && !ContainerChecks.hasPngChunk(b, "tRNS")
                && !ContainerChecks.hasPngChunk(b, "iCCP");
    }

    private static int channels(int colourType) {
        return switch (colourType) {
            case 0 -> 1;
            case 2 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> 0;
        };
    }

    static RgbImage decode(byte[] b, Path path) throws CorruptImageException {
        int w = Math.toIntExact(ContainerChecks.u32(b, 16));
        int h = Math.toIntExact(ContainerChecks.u32(b, 20));
        int bytesPerSample = (b[24] & 0xff) / 8;
        int channels = channels(b[25] & 0xff);
        int bytesPerPixel = channels * bytesPerSample;
        int stride = Math.toIntExact((long) w * bytesPerPixel);
        int n = Math.multiplyExact(w, h);
        long rowBytes = (long) h * (1 + stride);
        long compressed = imageDataBytes(b);
        if (compressed * MAX_DEFLATE_RATIO + 1024 < rowBytes) {
            // Checked before the planes are allocated: a few bytes declaring 50 MP must not cost 600 MB.
            throw new CorruptImageException(path, "PNG is truncated: " + w + "x" + h + " pixels need " + rowBytes
                    + " bytes of rows, more than the " + compressed + " bytes of image data in the file can "
                    + "inflate to (deflate shrinks at most " + MAX_DEFLATE_RATIO + " to 1)");
        }
        float[] rgb = new float[Math.multiplyExact(3, n)];
        float[] alpha = channels % 2 == 0 ? new float[n] : null;
        // Each row is kept after bytesPerPixel zeros, so that the filters' "pixel to the left" of
        // the first pixel reads zero without a branch.
        byte[] previous = new byte[bytesPerPixel + stride];
        byte[] current = new byte[bytesPerPixel + stride];
        byte[] filterType = new byte[1];
        ImageData data = new ImageData(b, path);
        Inflater inflater = new Inflater();
        try {
            for (int y = 0; y < h; y++) {
                data.inflateFully(inflater, filterType, 0, 1, y);
                data.inflateFully(inflater, current, bytesPerPixel, stride, y);
                unfilter(filterType[0] & 0xff, current, previous, bytesPerPixel, stride, path, y);
                if (bytesPerSample == 1) {
                    convert8(current, bytesPerPixel, channels, w, n, y * w, rgb, alpha);
                } else {
                    convert16(current, bytesPerPixel, channels, w, n, y * w, rgb, alpha);
                }
                byte[] swap = previous;
                previous = current;
                current = swap;
            }
        } catch (DataFormatException e) {
            throw new CorruptImageException(path, "PNG image data is damaged (" + e.getMessage() + ")", e);
        } finally {
            inflater.end();
        }
        return RgbImage.wrap(w, h, rgb, alpha, 8 * bytesPerSample);
    }

    /**
     * The most deflate can shrink data: a 258-byte match coded in two bits. Anything claiming
     * more is damaged or a lie.
     */
    private static final long MAX_DEFLATE_RATIO = 1032;

    /** The total length of the IDAT chunks. */
    private static long imageDataBytes(byte[] b) {
        long total = 0;
        for (int at = 8; at + 12 <= b.length; ) {
            long length = ContainerChecks.u32(b, at);
            if (b[at + 4] == 'I' && b[at + 5] == 'D' && b[at + 6] == 'A' && b[at + 7] == 'T') {
                total += length;
            }
            if (b[at + 4] == 'I' && b[at + 5] == 'E' && b[at + 6] == 'N' && b[at + 7] == 'D' || at + 12 + length > b.length) {
                break;
            }
            at += 12 + (int) length;
        }
        return total;
    }

    /** The concatenated IDAT chunks, fed to the inflater one chunk at a time. */
    private static final class ImageData {
        private final byte[] b;
        private final Path path;
        private int nextChunk = 8;

        ImageData(byte[] b, Path path) {
            this.b = b;
            this.path = path;
        }

        void inflateFully(Inflater inflater, byte[] into, int from, int length, int row)
                throws DataFormatException, CorruptImageException {
            int done = 0;
            while (done < length) {
                int got = inflater.inflate(into, from + done, length - done);
                done += got;
                if (got == 0) {
                    if (inflater.finished()) {
                        throw new CorruptImageException(path, "PNG image data ends at row " + row + " of "
                                + "the image; the file is damaged or truncated");
                    }
                    if (inflater.needsDictionary()) {
                        throw new CorruptImageException(path, "PNG image data asks for a preset dictionary, "
                                + "which PNG does not allow; the file is damaged");
                    }
                    if (!feed(inflater)) {
                        throw new CorruptImageException(path, "PNG image data ends at row " + row + " of "
                                + "the image; the file is damaged or truncated");
                    }
                }
            }
        }

        /** Gives the inflater the next IDAT chunk's bytes; false when there is none. */
        private boolean feed(Inflater inflater) {
            while (nextChunk + 12 <= b.length) {
                int at = nextChunk;
                int length = Math.toIntExact(ContainerChecks.u32(b, at));
                String type = new String(b, at + 4, 4, StandardCharsets.US_ASCII);
                nextChunk = at + 12 + length;
                if (type.equals("IEND")) {
                    nextChunk = b.length;
                    return false;
                }
                if (type.equals("IDAT") && length > 0) {
                    inflater.setInput(b, at + 8, length);
                    return true;
                }
            }
            return false;
        }
    }

    /** Undoes a row's filter in place; {@code previous} is the unfiltered row above (zeros for the first). */
    private static void unfilter(int type, byte[] row, byte[] previous, int bpp, int stride, Path path, int y)
            throws CorruptImageException {
        int end = bpp + stride;
        switch (type) {
            case 0 -> {
            }
            case 1 -> {
                for (int i = bpp; i < end; i++) {
                    row[i] += row[i - bpp];
                }
            }
            case 2 -> {
                for (int i = bpp; i < end; i++) {
                    row[i] += previous[i];
                }
            }
            case 3 -> {
                for (int i = bpp; i < end; i++) {
                    row[i] += (byte) (((row[i - bpp] & 0xff) + (previous[i] & 0xff)) >>> 1);
                }
            }
            case 4 -> {
                for (int i = bpp; i < end; i++) {
                    row[i] += (byte) paeth(row[i - bpp] & 0xff, previous[i] & 0xff, previous[i - bpp] & 0xff);
                }
            }
            default -> throw new CorruptImageException(path, "PNG row " + y + " has filter type " + type
                    + "; only 0 to 4 exist, so the file is damaged");
        }
    }

    private static int paeth(int left, int above, int upperLeft) {
        int p = left + above - upperLeft;
        int toLeft = Math.abs(p - left);
        int toAbove = Math.abs(p - above);
        int toUpperLeft = Math.abs(p - upperLeft);
        if (toLeft <= toAbove && toLeft <= toUpperLeft) {
            return left;
        }
        return toAbove <= toUpperLeft ? above : upperLeft;
    }

    // Samples divided (not multiplied by a reciprocal) to give exactly the values the
    // raster-based conversion gives for the other decoders.
    private static void convert8(byte[] row, int from, int channels, int w, int n, int to, float[] rgb,
                                 float[] alpha) {
        int colours = channels >= 3 ? 3 : 1;
        for (int x = 0, i = from; x < w; x++, i += channels) {
            for (int c = 0; c < colours; c++) {
                rgb[c * n + to + x] = (row[i + c] & 0xff) / 255f;
            }
            if (colours == 1) {
                rgb[n + to + x] = rgb[to + x];
                rgb[2 * n + to + x] = rgb[to + x];
            }
            if (alpha != null) {
                alpha[to + x] = (row[i + colours] & 0xff) / 255f;
            }
        }
    }

    private static void convert16(byte[] row, int from, int channels, int w, int n, int to, float[] rgb,
                                  float[] alpha) {
        int colours = channels >= 3 ? 3 : 1;
        for (int x = 0, i = from; x < w; x++, i += 2 * channels) {
            for (int c = 0; c < colours; c++) {
                rgb[c * n + to + x] = (((row[i + 2 * c] & 0xff) << 8) | (row[i + 2 * c + 1] & 0xff)) / 65535f;
            }
            if (colours == 1) {
                rgb[n + to + x] = rgb[to + x];
                rgb[2 * n + to + x] = rgb[to + x];
            }
            if (alpha != null) {
                int at = i + 2 * colours;
                alpha[to + x] = (((row[at] & 0xff) << 8) | (row[at + 1] & 0xff)) / 65535f;
            }
        }
    }
}
