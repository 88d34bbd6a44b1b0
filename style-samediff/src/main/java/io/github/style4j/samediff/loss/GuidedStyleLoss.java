package io.github.style4j.samediff.loss;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.ImageResizeMethod;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Spatially guided Gram style loss (Gatys, Ecker, Bethge, Hertzmann and Shechtman,
 * "Controlling Perceptual Factors in Neural Style Transfer", CVPR 2017, section 4): each
 * region r of the image, given by a mask T_r in [0, 1], takes its own style:
 * <pre>
 *   L = Σ_r v_r Σ_l w_l · k_l · mean (Ĝ_{r,l} − Â_{r,l})²,
 *   Ĝ_{r,l} = (F_l ∘ T_{r,l})(F_l ∘ T_{r,l})ᵀ / Σ_p T_{r,l}(p)²
 * </pre>
 * T_{r,l} is the mask resized (area averaging) to layer l's size inside the graph. The
 * normalisation by Σ T² (rather than the paper's unnormalised guided Gram) makes an
 * all-ones mask give exactly {@link StyleLoss}, and keeps weights comparable across region
 * sizes. k_l is set by the {@link GramNormalization}; each region's targets come from its
 * own style image(s) through {@link StyleTargets}.
 */
public final class GuidedStyleLoss implements PerceptualLoss {
    /** One region: its mask at the image's resolution ({@code [H, W]}, values in [0, 1]), targets and weight. */
    public record Region(INDArray mask, StyleTargets targets, double weight) {
        public Region {
            if (mask.rank() != 2) {
                throw new IllegalArgumentException("a region mask must be [H, W], got rank " + mask.rank());
            }
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("region weight must be finite and >= 0, got " + weight);
            }
        }
    }

    private final String name;
    private final Map<String, Double> weights;
    private final List<Region> regions;
    private final GramNormalization normalization;

    private GuidedStyleLoss(Builder builder) {
        this.name = builder.name;
        this.weights = builder.weights.frozen("GuidedStyleLoss");
        this.regions = List.copyOf(builder.regions);
        this.normalization = builder.normalization;
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("GuidedStyleLoss needs at least one region: addRegion(mask, targets, weight)");
        }
        for (Region region : regions) {
            for (String layer : weights.keySet()) {
                if (!region.targets().grams().containsKey(layer)) {
                    throw new IllegalArgumentException("a region has no target Gram matrix for layer " + layer);
                }
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SDVariable define(SameDiff sd, LossInputs inputs) {
        return LayerSum.define(sd, name, weights, (layer, weight) -> {
            SDVariable features = inputs.feature(layer);
            SDVariable sum = null;
            for (int r = 0; r < regions.size(); r++) {
                Region region = regions.get(r);
                SDVariable mask = resizedMask(sd, region.mask(), features, "region" + r + "_" + layer);
                SDVariable flat = FeatureStatistics.flatten(sd, features.mul(mask));
                SDVariable area = Reductions.sum(sd, sd.math().square(mask));
                SDVariable gram = sd.linalg().mmul(flat, flat, false, true, false).div(area);
                INDArray target = region.targets().grams().get(layer);
                SDVariable targetGram = sd.constant("region" + r + "_" + layer + "_gram_target",
                        target.reshape(1, target.size(0), target.size(1)).castTo(features.dataType()));
                double factor = normalization.factor(target.size(0)) * weight * region.weight();
                SDVariable term = Reductions.mean(sd, sd.math().squaredDifference(gram, targetGram)).mul(factor);
                sum = sum == null ? term : sum.add(term);
            }
            return sum;
        });
    }

    /**
     * The mask, as a constant, resized to the feature map's height and width: {@code [1, 1, h, w]}.
     * Resized in float32: {@code image_resize} rejects double input in 1.0.0-M2.1.
     */
    private static SDVariable resizedMask(SameDiff sd, INDArray mask, SDVariable features, String label) {
        SDVariable nhwc = sd.constant(label + "_mask",
                mask.reshape(1, mask.size(0), mask.size(1), 1).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        SDVariable size = sd.stridedSlice(sd.shape(features), new long[] {2}, new long[] {4}, 1)
                .castTo(org.nd4j.linalg.api.buffer.DataType.INT32);
        SDVariable resized = sd.image().imageResize(nhwc, size, false, true, ImageResizeMethod.ResizeArea);
        return sd.permute(resized.castTo(features.dataType()), 0, 3, 1, 2);
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
        return "GuidedStyleLoss[" + name + ", " + regions.size() + " regions, " + normalization + ", layers=" + weights + "]";
    }

    public static final class Builder {
        private String name = "guided_style";
        private final LayerWeights weights = new LayerWeights();
        private final List<Region> regions = new ArrayList<>();
        private GramNormalization normalization = GramNormalization.CHW;

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

        /** A region: mask {@code [H, W]} at the image's resolution, its style targets, its weight. */
        public Builder addRegion(INDArray mask, StyleTargets targets, double weight) {
            regions.add(new Region(mask, targets, weight));
            return this;
        }

        public Builder optNormalization(GramNormalization normalization) {
            this.normalization = Objects.requireNonNull(normalization);
            return this;
        }

        public GuidedStyleLoss build() {
            return new GuidedStyleLoss(this);
        }
    }
}
