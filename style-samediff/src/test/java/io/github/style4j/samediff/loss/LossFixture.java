package io.github.style4j.samediff.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.style4j.samediff.QuietGradients;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A loss defined on a variable {@code x} ({@code [1, C, H, W]}, double precision) whose
 * "feature maps" are {@code a = x} and {@code b = x²} (a second layer with other values),
 * so the losses are tested without any network; plus plain-Java reference arithmetic and a
 * finite-difference gradient check.
 */
final class LossFixture {
    final SameDiff sd = SameDiff.create();
    final SDVariable x;
    final SDVariable loss;

    LossFixture(INDArray initial, PerceptualLoss module) {
        x = sd.var("x", initial.castTo(DataType.DOUBLE).dup());
        Map<String, SDVariable> features = new LinkedHashMap<>();
        features.put("a", x);
        features.put("b", sd.math().square(x));
        loss = module.define(sd, new LossInputs(x, features));
        loss.markAsLoss();
    }

    double value() {
        return sd.output(Map.of(), loss.name()).get(loss.name()).getDouble(0);
    }

    INDArray gradient() {
        QuietGradients.createGradFunction(sd);
        return sd.calculateGradients(Map.of(), "x").get("x");
    }

    /** Central differences at every entry of x against SameDiff's gradient. */
    void assertGradientMatchesFiniteDifferences() {
        INDArray analytic = gradient();
        INDArray values = sd.getVariable("x").getArr();
        double epsilon = 1e-6;
        for (long i = 0; i < values.length(); i++) {
            double original = values.getDouble(i);
            values.putScalar(i, original + epsilon);
            double plus = value();
            values.putScalar(i, original - epsilon);
            double minus = value();
            values.putScalar(i, original);
            double numeric = (plus - minus) / (2 * epsilon);
            double scale = Math.max(1e-4, Math.max(Math.abs(numeric), Math.abs(analytic.getDouble(i))));
            assertEquals(numeric, analytic.getDouble(i), 1e-5 * scale, loss.name() + " gradient at entry " + i);
        }
    }

    static INDArray random(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, shape).subi(0.3);
    }

    /** [C][M] view of a [1, C, H, W] array as plain doubles. */
    static double[][] channels(INDArray features) {
        int c = (int) features.size(1);
        int m = (int) (features.size(2) * features.size(3));
        double[] flat = features.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[][] out = new double[c][m];
        for (int i = 0; i < c; i++) {
            System.arraycopy(flat, i * m, out[i], 0, m);
        }
        return out;
    }

    /** Ĝ = F Fᵀ / M with plain loops. */
    static double[][] gram(INDArray features) {
        double[][] f = channels(features);
        int c = f.length;
        int m = f[0].length;
        double[][] g = new double[c][c];
        for (int i = 0; i < c; i++) {
            for (int j = 0; j < c; j++) {
                for (int p = 0; p < m; p++) {
                    g[i][j] += f[i][p] * f[j][p];
                }
                g[i][j] /= m;
            }
        }
        return g;
    }

    static double meanSquaredDifference(double[][] a, double[][] b) {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                sum += (a[i][j] - b[i][j]) * (a[i][j] - b[i][j]);
                count++;
            }
        }
        return sum / count;
    }

    static INDArray toArray(double[][] m) {
        return Nd4j.createFromArray(m);
    }
}
