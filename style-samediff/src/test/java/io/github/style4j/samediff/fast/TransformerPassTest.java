package io.github.style4j.samediff.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The eager pass against the network's SameDiff definition (itself checked against plain-Java
 * loops and finite differences in {@link TransformerNetworkTest}), with scales and shifts away
 * from 1 and 0 so that every variable matters.
 */
class TransformerPassTest {
    private static Map<String, INDArray> values(TransformerNetwork network, long seed) {
        Map<String, INDArray> values = new LinkedHashMap<>(network.initialVariables(seed, DataType.FLOAT));
        java.util.Random random = new java.util.Random(seed + 1);
        values.replaceAll((name, value) -> {
            if (name.endsWith("/gamma") || name.endsWith("/beta") || name.endsWith("/b")) {
                INDArray varied = value.dup();
                for (long i = 0; i < varied.length(); i++) {
                    varied.putScalar(i, (name.endsWith("/gamma") ? 1 : 0) + 0.3 * random.nextGaussian());
                }
                return varied;
            }
            return value;
        });
        return values;
    }

    private static INDArray photo(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, shape);
    }

    @Test
    void equalsTheGraphOnABatchWithItsOwnStatistics() {
        TransformerNetwork network = TransformerNetwork.of(6, 2);
        Map<String, INDArray> values = values(network, 3);
        INDArray input = photo(5, 2, 3, 28, 36);
        SameDiff sd = SameDiff.create();
        SDVariable out = network.define(sd, sd.placeHolder("in", DataType.FLOAT, -1, 3, -1, -1), values);
        INDArray expected = sd.output(Map.of("in", input), out.name()).get(out.name());
        Map<String, INDArray> statistics = new HashMap<>();
        INDArray actual = new TransformerPass(network, values).forward(input, null, statistics);
        assertArrayEquals(expected.shape(), actual.shape());
        double error = actual.sub(expected).amaxNumber().doubleValue();
        assertTrue(error < 2e-5, "largest difference " + error);
        // each normalisation's statistics, as the graph names them (the first sample's)
        for (TransformerNetwork.Convolution conv : network.convolutions()) {
            if (!conv.normalized()) {
                continue;
            }
            String mean = TransformerNetwork.meanName(conv.name());
            INDArray single = sd.output(Map.of("in", input.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1))),
                    mean).get(mean);
            assertEquals(0, statistics.get(mean).sub(single.reshape(statistics.get(mean).shape())).amaxNumber()
                    .doubleValue(), 1e-4, mean);
        }
    }

    @Test
    void equalsTheGraphWithFixedStatistics() {
        TransformerNetwork network = TransformerNetwork.of(4, 1);
        Map<String, INDArray> values = values(network, 7);
        TransformerPass pass = new TransformerPass(network, values);
        Map<String, INDArray> statistics = new HashMap<>();
        pass.forward(photo(8, 1, 3, 40, 40), null, statistics);
        INDArray tile = photo(9, 1, 3, 24, 32);
        SameDiff sd = SameDiff.create();
        SDVariable out = network.define(sd, sd.placeHolder("in", DataType.FLOAT, -1, 3, -1, -1), values, true);
        Map<String, INDArray> feed = new HashMap<>(statistics);
        feed.put("in", tile);
        INDArray expected = sd.output(feed, out.name()).get(out.name());
        INDArray actual = pass.forward(tile, statistics, null);
        double error = actual.sub(expected).amaxNumber().doubleValue();
        assertTrue(error < 2e-5, "largest difference " + error);
    }
}
