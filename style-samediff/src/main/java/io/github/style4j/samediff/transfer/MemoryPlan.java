package io.github.style4j.samediff.transfer;

import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.TileLayout;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * How one scale of a run fits its memory budget: on the whole image with the history asked
 * for when it fits; otherwise, with L-BFGS, the history (up to the one asked for) and the
 * largest tiles ({@link TileLayout}) that fit with it, or the whole image, chosen for the least
 * expected time to a given loss ({@link #timeCost}: a short history needs more iterations,
 * small tiles cost more per pixel); with Adam, the largest tiles, its state on disk and then
 * its content targets in half precision only when the tiles' halos would otherwise add more
 * than a quarter to the pixels.
 *
 * @param tileSize  pixels of positions each tile owns per side, or 0 for the whole image
 * @param history   the L-BFGS history to use (the configured one unless the budget forced less); 0 for Adam
 * @param estimate  the modelled peak
 * @param budget    the budget planned against
 * @param layout    the tiles (one, the whole image, when {@code tileSize} is 0)
 * @param adamStateOnDisk whether Adam keeps its moments and previous point on disk
 *                  ({@code Adam.Builder.optStateOnDisk}): only when no plan fits with them in memory
 *                  in tiles with small halos
 * @param halfContentTargets whether the content targets are kept in half precision (each value
 *                  rounded to 11 significant bits): only with Adam's state on disk, when that
 *                  alone leaves tiles with large halos
 * @param movingTiles whether the tiles move ({@link StyleTransferConfig.TileBorders#MOVING}: no
 *                  halos, a new offset every evaluation; {@code layout} is then the one at offset 0)
 */
public record MemoryPlan(int tileSize, int history, MemoryEstimate estimate, long budget, TileLayout layout,
                         boolean adamStateOnDisk, boolean halfContentTargets, boolean movingTiles) {
    /** The share of the budget a plan may fill. */
    static final double HEADROOM = 0.75;
    /** The most the halos may add to the pixels of a tiled Adam plan before its state goes to disk. */
    static final double MAX_HALO_OVERHEAD = 1.25;

    /** Whether the scale runs in tiles. */
    public boolean tiled() {
        return tileSize > 0;
    }

    /**
     * The plan for a {@code height x width} scale.
     *
     * @param boundedLbfgs whether L-BFGS keeps the image in bounds (its host copies on the heap)
     * @param tileable     whether the loss has a tiled form (no masks, no normalised style gradients)
     * @param forced       a tile size to use whatever the budget (0: choose)
     * @throws IllegalStateException naming what to change when nothing fits
     */
    public static MemoryPlan of(Architecture architecture, boolean ceilModePooling, Collection<String> layers,
                                Collection<String> contentLayers, int height, int width,
                                StyleTransferConfig.OptimizerKind optimizer, int history, boolean boundedLbfgs,
                                boolean tileable, int forced, long budget) {
        return of(architecture, ceilModePooling, layers, contentLayers, height, width, optimizer, history, boundedLbfgs,
                tileable, forced, budget, StyleTransferConfig.TileBorders.EXACT);
    }

    /**
     * As above, with tiles that handle their borders as {@code borders} says: moving tiles have no
     * halos, so a crop is its core ({@link TileLayout#movingCropSide}).
     */
    public static MemoryPlan of(Architecture architecture, boolean ceilModePooling, Collection<String> layers,
                                Collection<String> contentLayers, int height, int width,
                                StyleTransferConfig.OptimizerKind optimizer, int history, boolean boundedLbfgs,
                                boolean tileable, int forced, long budget, StyleTransferConfig.TileBorders borders) {
        boolean moving = borders == StyleTransferConfig.TileBorders.MOVING;
        if (moving && optimizer != StyleTransferConfig.OptimizerKind.ADAM) {
            throw new IllegalArgumentException("moving tiles need Adam: their objective changes every evaluation");
        }
        boolean bounded = optimizer == StyleTransferConfig.OptimizerKind.LBFGS && boundedLbfgs;
        // Planned to 75% of the budget: ND4J frees many temporaries only when the GC runs, JavaCPP makes
        // allocations near its cap wait for collections (a run planned to 100% measured 8x slower), and freed
        // native memory is not always returned (runs planned to 85% peaked at 98-107% of the budget).
        MemoryPlan plan = within(architecture, ceilModePooling, layers, contentLayers, height, width, optimizer, history,
                bounded, tileable, forced, (long) (budget * HEADROOM), moving);
        checkHeap(bounded, height, width);
        int lbfgsHistory = optimizer == StyleTransferConfig.OptimizerKind.LBFGS ? plan.history() : 0;
        return new MemoryPlan(plan.tileSize(), lbfgsHistory, plan.estimate(), budget, plan.layout(),
                plan.adamStateOnDisk(), plan.halfContentTargets(), plan.movingTiles());
    }

    private static MemoryPlan within(Architecture architecture, boolean ceilModePooling, Collection<String> layers,
                                     Collection<String> contentLayers, int height, int width,
                                     StyleTransferConfig.OptimizerKind optimizer, int history, boolean bounded,
                                     boolean tileable, int forced, long budget, boolean moving) {
        boolean lbfgs = optimizer == StyleTransferConfig.OptimizerKind.LBFGS;
        Sizing sizing = new Sizing(architecture, ceilModePooling, layers, contentLayers, height, width, optimizer,
                bounded, moving);
        MemoryEstimate whole = MemoryEstimate.of(architecture, layers, height, width, optimizer, history, !tileable,
                bounded);
        if (forced > 0) {
            if (!tileable) {
                throw new IllegalStateException("tiles were asked for, but style masks and normalised gradients cannot "
                        + "be computed in tiles; leave out the tile size, the masks or -normalize_gradients");
            }
            return sizing.tiled(history, forced, budget);
        }
        if (whole.bytes() <= budget) {
            return sizing.whole(history, whole, budget);
        }
        if (!tileable) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%s at %dx%d needs %s, more than the budget of "
                    + "%.1f GB, and style masks (or normalised gradients) cannot be computed in tiles. Use a smaller "
                    + "-image_size (memory grows with the pixel count), a larger --max-memory, or leave out the masks",
                    architecture, width, height, whole, budget / HEADROOM / 1e9));
        }
        // Image-sized vectors are what grows without bound: L-BFGS's history is traded against the tiles' size
        // by the time each costs (timeCost).
        long image = 3L * height * width * 4;
        MemoryPlan fallback = null;
        if (lbfgs) {
            fallback = cheapestLbfgs(sizing, architecture, layers, height, width, optimizer, history, bounded, budget);
        } else {
            // Tiles with the state in memory; else Adam's moments and previous point to disk (three image-sized
            // vectors fewer), then the content targets in half precision, each only if what comes before leaves
            // no tiles with small halos (8192 px under 6 GB: 304 px tiles with the state on disk, 1.38x the
            // pixels); else the first that fits.
            for (Sizing saving : List.of(sizing, sizing.withSavings(true, false), sizing.withSavings(true, true))) {
                MemoryPlan tiled = saving.largestTiles(history, budget);
                if (tiled != null && tiled.layout().overhead() <= MAX_HALO_OVERHEAD) {
                    return tiled;
                }
                fallback = fallback == null ? tiled : fallback;
            }
        }
        if (fallback != null) {
            return fallback;
        }
        MemoryEstimate least = sizing.estimate(lbfgs ? 1 : history, sizing.alignment);
        throw new IllegalStateException(String.format(Locale.ROOT, "%s at %dx%d does not fit a budget of %.1f GB even "
                        + "in the smallest tiles (%s, most of it image-sized vectors: %.0f MB each). Use a smaller "
                        + "-image_size, a --max-memory of at least %.1f GB%s", architecture, width, height,
                budget / HEADROOM / 1e9, least, image / 1e6, least.bytes() / HEADROOM / 1e9 + 0.1,
                lbfgs ? ", or -optimizer adam (" + MemoryEstimate.vectors(StyleTransferConfig.OptimizerKind.ADAM, 0,
                        true) + " image-sized vectors in memory, its moments on disk; L-BFGS keeps " + MemoryEstimate.vectors(optimizer, 1)
                        + " with a history of 1"
                        + (bounded ? ", and the bounded one " + MemoryEstimate.BOUNDED_HOST_FLOATS + " more in host copies" : "") + ")" : ""));
    }

    /**
     * Evaluations L-BFGS needs with a history of {@code history} to reach the loss a history of
     * 26 or more reaches, relative to those (SqueezeNet at 512 px, 300 iterations from the
     * content image, histories 1 to 26 side by side; 26 and 100 were alike): history 1 needs
     * 1.83x, 2 needs 1.45x (3 did worse, 1.87x, to the loss all others reached), 5-7 1.19x, 10
     * 1.12x, 15 1.05x. Decision 0010 has the table.
     */
    static double historyCost(int history) {
        if (history >= 26) {
            return 1.0;
        }
        if (history >= 15) {
            return 1.05;
        }
        if (history >= 10) {
            return 1.12;
        }
        if (history >= 5) {
            return 1.19;
        }
        return history >= 2 ? 1.5 : 1.83;
    }

    /**
     * Time per pixel of an evaluation in tiles against the whole image's, halos aside: the second
     * forward pass of most tiles and the work each tile repeats, {@code 1 + TILE_COST_PX / tile}.
     * Measured side by side with SqueezeNet (`large --part pixels`): 4 tiles of 1024 px 0.96x
     * (noise around 1.1), 48 of 544 px 1.15x, 126 of 304 px 1.32x; VGG-19's forward pass is a
     * larger share of its work (2 tiles of 688 px: 1.22x), which the one constant under-counts.
     */
    static final double TILE_COST_PX = 100;

    static double tiledPassCost(int tileSize) {
        return 1 + TILE_COST_PX / tileSize;
    }

    /** What a plan is expected to cost in time to a given loss, relative to a whole image with a long history. */
    static double timeCost(MemoryPlan plan) {
        return historyCost(plan.history())
                * (plan.tiled() ? plan.layout().overhead() * tiledPassCost(plan.tileSize()) : 1.0);
    }

    /**
     * The L-BFGS plan expected to reach a given loss soonest ({@link #timeCost}): over histories up
     * to {@code longest} (the one asked for), the longest at which the whole image fits and the shortest history of each step of
     * {@link #historyCost} (within a step a shorter history buys larger tiles at no cost), the
     * whole image where it fits, else the largest tiles; ties go to the longer history. Null if
     * nothing fits.
     */
    private static MemoryPlan cheapestLbfgs(Sizing sizing, Architecture architecture, Collection<String> layers,
                                            int height, int width, StyleTransferConfig.OptimizerKind optimizer,
                                            int longest, boolean bounded, long budget) {
        java.util.TreeSet<Integer> histories = new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
        for (int h : new int[] {longest, 26, 15, 10, 5, 2, 1}) {
            if (h <= longest) {
                histories.add(h);
            }
        }
        for (int h = longest; h >= 1; h--) {
            if (MemoryEstimate.of(architecture, layers, height, width, optimizer, h, false, bounded).bytes() <= budget) {
                histories.add(h);
                break;
            }
        }
        MemoryPlan best = null;
        for (int h : histories) {
            MemoryEstimate whole = MemoryEstimate.of(architecture, layers, height, width, optimizer, h, false, bounded);
            MemoryPlan plan = whole.bytes() <= budget ? sizing.whole(h, whole, budget) : sizing.largestTiles(h, budget);
            if (plan != null && (best == null || timeCost(plan) < timeCost(best) - 1e-9)) {
                best = plan;
            }
        }
        return best;
    }

    /** The bounded L-BFGS's host copies live on the Java heap: refuse a heap that cannot hold them. */
    private static void checkHeap(boolean bounded, int height, int width) {
        long host = MemoryEstimate.BOUNDED_HOST_FLOATS * 4 * 3L * height * width;
        long heap = Runtime.getRuntime().maxMemory();
        if (bounded && host > heap * 0.8) {
            throw new IllegalStateException(String.format(Locale.ROOT, "bounded L-BFGS at %dx%d keeps %.1f GB of host "
                    + "copies on the Java heap, which holds at most %.1f GB: raise the heap (STYLE4J_JAVA_OPTS="
                    + "\"-Xmx%dg ...\"), or use --lbfgs-unbounded or -optimizer adam, or a smaller -image_size", width,
                    height, host / 1e9, heap / 1e9, (long) Math.ceil(host / 0.8 / (1L << 30))));
        }
    }

    /** The arithmetic of one scale's plans. */
    private record Sizing(Architecture architecture, boolean ceil, Collection<String> layers,
                          Collection<String> contentLayers, int height, int width,
                          StyleTransferConfig.OptimizerKind optimizer, boolean bounded, int alignment,
                          boolean adamStateOnDisk, boolean halfContentTargets, boolean moving) {
        Sizing(Architecture architecture, boolean ceil, Collection<String> layers, Collection<String> contentLayers,
               int height, int width, StyleTransferConfig.OptimizerKind optimizer, boolean bounded, boolean moving) {
            this(architecture, ceil, layers, contentLayers, height, width, optimizer, bounded,
                    TileLayout.alignment(architecture, layers), false, false, moving);
        }

        Sizing withSavings(boolean stateOnDisk, boolean halfTargets) {
            return new Sizing(architecture, ceil, layers, contentLayers, height, width, optimizer, bounded, alignment,
                    stateOnDisk, halfTargets, moving);
        }

        MemoryPlan whole(int history, MemoryEstimate estimate, long budget) {
            return new MemoryPlan(0, history, estimate, budget, TileLayout.of(architecture, ceil, layers, height, width,
                    Math.max(height, width)), false, false, false);
        }

        MemoryPlan tiled(int history, int core, long budget) {
            TileLayout layout = moving ? TileLayout.moving(architecture, ceil, layers, height, width, core, 0, 0)
                    : TileLayout.of(architecture, ceil, layers, height, width, core);
            return new MemoryPlan(core, history, estimate(history, core), budget, layout, adamStateOnDisk,
                    halfContentTargets, moving);
        }

        MemoryEstimate estimate(int history, int core) {
            int crop = moving ? TileLayout.movingCropSide(architecture, layers, core)
                    : TileLayout.cropSide(architecture, ceil, layers, core);
            return MemoryEstimate.tiled(architecture, layers, contentLayers, height, width, crop, crop, optimizer,
                    history, bounded, adamStateOnDisk, halfContentTargets);
        }

        /** The plan in the largest tiles that fit, or null if even the smallest do not. */
        MemoryPlan largestTiles(int history, long budget) {
            int core = largestFitting(history, budget);
            return core > 0 ? tiled(history, core, budget) : null;
        }

        /** The largest tile size, on the alignment and no larger than the image, whose estimate fits; 0 if none. */
        int largestFitting(int history, long budget) {
            int lo = 1;
            int hi = (Math.max(height, width) + alignment - 1) / alignment;
            if (estimate(history, lo * alignment).bytes() > budget) {
                return 0;
            }
            while (lo < hi) { // the estimate grows with the tile: the largest fitting multiple, by bisection
                int mid = (lo + hi + 1) / 2;
                if (estimate(history, mid * alignment).bytes() <= budget) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return lo * alignment;
        }
    }

    @Override
    public String toString() {
        String where = !tiled() ? "whole image" : movingTiles ? String.format(Locale.ROOT, "about %d moving tiles of "
                + "%d px (no halos, a new offset every evaluation)", layout.tiles().size(), tileSize)
                : String.format(Locale.ROOT, "%d tiles of %d px (halo %d px, %.2fx the pixels)", layout.tiles().size(),
                tileSize, layout.halo(), layout.overhead());
        return String.format(Locale.ROOT, "%dx%d: %s, %s, %s of a %.1f GB budget (planned to 75%%)",
                layout.width(), layout.height(), where, adamStateOnDisk ? "Adam's moments on disk"
                        + (halfContentTargets ? ", content targets in half precision" : "")
                        : history == 0 ? "Adam's state in memory" : "history " + history,
                estimate, budget / 1e9);
    }
}
