package io.github.style4j.samediff.network;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How to run a network over an image in tiles so that every tap position is computed exactly
 * as on the whole image: the positions of each tap are split among the tiles (each position
 * owned by one tile), and each tile's crop of the image is its owned positions' receptive
 * field (the "halo"), clipped to the image, starting at a multiple of the network's total
 * stride so that the crop's grid lines up with the whole image's at every layer.
 *
 * <p>A position whose receptive field lies inside the crop sees the same pixels through the
 * same arithmetic as on the whole image; where the field crosses the image's border, the crop
 * reaches that border too, so the padding is the same. Positions near a crop's inner edges
 * (padded with zeros where the image has pixels) are computed but owned by a neighbour.
 * Summing over tiles what each owns therefore gives every whole-image sum (Gram matrices,
 * squared differences) exactly, and backpropagating each tile's owned gradients and adding
 * the crops' image gradients gives the whole image's gradient, up to the order of additions.
 */
public final class TileLayout {
    private final List<Tile> tiles;
    private final int height;
    private final int width;
    private final int alignment;
    private final int halo;
    private final Map<String, long[]> tapSizes;

    /**
     * A tile: its crop of the image, {@code [y0, y1) x [x0, x1)}; its core, the pixels whose
     * stride cells it owns (cores partition the image: where a seam would show if tiles were
     * not exact); and for each tap the region it owns, in the crop's map ({@code local}) and in
     * the whole image's map ({@code global}); a tap with nothing owned in this tile is absent.
     */
    public record Tile(int index, int y0, int y1, int x0, int x1, Region core, Map<String, Region> local,
                       Map<String, Region> global) {
        public int height() {
            return y1 - y0;
        }

        public int width() {
            return x1 - x0;
        }

        public long pixels() {
            return (long) height() * width();
        }
    }

    /** Rows {@code [y0, y1)} and columns {@code [x0, x1)} of a map. */
    public record Region(int y0, int y1, int x0, int x1) {
        public int height() {
            return y1 - y0;
        }

        public int width() {
            return x1 - x0;
        }
    }

    private TileLayout(List<Tile> tiles, int height, int width, int alignment, int halo, Map<String, long[]> tapSizes) {
        this.tiles = Collections.unmodifiableList(tiles);
        this.height = height;
        this.width = width;
        this.alignment = alignment;
        this.halo = halo;
        this.tapSizes = tapSizes;
    }

    /** Tiles for {@code taps} of {@code network} (its architecture and its weights' pooling rounding); see below. */
    public static TileLayout of(FeatureNetwork network, Collection<String> taps, int height, int width, int coreSize) {
        return of(network.architecture(), network.weights().ceilModePooling(), taps, height, width, coreSize);
    }

    /**
     * Tiles for {@code taps} of a network on a {@code height x width} image, each owning about
     * {@code coreSize x coreSize} pixels' worth of positions (rounded to the alignment; one
     * tile when the image is no larger).
     *
     * @param ceilModePooling the weights' pooling rounding ({@link NetworkWeights#ceilModePooling()})
     * @throws IllegalArgumentException for a tap that reads the whole image (SqueezeNet's logits)
     */
    public static TileLayout of(Architecture architecture, boolean ceilModePooling, Collection<String> taps,
                                int height, int width, int coreSize) {
        Axis axis = new Axis(architecture, ceilModePooling, taps);
        int core = Math.max(axis.alignment, coreSize / axis.alignment * axis.alignment);
        List<int[]> rows = axis.split(height, core);
        List<int[]> columns = axis.split(width, core);
        List<Tile> tiles = new ArrayList<>();
        for (int[] row : rows) {
            for (int[] column : columns) {
                int[] yCrop = axis.crop(row, height);
                int[] xCrop = axis.crop(column, width);
                Map<String, Region> local = new LinkedHashMap<>();
                Map<String, Region> global = new LinkedHashMap<>();
                for (Axis.Tap tap : axis.taps) {
                    int[] ys = axis.owned(tap, row, height);
                    int[] xs = axis.owned(tap, column, width);
                    if (ys[0] >= ys[1] || xs[0] >= xs[1]) {
                        continue;
                    }
                    int dy = yCrop[0] / tap.stride();
                    int dx = xCrop[0] / tap.stride();
                    Region inCrop = new Region(ys[0] - dy, ys[1] - dy, xs[0] - dx, xs[1] - dx);
                    if (inCrop.y1() > axis.size(tap.index(), yCrop[1] - yCrop[0])
                            || inCrop.x1() > axis.size(tap.index(), xCrop[1] - xCrop[0])) {
                        throw new IllegalStateException("tile geometry: " + tap.name() + " region " + inCrop
                                + " outside its crop " + java.util.Arrays.toString(yCrop) + "x"
                                + java.util.Arrays.toString(xCrop));
                    }
                    local.put(tap.name(), inCrop);
                    global.put(tap.name(), new Region(ys[0], ys[1], xs[0], xs[1]));
                }
                if (local.isEmpty()) {
                    continue; // a sliver at the image's end that owns no position at any tap
                }
                tiles.add(new Tile(tiles.size(), yCrop[0], yCrop[1], xCrop[0], xCrop[1],
                        new Region(row[0], row[1], column[0], column[1]), Collections.unmodifiableMap(local),
                        Collections.unmodifiableMap(global)));
            }
        }
        return new TileLayout(tiles, height, width, axis.alignment, axis.halo(), axis.tapSizes(height, width));
    }

