package io.github.style4j.samediff.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LossPropertiesTest {
    private static final INDArray X = LossFixture.random(11, 1, 3, 6, 7);

    @Test
    void contentLossAndItsGradientAreZeroAtTheContentImage() {
        ContentLoss content = ContentLoss.builder().addLayer("a", 1).addLayer("b", 3)
                .setTargets(Map.of("a", X.dup(), "b", X.mul(X))).build();
        LossFixture fixture = new LossFixture(X, content);
        assertEquals(0.0, fixture.value(), 0.0);
        assertEquals(0.0, fixture.gradient().amaxNumber().doubleValue(), 0.0);
    }

    @Test
    void gramMatricesAreSymmetricPositiveSemidefinite() {
        INDArray features = LossFixture.random(12, 1, 8, 5, 5);
        INDArray gram = FeatureStatistics.gram(features);
        assertEquals(gram, gram.transpose().dup(), "symmetric");
        Random random = new Random(13);
        for (int trial = 0; trial < 200; trial++) {
            double[] v = new double[8];
            for (int i = 0; i < 8; i++) {
                v[i] = random.nextGaussian();
            }
            INDArray vector = Nd4j.createFromArray(v).reshape(8, 1);
            double quadratic = vector.transpose().mmul(gram).mmul(vector).getDouble(0);
            assertTrue(quadratic >= -1e-12, "vᵀGv = " + quadratic);
        }
    }

    /** The same pixels in another order, every channel alike. */
    private static INDArray shuffled(INDArray image, long seed) {
        int h = (int) image.size(2);
        int w = (int) image.size(3);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < h * w; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        INDArray out = image.dup();
        for (int c = 0; c < image.size(1); c++) {
            for (int i = 0; i < h * w; i++) {
                int from = order.get(i);
                out.putScalar(new long[] {0, c, i / w, i % w}, image.getDouble(0, c, from / w, from % w));
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(GramNormalization.class)
    void gramStyleLossIgnoresWherePixelsAre(GramNormalization normalization) {
        INDArray style = LossFixture.random(14, 1, 3, 5, 5);
        StyleLoss loss = StyleLoss.builder().addLayer("a", 1).addLayer("b", 1).optNormalization(normalization)
                .setTargets(new StyleTargets(Map.of("a", LossFixture.toArray(LossFixture.gram(style)),
                        "b", LossFixture.toArray(LossFixture.gram(style.mul(style)))))).build();
        double original = new LossFixture(X, loss).value();
        double permuted = new LossFixture(shuffled(X, 15), loss).value();
        assertTrue(original > 0);
        assertEquals(original, permuted, 1e-12 * original);
    }

    @ParameterizedTest
    @EnumSource(TotalVariationLoss.Form.class)
    void totalVariationOfAConstantImageIsZero(TotalVariationLoss.Form form) {
        LossFixture fixture = new LossFixture(Nd4j.valueArrayOf(new long[] {1, 3, 6, 7}, 0.37, DataType.DOUBLE),
                TotalVariationLoss.of(form));
        assertEquals(0.0, fixture.value(), 1e-15);
        assertTrue(new LossFixture(X, TotalVariationLoss.of(form)).value() > 0);
    }

    @ParameterizedTest
    @EnumSource(GramNormalization.class)
    void anAllOnesMaskIsTheUnmaskedLoss(GramNormalization normalization) {
        INDArray style = LossFixture.random(16, 1, 3, 9, 9);
        StyleTargets targets = new StyleTargets(Map.of("a", LossFixture.toArray(LossFixture.gram(style))));
        double unmasked = new LossFixture(X, StyleLoss.builder().addLayer("a", 2).optNormalization(normalization)
                .setTargets(targets).build()).value();
        // A mask at another resolution than the layer: it is resized in the graph.
        GuidedStyleLoss guided = GuidedStyleLoss.builder().addLayer("a", 2).optNormalization(normalization)
                .addRegion(Nd4j.ones(DataType.FLOAT, 24, 28), targets, 1).build();
        assertEquals(unmasked, new LossFixture(X, guided).value(), 1e-6 * unmasked);
    }

    @Test
    void meanCovarianceLossIsZeroAtItsOwnStatistics() {
        MomentTargets targets = new MomentTargets(Map.of("a", FeatureStatistics.mean(X)),
                Map.of("a", FeatureStatistics.covariance(X)));
        LossFixture fixture = new LossFixture(X, MeanCovarianceStyleLoss.builder().addLayer("a", 1)
                .setTargets(targets).build());
        assertEquals(0.0, fixture.value(), 1e-24);
    }
}
