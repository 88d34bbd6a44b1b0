package io.github.style4j.core.image;

import java.nio.file.Path;

/**
 * style4j's own decoder for lossy WebP: one VP8 key frame (RFC 6386) and, in an extended file,
 * its ALPH chunk; pixels equal to libwebp's {@code dwebp} (fancy chroma upsampling, its
 * fixed-point YUV to RGB). It replaces TwelveMonkeys' decoder, which allocated small arrays per
 * 4x4 block (1.1-1.5 GB of garbage for a 12 MP photo); this one allocates the file's three
 * 8-bit planes, the float planes it returns, and a few arrays one image row long
 * (docs/decisions/0006-image-decoders.md).
 *
 * <p>The frame is reconstructed macroblock by macroblock into planes with a one-pixel border
 * (127 above the frame, 129 left of it, as the RFC's predictors expect), and each macroblock
 * row is loop-filtered once the row below it has been predicted from its unfiltered pixels.
 * Damaged data is refused with {@link CorruptImageException}: a frame that is not a key frame,
 * sizes that disagree with the container, partitions past the chunk, or a partition that ends
 * before its macroblocks do (libwebp's "premature end of file").
 */
final class WebpLossy {
    /** Intra modes; 16x16 luma and chroma use the first four, 4x4 sub-blocks all ten. */
    private static final int DC = 0;
    private static final int TM = 1;
    private static final int VE = 2;
    private static final int HE = 3;
    private static final int RD = 4;
    private static final int VR = 5;
    private static final int LD = 6;
    private static final int VL = 7;
    private static final int HD = 8;
    private static final int HU = 9;
    /** The sub-block mode tree (RFC 6386 section 11.2): pairs of children, leaves as -mode. */
    private static final int[] SUBBLOCK_MODE_TREE = {
        -DC, 2, -TM, 4, -VE, 6, 8, 12, -HE, 10, -RD, -VR, -LD, 14, -VL, 16, -HD, -HU};
    private static final int[] ZIGZAG = {0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15};
    /** Coefficient position to probability band (section 13.3). */
    private static final int[] BANDS = {0, 1, 2, 3, 6, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7};
    /** Extra-bit probabilities of the token categories 3 to 6 (section 13.2). */
    private static final int[][] CATEGORY_PROBABILITIES = {
        {173, 148, 140},
        {176, 155, 140, 135},
        {180, 157, 141, 134, 130},
        {254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129}};
    private static final int TYPE_Y_AFTER_Y2 = 0;
    private static final int TYPE_Y2 = 1;
    private static final int TYPE_CHROMA = 2;
    private static final int TYPE_Y_WITH_DC = 3;

    private final byte[] data;
    private final Path path;
    private final int width;
    private final int height;
    private final int mbWidth;
    private final int mbHeight;

    // Frame header.
    private boolean segmentsEnabled;
    private boolean segmentMapUpdated;
    private boolean segmentValuesAbsolute;
    private final int[] segmentQuantizer = new int[4];
    private final int[] segmentFilterLevel = new int[4];
    private final int[] segmentProbabilities = {255, 255, 255};
    private boolean simpleFilter;
    private int filterLevel;
    private int sharpness;
    private boolean filterDeltas;
    private final int[] referenceFilterDelta = new int[4];
    private final int[] modeFilterDelta = new int[4];
    private final int[] coefficientProbabilities = Vp8Tables.COEFFICIENT_PROBABILITIES.clone();
    private int skipProbability = -1;
    /** Per segment: y1 DC, y1 AC, y2 DC, y2 AC, chroma DC, chroma AC factors. */
    private final int[][] dequantization = new int[4][6];
    /** Per segment and (16x16, 4x4) luma: filter limit, interior limit, high-variance threshold. */
    private final int[][] filterStrengths = new int[8][3];

    // Planes with a one-pixel border above and left (and four spare columns right of luma).
    private final int lumaStride;
    private final int chromaStride;
    private final byte[] luma;
    private final byte[] cb;
    private final byte[] cr;

    // Contexts carried across macroblocks.
    private final int[] aboveModes;
    private final int[] leftModes = new int[4];
    private final byte[] aboveNonZero;
    private final byte[] leftNonZero = new byte[9];
    /** Per macroblock of the current and previous row: filter strength index, or -1; bit 8: inner edges. */
    private final int[] rowFilter;

    // One macroblock's state, reused.
    private final int[] coefficients = new int[25 * 16];
    private final int[] blockKind = new int[24];
    private final int[] subblockModes = new int[16];
    private final int[] neighbours = new int[13];
    private final int[] transform = new int[16];

    private WebpLossy(byte[] data, int width, int height, Path path) {
        this.data = data;
        this.path = path;
        this.width = width;
        this.height = height;
        this.mbWidth = (width + 15) >> 4;
        this.mbHeight = (height + 15) >> 4;
        this.lumaStride = 16 * mbWidth + 1 + 4;
        this.chromaStride = 8 * mbWidth + 1;
        this.luma = new byte[lumaStride * (16 * mbHeight + 1)];
        this.cb = new byte[chromaStride * (8 * mbHeight + 1)];
        this.cr = new byte[chromaStride * (8 * mbHeight + 1)];
        this.aboveModes = new int[4 * mbWidth];
        this.aboveNonZero = new byte[9 * mbWidth];
        this.rowFilter = new int[2 * mbWidth];
        java.util.Arrays.fill(luma, 0, lumaStride, (byte) 127);
        java.util.Arrays.fill(cb, 0, chromaStride, (byte) 127);
        java.util.Arrays.fill(cr, 0, chromaStride, (byte) 127);
        for (int y = 1; y <= 16 * mbHeight; y++) {
            luma[y * lumaStride] = (byte) 129;
        }
        for (int y = 1; y <= 8 * mbHeight; y++) {
            cb[y * chromaStride] = (byte) 129;
            cr[y * chromaStride] = (byte) 129;
        }
    }

    /**
     * Where the lossy data of a still WebP lies: {VP8 payload offset, length, ALPH payload offset,
     * length (-1 without alpha)}, or null if the file is lossless, animated, or carries an ICC
     * profile (the general path converts that to sRGB).
     */
    static int[] payload(byte[] b) {
        ContainerChecks.WebpImage image = ContainerChecks.webpImage(b);
        if (image == null || image.lossless()) {
            return null;
        }
        // Lengths as declared; decode() refuses chunks that run past the file.
        return new int[] {image.start(), (int) Math.min(image.length(), Integer.MAX_VALUE), image.alphaStart(),
            (int) Math.min(image.alphaLength(), Integer.MAX_VALUE)};
    }

