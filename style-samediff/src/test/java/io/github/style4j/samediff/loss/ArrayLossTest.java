package io.github.style4j.samediff.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.samediff.QuietGradients;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each module's {@link ArrayLoss} against its SameDiff definition (itself checked against
 * plain-Java arithmetic and finite differences in {@link LossValueAndGradientTest}), in double
 * precision: the same value, the same named values, and the same gradient for every feature map
 * and for the image. Feature maps are independent variables here, so each gradient is checked
 * on its own.
 */
class ArrayLossTest {
    private static final long[] IMAGE = {1, 3, 9, 11};
    private static final long[] LAYER_A = {1, 4, 6, 7};
    private static final long[] LAYER_B = {1, 5, 3, 5};

    @ParameterizedTest
    @EnumSource(GramNormalization.class)
    void styleLoss(GramNormalization normalization) {
        Map<String, INDArray> targets = new LinkedHashMap<>();
        targets.put("a", FeatureStatistics.gram(random(LAYER_A, 1)));
        targets.put("b", FeatureStatistics.gram(random(LAYER_B, 2)));
        assertSame(StyleLoss.builder().optName("style").addLayer("a", 0.7).addLayer("b", 2.5)
                .optNormalization(normalization).setTargets(new StyleTargets(targets)).build());
    }

    @Test
    void contentLoss() {
        assertSame(ContentLoss.builder().optName("content").addLayer("a", 1.5).addLayer("b", 0.3)
                .setTargets(Map.of("a", random(LAYER_A, 3), "b", random(LAYER_B, 4))).build());
    }

    @ParameterizedTest
    @EnumSource(TotalVariationLoss.Form.class)
    void totalVariation(TotalVariationLoss.Form form) {
        assertSame(TotalVariationLoss.of("tv", form, 3));
        assertSame(TotalVariationLoss.of("tv", form, TotalVariationLoss.Reduction.MEAN, 3));
    }

    /** The array form works through strips of rows: one row, a few with a shorter last strip, all but one. */
    @ParameterizedTest
    @EnumSource(TotalVariationLoss.Form.class)
    void totalVariationInStrips(TotalVariationLoss.Form form) {
        long planeRow = IMAGE[1] * IMAGE[3]; // elements of one row of differences, at most
        for (long rows : new long[] {1, 3, IMAGE[2] - 2}) {
            assertSame(TotalVariationLoss.of("tv", form, 3).withStripElements(rows * planeRow));
        }
    }

    @Test
    void temporalLoss() {
        assertSame(TemporalLoss.of("temporal", random(IMAGE, 20), random(new long[] {1, 1, IMAGE[2], IMAGE[3]}, 21)));
    }

    @Test
    void weightedSumsKeepEveryNamedTerm() {
        PerceptualLoss loss = Losses.sum("total", List.of(
                Losses.weighted("content_w", 5, ContentLoss.builder().optName("content").addLayer("b", 1)
                        .setTargets(Map.of("b", random(LAYER_B, 5))).build()),
                Losses.weighted("tv_w", 0.25, TotalVariationLoss.of("tv", TotalVariationLoss.Form.L1, 3))));
        Map<String, Double> values = assertSame(loss);
        assertEquals(List.of("content", "content_w", "tv", "tv_w", "total"), new ArrayList<>(values.keySet()));
        assertEquals(values.get("total"), values.get("content_w") + values.get("tv_w"), 1e-12);
        assertEquals(values.get("content_w"), 5 * values.get("content"), 1e-12);
    }

    @Test
    void aLossWithoutAnArrayFormMakesItsSumGraphOnly() {
        PerceptualLoss graphOnly = MeanCovarianceStyleLoss.builder().addLayer("a", 1)
                .setTargets(new MomentTargets(Map.of("a", Nd4j.zeros(DataType.DOUBLE, 4)),
                        Map.of("a", Nd4j.eye(4).castTo(DataType.DOUBLE)))).build();
        assertTrue(graphOnly.arrays().isEmpty());
        assertTrue(Losses.sum("total", List.of(TotalVariationLoss.of(TotalVariationLoss.Form.L1), graphOnly))
                .arrays().isEmpty());
    }

