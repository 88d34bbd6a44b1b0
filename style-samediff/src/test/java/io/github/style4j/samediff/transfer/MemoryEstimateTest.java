package io.github.style4j.samediff.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.TileLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryEstimateTest {
    private static final List<String> VGG_LAYERS = List.of("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu4_2",
            "relu5_1");

    @Test
    void agreesWithWhatTheBenchmarkMeasured() {
        // ./style4j-bench network --sizes 1024 --networks vgg19 --split-iterations 12 --history 10
        // --memory-cap 6g: the run completed, peak 5.4 GB resident, 4.9 GB live after a full GC.
        MemoryEstimate big = MemoryEstimate.of(Architecture.VGG19, VGG_LAYERS, 1024, 1024,
                StyleTransferConfig.OptimizerKind.LBFGS, 10);
        assertTrue(big.gigabytes() > 5.4 && big.gigabytes() < 7, big.toString());
        // A loss graph (guided style) keeps about four more tap-sized arrays per tap.
        assertTrue(MemoryEstimate.of(Architecture.VGG19, VGG_LAYERS, 1024, 1024,
                StyleTransferConfig.OptimizerKind.LBFGS, 10, true).bytes() > big.bytes() + 2_000_000_000L);
        // Each L-BFGS pair is two 3x1024x1024 float vectors.
        MemoryEstimate longHistory = MemoryEstimate.of(Architecture.VGG19, VGG_LAYERS, 1024, 1024,
                StyleTransferConfig.OptimizerKind.LBFGS, 100);
        assertTrue(Math.abs(longHistory.bytes() - big.bytes() - 90L * 2 * 3 * 1024 * 1024 * 4) < 1e6);
        MemoryEstimate vgg = MemoryEstimate.of(Architecture.VGG19, VGG_LAYERS, 512, 512,
                StyleTransferConfig.OptimizerKind.LBFGS, 10);
        assertTrue(big.activations() == 4 * vgg.activations(), "activations grow with the pixel count");
        MemoryEstimate squeeze = MemoryEstimate.of(Architecture.SQUEEZENET, List.of("fire9"), 512, 512,
                StyleTransferConfig.OptimizerKind.LBFGS, 100);
        assertTrue(squeeze.gigabytes() > 0.5 && squeeze.gigabytes() < 3, squeeze.toString());
    }

    @Test
    void aRunThatCannotFitIsRefusedBeforeItStarts() {
        // 8192 px in 1 GB: even the smallest tiles leave the optimiser's image-sized vectors (several GB).
        StyleTransferConfig config = StyleTransferConfig.builder().setContentImage(SharedFiles.image("chelsea.png"))
                .addStyleImage(SharedFiles.image("starry_night.jpg")).optWeights(architecture -> {
                    throw new AssertionError("weights were loaded: the run was not refused before it started");
                })
                .optImageSize(8192).optMaxMemory(1L << 30).build();
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> new StyleTransfer(config)
                .addListener(progress -> fail("an iteration ran")).run());
        assertTrue(error.getMessage().contains("-image_size") && error.getMessage().contains("--max-memory")
                && error.getMessage().contains("adam"), error.getMessage());
    }

    @Test
    void aLargeImageIsPlannedInTilesThatFitTheBudget() {
        List<String> squeezeLayers = List.of("relu1", "fire2", "fire3", "fire4", "fire5");
        long budget = 6L << 30;
        MemoryPlan small = MemoryPlan.of(Architecture.SQUEEZENET, true, squeezeLayers, List.of("fire4"), 683, 1024,
                StyleTransferConfig.OptimizerKind.LBFGS, 100, false, true, 0, budget);
        assertFalse(small.tiled(), small.toString());
        MemoryPlan large = MemoryPlan.of(Architecture.SQUEEZENET, true, squeezeLayers, List.of("fire4"), 2731, 4096,
                StyleTransferConfig.OptimizerKind.LBFGS, 10, false, true, 0, budget);
        assertTrue(large.tiled() && large.estimate().bytes() <= budget && large.layout().tiles().size() > 1,
                large.toString());
        // The whole image would not have fitted: tiles were needed, not chosen for their own sake.
        assertTrue(MemoryEstimate.of(Architecture.SQUEEZENET, squeezeLayers, 2731, 4096,
                StyleTransferConfig.OptimizerKind.LBFGS, 10).bytes() > budget);
        // A budget that holds the tiles but not the history asked for shortens the history.
        MemoryPlan shorter = MemoryPlan.of(Architecture.SQUEEZENET, true, squeezeLayers, List.of("fire4"), 2731, 4096,
                StyleTransferConfig.OptimizerKind.LBFGS, 100, false, true, 0, budget);
        assertTrue(shorter.history() < 100 && shorter.estimate().bytes() <= budget, shorter.toString());
        // Masks (no tiled form) are refused with what to change when the whole image does not fit.
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> MemoryPlan.of(
                Architecture.SQUEEZENET, true, squeezeLayers, List.of("fire4"), 2731, 4096,
                StyleTransferConfig.OptimizerKind.LBFGS, 10, false, false, 0, budget));
        assertTrue(error.getMessage().contains("masks"), error.getMessage());
    }

    /**
     * Tiles cost more per pixel than a whole image (halos, a second forward pass), so a whole
     * image that fits with a history of 26 or more (as long as any measured to help) is not
     * tiled to keep a longer history: VGG-19 at 1024 px under 6 GiB, which fits whole only with
     * a history shorter than the default 100.
     */
    /**
     * Moving tiles have no halos: the same budget holds crops that are all core, so VGG-19 at
     * 2048 px gets tiles much larger than exact ones, each crop within the memory modelled; and
     * they need Adam.
     */
    @Test
    void movingTilesSpendTheBudgetOnCoresNotHalos() {
        long budget = 6L << 30;
        MemoryPlan exact = MemoryPlan.of(Architecture.VGG19, false, VGG_LAYERS, List.of("relu4_2"), 1365, 2048,
                StyleTransferConfig.OptimizerKind.ADAM, 1, false, true, 0, budget);
        MemoryPlan moving = MemoryPlan.of(Architecture.VGG19, false, VGG_LAYERS, List.of("relu4_2"), 1365, 2048,
                StyleTransferConfig.OptimizerKind.ADAM, 1, false, true, 0, budget, StyleTransferConfig.TileBorders.MOVING);
        assertTrue(exact.tiled() && moving.tiled() && moving.movingTiles() && !exact.movingTiles());
        assertTrue(moving.tileSize() > exact.tileSize() * 1.1, exact + " / " + moving);
        assertEquals(1.0, moving.layout().overhead(), 1e-12, "no halo pixels");
        assertTrue(moving.estimate().bytes() <= budget * MemoryPlan.HEADROOM, moving.toString());
        int largestCrop = 0;
        for (io.github.style4j.samediff.network.TileLayout.Tile tile : moving.layout().tiles()) {
            largestCrop = Math.max(largestCrop, Math.max(tile.height(), tile.width()));
        }
        assertTrue(largestCrop <= io.github.style4j.samediff.network.TileLayout.movingCropSide(Architecture.VGG19,
                VGG_LAYERS, moving.tileSize()), "the model counts the largest crop");
        assertTrue(moving.toString().contains("moving tiles") && moving.toString().contains("Adam's state in memory")
                && moving.history() == 0, moving.toString());
        assertThrows(IllegalArgumentException.class, () -> MemoryPlan.of(Architecture.VGG19, false, VGG_LAYERS,
                List.of("relu4_2"), 1365, 2048, StyleTransferConfig.OptimizerKind.LBFGS, 5, false, true, 0, budget,
                StyleTransferConfig.TileBorders.MOVING));
    }

    @Test
    void aWholeImageWithALongEnoughHistoryIsPreferredToTiles() {
        long budget = 6L << 30;
        assertTrue(MemoryEstimate.of(Architecture.VGG19, VGG_LAYERS, 681, 1024, StyleTransferConfig.OptimizerKind.LBFGS,
                100).bytes() > budget * MemoryPlan.HEADROOM, "the default history fits: the case proves nothing");
        MemoryPlan plan = MemoryPlan.of(Architecture.VGG19, true, VGG_LAYERS, List.of("relu4_2"), 681, 1024,
                StyleTransferConfig.OptimizerKind.LBFGS, 100, false, true, 0, budget);
        assertFalse(plan.tiled(), plan.toString());
        assertTrue(plan.history() >= 26 && plan.estimate().bytes() <= budget * MemoryPlan.HEADROOM, plan.toString());
        // The longest history that fits whole: one more does not.
        assertTrue(MemoryEstimate.of(Architecture.VGG19, VGG_LAYERS, 681, 1024, StyleTransferConfig.OptimizerKind.LBFGS,
                plan.history() + 1).bytes() > budget * MemoryPlan.HEADROOM, plan.toString());
    }

    /**
     * Against an exhaustive search: over every history the budget affords and, for each, the
     * largest tiles that fit (found by scanning, not bisection), no plan is expected to cost less
     * time than the one chosen.
     */
    @Test
    void theLbfgsPlanCostsNoMoreTimeThanAnyOtherThatFits() {
        List<String> squeezeLayers = List.of("relu1", "fire2", "fire3", "fire4", "fire5");
        record Case(Architecture architecture, List<String> layers, List<String> content, int height, int width,
                    long budget) { }
        for (Case c : List.of(new Case(Architecture.VGG19, VGG_LAYERS, List.of("relu4_2"), 1362, 2048, 6L << 30),
                new Case(Architecture.VGG19, VGG_LAYERS, List.of("relu4_2"), 681, 1024, 6L << 30),
                new Case(Architecture.SQUEEZENET, squeezeLayers, List.of("fire4"), 2724, 4096, 6L << 30),
                new Case(Architecture.SQUEEZENET, squeezeLayers, List.of("fire4"), 1362, 2048, 6L << 30))) {
            MemoryPlan chosen = MemoryPlan.of(c.architecture(), true, c.layers(), c.content(), c.height(), c.width(),
                    StyleTransferConfig.OptimizerKind.LBFGS, 100, false, true, 0, c.budget());
            double best = Double.MAX_VALUE;
            String bestPlan = "";
            for (int h = 1; h <= 100; h++) {
                MemoryEstimate whole = MemoryEstimate.of(c.architecture(), c.layers(), c.height(), c.width(),
                        StyleTransferConfig.OptimizerKind.LBFGS, h, false, false);
                double cost;
                String plan;
                if (whole.bytes() <= c.budget() * MemoryPlan.HEADROOM) {
                    cost = MemoryPlan.historyCost(h);
                    plan = "whole image";
                } else {
                    int core = largestTile(c.architecture(), c.layers(), c.content(), c.height(), c.width(), h, false,
                            c.budget());
                    double overhead = core == 0 ? Double.POSITIVE_INFINITY
                            : TileLayout.of(c.architecture(), true, c.layers(), c.height(), c.width(), core).overhead();
                    cost = MemoryPlan.historyCost(h) * overhead * MemoryPlan.tiledPassCost(Math.max(core, 1));
                    plan = core + " px tiles";
                }
                if (cost < best) {
                    best = cost;
                    bestPlan = "history " + h + ", " + plan;
                }
            }
            assertTrue(best < Double.MAX_VALUE, "nothing fits " + c);
            assertTrue(MemoryPlan.timeCost(chosen) <= best * 1.0001, chosen + " costs " + MemoryPlan.timeCost(chosen)
                    + ", but " + bestPlan + " costs " + best);
        }
    }

    /** The largest tile size that fits {@code budget} with history {@code h}, by scanning down (0 if none). */
    private static int largestTile(Architecture architecture, List<String> layers, List<String> content, int height,
                                   int width, int h, boolean bounded, long budget) {
        int alignment = TileLayout.alignment(architecture, layers);
        for (int core = (Math.max(height, width) + alignment - 1) / alignment * alignment; core >= alignment;
             core -= alignment) {
            int side = TileLayout.cropSide(architecture, true, layers, core);
            if (MemoryEstimate.tiled(architecture, layers, content, height, width, side, side,
                    StyleTransferConfig.OptimizerKind.LBFGS, h, bounded).bytes() <= budget * MemoryPlan.HEADROOM) {
                return core;
            }
        }
        return 0;
    }

    private static long estimate(List<String> layers, List<String> contentLayers, int crop, boolean half) {
        return MemoryEstimate.tiled(Architecture.SQUEEZENET, layers, contentLayers, 5449, 8192, crop, crop,
                StyleTransferConfig.OptimizerKind.ADAM, 1, false, true, half).bytes();
    }
}
