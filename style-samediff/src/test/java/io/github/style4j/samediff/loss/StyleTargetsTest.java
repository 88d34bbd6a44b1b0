package io.github.style4j.samediff.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The statistics every style target is built from, against plain loops: the Gram matrix
 * F Fᵀ / M, channel means and covariances, and the blend of several style images
 * (Â = Σ b_i Ĝ_i / Σ b_i, each image at its own size), as neural-style's -style_blend_weights.
 */
class StyleTargetsTest {
    private static final List<String> LAYERS = List.of("relu1_1", "relu2_1");

    @Test
    void gramOfAnArrayIsFFtOverPositions() {
        INDArray features = LossFixture.random(8, 1, 5, 3, 7).castTo(DataType.FLOAT);
        assertClose(LossFixture.gram(features), FeatureStatistics.gram(features), 1e-6, "Gram");
    }

    @Test
    void meanAndCovarianceOfAnArray() {
        INDArray features = LossFixture.random(9, 1, 4, 5, 3);
        double[][] f = LossFixture.channels(features);
        int m = f[0].length;
        double[] mean = new double[4];
        double[][] covariance = new double[4][4];
        for (int c = 0; c < 4; c++) {
            for (double v : f[c]) {
                mean[c] += v / m;
            }
        }
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                for (int p = 0; p < m; p++) {
                    covariance[i][j] += (f[i][p] - mean[i]) * (f[j][p] - mean[j]) / m;
                }
            }
        }
        INDArray actualMean = FeatureStatistics.mean(features);
        for (int c = 0; c < 4; c++) {
            assertEquals(mean[c], actualMean.getDouble(c), 1e-12, "mean of channel " + c);
        }
        assertClose(covariance, FeatureStatistics.covariance(features), 1e-12, "covariance");
    }

    @Test
    void blendedTargetsAreTheWeightedMeanOfEachImagesStatistics() throws Exception {
        FeatureNetwork network = FeatureNetwork.builder().setWeights(WeightSource.zooInit(4).load(Architecture.VGG19))
                .optDataType(DataType.DOUBLE).build();
        Nd4j.getRandom().setSeed(12);
        INDArray first = Nd4j.rand(DataType.DOUBLE, 1, 3, 20, 24);
        INDArray second = Nd4j.rand(DataType.DOUBLE, 1, 3, 14, 18); // another size: statistics are per position
        double[] blend = {1, 3};
        StyleTargets grams = StyleTargets.fromImages(network, List.of(first, second), blend, LAYERS);
        MomentTargets moments = MomentTargets.fromImages(network, List.of(first, second), blend, LAYERS);
        Map<String, INDArray> a = network.activations(first, LAYERS);
        Map<String, INDArray> b = network.activations(second, LAYERS);
        for (String layer : LAYERS) {
            double[][] ga = LossFixture.gram(a.get(layer));
            double[][] gb = LossFixture.gram(b.get(layer));
            double[][] expected = new double[ga.length][ga.length];
            for (int i = 0; i < ga.length; i++) {
                for (int j = 0; j < ga.length; j++) {
                    expected[i][j] = (1 * ga[i][j] + 3 * gb[i][j]) / 4;
                }
            }
            assertClose(expected, grams.grams().get(layer), 1e-12, layer + " blended Gram");
            INDArray expectedMean = FeatureStatistics.mean(a.get(layer)).mul(0.25)
                    .add(FeatureStatistics.mean(b.get(layer)).mul(0.75));
            assertEquals(0, expectedMean.distance2(moments.means().get(layer)), 1e-12, layer + " blended mean");
        }
    }

    @Test
    void oneImageWithAnyWeightIsItsOwnGram() throws Exception {
        FeatureNetwork network = FeatureNetwork.builder().setWeights(WeightSource.zooInit(4).load(Architecture.VGG19))
                .optDataType(DataType.DOUBLE).build();
        INDArray image = Nd4j.rand(DataType.DOUBLE, 1, 3, 16, 16);
        StyleTargets targets = StyleTargets.fromImages(network, List.of(image), new double[] {7}, LAYERS);
        Map<String, INDArray> features = network.activations(image, LAYERS);
        for (String layer : LAYERS) {
            assertClose(LossFixture.gram(features.get(layer)), targets.grams().get(layer), 1e-12, layer);
        }
    }

    private static void assertClose(double[][] expected, INDArray actual, double tolerance, String what) {
        double scale = 0;
        for (double[] row : expected) {
            for (double v : row) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                assertEquals(expected[i][j], actual.getDouble(i, j), tolerance * Math.max(1, scale),
                        what + " at " + i + "," + j);
            }
        }
    }
}
