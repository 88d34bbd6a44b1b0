package io.github.style4j.samediff.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Ruder et al.'s temporal loss against its formula in plain Java, and its gradient against finite differences. */
class TemporalLossTest {
    private static final int C = 3;
    private static final int H = 5;
    private static final int W = 7;

    private static double[] values(long seed, int n) {
        java.util.Random random = new java.util.Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextDouble();
        }
        return v;
    }

    private static INDArray array(double[] values, long... shape) {
        return Nd4j.create(values, shape, DataType.DOUBLE);
    }

    @Test
    void valueIsTheMaskedMeanSquaredDifferenceAndGradientMatchesFiniteDifferences() {
        double[] x = values(1, C * H * W);
        double[] target = values(2, C * H * W);
        double[] mask = values(3, H * W);
        for (int i = 0; i < mask.length; i += 3) {
            mask[i] = 0; // occluded pixels
        }
        double expected = 0;
        for (int c = 0; c < C; c++) {
            for (int p = 0; p < H * W; p++) {
                double d = x[c * H * W + p] - target[c * H * W + p];
                expected += mask[p] * d * d;
            }
        }
        expected /= C * H * W;
        TemporalLoss loss = TemporalLoss.of("t", array(target, 1, C, H, W), array(mask, 1, 1, H, W));
        INDArray gradient = Nd4j.zeros(DataType.DOUBLE, 1, C, H, W);
        double value = evaluate(loss, array(x, 1, C, H, W), gradient);
        assertEquals(expected, value, 1e-14);
        double h = 1e-6;
        for (int i = 0; i < x.length; i += 4) {
            double[] up = x.clone();
            double[] down = x.clone();
            up[i] += h;
            down[i] -= h;
            double numeric = (evaluate(loss, array(up, 1, C, H, W), Nd4j.zeros(DataType.DOUBLE, 1, C, H, W))
                    - evaluate(loss, array(down, 1, C, H, W), Nd4j.zeros(DataType.DOUBLE, 1, C, H, W))) / (2 * h);
            assertEquals(numeric, gradient.getDouble(i), 1e-8, "gradient at " + i);
        }
    }

    private static double evaluate(TemporalLoss loss, INDArray image, INDArray gradient) {
        Map<String, Double> named = new HashMap<>();
        return loss.arrays().orElseThrow().evaluate(new LossArrays(image, Map.of(), gradient, Map.of()), 1, named);
    }

    @Test
    void mismatchedShapesAreRefused() {
        INDArray target = Nd4j.zeros(DataType.FLOAT, 1, 3, 4, 4);
        assertThrows(IllegalArgumentException.class, () -> TemporalLoss.of("t", target,
                Nd4j.zeros(DataType.FLOAT, 1, 1, 4, 5)));
        assertThrows(IllegalArgumentException.class, () -> TemporalLoss.of("t", Nd4j.zeros(DataType.FLOAT, 3, 4, 4),
                Nd4j.zeros(DataType.FLOAT, 1, 1, 4, 4)));
    }
}
