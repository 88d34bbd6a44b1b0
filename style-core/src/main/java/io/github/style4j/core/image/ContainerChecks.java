package io.github.style4j.core.image;

import java.nio.file.Path;

/**
 * What style4j reads from PNG and JPEG headers itself, without a decoder: the declared size
 * (so the pixel limit is enforced before any decoder allocates) and whether the file is
 * complete (decoders tend to fill a truncated image with grey and say nothing).
 */
final class ContainerChecks {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private ContainerChecks() {
    }

    /**
     * What a header declares.
     *
     * @param bitDepth   bits per sample
     * @param components colour components (JPEG: 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK); 0 if unknown
     * @param grey       whether the image is greyscale (PNG colour types 0 and 4, one-component JPEG)
     */
    record Header(long width, long height, int bitDepth, int components, boolean grey) {
    }

    /**
     * Whether a width x height image has more than {@code maxPixels} pixels; without overflow,
     * since two 32-bit header fields multiply past a long (0xffffffff x 0xffff00aa came out
     * negative and passed as small: a fuzz finding).
     */
    static boolean exceeds(long width, long height, long maxPixels) {
        return width > maxPixels || height > maxPixels || Math.multiplyHigh(width, height) != 0
                || width * height < 0 || width * height > maxPixels;
    }

    static boolean isPng(byte[] b) {
        if (b.length < PNG_SIGNATURE.length) {
            return false;
        }
        for (int i = 0; i < PNG_SIGNATURE.length; i++) {
            if (b[i] != PNG_SIGNATURE[i]) {
                return false;
            }
        }
        return true;
    }

    static boolean isJpeg(byte[] b) {
        return b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff;
    }

    /** The IHDR of a PNG: it must be the first chunk. */
    static Header pngHeader(byte[] b, Path path) throws CorruptImageException {
        if (b.length < 8 + 8 + 13 || !"IHDR".equals(new String(b, 12, 4, java.nio.charset.StandardCharsets.US_ASCII))) {
            throw new CorruptImageException(path, "PNG signature but no IHDR header chunk; the file is damaged");
        }
        long width = u32(b, 16);
        long height = u32(b, 20);
        int bitDepth = b[24] & 0xff;
        int colourType = b[25] & 0xff;
        if (width == 0 || height == 0) {
            throw new CorruptImageException(path, "PNG header declares a " + width + "x" + height + " image");
        }
        return new Header(width, height, bitDepth, 0, colourType == 0 || colourType == 4);
    }

    /**
     * The most a compressed ancillary PNG chunk (iCCP, zTXt, iTXt) may inflate to. ICC profiles
     * are kilobytes, rarely a few megabytes; a few kilobytes of deflate can claim a gigabyte, and
     * the decoders (Commons Imaging's and the JDK's) inflate these chunks whole, before any pixel.
     */
    static final int MAX_INFLATED_CHUNK_BYTES = 16 << 20;

