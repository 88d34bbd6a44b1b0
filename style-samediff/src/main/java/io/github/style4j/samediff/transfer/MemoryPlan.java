package io.github.style4j.samediff.transfer;

import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.TileLayout;
import java.util.Collection;
import java.util.Locale;

/**
 * How one scale of a run fits its memory budget: on the whole image when it can, otherwise in
 * tiles ({@link TileLayout}) as large as fit; the L-BFGS history is shortened only when neither
 * the whole image nor tiles twice the halo wide fit with the history asked for (and then the
 * whole image is preferred again at each shorter history).
 *
 * @param tileSize  pixels of positions each tile owns per side, or 0 for the whole image
 * @param history   the L-BFGS history to use (the configured one unless the budget forced less)
 * @param estimate  the modelled peak
 * @param budget    the budget planned against
 * @param layout    the tiles (one, the whole image, when {@code tileSize} is 0)
 */
public record MemoryPlan(int tileSize, int history, MemoryEstimate estimate, long budget, TileLayout layout) {
    /** Whether the scale runs in tiles. */
    public boolean tiled() {
        return tileSize > 0;
    }

    /**
     * The plan for a {@code height x width} scale.
     *
     * @param tileable  whether the loss has a tiled form (no masks, no normalised style gradients)
     * @param forced    a tile size to use whatever the budget (0: choose)
     * @throws IllegalStateException naming what to change when nothing fits
     */
    public static MemoryPlan of(Architecture architecture, boolean ceilModePooling, Collection<String> layers,
                                Collection<String> contentLayers, int height, int width,
                                StyleTransferConfig.OptimizerKind optimizer, int history, boolean tileable,
                                int forced, long budget) {
        MemoryEstimate whole = MemoryEstimate.of(architecture, layers, height, width, optimizer, history, !tileable);
        if (forced == 0 && whole.bytes() <= budget || !tileable && forced == 0) {
            if (whole.bytes() > budget) {
                throw new IllegalStateException(String.format(Locale.ROOT, "%s at %dx%d needs %s, more than the "
                        + "budget of %.1f GB, and style masks (or normalised gradients) cannot be computed in tiles. "
                        + "Use a smaller -image_size (memory grows with the pixel count), a larger --max-memory, or "
                        + "leave out the masks", architecture, width, height, whole, budget / 1e9));
            }
            return new MemoryPlan(0, history, whole, budget, TileLayout.of(architecture, ceilModePooling, layers,
                    height, width, Math.max(height, width)));
        }
        int alignment = TileLayout.alignment(architecture, layers);
        if (forced > 0) {
            return tiled(architecture, ceilModePooling, layers, contentLayers, height, width, optimizer, history,
                    forced, budget);
        }
        int halo = TileLayout.of(architecture, ceilModePooling, layers, height, width, Math.max(height, width)).halo();
        int comfortable = Math.max(alignment, roundUp(2 * halo, alignment));
        int longest = roundUp(Math.max(height, width), alignment);
        boolean lbfgs = optimizer == StyleTransferConfig.OptimizerKind.LBFGS;
        // The history asked for with the whole image, then with tiles no smaller than twice the halo; then the
        // same with shorter histories; then tiles down to the alignment.
        for (int minimum : new int[] {comfortable, alignment}) {
            for (int h = history; h >= (lbfgs ? 1 : history); h--) {
                MemoryEstimate wholeImage = MemoryEstimate.of(architecture, layers, height, width, optimizer, h, false);
                if (wholeImage.bytes() <= budget) {
                    return new MemoryPlan(0, h, wholeImage, budget, TileLayout.of(architecture, ceilModePooling,
                            layers, height, width, Math.max(height, width)));
                }
                int core = largestFitting(architecture, ceilModePooling, layers, contentLayers, height, width,
                        optimizer, h, budget, minimum, longest, alignment);
                if (core > 0) {
                    return tiled(architecture, ceilModePooling, layers, contentLayers, height, width, optimizer, h,
                            core, budget);
                }
            }
        }
        MemoryEstimate least = estimate(architecture, ceilModePooling, layers, contentLayers, height, width,
                optimizer, lbfgs ? 1 : history, alignment);
        throw new IllegalStateException(String.format(Locale.ROOT, "%s at %dx%d does not fit a budget of %.1f GB even "
                        + "in the smallest tiles (%s, most of it image-sized vectors: %.0f MB each). Use a smaller "
                        + "-image_size, a --max-memory of at least %.1f GB%s", architecture, width, height,
                budget / 1e9, least, 3 * 4.0 * height * width / 1e6, least.bytes() / 1e9 + 0.1,
                lbfgs ? ", or -optimizer adam (6 image-sized vectors; L-BFGS keeps 10 with a history of 1)" : ""));
    }

    private static MemoryPlan tiled(Architecture architecture, boolean ceil, Collection<String> layers,
                                    Collection<String> contentLayers, int height, int width,
                                    StyleTransferConfig.OptimizerKind optimizer, int history, int core, long budget) {
        TileLayout layout = TileLayout.of(architecture, ceil, layers, height, width, core);
        return new MemoryPlan(core, history, estimate(architecture, ceil, layers, contentLayers, height, width, optimizer,
                history, core), budget, layout);
    }

    private static MemoryEstimate estimate(Architecture architecture, boolean ceil, Collection<String> layers,
                                           Collection<String> contentLayers, int height, int width,
                                           StyleTransferConfig.OptimizerKind optimizer, int history, int core) {
        int crop = TileLayout.cropSide(architecture, ceil, layers, core);
        return MemoryEstimate.tiled(architecture, layers, contentLayers, height, width, crop, crop, optimizer, history);
    }

    /** The largest tile size in {@code [minimum, longest]}, on the alignment, whose estimate fits; 0 if none. */
    private static int largestFitting(Architecture architecture, boolean ceil, Collection<String> layers,
                                      Collection<String> contentLayers, int height, int width,
                                      StyleTransferConfig.OptimizerKind optimizer, int history, long budget,
                                      int minimum, int longest, int alignment) {
        int lo = minimum / alignment;
        int hi = longest / alignment;
        if (lo > hi || estimate(architecture, ceil, layers, contentLayers, height, width, optimizer, history,
                lo * alignment).bytes() > budget) {
            return 0;
        }
        while (lo < hi) { // the estimate grows with the tile: the largest fitting multiple, by bisection
            int mid = (lo + hi + 1) / 2;
            if (estimate(architecture, ceil, layers, contentLayers, height, width, optimizer, history, mid * alignment)
                    .bytes() <= budget) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo * alignment;
    }

    private static int roundUp(int value, int step) {
        return (value + step - 1) / step * step;
    }

    @Override
    public String toString() {
        String where = tiled() ? String.format(Locale.ROOT, "%d tiles of %d px (halo %d px, %.2fx the pixels)",
                layout.tiles().size(), tileSize, layout.halo(), layout.overhead()) : "whole image";
        return String.format(Locale.ROOT, "%dx%d: %s, history %d, %s of a %.1f GB budget", layout.width(),
                layout.height(), where, history, estimate, budget / 1e9);
    }
}
