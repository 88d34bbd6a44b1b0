package io.github.style4j.core.image;

import java.nio.file.Path;

/**
 * style4j's own decoder for lossless WebP (the VP8L bitstream, RFC 9649), straight to float
 * planes: prefix codes with a table lookup, LZ77 backward references, the colour cache, and
 * the four transforms (predictor, cross-colour, subtract-green, colour indexing).
 * TwelveMonkeys' decoder took 0.9-1.25 s for a 12 MP file and wrote one pixel at a time
 * through {@code setDataElements}; see docs/decisions/0006-image-decoders.md.
 *
 * <p>Damaged data is refused with {@link CorruptImageException} (a prefix code that is not a
 * complete code, a backward reference before the image, a colour-cache index past the cache,
 * data that ends early). Memory is bounded by the image size the header declared (checked
 * against the pixel limit before this runs) and by {@link #MAX_TABLE_BYTES} for the prefix
 * codes, which a small hostile file could otherwise declare by the ten thousand.
 */
final class WebpLossless {
    /** Prefix-code tables of one image, at most (real files: well under 1 MB). */
    static final long MAX_TABLE_BYTES = 32L << 20;
    private static final int TABLE_BITS = 8;
    private static final int[] CODE_LENGTH_ORDER = {17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    /** Distance codes 1-120 as (dx, dy) neighbours (RFC 9649, section 4.2.2). */
    private static final int[] DISTANCE_MAP = {
        0, 1, 1, 0, 1, 1, -1, 1, 0, 2, 2, 0, 1, 2, -1, 2, 2, 1, -2, 1, 2, 2, -2, 2, 0, 3, 3, 0, 1, 3, -1, 3,
        3, 1, -3, 1, 2, 3, -2, 3, 3, 2, -3, 2, 0, 4, 4, 0, 1, 4, -1, 4, 4, 1, -4, 1, 3, 3, -3, 3, 2, 4, -2, 4,
        4, 2, -4, 2, 0, 5, 3, 4, -3, 4, 4, 3, -4, 3, 5, 0, 1, 5, -1, 5, 5, 1, -5, 1, 2, 5, -2, 5, 5, 2, -5, 2,
        4, 4, -4, 4, 3, 5, -3, 5, 5, 3, -5, 3, 0, 6, 6, 0, 1, 6, -1, 6, 6, 1, -6, 1, 2, 6, -2, 6, 6, 2, -6, 2,
        4, 5, -4, 5, 5, 4, -5, 4, 3, 6, -3, 6, 6, 3, -6, 3, 0, 7, 7, 0, 1, 7, -1, 7, 5, 5, -5, 5, 7, 1, -7, 1,
        4, 6, -4, 6, 6, 4, -6, 4, 2, 7, -2, 7, 7, 2, -7, 2, 3, 7, -3, 7, 7, 3, -7, 3, 5, 6, -5, 6, 6, 5, -6, 5,
        8, 0, 4, 7, -4, 7, 7, 4, -7, 4, 8, 1, 8, 2, 6, 6, -6, 6, 8, 3, 5, 7, -5, 7, 7, 5, -7, 5, 8, 4, 6, 7,
        -6, 7, 7, 6, -7, 6, 8, 5, 7, 7, -7, 7, 8, 6, 8, 7};

    private final Bits in;
    private final Path path;
    private long tableBytes;

    private WebpLossless(byte[] data, int start, int end, Path path) {
        this.in = new Bits(data, start, end);
        this.path = path;
    }

    /**
     * The offset and length of the VP8L chunk's payload in a still WebP (simple, or extended
     * without animation or ICC profile), or null if the file holds lossy data, an animation, or
     * an ICC profile (the general path converts that to sRGB).
     */
    static int[] payload(byte[] b) {
        ContainerChecks.WebpImage image = ContainerChecks.webpImage(b);
        if (image == null || !image.lossless()) {
            return null;
        }
        return new int[] {image.start(), (int) Math.min(image.length(), b.length - image.start())};
    }

    /**
     * Decodes the VP8L payload at {@code payload} (from {@link #payload}) into float planes.
     * The stream's own size must be the one the container declared ({@code width} x
     * {@code height}, already checked against the pixel limit), or nothing is allocated.
     */
    static RgbImage decode(byte[] b, int[] payload, long width, long height, Path path) throws CorruptImageException {
        WebpLossless decoder = new WebpLossless(b, payload[0], payload[0] + payload[1], path);
        return decoder.decode(width, height);
    }

    /**
     * Decodes a VP8L image stream without its header (transforms first), as a lossy WebP's ALPH
     * chunk holds its alpha plane: {@code width} x {@code height} ARGB values, alpha in green.
     */
    static int[] imageStream(byte[] b, int start, int end, int width, int height, Path path)
            throws CorruptImageException {
        return new WebpLossless(b, start, end, path).decodeImage(width, height, true);
    }

    private RgbImage decode(long expectedWidth, long expectedHeight) throws CorruptImageException {
        if (in.read(8) != 0x2f) {
            throw damaged("no 0x2F signature");
        }
        int width = in.read(14) + 1;
        int height = in.read(14) + 1;
        if (width != expectedWidth || height != expectedHeight) {
            throw new CorruptImageException(path, "the WebP lossless stream is " + width + "x" + height
                    + " but its container declares " + expectedWidth + "x" + expectedHeight + "; the file is damaged");
        }
        boolean alpha = in.read(1) == 1;
        if (in.read(3) != 0) {
            throw damaged("unknown version");
        }
        int[] argb = decodeImage(width, height, true);
        int n = width * height;
        float[] rgb = new float[3 * n];
        float[] a = alpha ? new float[n] : null;
        float[] level = new float[256];
        for (int v = 0; v < 256; v++) {
            level[v] = v / 255f;
        }
        for (int i = 0; i < n; i++) {
            int p = argb[i];
            rgb[i] = level[(p >> 16) & 0xff];
            rgb[n + i] = level[(p >> 8) & 0xff];
            rgb[2 * n + i] = level[p & 0xff];
        }
        if (a != null) {
            for (int i = 0; i < n; i++) {
                a[i] = level[argb[i] >>> 24];
            }
        }
        return RgbImage.wrap(width, height, rgb, a, 8);
    }

    private CorruptImageException damaged(String what) {
        return new CorruptImageException(path, "WebP lossless data is damaged or truncated (" + what + ")");
    }

    /** A transform read from the stream, with the width of the image it applies to. */
    private record Transform(int type, int xsize, int bits, int[] data) {
    }

    private int[] decodeImage(int xsize, int ysize, boolean level0) throws CorruptImageException {
        java.util.List<Transform> transforms = new java.util.ArrayList<>();
        int width = xsize;
        if (level0) {
            int seen = 0;
            while (in.read(1) == 1) {
                int type = in.read(2);
                if ((seen & (1 << type)) != 0) {
                    throw damaged("a transform used twice");
                }
                seen |= 1 << type;
                switch (type) {
                    case 0, 1 -> {
                        int bits = in.read(3) + 2;
                        int[] sub = decodeImage(divRoundUp(width, bits), divRoundUp(ysize, bits), false);
                        transforms.add(new Transform(type, width, bits, sub));
                    }
                    case 2 -> transforms.add(new Transform(type, width, 0, null));
                    default -> {
                        int size = in.read(8) + 1;
                        int[] table = decodeImage(size, 1, false);
                        for (int i = 1; i < size; i++) {
                            table[i] = addPixels(table[i], table[i - 1]);
                        }
                        int bits = size > 16 ? 0 : size > 4 ? 1 : size > 2 ? 2 : 3;
                        int[] padded = new int[256]; // indices past the table give transparent black
                        System.arraycopy(table, 0, padded, 0, size);
                        transforms.add(new Transform(type, width, bits, padded));
                        width = divRoundUp(width, bits);
                    }
                }
            }
        }
        int cacheBits = 0;
        if (in.read(1) == 1) {
            cacheBits = in.read(4);
            if (cacheBits < 1 || cacheBits > 11) {
                throw damaged("colour cache of " + cacheBits + " bits");
            }
        }
        int metaBits = 0;
        int[] meta = null;
        int groupCount = 1;
        if (level0 && in.read(1) == 1) {
            metaBits = in.read(3) + 2;
            meta = decodeImage(divRoundUp(width, metaBits), divRoundUp(ysize, metaBits), false);
            for (int i = 0; i < meta.length; i++) {
                meta[i] = (meta[i] >> 8) & 0xffff;
                groupCount = Math.max(groupCount, meta[i] + 1);
            }
        }
        Code[][] groups = new Code[groupCount][];
        int cacheSize = cacheBits == 0 ? 0 : 1 << cacheBits;
        for (int g = 0; g < groupCount; g++) {
            groups[g] = new Code[] {readCode(256 + 24 + cacheSize), readCode(256), readCode(256), readCode(256),
                readCode(40)};
        }
        int[] pixels = decodePixels(width, ysize, groups, meta, metaBits, cacheBits);
        for (int t = transforms.size() - 1; t >= 0; t--) {
            pixels = inverse(transforms.get(t), pixels, ysize);
        }
        return pixels;
    }

    private static int divRoundUp(int size, int bits) {
        return (size + (1 << bits) - 1) >> bits;
    }

    private int[] decodePixels(int width, int height, Code[][] groups, int[] meta, int metaBits, int cacheBits)
            throws CorruptImageException {
        int total = width * height;
        int[] out = new int[total];
        int[] cache = cacheBits == 0 ? null : new int[1 << cacheBits];
        int cacheShift = 32 - cacheBits;
        int metaWidth = metaBits == 0 ? 0 : divRoundUp(width, metaBits);
        int mask = metaBits == 0 ? -1 : (1 << metaBits) - 1;
        Code[] group = groups[0];
        int pos = 0;
        int x = 0;
        int y = 0;
        boolean refresh = true;
        while (pos < total) {
            if (meta != null && (refresh || (x & mask) == 0)) {
                group = groups[meta[(y >> metaBits) * metaWidth + (x >> metaBits)]];
                refresh = false;
            }
            int symbol = group[0].read(in);
            if (symbol < 256) {
                int red = group[1].read(in);
                int blue = group[2].read(in);
                int alpha = group[3].read(in);
                int p = alpha << 24 | red << 16 | symbol << 8 | blue;
                out[pos++] = p;
                if (cache != null) {
                    cache[(0x1e35a7bd * p) >>> cacheShift] = p;
                }
                if (++x == width) {
                    x = 0;
                    y++;
                    in.requireNotPastEnd(this);
                }
            } else if (symbol < 256 + 24) {
                int length = prefixValue(symbol - 256);
                int distanceCode = prefixValue(group[4].read(in));
                int distance = distanceCode > 120 ? distanceCode - 120 : planeDistance(width, distanceCode);
                if (distance > pos || length > total - pos) {
                    in.requireNotPastEnd(this);
                    throw damaged("a backward reference outside the image");
                }
                for (int i = 0; i < length; i++, pos++) {
                    int p = out[pos - distance];
                    out[pos] = p;
                    if (cache != null) {
                        cache[(0x1e35a7bd * p) >>> cacheShift] = p;
                    }
                }
                x += length;
                while (x >= width) {
                    x -= width;
                    y++;
                }
                refresh = true;
                in.requireNotPastEnd(this);
            } else {
                int index = symbol - 280;
                if (cache == null || index >= cache.length) {
                    throw damaged("a colour-cache index past the cache");
                }
                out[pos++] = cache[index];
                if (++x == width) {
                    x = 0;
                    y++;
                    in.requireNotPastEnd(this);
                }
            }
        }
        in.requireNotPastEnd(this);
        return out;
    }

    private int planeDistance(int width, int code) {
        int dx = DISTANCE_MAP[2 * (code - 1)];
        int dy = DISTANCE_MAP[2 * (code - 1) + 1];
        return Math.max(1, dx + dy * width);
    }

    private int prefixValue(int prefix) {
        if (prefix < 4) {
            return prefix + 1;
        }
        int extraBits = (prefix - 2) >> 1;
        int offset = (2 + (prefix & 1)) << extraBits;
        return offset + in.read(extraBits) + 1;
    }

    // ---- prefix codes ----

    private Code readCode(int alphabet) throws CorruptImageException {
        int[] lengths = new int[alphabet];
        if (in.read(1) == 1) { // simple code: one or two symbols
            int count = in.read(1) + 1;
            int first = in.read(in.read(1) == 1 ? 8 : 1);
            if (first >= alphabet) {
                throw damaged("a prefix-code symbol past its alphabet");
            }
            if (count == 1) {
                return Code.single(first);
            }
            int second = in.read(8);
            if (second >= alphabet) {
                throw damaged("a prefix-code symbol past its alphabet");
            }
            if (first == second) {
                return Code.single(first);
            }
            lengths[first] = 1;
            lengths[second] = 1;
        } else {
            int[] codeLengthLengths = new int[19];
            int count = in.read(4) + 4;
            for (int i = 0; i < count; i++) {
                codeLengthLengths[CODE_LENGTH_ORDER[i]] = in.read(3);
            }
            Code lengthCode = build(codeLengthLengths);
            int maxSymbol = alphabet;
            if (in.read(1) == 1) {
                int bits = 2 + 2 * in.read(3);
                maxSymbol = 2 + in.read(bits);
                if (maxSymbol > alphabet) {
                    throw damaged("more code lengths than symbols");
                }
            }
            int previous = 8;
            int symbol = 0;
            while (symbol < alphabet && maxSymbol-- > 0) {
                int length = lengthCode.read(in);
                if (length < 16) {
                    lengths[symbol++] = length;
                    if (length != 0) {
                        previous = length;
                    }
                } else {
                    int repeat;
                    int value;
                    if (length == 16) {
                        repeat = 3 + in.read(2);
                        value = previous;
                    } else if (length == 17) {
                        repeat = 3 + in.read(3);
                        value = 0;
                    } else {
                        repeat = 11 + in.read(7);
                        value = 0;
                    }
                    if (symbol + repeat > alphabet) {
                        throw damaged("code lengths past the alphabet");
                    }
                    for (int i = 0; i < repeat; i++) {
                        lengths[symbol++] = value;
                    }
                }
            }
            in.requireNotPastEnd(this);
        }
        return build(lengths);
    }

    /** A canonical prefix code from code lengths; refuses over-subscribed and incomplete codes. */
    private Code build(int[] lengths) throws CorruptImageException {
        int[] count = new int[16];
        int symbols = 0;
        int last = -1;
        for (int s = 0; s < lengths.length; s++) {
            if (lengths[s] != 0) {
                count[lengths[s]]++;
                symbols++;
                last = s;
            }
        }
        if (symbols == 0) {
            throw damaged("an empty prefix code");
        }
        if (symbols == 1) {
            return Code.single(last);
        }
        int left = 1;
        for (int len = 1; len < 16; len++) {
            left = (left << 1) - count[len];
            if (left < 0) {
                throw damaged("an over-subscribed prefix code");
            }
        }
        if (left != 0) {
            throw damaged("an incomplete prefix code");
        }
        int[] offsets = new int[16];
        for (int len = 1; len < 15; len++) {
            offsets[len + 1] = offsets[len] + count[len];
        }
        int[] sorted = new int[symbols];
        for (int s = 0; s < lengths.length; s++) {
            if (lengths[s] != 0) {
                sorted[offsets[lengths[s]]++] = s;
            }
        }
        tableBytes += 2L << TABLE_BITS;
        if (tableBytes > MAX_TABLE_BYTES) {
            throw new CorruptImageException(path, "WebP lossless data declares more prefix codes than style4j "
                    + "decodes (tables over " + (MAX_TABLE_BYTES >> 20) + " MB); the file is damaged or hostile");
        }
        char[] table = new char[1 << TABLE_BITS];
        int code = 0;
        int index = 0;
        for (int len = 1; len < 16; len++) {
            for (int k = 0; k < count[len]; k++, index++, code++) {
                if (len <= TABLE_BITS) {
                    int reversed = Integer.reverse(code) >>> (32 - len);
                    char entry = (char) (sorted[index] << 4 | len);
                    for (int fill = reversed; fill < table.length; fill += 1 << len) {
                        table[fill] = entry;
                    }
                }
            }
            code <<= 1;
        }
        return new Code(table, count, sorted);
    }

    /** A canonical prefix code: an 8-bit lookup table, and the canonical walk for longer codes. */
    private static final class Code {
        private final char[] table;
        private final int[] count;
        private final int[] sorted;
        private final int single;

        Code(char[] table, int[] count, int[] sorted) {
            this.table = table;
            this.count = count;
            this.sorted = sorted;
            this.single = -1;
        }

        private Code(int single) {
            this.table = null;
            this.count = null;
            this.sorted = null;
            this.single = single;
        }

        /** A code of one symbol: it takes no bits. */
        static Code single(int symbol) {
            return new Code(symbol);
        }

        int read(Bits in) {
            if (single >= 0) {
                return single;
            }
            char entry = table[in.peek(TABLE_BITS)];
            if (entry != 0) {
                in.skip(entry & 15);
                return entry >> 4;
            }
            int code = 0;
            int first = 0;
            int index = 0;
            for (int len = 1; len < 16; len++) {
                code |= in.read(1);
                int n = count[len];
                if (code - first < n) {
                    return sorted[index + code - first];
                }
                index += n;
                first = (first + n) << 1;
                code <<= 1;
            }
            return 0; // unreachable for a complete code
        }
    }

    // ---- transforms ----

    private int[] inverse(Transform t, int[] pixels, int height) {
        int width = t.xsize();
        switch (t.type()) {
            case 0 -> predict(pixels, width, height, t.bits(), t.data());
            case 1 -> crossColour(pixels, width, height, t.bits(), t.data());
            case 2 -> {
                for (int i = 0; i < pixels.length; i++) {
                    int p = pixels[i];
                    int green = (p >> 8) & 0xff;
                    pixels[i] = (p & 0xff00ff00) | ((((p >> 16) + green) & 0xff) << 16) | ((p + green) & 0xff);
                }
            }
            default -> {
                return t.bits() == 0 ? mapIndices(pixels, t.data()) : expand(pixels, width, height, t.bits(), t.data());
            }
        }
        return pixels;
    }

    private static void predict(int[] p, int width, int height, int bits, int[] modes) {
        int tiles = divRoundUp(width, bits);
        p[0] = addPixels(p[0], 0xff000000);
        for (int x = 1; x < width; x++) {
            p[x] = addPixels(p[x], p[x - 1]);
        }
        for (int y = 1; y < height; y++) {
            int row = y * width;
            p[row] = addPixels(p[row], p[row - width]);
            int[] modeRow = modes;
            int modeBase = (y >> bits) * tiles;
            for (int x = 1; x < width; x++) {
                int i = row + x;
                int mode = (modeRow[modeBase + (x >> bits)] >> 8) & 0xf;
                int left = p[i - 1];
                int top = p[i - width];
                int predicted = switch (mode) {
                    case 0 -> 0xff000000;
                    case 1 -> left;
                    case 2 -> top;
                    case 3 -> p[i - width + 1];
                    case 4 -> p[i - width - 1];
                    case 5 -> average(average(left, p[i - width + 1]), top);
                    case 6 -> average(left, p[i - width - 1]);
                    case 7 -> average(left, top);
                    case 8 -> average(p[i - width - 1], top);
                    case 9 -> average(top, p[i - width + 1]);
                    case 10 -> average(average(left, p[i - width - 1]), average(top, p[i - width + 1]));
                    case 11 -> select(left, top, p[i - width - 1]);
                    case 12 -> clampAddSubtractFull(left, top, p[i - width - 1]);
                    case 13 -> clampAddSubtractHalf(average(left, top), p[i - width - 1]);
                    default -> 0xff000000; // 14 and 15 are not defined; libwebp predicts black
                };
                p[i] = addPixels(p[i], predicted);
            }
        }
    }

    private static void crossColour(int[] p, int width, int height, int bits, int[] elements) {
        int tiles = divRoundUp(width, bits);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int e = elements[(y >> bits) * tiles + (x >> bits)];
                int greenToRed = (byte) e;
                int greenToBlue = (byte) (e >> 8);
                int redToBlue = (byte) (e >> 16);
                int i = y * width + x;
                int v = p[i];
                int green = (byte) (v >> 8);
                int red = ((v >> 16) + ((greenToRed * green) >> 5)) & 0xff;
                int blue = (v + ((greenToBlue * green) >> 5) + ((redToBlue * (byte) red) >> 5)) & 0xff;
                p[i] = (v & 0xff00ff00) | red << 16 | blue;
            }
        }
    }

    private static int[] mapIndices(int[] p, int[] palette) {
        for (int i = 0; i < p.length; i++) {
            p[i] = palette[(p[i] >> 8) & 0xff];
        }
        return p;
    }

    /** Colour indexing with several indices a pixel: {@code fullWidth} is the image's own width. */
    private static int[] expand(int[] packed, int fullWidth, int height, int bits, int[] palette) {
        int packedWidth = divRoundUp(fullWidth, bits);
        int perPixel = 1 << bits;
        int indexBits = 8 >> bits;
        int indexMask = (1 << indexBits) - 1;
        int[] out = new int[fullWidth * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < fullWidth; x++) {
                int word = (packed[y * packedWidth + (x >> bits)] >> 8) & 0xff;
                int index = (word >> ((x & (perPixel - 1)) * indexBits)) & indexMask;
                out[y * fullWidth + x] = palette[index];
            }
        }
        return out;
    }

    private static int addPixels(int a, int b) {
        return (((a & 0xff00ff00) + (b & 0xff00ff00)) & 0xff00ff00) | (((a & 0x00ff00ff) + (b & 0x00ff00ff)) & 0x00ff00ff);
    }

    private static int average(int a, int b) {
        return (((a ^ b) & 0xfefefefe) >>> 1) + (a & b);
    }

    private static int select(int left, int top, int topLeft) {
        int predictLeft = 0;
        int predictTop = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            int l = (left >>> shift) & 0xff;
            int t = (top >>> shift) & 0xff;
            int tl = (topLeft >>> shift) & 0xff;
            predictLeft += Math.abs(t - tl); // |(L + T - TL) - L|
            predictTop += Math.abs(l - tl);  // |(L + T - TL) - T|
        }
        return predictLeft < predictTop ? left : top;
    }

    private static int clampAddSubtractFull(int a, int b, int c) {
        int out = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            int v = ((a >>> shift) & 0xff) + ((b >>> shift) & 0xff) - ((c >>> shift) & 0xff);
            out |= Math.min(255, Math.max(0, v)) << shift;
        }
        return out;
    }

    private static int clampAddSubtractHalf(int a, int b) {
        int out = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            int ca = (a >>> shift) & 0xff;
            int v = ca + (ca - ((b >>> shift) & 0xff)) / 2;
            out |= Math.min(255, Math.max(0, v)) << shift;
        }
        return out;
    }

    /** Least-significant-bit-first reader; reading past the end gives zeros and is caught by {@link #requireNotPastEnd}. */
    private static final class Bits {
        private final byte[] data;
        private final int end;
        private final long totalBits;
        private int next;
        private long buffer;
        private int count;
        private long consumed;

        Bits(byte[] data, int start, int end) {
            this.data = data;
            this.next = start;
            this.end = end;
            this.totalBits = 8L * (end - start);
        }

        private void fill() {
            while (count <= 56) {
                long b = next < end ? data[next] & 0xffL : 0;
                next++;
                buffer |= b << count;
                count += 8;
            }
        }

        int peek(int n) {
            if (count < n) {
                fill();
            }
            return (int) (buffer & ((1L << n) - 1));
        }

        void skip(int n) {
            buffer >>>= n;
            count -= n;
            consumed += n;
        }

        int read(int n) {
            if (n == 0) {
                return 0;
            }
            if (count < n) {
                fill();
            }
            int v = (int) (buffer & ((1L << n) - 1));
            buffer >>>= n;
            count -= n;
            consumed += n;
            return v;
        }

        void requireNotPastEnd(WebpLossless owner) throws CorruptImageException {
            if (consumed > totalBits) {
                throw owner.damaged("the data ends before the image does");
            }
        }
    }
}
