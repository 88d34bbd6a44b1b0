package io.github.style4j.core.optim;

/** Hears each optimiser step; the command line draws its progress bar from these. */
@FunctionalInterface
public interface OptimizationListener {
    void onStep(StepReport report);
}
