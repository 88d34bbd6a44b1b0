package io.github.style4j.samediff.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.tensor.ImageTensors;
import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.samediff.loss.StyleTargets;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.weights.WeightSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** chelsea.png in the style of starry_night.jpg, 128 px, real SqueezeNet weights, each optimiser. */
@Tag("shared")
class StyleTransferIntegrationTest {
    private static StyleTransferConfig.Builder base(StyleTransferConfig.OptimizerKind optimizer) {
        return StyleTransferConfig.builder().setContentImage(SharedFiles.image("chelsea.png"))
                .addStyleImage(SharedFiles.image("starry_night.jpg")).optNetwork(Architecture.SQUEEZENET)
                .optWeights(WeightSource.npyFolder(SharedFiles.require("models/squeezenet1.1")))
                .optImageSize(128).optIterations(optimizer == StyleTransferConfig.OptimizerKind.LBFGS ? 40 : 60)
                .optInit(StyleTransferConfig.Init.CONTENT).optOptimizer(optimizer)
                .optLearningRate(0.03);
    }

    @ParameterizedTest
    @EnumSource(StyleTransferConfig.OptimizerKind.class)
    void stylisesTheCatAndIsReproducible(StyleTransferConfig.OptimizerKind optimizer, @TempDir Path dir)
            throws Exception {
        StyleTransferConfig config = base(optimizer).build();
        List<StyleTransferProgress> progress = new ArrayList<>();
        StyleTransferResult result = new StyleTransfer(config).addListener(progress::add).run();

        Map<String, Double> start = result.termsAtContent();
        Map<String, Double> end = result.finalTerms();
        assertEquals(0.0, start.get("content"), 1e-6, "no content loss at the content image");
        assertTrue(end.get("style") * 10 <= start.get("style"),
                optimizer + ": style loss " + start.get("style") + " -> " + end.get("style") + " fell less than 10x");
        assertTrue(end.get("content") < 0.25 * start.get("total"),
                optimizer + ": content loss " + end.get("content") + " is not small next to the starting total "
                        + start.get("total"));
        assertEquals(config.iterations(), progress.size());
        assertEquals(128, Math.max(result.image().width(), result.image().height()));

        Path file = dir.resolve("chelsea-starry.png");
        ImageWriter.defaults().write(result.image(), file);
        RgbImage decoded = ImageReader.defaults().read(file);
        assertEquals(result.image().width(), decoded.width());

        StyleTransferResult again = new StyleTransfer(config).run();
        assertArrayEquals(result.image().rgb(), again.image().rgb(), optimizer + ": same seed, same image");
    }

    /**
     * Issue #18: with L-BFGS kept inside [0, 1] (the default) the saved picture is the one the
     * last iteration scored; unbounded, as neural-style runs, pixels leave the range and the
     * clamp at the end undoes part of the fit.
     */
    @Test
    void boundedLbfgsSavesThePictureItOptimised() throws Exception {
        StyleTransferConfig.Builder builder = base(StyleTransferConfig.OptimizerKind.LBFGS).optImageSize(64)
                .optIterations(40).optInit(StyleTransferConfig.Init.RANDOM);
        StyleTransferResult bounded = new StyleTransfer(builder.build()).run();
        StyleTransferResult unbounded = new StyleTransfer(builder.optLbfgsBounded(false).build()).run();
        double boundedGap = savedOverLast(bounded);
        double unboundedGap = savedOverLast(unbounded);
        System.out.printf("saved / last iteration's loss: bounded %.6f, unbounded %.6f%n", boundedGap, unboundedGap);
        assertEquals(1, boundedGap, 1e-4, "bounded: the saved picture scores what the last iteration did");
        assertTrue(unboundedGap > 1.01, "unbounded: clamping should cost more than 1% here, got " + unboundedGap);
    }

