package io.github.style4j.samediff.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The public feature statistics against the definitions computed in plain loops here, and the
 * graph form against the array form; the loss builders in any call order.
 */
class FeatureStatisticsTest {
    private static final int C = 4;
    private static final int H = 3;
    private static final int W = 5;

    private static double[][][] randomFeatures(long seed) {
        Random random = new Random(seed);
        double[][][] f = new double[C][H][W];
        for (double[][] channel : f) {
            for (double[] row : channel) {
                for (int x = 0; x < W; x++) {
                    row[x] = random.nextGaussian() + 0.5;
                }
            }
        }
        return f;
    }

    private static INDArray array(double[][][] f) {
        INDArray a = Nd4j.zeros(DataType.DOUBLE, 1, C, H, W);
        for (int c = 0; c < C; c++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    a.putScalar(new long[] {0, c, y, x}, f[c][y][x]);
                }
            }
        }
        return a;
    }

    @Test
    void gramMeanAndCovarianceMatchTheirDefinitions() {
        double[][][] f = randomFeatures(3);
        INDArray features = array(f);
        INDArray gram = FeatureStatistics.gram(features);
        INDArray mean = FeatureStatistics.mean(features);
        INDArray covariance = FeatureStatistics.covariance(features);
        int m = H * W;
        double[] means = new double[C];
        for (int c = 0; c < C; c++) {
            for (double[] row : f[c]) {
                for (double v : row) {
                    means[c] += v / m;
                }
            }
            assertEquals(means[c], mean.getDouble(c), 1e-12);
        }
        for (int i = 0; i < C; i++) {
            for (int j = 0; j < C; j++) {
                double g = 0;
                double cov = 0;
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        g += f[i][y][x] * f[j][y][x];
                        cov += (f[i][y][x] - means[i]) * (f[j][y][x] - means[j]);
                    }
                }
                assertEquals(g / m, gram.getDouble(i, j), 1e-12, "Gram " + i + "," + j);
                assertEquals(cov / m, covariance.getDouble(i, j), 1e-12, "covariance " + i + "," + j);
            }
        }
    }

    @Test
    void theGraphGramEqualsTheArrayGram() {
        INDArray features = array(randomFeatures(5));
        SameDiff sd = SameDiff.create();
        SDVariable input = sd.constant("features", features);
        SDVariable gram = FeatureStatistics.gram(sd, input);
        INDArray graph = sd.output(Map.of(), gram.name()).get(gram.name());
        assertEquals(FeatureStatistics.gram(features), graph.reshape(C, C));
    }

    @Test
    void aBatchIsRefusedWithWhatToDo() {
        var error = assertThrows(IllegalArgumentException.class,
                () -> FeatureStatistics.gram(Nd4j.zeros(DataType.FLOAT, 2, C, H, W)));
        assertTrue(error.getMessage().contains("[1, C, H, W]"), error.getMessage());
    }

    @Test
    void contentTargetsFromAnImageMayBeSetBeforeOrAfterTheLayers() throws Exception {
        FeatureNetwork network = FeatureNetwork.builder()
                .setWeights(WeightSource.zooInit(3).load(Architecture.SQUEEZENET)).build();
        Nd4j.getRandom().setSeed(4);
        INDArray content = Nd4j.rand(DataType.FLOAT, 1, 3, 32, 32);
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, 32, 32);
        ContentLoss layersFirst = ContentLoss.builder().addLayer("fire2", 1).addLayer("fire3", 0.5)
                .setTargetsFromImage(network, content).build();
        ContentLoss targetsFirst = ContentLoss.builder().setTargetsFromImage(network, content)
                .addLayer("fire2", 1).addLayer("fire3", 0.5).build();
        Map<String, INDArray> features = network.activations(image, List.of("fire2", "fire3"));
        double expected = 0;
        for (Map.Entry<String, Double> layer : Map.of("fire2", 1.0, "fire3", 0.5).entrySet()) {
            INDArray target = network.activations(content, List.of(layer.getKey())).get(layer.getKey());
            INDArray difference = features.get(layer.getKey()).castTo(DataType.DOUBLE)
                    .sub(target.castTo(DataType.DOUBLE));
            expected += layer.getValue() * difference.mul(difference).meanNumber().doubleValue();
        }
        assertEquals(expected, valueOf(layersFirst, features, image), 1e-5 * expected);
        assertEquals(expected, valueOf(targetsFirst, features, image), 1e-5 * expected);
    }

    private static double valueOf(ContentLoss loss, Map<String, INDArray> features, INDArray image) {
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> taps = new java.util.LinkedHashMap<>();
        features.forEach((layer, value) -> taps.put(layer, sd.constant(layer, value)));
        SDVariable value = loss.define(sd, new LossInputs(sd.constant("image", image), taps));
        return sd.output(Map.of(), value.name()).get(value.name()).getDouble(0);
    }
}
