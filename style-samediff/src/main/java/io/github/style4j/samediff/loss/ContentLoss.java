package io.github.style4j.samediff.loss;

import io.github.style4j.samediff.network.FeatureNetwork;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Feature reconstruction loss (Gatys, Ecker and Bethge, "Image Style Transfer Using
 * Convolutional Neural Networks", CVPR 2016, eq. 1):
 * <pre>
 *   L = Σ_l w_l · mean over (n, c, y, x) of (F_l − P_l)²
 * </pre>
 * with F_l the feature map of layer l for the image and P_l the content image's, stored as
 * a constant. Differs from the paper in normalisation: the paper has ½ Σ (F − P)²; the mean
 * (neural-style's and PyTorch's MSE) makes weights independent of layer size.
 */
public final class ContentLoss implements PerceptualLoss {
    private final String name;
    private final Map<String, Double> weights;
    private final Map<String, INDArray> targets;
    private final boolean normalizeGradients;

    private ContentLoss(Builder builder) {
        this.name = builder.name;
        this.normalizeGradients = builder.normalizeGradients;
        this.weights = builder.weights.frozen("ContentLoss");
        this.targets = Collections.unmodifiableMap(new LinkedHashMap<>(builder.targets));
        for (String layer : weights.keySet()) {
            if (!targets.containsKey(layer)) {
                throw new IllegalArgumentException("ContentLoss has no target for layer " + layer
                        + ": use setTargets(...) or fromImage(...)");
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SDVariable define(SameDiff sd, LossInputs inputs) {
        if (normalizeGradients) {
            throw NormalizedGradients.graphRefused("ContentLoss " + name);
        }
        return LayerSum.define(sd, name, weights, (layer, weight) -> {
            SDVariable features = inputs.feature(layer);
            SDVariable target = sd.constant(layer + "_target", targets.get(layer).castTo(features.dataType()));
            return Reductions.mean(sd, sd.math().squaredDifference(features, target)).mul(weight);
        });
    }

    /** Per layer: w · Σ (F − P)² / n, gradient 2 w (F − P) / n. */
    @Override
    public java.util.Optional<ArrayLoss> arrays() {
        return java.util.Optional.of((arrays, scale, values) -> {
            double total = 0;
            for (Map.Entry<String, Double> layer : weights.entrySet()) {
                INDArray features = arrays.feature(layer.getKey());
                try (INDArray difference = features.sub(targets.get(layer.getKey()).castTo(features.dataType()))) {
                    long n = difference.length();
                    INDArray flat = difference.reshape(n);
                    total += layer.getValue() * Nd4j.getBlasWrapper().dot(flat, flat) / n;
                    if (normalizeGradients) {
                        try (INDArray own = flat.mul(2.0 / n)) { // MSE's gradient, as neural-style normalises it
                            NormalizedGradients.add(own, scale * layer.getValue(), arrays.featureGradient(layer.getKey()));
                        }
                    } else {
                        Nd4j.getBlasWrapper().axpy(scale * layer.getValue() * 2 / n, flat,
                                arrays.featureGradient(layer.getKey()).reshape(n));
                    }
                }
            }
            values.put(name, total);
            return total;
        });
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<String> layers() {
        return weights.keySet();
    }

    @Override
    public String toString() {
        return "ContentLoss[" + name + ", layers=" + weights + (normalizeGradients ? ", gradients L1-normalised" : "")
                + "]";
    }

    /** Builder: layers with weights and their targets are required; the name is optional. */
    public static final class Builder {
        private String name = "content";
        private final LayerWeights weights = new LayerWeights();
        private final Map<String, INDArray> targets = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder optName(String name) {
            this.name = Objects.requireNonNull(name);
            return this;
        }

        private boolean normalizeGradients;

        /**
         * neural-style's {@code -normalize_gradients}: each layer's gradient divided by its L1
         * norm before its weight; the array form only (see {@link NormalizedGradients}).
         */
        public Builder optNormalizeGradients(boolean normalize) {
            this.normalizeGradients = normalize;
            return this;
        }

        public Builder addLayer(String layer, double weight) {
            weights.put(layer, weight);
            return this;
        }

        /** Target feature maps by layer ({@code [1, C, H, W]}, the content image's). */
        public Builder setTargets(Map<String, INDArray> targets) {
            this.targets.putAll(targets);
            return this;
        }

        /**
         * Targets computed from a content image ({@code [1, 3, H, W]} RGB in [0, 1]) through a
         * network, for every layer added (before or after this call) that has no target yet;
         * computed by {@link #build()}.
         */
        public Builder setTargetsFromImage(FeatureNetwork network, INDArray contentRgb) {
            this.network = Objects.requireNonNull(network);
            this.contentRgb = Objects.requireNonNull(contentRgb);
            return this;
        }

        private FeatureNetwork network;
        private INDArray contentRgb;

        public ContentLoss build() {
            if (network != null) {
                java.util.List<String> missing = new java.util.ArrayList<>();
                for (String layer : weights.frozen("ContentLoss").keySet()) {
                    if (!targets.containsKey(layer)) {
                        missing.add(layer);
                    }
                }
                if (!missing.isEmpty()) {
                    targets.putAll(network.activations(contentRgb, missing));
                }
            }
            return new ContentLoss(this);
        }
    }
}
