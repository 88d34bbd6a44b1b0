package io.github.style4j.samediff.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Statistics of feature maps, both as graph ops (for the image being optimised) and on
 * plain arrays (for targets computed once): the position-normalised Gram matrix
 * Ĝ = F Fᵀ / M and the channel means and covariance. F is a layer's {@code [N, C, H, W]}
 * feature map seen as {@code [N, C, M]}, M = H·W. The style losses are built on these; a
 * pipeline of its own (a texture statistic, a style-distance metric) can use them directly:
 * <pre>{@code
 * INDArray g = FeatureStatistics.gram(network.activations(image, List.of("relu3_1")).get("relu3_1"));
 * }</pre>
 * {@link GramNormalization} says how the losses scale Ĝ's differences; Ĝ itself is always
 * divided by M only.
 */
public final class FeatureStatistics {
    private FeatureStatistics() {
    }

    /** {@code [N, C, H, W]} as {@code [N, C, H·W]}, whatever the sizes (they are read in the graph). */
    static SDVariable flatten(SameDiff sd, SDVariable features) {
        SDVariable shape = sd.shape(features);
        SDVariable batchAndChannels = sd.stridedSlice(shape, new long[] {0}, new long[] {2}, 1);
        SDVariable rest = sd.constant(Nd4j.createFromArray(-1L).castTo(shape.dataType()));
        return sd.reshape(features, sd.concat(0, batchAndChannels, rest));
    }

    /** H·W of a {@code [N, C, H, W]} variable, as a scalar of its data type. */
    static SDVariable positions(SameDiff sd, SDVariable features) {
        SDVariable spatial = sd.stridedSlice(sd.shape(features), new long[] {2}, new long[] {4}, 1);
        return sd.prod(spatial, 0).castTo(features.dataType());
    }

    /** Ĝ = F Fᵀ / M of a {@code [N, C, H, W]} variable, {@code [N, C, C]}, as graph ops (differentiable). */
    public static SDVariable gram(SameDiff sd, SDVariable features) {
        SDVariable flat = flatten(sd, features);
        return sd.linalg().mmul(flat, flat, false, true, false).div(positions(sd, features));
    }

    /** Ĝ = F Fᵀ / M of a {@code [1, C, H, W]} array, as a {@code [C, C]} array in double precision. */
    public static INDArray gram(INDArray features) {
        INDArray f = channelsByPositions(features);
        return f.mmul(f.transpose()).divi(f.size(1));
    }

    /** Channel means ({@code [C]}, double precision) of a {@code [1, C, H, W]} array. */
    public static INDArray mean(INDArray features) {
        return channelsByPositions(features).mean(1);
    }

    /** Channel covariance ({@code [C, C]}, divided by M, double precision) of a {@code [1, C, H, W]} array. */
    public static INDArray covariance(INDArray features) {
        INDArray f = channelsByPositions(features);
        INDArray centred = f.subColumnVector(f.mean(1).reshape(f.size(0), 1));
        return centred.mmul(centred.transpose()).divi(f.size(1));
    }

    /** A {@code [1, C, H, W]} array as {@code [C, H·W]} doubles; anything else is refused by name. */
    private static INDArray channelsByPositions(INDArray features) {
        if (features.rank() != 4 || features.size(0) != 1) {
            throw new IllegalArgumentException("feature statistics take one feature map, [1, C, H, W]; got "
                    + java.util.Arrays.toString(features.shape()) + " (for a batch, call once per entry)");
        }
        return features.castTo(DataType.DOUBLE).reshape(features.size(1), features.size(2) * features.size(3));
    }
}
