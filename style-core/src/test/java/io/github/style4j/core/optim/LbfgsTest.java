package io.github.style4j.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LbfgsTest {
    @ParameterizedTest
    @ValueSource(ints = {2, 10, 50})
    void convergesToTheExactMinimiserOfAConvexQuadratic(int n) {
        // A = Mᵀ M + n I (well-conditioned SPD), b random; the minimiser solves A x = b.
        Random random = new Random(n);
        double[][] m = new double[n][n];
        for (double[] row : m) {
            for (int j = 0; j < n; j++) {
                row[j] = random.nextGaussian();
            }
        }
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    a[i][j] += m[k][i] * m[k][j];
                }
            }
            a[i][i] += n;
        }
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            b[i] = random.nextGaussian();
        }
        double[] solution = solve(a, b);
        OptimizationResult result = Lbfgs.builder().optMaxIterations(3 * n).optGradientTolerance(1e-12)
                .optChangeTolerance(0).build().minimize(TestFunctions.quadratic(a, b), Nd4j.zeros(DataType.DOUBLE, n));
        double[] x = result.parameters().data().asDouble();
        for (int i = 0; i < n; i++) {
            assertEquals(solution[i], x[i], 1e-8, "x[" + i + "] after " + result.iterations() + " iterations ("
                    + result.reason() + ")");
        }
        assertTrue(result.iterations() <= 3 * n);
    }

    /**
     * A history of 2 (what a tiled plan may leave at large sizes) drops a pair every iteration:
     * still the exact minimiser, only later.
     */
    @Test
    void convergesWithAHistoryOfTwo() {
        int n = 40;
        Random random = new Random(3);
        double[][] a = new double[n][n];
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            a[i][i] = 1 + 30.0 * i / n; // condition number 31: many iterations, many dropped pairs
            b[i] = random.nextGaussian();
        }
        for (int i = 0; i + 1 < n; i++) {
            a[i][i + 1] = 0.4;
            a[i + 1][i] = 0.4;
        }
        double[] solution = solve(a, b);
        OptimizationResult result = Lbfgs.builder().optHistory(2).optMaxIterations(2000).optGradientTolerance(1e-12)
                .optChangeTolerance(0).build().minimize(TestFunctions.quadratic(a, b), Nd4j.zeros(DataType.DOUBLE, n));
        assertTrue(result.iterations() > 10, "too easy to drop pairs: " + result.iterations() + " iterations");
        double[] x = result.parameters().data().asDouble();
        for (int i = 0; i < n; i++) {
            // The line search stops where f's rounding hides further progress: x to about sqrt(ulp).
            assertEquals(solution[i], x[i], 1e-6, "x[" + i + "] after " + result.iterations() + " iterations ("
                    + result.reason() + ")");
        }
    }

    /** Gaussian elimination with partial pivoting: the reference, computed another way. */
    private static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = java.util.Arrays.copyOf(a[i], n + 1);
            m[i][n] = b[i];
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
                    pivot = r;
                }
            }
            double[] swap = m[col];
            m[col] = m[pivot];
            m[pivot] = swap;
            for (int r = 0; r < n; r++) {
                if (r != col) {
                    double factor = m[r][col] / m[col][col];
                    for (int c = col; c <= n; c++) {
                        m[r][c] -= factor * m[col][c];
                    }
                }
            }
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = m[i][n] / m[i][i];
        }
        return x;
    }

    /** SciPy's L-BFGS-B on the same problems (scipy_rosenbrock.py beside this test's resources). */
    private static Properties scipy() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = LbfgsTest.class.getResourceAsStream("/optim/scipy_rosenbrock.properties")) {
            properties.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return properties;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 100})
    void reachesTheRosenbrockMinimumWithinABudgetLikeScipys(int n) throws IOException {
        double[] start = new double[n];
        for (int i = 0; i < n; i++) {
            start[i] = i % 2 == 0 ? -1.2 : 1.0; // the classic starting point, repeated
        }
        TestFunctions.Counted counted = new TestFunctions.Counted(TestFunctions.rosenbrock());
        OptimizationResult result = Lbfgs.builder().optHistory(10).optMaxIterations(10_000).optMaxEvaluations(10_000)
                .optGradientTolerance(1e-8).optChangeTolerance(1e-15).build().minimize(counted, TestFunctions.vector(start));
        System.out.printf("Rosenbrock n=%d: %d evaluations, %d iterations, loss %.3g (%s)%n", n, counted.count,
                result.iterations(), result.loss(), result.reason());
        double[] x = result.parameters().data().asDouble();
        for (int i = 0; i < n; i++) {
            assertEquals(1.0, x[i], 1e-5, "x[" + i + "] (" + result.message() + ")");
        }
        assertTrue(result.loss() < 1e-10, "loss " + result.loss());
        // Our budget: at most twice SciPy's evaluations (same history size, 10), measured on the same start.
        int scipyEvaluations = Integer.parseInt(scipy().getProperty("n" + n + ".nfev"));
        assertTrue(counted.count <= 2 * scipyEvaluations, "used " + counted.count + " evaluations; SciPy used "
                + scipyEvaluations);
        assertEquals(counted.count, result.evaluations(), "the optimiser counts its own evaluations");
    }

    @Test
    void everyAcceptedStepSatisfiesTheStrongWolfeConditions() {
        List<Lbfgs.WolfeCheck> checks = new ArrayList<>();
        Lbfgs.builder().optHistory(5).optMaxIterations(200).lineSearchObserver(checks::add).build()
                .minimize(TestFunctions.rosenbrock(), TestFunctions.vector(-1.2, 1, -1.2, 1, 0.5));
        assertTrue(checks.size() > 10);
        for (Lbfgs.WolfeCheck check : checks) {
            assertTrue(check.gtd0() < 0, "search along a descent direction");
            assertTrue(check.f() <= check.f0() + StrongWolfeLineSearch.C1 * check.step() * check.gtd0() + 1e-12,
                    "sufficient decrease: " + check);
            if (check.claimedWolfe()) {
                assertTrue(Math.abs(check.gtd()) <= StrongWolfeLineSearch.C2 * Math.abs(check.gtd0()) + 1e-12,
                        "curvature: " + check);
            }
        }
        long satisfied = checks.stream().filter(Lbfgs.WolfeCheck::claimedWolfe).count();
        // Near the optimum the bracket can shrink below the tolerance before curvature is met; then the
        // best (decreasing) point is taken. That must stay the exception.
        assertTrue(satisfied >= checks.size() - 2, satisfied + " of " + checks.size() + " steps met strong Wolfe");
    }

    @Test
    void aNanReturnsTheLastFiniteIterate() {
        List<INDArray> iterates = new ArrayList<>();
        int[] calls = {0};
        Objective poisoned = p -> {
            calls[0]++;
            Evaluation e = TestFunctions.rosenbrock().evaluate(p);
            return calls[0] >= 12 ? Evaluation.of(Double.NaN, e.gradient()) : e;
        };
        Objective recording = p -> {
            Evaluation e = poisoned.evaluate(p);
            if (e.isFinite()) {
                iterates.add(p.dup());
            }
            return e;
        };
        List<Double> losses = new ArrayList<>();
        OptimizationResult result = Lbfgs.builder().addListener(r -> losses.add(r.loss())).build()
                .minimize(recording, TestFunctions.vector(-1.2, 1));
        assertEquals(StopReason.NON_FINITE, result.reason(), result.message());
        assertTrue(Double.isFinite(result.loss()));
        assertFalse(losses.isEmpty());
        assertEquals(losses.get(losses.size() - 1), result.loss(), 0.0, "the last reported iterate");
        assertEquals(result.loss(), TestFunctions.rosenbrock().evaluate(result.parameters()).loss(), 1e-12,
                "parameters and loss belong together");
        assertTrue(iterates.stream().anyMatch(p -> p.equals(result.parameters())),
                "the result is a point where the objective was finite");
    }

    @Test
    void nanAtTheStartIsReportedNotHidden() {
        OptimizationResult result = Lbfgs.builder().build()
                .minimize(p -> Evaluation.of(Double.NaN, p.dup()), TestFunctions.vector(1, 2));
        assertEquals(StopReason.NON_FINITE, result.reason());
        assertEquals(TestFunctions.vector(1, 2), result.parameters());
    }

    @Test
    void reportsEachStepAndLeavesTheStartUntouched() {
        INDArray start = TestFunctions.vector(-1.2, 1);
        List<StepReport> reports = new ArrayList<>();
        OptimizationResult result = Lbfgs.builder().optMaxIterations(5).addListener(reports::add).build()
                .minimize(TestFunctions.rosenbrock(), start);
        assertEquals(TestFunctions.vector(-1.2, 1), start);
        assertEquals(5, reports.size());
        assertEquals(StopReason.MAX_ITERATIONS, result.reason());
        for (int i = 0; i < reports.size(); i++) {
            assertEquals(i + 1, reports.get(i).iteration());
            assertTrue(reports.get(i).evaluations() >= i + 2);
        }
        assertTrue(reports.get(4).loss() < reports.get(0).loss());
        assertTrue(Lbfgs.builder().build().toString().contains("history=100"));
    }
}
