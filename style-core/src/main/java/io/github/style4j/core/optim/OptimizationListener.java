package io.github.style4j.core.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Hears each optimiser step; the command line draws its progress bar from these. */
@FunctionalInterface
public interface OptimizationListener {
    void onStep(StepReport report);

    /**
     * The step and the parameters after it (the optimiser's own array: read it, copy it if it
     * must be kept, never modify it). By default only the report is passed on.
     */
    default void onStep(StepReport report, INDArray parameters) {
        onStep(report);
    }
}
