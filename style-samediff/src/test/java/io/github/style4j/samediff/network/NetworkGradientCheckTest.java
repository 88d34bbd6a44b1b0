package io.github.style4j.samediff.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.samediff.QuietGradients;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SameDiff's gradient of a loss on the taps with respect to the RGB image, against central
 * finite differences, in double precision: through the in-graph preprocessing, convolutions,
 * ReLU, pooling (both kinds, ceil-mode padding included) and fire concatenation.
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
        INDArray image = Nd4j.rand(DataType.DOUBLE, 1, 3, 22, 22);
        FeatureGraph graph = network.graph(image, List.of("relu1", "fire3"));
        SameDiff sd = graph.sameDiff();
        sd.sum(sd.math().square(graph.taps().get("fire3")))
                .add("loss", sd.sum(graph.taps().get("relu1"))).markAsLoss();
        QuietGradients.createGradFunction(sd);
        INDArray analytic = sd.calculateGradients(Map.of(), FeatureGraph.IMAGE).get(FeatureGraph.IMAGE);

        Random random = new Random(23);
        double epsilon = 1e-6;
        int checked = 0;
        for (int trial = 0; trial < 12; trial++) {
            long[] at = {0, random.nextInt(3), random.nextInt(22), random.nextInt(22)};
            INDArray variable = sd.getVariable(FeatureGraph.IMAGE).getArr();
            double original = variable.getDouble(at);
            variable.putScalar(at, original + epsilon);
            double plus = sd.output(Map.of(), "loss").get("loss").getDouble(0);
            variable.putScalar(at, original - epsilon);
            double minus = sd.output(Map.of(), "loss").get("loss").getDouble(0);
            variable.putScalar(at, original);
            double numeric = (plus - minus) / (2 * epsilon);
            double expected = analytic.getDouble(at);
            double scale = Math.max(1e-3, Math.max(Math.abs(numeric), Math.abs(expected)));
            assertEquals(numeric, expected, 1e-4 * scale, pooling + " pixel " + java.util.Arrays.toString(at));
            checked++;
        }
        assertEquals(12, checked);
        assertTrue(analytic.norm2Number().doubleValue() > 0);
    }
}
