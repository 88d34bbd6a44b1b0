package io.github.style4j.samediff.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.optim.Evaluation;
import io.github.style4j.samediff.loss.ContentLoss;
import io.github.style4j.samediff.loss.Losses;
import io.github.style4j.samediff.loss.PerceptualLoss;
import io.github.style4j.samediff.loss.StyleLoss;
import io.github.style4j.samediff.loss.StyleTargets;
import io.github.style4j.samediff.loss.TotalVariationLoss;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.network.Pooling;
import io.github.style4j.samediff.network.TileLayout;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Moving tiles ({@link MovingTileObjective}, {@link TileLayout#moving}) against independent
 * computations in double precision: one tile is the whole image's objective; with several, the
 * style term is each crop's own whole-image style loss weighted by its share; the gradient
 * matches central differences of the value at a fixed offset.
 */
class MovingTileObjectiveTest {
    private static final List<String> VGG_STYLE = List.of("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1");
    private static final List<String> SQUEEZENET_STYLE = List.of("relu1", "fire2", "fire3", "fire4", "fire5");

    private static FeatureNetwork network(Architecture architecture) throws Exception {
        return FeatureNetwork.builder().setWeights(WeightSource.zooInit(7).load(architecture)).optPooling(Pooling.MAX)
                .optDataType(DataType.DOUBLE).build();
    }

    private static StyleLoss style(FeatureNetwork network, List<String> layers, INDArray styleImage) {
        StyleLoss.Builder builder = StyleLoss.builder().optName("style_raw")
                .setTargets(StyleTargets.fromImage(network, styleImage, layers));
        layers.forEach(layer -> builder.addLayer(layer, 1.0 / layers.size()));
        return builder.build();
    }

    /** Content + Gram style + TV, as style transfer builds it. */
    private static PerceptualLoss loss(FeatureNetwork network, List<String> styleLayers, String contentLayer,
                                       INDArray content, INDArray styleImage) {
        return Losses.sum("total", List.of(
                Losses.weighted("content", 3.0, ContentLoss.builder().optName("content_raw").addLayer(contentLayer, 1)
                        .setTargetsFromImage(network, content).build()),
                Losses.weighted("style", 50.0, style(network, styleLayers, styleImage)),
                Losses.weighted("tv", 0.01, TotalVariationLoss.of("tv_raw", TotalVariationLoss.Form.NEURAL_STYLE, 3))));
    }

    @Test
    void oneTileIsTheWholeImagesObjective() throws Exception {
        FeatureNetwork network = network(Architecture.VGG16);
        Nd4j.getRandom().setSeed(3);
        INDArray content = Nd4j.rand(DataType.DOUBLE, 1, 3, 50, 62);
        PerceptualLoss loss = loss(network, VGG_STYLE, "relu4_2", content, Nd4j.rand(DataType.DOUBLE, 1, 3, 40, 48));
        List<String> terms = List.of("content", "style", "tv");
        INDArray image = Nd4j.rand(DataType.DOUBLE, 1, 3, 50, 62);
        try (FeaturePassObjective whole = new FeaturePassObjective(network, loss, terms, image);
             MovingTileObjective moving = new MovingTileObjective(network, loss, terms, 50, 62, 256, 1)) {
            Evaluation expected = whole.evaluate(image);
            Evaluation actual = moving.evaluate(image);
            assertEquals(1, moving.layout().tiles().size(), moving.layout().toString());
            for (String term : terms) {
                double value = expected.terms().get(term);
                assertTrue(value > 0, term);
                assertEquals(value, actual.terms().get(term), 1e-11 * value, term);
            }
            double scale = expected.gradient().norm2Number().doubleValue();
            assertTrue(expected.gradient().distance2(actual.gradient()) <= 1e-10 * scale);
        }
    }

    /**
     * A single-layer style loss over moving tiles is, tile by tile, that loss on the crop as an
     * image of its own (its own Gram matrix, zero padding at its edges), weighted by the crop's
     * share of the layer's positions; the gradient is each crop's, so weighted, in its place.
     */
    @ParameterizedTest
    @CsvSource({"VGG16, relu3_1, 70, 90, 32, 17, 5", "SQUEEZENET, fire3, 83, 101, 32, 9, 20"})
    void styleIsEachCropsOwnWeightedByItsShare(Architecture architecture, String layer, int height, int width,
                                                int core, int offsetY, int offsetX) throws Exception {
        FeatureNetwork network = network(architecture);
        Nd4j.getRandom().setSeed(8);
        StyleLoss loss = style(network, List.of(layer), Nd4j.rand(DataType.DOUBLE, 1, 3, 44, 52));
        INDArray image = Nd4j.rand(DataType.DOUBLE, 1, 3, height, width);
        TileLayout layout = TileLayout.moving(architecture, false, List.of(layer), height, width, core, offsetY,
                offsetX);
        assertTrue(layout.tiles().size() >= 6, layout.toString());
        long[] map = layout.tapSizes().get(layer);
        double expected = 0;
        INDArray expectedGradient = Nd4j.zeros(DataType.DOUBLE, 1, 3, height, width);
        for (TileLayout.Tile tile : layout.tiles()) {
            INDArrayIndex[] crop = {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(tile.y0(), tile.y1()),
                    NDArrayIndex.interval(tile.x0(), tile.x1())};
            INDArray cropImage = image.get(crop).dup();
            try (FeaturePassObjective alone = new FeaturePassObjective(network, loss, List.of(), cropImage)) {
                Evaluation evaluation = alone.evaluate(cropImage);
                TileLayout.Region owned = tile.local().get(layer);
                double share = (double) owned.height() * owned.width() / (map[0] * map[1]);
                expected += share * evaluation.loss();
                expectedGradient.get(crop).addi(evaluation.gradient().mul(share));
            }
        }
        try (MovingTileObjective moving = new MovingTileObjective(network, loss, List.of(), height, width, core, 1)) {
            Evaluation actual = moving.evaluate(image, layout);
            assertEquals(expected, actual.loss(), 1e-11 * expected);
            double scale = expectedGradient.norm2Number().doubleValue();
            double error = expectedGradient.distance2(actual.gradient());
            assertTrue(scale > 0 && error <= 1e-10 * scale, "gradient relative error " + error / scale);
        }
    }

    /** The whole loss (content, several style layers, TV) at a fixed offset: gradient against central differences. */
    @Test
    void gradientMatchesCentralDifferencesAtAFixedOffset() throws Exception {
        FeatureNetwork network = network(Architecture.SQUEEZENET);
        Nd4j.getRandom().setSeed(21);
        int height = 67;
        int width = 75;
        INDArray content = Nd4j.rand(DataType.DOUBLE, 1, 3, height, width);
        PerceptualLoss loss = loss(network, SQUEEZENET_STYLE, "fire4", content, Nd4j.rand(DataType.DOUBLE, 1, 3, 40, 40));
        TileLayout layout = TileLayout.moving(Architecture.SQUEEZENET, false, new ArrayList<>(loss.layers()), height,
                width, 32, 16, 24);
        assertTrue(layout.tiles().size() >= 4, layout.toString());
        INDArray image = Nd4j.rand(DataType.DOUBLE, 1, 3, height, width);
        try (MovingTileObjective moving = new MovingTileObjective(network, loss, List.of(), height, width, 32, 1)) {
            INDArray gradient = moving.evaluate(image, layout).gradient().dup();
            for (int trial = 0; trial < 3; trial++) {
                INDArray direction = Nd4j.randn(DataType.DOUBLE, 1, 3, height, width);
                double h = 1e-5;
                double plus = moving.evaluate(image.add(direction.mul(h)), layout).loss();
                double minus = moving.evaluate(image.sub(direction.mul(h)), layout).loss();
                double numeric = (plus - minus) / (2 * h);
                double analytic = gradient.mul(direction).sumNumber().doubleValue();
                assertEquals(numeric, analytic, 1e-6 * Math.abs(analytic) + 1e-9, "direction " + trial);
            }
        }
    }

    /**
     * Moving cores partition the image on the alignment grid, none longer than a core (up to the
     * alignment) nor shorter than half; with VGG (same padding, floor pooling) the crops' positions partition
     * every tap's map too, so sums over positions (content) stay the whole image's.
     */
    @Test
    void movingCoresPartitionTheImageAndVggsMaps() {
        int height = 300;
        int width = 410;
        int core = 96;
        for (int[] offset : new int[][] {{0, 0}, {16, 80}, {95, 17}, {48, 40}, {200, 333}, {7, 90}}) {
            TileLayout layout = TileLayout.moving(Architecture.VGG19, false, VGG_STYLE, height, width, core, offset[0],
                    offset[1]);
            int[][] pixels = new int[height][width];
            java.util.Map<String, int[][]> positions = new java.util.LinkedHashMap<>();
            layout.tapSizes().forEach((layer, size) -> positions.put(layer, new int[(int) size[0]][(int) size[1]]));
            for (TileLayout.Tile tile : layout.tiles()) {
                assertEquals(tile.core(), new TileLayout.Region(tile.y0(), tile.y1(), tile.x0(), tile.x1()), "no halo");
                assertEquals(0, tile.y0() % 16, "crops start on the alignment grid");
                assertEquals(0, tile.x0() % 16);
                assertTrue(tile.height() <= core + 16 && tile.width() <= core + 16, tile.toString());
                assertTrue(tile.height() >= core / 2 && tile.width() >= core / 2, "no slivers: " + tile);
                for (int y = tile.y0(); y < tile.y1(); y++) {
                    for (int x = tile.x0(); x < tile.x1(); x++) {
                        pixels[y][x]++;
                    }
                }
                tile.global().forEach((layer, region) -> {
                    for (int y = region.y0(); y < region.y1(); y++) {
                        for (int x = region.x0(); x < region.x1(); x++) {
                            positions.get(layer)[y][x]++;
                        }
                    }
                });
            }
            for (int[] row : pixels) {
                for (int count : row) {
                    assertEquals(1, count, "every pixel in exactly one core, offset " + offset[0] + "," + offset[1]);
                }
            }
            positions.forEach((layer, map) -> {
                for (int[] row : map) {
                    for (int count : row) {
                        assertEquals(1, count, layer + ": every position in exactly one tile");
                    }
                }
            });
        }
    }

    @Test
    void everyEvaluationMovesTheTiles() throws Exception {
        FeatureNetwork network = network(Architecture.SQUEEZENET);
        Nd4j.getRandom().setSeed(2);
        INDArray image = Nd4j.rand(DataType.DOUBLE, 1, 3, 96, 96);
        PerceptualLoss loss = style(network, SQUEEZENET_STYLE, image.mul(0.5));
        Set<List<Integer>> firstCores = new HashSet<>();
        double[] values = new double[6];
        try (MovingTileObjective moving = new MovingTileObjective(network, loss, List.of(), 96, 96, 48, 5)) {
            for (int i = 0; i < values.length; i++) {
                values[i] = moving.evaluate(image).loss();
                TileLayout.Region core = moving.layout().tiles().get(0).core();
                firstCores.add(List.of(core.y1(), core.x1()));
            }
        }
        assertTrue(firstCores.size() >= 3, "the grid hardly moved: " + firstCores);
        assertNotEquals(values[0], values[1], "a different offset is a different objective");
        try (MovingTileObjective again = new MovingTileObjective(network, loss, List.of(), 96, 96, 48, 5)) {
            assertEquals(values[0], again.evaluate(image).loss(), 0.0, "the same seed gives the same offsets");
        }
    }

    @Test
    void lossesWithoutALocalFormAreRefused() throws Exception {
        FeatureNetwork network = network(Architecture.SQUEEZENET);
        INDArray image = Nd4j.rand(DataType.DOUBLE, 1, 3, 48, 48);
        StyleLoss normalised = StyleLoss.builder().optName("s").optNormalizeGradients(true)
                .setTargets(StyleTargets.fromImage(network, image, List.of("fire2"))).addLayer("fire2", 1).build();
        var error = assertThrows(IllegalArgumentException.class,
                () -> new MovingTileObjective(network, normalised, List.of(), 48, 48, 32, 1));
        assertTrue(error.getMessage().contains("moving tiles"), error.getMessage());
    }
}