    /**
     * Decodes the frame (and alpha) located by {@link #payload} into float planes. The frame's
     * own size must be the container's ({@code width} x {@code height}, already checked against
     * the pixel limit), or nothing is allocated.
     */
    static RgbImage decode(byte[] b, int[] payload, long width, long height, Path path) throws CorruptImageException {
        int start = payload[0];
        requireWhole(b, start, payload[1], "VP8", path);
        if (payload[2] >= 0) {
            requireWhole(b, payload[2], payload[3], "ALPH", path);
        }
        int end = start + payload[1];
        if (payload[1] < 10) {
            throw new CorruptImageException(path, "WebP lossy frame is truncated (" + payload[1] + " bytes)");
        }
        int tag = (b[start] & 0xff) | (b[start + 1] & 0xff) << 8 | (b[start + 2] & 0xff) << 16;
        if ((tag & 1) != 0) {
            throw damaged(path, "not a key frame");
        }
        if (((tag >> 1) & 7) > 3) {
            throw damaged(path, "unknown VP8 profile " + ((tag >> 1) & 7));
        }
        if (((tag >> 4) & 1) == 0) {
            throw damaged(path, "a frame marked not to be shown");
        }
        if ((b[start + 3] & 0xff) != 0x9d || (b[start + 4] & 0xff) != 0x01 || (b[start + 5] & 0xff) != 0x2a) {
            throw damaged(path, "no VP8 start code");
        }
        int frameWidth = ((b[start + 6] & 0xff) | (b[start + 7] & 0xff) << 8) & 0x3fff;
        int frameHeight = ((b[start + 8] & 0xff) | (b[start + 9] & 0xff) << 8) & 0x3fff;
        if (frameWidth != width || frameHeight != height) {
            throw new CorruptImageException(path, "the WebP lossy frame is " + frameWidth + "x" + frameHeight
                    + " but its container declares " + width + "x" + height + "; the file is damaged");
        }
        int firstPartition = tag >>> 5;
        if (firstPartition > end - (start + 10)) {
            throw damaged(path, "its first partition (" + firstPartition + " bytes) is longer than the frame");
        }
        WebpLossy decoder = new WebpLossy(b, frameWidth, frameHeight, path);
        decoder.decodeFrame(start + 10, firstPartition, end);
        float[] alpha = payload[2] < 0 ? null
                : decoder.alpha(payload[2], payload[2] + payload[3]);
        return RgbImage.wrap(frameWidth, frameHeight, decoder.toRgb(), alpha, 8);
    }

    /** Refuses a chunk that runs past the file before anything is decoded (as libwebp does). */
    private static void requireWhole(byte[] b, int start, int length, String chunk, Path path)
            throws CorruptImageException {
        if (length > b.length - start) {
            throw new CorruptImageException(path, "WebP is truncated: its " + chunk + " chunk declares " + length
                    + " bytes but only " + (b.length - start) + " follow");
        }
    }

    private static CorruptImageException damaged(Path path, String what) {
        return new CorruptImageException(path, "WebP lossy data is damaged or truncated (" + what + ")");
    }

    private CorruptImageException damaged(String what) {
        return damaged(path, what);
    }

    // ---------------------------------------------------------------- frame header and macroblocks

    private void decodeFrame(int headerStart, int headerLength, int end) throws CorruptImageException {
        BoolDecoder header = new BoolDecoder(data, headerStart, headerStart + headerLength);
        header.literal(2); // colour space and clamping type: informative only
        readSegmentHeader(header);
        readFilterHeader(header);
        BoolDecoder[] partitions = readPartitions(header, headerStart + headerLength, end);
        readQuantizers(header);
        header.literal(1); // "refresh entropy probabilities": meaningless in a single key frame
        for (int i = 0; i < coefficientProbabilities.length; i++) {
            if (header.bit(Vp8Tables.COEFFICIENT_UPDATE_PROBABILITIES[i]) == 1) {
                coefficientProbabilities[i] = header.literal(8);
            }
        }
        if (header.literal(1) == 1) {
            skipProbability = header.literal(8);
        }
        computeFilterStrengths();

        for (int mbY = 0; mbY < mbHeight; mbY++) {
            BoolDecoder tokens = partitions[mbY & (partitions.length - 1)];
            java.util.Arrays.fill(leftModes, DC);
            java.util.Arrays.fill(leftNonZero, (byte) 0);
            int rowBase = (mbY & 1) * mbWidth;
            for (int mbX = 0; mbX < mbWidth; mbX++) {
                int segment = 0;
                if (segmentMapUpdated) {
                    segment = header.bit(segmentProbabilities[0]) == 0
                            ? header.bit(segmentProbabilities[1])
                            : 2 + header.bit(segmentProbabilities[2]);
                }
                boolean skip = skipProbability >= 0 && header.bit(skipProbability) == 1;
                boolean subblocks = readModes(header, mbX);
                int uvMode = header.bit(142) == 0 ? DC : header.bit(114) == 0 ? VE : header.bit(183) == 1 ? TM : HE;
                if (header.eof) {
                    throw damaged("the first partition ends before its macroblocks do");
                }
                boolean coded;
                if (!skip) {
                    coded = readResiduals(tokens, mbX, segment, subblocks);
                    if (tokens.eof) {
                        throw damaged("a token partition ends before its macroblocks do");
                    }
                } else {
                    java.util.Arrays.fill(blockKind, 0);
                    for (int i = 0; i < 8; i++) {
                        aboveNonZero[9 * mbX + i] = 0;
                        leftNonZero[i] = 0;
                    }
                    if (!subblocks) {
                        aboveNonZero[9 * mbX + 8] = 0;
                        leftNonZero[8] = 0;
                    }
                    coded = false;
                }
                reconstruct(mbX, mbY, subblocks, uvMode);
                int strength = 2 * segment + (subblocks ? 1 : 0);
                rowFilter[rowBase + mbX] = filterStrengths[strength][0] == 0 ? -1
                        : strength | ((subblocks || coded) ? 0x100 : 0);
            }
            if (mbY > 0) {
                filterRow(mbY - 1);
            }
        }
        filterRow(mbHeight - 1);
    }

