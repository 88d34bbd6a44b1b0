package io.github.style4j.samediff.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.tensor.Preprocessing;
import io.github.style4j.samediff.QuietGradients;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The eager {@link FeaturePass} against SameDiff's autodiff of the same network (itself checked
 * against finite differences in {@link NetworkGradientCheckTest}), and against finite
 * differences directly: taps equal, and the image gradient of a loss {@code sum_t <tap_t, R_t>}
 * (whose gradient for tap t is the random R_t) equal.
 */
class FeaturePassTest {
    @ParameterizedTest
    @EnumSource(Pooling.class)
    void vggMatchesSameDiffAutodiff(Pooling pooling) throws Exception {
        NetworkWeights weights = WeightSource.zooInit(3).load(Architecture.VGG19);
        FeatureNetwork network = FeatureNetwork.builder().setWeights(weights).optPooling(pooling).build();
        // conv1_1 and relu1_1 both: the ReLU must not run in place over a tap; non-square size.
        assertMatchesAutodiff(network, List.of("conv1_1", "relu1_1", "relu2_1", "relu3_1", "relu4_2", "pool4",
                "relu5_1"), 40, 56, 2e-3);
    }

    @ParameterizedTest
    @EnumSource(Pooling.class)
    void squeezeNetMatchesSameDiffAutodiff(Pooling pooling) throws Exception {
        NetworkWeights zoo = WeightSource.zooInit(5).load(Architecture.SQUEEZENET);
        // The zoo's in-layer sigmoid, the stride-2 first convolution, fire modules, ceil-mode padding
        // and the global average.
        NetworkWeights weights = new NetworkWeights(Architecture.SQUEEZENET, zoo.convolutions(),
                Preprocessing.TORCHVISION, true, "ceil mode");
        FeatureNetwork network = FeatureNetwork.builder().setWeights(weights).optPooling(pooling).build();
        assertMatchesAutodiff(network, List.of("relu1", "fire3", "pool3", "fire5", "fire9", "logits"), 67, 45, 2e-3);
    }

    @Test
    void gradientMatchesFiniteDifferencesInDoublePrecision() throws Exception {
        NetworkWeights weights = WeightSource.zooInit(7).load(Architecture.VGG16);
        FeatureNetwork network = FeatureNetwork.builder().setWeights(weights).optDataType(DataType.DOUBLE).build();
        FeaturePass pass = network.pass(List.of("relu1_2", "relu3_1"));
        Nd4j.getRandom().setSeed(3);
        INDArray image = Nd4j.rand(DataType.DOUBLE, 1, 3, 18, 20);
        Map<String, INDArray> weightsR = new LinkedHashMap<>();
        pass.forward(image).forEach((layer, tap) -> weightsR.put(layer, Nd4j.randn(DataType.DOUBLE, tap.shape())));
        INDArray analytic = pass.backward(weightsR).dup();

        Random random = new Random(29);
        double epsilon = 1e-6;
        for (int trial = 0; trial < 10; trial++) {
            long[] at = {0, random.nextInt(3), random.nextInt(18), random.nextInt(20)};
            double original = image.getDouble(at);
            image.putScalar(at, original + epsilon);
            double plus = linearLoss(pass.forward(image), weightsR);
            image.putScalar(at, original - epsilon);
            double minus = linearLoss(pass.forward(image), weightsR);
            image.putScalar(at, original);
            double numeric = (plus - minus) / (2 * epsilon);
            double expected = analytic.getDouble(at);
            double scale = Math.max(1e-3, Math.max(Math.abs(numeric), Math.abs(expected)));
            assertEquals(numeric, expected, 1e-5 * scale, "pixel " + java.util.Arrays.toString(at));
        }
        assertTrue(analytic.norm2Number().doubleValue() > 0);
    }

