package io.github.style4j.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SubspaceStep's compact-form step against the dense BFGS matrix built pair by pair with the
 * textbook update B ← B − B s sᵀ B / sᵀB s + y yᵀ / yᵀs from B₀ = θI, whose free block is
 * inverted by a plain solve: the same matrix reached without the compact representation or
 * Sherman–Morrison–Woodbury. The history and held set change between steps, as in a run, so the
 * incremental sums (pairs dropped and reused slots, variables entering and leaving) are checked too.
 */
class SubspaceStepTest {
    private static final int N = 12;

    @Test
    void matchesTheDenseBfgsMatrixAsPairsAndHeldVariablesChange() {
        Random random = new Random(7);
        double[][] a = new double[N][N]; // a fixed SPD matrix: y = A s gives positive curvature
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                a[i][j] = Math.pow(0.4, Math.abs(i - j)) + (i == j ? 1 + 0.3 * i : 0);
            }
        }
        int history = 3;
        SubspaceStep step = new SubspaceStep(history);
        Deque<INDArray[]> pairs = new ArrayDeque<>();
        for (int round = 0; round < 8; round++) {
            if (round > 0) {
                double[] s = new double[N];
                for (int i = 0; i < N; i++) {
                    s[i] = random.nextGaussian();
                }
                double[] y = multiply(a, s);
                if (pairs.size() == history) {
                    pairs.removeFirst();
                }
                pairs.addLast(new INDArray[] {vector(s), vector(y)});
            }
            if (round == 5) {
                step.resetHeldSums(); // as at a checkpoint: must not change the answer
            }
            boolean[] held = new boolean[N];
            for (int i = 0; i < N; i++) {
                held[i] = random.nextInt(3) == 0; // about a third held, a different set each round
            }
            double[] g = new double[N];
            for (int i = 0; i < N; i++) {
                g[i] = held[i] ? 0 : random.nextGaussian();
            }
            double theta = 0.5 + round;
            double[] expected = denseStep(pairs, theta, held, g);
            double[] actual = step.direction(vector(g), held, pairs, 1 / theta).data().asDouble();
            for (int i = 0; i < N; i++) {
                assertEquals(expected[i], actual[i], 1e-10 * (1 + Math.abs(expected[i])),
                        "round " + round + ", entry " + i + (held[i] ? " (held)" : ""));
            }
        }
    }

    /** −(B_FF)⁻¹ g_F from the dense BFGS matrix; zero on held variables. */
    private static double[] denseStep(Deque<INDArray[]> pairs, double theta, boolean[] held, double[] g) {
        double[][] b = new double[N][N];
        for (int i = 0; i < N; i++) {
            b[i][i] = theta;
        }
        for (INDArray[] pair : pairs) {
            double[] s = pair[0].data().asDouble();
            double[] y = pair[1].data().asDouble();
            double[] bs = multiply(b, s);
            double sbs = dot(s, bs);
            double ys = dot(y, s);
            for (int i = 0; i < N; i++) {
                for (int j = 0; j < N; j++) {
                    b[i][j] += -bs[i] * bs[j] / sbs + y[i] * y[j] / ys;
                }
            }
        }
        int[] free = java.util.stream.IntStream.range(0, N).filter(i -> !held[i]).toArray();
        double[][] bff = new double[free.length][free.length];
        double[] gf = new double[free.length];
        for (int i = 0; i < free.length; i++) {
            for (int j = 0; j < free.length; j++) {
                bff[i][j] = b[free[i]][free[j]];
            }
            gf[i] = -g[free[i]];
        }
        double[] d = choleskySolve(bff, gf);
        double[] full = new double[N];
        for (int i = 0; i < free.length; i++) {
            full[free[i]] = d[i];
        }
        return full;
    }

    /** Solves m x = r for symmetric positive definite m (B_FF is): L Lᵀ x = r. */
    private static double[] choleskySolve(double[][] m, double[] r) {
        int n = r.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = m[i][j];
                for (int k = 0; k < j; k++) {
                    sum -= l[i][k] * l[j][k];
                }
                l[i][j] = i == j ? Math.sqrt(sum) : sum / l[j][j];
            }
        }
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            double sum = r[i];
            for (int k = 0; k < i; k++) {
                sum -= l[i][k] * z[k];
            }
            z[i] = sum / l[i][i];
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double sum = z[i];
            for (int k = i + 1; k < n; k++) {
                sum -= l[k][i] * x[k];
            }
            x[i] = sum / l[i][i];
        }
        return x;
    }

    private static double[] multiply(double[][] m, double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = dot(m[i], v);
        }
        return out;
    }

    private static double dot(double[] u, double[] v) {
        double sum = 0;
        for (int i = 0; i < u.length; i++) {
            sum += u[i] * v[i];
        }
        return sum;
    }

    private static INDArray vector(double[] values) {
        return Nd4j.create(values, new long[] {values.length}, DataType.DOUBLE);
    }
}
