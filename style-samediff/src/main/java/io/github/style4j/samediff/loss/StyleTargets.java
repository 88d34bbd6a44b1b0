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
        checkBlend(images.size(), blendWeights);
        List<Map<String, INDArray>> grams = new ArrayList<>();
        for (INDArray image : images) {
            Map<String, INDArray> features = network.activations(image, new ArrayList<>(layers));
            Map<String, INDArray> imageGrams = new LinkedHashMap<>();
            features.forEach((layer, map) -> imageGrams.put(layer, FeatureStatistics.gram(map)));
            grams.add(imageGrams);
        }
        return blend(grams, blendWeights);
    }

    /**
     * Targets from each style image's Gram matrices ({@code [C, C]} by layer, e.g. accumulated
     * in tiles) with blend weights: their weighted mean.
     */
    public static StyleTargets blend(List<Map<String, INDArray>> grams, double[] blendWeights) {
        double total = checkBlend(grams.size(), blendWeights);
        Map<String, INDArray> blended = new LinkedHashMap<>();
        for (int i = 0; i < grams.size(); i++) {
            for (Map.Entry<String, INDArray> layer : grams.get(i).entrySet()) {
                INDArray weighted = layer.getValue().mul(blendWeights[i] / total);
                blended.merge(layer.getKey(), weighted, INDArray::addi);
            }
        }
        return new StyleTargets(blended);
    }

    /** The blend weights' sum, after checking there is one finite, non-negative weight per image. */
    private static double checkBlend(int images, double[] blendWeights) {
        if (images == 0) {
            throw new IllegalArgumentException("at least one style image is needed");
        }
        if (blendWeights.length != images) {
            throw new IllegalArgumentException(images + " style images but " + blendWeights.length
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
        return total;
    }

    /** Targets from one style image. */
    public static StyleTargets fromImage(FeatureNetwork network, INDArray image, Collection<String> layers) {
        return fromImages(network, List.of(image), new double[] {1}, layers);
    }
}