    @Test
    void repeatedPassesGiveTheSameAnswerAndMissingTapsCountAsZero() throws Exception {
        FeatureNetwork network = FeatureNetwork.builder()
                .setWeights(WeightSource.zooInit(2).load(Architecture.VGG16)).build();
        FeaturePass pass = network.pass(List.of("relu1_2", "relu2_2"));
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, 24, 24);
        Map<String, INDArray> taps = pass.forward(image);
        INDArray r = Nd4j.randn(DataType.FLOAT, taps.get("relu2_2").shape());
        INDArray first = pass.backward(Map.of("relu2_2", r)).dup();
        pass.forward(Nd4j.rand(DataType.FLOAT, 1, 3, 24, 24));
        pass.backward(Map.of("relu1_2", Nd4j.randn(DataType.FLOAT, pass.forward(image).get("relu1_2").shape())));
        pass.forward(image);
        assertEquals(0, first.distance2(pass.backward(Map.of("relu2_2", r))), 1e-5 * first.norm2Number().doubleValue());
        assertEquals(0, pass.backward(Map.of()).norm2Number().doubleValue());
        assertThrows(IllegalArgumentException.class, () -> network.pass(List.of("relu9_9")));
        assertThrows(IllegalArgumentException.class, () -> pass.backward(Map.of("relu2_2", Nd4j.ones(1, 2, 3, 4))));
    }

    private static double linearLoss(Map<String, INDArray> taps, Map<String, INDArray> weights) {
        double sum = 0;
        for (var entry : taps.entrySet()) {
            sum += entry.getValue().mul(weights.get(entry.getKey())).sumNumber().doubleValue();
        }
        return sum;
    }

    private static void assertMatchesAutodiff(FeatureNetwork network, List<String> layers, int height, int width,
                                              double tolerance) {
        Nd4j.getRandom().setSeed(11);
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, height, width);
        FeatureGraph graph = network.graph(image, layers);
        SameDiff sd = graph.sameDiff();
        Map<String, INDArray> expectedTaps = sd.output(Map.of(), graph.taps().values().stream()
                .map(SDVariable::name).toArray(String[]::new));
        Map<String, INDArray> r = new LinkedHashMap<>();
        SDVariable loss = null;
        for (var tap : graph.taps().entrySet()) {
            INDArray weights = Nd4j.randn(DataType.FLOAT, expectedTaps.get(tap.getValue().name()).shape());
            r.put(tap.getKey(), weights);
            SDVariable term = sd.sum(tap.getValue().mul(sd.constant(weights)));
            loss = loss == null ? term : loss.add(term);
        }
        sd.identity("loss", loss).markAsLoss();
        QuietGradients.createGradFunction(sd);
        INDArray expectedGradient = sd.calculateGradients(Map.of(), FeatureGraph.IMAGE).get(FeatureGraph.IMAGE);

        FeaturePass pass = network.pass(layers);
        Map<String, INDArray> taps = pass.forward(image);
        assertEquals(graph.taps().keySet(), taps.keySet());
        for (var tap : graph.taps().entrySet()) {
            INDArray expected = expectedTaps.get(tap.getValue().name());
            INDArray actual = taps.get(tap.getKey());
            assertArrayEquals(expected.shape(), actual.shape(), tap.getKey());
            assertRelativelyClose(expected, actual, tolerance, tap.getKey());
        }
        INDArray gradient = pass.backward(r);
        assertArrayEquals(image.shape(), gradient.shape());
        assertRelativelyClose(expectedGradient, gradient, tolerance, "image gradient");
    }

    private static void assertRelativelyClose(INDArray expected, INDArray actual, double tolerance, String what) {
        double scale = expected.norm2Number().doubleValue();
        assertTrue(scale > 0, what + " is all zeros: the check would prove nothing");
        double error = expected.castTo(DataType.DOUBLE).distance2(actual.castTo(DataType.DOUBLE));
        assertTrue(error <= tolerance * scale, what + ": relative error " + error / scale);
    }
}
