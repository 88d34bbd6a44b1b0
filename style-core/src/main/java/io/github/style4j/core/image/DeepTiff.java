package io.github.style4j.core.image;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * style4j's reader for the common kinds of TIFF: grey, grey+alpha, RGB or RGBA, 8 or 16 bits a
 * sample, samples interleaved, in strips or tiles, uncompressed, LZW, PackBits or deflate (with
 * or without the horizontal predictor), no embedded ICC profile (TIFF 6.0, sections 2, 9, 13,
 * 14, 15 and 21; deflate per Adobe's technical note). Commons Imaging reduces 16-bit samples to 8 bits and linearises grey;
 * TwelveMonkeys' TIFF reader and the JDK's allocated gigabytes for tiny damaged files (fuzz
 * findings, docs/decisions/0006). Every other TIFF (JPEG-compressed, palette, CMYK, bilevel)
 * goes to Commons Imaging.
 * Runs after {@link ContainerChecks#requireBoundedTiff}, so every field, strip and offset lies
 * inside the file; each strip inflates into a buffer of exactly the size it must have.
 */
final class DeepTiff {
    private DeepTiff() {
    }

    /**
     * Refuses odd TIFF variants ({@link #requirePlain}), then decodes the file if it is of the
     * kind described above; null when it is another kind, for Commons Imaging to read.
     */
    static RgbImage read(byte[] b, Path path, long maxPixels) throws ImageException {
        boolean little = b[0] == 'I';
        Map<Integer, long[]> tags = firstDirectory(b, little);
        requirePlain(tags, path);
        return decode(b, tags, little, path, maxPixels);
    }

    private static RgbImage decode(byte[] b, Map<Integer, long[]> tags, boolean little, Path path, long maxPixels)
            throws ImageException {
        long width = first(tags, 256, 0);
        long height = first(tags, 257, 0);
        long[] bits = tags.getOrDefault(258, new long[] {1});
        int samples = (int) first(tags, 277, 1);
        long compression = first(tags, 259, 1);
        long predictor = first(tags, 317, 1);
        long photometric = first(tags, 262, -1);
        int depth = (int) bits[0];
        boolean sameBits = bits.length == samples && java.util.Arrays.stream(bits).allMatch(v -> v == depth);
        boolean grey = (samples == 1 || samples == 2) && (photometric == 0 || photometric == 1);
        boolean colour = (samples == 3 || samples == 4) && photometric == 2;
        if (!sameBits || (depth != 8 && depth != 16) || !(grey || colour) || first(tags, 284, 1) != 1
                || (compression != 1 && compression != 5 && compression != 8 && compression != 32946
                    && compression != 32773) || (predictor != 1 && predictor != 2)
                || tags.containsKey(34675) || width <= 0 || height <= 0) {
            return null;
        }
        boolean tiled = tags.containsKey(322);
        int offsetsTag = tiled ? 324 : 273;
        int countsTag = tiled ? 325 : 279;
        if (!tags.containsKey(offsetsTag) || !tags.containsKey(countsTag) || tiled && !tags.containsKey(323)) {
            return null;
        }
        if (ContainerChecks.exceeds(width, height, maxPixels)) {
            throw new ImageTooLargeException(path, width, height, maxPixels);
        }
        int w = (int) width;
        int h = (int) height;
        int bytesPerSample = depth / 8;
        float max = depth == 16 ? 65535f : 255f;
        int colourSamples = grey ? 1 : 3;
        boolean hasAlpha = samples == colourSamples + 1;
        boolean associatedAlpha = hasAlpha && first(tags, 338, 0) == 1;
        // A strip is a block as wide as the image; a tile, a block of its own size, padded past
        // the image's right and bottom edges (TIFF 6.0, section 15).
        long blockWidth = tiled ? first(tags, 322, 0) : w;
        long blockHeight = tiled ? first(tags, 323, 0) : Math.max(1, Math.min(first(tags, 278, h), h));
        if (blockWidth <= 0 || blockHeight <= 0
                || blockWidth * blockHeight > Math.max((long) w * h, 1 << 20)) {
            throw new CorruptImageException(path, "TIFF declares tiles of " + blockWidth + "x" + blockHeight
                    + " pixels for a " + w + "x" + h + " image; the file is damaged");
        }
        String block = tiled ? "tile" : "strip";
        long[] offsets = tags.get(offsetsTag);
        long[] counts = tags.get(countsTag);
        int rowBytes = (int) blockWidth * samples * bytesPerSample;
        int n = w * h;
        int across = (int) ((w + blockWidth - 1) / blockWidth);
        int down = (int) ((h + blockHeight - 1) / blockHeight);
        long blocks = (long) across * down;
        if (offsets.length < blocks || counts.length < blocks) {
            throw new CorruptImageException(path, "TIFF lists " + offsets.length + " " + block + "s where its "
                    + w + "x" + h + " pixels need " + blocks + " of " + blockWidth + "x" + blockHeight
                    + "; the file is damaged");
        }
        float[] rgb = new float[3 * n];
        float[] alpha = hasAlpha ? new float[n] : null;
        int mask = depth == 16 ? 0xffff : 0xff;
        int[] previous = new int[samples];
        float[] values = new float[samples];
        for (int index = 0; index < blocks; index++) {
            int left = (int) (index % across * blockWidth);
            int top = (int) (index / across * blockHeight);
            int visibleWidth = (int) Math.min(blockWidth, w - left);
            int visibleRows = (int) Math.min(blockHeight, h - top);
            int storedRows = tiled ? (int) blockHeight : visibleRows; // the last strip may be short
            byte[] data = blockBytes(b, (int) offsets[index], (int) counts[index], storedRows * rowBytes, compression,
                    block, path);
            for (int r = 0; r < visibleRows; r++) {
                int y = top + r;
                java.util.Arrays.fill(previous, 0);
                for (int x = 0; x < visibleWidth; x++) {
                    int i = y * w + left + x;
                    for (int s = 0; s < samples; s++) {
                        int at = r * rowBytes + (x * samples + s) * bytesPerSample;
                        int v = bytesPerSample == 1 ? data[at] & 0xff : little
                                ? (data[at] & 0xff) | (data[at + 1] & 0xff) << 8
                                : (data[at] & 0xff) << 8 | (data[at + 1] & 0xff);
                        if (predictor == 2) {
                            v = (v + previous[s]) & mask;
                            previous[s] = v;
                        }
                        values[s] = v / max;
                    }
                    float a = hasAlpha ? values[colourSamples] : 1f;
                    if (alpha != null) {
                        alpha[i] = a;
                    }
                    for (int c = 0; c < 3; c++) {
                        float v = values[grey ? 0 : c];
                        if (grey && photometric == 0) {
                            v = 1f - v; // WhiteIsZero
                        }
                        rgb[c * n + i] = associatedAlpha ? (a > 0 ? Math.min(1f, v / a) : 0f) : v;
                    }
                }
            }
        }
        return RgbImage.wrap(w, h, rgb, alpha, depth == 16 ? 16 : 8);
    }

    private static byte[] blockBytes(byte[] b, int offset, int count, int expected, long compression, String block,
                                     Path path) throws CorruptImageException {
        if (compression == 5) {
            return lzw(b, offset, count, expected, path);
        }
        if (compression == 32773) {
            return packBits(b, offset, count, expected, path);
        }
        if (compression == 1) {
            if (count < expected) {
                throw new CorruptImageException(path, "TIFF " + block + " at byte " + offset + " holds " + count
                        + " bytes but its rows need " + expected + "; the file is damaged or truncated");
            }
            byte[] strip = new byte[expected];
            System.arraycopy(b, offset, strip, 0, expected);
            return strip;
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(b, offset, count);
            byte[] strip = new byte[expected];
            int filled = 0;
            while (filled < expected) {
                int got = inflater.inflate(strip, filled, expected - filled);
                if (got == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    throw new CorruptImageException(path, "TIFF " + block + " at byte " + offset + " inflates to " + filled
                            + " bytes but its rows need " + expected + "; the file is damaged or truncated");
                }
                filled += got;
            }
            return strip;
        } catch (DataFormatException e) {
            throw new CorruptImageException(path, "TIFF " + block + " at byte " + offset + " is not valid deflate data ("
                    + e.getMessage() + "); the file is damaged", e);
        } finally {
            inflater.end();
        }
    }

    /**
     * TIFF's LZW (TIFF 6.0, section 13): codes most significant bit first, 9 to 12 bits wide,
     * widening one code early (at 511, 1023 and 2047 entries, as every TIFF writer does); 256
     * clears the table, 257 ends the strip. Output stops at the strip's size, so a stream that
     * says more cannot write past it.
     */
    static byte[] lzw(byte[] b, int offset, int count, int expected, Path path) throws CorruptImageException {
        if (count >= 2 && b[offset] == 0 && (b[offset + 1] & 1) == 1) {
            throw new CorruptImageException(path, "TIFF strip or tile at byte " + offset + " uses the old LZW variant "
                    + "(least significant bit first) of TIFF 5; re-save the file with a current tool");
        }
        byte[] out = new byte[expected];
        int[] prefix = new int[4096];
        byte[] suffix = new byte[4096];
        byte[] first = new byte[4096];
        int[] length = new int[4096];
        for (int i = 0; i < 256; i++) {
            suffix[i] = (byte) i;
            first[i] = (byte) i;
            length[i] = 1;
        }
        long bit = (long) offset * 8;
        long end = (long) (offset + count) * 8;
        int width = 9;
        int next = 258;
        int previous = -1;
        int filled = 0;
        while (filled < expected && bit + width <= end) {
            int code = 0;
            for (int k = 0; k < width; k++, bit++) {
                code = code << 1 | (b[(int) (bit >>> 3)] >> (7 - (int) (bit & 7))) & 1;
            }
            if (code == 257) {
                break;
            }
            if (code == 256) {
                width = 9;
                next = 258;
                previous = -1;
                continue;
            }
            if (code > next || (code == next && previous < 0) || (code >= 258 && code < next && length[code] == 0)) {
                throw new CorruptImageException(path, "TIFF strip or tile at byte " + offset + " holds LZW code " + code
                        + " where the table has " + next + " entries; the file is damaged");
            }
            if (previous >= 0 && next < 4096) {
                // The new entry: the previous string plus the first byte of this one (of itself, if it is new).
                prefix[next] = previous;
                byte head = code == next ? first[previous] : first[code];
                suffix[next] = head;
                first[next] = first[previous];
                length[next] = length[previous] + 1;
                next++;
                if (next + 1 >= 1 << width && width < 12) {
                    width++;
                }
            }
            // Write the string backwards from its last byte, clipped at the strip's end.
            int n = length[code];
            int at = filled + n - 1;
            for (int c = code; c >= 0 && at >= filled; at--) {
                if (at < expected) {
                    out[at] = suffix[c];
                }
                c = c < 256 ? -1 : prefix[c];
            }
            filled = Math.min(expected, filled + n);
            previous = code;
        }
        if (filled < expected) {
            throw new CorruptImageException(path, "TIFF strip or tile at byte " + offset + " decodes to " + filled
                    + " bytes but its rows need " + expected + "; the file is damaged or truncated");
        }
        return out;
    }

    /** PackBits (TIFF 6.0, section 9): runs and literal stretches, clipped at the strip's size. */
    static byte[] packBits(byte[] b, int offset, int count, int expected, Path path) throws CorruptImageException {
        byte[] out = new byte[expected];
        int filled = 0;
        int at = offset;
        int end = offset + count;
        while (filled < expected && at < end) {
            int header = b[at++];
            if (header >= 0) {
                int n = Math.min(header + 1, Math.min(end - at, expected - filled));
                System.arraycopy(b, at, out, filled, n);
                at += header + 1;
                filled += n;
            } else if (header != -128 && at < end) {
                int n = Math.min(1 - header, expected - filled);
                java.util.Arrays.fill(out, filled, filled + n, b[at++]);
                filled += n;
            }
        }
        if (filled < expected) {
            throw new CorruptImageException(path, "TIFF strip or tile at byte " + offset + " unpacks to " + filled
                    + " bytes but its rows need " + expected + "; the file is damaged or truncated");
        }
        return out;
    }

    /**
     * Refuses TIFF variants outside what photo and scan tools write, before any decoder sees
     * them: Commons Imaging and the JDK's TIFF reader follow odd declarations into huge
     * allocations (46 or 5632 bits a sample, strip lists of different lengths: fuzz findings).
     * Allowed: 1, 2, 4, 8 or 16 bits a sample, the same for every sample; 1 to 4 samples a pixel
     * (5 for CMYK plus alpha); no compression, LZW, JPEG, deflate or PackBits; as many strip (or
     * tile) offsets as byte counts.
     */
    private static void requirePlain(Map<Integer, long[]> tags, Path path) throws UnsupportedImageException {
        int samples = (int) first(tags, 277, 1);
        long[] bits = tags.getOrDefault(258, new long[] {1});
        long compression = first(tags, 259, 1);
        String problem = null;
        if (samples < 1 || samples > 5) {
            problem = samples + " samples a pixel";
        } else if (bits.length == 0 || java.util.Arrays.stream(bits).anyMatch(v -> v != bits[0])
                || !(bits[0] == 1 || bits[0] == 2 || bits[0] == 4 || bits[0] == 8 || bits[0] == 16)) {
            problem = "samples of " + java.util.Arrays.toString(bits) + " bits";
        } else if (!(compression == 1 || compression == 5 || compression == 6 || compression == 7 || compression == 8
                || compression == 32946 || compression == 32773)) {
            problem = "compression scheme " + compression;
        } else if (tags.containsKey(273) && tags.containsKey(279) && tags.get(273).length != tags.get(279).length
                || tags.containsKey(324) && tags.containsKey(325) && tags.get(324).length != tags.get(325).length) {
            problem = "different numbers of strip (or tile) offsets and byte counts";
        }
        if (problem != null) {
            throw new UnsupportedImageException(path, "is a TIFF with " + problem + ", a variant style4j does not "
                    + "read (it reads 1-16 bits a sample, 1-5 samples, uncompressed, LZW, JPEG, deflate or PackBits); "
                    + "convert it first, e.g. `convert in.tif out.png`");
        }
    }

    /** Tag -> values of the first directory, for the few tags read here (SHORT and LONG values). */
    private static Map<Integer, long[]> firstDirectory(byte[] b, boolean little) {
        Map<Integer, long[]> tags = new HashMap<>();
        int ifd = (int) ContainerChecks.tiffU32(b, 4, little);
        int entries = ContainerChecks.tiffU16(b, ifd, little);
        for (int i = 0; i < entries; i++) {
            int at = ifd + 2 + 12 * i;
            int tag = ContainerChecks.tiffU16(b, at, little);
            int type = ContainerChecks.tiffU16(b, at + 2, little);
            long count = ContainerChecks.tiffU32(b, at + 4, little);
            int size = type == 3 ? 2 : type == 4 ? 4 : 0;
            if (size == 0 || count > (1 << 20)) {
                if (tag == 34675 || tag == 322) {
                    tags.put(tag, new long[0]); // presence is what matters for these
                }
                continue;
            }
            int valueAt = count * size <= 4 ? at + 8 : (int) ContainerChecks.tiffU32(b, at + 8, little);
            long[] values = new long[(int) count];
            for (int k = 0; k < count; k++) {
                values[k] = size == 2 ? ContainerChecks.tiffU16(b, valueAt + 2 * k, little) : ContainerChecks.tiffU32(b, valueAt + 4 * k, little);
            }
            tags.put(tag, values);
        }
        return tags;
    }

    private static long first(Map<Integer, long[]> tags, int tag, long fallback) {
        long[] values = tags.get(tag);
        return values == null || values.length == 0 ? fallback : values[0];
    }
}