    private void readSegmentHeader(BoolDecoder header) {
        segmentsEnabled = header.literal(1) == 1;
        if (!segmentsEnabled) {
            return;
        }
        segmentMapUpdated = header.literal(1) == 1;
        if (header.literal(1) == 1) {
            segmentValuesAbsolute = header.literal(1) == 1;
            for (int s = 0; s < 4; s++) {
                segmentQuantizer[s] = header.literal(1) == 1 ? header.signed(7) : 0;
            }
            for (int s = 0; s < 4; s++) {
                segmentFilterLevel[s] = header.literal(1) == 1 ? header.signed(6) : 0;
            }
        }
        if (segmentMapUpdated) {
            for (int i = 0; i < 3; i++) {
                segmentProbabilities[i] = header.literal(1) == 1 ? header.literal(8) : 255;
            }
        }
    }

    private void readFilterHeader(BoolDecoder header) {
        simpleFilter = header.literal(1) == 1;
        filterLevel = header.literal(6);
        sharpness = header.literal(3);
        filterDeltas = header.literal(1) == 1;
        if (filterDeltas && header.literal(1) == 1) {
            for (int i = 0; i < 4; i++) {
                if (header.literal(1) == 1) {
                    referenceFilterDelta[i] = header.signed(6);
                }
            }
            for (int i = 0; i < 4; i++) {
                if (header.literal(1) == 1) {
                    modeFilterDelta[i] = header.signed(6);
                }
            }
        }
    }

    private BoolDecoder[] readPartitions(BoolDecoder header, int start, int end) throws CorruptImageException {
        int count = 1 << header.literal(2);
        int sizes = 3 * (count - 1);
        if (end - start < sizes) {
            throw damaged("the token partitions' sizes are cut off");
        }
        BoolDecoder[] partitions = new BoolDecoder[count];
        int at = start + sizes;
        for (int p = 0; p < count - 1; p++) {
            int s = start + 3 * p;
            int size = (data[s] & 0xff) | (data[s + 1] & 0xff) << 8 | (data[s + 2] & 0xff) << 16;
            size = Math.min(size, end - at);
            partitions[p] = new BoolDecoder(data, at, at + size);
            at += size;
        }
        if (at >= end) {
            throw damaged("the last token partition is empty");
        }
        partitions[count - 1] = new BoolDecoder(data, at, end);
        return partitions;
    }

    private void readQuantizers(BoolDecoder header) {
        int base = header.literal(7);
        int[] deltas = new int[5]; // y1 DC, y2 DC, y2 AC, chroma DC, chroma AC
        for (int i = 0; i < 5; i++) {
            deltas[i] = header.literal(1) == 1 ? header.signed(4) : 0;
        }
        for (int s = 0; s < 4; s++) {
            int q = base;
            if (segmentsEnabled) {
                q = segmentQuantizer[s] + (segmentValuesAbsolute ? 0 : base);
            }
            int[] m = dequantization[s];
            m[0] = Vp8Tables.DC_QUANTIZER[clamp(q + deltas[0], 127)];
            m[1] = Vp8Tables.AC_QUANTIZER[clamp(q, 127)];
            m[2] = Vp8Tables.DC_QUANTIZER[clamp(q + deltas[1], 127)] * 2;
            m[3] = Math.max(8, Vp8Tables.AC_QUANTIZER[clamp(q + deltas[2], 127)] * 155 / 100);
            m[4] = Vp8Tables.DC_QUANTIZER[clamp(q + deltas[3], 117)];
            m[5] = Vp8Tables.AC_QUANTIZER[clamp(q + deltas[4], 127)];
        }
    }

    private static int clamp(int v, int max) {
        return v < 0 ? 0 : Math.min(v, max);
    }

    /** Filter limits per segment and luma mode (RFC 6386 section 15.2, as libwebp computes them). */
    private void computeFilterStrengths() {
        for (int s = 0; s < 4; s++) {
            int base = filterLevel;
            if (segmentsEnabled) {
                base = segmentFilterLevel[s] + (segmentValuesAbsolute ? 0 : filterLevel);
            }
            for (int subblocks = 0; subblocks <= 1; subblocks++) {
                int[] f = filterStrengths[2 * s + subblocks];
                int level = base;
                if (filterDeltas) {
                    level += referenceFilterDelta[0] + (subblocks == 1 ? modeFilterDelta[0] : 0);
                }
                level = Math.max(0, Math.min(63, level));
                if (filterLevel == 0 || level == 0) {
                    f[0] = 0; // no filtering (a frame-level 0 turns the filter off whatever the segments say)
                    continue;
                }
                int interior = level;
                if (sharpness > 0) {
                    interior >>= sharpness > 4 ? 2 : 1;
                    interior = Math.min(interior, 9 - sharpness);
                }
                interior = Math.max(interior, 1);
                f[0] = 2 * level + interior;
                f[1] = interior;
                f[2] = level >= 40 ? 2 : level >= 15 ? 1 : 0;
            }
        }
    }

    /** Reads the luma modes of one macroblock; true for per-sub-block (B_PRED) prediction. */
    private boolean readModes(BoolDecoder header, int mbX) {
        int[] above = aboveModes;
        int at = 4 * mbX;
        if (header.bit(145) == 1) {
            int mode = header.bit(156) == 1
                    ? (header.bit(128) == 1 ? TM : HE)
                    : (header.bit(163) == 1 ? VE : DC);
            subblockModes[0] = mode;
            java.util.Arrays.fill(above, at, at + 4, mode);
            java.util.Arrays.fill(leftModes, mode);
            return false;
        }
        for (int y = 0; y < 4; y++) {
            int left = leftModes[y];
            for (int x = 0; x < 4; x++) {
                int probabilities = 90 * above[at + x] + 9 * left;
                int i = SUBBLOCK_MODE_TREE[header.bit(Vp8Tables.SUBBLOCK_MODE_PROBABILITIES[probabilities])];
                while (i > 0) {
                    i = SUBBLOCK_MODE_TREE[i + header.bit(Vp8Tables.SUBBLOCK_MODE_PROBABILITIES[probabilities + (i >> 1)])];
                }
                left = -i;
                above[at + x] = left;
                subblockModes[4 * y + x] = left;
            }
            leftModes[y] = left;
        }
        return true;
    }

    // ---------------------------------------------------------------- coefficients

