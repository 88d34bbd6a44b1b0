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

    /** @param onePassUpTo instance normalisation's statistics by libnd4j's moments (large) or column sums (1) */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {1, Long.MAX_VALUE})
    void equalsTheGraphOnABatchWithItsOwnStatistics(long onePassUpTo) {
        TransformerNetwork network = TransformerNetwork.of(6, 2);
        Map<String, INDArray> values = values(network, 3);
        INDArray input = photo(5, 2, 3, 28, 36);
        SameDiff sd = SameDiff.create();
        SDVariable out = network.define(sd, sd.placeHolder("in", DataType.FLOAT, -1, 3, -1, -1), values);
        INDArray expected = sd.output(Map.of("in", input), out.name()).get(out.name());
        Map<String, INDArray> statistics = new HashMap<>();
        INDArray actual = new TransformerPass(network, values).onePassNormalisationUpTo(onePassUpTo)
                .forward(input, null, statistics);
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

    /**
     * Both ways of each size-dependent step: convolutions' backward a sample at a time (from 1
     * position: every layer) or on the batch, and instance normalisation by libnd4j's moments
     * and batchnorm_bp or by column sums (up to 1 element: never).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"1, 9223372036854775807", "9223372036854775807, 1"})
    void gradientsEqualTheGraphsForEveryVariable(long perSampleFrom, long onePassUpTo) {
        TransformerNetwork network = TransformerNetwork.of(4, 2);
        Map<String, INDArray> values = values(network, 11);
        INDArray input = photo(12, 2, 3, 20, 24);
        INDArray weights = photo(13, 2, 3, 20, 24).subi(0.5); // d loss / d output
        SameDiff sd = SameDiff.create();
        SDVariable out = network.define(sd, sd.placeHolder("in", DataType.FLOAT, -1, 3, -1, -1), values);
        sd.sum(out.mul(sd.constant("w", weights))).markAsLoss();
        java.util.List<String> names = network.variableShapes().keySet().stream()
                .map(TransformerNetwork::variableName).toList();
        Map<String, INDArray> expected = sd.calculateGradients(Map.of("in", input), names);
        TransformerPass pass = new TransformerPass(network, values).perSampleBackwardFrom(perSampleFrom)
                .onePassNormalisationUpTo(onePassUpTo);
        try (TransformerPass.Trace trace = pass.forwardTraced(input)) {
            assertTrue(trace.result().sub(sd.output(Map.of("in", input), out.name()).get(out.name())).amaxNumber()
                    .doubleValue() < 2e-5, "the traced forward pass");
            Map<String, INDArray> actual = pass.backward(trace, weights);
            assertEquals(network.variableShapes().keySet(), actual.keySet());
            for (String name : network.variableShapes().keySet()) {
                INDArray want = expected.get(TransformerNetwork.variableName(name));
                INDArray got = actual.get(name);
                assertArrayEquals(want.shape(), got.shape(), name);
                double scale = Math.max(1e-3, want.amaxNumber().doubleValue());
                double error = got.sub(want).amaxNumber().doubleValue() / scale;
                assertTrue(error < 1e-3, name + ": relative error " + error);
            }
        }
    }

    @Test
    void reflectionPaddingAndUpsamplingMatchPlainLoops() {
        INDArray x = photo(21, 2, 5, 6, 3); // NHWC
        INDArray padded = TransformerPass.pad(x, 2);
        INDArray up = TransformerPass.upsample(x);
        for (int n = 0; n < 2; n++) {
            for (int r = 0; r < 9; r++) {
                for (int col = 0; col < 10; col++) {
                    int sr = reflect(r - 2, 5);
                    int sc = reflect(col - 2, 6);
                    for (int c = 0; c < 3; c++) {
                        assertEquals(x.getFloat(n, sr, sc, c), padded.getFloat(n, r, col, c), 0f);
                    }
                }
            }
            for (int r = 0; r < 10; r++) {
                for (int col = 0; col < 12; col++) {
                    for (int c = 0; c < 3; c++) {
                        assertEquals(x.getFloat(n, r / 2, col / 2, c), up.getFloat(n, r, col, c), 0f);
                    }
                }
            }
        }
    }

    /** Index i of a row of n mirrored at both ends without repeating the edge (numpy's 'reflect'). */
    private static int reflect(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
    }
}
