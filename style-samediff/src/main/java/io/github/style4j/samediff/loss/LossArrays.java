package io.github.style4j.samediff.loss;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What an {@link ArrayLoss} reads and where it adds its gradients: the image and feature
 * maps ({@code [1, C, H, W]} each), and accumulators of the same shapes for their gradients
 * (the caller zeroes them before a loss is evaluated). Gradients are added, never assigned,
 * so that the terms of a sum accumulate.
 */
public record LossArrays(INDArray image, Map<String, INDArray> features, INDArray imageGradient,
                         Map<String, INDArray> featureGradients) {
    /** The feature map of a layer, or an error naming the layers available. */
    public INDArray feature(String layer) {
        INDArray feature = features.get(layer);
        if (feature == null) {
            throw new IllegalArgumentException("no feature map for layer '" + layer + "'; have " + features.keySet());
        }
        return feature;
    }

    /** The accumulator for a layer's gradient. */
    public INDArray featureGradient(String layer) {
        INDArray gradient = featureGradients.get(layer);
        if (gradient == null) {
            throw new IllegalArgumentException("no gradient accumulator for layer '" + layer + "'");
        }
        return gradient;
    }
}