    /**
     * Walks the PNG chunks: every chunk must fit in the file, IEND must be reached, and no
     * compressed ancillary chunk may inflate past {@link #MAX_INFLATED_CHUNK_BYTES}.
     */
    static void requireCompletePng(byte[] b, Path path) throws CorruptImageException {
        long offset = 8;
        while (offset + 12 <= b.length) {
            long length = u32(b, (int) offset);
            String type = new String(b, (int) offset + 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
            long next = offset + 12 + length;
            if (next > b.length) {
                throw new CorruptImageException(path, "PNG is truncated: chunk " + type + " at byte " + offset
                        + " needs " + length + " bytes but the file ends at " + b.length);
            }
            if (type.equals("IEND")) {
                return;
            }
            int compressedFrom = compressedTextOrProfileStart(b, type, (int) offset + 8, (int) (offset + 8 + length));
            if (compressedFrom >= 0) {
                requireBoundedInflation(b, compressedFrom, (int) (offset + 8 + length), type, offset, path);
            }
            offset = next;
        }
        throw new CorruptImageException(path, "PNG is truncated: the file ends at byte " + b.length
                + " before the IEND chunk");
    }

    /** Whether a PNG (already walked by {@link #requireCompletePng}) has a chunk of this type before IEND. */
    static boolean hasPngChunk(byte[] b, String wanted) {
        long offset = 8;
        while (offset + 12 <= b.length) {
            long length = u32(b, (int) offset);
            String type = new String(b, (int) offset + 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
            if (type.equals(wanted)) {
                return true;
            }
            if (type.equals("IEND")) {
                return false;
            }
            offset += 12 + length;
        }
        return false;
    }

    /**
     * Where the zlib stream of an iCCP, zTXt or compressed iTXt chunk starts (after the keyword,
     * its NUL and the compression bytes), or -1 for any other chunk or a chunk too short to hold one.
     */
    private static int compressedTextOrProfileStart(byte[] b, String type, int from, int to) {
        if (!type.equals("iCCP") && !type.equals("zTXt") && !type.equals("iTXt")) {
            return -1;
        }
        int nul = indexOfNul(b, from, to);
        if (nul < 0) {
            return -1;
        }
        if (!type.equals("iTXt")) {
            return nul + 2; // compression method byte, then the stream
        }
        if (nul + 2 >= to || b[nul + 1] == 0) {
            return -1; // uncompressed iTXt
        }
        int languageEnd = indexOfNul(b, nul + 3, to);
        int keywordEnd = languageEnd < 0 ? -1 : indexOfNul(b, languageEnd + 1, to);
        return keywordEnd < 0 ? -1 : keywordEnd + 1;
    }

    private static int indexOfNul(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Inflates into a scratch buffer, counting, and stops at the limit: nothing is kept. */
    private static void requireBoundedInflation(byte[] b, int from, int to, String type, long chunkOffset, Path path)
            throws CorruptImageException {
        if (from >= to) {
            return;
        }
        java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        try {
            inflater.setInput(b, from, to - from);
            byte[] scratch = new byte[1 << 16];
            long total = 0;
            while (!inflater.finished()) {
                int n = inflater.inflate(scratch);
                total += n;
                if (total > MAX_INFLATED_CHUNK_BYTES) {
                    throw new CorruptImageException(path, "PNG chunk " + type + " at byte " + chunkOffset
                            + " is too large: " + (to - from) + " bytes that inflate to more than "
                            + MAX_INFLATED_CHUNK_BYTES + " bytes, the limit for a colour profile or text chunk; "
                            + "the file is a decompression bomb or damaged");
                }
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    return; // truncated or odd stream: the decoder reports or skips it; it cannot grow further
                }
            }
        } catch (java.util.zip.DataFormatException damaged) {
            // not a valid stream: decoders refuse or ignore it, and it cannot inflate
        } finally {
            inflater.end();
        }
    }

    static boolean isBmp(byte[] b) {
        return b.length >= 26 && b[0] == 'B' && b[1] == 'M';
    }

    static boolean isGif(byte[] b) {
        return b.length >= 13 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F';
    }

    /**
     * A BMP's size from its info header (Commons Imaging computes a buffer size from it first,
     * which overflows for large headers). A negative height means rows stored top-down.
     */
    static Header bmpHeader(byte[] b, Path path) throws CorruptImageException {
        long infoSize = u32le(b, 14);
        long width;
        long height;
        int bits;
        if (infoSize == 12) { // OS/2 BITMAPCOREHEADER: 16-bit sizes
            width = u16le(b, 18);
            height = u16le(b, 20);
            bits = b.length > 25 ? u16le(b, 24) : 0;
        } else if (infoSize >= 40 && b.length >= 30) {
            width = (int) u32le(b, 18);
            height = Math.abs((long) (int) u32le(b, 22));
            bits = u16le(b, 28);
        } else {
            throw new CorruptImageException(path, "BMP info header of " + infoSize + " bytes is not one style4j "
                    + "knows (12, 40 or more); the file is damaged or truncated");
        }
        if (width <= 0 || height <= 0) {
            throw new CorruptImageException(path, "BMP header declares a " + width + "x" + height + " image");
        }
        return new Header(width, height, bits, 0, false);
    }

    /**
     * A GIF's logical screen, after checking every frame's declared size against
     * {@code maxPixels} too (a frame may claim far more than the screen, and decoders allocate
     * for the frame).
     */
    static Header gifHeader(byte[] b, Path path, long maxPixels) throws ImageException {
        if (!isGif(b)) {
            throw new CorruptImageException(path, "starts like a GIF but has no complete GIF header; the file is "
                    + "damaged or truncated");
        }
        long width = u16le(b, 6);
        long height = u16le(b, 8);
        if (width == 0 || height == 0) {
            throw new CorruptImageException(path, "GIF header declares a " + width + "x" + height + " image");
        }
        int at = 13 + colourTableBytes(b[10]);
        while (at < b.length) {
            int block = b[at] & 0xff;
            if (block == 0x3b) { // trailer
                break;
            } else if (block == 0x21) { // extension: label, then data sub-blocks
                at = skipSubBlocks(b, at + 2);
            } else if (block == 0x2c && at + 10 <= b.length) { // image descriptor
                long frameWidth = u16le(b, at + 5);
                long frameHeight = u16le(b, at + 7);
                if (exceeds(frameWidth, frameHeight, maxPixels)) {
                    throw new ImageTooLargeException(path, frameWidth, frameHeight, maxPixels);
                }
                at = skipSubBlocks(b, at + 10 + colourTableBytes(b[at + 9]) + 1);
            } else {
                break; // damaged or truncated: the decoder reports it
            }
        }
        return new Header(width, height, 8, 0, false);
    }

    private static int colourTableBytes(byte flags) {
        return (flags & 0x80) == 0 ? 0 : 3 << ((flags & 0x07) + 1);
    }

    private static int skipSubBlocks(byte[] b, int at) {
        while (at < b.length && (b[at] & 0xff) != 0) {
            at += (b[at] & 0xff) + 1;
        }
        return at + 1;
    }

    private static int u16le(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    static long u32le(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    /**
     * A WebP's canvas size from its first chunk (RIFF container, WebP container specification):
     * VP8X carries 24-bit width-1 and height-1, VP8L 14-bit fields after its signature byte, and
     * VP8 (lossy) 14-bit fields in its frame header.
     */
    static Header webpHeader(byte[] b, Path path) throws CorruptImageException {
        if (b.length < 30 || b[0] != 'R' || b[1] != 'I' || b[2] != 'F' || b[3] != 'F'
                || b[8] != 'W' || b[9] != 'E' || b[10] != 'B' || b[11] != 'P') {
            throw new CorruptImageException(path, "WebP is truncated or damaged: no complete RIFF/WEBP header");
        }
        String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.US_ASCII);
        long width;
        long height;
        switch (chunk) {
            case "VP8X" -> {
                width = 1 + ((b[24] & 0xff) | (b[25] & 0xff) << 8 | (b[26] & 0xff) << 16);
                height = 1 + ((b[27] & 0xff) | (b[28] & 0xff) << 8 | (b[29] & 0xff) << 16);
            }
            case "VP8L" -> {
                if ((b[20] & 0xff) != 0x2f) {
                    throw new CorruptImageException(path, "WebP lossless stream has no 0x2F signature; the file is "
                            + "damaged");
                }
                long bits = u32le(b, 21);
                width = 1 + (bits & 0x3fff);
                height = 1 + ((bits >> 14) & 0x3fff);
            }
            case "VP8 " -> {
                width = u16le(b, 26) & 0x3fff;
                height = u16le(b, 28) & 0x3fff;
            }
            default -> throw new CorruptImageException(path, "WebP starts with an unknown chunk '" + chunk
                    + "'; the file is damaged");
        }
        if (width == 0 || height == 0) {
            throw new CorruptImageException(path, "WebP header declares a " + width + "x" + height + " image");
        }
        return new Header(width, height, 8, 0, false);
    }

    /**
     * Where a still WebP's image data lies, from one walk of its RIFF chunks: the VP8L or VP8
     * chunk's payload (offset and the length its header declares, which may run past the file)
     * and, before a VP8 frame, the first ALPH chunk's (-1 if none).
     */
    record WebpImage(boolean lossless, int start, long length, int alphaStart, long alphaLength) {
    }

    /**
     * The image chunks of a still WebP, or null for an animation or a file with an ICC profile
     * (left to the general path, which converts the profile to sRGB) or without an image chunk.
     */
    static WebpImage webpImage(byte[] b) {
        if (b.length < 30) {
            return null;
        }
        if (chunkName(b, 12).equals("VP8X") && (b[20] & (0x02 | 0x20)) != 0) {
            return null; // animated, or an ICC profile
        }
        int alphaStart = -1;
        long alphaLength = -1;
        long riffEnd = Math.min(b.length, 8 + u32le(b, 4));
        for (long at = 12; at + 8 <= riffEnd; ) {
            String kind = chunkName(b, (int) at);
            long size = u32le(b, (int) at + 4);
            switch (kind) {
                case "VP8L" -> {
                    return new WebpImage(true, (int) at + 8, size, -1, -1);
                }
                case "VP8 " -> {
                    return new WebpImage(false, (int) at + 8, size, alphaStart, alphaLength);
                }
                case "ALPH" -> {
                    if (alphaStart < 0) {
                        alphaStart = (int) at + 8;
                        alphaLength = size;
                    }
                }
                default -> {
                }
            }
            at += 8 + size + (size & 1);
        }
        return null;
    }

    private static String chunkName(byte[] b, int at) {
        return new String(b, at, 4, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Bytes per value of each TIFF field type (0: unknown type). */
    private static final int[] TIFF_TYPE_SIZES = {0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4};

    /**
     * Walks a TIFF's directories (the IFD chain and the EXIF, GPS, interoperability and SubIFD
     * directories they point to) and refuses any field, strip or tile that claims more bytes
     * than the file holds. Commons Imaging allocates what a field declares before reading it:
     * 253 bytes declaring a 1 GB strip made it allocate 1 GB (fuzz finding crash-531afe...).
     */
    static void requireBoundedTiff(byte[] b, Path path) throws CorruptImageException {
        if (b.length < 8) {
            throw new CorruptImageException(path, "TIFF is truncated: no complete header");
        }
        boolean little = b[0] == 'I';
        long first = tiffU32(b, 4, little);
        if (first < 8 || first + 2 > b.length) {
            throw new CorruptImageException(path, "TIFF's first directory offset " + first + " is not inside the file ("
                    + b.length + " bytes); the file is damaged or truncated");
        }
        java.util.Set<Long> visited = new java.util.HashSet<>();
        java.util.ArrayDeque<Long> pending = new java.util.ArrayDeque<>();
        pending.add(first);
        while (!pending.isEmpty()) {
            long ifd = pending.poll();
            if (ifd == 0 || !visited.add(ifd)) {
                continue;
            }
            if (visited.size() > 64) {
                throw new CorruptImageException(path, "TIFF has more than 64 directories; the file is damaged");
            }
            if (ifd + 2 > b.length) {
                throw new CorruptImageException(path, "TIFF directory at byte " + ifd + " is past the end of the file ("
                        + b.length + " bytes); the file is damaged or truncated");
            }
            int entries = tiffU16(b, (int) ifd, little);
            long end = ifd + 2 + 12L * entries;
            if (end + 4 > b.length) {
                throw new CorruptImageException(path, "TIFF directory at byte " + ifd + " runs past the end of the file");
            }
            long[] offsets = null;
            long[] counts = null;
            for (int i = 0; i < entries; i++) {
                int at = (int) (ifd + 2 + 12L * i);
                int tag = tiffU16(b, at, little);
                int type = tiffU16(b, at + 2, little);
                long count = tiffU32(b, at + 4, little);
                int size = type < TIFF_TYPE_SIZES.length ? TIFF_TYPE_SIZES[type] : 0;
                long bytes = count * size;
                long valueAt = bytes <= 4 ? at + 8 : tiffU32(b, at + 8, little);
                if (size > 0 && valueAt + bytes > b.length) {
                    throw new CorruptImageException(path, "TIFF field " + tag + " claims " + bytes + " bytes at byte "
                            + valueAt + ", past the end of the file (" + b.length + " bytes): too large; the file "
                            + "is damaged or hostile");
                }
                if (size == 0) {
                    continue;
                }
                if (tag == 34665 || tag == 34853 || tag == 40965 || tag == 330) { // EXIF, GPS, interop, SubIFDs
                    for (long k = 0; k < Math.min(count, 16); k++) {
                        pending.add(tiffValue(b, (int) (valueAt + k * size), size, little));
                    }
                } else if (tag == 273 || tag == 324) { // strip or tile offsets
                    offsets = tiffValues(b, valueAt, count, size, little);
                } else if (tag == 279 || tag == 325) { // strip or tile byte counts
                    counts = tiffValues(b, valueAt, count, size, little);
                }
            }
            if (offsets != null && counts != null) {
                for (int i = 0; i < Math.min(offsets.length, counts.length); i++) {
                    if (offsets[i] + counts[i] > b.length) {
                        throw new CorruptImageException(path, "TIFF strip or tile " + i + " claims " + counts[i]
                                + " bytes at byte " + offsets[i] + ", past the end of the file (" + b.length
                                + " bytes): too large; the file is damaged or truncated");
                    }
                }
            }
            pending.add(tiffU32(b, (int) end, little));
        }
    }

    private static long[] tiffValues(byte[] b, long at, long count, int size, boolean little) {
        long[] values = new long[(int) count]; // count * size <= file length, checked by the caller
        for (int i = 0; i < count; i++) {
            values[i] = tiffValue(b, (int) (at + (long) i * size), size, little);
        }
        return values;
    }

    private static long tiffValue(byte[] b, int at, int size, boolean little) {
        return size == 2 ? tiffU16(b, at, little) : size == 1 ? b[at] & 0xff : tiffU32(b, at, little);
    }

    static int tiffU16(byte[] b, int at, boolean little) {
        return little ? u16le(b, at) : ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    static long tiffU32(byte[] b, int at, boolean little) {
        return little ? u32le(b, at) : u32(b, at);
    }

    /** The first frame header (SOF segment) of a JPEG, found by walking the marker segments. */
    static Header jpegHeader(byte[] b, Path path) throws CorruptImageException {
        Header[] found = new Header[1];
        walkJpeg(b, path, (marker, offset, length) -> {
            boolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (sof && length >= 8) {
                long height = ((b[offset + 5] & 0xff) << 8) | (b[offset + 6] & 0xff);
                long width = ((b[offset + 7] & 0xff) << 8) | (b[offset + 8] & 0xff);
                if (width == 0 || height == 0) {
                    throw new CorruptImageException(path, "JPEG header declares a " + width + "x" + height + " image");
                }
                int components = b[offset + 9] & 0xff;
                found[0] = new Header(width, height, b[offset + 4] & 0xff, components, components == 1);
                return false;
            }
            if (marker == 0xda) {
                throw new CorruptImageException(path, "JPEG has image data but no frame header (SOF)");
            }
            return true;
        });
        if (found[0] == null) {
            throw new CorruptImageException(path, "JPEG is truncated or damaged: no frame header (SOF) found");
        }
        return found[0];
    }

    /**
     * Whether the JPEG's frame is sequential (SOF0 baseline or SOF1 extended), decoded top to
     * bottom in one pass; progressive frames are refined pass after pass over the whole image.
     */
    static boolean isSequentialJpeg(byte[] b, Path path) throws CorruptImageException {
        int[] frame = {-1};
        walkJpeg(b, path, (marker, offset, length) -> {
            boolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (sof) {
                frame[0] = marker;
            }
            return !sof && marker != 0xda;
        });
        return frame[0] == 0xc0 || frame[0] == 0xc1;
    }

    /** The image data must be followed by an end-of-image marker. */
    static void requireCompleteJpeg(byte[] b, Path path) throws CorruptImageException {
        boolean[] scanFound = new boolean[1];
        walkJpeg(b, path, (marker, offset, length) -> {
            if (marker != 0xda) {
                return true;
            }
            scanFound[0] = true;
            if (!hasEndOfImage(b, offset + 2 + length)) {
                throw new CorruptImageException(path, "JPEG is truncated: no end-of-image marker after the "
                        + "image data (the file ends at byte " + b.length + ")");
            }
            return false;
        });
        if (!scanFound[0]) {
            throw new CorruptImageException(path, "JPEG is truncated or damaged: no image data found");
        }
    }

    /**
     * Whether the JPEG has an EXIF segment (APP1 starting {@code Exif\0\0}) before its image
     * data: without one there is no orientation to read, and parsing the metadata can be skipped.
     */
    static boolean hasJpegExif(byte[] b, Path path) throws CorruptImageException {
        boolean[] found = new boolean[1];
        walkJpeg(b, path, (marker, offset, length) -> {
            if (marker == 0xe1 && length >= 8 && b[offset + 4] == 'E' && b[offset + 5] == 'x' && b[offset + 6] == 'i'
                    && b[offset + 7] == 'f' && b[offset + 8] == 0 && b[offset + 9] == 0) {
                found[0] = true;
            }
            return !found[0] && marker != 0xda;
        });
        return found[0];
    }

    /** Sees one marker segment; returns whether to go on. */
    @FunctionalInterface
    private interface SegmentVisitor {
        boolean visit(int marker, int offset, int length) throws CorruptImageException;
    }

    private static void walkJpeg(byte[] b, Path path, SegmentVisitor visitor) throws CorruptImageException {
        int offset = 2;
        while (offset + 4 <= b.length) {
            if ((b[offset] & 0xff) != 0xff) {
                throw new CorruptImageException(path, "JPEG marker expected at byte " + offset + "; the file is damaged");
            }
            int marker = b[offset + 1] & 0xff;
            if (marker == 0xff) {
                offset++; // fill byte
                continue;
            }
            if (marker == 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker == 0x01) {
                offset += 2;
                continue;
            }
            int length = ((b[offset + 2] & 0xff) << 8) | (b[offset + 3] & 0xff);
            if (length < 2 || offset + 2 + length > b.length) {
                throw new CorruptImageException(path, "JPEG segment 0xFF" + Integer.toHexString(marker)
                        .toUpperCase(java.util.Locale.ROOT) + " at byte " + offset + " declares " + length
                        + " bytes, past the end of the file (" + b.length + " bytes); the file is damaged or truncated");
            }
            if (!visitor.visit(marker, offset, length)) {
                return;
            }
            offset += 2 + length;
        }
    }

    /** Inside entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so 0xFFD9 is the end. */
    private static boolean hasEndOfImage(byte[] b, int from) {
        for (int i = b.length - 2; i >= from; i--) {
            if ((b[i] & 0xff) == 0xff && (b[i + 1] & 0xff) == 0xd9) {
                return true;
            }
        }
        return false;
    }

    static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}