    /**
     * Moving tiles (crowsonkb's {@code style_transfer}): crops without halos, their edges moved by
     * {@code offsetY, offsetX} (the first core on each axis ends between half a core and a whole
     * core in, the rest of the axis is split evenly; every edge on the alignment, so each crop
     * starts on the whole image's grid), each crop owning every position it computes. Positions within
     * the deepest tap's receptive field of a crop's inner edge see zero padding where the image
     * has pixels, so sums over these tiles are <em>not</em> the whole image's: the layout is for
     * a loss whose statistics are local to each tile ({@code PerceptualLoss.localTiled()}), with
     * a new offset every evaluation so that no edge stays in one place. A crop's owned region
     * is clipped to the whole image's map, so regions never reach past it.
     */
    public static TileLayout moving(Architecture architecture, boolean ceilModePooling, Collection<String> taps,
                                    int height, int width, int coreSize, int offsetY, int offsetX) {
        Axis axis = new Axis(architecture, ceilModePooling, taps);
        int core = Math.max(axis.alignment, coreSize / axis.alignment * axis.alignment);
        List<int[]> rows = axis.shifted(height, core, offsetY);
        List<int[]> columns = axis.shifted(width, core, offsetX);
        List<Tile> tiles = new ArrayList<>();
        for (int[] row : rows) {
            for (int[] column : columns) {
                Map<String, Region> local = new LinkedHashMap<>();
                Map<String, Region> global = new LinkedHashMap<>();
                for (Axis.Tap tap : axis.taps) {
                    int y0 = row[0] / tap.stride();
                    int x0 = column[0] / tap.stride();
                    int h = Math.min(axis.size(tap.index(), row[1] - row[0]), axis.size(tap.index(), height) - y0);
                    int w = Math.min(axis.size(tap.index(), column[1] - column[0]), axis.size(tap.index(), width) - x0);
                    if (h <= 0 || w <= 0) {
                        continue;
                    }
                    local.put(tap.name(), new Region(0, h, 0, w));
                    global.put(tap.name(), new Region(y0, y0 + h, x0, x0 + w));
                }
                if (local.isEmpty()) {
                    continue; // a sliver too small to reach the deepest taps
                }
                tiles.add(new Tile(tiles.size(), row[0], row[1], column[0], column[1],
                        new Region(row[0], row[1], column[0], column[1]), Collections.unmodifiableMap(local),
                        Collections.unmodifiableMap(global)));
            }
        }
        return new TileLayout(tiles, height, width, axis.alignment, 0, axis.tapSizes(height, width));
    }

    /**
     * The most pixels a crop spans on one side for tiles owning {@code coreSize} pixels:
     * the core plus the halo on both sides and the alignment's slack (what memory must hold).
     */
    public static int cropSide(Architecture architecture, boolean ceilModePooling, Collection<String> taps,
                               int coreSize) {
        Axis axis = new Axis(architecture, ceilModePooling, taps);
        int core = Math.max(axis.alignment, coreSize / axis.alignment * axis.alignment);
        return core + 2 * axis.halo() + axis.alignment;
    }

