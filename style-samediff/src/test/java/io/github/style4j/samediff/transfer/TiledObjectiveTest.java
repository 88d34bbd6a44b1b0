package io.github.style4j.samediff.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.optim.Evaluation;
import io.github.style4j.samediff.loss.ContentLoss;
import io.github.style4j.samediff.loss.FeatureStatistics;
import io.github.style4j.samediff.loss.Losses;
import io.github.style4j.samediff.loss.PerceptualLoss;
import io.github.style4j.samediff.loss.StyleLoss;
import io.github.style4j.samediff.loss.StyleTargets;
import io.github.style4j.samediff.loss.TotalVariationLoss;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.network.NetworkWeights;
import io.github.style4j.samediff.network.Pooling;
import io.github.style4j.samediff.network.TileLayout;
import io.github.style4j.samediff.network.TiledPass;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The tiled objective against the whole-image one ({@link FeaturePassObjective}) in double
 * precision, where exact halos must agree up to the order of additions; and the statistics a
 * tiled pass accumulates (Gram matrices, assembled feature maps) against the whole image's.
 */
class TiledObjectiveTest {
    private static final List<String> VGG_STYLE = List.of("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1");
    private static final List<String> SQUEEZENET_STYLE = List.of("relu1", "fire2", "fire3", "fire4", "fire5", "fire9");

    private static FeatureNetwork network(Architecture architecture, Pooling pooling, DataType dataType)
            throws Exception {
        return network(architecture, pooling, dataType, false);
    }

    /** Zoo-initialised weights, with floor (as the zoo's) or PyTorch's ceil-mode pooling. */
    private static FeatureNetwork network(Architecture architecture, Pooling pooling, DataType dataType, boolean ceil)
            throws Exception {
        NetworkWeights w = WeightSource.zooInit(7).load(architecture);
        NetworkWeights weights = new NetworkWeights(w.architecture(), w.convolutions(), w.preprocessing(), ceil,
                w.description() + (ceil ? ", ceil mode" : ""));
        return FeatureNetwork.builder().setWeights(weights).optPooling(pooling).optDataType(dataType).build();
    }

    /** Content + Gram style + TV, as style transfer builds it. */
    private static PerceptualLoss loss(FeatureNetwork network, List<String> styleLayers, String contentLayer,
                                       INDArray content, INDArray style) {
        StyleLoss.Builder styleBuilder = StyleLoss.builder().optName("style_raw")
                .setTargets(StyleTargets.fromImage(network, style, styleLayers));
        styleLayers.forEach(layer -> styleBuilder.addLayer(layer, 1.0 / styleLayers.size()));
        return Losses.sum("total", List.of(
                Losses.weighted("content", 3.0, ContentLoss.builder().optName("content_raw").addLayer(contentLayer, 1)
                        .setTargetsFromImage(network, content).build()),
                Losses.weighted("style", 50.0, styleBuilder.build()),
                Losses.weighted("tv", 0.01, TotalVariationLoss.of("tv_raw", TotalVariationLoss.Form.NEURAL_STYLE, 3))));
    }

    @ParameterizedTest
    @CsvSource({"VGG16, MAX, false, 75, 90, 32", "VGG16, AVERAGE, true, 66, 53, 16",
            "SQUEEZENET, MAX, true, 83, 101, 16", "SQUEEZENET, AVERAGE, false, 97, 70, 32",
            "SQUEEZENET, MAX, false, 64, 88, 24"})
    void tiledEqualsWholeImageInDoublePrecision(Architecture architecture, Pooling pooling, boolean ceil, int height,
                                                int width, int core) throws Exception {
        FeatureNetwork network = network(architecture, pooling, DataType.DOUBLE, ceil);
        List<String> styleLayers = architecture == Architecture.SQUEEZENET ? SQUEEZENET_STYLE : VGG_STYLE;
        String contentLayer = architecture == Architecture.SQUEEZENET ? "fire4" : "relu4_2";
        Nd4j.getRandom().setSeed(11);
        INDArray content = Nd4j.rand(DataType.DOUBLE, 1, 3, height, width);
        PerceptualLoss loss = loss(network, styleLayers, contentLayer, content, Nd4j.rand(DataType.DOUBLE, 1, 3, 48, 40));
        List<String> terms = List.of("content", "style", "tv");
        TileLayout layout = TileLayout.of(network, loss.layers(), height, width, core);
        assertTrue(layout.tiles().size() >= 4, "the test needs several tiles in both directions: " + layout);

        INDArray image = Nd4j.rand(DataType.DOUBLE, 1, 3, height, width);
        try (FeaturePassObjective whole = new FeaturePassObjective(network, loss, terms, image);
             TiledObjective tiled = new TiledObjective(network, loss, terms, layout)) {
            for (int trial = 0; trial < 2; trial++) {
                INDArray x = trial == 0 ? image : Nd4j.rand(DataType.DOUBLE, 1, 3, height, width);
                Evaluation expected = whole.evaluate(x);
                Evaluation actual = tiled.evaluate(x);
                assertEquals(expected.loss(), actual.loss(), 1e-11 * Math.abs(expected.loss()), "loss");
                for (String term : terms) {
                    double value = expected.terms().get(term);
                    assertTrue(value > 0, term + " is zero: the comparison would prove little");
                    assertEquals(value, actual.terms().get(term), 1e-11 * value, term);
                }
                double scale = expected.gradient().norm2Number().doubleValue();
                double error = expected.gradient().distance2(actual.gradient());
                assertTrue(scale > 0 && error <= 1e-10 * scale, "gradient relative error " + error / scale + " with "
                        + layout);
            }
            // Every tile but the last is run twice an evaluation (statistics, then gradient).
            assertEquals(2 * (2L * layout.tiles().size() - 1), tiled.forwards());
        }
    }

