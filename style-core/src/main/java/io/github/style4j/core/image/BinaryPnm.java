package io.github.style4j.core.image;

import java.nio.file.Path;

/**
 * style4j's own reader for binary PGM (P5) and PPM (P6), 8 or 16 bits per sample: the samples
 * as stored, divided by maxval. Commons Imaging 1.0.0-alpha6 refuses binary PGM and reads
 * 16-bit P6 as grey low bytes, and the JDK has no PNM decoder; the format is a short text header
 * and raw big-endian samples (Netpbm's pgm(5) and ppm(5)). Other PNM variants (ASCII, PBM, PAM)
 * stay with Commons Imaging.
 */
final class BinaryPnm {
    private BinaryPnm() {
    }

    /** A parsed header: the sample data starts at {@code dataOffset}. */
    record Header(int channels, long width, long height, int maxval, int dataOffset) {
        int bytesPerSample() {
            return maxval > 255 ? 2 : 1;
        }
    }

    static boolean handles(byte[] b) {
        return b.length >= 2 && b[0] == 'P' && (b[1] == '5' || b[1] == '6');
    }

    static Header header(byte[] b, Path path) throws CorruptImageException {
        int[] at = {2};
        long width = number(b, at, path, "width");
        long height = number(b, at, path, "height");
        long maxval = number(b, at, path, "maxval");
        if (width == 0 || height == 0) {
            throw new CorruptImageException(path, "PNM header declares a " + width + "x" + height + " image");
        }
        if (maxval < 1 || maxval > 65535) {
            throw new CorruptImageException(path, "PNM header declares maxval " + maxval + "; it must be 1 to 65535");
        }
        if (at[0] >= b.length || !Character.isWhitespace(b[at[0]])) {
            throw new CorruptImageException(path, "PNM header is not followed by one whitespace byte; the file is "
                    + "damaged or truncated");
        }
        return new Header(b[1] == '5' ? 1 : 3, width, height, (int) maxval, at[0] + 1);
    }

    /** Decodes after the caller has checked the header's size against its pixel limit. */
    static RgbImage decode(byte[] b, Header header, Path path) throws CorruptImageException {
        int w = (int) header.width();
        int h = (int) header.height();
        int n = w * h;
        long needed = (long) n * header.channels() * header.bytesPerSample();
        if (b.length - (long) header.dataOffset() < needed) {
            throw new CorruptImageException(path, "PNM is truncated: " + w + "x" + h + " pixels need " + needed
                    + " bytes of samples but the file holds " + (b.length - header.dataOffset()));
        }
        float[] rgb = new float[3 * n];
        float max = header.maxval();
        int offset = header.dataOffset();
        boolean wide = header.bytesPerSample() == 2;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < header.channels(); c++) {
                int sample = wide ? ((b[offset] & 0xff) << 8) | (b[offset + 1] & 0xff) : b[offset] & 0xff;
                offset += header.bytesPerSample();
                float value = Math.min(1f, sample / max); // a sample above maxval is damage: clamp it
                if (header.channels() == 1) {
                    rgb[i] = value;
                    rgb[n + i] = value;
                    rgb[2 * n + i] = value;
                } else {
                    rgb[c * n + i] = value;
                }
            }
        }
        return RgbImage.wrap(w, h, rgb, null, wide ? 16 : 8);
    }

    /** The next decimal number, after whitespace and '#' comments. */
    private static long number(byte[] b, int[] at, Path path, String what) throws CorruptImageException {
        int i = at[0];
        while (i < b.length && (Character.isWhitespace(b[i]) || b[i] == '#')) {
            if (b[i] == '#') {
                while (i < b.length && b[i] != '\n' && b[i] != '\r') {
                    i++;
                }
            } else {
                i++;
            }
        }
        long value = 0;
        int digits = 0;
        while (i < b.length && b[i] >= '0' && b[i] <= '9') {
            value = value * 10 + (b[i] - '0');
            if (++digits > 9) {
                throw new CorruptImageException(path, "PNM header's " + what + " is too large (over 9 digits)");
            }
            i++;
        }
        if (digits == 0) {
            throw new CorruptImageException(path, "PNM header has no " + what + "; the file is damaged or truncated");
        }
        at[0] = i;
        return value;
    }
}