    /** The most pixels a moving tile's crop ({@link #moving}) spans on one side for cores of {@code coreSize}. */
    public static int movingCropSide(Architecture architecture, Collection<String> taps, int coreSize) {
        int alignment = alignment(architecture, taps);
        return Math.max(alignment, coreSize / alignment * alignment) + alignment;
    }

    /** The total stride of the network up to its deepest tap: crops start at multiples of it. */
    public static int alignment(Architecture architecture, Collection<String> taps) {
        return new Axis(architecture, false, taps).alignment;
    }

    public List<Tile> tiles() {
        return tiles;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Total stride up to the deepest tap. */
    public int alignment() {
        return alignment;
    }

    /** Pixels the deepest tap's receptive field reaches beyond a position's own stride cell, on each side. */
    public int halo() {
        return halo;
    }

    /** Each tap's map size on the whole image, {@code {height, width}}. */
    public Map<String, long[]> tapSizes() {
        return tapSizes;
    }

    /** Pixels all crops together cover, over the image's pixels: the halo's overhead (1 for one tile). */
    public double overhead() {
        long covered = 0;
        for (Tile tile : tiles) {
            covered += tile.pixels();
        }
        return covered / ((double) height * width);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "TileLayout[%dx%d in %d tiles, halo %d px, alignment %d, "
                + "overhead %.2fx]", width, height, tiles.size(), halo, alignment, overhead());
    }

    /**
     * One spatial axis of the network (both are alike: square kernels and strides): for each op,
     * kernel, stride, padding at the start and the extra padding at the end of ceil-mode pooling.
     */
    private static final class Axis {
        record Op(int kernel, int stride, int padStart, int padEnd) {
        }

        record Tap(String name, int index, int stride) {
        }

        final List<Op> ops = new ArrayList<>();
        final List<Tap> taps = new ArrayList<>();
        final int alignment;

        Axis(Architecture architecture, boolean ceilModePooling, Collection<String> layers) {
            java.util.Set<String> wanted = new java.util.HashSet<>();
            int deepest = -1;
            for (String layer : layers) {
                wanted.add(architecture.canonicalName(layer));
                deepest = Math.max(deepest, architecture.indexOf(layer));
            }
            if (deepest < 0) {
                throw new IllegalArgumentException("tiles need at least one tap");
            }
            int stride = 1;
            for (int i = 0; i <= deepest; i++) {
                Architecture.Op op = architecture.ops().get(i);
                Op axisOp;
                if (op instanceof Architecture.Conv c) {
                    int pad = c.same() ? (c.kernel() - 1) / 2 : 0;
                    if (c.same() && c.stride() != 1) {
                        throw new IllegalArgumentException("same-padded strided convolution: not tileable");
                    }
                    axisOp = new Op(c.kernel(), c.stride(), pad, pad);
                } else if (op instanceof Architecture.Pool p) {
                    axisOp = new Op(p.kernel(), p.stride(), 0, ceilModePooling && p.stride() > 1 ? p.stride() - 1 : 0);
                } else if (op instanceof Architecture.Fire) {
                    axisOp = new Op(3, 1, 1, 1); // squeeze 1x1, then the 3x3 expand (same padding)
                } else if (op instanceof Architecture.Relu) {
                    axisOp = new Op(1, 1, 0, 0);
                } else {
                    throw new IllegalArgumentException(op.name() + " averages over the whole image, so it cannot be "
                            + "computed in tiles; tap an earlier layer");
                }
                ops.add(axisOp);
                stride *= axisOp.stride();
                if (wanted.contains(op.name())) {
                    taps.add(new Tap(op.name(), i, stride));
                }
            }
            this.alignment = stride;
        }

        /** Each tap's map size, {@code {height, width}}, on a {@code height x width} image. */
        Map<String, long[]> tapSizes(int height, int width) {
            Map<String, long[]> sizes = new LinkedHashMap<>();
            for (Tap tap : taps) {
                sizes.put(tap.name(), new long[] {size(tap.index(), height), size(tap.index(), width)});
            }
            return Collections.unmodifiableMap(sizes);
        }

        /** Output length of op {@code index} for an input of {@code n} pixels along this axis. */
        int size(int index, int n) {
            long length = n;
            for (int i = 0; i <= index; i++) {
                Op op = ops.get(i);
                length = Math.floorDiv(length + op.padStart() + op.padEnd() - op.kernel(), op.stride()) + 1;
            }
            return (int) Math.max(0, length);
        }