    /** neural-style's -normalize_gradients with Adam: the losses reported are the plain ones, and they fall. */
    @Test
    void normalisedGradientsStillStylise() throws Exception {
        StyleTransferConfig config = base(StyleTransferConfig.OptimizerKind.ADAM).optImageSize(64).optIterations(40)
                .optNormalizeGradients(true).optLearningRate(0.02).build();
        assertTrue(config.toString().contains("gradients L1-normalised per layer"), config.toString());
        StyleTransferResult result = new StyleTransfer(config).run();
        double start = result.termsAtContent().get("style");
        double end = result.finalTerms().get("style");
        assertTrue(end < 0.5 * start, "style loss " + start + " -> " + end);
        var refused = assertThrows(IllegalArgumentException.class, () -> base(StyleTransferConfig.OptimizerKind.ADAM)
                .optNormalizeGradients(true).optStyleMasks(List.of(SharedFiles.image("chelsea.png"))).build());
        assertTrue(refused.getMessage().contains("normalizeGradients cannot be combined with style masks"),
                refused.getMessage());
    }

    private static double savedOverLast(StyleTransferResult result) {
        double last = result.history().get(result.history().size() - 1).loss();
        return result.finalTerms().get("total") / last;
    }

    @Test
    void randomInitDependsOnTheSeedOnly() throws Exception {
        StyleTransferConfig.Builder builder = base(StyleTransferConfig.OptimizerKind.LBFGS).optIterations(3)
                .optInit(StyleTransferConfig.Init.RANDOM).optImageSize(48);
        RgbImage a = new StyleTransfer(builder.optSeed(1).build()).run().image();
        RgbImage b = new StyleTransfer(builder.optSeed(1).build()).run().image();
        RgbImage c = new StyleTransfer(builder.optSeed(2).build()).run().image();
        assertArrayEquals(a.rgb(), b.rgb());
        assertTrue(!java.util.Arrays.equals(a.rgb(), c.rgb()), "another seed, another image");
    }

    @Test
    void coarseToFineEndsAtTheImageSize() throws Exception {
        StyleTransferConfig config = base(StyleTransferConfig.OptimizerKind.LBFGS).optIterations(3)
                .optImageSize(64).optScales(List.of(32, 64)).build();
        List<Integer> sizes = new ArrayList<>();
        StyleTransferResult result = new StyleTransfer(config).addListener(p -> sizes.add(p.size())).run();
        assertEquals(32, sizes.get(0));
        assertEquals(64, sizes.get(sizes.size() - 1));
        List<Integer> sorted = new ArrayList<>(sizes);
        java.util.Collections.sort(sorted);
        assertEquals(sorted, sizes, "coarse first, then fine");
        assertEquals(64, result.image().width());
    }

    @Test
    void luminanceOnlyKeepsTheContentsChrominance() throws Exception {
        StyleTransferConfig config = base(StyleTransferConfig.OptimizerKind.LBFGS).optIterations(5).optImageSize(48)
                .optColourPreservation(StyleTransferConfig.ColourPreservation.LUMINANCE).build();
        RgbImage result = new StyleTransfer(config).run().image();
        RgbImage content = io.github.style4j.core.image.Resizing.resize(
                ImageReader.defaults().read(SharedFiles.image("chelsea.png")), result.width(), result.height());
        // Where nothing was clamped, U and V (BT.601) are the content's.
        int compared = 0;
        for (int y = 0; y < result.height(); y++) {
            for (int x = 0; x < result.width(); x++) {
                float r = result.get(0, x, y);
                float g = result.get(1, x, y);
                float b = result.get(2, x, y);
                if (Math.min(r, Math.min(g, b)) <= 0.001f || Math.max(r, Math.max(g, b)) >= 0.999f) {
                    continue;
                }
                double u = -0.14713 * r - 0.28886 * g + 0.436 * b;
                double cu = -0.14713 * content.get(0, x, y) - 0.28886 * content.get(1, x, y) + 0.436 * content.get(2, x, y);
                assertEquals(cu, u, 1e-4);
                compared++;
            }
        }
        assertTrue(compared > 100);
    }

