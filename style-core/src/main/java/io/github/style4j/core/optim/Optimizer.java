package io.github.style4j.core.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Minimises an {@link Objective} from a starting point. Implementations keep every vector
 * an {@link INDArray} on the backend's device; only scalars (loss, norms, dot products)
 * come back to the JVM. The starting array is not modified. Instances are immutable and
 * may be reused; one {@code minimize} call must not be shared between threads.
 */
public interface Optimizer {
    OptimizationResult minimize(Objective objective, INDArray initial);

    /**
     * Continues from a checkpointed state of this kind of optimiser, exactly as if it had not
     * stopped: the iteration count, evaluation budget and history carry on.
     *
     * @throws IllegalArgumentException for a state of another optimiser
     */
    OptimizationResult resume(Objective objective, OptimizerState state);
}
