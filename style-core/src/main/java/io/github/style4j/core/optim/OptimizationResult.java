package io.github.style4j.core.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of a minimisation.
 *
 * @param parameters  the best point reached where the objective was finite (a new array)
 * @param loss        the loss there
 * @param iterations  iterations completed
 * @param evaluations objective evaluations made
 * @param reason      why it stopped
 * @param message     the reason in words, for the user
 */
public record OptimizationResult(INDArray parameters, double loss, int iterations, int evaluations,
                                 StopReason reason, String message) {
}