    /** A 64x64 mask, white on the left half (or the right half). */
    private static Path halfMask(Path dir, boolean leftWhite) throws Exception {
        float[] rgb = new float[3 * 64 * 64];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    rgb[c * 64 * 64 + y * 64 + x] = (x < 32) == leftWhite ? 1 : 0;
                }
            }
        }
        Path file = dir.resolve(leftWhite ? "left.png" : "right.png");
        ImageWriter.defaults().write(RgbImage.of(64, 64, rgb, null), file);
        return file;
    }

    /**
     * Two styles in two regions: starry night on the left and The Scream on the right, then the
     * masks swapped. Each half of each result is measured against each style (Gram matrices of
     * SqueezeNet features, relative distance): with the masks one way the left half is nearer
     * starry night and further from The Scream than with them swapped, and the right half the
     * opposite. Masks ignored, blended, or given to the wrong style all fail this.
     */
    @Test
    void eachMaskedRegionFollowsItsOwnStyle(@TempDir Path dir) throws Exception {
        Path left = halfMask(dir, true);
        Path right = halfMask(dir, false);
        StyleTransferConfig.Builder builder = base(StyleTransferConfig.OptimizerKind.LBFGS).optIterations(30)
                .optImageSize(64).addStyleImage(SharedFiles.image("the_scream.jpg"));
        RgbImage straight = new StyleTransfer(builder.optStyleMasks(List.of(left, right)).build()).run().image();
        RgbImage swapped = new StyleTransfer(builder.optStyleMasks(List.of(right, left)).build()).run().image();

        FeatureNetwork network = FeatureNetwork.builder().setWeights(WeightSource.npyFolder(
                SharedFiles.require("models/squeezenet1.1")).load(Architecture.SQUEEZENET)).build();
        List<String> layers = List.of("relu1", "fire2", "fire3");
        Map<String, INDArray> starry = grams(network, ImageReader.defaults().read(
                SharedFiles.image("starry_night.jpg")), layers);
        Map<String, INDArray> scream = grams(network, ImageReader.defaults().read(
                SharedFiles.image("the_scream.jpg")), layers);
        for (boolean leftHalf : new boolean[] {true, false}) {
            Map<String, INDArray> straightHalf = grams(network, half(straight, leftHalf), layers);
            Map<String, INDArray> swappedHalf = grams(network, half(swapped, leftHalf), layers);
            Map<String, INDArray> own = leftHalf ? starry : scream;
            Map<String, INDArray> other = leftHalf ? scream : starry;
            String where = leftHalf ? "left half" : "right half";
            assertTrue(distance(straightHalf, own) < distance(swappedHalf, own), where + " is not nearer its own style");
            assertTrue(distance(straightHalf, other) > distance(swappedHalf, other),
                    where + " is not further from the other style");
        }
    }

    private static RgbImage half(RgbImage image, boolean left) {
        return ImageTensors.toImage(
                ImageTensors.toTensor(image).get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                        left ? NDArrayIndex.interval(0, 32) : NDArrayIndex.interval(32, 64)).dup());
    }

    private static Map<String, INDArray> grams(FeatureNetwork network, RgbImage image, List<String> layers) {
        RgbImage fitted = io.github.style4j.core.image.Resizing.fitToMaxSide(image, 64);
        return StyleTargets.fromImage(network, ImageTensors.toTensor(fitted), layers).grams();
    }

    /** Σ over layers of ‖Ĝ − Â‖² / ‖Â‖²: each layer counts alike whatever its scale. */
    private static double distance(Map<String, INDArray> grams, Map<String, INDArray> target) {
        double sum = 0;
        for (var layer : target.entrySet()) {
            double norm = layer.getValue().norm2Number().doubleValue();
            double d = grams.get(layer.getKey()).distance2(layer.getValue());
            sum += d * d / (norm * norm);
        }
        return sum;
    }

    @Test
    void vggRunsEndToEndWithSeededZooWeights() throws Exception {
        // No pretrained VGG weights can be downloaded here: the zoo's seeded init() exercises the
        // VGG path (Caffe preprocessing, relu4_2 / relu1_1..relu5_1 defaults) end to end.
        StyleTransferConfig config = StyleTransferConfig.builder().setContentImage(SharedFiles.image("chelsea.png"))
                .addStyleImage(SharedFiles.image("starry_night.jpg")).optWeights(WeightSource.zooInit(7))
                .optImageSize(48).optIterations(4).optInit(StyleTransferConfig.Init.CONTENT).build();
        assertEquals(Architecture.VGG19, config.architecture());
        StyleTransferResult result = new StyleTransfer(config).run();
        assertEquals(48, result.image().width());
        assertTrue(result.finalTerms().get("total") < result.termsAtContent().get("total"));
    }

    @Test
    void invalidSettingsNameTheFieldAndTheRemedy() {
        var noStyle = assertThrows(IllegalArgumentException.class,
                () -> StyleTransferConfig.builder().setContentImage(Path.of("a.png")).build());
        assertTrue(noStyle.getMessage().contains("addStyleImage"), noStyle.getMessage());
        var layer = assertThrows(IllegalArgumentException.class, () -> StyleTransferConfig.builder()
                .setContentImage(Path.of("a.png")).addStyleImage(Path.of("b.png"))
                .optStyleLayers(Map.of("relu9_9", 1.0)).build());
        assertTrue(layer.getMessage().startsWith("styleLayers") && layer.getMessage().contains("relu1_1"),
                layer.getMessage());
        var blend = assertThrows(IllegalArgumentException.class, () -> StyleTransferConfig.builder()
                .setContentImage(Path.of("a.png")).addStyleImage(Path.of("b.png"))
                .optStyleBlendWeights(List.of(1.0, 2.0)).build());
        assertTrue(blend.getMessage().contains("one weight per style image"), blend.getMessage());
    }

    @Test
    void tilesGiveTheSameRunAsTheWholeImage() throws Exception {
        // Adam from the content image for a few steps: both runs take the same steps, up to float32 rounding in
        // the order of the sums (several tiles each way at 96 px with 32 px tiles).
        StyleTransferConfig.Builder builder = base(StyleTransferConfig.OptimizerKind.ADAM).optImageSize(96)
                .optIterations(5);
        StyleTransferResult whole = new StyleTransfer(builder.build()).run();
        List<MemoryPlan> plans = new ArrayList<>();
        StyleTransferResult tiled = new StyleTransfer(builder.optTileSize(32).build())
                .addListener(progress -> plans.add(progress.plan())).run();
        assertTrue(plans.get(0).tiled() && plans.get(0).layout().tiles().size() >= 4, plans.get(0).toString());
        for (String term : List.of("content", "style", "tv", "total")) {
            assertEquals(whole.termsAtContent().get(term), tiled.termsAtContent().get(term),
                    1e-4 * Math.max(1, whole.termsAtContent().get(term)), term + " at the content image");
            assertEquals(whole.finalTerms().get(term), tiled.finalTerms().get(term),
                    1e-3 * whole.finalTerms().get(term), term + " at the result");
        }
        float[] a = whole.image().rgb();
        float[] b = tiled.image().rgb();
        double largest = 0;
        for (int i = 0; i < a.length; i++) {
            largest = Math.max(largest, Math.abs(a[i] - b[i]));
        }
        assertTrue(largest < 2e-3, "pixels differ by up to " + largest);
        assertTrue(whole.finalTerms().get("total") < 0.9 * whole.termsAtContent().get("total"),
                "the runs did not move: comparing them proves little");
    }

    @Test
    void movingTilesStyliseWithAdamOnly() throws Exception {
        StyleTransferConfig.Builder builder = base(StyleTransferConfig.OptimizerKind.ADAM).optImageSize(96)
                .optIterations(20).optTileSize(32).optTileBorders(StyleTransferConfig.TileBorders.MOVING);
        List<MemoryPlan> plans = new ArrayList<>();
        StyleTransferResult result = new StyleTransfer(builder.build()).addListener(progress -> plans.add(progress.plan()))
                .run();
        assertTrue(plans.get(0).movingTiles() && plans.get(0).layout().tiles().size() >= 4, plans.get(0).toString());
        assertTrue(result.finalTerms().get("style") < 0.5 * result.termsAtContent().get("style"),
                "style " + result.termsAtContent().get("style") + " -> " + result.finalTerms().get("style"));
        var lbfgs = assertThrows(IllegalArgumentException.class, () -> builder
                .optOptimizer(StyleTransferConfig.OptimizerKind.LBFGS).build());
        assertTrue(lbfgs.getMessage().contains("Adam"), lbfgs.getMessage());
    }

    @Test
    void largeSizesGoCoarseToFineUnlessScalesAreGiven() {
        StyleTransferConfig auto = base(StyleTransferConfig.OptimizerKind.LBFGS).optImageSize(3000).optIterations(300)
                .build();
        assertEquals(List.of(375, 750, 1500, 3000), auto.scales());
        assertEquals(List.of(300, 150, 75, 38), List.of(auto.iterationsAt(0), auto.iterationsAt(1),
                auto.iterationsAt(2), auto.iterationsAt(3)));
        assertEquals(563, auto.totalIterations());
        assertTrue(auto.toString().contains("375 px x 300, 750 px x 150"), auto.toString());
        // Rebuilding keeps it automatic (not four explicit scales of 300 iterations).
        assertEquals(563, auto.toBuilder().build().totalIterations());
        StyleTransferConfig given = base(StyleTransferConfig.OptimizerKind.LBFGS).optImageSize(3000).optIterations(300)
                .optScales(List.of(3000)).build();
        assertEquals(List.of(3000), given.scales());
        assertEquals(300, given.totalIterations());
        assertEquals(List.of(1024), base(StyleTransferConfig.OptimizerKind.LBFGS).optImageSize(1024).build().scales());
    }

    @Test
    void toStringShowsEverySetting() {
        String text = StyleTransferConfig.builder().setContentImage(Path.of("a.png")).addStyleImage(Path.of("b.png"))
                .build().toString();
        for (String setting : new String[] {"content=a.png", "VGG-19", "relu4_2", "relu5_1", "contentWeight=5",
                "styleWeight=100", "tvWeight=0.001", "LBFGS", "schedule=512 px x 1000", "imageSize=512", "init=RANDOM",
                "memory=default", "tiles=as the memory needs",
                "pooling=MAX", "normalization=CHW", "seed=42", "colourPreservation=NONE", "styleScale=1"}) {
            assertTrue(text.contains(setting), () -> setting + " missing from\n" + text);
        }
    }

    @Test
    void stopEndsTheScaleAndSkipsTheRestOfTheSchedule() throws Exception {
        StyleTransferConfig config = base(StyleTransferConfig.OptimizerKind.ADAM).optIterations(50)
                .optImageSize(48).optScales(List.of(32, 48)).build();
        StyleTransfer transfer = new StyleTransfer(config);
        List<String> events = new ArrayList<>();
        transfer.addRunListener(new StyleTransferListener() {
            @Override
            public void started(StyleTransfer t) {
                events.add("started");
            }

            @Override
            public void progressed(StyleTransfer t, StyleTransferProgress progress) {
                if (progress.iterationsDone() == 3 && events.size() == 1) { // the first run only
                    t.stop();
                }
            }

            @Override
            public void finished(StyleTransfer t, StyleTransferResult result, Throwable failure) {
                events.add("finished " + result.stopReason());
            }
        });
        StyleTransferResult result = transfer.run();
        assertEquals(io.github.style4j.core.optim.StopReason.STOPPED, result.stopReason());
        assertEquals(3, result.history().size(), "stopped after the third iteration, the 48 px scale skipped");
        assertEquals(32, Math.max(result.image().width(), result.image().height()), "the image so far");
        assertEquals(List.of("started", "finished STOPPED"), events);
        assertTrue(transfer.stopRequested());

        // The next run of the same transfer starts afresh (the stop applied to the last run only).
        transfer.stop(); // not running: ignored
        assertEquals(100, transfer.run().history().size());
    }
}