    /** Dead arrays pile up within an evaluation: collections are offered after every tile of both passes. */
    @Test
    void offersACollectionAfterEveryTileOfBothPasses() throws Exception {
        FeatureNetwork network = network(Architecture.SQUEEZENET, Pooling.MAX, DataType.FLOAT, true);
        Nd4j.getRandom().setSeed(5);
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, 70, 64);
        PerceptualLoss loss = loss(network, SQUEEZENET_STYLE, "fire4", image, image.mul(0.5));
        TileLayout layout = TileLayout.of(network, new ArrayList<>(loss.layers()), 70, 64, 24);
        assertTrue(layout.tiles().size() >= 4, layout.toString());
        int[] collections = {0};
        // Always above the threshold, and collections that take no time: every offer is taken.
        NativeGarbage garbage = new NativeGarbage(0, () -> 1, () -> collections[0]++, () -> 0L);
        try (TiledObjective tiled = new TiledObjective(network, loss, List.of(), layout).collecting(garbage)) {
            tiled.evaluate(image).gradient().close();
        }
        assertEquals(2 * layout.tiles().size(), collections[0]);
    }

    /**
     * Content targets kept in half precision (print-size plans): the maps are the whole image's
     * rounded to 11 significant bits, and the tiled objective with them equals the whole image's
     * with the same rounded targets.
     */
    @Test
    void halfPrecisionContentTargetsAreTheRoundedMaps() throws Exception {
        FeatureNetwork network = network(Architecture.SQUEEZENET, Pooling.MAX, DataType.DOUBLE, true);
        Nd4j.getRandom().setSeed(5);
        INDArray content = Nd4j.rand(DataType.DOUBLE, 1, 3, 83, 101).muli(255);
        Map<String, INDArray> half = TiledPass.activations(network, TileLayout.of(network, List.of("fire4"), 83, 101,
                24), content, List.of("fire4"), () -> { }, DataType.HALF);
        INDArray exact = network.activations(content, List.of("fire4")).get("fire4");
        INDArray rounded = half.get("fire4").castTo(DataType.DOUBLE);
        assertEquals(DataType.HALF, half.get("fire4").dataType());
        double worst = Transforms.abs(rounded.sub(exact)).div(Transforms.abs(exact).addi(1e-3)).maxNumber()
                .doubleValue();
        assertTrue(worst > 0 && worst <= Math.pow(2, -11), "relative rounding " + worst);

        StyleLoss.Builder style = StyleLoss.builder().optName("style_raw").setTargets(StyleTargets.fromImage(network,
                Nd4j.rand(DataType.DOUBLE, 1, 3, 48, 40), SQUEEZENET_STYLE));
        SQUEEZENET_STYLE.forEach(layer -> style.addLayer(layer, 1.0 / SQUEEZENET_STYLE.size()));
        PerceptualLoss tiledLoss = Losses.sum("total", List.of(Losses.weighted("content", 3.0, ContentLoss.builder()
                .optName("content_raw").addLayer("fire4", 1).setTargets(half).build()), Losses.weighted("style", 50.0,
                style.build())));
        PerceptualLoss wholeLoss = Losses.sum("total", List.of(Losses.weighted("content", 3.0, ContentLoss.builder()
                .optName("content_raw").addLayer("fire4", 1).setTargets(Map.of("fire4", rounded)).build()),
                Losses.weighted("style", 50.0, style.build())));
        INDArray image = Nd4j.rand(DataType.DOUBLE, 1, 3, 83, 101).muli(255);
        TileLayout layout = TileLayout.of(network, tiledLoss.layers(), 83, 101, 24);
        assertTrue(layout.tiles().size() >= 4, layout.toString());
        try (FeaturePassObjective whole = new FeaturePassObjective(network, wholeLoss, List.of("content"), image);
             TiledObjective tiled = new TiledObjective(network, tiledLoss, List.of("content"), layout)) {
            Evaluation expected = whole.evaluate(image);
            Evaluation actual = tiled.evaluate(image);
            assertEquals(expected.terms().get("content"), actual.terms().get("content"),
                    1e-11 * expected.terms().get("content"));
            double scale = expected.gradient().norm2Number().doubleValue();
            assertTrue(scale > 0 && expected.gradient().distance2(actual.gradient()) <= 1e-10 * scale);
        }
    }

    @Test
    void accumulatedStatisticsEqualTheWholeImages() throws Exception {
        FeatureNetwork network = network(Architecture.SQUEEZENET, Pooling.MAX, DataType.DOUBLE, true);
        Nd4j.getRandom().setSeed(3);
        INDArray image = Nd4j.rand(DataType.DOUBLE, 1, 3, 90, 77);
        TileLayout layout = TileLayout.of(network, SQUEEZENET_STYLE, 90, 77, 24);
        assertTrue(layout.tiles().size() >= 9, layout.toString());
        Map<String, INDArray> whole = network.activations(image, SQUEEZENET_STYLE);
        Map<String, INDArray> maps = TiledPass.activations(network, layout, image, SQUEEZENET_STYLE);
        Map<String, INDArray> grams = TiledPass.grams(network, layout, image, SQUEEZENET_STYLE);
        for (String layer : SQUEEZENET_STYLE) {
            INDArray expected = whole.get(layer);
            assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(maps.get(layer).shape()));
            double scale = expected.norm2Number().doubleValue();
            assertTrue(scale > 0 && expected.distance2(maps.get(layer)) <= 1e-12 * scale, layer + " map");
            INDArray gram = FeatureStatistics.gram(expected);
            assertTrue(gram.distance2(grams.get(layer)) <= 1e-12 * gram.norm2Number().doubleValue(), layer + " Gram");
        }
    }

    @Test
    void withoutItsHaloATileIsWrong() throws Exception {
        // The check above can fail: crops cut to the owned cells alone give other features.
        FeatureNetwork network = network(Architecture.VGG16, Pooling.MAX, DataType.DOUBLE);
        Nd4j.getRandom().setSeed(4);
        INDArray image = Nd4j.rand(DataType.DOUBLE, 1, 3, 64, 64);
        INDArray whole = network.activations(image, List.of("relu3_1")).get("relu3_1");
        INDArray corner = network.activations(image.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 32),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 32)).dup(), List.of("relu3_1")).get("relu3_1");
        INDArray sameCells = whole.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 8),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 8));
        assertTrue(sameCells.distance2(corner) > 1e-3 * sameCells.norm2Number().doubleValue());
        TileLayout layout = TileLayout.of(Architecture.VGG16, false, List.of("relu3_1"), 64, 64, 32);
        assertTrue(layout.tiles().get(0).y1() > 32 && layout.tiles().get(0).x1() > 32, layout.tiles().get(0).toString());
    }

    @Test
    void layoutOwnsEveryPositionOnce() {
        for (Architecture architecture : Architecture.values()) {
            List<String> taps = architecture == Architecture.SQUEEZENET ? SQUEEZENET_STYLE : VGG_STYLE;
            for (int[] size : new int[][] {{301, 451}, {64, 1000}, {33, 47}}) {
                TileLayout layout = TileLayout.of(architecture, architecture == Architecture.SQUEEZENET, taps, size[0],
                        size[1], 96);
                for (Map.Entry<String, long[]> tap : layout.tapSizes().entrySet()) {
                    int[][] owners = new int[(int) tap.getValue()[0]][(int) tap.getValue()[1]];
                    for (TileLayout.Tile tile : layout.tiles()) {
                        assertEquals(0, tile.y0() % layout.alignment());
                        assertEquals(0, tile.x0() % layout.alignment());
                        TileLayout.Region region = tile.global().get(tap.getKey());
                        if (region != null) {
                            for (int y = region.y0(); y < region.y1(); y++) {
                                for (int x = region.x0(); x < region.x1(); x++) {
                                    owners[y][x]++;
                                }
                            }
                        }
                    }
                    for (int[] row : owners) {
                        for (int count : row) {
                            assertEquals(1, count, architecture + " " + tap.getKey() + " at " + size[0] + "x" + size[1]);
                        }
                    }
                }
            }
        }
        TileLayout single = TileLayout.of(Architecture.VGG19, false, VGG_STYLE, 300, 451, 512);
        assertEquals(1, single.tiles().size());
        assertEquals(1.0, single.overhead());
    }

    @Test
    void logitsCannotBeTiled() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TileLayout.of(Architecture.SQUEEZENET, true, List.of("logits"), 64, 64, 32));
        assertTrue(e.getMessage().contains("whole image"), e.getMessage());
    }
}
