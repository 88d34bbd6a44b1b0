package io.github.style4j.samediff.loss;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * neural-style's {@code -normalize_gradients}: each layer's loss gradient, before its weight,
 * divided by its L1 norm (plus 1e-8), as neural-style's {@code ContentLoss} and
 * {@code StyleLoss} modules do in {@code updateGradInput}. The loss's value is unchanged, so
 * the gradient is no longer the value's gradient: meant for Adam; an L-BFGS line search may
 * stop early. Array path only: a SameDiff graph differentiates the value it defines.
 */
final class NormalizedGradients {
    private NormalizedGradients() {
    }

    /** {@code accumulator += coefficient · g / (|g|₁ + 1e-8)}. */
    static void add(INDArray layerGradient, double coefficient, INDArray accumulator) {
        double norm = layerGradient.norm1Number().doubleValue() + 1e-8;
        Nd4j.getBlasWrapper().axpy(coefficient / norm, layerGradient.reshape(layerGradient.length()),
                accumulator.reshape(accumulator.length()));
    }

    static UnsupportedOperationException graphRefused(String loss) {
        return new UnsupportedOperationException(loss + " normalises its gradients, which only its array form does "
                + "(FeaturePassObjective, batch 1); a SameDiff graph would differentiate the plain loss. Build it "
                + "without optNormalizeGradients to use it in a graph");
    }
}
