package io.github.style4j.samediff.loss;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Style as the first two moments of each layer's feature distribution, as Katherine
 * Crowson's style-transfer code uses in place of Gram matrices:
 * <pre>
 *   L = Σ_l w_l · ( mean_c (μ_l − μ̂_l)² + mean_{c,c'} (Σ_l − Σ̂_l)² )
 *   μ_l = mean over positions of F_l,   Σ_l = (F_l − μ_l)(F_l − μ_l)ᵀ / M_l
 * </pre>
 * Unlike the Gram matrix (an uncentred second moment), this separates the mean colour of
 * the features from their correlations. Targets from {@link MomentTargets}.
 */
public final class MeanCovarianceStyleLoss implements PerceptualLoss {
    private final String name;
    private final Map<String, Double> weights;
    private final MomentTargets targets;

    private MeanCovarianceStyleLoss(Builder builder) {
        this.name = builder.name;
        this.weights = builder.weights.frozen("MeanCovarianceStyleLoss");
        this.targets = Objects.requireNonNull(builder.targets, "MeanCovarianceStyleLoss needs targets");
        for (String layer : weights.keySet()) {
            if (!targets.means().containsKey(layer)) {
                throw new IllegalArgumentException("no moment targets for layer " + layer);
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
            SDVariable flat = FeatureStatistics.flatten(sd, features);
            SDVariable mean = sd.mean(flat, 2);
            SDVariable centred = flat.sub(sd.expandDims(mean, 2));
            SDVariable covariance = sd.linalg().mmul(centred, centred, false, true, false)
                    .div(FeatureStatistics.positions(sd, features));
            INDArray targetMean = targets.means().get(layer);
            INDArray targetCovariance = targets.covariances().get(layer);
            SDVariable meanTarget = sd.constant(layer + "_mean_target",
                    targetMean.reshape(1, targetMean.length()).castTo(features.dataType()));
            SDVariable covarianceTarget = sd.constant(layer + "_covariance_target",
                    targetCovariance.reshape(1, targetCovariance.size(0), targetCovariance.size(1))
                            .castTo(features.dataType()));
            return Reductions.mean(sd, sd.math().squaredDifference(mean, meanTarget))
                    .add(Reductions.mean(sd, sd.math().squaredDifference(covariance, covarianceTarget))).mul(weight);
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
        return "MeanCovarianceStyleLoss[" + name + ", layers=" + weights + "]";
    }

    public static final class Builder {
        private String name = "style_moments";
        private final LayerWeights weights = new LayerWeights();
        private MomentTargets targets;

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

        public Builder setTargets(MomentTargets targets) {
            this.targets = targets;
            return this;
        }

        public MeanCovarianceStyleLoss build() {
            return new MeanCovarianceStyleLoss(this);
        }
    }
}
