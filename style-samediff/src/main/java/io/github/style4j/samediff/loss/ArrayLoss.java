package io.github.style4j.samediff.loss;

import java.util.Map;

/**
 * A loss computed directly on arrays: its value, and its gradients added into accumulators,
 * with no graph. {@link PerceptualLoss#arrays()} offers it where a module has one; it must
 * compute what the module's {@link PerceptualLoss#define} computes (the tests compare them),
 * and exists because SameDiff 1.0.0-M2.1 spends more on running a small loss graph (about
 * 0.3 ms per op, and every intermediate array kept) than on its arithmetic.
 */
@FunctionalInterface
public interface ArrayLoss {
    /**
     * @param arrays the inputs and the gradient accumulators
     * @param scale  factor on the gradients this call adds (the weights of enclosing combinators)
     * @param values receives the value of this loss under its name, and of every named loss inside it
     * @return the loss's value
     */
    double evaluate(LossArrays arrays, double scale, Map<String, Double> values);
}
