package io.github.style4j.samediff.loss;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gram-matrix style loss (Gatys, Ecker and Bethge 2016, eqs. 3 to 5):
 * <pre>
 *   L = Σ_l w_l · k_l · mean over the C_l² entries of (Ĝ_l − Â_l)²,   Ĝ_l = F_l F_lᵀ / M_l
 * </pre>
 * with k_l set by the {@link GramNormalization} (1/4 for the paper's, 1/C² for
 * neural-style's) and the targets Â_l from {@link StyleTargets}. For a batch, the mean runs
 * over the batch too. Built from {@code mmul}, {@code squaredDifference} and {@code mean}.
 */
public final class StyleLoss implements PerceptualLoss {
    private final String name;
    private final Map<String, Double> weights;
    private final StyleTargets targets;
    private final GramNormalization normalization;
    private final boolean normalizeGradients;

    private StyleLoss(Builder builder) {
        this.normalizeGradients = builder.normalizeGradients;
        this.name = builder.name;
        this.weights = builder.weights.frozen("StyleLoss");
        this.targets = Objects.requireNonNull(builder.targets, "StyleLoss needs targets: setTargets(StyleTargets...)");
        this.normalization = builder.normalization;
        for (String layer : weights.keySet()) {
            if (!targets.grams().containsKey(layer)) {
                throw new IllegalArgumentException("StyleLoss has no target Gram matrix for layer " + layer
                        + "; compute the targets for the same layers");
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SDVariable define(SameDiff sd, LossInputs inputs) {
        if (normalizeGradients) {
            throw NormalizedGradients.graphRefused("StyleLoss " + name);
        }
        return LayerSum.define(sd, name, weights, (layer, weight) -> {
            INDArray target = targets.grams().get(layer);
            SDVariable features = inputs.feature(layer);
            SDVariable gram = FeatureStatistics.gram(sd, features);
            SDVariable targetGram = sd.constant(layer + "_gram_target",
                    target.reshape(1, target.size(0), target.size(1)).castTo(features.dataType()));
            double factor = normalization.factor(target.size(0)) * weight;
            return Reductions.mean(sd, sd.math().squaredDifference(gram, targetGram)).mul(factor);
        });
    }

    /**
     * Per layer, with F as {@code [C, M]}: Ĝ = F Fᵀ / M, D = Ĝ − Â, value w k Σ D² / C², and
     * (D symmetric) gradient 4 w k D F / (C² M), added by one GEMM straight into the accumulator.
     */
    @Override
    public java.util.Optional<ArrayLoss> arrays() {
        return java.util.Optional.of((arrays, scale, values) -> {
            double total = 0;
            for (Map.Entry<String, Double> layer : weights.entrySet()) {
                INDArray features = arrays.feature(layer.getKey());
                if (features.size(0) != 1) {
                    throw new IllegalArgumentException("the array form of StyleLoss takes batch 1, got "
                            + features.size(0));
                }
                long channels = features.size(1);
                long positions = features.length() / channels;
                INDArray flat = features.reshape('c', channels, positions);
                INDArray gradient = arrays.featureGradient(layer.getKey()).reshape('c', channels, positions);
                INDArray target = targets.grams().get(layer.getKey());
                try (INDArray difference = flat.mmul(flat.transpose()).divi(positions)
                        .subi(target.castTo(features.dataType()))) {
                    double factor = normalization.factor(channels) * layer.getValue();
                    INDArray entries = difference.reshape(difference.length());
                    total += factor * Nd4j.getBlasWrapper().dot(entries, entries) / (channels * channels);
                    if (normalizeGradients) {
                        // The layer's own gradient (before its weight), then L1-normalised.
                        double k = normalization.factor(channels);
                        try (INDArray own = Nd4j.createUninitialized(flat.dataType(), channels, positions)) {
                            Nd4j.gemm(difference, flat, own, false, false,
                                    4 * k / ((double) channels * channels * positions), 0.0);
                            NormalizedGradients.add(own, scale * layer.getValue(), gradient);
                        }
                    } else {
                        Nd4j.gemm(difference, flat, gradient, false, false,
                                scale * 4 * factor / ((double) channels * channels * positions), 1.0);
                    }
                }
            }
            values.put(name, total);
            return total;
        });
    }

    /**
     * In tiles: F Fᵀ and the position count summed over the tiles (the sum in double precision), then
     * D = Σ F Fᵀ / M − Â once, and each tile's gradient 4 w k D F / (C² M) from its own F.
     * Normalised gradients have no tiled form (their L1 norm would need D before the sums are
     * done: a third pass).
     */
    @Override
    public java.util.Optional<TiledLoss> tiled() {
        if (normalizeGradients) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new TiledLoss() {
            private final Map<String, INDArray> sums = new java.util.LinkedHashMap<>();
            private final Map<String, long[]> positions = new java.util.LinkedHashMap<>();
            private final Map<String, INDArray> differences = new java.util.LinkedHashMap<>();

            @Override
            public void begin() {
                sums.values().forEach(INDArray::close);
                differences.values().forEach(INDArray::close);
                sums.clear();
                differences.clear();
                positions.clear();
            }

            @Override
            public void accumulate(TiledLoss.FeatureTile tile) {
                for (String layer : weights.keySet()) {
                    if (!tile.has(layer)) {
                        continue;
                    }
                    INDArray features = tile.feature(layer);
                    long channels = features.size(1);
                    long m = features.length() / channels;
                    // The tile's F Fᵀ in the features' precision (as the whole image's would be), summed over
                    // tiles in double.
                    INDArray flat = features.reshape('c', channels, m);
                    INDArray sum = sums.computeIfAbsent(layer,
                            key -> Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, channels, channels));
                    try (INDArray product = Nd4j.createUninitialized(features.dataType(), channels, channels)) {
                        Nd4j.gemm(flat, flat, product, false, true, 1.0, 0.0);
                        sum.addi(product.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE));
                    }
                    positions.computeIfAbsent(layer, key -> new long[1])[0] += m;
                }
            }

            @Override
            public double finish(INDArray image, INDArray imageGradient, double scale, Map<String, Double> values) {
                double total = 0;
                for (Map.Entry<String, Double> layer : weights.entrySet()) {
                    INDArray sum = sums.get(layer.getKey());
                    if (sum == null) {
                        throw new IllegalStateException("no tile held layer " + layer.getKey());
                    }
                    INDArray target = targets.grams().get(layer.getKey());
                    INDArray difference = sum.div(positions.get(layer.getKey())[0])
                            .subi(target.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE));
                    long channels = difference.size(0);
                    INDArray entries = difference.reshape(difference.length());
                    total += normalization.factor(channels) * layer.getValue()
                            * Nd4j.getBlasWrapper().dot(entries, entries) / (channels * channels);
                    differences.put(layer.getKey(), difference);
                }
                values.put(name, total);
                return total;
            }

            @Override
            public void gradient(TiledLoss.FeatureTile tile, double scale) {
                for (String key : weights.keySet()) {
                    if (tile.has(key)) {
                        addGradient(tile, key, differences.get(key), scale, positions.get(key)[0]);
                    }
                }
            }
        });
    }

    /**
     * Adds {@code scale} 4 w k D F / (C² M) into the tile's gradient accumulator for {@code key}:
     * the Gram loss's gradient at the tile's positions F, given the difference D of Gram matrices
     * (double precision) and the positions M the loss is normalised by.
     */
    private void addGradient(TiledLoss.FeatureTile tile, String key, INDArray difference, double scale, long positions) {
        INDArray features = tile.feature(key);
        long channels = features.size(1);
        long m = features.length() / channels;
        double factor = normalization.factor(channels) * weights.get(key);
        INDArray gradient = tile.gradients().get(key).reshape('c', channels, m);
        INDArray cast = difference.dataType() == features.dataType() ? difference : difference.castTo(features.dataType());
        Nd4j.gemm(cast, features.reshape('c', channels, m), gradient, false, false,
                scale * 4 * factor / ((double) channels * channels * positions), 1.0);
        if (cast != difference) {
            cast.close();
        }
    }

    /**
     * Over moving tiles: each tile's own Gram matrix Ĝₖ = Fₖ Fₖᵀ / mₖ against the target, the tile
     * weighted by its share mₖ / M of the map's positions, so the value is Σₖ (mₖ / M) w k ‖Ĝₖ − Â‖² / C²
     * and a tile's gradient 4 w k (Ĝₖ − Â) Fₖ / (C² M): the whole image's formula with the tile's
     * own difference (one tile covering the image gives the whole image's loss). Each tile's
     * gradient follows its {@code accumulate}; no normalised gradients (as {@link #tiled()}).
     */
    @Override
    public java.util.Optional<TiledLoss> localTiled() {
        if (normalizeGradients) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new TiledLoss() {
            private final Map<String, INDArray> differences = new java.util.LinkedHashMap<>();
            private double total;

            @Override
            public void begin() {
                differences.values().forEach(INDArray::close);
                differences.clear();
                total = 0;
            }

            @Override
            public void accumulate(TiledLoss.FeatureTile tile) {
                differences.values().forEach(INDArray::close);
                differences.clear();
                for (Map.Entry<String, Double> layer : weights.entrySet()) {
                    String key = layer.getKey();
                    if (!tile.has(key)) {
                        continue;
                    }
                    INDArray features = tile.feature(key);
                    long channels = features.size(1);
                    long m = features.length() / channels;
                    INDArray flat = features.reshape('c', channels, m);
                    INDArray product = Nd4j.createUninitialized(features.dataType(), channels, channels);
                    Nd4j.gemm(flat, flat, product, false, true, 1.0 / m, 0.0);
                    INDArray difference = product.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE); // the same array if double
                    if (difference != product) {
                        product.close();
                    }
                    difference.subi(targets.grams().get(key).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE));
                    INDArray entries = difference.reshape(difference.length());
                    total += (double) m / tile.mapPositions(key) * normalization.factor(channels) * layer.getValue()
                            * Nd4j.getBlasWrapper().dot(entries, entries) / (channels * channels);
                    differences.put(key, difference);
                }
            }

            @Override
            public double finish(INDArray image, INDArray imageGradient, double scale, Map<String, Double> values) {
                values.put(name, total);
                return total;
            }

            @Override
            public void gradient(TiledLoss.FeatureTile tile, double scale) {
                differences.forEach((key, difference) -> addGradient(tile, key, difference, scale,
                        tile.mapPositions(key)));
            }
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

    public GramNormalization normalization() {
        return normalization;
    }

    @Override
    public String toString() {
        return "StyleLoss[" + name + ", " + normalization + ", layers=" + weights
                + (normalizeGradients ? ", gradients L1-normalised" : "") + "]";
    }

    /** Builder: layers with weights and targets are required; name and normalisation optional. */
    public static final class Builder {
        private String name = "style";
        private final LayerWeights weights = new LayerWeights();
        private StyleTargets targets;
        private GramNormalization normalization = GramNormalization.CHW;
        private boolean normalizeGradients;

        private Builder() {
        }

        public Builder optName(String name) {
            this.name = Objects.requireNonNull(name);
            return this;
        }

        public Builder addLayer(String layer, double weight) {
            weights.put(layer, weight);
            return this;
        }

        public Builder setTargets(StyleTargets targets) {
            this.targets = targets;
            return this;
        }

        /** {@link GramNormalization#CHW} by default (neural-style's). */
        public Builder optNormalization(GramNormalization normalization) {
            this.normalization = Objects.requireNonNull(normalization);
            return this;
        }

        /**
         * neural-style's {@code -normalize_gradients}: each layer's gradient divided by its L1
         * norm before its weight; the array form only (see {@link NormalizedGradients}).
         */
        public Builder optNormalizeGradients(boolean normalize) {
            this.normalizeGradients = normalize;
            return this;
        }

        public StyleLoss build() {
            return new StyleLoss(this);
        }
    }
}
