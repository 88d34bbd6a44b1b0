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
 * Channel means ({@code [C]}) and covariances ({@code [C, C]}) per layer: the targets of
 * {@link MeanCovarianceStyleLoss}. Several style images are blended by weight, moment by
 * moment (the blend of covariances, not the covariance of the mixed distribution).
 */
public record MomentTargets(Map<String, INDArray> means, Map<String, INDArray> covariances) {
    public MomentTargets {
        means = Collections.unmodifiableMap(new LinkedHashMap<>(means));
        covariances = Collections.unmodifiableMap(new LinkedHashMap<>(covariances));
    }

    public static MomentTargets fromImages(FeatureNetwork network, List<INDArray> images, double[] blendWeights,
                                           Collection<String> layers) {
        if (images.isEmpty() || blendWeights.length != images.size()) {
            throw new IllegalArgumentException("give one blend weight per style image (" + images.size() + " images, "
                    + blendWeights.length + " weights)");
        }
        double total = java.util.Arrays.stream(blendWeights).sum();
        if (!(total > 0)) {
            throw new IllegalArgumentException("blend weights must be >= 0 and not all zero");
        }
        Map<String, INDArray> means = new LinkedHashMap<>();
        Map<String, INDArray> covariances = new LinkedHashMap<>();
        for (int i = 0; i < images.size(); i++) {
            double share = blendWeights[i] / total;
            for (Map.Entry<String, INDArray> layer : network.activations(images.get(i), new ArrayList<>(layers)).entrySet()) {
                means.merge(layer.getKey(), FeatureStatistics.mean(layer.getValue()).muli(share), INDArray::addi);
                covariances.merge(layer.getKey(), FeatureStatistics.covariance(layer.getValue()).muli(share),
                        INDArray::addi);
            }
        }
        return new MomentTargets(means, covariances);
    }
}