    /**
     * neural-style's -normalize_gradients: each layer's gradient (the graph form's, of the plain
     * loss with weight 1) divided by its L1 norm, times the layer's weight and the scale; the
     * value unchanged. The graph form refuses, rather than differentiate the plain loss.
     */
    @Test
    void normalisedGradientsAreEachLayersGradientOverItsL1Norm() {
        Map<String, INDArray> targets = Map.of("a", random(LAYER_A, 3), "b", random(LAYER_B, 4));
        Map<String, INDArray> grams = new LinkedHashMap<>();
        grams.put("a", FeatureStatistics.gram(random(LAYER_A, 5)));
        grams.put("b", FeatureStatistics.gram(random(LAYER_B, 6)));
        Map<String, INDArray> features = Map.of("a", random(LAYER_A, 11), "b", random(LAYER_B, 12));
        Map<String, Double> layerWeights = Map.of("a", 0.7, "b", 2.5);
        double scale = 3;
        for (boolean style : new boolean[] {false, true}) {
            java.util.function.Function<Boolean, PerceptualLoss> make = normalize -> {
                if (style) {
                    StyleLoss.Builder builder = StyleLoss.builder().optName("style").setTargets(new StyleTargets(grams))
                            .optNormalizeGradients(normalize);
                    layerWeights.forEach(builder::addLayer);
                    return builder.build();
                }
                ContentLoss.Builder builder = ContentLoss.builder().optName("content").setTargets(targets)
                        .optNormalizeGradients(normalize);
                layerWeights.forEach(builder::addLayer);
                return builder.build();
            };
            PerceptualLoss normalised = make.apply(true);
            Map<String, INDArray> accumulators = new LinkedHashMap<>();
            features.forEach((layer, array) -> accumulators.put(layer, Nd4j.zeros(DataType.DOUBLE, array.shape())));
            double value = normalised.arrays().orElseThrow().evaluate(new LossArrays(random(IMAGE, 10), features,
                    Nd4j.zeros(DataType.DOUBLE, IMAGE), accumulators), scale, new LinkedHashMap<>());
            for (String layer : layerWeights.keySet()) {
                // The plain loss of this layer alone, weight 1, differentiated by SameDiff.
                SameDiff sd = SameDiff.create();
                SDVariable feature = sd.var("feature", features.get(layer).dup());
                PerceptualLoss single = style
                        ? StyleLoss.builder().addLayer(layer, 1).setTargets(new StyleTargets(grams)).build()
                        : ContentLoss.builder().addLayer(layer, 1).setTargets(targets).build();
                single.define(sd, new LossInputs(sd.var("image", random(IMAGE, 10)), Map.of(layer, feature)))
                        .markAsLoss();
                QuietGradients.createGradFunction(sd);
                INDArray g = sd.calculateGradients(Map.of(), "feature").get("feature");
                INDArray expected = g.div(g.norm1Number().doubleValue() + 1e-8).muli(scale * layerWeights.get(layer));
                assertClose(expected, accumulators.get(layer), (style ? "style " : "content ") + layer);
                assertEquals(scale * layerWeights.get(layer), accumulators.get(layer).norm1Number().doubleValue(),
                        1e-4 * scale * layerWeights.get(layer), "L1 norm of the normalised gradient (up to the 1e-8)");
            }
            PerceptualLoss plain = make.apply(false);
            Map<String, INDArray> unused = new LinkedHashMap<>();
            features.forEach((layer, array) -> unused.put(layer, Nd4j.zeros(DataType.DOUBLE, array.shape())));
            double plainValue = plain.arrays().orElseThrow().evaluate(new LossArrays(random(IMAGE, 10), features,
                    Nd4j.zeros(DataType.DOUBLE, IMAGE), unused), scale, new LinkedHashMap<>());
            assertEquals(plainValue, value, 0.0, "the value is the plain loss's");
            var refused = org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                    () -> normalised.define(SameDiff.create(), new LossInputs(null, Map.of())));
            assertTrue(refused.getMessage().contains("array form"), refused.getMessage());
        }
    }

    /** Compares the two forms of {@code loss}; returns the array form's named values. */
    private static Map<String, Double> assertSame(PerceptualLoss loss) {
        INDArray image = random(IMAGE, 10);
        Map<String, INDArray> features = Map.of("a", random(LAYER_A, 11), "b", random(LAYER_B, 12));

        SameDiff sd = SameDiff.create();
        SDVariable imageVariable = sd.var("image", image.dup());
        Map<String, SDVariable> featureVariables = new LinkedHashMap<>();
        features.forEach((layer, array) -> featureVariables.put(layer, sd.var("feature_" + layer, array.dup())));
        SDVariable output = loss.define(sd, new LossInputs(imageVariable, featureVariables));
        // A constant zero term keeps every variable in the graph, whether or not the loss reads it.
        SDVariable anchor = sd.sum(imageVariable).mul(0);
        for (SDVariable feature : featureVariables.values()) {
            anchor = anchor.add(sd.sum(feature).mul(0));
        }
        output.add("checked", anchor).markAsLoss();
        QuietGradients.createGradFunction(sd);
        List<String> names = new ArrayList<>();
        names.add("image");
        featureVariables.values().forEach(v -> names.add(v.name()));
        Map<String, INDArray> gradients = sd.calculateGradients(Map.of(), names);
        double expected = sd.output(Map.of(), output.name()).get(output.name()).getDouble(0);

        Map<String, INDArray> featureGradients = new LinkedHashMap<>();
        features.forEach((layer, array) -> featureGradients.put(layer, Nd4j.zeros(DataType.DOUBLE, array.shape())));
        INDArray imageGradient = Nd4j.zeros(DataType.DOUBLE, IMAGE);
        Map<String, Double> values = new LinkedHashMap<>();
        double actual = loss.arrays().orElseThrow().evaluate(
                new LossArrays(image, features, imageGradient, featureGradients), 1.0, values);

        assertTrue(expected > 0, "a zero loss would prove little");
        assertEquals(expected, actual, 1e-10 * expected, loss.name());
        assertEquals(actual, values.get(loss.name()), 0.0);
        assertClose(gradients.get("image"), imageGradient, "image gradient");
        for (String layer : features.keySet()) {
            assertClose(gradients.get("feature_" + layer), featureGradients.get(layer), layer + " gradient");
        }
        return values;
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1e-12, expected.norm2Number().doubleValue());
        assertTrue(expected.distance2(actual) <= 1e-9 * scale, what + ": relative error "
                + expected.distance2(actual) / scale);
    }

    private static INDArray random(long[] shape, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, shape).subi(0.3);
    }
}