        /** The input pixels (possibly outside the image: padding) that positions {@code [a, b]} of op {@code index} read. */
        long[] field(int index, long a, long b) {
            for (int i = index; i >= 0; i--) {
                Op op = ops.get(i);
                a = a * op.stride() - op.padStart();
                b = b * op.stride() - op.padStart() + op.kernel() - 1;
            }
            return new long[] {a, b};
        }

        /** How far the deepest tap's field reaches past its stride cell on either side. */
        int halo() {
            long[] field = field(ops.size() - 1, 0, 0);
            return (int) Math.max(-field[0], field[1] - (alignment - 1));
        }

        /**
         * Cores {@code [start, end)} covering {@code [0, n)}, starting at multiples of the alignment, as
         * equal as the alignment allows and no longer than {@code core} but for that rounding (memory is
         * planned for {@code core}).
         */
        List<int[]> split(int n, int core) {
            int count = Math.max(1, (n + core - 1) / core);
            List<int[]> cores = new ArrayList<>();
            int start = 0;
            for (int i = 1; i <= count; i++) {
                int end = i == count ? n : (int) Math.round((double) i * n / count / alignment) * alignment;
                if (end > start) {
                    cores.add(new int[] {start, end});
                    start = end;
                }
            }
            return cores;
        }

        /**
         * Cores {@code [start, end)} covering {@code [0, n)}, none longer than {@code core} (up to the
         * alignment's rounding), whose edges move with {@code offset}: the first ends between half a
         * core and a whole core from the start (where {@code offset} says), the rest of the axis is
         * split evenly. No sliver: a core of a few pixels would hold a row or two of the deepest
         * taps' positions, and its own statistics would mean little; and each extra tile repeats
         * work.
         */
        List<int[]> shifted(int n, int core, int offset) {
            if (n <= core) {
                return List.of(new int[] {0, n});
            }
            int half = Math.max(shortest(), (core / 2 + alignment - 1) / alignment * alignment);
            int first = half + Math.floorMod(offset, core - half + alignment) / alignment * alignment;
            first = Math.max(alignment, Math.min(first, (n - half) / alignment * alignment));
            List<int[]> cores = new ArrayList<>();
            cores.add(new int[] {0, first});
            int count = (n - first + core - 1) / core;
            int start = first;
            for (int i = 1; i <= count; i++) {
                int end = i == count ? n
                        : first + (int) Math.round((double) i * (n - first) / count / alignment) * alignment;
                if (end > start) {
                    cores.add(new int[] {start, end});
                    start = end;
                }
            }
            return cores;
        }

        /** The shortest crop, on the alignment, that leaves every op of the network at least one position. */
        int shortest() {
            for (int length = alignment; ; length += alignment) {
                boolean fits = true;
                for (int i = 0; i < ops.size() && fits; i++) {
                    fits = size(i, length) >= 1;
                }
                if (fits) {
                    return length;
                }
            }
        }

        /** The positions of a tap owned by the core {@code [c0, c1)}: {@code [c0 / S, c1 / S)}, the last core to the end. */
        int[] owned(Tap tap, int[] core, int n) {
            int size = size(tap.index(), n);
            int from = Math.min(size, core[0] / tap.stride());
            int to = core[1] == n ? size : Math.min(size, core[1] / tap.stride());
            return new int[] {from, Math.max(from, to)};
        }

        /** The crop for a core: every owned position's field, clipped to the image, started on the alignment grid. */
        int[] crop(int[] core, int n) {
            long lo = Long.MAX_VALUE;
            long hi = Long.MIN_VALUE;
            for (Tap tap : taps) {
                int[] positions = owned(tap, core, n);
                if (positions[0] < positions[1]) {
                    long[] field = field(tap.index(), positions[0], positions[1] - 1);
                    lo = Math.min(lo, field[0]);
                    hi = Math.max(hi, field[1]);
                }
            }
            if (lo == Long.MAX_VALUE) { // owns nothing at any tap (a sliver at the image's end)
                return new int[] {core[0], core[1]};
            }
            int start = (int) (Math.max(0, lo) / alignment * alignment);
            int end = (int) Math.min(n, hi + 1);
            return new int[] {start, end};
        }
    }
}
