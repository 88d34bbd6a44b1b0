package io.github.style4j.core.optim;

/** Why an optimisation ended. */
public enum StopReason {
    /** The iteration budget was used up. */
    MAX_ITERATIONS,
    /** The objective-evaluation budget was used up (L-BFGS). */
    MAX_EVALUATIONS,
    /** The gradient's largest entry fell below the tolerance: a stationary point. */
    GRADIENT_TOLERANCE,
    /** The loss or the step changed less than the tolerance: no more progress. */
    CHANGE_TOLERANCE,
    /** The line search found no acceptable step (L-BFGS). */
    LINE_SEARCH_FAILED,
    /** The objective returned NaN or infinity; the result is the last point where it was finite. */
    NON_FINITE,
    /** A stop was requested ({@code optStopWhen}); the result is the point after the last full iteration. */
    STOPPED
}
