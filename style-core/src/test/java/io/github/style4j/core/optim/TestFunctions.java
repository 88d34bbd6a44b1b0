package io.github.style4j.core.optim;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Classic test objectives, written in plain Java loops (independent of ND4J's arithmetic). */
final class TestFunctions {
    private TestFunctions() {
    }

    /** Counts evaluations, so budgets can be compared with SciPy's. */
    static final class Counted implements Objective {
        private final Objective inner;
        int count;

        Counted(Objective inner) {
            this.inner = inner;
        }

        @Override
        public Evaluation evaluate(INDArray parameters) {
            count++;
            return inner.evaluate(parameters);
        }
    }

    /**
     * The chained Rosenbrock function sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, minimum 0 at
     * (1, ..., 1); SciPy's {@code scipy.optimize.rosen}.
     */
    static Objective rosenbrock() {
        return p -> {
            double[] x = p.dup().data().asDouble();
            int n = x.length;
            double f = 0;
            double[] g = new double[n];
            for (int i = 0; i < n - 1; i++) {
                double a = x[i + 1] - x[i] * x[i];
                double b = 1 - x[i];
                f += 100 * a * a + b * b;
                g[i] += -400 * x[i] * a - 2 * b;
                g[i + 1] += 200 * a;
            }
            return Evaluation.of(f, Nd4j.create(g, p.shape(), 'c').castTo(p.dataType()));
        };
    }

    /** f(x) = ½ xᵀ A x − bᵀ x with A symmetric positive definite: minimiser A⁻¹ b. */
    static Objective quadratic(double[][] a, double[] b) {
        return p -> {
            double[] x = p.dup().data().asDouble();
            int n = x.length;
            double f = 0;
            double[] g = new double[n];
            for (int i = 0; i < n; i++) {
                double ax = 0;
                for (int j = 0; j < n; j++) {
                    ax += a[i][j] * x[j];
                }
                f += 0.5 * x[i] * ax - b[i] * x[i];
                g[i] = ax - b[i];
            }
            return Evaluation.of(f, Nd4j.create(g, p.shape(), 'c').castTo(p.dataType()));
        };
    }

    static INDArray vector(double... values) {
        return Nd4j.createFromArray(values).castTo(DataType.DOUBLE);
    }
}
