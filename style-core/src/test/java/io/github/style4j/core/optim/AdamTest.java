package io.github.style4j.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class AdamTest {
    private static final double[][] A = {{3, 0.5, 0}, {0.5, 2, 0.25}, {0, 0.25, 1}};
    private static final double[] B = {1, -2, 0.5};

    @Test
    void firstIteratesEqualAHandWrittenAdamRecurrence() {
        double lr = 0.05;
        double beta1 = 0.8;
        double beta2 = 0.95;
        double epsilon = 1e-8;
        int steps = 25;
        List<double[]> iterates = new ArrayList<>();
        Objective objective = TestFunctions.quadratic(A, B);
        Objective recording = p -> {
            iterates.add(p.dup().data().asDouble());
            return objective.evaluate(p);
        };
        Adam.builder().optLearningRate(lr).optBetas(beta1, beta2).optEpsilon(epsilon).optMaxIterations(steps).build()
                .minimize(recording, TestFunctions.vector(0.3, -0.2, 0.9));

        // The recurrence, as ND4J documents its Adam: bias corrections folded into the step size.
        double[] x = {0.3, -0.2, 0.9};
        double[] m = new double[3];
        double[] v = new double[3];
        for (int t = 1; t <= steps; t++) {
            double[] g = TestFunctions.quadratic(A, B).evaluate(TestFunctions.vector(x)).gradient().toDoubleVector();
            double alpha = lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
            for (int i = 0; i < 3; i++) {
                m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                x[i] -= alpha * m[i] / (Math.sqrt(v[i]) + epsilon);
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(x[i], iterates.get(t)[i], 1e-10, "step " + t + ", x[" + i + "]");
            }
        }
    }

    @Test
    void minimisesAQuadraticAndReports() {
        List<StepReport> reports = new ArrayList<>();
        OptimizationResult result = Adam.builder().optLearningRate(0.1).optMaxIterations(500)
                .addListener(reports::add).build()
                .minimize(TestFunctions.quadratic(A, B), TestFunctions.vector(0, 0, 0));
        assertEquals(500, reports.size());
        assertEquals(StopReason.MAX_ITERATIONS, result.reason());
        assertTrue(reports.get(499).gradientNorm() < 1e-3, "gradient " + reports.get(499).gradientNorm());
    }

    @Test
    void clampingKeepsParametersInRange() {
        // The unconstrained minimiser has x[1] < 0; clamped to [0, 1] it must stay at or above 0.
        OptimizationResult result = Adam.builder().optLearningRate(0.1).optMaxIterations(300).optClamp(0, 1).build()
                .minimize(TestFunctions.quadratic(A, B), TestFunctions.vector(0.5, 0.5, 0.5));
        for (double value : result.parameters().toDoubleVector()) {
            assertTrue(value >= 0 && value <= 1, "value " + value);
        }
    }

    @Test
    void aNanReturnsTheLastFiniteIterate() {
        List<INDArray> seen = new ArrayList<>();
        Objective objective = TestFunctions.quadratic(A, B);
        Objective poisoned = p -> {
            seen.add(p.dup());
            return seen.size() == 8 ? Evaluation.of(Double.NaN, p.dup()) : objective.evaluate(p);
        };
        OptimizationResult result = Adam.builder().optLearningRate(0.1).optMaxIterations(50).build()
                .minimize(poisoned, TestFunctions.vector(0, 0, 0));
        assertEquals(StopReason.NON_FINITE, result.reason());
        assertEquals(seen.get(6), result.parameters(), "the 7th evaluated point, the last finite one");
        assertEquals(objective.evaluate(seen.get(6)).loss(), result.loss(), 1e-12);
        assertEquals(6, result.iterations());
    }
}
