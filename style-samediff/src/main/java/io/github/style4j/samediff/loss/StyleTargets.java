package io.github.style4j.samediff.loss;

import io.github.style4j.samediff.network.FeatureNetwork;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gram-matrix targets Â_l (position-normalised, {@code [C, C]}) per layer, from one or more
 * style images blended by weight: Â_l = Σ_i b_i Ĝ_l(image_i) / Σ_i b_i, as neural-style's
 * {@code -style_blend_weights}. Each image is used at its own size.
 */
public record StyleTargets(Map<String, INDArray> grams) {
    public StyleTargets {
        grams = Collections.unmodifiableMap(new LinkedHashMap<>(grams));
    }

    /** Targets from style images ({@code [1, 3, H, W]} RGB in [0, 1], any sizes) with blend weights. */
    public static StyleTargets fromImages(FeatureNetwork network, List<INDArray> images, double[] blendWeights,
                                          Collection<String> layers) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("at least one style image is needed");
        }
        if (blendWeights.length != images.size()) {
            throw new IllegalArgumentException(images.size() + " style images but " + blendWeights.length
                    + " blend weights; give one weight per image");
        }
        double total = 0;
        for (double weight : blendWeights) {
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("blend weights must be finite and >= 0, got " + weight);
            }
            total += weight;
        }
        if (total <= 0) {
            throw new IllegalArgumentException("blend weights must not all be zero");
        }
        Map<String, INDArray> grams = new LinkedHashMap<>();
        for (int i = 0; i < images.size(); i++) {
            Map<String, INDArray> features = network.activations(images.get(i), new ArrayList<>(layers));
            for (Map.Entry<String, INDArray> layer : features.entrySet()) {
                INDArray weighted = FeatureStatistics.gram(layer.getValue()).muli(blendWeights[i] / total);
                grams.merge(layer.getKey(), weighted, INDArray::addi);
            }
        }
        return new StyleTargets(grams);
    }

    /** Targets from one style image. */
    public static StyleTargets fromImage(FeatureNetwork network, INDArray image, Collection<String> layers) {
        return fromImages(network, List.of(image), new double[] {1}, layers);
    }
}
