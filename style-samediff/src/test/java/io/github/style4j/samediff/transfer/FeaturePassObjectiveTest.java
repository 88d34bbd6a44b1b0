package io.github.style4j.samediff.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.optim.Evaluation;
import io.github.style4j.samediff.loss.ContentLoss;
import io.github.style4j.samediff.loss.LossInputs;
import io.github.style4j.samediff.loss.Losses;
import io.github.style4j.samediff.loss.PerceptualLoss;
import io.github.style4j.samediff.loss.StyleLoss;
import io.github.style4j.samediff.loss.StyleTargets;
import io.github.style4j.samediff.loss.TotalVariationLoss;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.FeatureGraph;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The split objective (eager network + the loss on arrays, or as a SameDiff loss graph) against
 * the whole-graph {@link SameDiffObjective} on the same content + style + total-variation loss:
 * the same loss, terms and image gradient, at several images in a row (arrays are reused).
 */
class FeaturePassObjectiveTest {
    @ParameterizedTest
    @CsvSource({"VGG16, true", "VGG16, false", "SQUEEZENET, true", "SQUEEZENET, false"})
    void matchesTheWholeGraphObjective(Architecture architecture, boolean lossOnArrays) throws Exception {
        FeatureNetwork network = FeatureNetwork.builder().setWeights(WeightSource.zooInit(4).load(architecture)).build();
        List<String> styleLayers = architecture == Architecture.SQUEEZENET ? List.of("relu1", "fire3", "fire5")
                : List.of("relu1_1", "relu2_1", "relu3_1");
        String contentLayer = architecture == Architecture.SQUEEZENET ? "fire5" : "relu3_2";
        Nd4j.getRandom().setSeed(5);
        int height = 44;
        int width = 52;
        INDArray content = Nd4j.rand(DataType.FLOAT, 1, 3, height, width);
        INDArray style = Nd4j.rand(DataType.FLOAT, 1, 3, 40, 40);
        StyleLoss.Builder styleBuilder = StyleLoss.builder().optName("style_raw")
                .setTargets(StyleTargets.fromImages(network, List.of(style), new double[] {1}, styleLayers));
        styleLayers.forEach(layer -> styleBuilder.addLayer(layer, 1.0 / styleLayers.size()));
        PerceptualLoss loss = Losses.sum("total", List.of(
                Losses.weighted("content", 3.0, ContentLoss.builder().optName("content_raw").addLayer(contentLayer, 1)
                        .setTargetsFromImage(network, content).build()),
                Losses.weighted("style", 50.0, styleBuilder.build()),
                Losses.weighted("tv", 2.0, TotalVariationLoss.of("tv_raw", TotalVariationLoss.Form.L1, 3))));
        List<String> terms = List.of("content", "style", "tv");

        INDArray start = Nd4j.rand(DataType.FLOAT, 1, 3, height, width);
        FeatureGraph graph = network.graph(start, new java.util.ArrayList<>(loss.layers()));
        loss.define(graph.sameDiff(), new LossInputs(graph.image(), graph.taps())).markAsLoss();
        SameDiffObjective reference = new SameDiffObjective(graph.sameDiff(), FeatureGraph.IMAGE, "total", terms);
        FeaturePassObjective split = new FeaturePassObjective(network, loss, terms, start, lossOnArrays);
        assertEquals(lossOnArrays, split.runsOnArrays(), split.toString());

        int afterFirst = 0;
        for (int trial = 0; trial < 3; trial++) {
            INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, height, width);
            Evaluation expected = reference.evaluate(image);
            Evaluation actual = split.evaluate(image);
            assertEquals(expected.loss(), actual.loss(), 1e-4 * Math.abs(expected.loss()), "loss, trial " + trial);
            for (String term : terms) {
                double value = expected.terms().get(term);
                assertTrue(value > 0, term + " is zero: the comparison would prove little");
                assertEquals(value, actual.terms().get(term), 1e-4 * value, term + ", trial " + trial);
            }
            double scale = expected.gradient().norm2Number().doubleValue();
            double error = expected.gradient().distance2(actual.gradient());
            assertTrue(error <= 2e-3 * scale, "gradient relative error " + error / scale + ", trial " + trial);
            if (trial == 0) {
                afterFirst = split.pooledArrays();
            }
        }
        if (!lossOnArrays) {
            // Later evaluations (same results, above) run on the first one's arrays, recycled.
            assertTrue(afterFirst > 10, "the loss graph allocated " + afterFirst + " arrays through the pool");
            assertTrue(split.pooledArrays() < afterFirst * 3 / 2, "the pool grew from " + afterFirst + " to "
                    + split.pooledArrays() + " arrays: evaluations are not reusing them");
        }
        assertThrows(IllegalArgumentException.class, () -> split.evaluate(Nd4j.rand(DataType.FLOAT, 1, 3, 8, 8)));
    }
    /**
     * A loss that reads no layer (total variation alone) runs without the network, on arrays
     * and as a graph: value and gradient against the definition, computed here in loops.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void aLossThatReadsNoLayerRunsWithoutTheNetwork(boolean lossOnArrays) throws Exception {
        FeatureNetwork network = FeatureNetwork.builder().setWeights(WeightSource.zooInit(4)
                .load(Architecture.SQUEEZENET)).build();
        Nd4j.getRandom().setSeed(6);
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, 6, 7);
        PerceptualLoss tv = Losses.weighted("tv", 2.0, TotalVariationLoss.of("tv_raw",
                TotalVariationLoss.Form.SQUARED, 3));
        try (FeaturePassObjective objective = new FeaturePassObjective(network, tv, List.of("tv"), image,
                lossOnArrays)) {
            Evaluation evaluation = objective.evaluate(image);
            double expected = 0;
            double[][][] gradient = new double[3][6][7];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 6; y++) {
                    for (int x = 0; x < 7; x++) {
                        if (y + 1 < 6) {
                            double d = image.getDouble(0, c, y + 1, x) - image.getDouble(0, c, y, x);
                            expected += 2 * d * d;
                            gradient[c][y + 1][x] += 4 * d;
                            gradient[c][y][x] -= 4 * d;
                        }
                        if (x + 1 < 7) {
                            double d = image.getDouble(0, c, y, x + 1) - image.getDouble(0, c, y, x);
                            expected += 2 * d * d;
                            gradient[c][y][x + 1] += 4 * d;
                            gradient[c][y][x] -= 4 * d;
                        }
                    }
                }
            }
            assertEquals(expected, evaluation.loss(), 1e-5 * expected);
            assertEquals(expected, evaluation.terms().get("tv"), 1e-5 * expected);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 6; y++) {
                    for (int x = 0; x < 7; x++) {
                        assertEquals(gradient[c][y][x], evaluation.gradient().getDouble(0, c, y, x), 1e-5,
                                "gradient at " + c + "," + y + "," + x);
                    }
                }
            }
            assertTrue(objective.toString().contains("no network"), objective.toString());
        }
    }
    /**
     * TermGradients: each term's value and image gradient from one forward pass, against the
     * whole-graph objective of that term alone (SameDiff's autodiff), and summing to the
     * gradient of the sum.
     */
    @Test
    void eachTermsGradientFromOneEvaluation() throws Exception {
        FeatureNetwork network = FeatureNetwork.builder().setWeights(WeightSource.zooInit(4)
                .load(Architecture.SQUEEZENET)).build();
        Nd4j.getRandom().setSeed(9);
        INDArray content = Nd4j.rand(DataType.FLOAT, 1, 3, 36, 40);
        INDArray style = Nd4j.rand(DataType.FLOAT, 1, 3, 32, 32);
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, 36, 40);
        Map<String, PerceptualLoss> terms = new java.util.LinkedHashMap<>();
        terms.put("content", Losses.weighted("content", 3.0, ContentLoss.builder().optName("content_raw")
                .addLayer("fire4", 1).setTargetsFromImage(network, content).build()));
        terms.put("style", Losses.weighted("style", 50.0, StyleLoss.builder().optName("style_raw")
                .addLayer("relu1", 1).addLayer("fire3", 1)
                .setTargets(StyleTargets.fromImages(network, List.of(style), new double[] {1}, List.of("relu1", "fire3")))
                .build()));
        terms.put("tv", Losses.weighted("tv", 2.0, TotalVariationLoss.of("tv_raw", TotalVariationLoss.Form.SQUARED, 3)));
        Map<String, Evaluation> each = TermGradients.evaluate(network, terms, image);
        INDArray sum = Nd4j.zeros(DataType.FLOAT, image.shape());
        for (Map.Entry<String, PerceptualLoss> term : terms.entrySet()) {
            PerceptualLoss loss = term.getValue();
            // (A graph needs a tap; TV reads none, so it gets one it ignores.)
            FeatureGraph graph = network.graph(image, loss.layers().isEmpty() ? List.of("relu1")
                    : new java.util.ArrayList<>(loss.layers()));
            loss.define(graph.sameDiff(), new LossInputs(graph.image(), graph.taps())).markAsLoss();
            Evaluation expected = new SameDiffObjective(graph.sameDiff(), FeatureGraph.IMAGE, loss.name(), List.of())
                    .evaluate(image);
            Evaluation actual = each.get(term.getKey());
            assertEquals(expected.loss(), actual.loss(), 1e-4 * expected.loss(), term.getKey());
            double scale = expected.gradient().norm2Number().doubleValue();
            assertTrue(scale > 0);
            assertTrue(expected.gradient().distance2(actual.gradient()) <= 2e-3 * scale, term.getKey()
                    + " gradient, relative error " + expected.gradient().distance2(actual.gradient()) / scale);
            sum.addi(actual.gradient());
        }
        try (FeaturePassObjective whole = new FeaturePassObjective(network,
                Losses.sum("total", new java.util.ArrayList<>(terms.values())), List.of(), image)) {
            INDArray total = whole.evaluate(image).gradient();
            assertTrue(total.distance2(sum) <= 1e-4 * total.norm2Number().doubleValue(), "terms sum to the total");
        }
    }
}
