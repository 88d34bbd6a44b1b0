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
    private static final List<String> VGG_TAPS = List.of("conv1_1", "relu1_1", "relu2_1", "relu3_1", "relu4_2",
            "pool4", "relu5_1");
    private static final List<String> SQUEEZENET_TAPS = List.of("relu1", "fire3", "pool3", "fire5", "fire9", "logits");

    private static FeatureNetwork vgg19(Pooling pooling, DataType type) throws Exception {
        return FeatureNetwork.builder().setWeights(WeightSource.zooInit(3).load(Architecture.VGG19))
                .optPooling(pooling).optDataType(type).build();
    }

    /** The zoo's in-layer sigmoid, the stride-2 first convolution, fire modules, ceil-mode padding, global average. */
    private static FeatureNetwork squeezeNet(Pooling pooling, DataType type) throws Exception {
        NetworkWeights zoo = WeightSource.zooInit(5).load(Architecture.SQUEEZENET);
        NetworkWeights weights = new NetworkWeights(Architecture.SQUEEZENET, zoo.convolutions(),
                Preprocessing.TORCHVISION, true, "ceil mode");
        return FeatureNetwork.builder().setWeights(weights).optPooling(pooling).optDataType(type).build();
    }

    /** The float path users run (oneDNN kernels), at a realistic size. */
    @ParameterizedTest
    @EnumSource(Pooling.class)
    void vggMatchesSameDiffAutodiff(Pooling pooling) throws Exception {
        // conv1_1 and relu1_1 both: the ReLU must not run in place over a tap; non-square size.
        assertMatchesAutodiff(vgg19(pooling, DataType.FLOAT), VGG_TAPS, 40, 56, 2e-3);
    }

    @ParameterizedTest
    @EnumSource(Pooling.class)
    void squeezeNetMatchesSameDiffAutodiff(Pooling pooling) throws Exception {
        assertMatchesAutodiff(squeezeNet(pooling, DataType.FLOAT), SQUEEZENET_TAPS, 67, 45, 2e-3);
    }

    /**
     * Every layer kind (convolution, ReLU, both poolings with floor and ceil padding, fire
     * concatenation, sigmoid, global average) in double precision, where the two computations
     * must agree to rounding: a wrong kernel flip, a border off by one or a missed ceil-mode row
     * shows as an error many orders of magnitude above this tolerance. Odd sizes make floor
     * and ceil pooling differ.
     */
    @ParameterizedTest
    @EnumSource(Pooling.class)
    void everyLayerKindMatchesAutodiffInDoublePrecision(Pooling pooling) throws Exception {
        assertMatchesAutodiff(vgg19(pooling, DataType.DOUBLE), VGG_TAPS, 21, 35, 1e-10);
        assertMatchesAutodiff(squeezeNet(pooling, DataType.DOUBLE), SQUEEZENET_TAPS, 37, 29, 1e-10);
    }

    /** Central differences at every pixel of a small image, in double precision, for VGG and SqueezeNet. */
    @ParameterizedTest
    @EnumSource(Pooling.class)
    void gradientMatchesFiniteDifferencesAtEveryPixel(Pooling pooling) throws Exception {
        FeatureNetwork vgg = FeatureNetwork.builder().setWeights(WeightSource.zooInit(7).load(Architecture.VGG16))
                .optPooling(pooling).optDataType(DataType.DOUBLE).build();
        assertFiniteDifferencesAtEveryPixel(vgg.pass(List.of("relu1_2", "pool2", "relu3_1")), 9, 11);
        // 13 px: the stride-2 convolution gives 6, where ceil-mode pooling adds a row floor mode would not.
        assertFiniteDifferencesAtEveryPixel(squeezeNet(pooling, DataType.DOUBLE).pass(List.of("relu1", "fire3",
                "fire5", "logits")), 13, 15);
    }

    private static void assertFiniteDifferencesAtEveryPixel(FeaturePass pass, int height, int width) {
        Nd4j.getRandom().setSeed(3);
        INDArray image = Nd4j.rand(DataType.DOUBLE, 1, 3, height, width);
        Map<String, INDArray> weightsR = new LinkedHashMap<>();
        pass.forward(image).forEach((layer, tap) -> weightsR.put(layer, Nd4j.randn(DataType.DOUBLE, tap.shape())));
        INDArray analytic = pass.backward(weightsR).dup();
        // Central differences of a loss of size ~1e3 carry ~1e-16 * 1e3 / epsilon of rounding noise, so
        // each entry is compared relative to itself, with a floor of 0.1% of the largest entry.
        double epsilon = 1e-5;
        double floor = 1e-3 * analytic.amaxNumber().doubleValue();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    long[] at = {0, c, y, x};
                    double original = image.getDouble(at);
                    image.putScalar(at, original + epsilon);
                    double plus = linearLoss(pass.forward(image), weightsR);
                    image.putScalar(at, original - epsilon);
                    double minus = linearLoss(pass.forward(image), weightsR);
                    image.putScalar(at, original);
                    double numeric = (plus - minus) / (2 * epsilon);
                    double expected = analytic.getDouble(at);
                    double scale = Math.max(floor, Math.max(Math.abs(numeric), Math.abs(expected)));
                    assertEquals(numeric, expected, 1e-5 * scale, "pixel " + java.util.Arrays.toString(at));
                }
            }
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

    /** An image too small for the network is refused in Java: libnd4j's ops crash on the empty arrays it would make. */
    @Test
    void anImageTooSmallForTheNetworkIsRefusedNotCrashedOn() throws Exception {
        FeatureNetwork network = FeatureNetwork.builder()
                .setWeights(WeightSource.zooInit(2).load(Architecture.SQUEEZENET)).build();
        FeaturePass pass = network.pass(List.of("fire5"));
        var error = assertThrows(IllegalArgumentException.class,
                () -> pass.forward(Nd4j.rand(DataType.FLOAT, 1, 3, 8, 8)));
        assertTrue(error.getMessage().contains("too small"), error.getMessage());
        assertEquals(4, pass.forward(Nd4j.rand(DataType.FLOAT, 1, 3, 40, 40)).get("fire5").rank(), "still usable");
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
        DataType type = network.dataType();
        INDArray image = Nd4j.rand(type, 1, 3, height, width);
        FeatureGraph graph = network.graph(image, layers);
        SameDiff sd = graph.sameDiff();
        Map<String, INDArray> expectedTaps = sd.output(Map.of(), graph.taps().values().stream()
                .map(SDVariable::name).toArray(String[]::new));
        Map<String, INDArray> r = new LinkedHashMap<>();
        SDVariable loss = null;
        for (var tap : graph.taps().entrySet()) {
            INDArray weights = Nd4j.randn(type, expectedTaps.get(tap.getValue().name()).shape());
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
