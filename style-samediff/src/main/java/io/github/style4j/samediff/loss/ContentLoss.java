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
import org.nd4j.linalg.indexing.NDArrayIndex;

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
    private final boolean targetsPerBatch;

    private ContentLoss(Builder builder) {
        this.name = builder.name;
        this.normalizeGradients = builder.normalizeGradients;
        this.targetsPerBatch = builder.targetsPerBatch;
        this.weights = builder.weights.frozen("ContentLoss");
        this.targets = Collections.unmodifiableMap(new LinkedHashMap<>(builder.targets));
        if (targetsPerBatch && (normalizeGradients || !targets.isEmpty())) {
            throw new IllegalArgumentException("ContentLoss " + name
                    + ": targets per batch exclude fixed targets and normalised gradients");
        }
        for (String layer : weights.keySet()) {
            if (!targetsPerBatch && !targets.containsKey(layer)) {
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
            SDVariable target;
            if (targetsPerBatch) {
                target = sd.placeHolder(layer + "_target", features.dataType(), -1, -1, -1, -1);
                // Name scopes (this loss's and any around it) prefix the name; the caller feeds it by
                // the fixed one.
                sd.renameVariable(target.name(), targetPlaceholder(layer));
            } else {
                target = sd.constant(layer + "_target", targets.get(layer).castTo(features.dataType()));
            }
            return Reductions.mean(sd, sd.math().squaredDifference(features, target)).mul(weight);
        });
    }

    /**
     * With {@link Builder#setTargetsPerBatch()}: the name of the placeholder that takes a layer's
     * targets ({@code [N, C, H, W]}, the feature maps of the batch's own photos), e.g.
     * {@code content/relu2_2_target}.
     */
    public String targetPlaceholder(String layer) {
        if (!weights.containsKey(layer)) {
            throw new IllegalArgumentException("ContentLoss " + name + " has no layer " + layer + "; it has "
                    + weights.keySet());
        }
        return name + "/" + layer + "_target";
    }

    /** Whether targets come per batch through placeholders rather than fixed. */
    public boolean targetsPerBatch() {
        return targetsPerBatch;
    }

    /** Per layer: w · Σ (F − P)² / n, gradient 2 w (F − P) / n. */
    @Override
    public java.util.Optional<ArrayLoss> arrays() {
        if (targetsPerBatch) {
            return java.util.Optional.empty();
        }
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

    /**
     * In tiles: the squared (and, to normalise gradients, absolute) differences summed over the
     * tiles, each against its region of the target; the gradient 2 w (F − P) / n per region.
     */
    @Override
    public java.util.Optional<TiledLoss> tiled() {
        if (targetsPerBatch) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new TiledLoss() {
            private final Map<String, double[]> sums = new LinkedHashMap<>(); // {Σ (F − P)², Σ |F − P|}

            @Override
            public void begin() {
                sums.clear();
                weights.keySet().forEach(layer -> sums.put(layer, new double[2]));
            }

            @Override
            public void accumulate(TiledLoss.FeatureTile tile) {
                for (String layer : weights.keySet()) {
                    if (tile.has(layer)) {
                        try (INDArray difference = difference(tile, layer)) {
                            INDArray flat = difference.reshape(difference.length());
                            sums.get(layer)[0] += Nd4j.getBlasWrapper().dot(flat, flat);
                            if (normalizeGradients) {
                                sums.get(layer)[1] += flat.norm1Number().doubleValue();
                            }
                        }
                    }
                }
            }

            @Override
            public double finish(INDArray image, INDArray imageGradient, double scale, Map<String, Double> values) {
                double total = 0;
                for (Map.Entry<String, Double> layer : weights.entrySet()) {
                    total += layer.getValue() * sums.get(layer.getKey())[0] / targets.get(layer.getKey()).length();
                }
                values.put(name, total);
                return total;
            }

            @Override
            public void gradient(TiledLoss.FeatureTile tile, double scale) {
                for (Map.Entry<String, Double> layer : weights.entrySet()) {
                    String key = layer.getKey();
                    if (!tile.has(key)) {
                        continue;
                    }
                    long n = targets.get(key).length();
                    // normalised: the whole layer's gradient 2 (F − P) / n divided by its L1 norm (plus 1e-8)
                    double coefficient = normalizeGradients
                            ? scale * layer.getValue() * (2.0 / n) / ((2.0 / n) * sums.get(key)[1] + 1e-8)
                            : scale * layer.getValue() * 2 / n;
                    try (INDArray difference = difference(tile, key)) {
                        INDArray gradient = tile.gradients().get(key);
                        Nd4j.getBlasWrapper().axpy(coefficient, difference.reshape(difference.length()),
                                gradient.reshape(gradient.length()));
                    }
                }
            }

            private INDArray difference(TiledLoss.FeatureTile tile, String layer) {
                INDArray features = tile.feature(layer);
                int[] origin = tile.origins().get(layer);
                INDArray target = targets.get(layer).get(NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.interval(origin[0], origin[0] + features.size(2)),
                        NDArrayIndex.interval(origin[1], origin[1] + features.size(3)));
                return features.sub(target.castTo(features.dataType()));
            }
        });
    }

    /**
     * Over moving tiles: the tiled form as it is (a sum of squared differences over positions needs
     * no statistics first), but for normalised gradients, whose L1 norm needs every tile first.
     */
    @Override
    public java.util.Optional<TiledLoss> localTiled() {
        return normalizeGradients ? java.util.Optional.empty() : tiled();
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
                + (targetsPerBatch ? ", targets per batch" : "") + "]";
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

        private boolean targetsPerBatch;

        /**
         * Targets fed with each batch rather than fixed: a feed-forward network's training, where
         * each photo is its own content target. {@link #define} then reads them from placeholders
         * named {@link ContentLoss#targetPlaceholder}; the loss has no array or tiled form.
         */
        public Builder setTargetsPerBatch() {
            this.targetsPerBatch = true;
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