    /**
     * Reads one macroblock's coefficients, dequantised, into {@link #coefficients} (blocks 0-15
     * luma, 16-19 Cb, 20-23 Cr), and records in {@link #blockKind} which need a transform.
     * Returns whether any coefficient is non-zero (libwebp's test for filtering inner edges).
     */
    private boolean readResiduals(BoolDecoder tokens, int mbX, int segment, boolean subblocks) {
        int[] out = coefficients;
        java.util.Arrays.fill(out, 0);
        int[] q = dequantization[segment];
        int above = 9 * mbX;
        int first;
        int lumaType;
        if (!subblocks) {
            int ctx = aboveNonZero[above + 8] + leftNonZero[8];
            int n = readBlock(tokens, TYPE_Y2, ctx, q[2], q[3], 0, out, 384);
            byte nonZero = (byte) (n > 0 ? 1 : 0);
            aboveNonZero[above + 8] = nonZero;
            leftNonZero[8] = nonZero;
            inverseWalshHadamard(out, 384);
            first = 1;
            lumaType = TYPE_Y_AFTER_Y2;
        } else {
            first = 0;
            lumaType = TYPE_Y_WITH_DC;
        }
        boolean any = false;
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                int block = 4 * y + x;
                int ctx = aboveNonZero[above + x] + leftNonZero[y];
                int n = readBlock(tokens, lumaType, ctx, q[0], q[1], first, out, 16 * block);
                byte nonZero = (byte) (n > first ? 1 : 0);
                aboveNonZero[above + x] = nonZero;
                leftNonZero[y] = nonZero;
                any |= record(block, n, out[16 * block]);
            }
        }
        for (int plane = 0; plane < 2; plane++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++) {
                    int block = 16 + 4 * plane + 2 * y + x;
                    int a = above + 4 + 2 * plane + x;
                    int l = 4 + 2 * plane + y;
                    int n = readBlock(tokens, TYPE_CHROMA, aboveNonZero[a] + leftNonZero[l], q[4], q[5], 0, out,
                            16 * block);
                    byte nonZero = (byte) (n > 0 ? 1 : 0);
                    aboveNonZero[a] = nonZero;
                    leftNonZero[l] = nonZero;
                    any |= record(block, n, out[16 * block]);
                }
            }
        }
        return any;
    }

    /** Notes whether a block needs no transform (0), only its DC (1) or the full one (2). */
    private boolean record(int block, int n, int dc) {
        int kind = n > 1 ? 2 : dc != 0 ? 1 : 0;
        blockKind[block] = kind;
        return kind != 0;
    }

    /**
     * Reads one block's tokens (section 13) from position {@code first}, writing dequantised
     * values in raster order at {@code out[at..at+15]}. Returns the position after the last
     * token read, as libwebp does (the neighbours' context is whether it passed {@code first}).
     */
    private int readBlock(BoolDecoder in, int type, int ctx, int dcFactor, int acFactor, int first, int[] out, int at) {
        int[] probabilities = coefficientProbabilities;
        int typeBase = type * 8 * 33;
        int n = first;
        int p = typeBase + BANDS[n] * 33 + ctx * 11;
        while (n < 16) {
            if (in.bit(probabilities[p]) == 0) {
                return n; // end of block
            }
            while (in.bit(probabilities[p + 1]) == 0) { // a zero: no end-of-block may follow
                if (++n == 16) {
                    return 16;
                }
                p = typeBase + BANDS[n] * 33;
            }
            int value;
            int next;
            if (in.bit(probabilities[p + 2]) == 0) {
                value = 1;
                next = 11;
            } else {
                value = largeValue(in, probabilities, p);
                next = 22;
            }
            if (in.bit(128) == 1) {
                value = -value;
            }
            // Stored as 16-bit, as libwebp does: only a damaged stream overflows, and then alike.
            out[at + ZIGZAG[n]] = (short) (value * (n > 0 ? acFactor : dcFactor));
            if (++n < 16) {
                p = typeBase + BANDS[n] * 33 + next;
            }
        }
        return 16;
    }

    /** A token of value 2 or more: the tree below node 3 plus its category's extra bits. */
    private static int largeValue(BoolDecoder in, int[] probabilities, int p) {
        if (in.bit(probabilities[p + 3]) == 0) {
            if (in.bit(probabilities[p + 4]) == 0) {
                return 2;
            }
            return 3 + in.bit(probabilities[p + 5]);
        }
        if (in.bit(probabilities[p + 6]) == 0) {
            if (in.bit(probabilities[p + 7]) == 0) {
                return 5 + in.bit(159);
            }
            int v = 7 + 2 * in.bit(165);
            return v + in.bit(145);
        }
        int high = in.bit(probabilities[p + 8]);
        int category = 2 * high + in.bit(probabilities[p + 9 + high]);
        int v = 0;
        for (int probability : CATEGORY_PROBABILITIES[category]) {
            v += v + in.bit(probability);
        }
        return v + 3 + (8 << category);
    }

    /** The second-order transform: spreads the Y2 block at {@code at} into the 16 luma DCs. */
    private void inverseWalshHadamard(int[] c, int at) {
        int[] t = transform;
        for (int i = 0; i < 4; i++) {
            int a0 = c[at + i] + c[at + 12 + i];
            int a1 = c[at + 4 + i] + c[at + 8 + i];
            int a2 = c[at + 4 + i] - c[at + 8 + i];
            int a3 = c[at + i] - c[at + 12 + i];
            t[i] = a0 + a1;
            t[8 + i] = a0 - a1;
            t[4 + i] = a3 + a2;
            t[12 + i] = a3 - a2;
        }
        for (int i = 0; i < 4; i++) {
            int dc = t[4 * i] + 3;
            int a0 = dc + t[4 * i + 3];
            int a1 = t[4 * i + 1] + t[4 * i + 2];
            int a2 = t[4 * i + 1] - t[4 * i + 2];
            int a3 = dc - t[4 * i + 3];
            c[16 * (4 * i)] = (short) ((a0 + a1) >> 3);
            c[16 * (4 * i + 1)] = (short) ((a3 + a2) >> 3);
            c[16 * (4 * i + 2)] = (short) ((a0 - a1) >> 3);
            c[16 * (4 * i + 3)] = (short) ((a3 - a2) >> 3);
        }
    }

    // ---------------------------------------------------------------- prediction and reconstruction

    private void reconstruct(int mbX, int mbY, boolean subblocks, int uvMode) {
        int origin = (16 * mbY + 1) * lumaStride + 16 * mbX + 1;
        if (subblocks) {
            int aboveRight = origin - lumaStride + 16;
            if (mbY > 0 && mbX == mbWidth - 1) {
                // No macroblock above-right: repeat the last pixel above (libwebp's convention).
                java.util.Arrays.fill(luma, aboveRight, aboveRight + 4, luma[aboveRight - 1]);
            }
            for (int n = 0; n < 16; n++) {
                int x = n & 3;
                int y = n >> 2;
                int at = origin + 4 * y * lumaStride + 4 * x;
                predictSubblock(at, x == 3 ? aboveRight : at - lumaStride + 4, subblockModes[n]);
                addResidual(luma, at, lumaStride, n);
            }
        } else {
            predict(luma, origin, lumaStride, 16, subblockModes[0], mbX, mbY);
            for (int n = 0; n < 16; n++) {
                addResidual(luma, origin + 4 * (n >> 2) * lumaStride + 4 * (n & 3), lumaStride, n);
            }
        }
        int chroma = (8 * mbY + 1) * chromaStride + 8 * mbX + 1;
        predict(cb, chroma, chromaStride, 8, uvMode, mbX, mbY);
        predict(cr, chroma, chromaStride, 8, uvMode, mbX, mbY);
        for (int n = 0; n < 4; n++) {
            int at = chroma + 4 * (n >> 1) * chromaStride + 4 * (n & 1);
            addResidual(cb, at, chromaStride, 16 + n);
            addResidual(cr, at, chromaStride, 20 + n);
        }
    }

    /** 16x16 luma or 8x8 chroma prediction (section 12.2); DC without a missing edge's pixels. */
    private static void predict(byte[] p, int at, int stride, int size, int mode, int mbX, int mbY) {
        int top = at - stride;
        switch (mode) {
            case DC -> {
                int sum = 0;
                int count = 0;
                if (mbY > 0) {
                    for (int i = 0; i < size; i++) {
                        sum += p[top + i] & 0xff;
                    }
                    count += size;
                }
                if (mbX > 0) {
                    for (int i = 0; i < size; i++) {
                        sum += p[at + i * stride - 1] & 0xff;
                    }
                    count += size;
                }
                int value = count == 0 ? 128 : (sum + (count >> 1)) / count;
                for (int y = 0; y < size; y++) {
                    java.util.Arrays.fill(p, at + y * stride, at + y * stride + size, (byte) value);
                }
            }
            case VE -> {
                for (int y = 0; y < size; y++) {
                    System.arraycopy(p, top, p, at + y * stride, size);
                }
            }
            case HE -> {
                for (int y = 0; y < size; y++) {
                    int row = at + y * stride;
                    java.util.Arrays.fill(p, row, row + size, p[row - 1]);
                }
            }
            default -> { // TM
                int corner = p[top - 1] & 0xff;
                for (int y = 0; y < size; y++) {
                    int row = at + y * stride;
                    int left = (p[row - 1] & 0xff) - corner;
                    for (int x = 0; x < size; x++) {
                        p[row + x] = clip255((p[top + x] & 0xff) + left);
                    }
                }
            }
        }
    }

    /**
     * 4x4 prediction (section 12.3) at {@code at}; {@code aboveRight} is where the four pixels
     * above and right of the sub-block are read (for the right column, the row above the
     * macroblock).
     */
    private void predictSubblock(int at, int aboveRight, int mode) {
        byte[] p = luma;
        int s = lumaStride;
        int[] e = neighbours; // e[0..3] = L K J I (left, bottom up), e[4] = corner M, e[5..12] = A..H
        int top = at - s;
        e[0] = p[at + 3 * s - 1] & 0xff;
        e[1] = p[at + 2 * s - 1] & 0xff;
        e[2] = p[at + s - 1] & 0xff;
        e[3] = p[at - 1] & 0xff;
        e[4] = p[top - 1] & 0xff;
        for (int i = 0; i < 4; i++) {
            e[5 + i] = p[top + i] & 0xff;
            e[9 + i] = p[aboveRight + i] & 0xff;
        }
        int l = e[0];
        int k = e[1];
        int j = e[2];
        int i0 = e[3];
        int m = e[4];
        int a = e[5];
        int b = e[6];
        int c = e[7];
        int d = e[8];
        int e4 = e[9];
        int f = e[10];
        int g = e[11];
        int h = e[12];
        switch (mode) {
            case DC -> {
                int v = (a + b + c + d + i0 + j + k + l + 4) >> 3;
                for (int y = 0; y < 4; y++) {
                    java.util.Arrays.fill(p, at + y * s, at + y * s + 4, (byte) v);
                }
            }
            case TM -> {
                for (int y = 0; y < 4; y++) {
                    int left = e[3 - y] - m;
                    for (int x = 0; x < 4; x++) {
                        p[at + y * s + x] = clip255(e[5 + x] + left);
                    }
                }
            }
            case VE -> {
                int v0 = avg3(m, a, b);
                int v1 = avg3(a, b, c);
                int v2 = avg3(b, c, d);
                int v3 = avg3(c, d, e4);
                for (int y = 0; y < 4; y++) {
                    set(at + y * s, v0, v1, v2, v3);
                }
            }
            case HE -> {
                int[] rows = {avg3(m, i0, j), avg3(i0, j, k), avg3(j, k, l), avg3(k, l, l)};
                for (int y = 0; y < 4; y++) {
                    java.util.Arrays.fill(p, at + y * s, at + y * s + 4, (byte) rows[y]);
                }
            }
            case RD -> {
                int ljk = avg3(j, k, l);
                int ijk = avg3(i0, j, k);
                int mij = avg3(m, i0, j);
                int ami = avg3(a, m, i0);
                int bam = avg3(b, a, m);
                int cba = avg3(c, b, a);
                int dcb = avg3(d, c, b);
                set(at, ami, bam, cba, dcb);
                set(at + s, mij, ami, bam, cba);
                set(at + 2 * s, ijk, mij, ami, bam);
                set(at + 3 * s, ljk, ijk, mij, ami);
            }
            case VR -> {
                int ma = avg2(m, a);
                int ab = avg2(a, b);
                int bc = avg2(b, c);
                int cd = avg2(c, d);
                int kji = avg3(k, j, i0);
                int jim = avg3(j, i0, m);
                int ima = avg3(i0, m, a);
                int mab = avg3(m, a, b);
                int abc = avg3(a, b, c);
                int bcd = avg3(b, c, d);
                set(at, ma, ab, bc, cd);
                set(at + s, ima, mab, abc, bcd);
                set(at + 2 * s, jim, ma, ab, bc);
                set(at + 3 * s, kji, ima, mab, abc);
            }
            case LD -> {
                int abc = avg3(a, b, c);
                int bcd = avg3(b, c, d);
                int cde = avg3(c, d, e4);
                int def = avg3(d, e4, f);
                int efg = avg3(e4, f, g);
                int fgh = avg3(f, g, h);
                int ghh = avg3(g, h, h);
                set(at, abc, bcd, cde, def);
                set(at + s, bcd, cde, def, efg);
                set(at + 2 * s, cde, def, efg, fgh);
                set(at + 3 * s, def, efg, fgh, ghh);
            }
            case VL -> {
                int ab = avg2(a, b);
                int bc = avg2(b, c);
                int cd = avg2(c, d);
                int de = avg2(d, e4);
                int abc = avg3(a, b, c);
                int bcd = avg3(b, c, d);
                int cde = avg3(c, d, e4);
                int def = avg3(d, e4, f);
                set(at, ab, bc, cd, de);
                set(at + s, abc, bcd, cde, def);
                set(at + 2 * s, bc, cd, de, avg3(e4, f, g));
                set(at + 3 * s, bcd, cde, def, avg3(f, g, h));
            }
            case HD -> {
                int im = avg2(i0, m);
                int ji = avg2(j, i0);
                int kj = avg2(k, j);
                int lk = avg2(l, k);
                int abc = avg3(a, b, c);
                int mab = avg3(m, a, b);
                int ima = avg3(i0, m, a);
                int mij = avg3(m, i0, j);
                int ijk = avg3(i0, j, k);
                int jkl = avg3(j, k, l);
                set(at, im, ima, mab, abc);
                set(at + s, ji, mij, im, ima);
                set(at + 2 * s, kj, ijk, ji, mij);
                set(at + 3 * s, lk, jkl, kj, ijk);
            }
            default -> { // HU
                int ij = avg2(i0, j);
                int jk = avg2(j, k);
                int kl = avg2(k, l);
                int ijk = avg3(i0, j, k);
                int jkl = avg3(j, k, l);
                int kll = avg3(k, l, l);
                set(at, ij, ijk, jk, jkl);
                set(at + s, jk, jkl, kl, kll);
                set(at + 2 * s, kl, kll, l, l);
                set(at + 3 * s, l, l, l, l);
            }
        }
    }

    private void set(int at, int v0, int v1, int v2, int v3) {
        luma[at] = (byte) v0;
        luma[at + 1] = (byte) v1;
        luma[at + 2] = (byte) v2;
        luma[at + 3] = (byte) v3;
    }

    private static int avg3(int a, int b, int c) {
        return (a + 2 * b + c + 2) >> 2;
    }

    private static int avg2(int a, int b) {
        return (a + b + 1) >> 1;
    }

    private static byte clip255(int v) {
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** Adds block {@code n}'s inverse DCT (section 14.3) to the prediction at {@code at}. */
    private void addResidual(byte[] p, int at, int stride, int n) {
        int kind = blockKind[n];
        if (kind == 0) {
            return;
        }
        int[] c = coefficients;
        int base = 16 * n;
        if (kind == 1) {
            int dc = (c[base] + 4) >> 3;
            for (int y = 0; y < 4; y++) {
                int row = at + y * stride;
                for (int x = 0; x < 4; x++) {
                    p[row + x] = clip255((p[row + x] & 0xff) + dc);
                }
            }
            return;
        }
        int[] t = transform;
        for (int i = 0; i < 4; i++) { // vertical pass, one column at a time
            int a = c[base + i] + c[base + 8 + i];
            int b = c[base + i] - c[base + 8 + i];
            int cc = mul2(c[base + 4 + i]) - mul1(c[base + 12 + i]);
            int d = mul1(c[base + 4 + i]) + mul2(c[base + 12 + i]);
            t[4 * i] = a + d;
            t[4 * i + 1] = b + cc;
            t[4 * i + 2] = b - cc;
            t[4 * i + 3] = a - d;
        }
        for (int i = 0; i < 4; i++) { // horizontal pass, one row at a time
            int dc = t[i] + 4;
            int a = dc + t[8 + i];
            int b = dc - t[8 + i];
            int cc = mul2(t[4 + i]) - mul1(t[12 + i]);
            int d = mul1(t[4 + i]) + mul2(t[12 + i]);
            int row = at + i * stride;
            p[row] = clip255((p[row] & 0xff) + ((a + d) >> 3));
            p[row + 1] = clip255((p[row + 1] & 0xff) + ((b + cc) >> 3));
            p[row + 2] = clip255((p[row + 2] & 0xff) + ((b - cc) >> 3));
            p[row + 3] = clip255((p[row + 3] & 0xff) + ((a - d) >> 3));
        }
    }

    private static int mul1(int a) {
        return ((a * 20091) >> 16) + a;
    }

    private static int mul2(int a) {
        return (a * 35468) >> 16;
    }

    // ---------------------------------------------------------------- loop filter (section 15)

    private void filterRow(int mbY) {
        int rowBase = (mbY & 1) * mbWidth;
        for (int mbX = 0; mbX < mbWidth; mbX++) {
            int info = rowFilter[rowBase + mbX];
            if (info < 0) {
                continue;
            }
            int[] f = filterStrengths[info & 0xff];
            boolean inner = (info & 0x100) != 0;
            int limit = f[0];
            int y = (16 * mbY + 1) * lumaStride + 16 * mbX + 1;
            if (simpleFilter) {
                if (mbX > 0) {
                    simpleEdge(y, lumaStride, 1, limit + 4);
                }
                if (inner) {
                    for (int i = 4; i < 16; i += 4) {
                        simpleEdge(y + i, lumaStride, 1, limit);
                    }
                }
                if (mbY > 0) {
                    simpleEdge(y, 1, lumaStride, limit + 4);
                }
                if (inner) {
                    for (int i = 4; i < 16; i += 4) {
                        simpleEdge(y + i * lumaStride, 1, lumaStride, limit);
                    }
                }
                continue;
            }
            int interior = f[1];
            int hev = f[2];
            int uv = (8 * mbY + 1) * chromaStride + 8 * mbX + 1;
            if (mbX > 0) {
                edge(luma, y, lumaStride, 1, 16, limit + 4, interior, hev, true);
                edge(cb, uv, chromaStride, 1, 8, limit + 4, interior, hev, true);
                edge(cr, uv, chromaStride, 1, 8, limit + 4, interior, hev, true);
            }
            if (inner) {
                for (int i = 4; i < 16; i += 4) {
                    edge(luma, y + i, lumaStride, 1, 16, limit, interior, hev, false);
                }
                edge(cb, uv + 4, chromaStride, 1, 8, limit, interior, hev, false);
                edge(cr, uv + 4, chromaStride, 1, 8, limit, interior, hev, false);
            }
            if (mbY > 0) {
                edge(luma, y, 1, lumaStride, 16, limit + 4, interior, hev, true);
                edge(cb, uv, 1, chromaStride, 8, limit + 4, interior, hev, true);
                edge(cr, uv, 1, chromaStride, 8, limit + 4, interior, hev, true);
            }
            if (inner) {
                for (int i = 4; i < 16; i += 4) {
                    edge(luma, y + i * lumaStride, 1, lumaStride, 16, limit, interior, hev, false);
                }
                edge(cb, uv + 4 * chromaStride, 1, chromaStride, 8, limit, interior, hev, false);
                edge(cr, uv + 4 * chromaStride, 1, chromaStride, 8, limit, interior, hev, false);
            }
        }
    }

    /**
     * The simple filter across one 16-pixel luma edge: {@code along} steps between the edge's
     * pixels, {@code across} from one side of the edge to the other.
     */
    private void simpleEdge(int at, int along, int across, int limit) {
        byte[] p = luma;
        int threshold = 2 * limit + 1;
        for (int i = 0; i < 16; i++, at += along) {
            int p1 = p[at - 2 * across] & 0xff;
            int p0 = p[at - across] & 0xff;
            int q0 = p[at] & 0xff;
            int q1 = p[at + across] & 0xff;
            if (4 * Math.abs(p0 - q0) + Math.abs(p1 - q1) <= threshold) {
                commonAdjust(p, at, across, p1, p0, q0, q1);
            }
        }
    }

    /** The normal filter across one edge of {@code length} pixels; macroblock edges are wider. */
    private static void edge(byte[] p, int at, int along, int across, int length, int limit, int interior,
            int hevThreshold, boolean macroblockEdge) {
        int threshold = 2 * limit + 1;
        for (int i = 0; i < length; i++, at += along) {
            int p3 = p[at - 4 * across] & 0xff;
            int p2 = p[at - 3 * across] & 0xff;
            int p1 = p[at - 2 * across] & 0xff;
            int p0 = p[at - across] & 0xff;
            int q0 = p[at] & 0xff;
            int q1 = p[at + across] & 0xff;
            int q2 = p[at + 2 * across] & 0xff;
            int q3 = p[at + 3 * across] & 0xff;
            if (4 * Math.abs(p0 - q0) + Math.abs(p1 - q1) > threshold
                    || Math.abs(p3 - p2) > interior || Math.abs(p2 - p1) > interior
                    || Math.abs(p1 - p0) > interior || Math.abs(q3 - q2) > interior
                    || Math.abs(q2 - q1) > interior || Math.abs(q1 - q0) > interior) {
                continue;
            }
            if (Math.abs(p1 - p0) > hevThreshold || Math.abs(q1 - q0) > hevThreshold) {
                commonAdjust(p, at, across, p1, p0, q0, q1);
            } else if (macroblockEdge) {
                int w = clampSigned(3 * (q0 - p0) + clampSigned(p1 - q1));
                int a1 = (27 * w + 63) >> 7;
                int a2 = (18 * w + 63) >> 7;
                int a3 = (9 * w + 63) >> 7;
                p[at - 3 * across] = clip255(p2 + a3);
                p[at - 2 * across] = clip255(p1 + a2);
                p[at - across] = clip255(p0 + a1);
                p[at] = clip255(q0 - a1);
                p[at + across] = clip255(q1 - a2);
                p[at + 2 * across] = clip255(q2 - a3);
            } else {
                int a = 3 * (q0 - p0);
                int a1 = clampSigned16((a + 4) >> 3);
                int a2 = clampSigned16((a + 3) >> 3);
                int a3 = (a1 + 1) >> 1;
                p[at - 2 * across] = clip255(p1 + a3);
                p[at - across] = clip255(p0 + a2);
                p[at] = clip255(q0 - a1);
                p[at + across] = clip255(q1 - a3);
            }
        }
    }

    /** Moves p0 and q0 toward each other, the outer taps p1 and q1 weighing in (the common step). */
    private static void commonAdjust(byte[] p, int at, int across, int p1, int p0, int q0, int q1) {
        int a = 3 * (q0 - p0) + clampSigned(p1 - q1);
        int a1 = clampSigned16((a + 4) >> 3);
        int a2 = clampSigned16((a + 3) >> 3);
        p[at - across] = clip255(p0 + a2);
        p[at] = clip255(q0 - a1);
    }

    private static int clampSigned(int v) {
        return v < -128 ? -128 : Math.min(v, 127);
    }

    private static int clampSigned16(int v) {
        return v < -16 ? -16 : Math.min(v, 15);
    }

    // ---------------------------------------------------------------- colour

    /**
     * YUV 4:2:0 to RGB float planes as libwebp does by default: chroma upsampled with the
     * 9-3-3-1 "fancy" filter, converted with its 14-bit fixed-point BT.601 coefficients.
     */
    private float[] toRgb() {
        int n = width * height;
        float[] rgb = new float[3 * n];
        float[] level = new float[256];
        for (int v = 0; v < 256; v++) {
            level[v] = v / 255f;
        }
        int[] topU = new int[width];
        int[] topV = new int[width];
        int[] bottomU = new int[width];
        int[] bottomV = new int[width];
        // Row 0 alone, then pairs (2k-1, 2k) between chroma rows k-1 and k, then an even height's last row.
        upsampleRow(0, topU, topV);
        emitRow(0, topU, topV, rgb, level);
        for (int y = 1; y + 1 < height; y += 2) {
            int k = (y + 1) >> 1;
            upsamplePair(k - 1, k, topU, topV, bottomU, bottomV);
            emitRow(y, topU, topV, rgb, level);
            emitRow(y + 1, bottomU, bottomV, rgb, level);
        }
        if ((height & 1) == 0 && height > 1) {
            upsampleRow((height >> 1) - 1, topU, topV);
            emitRow(height - 1, topU, topV, rgb, level);
        }
        return rgb;
    }

    /** A single output row from one chroma row (the frame's first, or an even height's last). */
    private void upsampleRow(int chromaRow, int[] u, int[] v) {
        upsample(cb, chromaRow, chromaRow, u, null);
        upsample(cr, chromaRow, chromaRow, v, null);
    }

    private void upsamplePair(int topRow, int bottomRow, int[] topU, int[] topV, int[] bottomU, int[] bottomV) {
        upsample(cb, topRow, bottomRow, topU, bottomU);
        upsample(cr, topRow, bottomRow, topV, bottomV);
    }

    /**
     * libwebp's fancy upsampler for one plane: the output row nearer chroma row {@code top}
     * goes to {@code upper}, the one nearer {@code bottom} to {@code lower} (if not null).
     * Each output sample weighs its four nearest chroma samples 9:3:3:1.
     */
    private void upsample(byte[] plane, int top, int bottom, int[] upper, int[] lower) {
        int t = (top + 1) * chromaStride + 1;
        int c = (bottom + 1) * chromaStride + 1;
        int tl = plane[t] & 0xff;
        int l = plane[c] & 0xff;
        upper[0] = (3 * tl + l + 2) >> 2;
        if (lower != null) {
            lower[0] = (3 * l + tl + 2) >> 2;
        }
        int pairs = (width - 1) >> 1;
        for (int x = 1; x <= pairs; x++) {
            int tx = plane[t + x] & 0xff;
            int cx = plane[c + x] & 0xff;
            int avg = tl + tx + l + cx + 8;
            int diag12 = (avg + 2 * (tx + l)) >> 3;
            int diag03 = (avg + 2 * (tl + cx)) >> 3;
            upper[2 * x - 1] = (diag12 + tl) >> 1;
            upper[2 * x] = (diag03 + tx) >> 1;
            if (lower != null) {
                lower[2 * x - 1] = (diag03 + l) >> 1;
                lower[2 * x] = (diag12 + cx) >> 1;
            }
            tl = tx;
            l = cx;
        }
        if ((width & 1) == 0) {
            upper[width - 1] = (3 * tl + l + 2) >> 2;
            if (lower != null) {
                lower[width - 1] = (3 * l + tl + 2) >> 2;
            }
        }
    }

    private void emitRow(int y, int[] u, int[] v, float[] rgb, float[] level) {
        int n = width * height;
        int src = (y + 1) * lumaStride + 1;
        int dst = y * width;
        for (int x = 0; x < width; x++) {
            int yy = multHi(luma[src + x] & 0xff, 19077);
            int uu = u[x];
            int vv = v[x];
            rgb[dst + x] = level[clip8(yy + multHi(vv, 26149) - 14234)];
            rgb[n + dst + x] = level[clip8(yy - multHi(uu, 6419) - multHi(vv, 13320) + 8708)];
            rgb[2 * n + dst + x] = level[clip8(yy + multHi(uu, 33050) - 17685)];
        }
    }

    private static int multHi(int v, int coefficient) {
        return (v * coefficient) >> 8;
    }

    private static int clip8(int v) {
        return (v & ~16383) == 0 ? v >> 6 : v < 0 ? 0 : 255;
    }

    // ---------------------------------------------------------------- alpha (WebP container, ALPH chunk)

    private float[] alpha(int start, int end) throws CorruptImageException {
        if (end - start < 1) {
            throw new CorruptImageException(path, "WebP alpha chunk is empty; the file is damaged");
        }
        int header = data[start] & 0xff;
        int method = header & 3;
        int filter = (header >> 2) & 3;
        if ((header >> 4) > 1) {
            throw new CorruptImageException(path, "WebP alpha chunk has reserved bits set; the file is damaged");
        }
        int n = width * height;
        byte[] values = new byte[n];
        if (method == 0) {
            if (end - (start + 1) < n) {
                throw new CorruptImageException(path, "WebP alpha chunk holds " + (end - start - 1) + " bytes for "
                        + n + " pixels; the file is truncated");
            }
            System.arraycopy(data, start + 1, values, 0, n);
        } else if (method == 1) {
            int[] argb = WebpLossless.imageStream(data, start + 1, end, width, height, path);
            for (int i = 0; i < n; i++) {
                values[i] = (byte) (argb[i] >> 8);
            }
        } else {
            throw new CorruptImageException(path, "WebP alpha chunk uses unknown compression " + method
                    + "; the file is damaged");
        }
        unfilter(values, filter);
        float[] alpha = new float[n];
        for (int i = 0; i < n; i++) {
            alpha[i] = (values[i] & 0xff) / 255f;
        }
        return alpha;
    }

    /** Undoes the alpha plane's prediction filter (none, horizontal, vertical, gradient) in place. */
    private void unfilter(byte[] a, int filter) {
        if (filter == 0) {
            return;
        }
        for (int y = 0; y < height; y++) {
            int row = y * width;
            int prev = row - width;
            if (y == 0 || filter == 1) {
                int pred = y == 0 ? 0 : a[prev] & 0xff;
                for (int x = 0; x < width; x++) {
                    pred = (pred + a[row + x]) & 0xff;
                    a[row + x] = (byte) pred;
                }
            } else if (filter == 2) {
                for (int x = 0; x < width; x++) {
                    a[row + x] = (byte) (a[prev + x] + a[row + x]);
                }
            } else {
                int left = a[prev] & 0xff;
                int topLeft = left;
                for (int x = 0; x < width; x++) {
                    int top = a[prev + x] & 0xff;
                    int g = left + top - topLeft;
                    int predicted = (g & ~0xff) == 0 ? g : g < 0 ? 0 : 255;
                    left = (a[row + x] + predicted) & 0xff;
                    a[row + x] = (byte) left;
                    topLeft = top;
                }
            }
        }
    }

    // ---------------------------------------------------------------- boolean entropy decoder

    /**
     * The boolean arithmetic decoder of section 7. {@code value} holds {@code count + 8} bits,
     * the top eight compared with the split; zero bytes are appended past the data, and
     * {@link #eof} is set once a bit is read with the window past the data's end (libwebp's rule).
     */
    private static final class BoolDecoder {
        private final byte[] data;
        private final int end;
        private int next;
        private long value;
        private int count = -8;
        private int range = 255;
        private int paddingBits;
        boolean eof;

        BoolDecoder(byte[] data, int start, int end) {
            this.data = data;
            this.next = start;
            this.end = end;
            fill();
        }

        private void fill() {
            while (count < 40) {
                int b;
                if (next < end) {
                    b = data[next++] & 0xff;
                } else {
                    b = 0;
                    paddingBits += 8;
                }
                value = (value << 8) | b;
                count += 8;
            }
        }

        int bit(int probability) {
            if (count < 0) {
                fill();
            }
            if (count < paddingBits) {
                eof = true;
            }
            int split = 1 + (((range - 1) * probability) >> 8);
            long scaled = (long) split << count;
            int bit;
            if (value >= scaled) {
                range -= split;
                value -= scaled;
                bit = 1;
            } else {
                range = split;
                bit = 0;
            }
            int shift = Integer.numberOfLeadingZeros(range) - 24;
            range <<= shift;
            count -= shift;
            return bit;
        }

        int literal(int bits) {
            int v = 0;
            while (bits-- > 0) {
                v = (v << 1) | bit(128);
            }
            return v;
        }

        int signed(int bits) {
            int v = literal(bits);
            return bit(128) == 1 ? -v : v;
        }
    }
}
