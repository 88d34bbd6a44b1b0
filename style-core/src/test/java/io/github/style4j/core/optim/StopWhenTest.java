package io.github.style4j.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** optStopWhen: asked after each iteration's listeners; true ends the run there with STOPPED. */
class StopWhenTest {
    @Test
    void lbfgsStopsAfterTheIterationThatAskedForIt() {
        AtomicInteger steps = new AtomicInteger();
        OptimizationResult result = Lbfgs.builder().optMaxIterations(100).optGradientTolerance(0).optChangeTolerance(0)
                .addListener(report -> steps.set(report.iteration())).optStopWhen(() -> steps.get() >= 3).build()
                .minimize(TestFunctions.rosenbrock(), TestFunctions.vector(-1.2, 1));
        assertEquals(StopReason.STOPPED, result.reason());
        assertEquals(3, result.iterations());
        assertEquals(3, steps.get());
    }

    @Test
    void adamStopsAfterTheIterationThatAskedForIt() {
        AtomicInteger steps = new AtomicInteger();
        OptimizationResult result = Adam.builder().optMaxIterations(100).optLearningRate(0.01)
                .addListener(report -> steps.set(report.iteration())).optStopWhen(() -> steps.get() >= 5).build()
                .minimize(TestFunctions.rosenbrock(), TestFunctions.vector(-1.2, 1));
        assertEquals(StopReason.STOPPED, result.reason());
        assertEquals(5, result.iterations());
    }

    @Test
    void aStopAtTheLastIterationIsAnOrdinaryEnd() {
        OptimizationResult result = Adam.builder().optMaxIterations(4).optStopWhen(() -> true).build()
                .minimize(TestFunctions.rosenbrock(), TestFunctions.vector(-1.2, 1));
        assertEquals(StopReason.STOPPED, result.reason(), "stopped after the first of four");
        assertEquals(1, result.iterations());
        OptimizationResult whole = Adam.builder().optMaxIterations(1).optStopWhen(() -> true).build()
                .minimize(TestFunctions.rosenbrock(), TestFunctions.vector(-1.2, 1));
        assertEquals(StopReason.MAX_ITERATIONS, whole.reason(), "nothing was left to stop");
    }
}
