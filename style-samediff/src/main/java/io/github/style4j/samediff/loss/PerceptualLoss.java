package io.github.style4j.samediff.loss;

import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A loss that defines itself into a SameDiff graph. Implementations build from primitive
 * ops ({@code mmul}, {@code squaredDifference}, {@code mean}, ...), never by scaling a fused
 * {@code sd.loss().*} output, whose gradient ignores what flows into it (deeplearning4j
 * issue #9026); keep their targets as constants; and put their ops in a name scope of
 * their own, naming the scalar they return {@link #name()}.
 *
 * <p>Adding a style loss to any pipeline takes two lines:
 * <pre>{@code
 * Map<String, SDVariable> taps = network.define(sd, generatorOutput, style.layers());
 * style.define(sd, new LossInputs(generatorOutput, taps)).markAsLoss();
 * }</pre>
 */
public interface PerceptualLoss {
    /** Defines the loss into {@code sd}; returns a scalar named {@link #name()}. */
    SDVariable define(SameDiff sd, LossInputs inputs);

    /** Name of the returned scalar and of the scope of the loss's ops. */
    String name();

    /** Layers whose feature maps the loss reads. */
    Set<String> layers();

    /**
     * The same loss computed directly on arrays (batch 1), where the module has that form:
     * {@code FeaturePassObjective} then runs no loss graph at all. Empty by default.
     */
    default java.util.Optional<ArrayLoss> arrays() {
        return java.util.Optional.empty();
    }

    /**
     * The same loss evaluated over an image in tiles (see {@link TiledLoss}), where the module
     * has that form. By default, a loss that reads no layer but has an array form (total
     * variation, a pixel loss) is computed on the whole image in {@link TiledLoss#finish};
     * anything else has none.
     */
    default java.util.Optional<TiledLoss> tiled() {
        if (!layers().isEmpty()) {
            return java.util.Optional.empty();
        }
        return arrays().map(TiledLoss::ofImageTerm);
    }

    /**
     * The loss over moving tiles (crowsonkb's cheaper borders, {@code TileLayout.moving}): a
     * {@link TiledLoss} whose statistics are local to each tile, so that {@link TiledLoss#gradient}
     * may follow each {@link TiledLoss#accumulate} at once, in one pass over the tiles, and
     * {@link TiledLoss#finish} comes last. Sums over positions (content) are the whole image's
     * as in {@link #tiled()}; statistics (a Gram matrix) are each tile's own, the tile weighted by
     * its share of the positions. A different objective from the whole image's, changing with
     * the tiles' offset. By default: what {@link #tiled()} gives for a loss that reads no layer;
     * anything else has none.
     */
    default java.util.Optional<TiledLoss> localTiled() {
        return layers().isEmpty() ? tiled() : java.util.Optional.empty();
    }
}
