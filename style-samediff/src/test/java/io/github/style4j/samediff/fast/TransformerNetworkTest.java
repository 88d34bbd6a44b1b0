package io.github.style4j.samediff.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.samediff.QuietGradients;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Each building block against plain-Java loops, and the whole network against finite differences. */
class TransformerNetworkTest {
    private static INDArray random(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, shape).subi(0.5);
    }

    private static Map<String, INDArray> gradients(SameDiff sd, String... names) {
        QuietGradients.createGradFunction(sd);
        return sd.calculateGradients(Map.of(), names);
    }

    /** The blocks work on NHWC, as the network does inside; the tests index NCHW. */
    private static SDVariable nhwc(SDVariable x) {
        return x.permute(0, 2, 3, 1);
    }

    private static SDVariable nchw(SDVariable x) {
        return x.permute(0, 3, 1, 2);
    }

    /** The source index a reflection-padded position reads (numpy's and PyTorch's "reflect"). */
    private static int reflect(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
    }

    @Test
    void reflectionPaddingAndItsGradientMatchLoops() {
        int p = 3;
        INDArray x0 = random(1, 2, 2, 5, 7);
        INDArray upstream = random(2, 2, 2, 5 + 2 * p, 7 + 2 * p);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", x0);
        SDVariable padded = nchw(TransformerNetwork.reflectionPad(sd, nhwc(x), p));
        padded.mul(sd.constant("w", upstream)).sum().markAsLoss();
        INDArray value = padded.eval();
        INDArray expectedGradient = Nd4j.zeros(DataType.DOUBLE, 2, 2, 5, 7);
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 5 + 2 * p; y++) {
                    for (int xx = 0; xx < 7 + 2 * p; xx++) {
                        int sy = reflect(y - p, 5);
                        int sx = reflect(xx - p, 7);
                        assertEquals(x0.getDouble(n, c, sy, sx), value.getDouble(n, c, y, xx), 0, "value at " + y + "," + xx);
                        expectedGradient.putScalar(new long[] {n, c, sy, sx},
                                expectedGradient.getDouble(n, c, sy, sx) + upstream.getDouble(n, c, y, xx));
                    }
                }
            }
        }
        INDArray gradient = gradients(sd, "x").get("x");
        assertTrue(expectedGradient.equalsWithEps(gradient, 1e-12), "gradient " + gradient + " expected " + expectedGradient);
    }

    @Test
    void upsamplingAndItsGradientMatchLoops() {
        INDArray x0 = random(3, 1, 2, 3, 4);
        INDArray upstream = random(4, 1, 2, 6, 8);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", x0);
        SDVariable up = nchw(TransformerNetwork.upsample(sd, nhwc(x)));
        up.mul(sd.constant("w", upstream)).sum().markAsLoss();
        INDArray value = up.eval();
        INDArray expectedGradient = Nd4j.zeros(DataType.DOUBLE, 1, 2, 3, 4);
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 6; y++) {
                for (int xx = 0; xx < 8; xx++) {
                    assertEquals(x0.getDouble(0, c, y / 2, xx / 2), value.getDouble(0, c, y, xx), 0);
                    expectedGradient.putScalar(new long[] {0, c, y / 2, xx / 2},
                            expectedGradient.getDouble(0, c, y / 2, xx / 2) + upstream.getDouble(0, c, y, xx));
                }
            }
        }
        INDArray gradient = gradients(sd, "x").get("x");
        assertTrue(expectedGradient.equalsWithEps(gradient, 1e-12), "gradient " + gradient);
    }

    @Test
    void instanceNormalisationMatchesAHandComputation() {
        INDArray x0 = random(5, 2, 3, 4, 5).muli(7).addi(2);
        double[] gamma = {0.5, 2, -1};
        double[] beta = {0.1, -0.3, 4};
        SameDiff sd = SameDiff.create();
        INDArray y = nchw(TransformerNetwork.instanceNorm(sd, nhwc(sd.constant("x", x0)),
                sd.constant("g", Nd4j.createFromArray(gamma)), sd.constant("b", Nd4j.createFromArray(beta)))).eval();
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                double sumSquares = 0;
                for (int i = 0; i < 20; i++) {
                    double v = x0.getDouble(n, c, i / 5, i % 5);
                    sum += v;
                    sumSquares += v * v;
                }
                double mean = sum / 20;
                double variance = sumSquares / 20 - mean * mean; // biased, as instance norm uses
                for (int i = 0; i < 20; i++) {
                    double expected = gamma[c] * (x0.getDouble(n, c, i / 5, i % 5) - mean) / Math.sqrt(variance + 1e-5) + beta[c];
                    assertEquals(expected, y.getDouble(n, c, i / 5, i % 5), 1e-10);
                }
            }
        }
    }

    @Test
    void everyVariableGetsTheFiniteDifferenceGradient() {
        TransformerNetwork network = TransformerNetwork.of(2, 1);
        Map<String, INDArray> values = network.initialVariables(7, DataType.DOUBLE);
        // Non-trivial scales and shifts, so their gradients are not special cases.
        values.replaceAll((name, v) -> name.endsWith("/W") ? v : v.add(random(name.hashCode(), v.shape()).muli(0.5)));
        INDArray photo = random(8, 2, 3, 8, 12).addi(0.5);
        INDArray upstream = random(9, 2, 3, 8, 12);
        SameDiff sd = SameDiff.create();
        SDVariable output = network.define(sd, sd.constant("photo", photo), values);
        assertArrayEquals(new long[] {2, 3, 8, 12}, output.eval().shape());
        output.mul(sd.constant("w", upstream)).sum("loss").markAsLoss();
        String[] names = network.variableShapes().keySet().stream().map(TransformerNetwork::variableName)
                .toArray(String[]::new);
        Map<String, INDArray> gradients = gradients(sd, names);
        double h = 1e-6;
        for (String name : names) {
            INDArray variable = sd.getVariable(name).getArr();
            INDArray gradient = gradients.get(name);
            assertTrue(gradient.norm2Number().doubleValue() > 0, name + " receives no gradient");
            for (long i = 0; i < variable.length(); i += Math.max(1, variable.length() / 5)) {
                double original = variable.getDouble(i);
                variable.putScalar(i, original + h);
                double plus = sd.output(Map.of(), "loss").get("loss").getDouble(0);
                variable.putScalar(i, original - h);
                double minus = sd.output(Map.of(), "loss").get("loss").getDouble(0);
                variable.putScalar(i, original);
                double numeric = (plus - minus) / (2 * h);
                assertEquals(numeric, gradient.getDouble(i), 1e-6 * Math.max(1, Math.abs(numeric)),
                        name + "[" + i + "]");
            }
        }
    }

    @Test
    void sizesAndCounts() {
        TransformerNetwork full = TransformerNetwork.full();
        // Johnson et al.'s network without the biases instance normalisation cancels.
        assertEquals(3 * 32 * 81 + 32 * 64 * 9 + 64 * 128 * 9 + 10 * 128 * 128 * 9 + 128 * 64 * 9 + 64 * 32 * 9
                + 32 * 3 * 81 + 3 + 2 * (32 + 64 + 128 + 10 * 128 + 64 + 32), full.parameterCount());
        // Output resolution of each convolution: conv1, up2, out at 256; conv2, up1 at 128; the rest at 64.
        double expected = 256.0 * 256 * (81 * 3 * 32 + 9 * 64 * 32 + 81 * 32 * 3) + 128.0 * 128 * (9 * 32 * 64 + 9 * 128 * 64)
                + 64.0 * 64 * (9 * 64 * 128 + 10 * 9 * 128 * 128);
        assertEquals(expected, full.multiplyAdds(256, 256), 1);
        assertEquals("TransformerNetwork[width=16, residualBlocks=5, parameters=" + TransformerNetwork.half().parameterCount()
                + "]", TransformerNetwork.half().toString());
    }
}
