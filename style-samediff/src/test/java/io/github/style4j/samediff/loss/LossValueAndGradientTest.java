package io.github.style4j.samediff.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Each loss's value against plain-Java arithmetic, and its gradient against finite differences. */
class LossValueAndGradientTest {
    private static final INDArray X = LossFixture.random(1, 1, 3, 4, 5);
    private static final INDArray OTHER = LossFixture.random(2, 1, 3, 4, 5);

    private static INDArray squared(INDArray a) {
        return a.mul(a);
    }

    @Test
    void contentLoss() {
        ContentLoss content = ContentLoss.builder().addLayer("a", 2.0).addLayer("b", 0.5)
                .setTargets(Map.of("a", OTHER, "b", squared(OTHER))).build();
        LossFixture fixture = new LossFixture(X, content);
        double[][] x = LossFixture.channels(X);
        double[][] o = LossFixture.channels(OTHER);
        double a = 0;
        double b = 0;
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < 20; p++) {
                a += Math.pow(x[c][p] - o[c][p], 2) / 60;
                b += Math.pow(x[c][p] * x[c][p] - o[c][p] * o[c][p], 2) / 60;
            }
        }
        assertEquals(2.0 * a + 0.5 * b, fixture.value(), 1e-12);
        fixture.assertGradientMatchesFiniteDifferences();
    }

    @ParameterizedTest
    @EnumSource(GramNormalization.class)
    void styleLoss(GramNormalization normalization) {
        // Targets from an image of another size: Gram matrices are per position.
        INDArray style = LossFixture.random(3, 1, 3, 6, 7);
        StyleTargets targets = new StyleTargets(Map.of(
                "a", LossFixture.toArray(LossFixture.gram(style)),
                "b", LossFixture.toArray(LossFixture.gram(squared(style)))));
        StyleLoss loss = StyleLoss.builder().addLayer("a", 3.0).addLayer("b", 1.0).setTargets(targets)
                .optNormalization(normalization).build();
        LossFixture fixture = new LossFixture(X, loss);
        double k = normalization == GramNormalization.GATYS ? 0.25 : 1.0 / 9;
        double expected = 3.0 * k * LossFixture.meanSquaredDifference(LossFixture.gram(X), LossFixture.gram(style))
                + k * LossFixture.meanSquaredDifference(LossFixture.gram(squared(X)), LossFixture.gram(squared(style)));
        assertEquals(expected, fixture.value(), 1e-12);
        fixture.assertGradientMatchesFiniteDifferences();
    }

    @Test
    void gatysNormalisationIsThePapersFormulaForEqualSizes() {
        // E = 1/(4 N² M²) Σ (G − A)² with unnormalised G = F Fᵀ, written out directly.
        StyleLoss loss = StyleLoss.builder().addLayer("a", 1.0).optNormalization(GramNormalization.GATYS)
                .setTargets(new StyleTargets(Map.of("a", LossFixture.toArray(LossFixture.gram(OTHER))))).build();
        double[][] f = LossFixture.channels(X);
        double[][] s = LossFixture.channels(OTHER);
        int n = 3;
        int m = 20;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double g = 0;
                double a = 0;
                for (int p = 0; p < m; p++) {
                    g += f[i][p] * f[j][p];
                    a += s[i][p] * s[j][p];
                }
                sum += (g - a) * (g - a);
            }
        }
        assertEquals(sum / (4.0 * n * n * m * m), new LossFixture(X, loss).value(), 1e-12);
    }

    /**
     * neural-style's StyleLoss as written in neural_style.lua: G = gram(F) / nElement (C·H·W),
     * the target likewise from the style image's own C·Hs·Ws, and MSECriterion (the mean over
     * the C² entries of (G − A)²). No position-normalised shortcut.
     */
    @Test
    void chwNormalisationIsNeuralStylesStyleLoss() {
        INDArray style = LossFixture.random(7, 1, 3, 6, 7);
        StyleLoss loss = StyleLoss.builder().addLayer("a", 1.0).optNormalization(GramNormalization.CHW)
                .setTargets(new StyleTargets(Map.of("a", LossFixture.toArray(LossFixture.gram(style))))).build();
        double[][] f = LossFixture.channels(X);
        double[][] s = LossFixture.channels(style);
        int c = 3;
        double elements = 3 * 4 * 5;
        double styleElements = 3 * 6 * 7;
        double sum = 0;
        for (int i = 0; i < c; i++) {
            for (int j = 0; j < c; j++) {
                double g = 0;
                double a = 0;
                for (int p = 0; p < f[i].length; p++) {
                    g += f[i][p] * f[j][p];
                }
                for (int p = 0; p < s[i].length; p++) {
                    a += s[i][p] * s[j][p];
                }
                double difference = g / elements - a / styleElements;
                sum += difference * difference;
            }
        }
        assertEquals(sum / (c * c), new LossFixture(X, loss).value(), 1e-12);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"SQUARED, SUM", "L1, SUM", "NEURAL_STYLE, SUM", "SQUARED, MEAN",
            "NEURAL_STYLE, MEAN"})
    void totalVariation(TotalVariationLoss.Form form, TotalVariationLoss.Reduction reduction) {
        LossFixture fixture = new LossFixture(X, TotalVariationLoss.of("tv", form, reduction, 3));
        boolean neuralStyle = form == TotalVariationLoss.Form.NEURAL_STYLE;
        double expected = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 5; x++) {
                    // neural-style: only the first H-1 rows and W-1 columns, half the squares.
                    boolean inBlock = y + 1 < 4 && x + 1 < 5;
                    if (y + 1 < 4 && (!neuralStyle || inBlock)) {
                        double d = X.getDouble(0, c, y + 1, x) - X.getDouble(0, c, y, x);
                        expected += form == TotalVariationLoss.Form.L1 ? Math.abs(d) : neuralStyle ? d * d / 2 : d * d;
                    }
                    if (x + 1 < 5 && (!neuralStyle || inBlock)) {
                        double d = X.getDouble(0, c, y, x + 1) - X.getDouble(0, c, y, x);
                        expected += form == TotalVariationLoss.Form.L1 ? Math.abs(d) : neuralStyle ? d * d / 2 : d * d;
                    }
                }
            }
        }
        if (reduction == TotalVariationLoss.Reduction.MEAN) {
            expected /= 4 * 5;
        }
        assertEquals(expected, fixture.value(), 1e-12);
        fixture.assertGradientMatchesFiniteDifferences();
    }

    /**
     * NEURAL_STYLE's gradient is the one neural-style's {@code TVLoss:updateGradInput} computes
     * (neural_style.lua), transcribed here: x_diff = x[i, j] − x[i, j+1], y_diff = x[i, j] −
     * x[i+1, j] over the first H−1 rows and W−1 columns; gradInput[i, j] += x_diff + y_diff,
     * gradInput[i, j+1] −= x_diff, gradInput[i+1, j] −= y_diff.
     */
    @Test
    void neuralStyleTotalVariationHasNeuralStylesGradient() {
        LossFixture fixture = new LossFixture(X, TotalVariationLoss.of("tv", TotalVariationLoss.Form.NEURAL_STYLE, 3));
        INDArray gradient = fixture.gradient();
        double[][][] expected = new double[3][4][5];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 4; j++) {
                    double xDiff = X.getDouble(0, c, i, j) - X.getDouble(0, c, i, j + 1);
                    double yDiff = X.getDouble(0, c, i, j) - X.getDouble(0, c, i + 1, j);
                    expected[c][i][j] += xDiff + yDiff;
                    expected[c][i][j + 1] -= xDiff;
                    expected[c][i + 1][j] -= yDiff;
                }
            }
        }
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 5; j++) {
                    assertEquals(expected[c][i][j], gradient.getDouble(0, c, i, j), 1e-12, c + "," + i + "," + j);
                }
            }
        }
    }

    @Test
    void meanCovarianceStyleLoss() {
        INDArray style = LossFixture.random(4, 1, 3, 5, 5);
        double[][] s = LossFixture.channels(style);
        double[] mean = new double[3];
        double[][] cov = new double[3][3];
        for (int c = 0; c < 3; c++) {
            for (double v : s[c]) {
                mean[c] += v / 25;
            }
        }
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int p = 0; p < 25; p++) {
                    cov[i][j] += (s[i][p] - mean[i]) * (s[j][p] - mean[j]) / 25;
                }
            }
        }
        MomentTargets targets = new MomentTargets(Map.of("a", Nd4j.createFromArray(mean)),
                Map.of("a", LossFixture.toArray(cov)));
        LossFixture fixture = new LossFixture(X, MeanCovarianceStyleLoss.builder().addLayer("a", 1.5)
                .setTargets(targets).build());
        double[][] f = LossFixture.channels(X);
        double[] mu = new double[3];
        double[][] sigma = new double[3][3];
        for (int c = 0; c < 3; c++) {
            for (double v : f[c]) {
                mu[c] += v / 20;
            }
        }
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int p = 0; p < 20; p++) {
                    sigma[i][j] += (f[i][p] - mu[i]) * (f[j][p] - mu[j]) / 20;
                }
            }
        }
        double meanTerm = 0;
        for (int c = 0; c < 3; c++) {
            meanTerm += Math.pow(mu[c] - mean[c], 2) / 3;
        }
        double expected = 1.5 * (meanTerm + LossFixture.meanSquaredDifference(sigma, cov));
        assertEquals(expected, fixture.value(), 1e-12);
        fixture.assertGradientMatchesFiniteDifferences();
    }

    @ParameterizedTest
    @EnumSource(GramNormalization.class)
    void guidedStyleLoss(GramNormalization normalization) {
        // Two regions (left and right halves, soft edge), each with its own style; masks at layer size.
        INDArray left = Nd4j.zeros(4, 5);
        INDArray right = Nd4j.zeros(4, 5);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                double w = x < 2 ? 1 : x == 2 ? 0.5 : 0;
                left.putScalar(y, x, w);
                right.putScalar(y, x, 1 - w);
            }
        }
        INDArray styleA = LossFixture.random(5, 1, 3, 4, 4);
        INDArray styleB = LossFixture.random(6, 1, 3, 3, 6);
        GuidedStyleLoss loss = GuidedStyleLoss.builder().addLayer("a", 1.0).optNormalization(normalization)
                .addRegion(left, new StyleTargets(Map.of("a", LossFixture.toArray(LossFixture.gram(styleA)))), 1.0)
                .addRegion(right, new StyleTargets(Map.of("a", LossFixture.toArray(LossFixture.gram(styleB)))), 2.0)
                .build();
        LossFixture fixture = new LossFixture(X, loss);
        double k = normalization == GramNormalization.GATYS ? 0.25 : 1.0 / 9;
        double expected = k * LossFixture.meanSquaredDifference(guidedGram(X, left), LossFixture.gram(styleA))
                + 2.0 * k * LossFixture.meanSquaredDifference(guidedGram(X, right), LossFixture.gram(styleB));
        assertEquals(expected, fixture.value(), 1e-10);
        fixture.assertGradientMatchesFiniteDifferences();
    }

    /** (F ∘ T)(F ∘ T)ᵀ / Σ T² with plain loops. */
    private static double[][] guidedGram(INDArray features, INDArray mask) {
        double[][] f = LossFixture.channels(features);
        double[] t = mask.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup('c').data().asDouble();
        double area = 0;
        for (double v : t) {
            area += v * v;
        }
        double[][] g = new double[f.length][f.length];
        for (int i = 0; i < f.length; i++) {
            for (int j = 0; j < f.length; j++) {
                for (int p = 0; p < t.length; p++) {
                    g[i][j] += f[i][p] * t[p] * f[j][p] * t[p];
                }
                g[i][j] /= area;
            }
        }
        return g;
    }

    @Test
    void combinatorsWeightAndSum() {
        ContentLoss content = ContentLoss.builder().addLayer("a", 1.0).setTargets(Map.of("a", OTHER)).build();
        PerceptualLoss tv = TotalVariationLoss.of(TotalVariationLoss.Form.SQUARED);
        double contentValue = new LossFixture(X, content).value();
        double tvValue = new LossFixture(X, tv).value();
        PerceptualLoss total = Losses.sum("total", List.of(Losses.weighted("content_weighted", 5.0, content),
                Losses.weighted("tv_weighted", 0.1, tv)));
        LossFixture fixture = new LossFixture(X, total);
        assertEquals(5.0 * contentValue + 0.1 * tvValue, fixture.value(), 1e-12);
        assertEquals(contentValue, fixture.sd.output(Map.of(), "content").get("content").getDouble(0), 1e-12,
                "each term stays available by name");
        assertEquals(java.util.Set.of("a"), total.layers());
        fixture.assertGradientMatchesFiniteDifferences();
    }

    @Test
    void missingLayersAndTargetsAreClearErrors() {
        var noTarget = assertThrows(IllegalArgumentException.class,
                () -> StyleLoss.builder().addLayer("relu1_1", 1).setTargets(new StyleTargets(Map.of())).build());
        assertTrue(noTarget.getMessage().contains("relu1_1"), noTarget.getMessage());
        ContentLoss content = ContentLoss.builder().addLayer("c", 1.0).setTargets(Map.of("c", OTHER)).build();
        var missing = assertThrows(IllegalArgumentException.class, () -> new LossFixture(X, content));
        assertTrue(missing.getMessage().contains("'c'") && missing.getMessage().contains("[a, b]"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ContentLoss.builder().build());
        assertThrows(IllegalArgumentException.class, () -> ContentLoss.builder().addLayer("a", -1));
    }
}
