package io.github.style4j.core.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A differentiable function of one parameter array: for style transfer, the total loss of
 * a SameDiff graph as a function of its image variable (via {@code calculateGradients}).
 * Implementations must not keep or modify {@code parameters}.
 */
@FunctionalInterface
public interface Objective {
    /**
     * The loss and its gradient at {@code parameters}; the gradient has the parameters' shape.
     * The gradient must be a new array the caller owns: optimisers free those they no longer
     * need at once ({@code INDArray.close()}), not when the JVM next collects.
     */
    Evaluation evaluate(INDArray parameters);
}
