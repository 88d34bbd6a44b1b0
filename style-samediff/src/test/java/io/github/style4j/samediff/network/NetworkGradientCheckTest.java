package io.github.style4j.samediff.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.samediff.QuietGradients;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SameDiff's gradient of a loss on the taps with respect to the RGB image, against central
 * finite differences, in double precision: through the in-graph preprocessing, convolutions,
 * ReLU, pooling (both kinds, ceil-mode padding included) and fire concatenation, at every pixel.
 */
class NetworkGradientCheckTest {
    @ParameterizedTest
    @EnumSource(Pooling.class)
    void imageGradientMatchesFiniteDifferences(Pooling pooling) throws Exception {
        NetworkWeights zoo = WeightSource.zooInit(5).load(Architecture.SQUEEZENET);
        // Ceil-mode pooling and torchvision preprocessing, to cover the padding path too.
        NetworkWeights weights = new NetworkWeights(Architecture.SQUEEZENET, zoo.convolutions(),
                io.github.style4j.core.tensor.Preprocessing.TORCHVISION, true, "gradient check");
        FeatureNetwork network = FeatureNetwork.builder().setWeights(weights).optPooling(pooling)
                .optDataType(DataType.DOUBLE).build();
        Nd4j.getRandom().setSeed(17);
        // 13 px: the stride-2 convolution gives 6, where ceil-mode pooling keeps a row that floor mode drops.
        INDArray image = Nd4j.rand(DataType.DOUBLE, 1, 3, 13, 13);
        FeatureGraph graph = network.graph(image, List.of("relu1", "fire3"));
        SameDiff sd = graph.sameDiff();
        sd.sum(sd.math().square(graph.taps().get("fire3")))
                .add("loss", sd.sum(graph.taps().get("relu1"))).markAsLoss();
        QuietGradients.createGradFunction(sd);
        INDArray analytic = sd.calculateGradients(Map.of(), FeatureGraph.IMAGE).get(FeatureGraph.IMAGE);

        // Central differences of a loss of size ~1e3 carry ~1e-16 * 1e3 / epsilon of rounding noise, so
        // each entry is compared relative to itself, with a floor of 0.1% of the largest entry.
        double epsilon = 1e-5;
        double floor = 1e-3 * analytic.amaxNumber().doubleValue();
        INDArray variable = sd.getVariable(FeatureGraph.IMAGE).getArr();
        int checked = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 13; y++) {
                for (int x = 0; x < 13; x++) {
                    long[] at = {0, c, y, x};
                    double original = variable.getDouble(at);
                    variable.putScalar(at, original + epsilon);
                    double plus = sd.output(Map.of(), "loss").get("loss").getDouble(0);
                    variable.putScalar(at, original - epsilon);
                    double minus = sd.output(Map.of(), "loss").get("loss").getDouble(0);
                    variable.putScalar(at, original);
                    double numeric = (plus - minus) / (2 * epsilon);
                    double expected = analytic.getDouble(at);
                    double scale = Math.max(floor, Math.max(Math.abs(numeric), Math.abs(expected)));
                    assertEquals(numeric, expected, 1e-5 * scale, pooling + " pixel " + java.util.Arrays.toString(at));
                    checked++;
                }
            }
        }
        assertEquals(3 * 13 * 13, checked);
        assertTrue(analytic.norm2Number().doubleValue() > 0);
    }
}
