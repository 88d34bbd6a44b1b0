package io.github.style4j.samediff.loss;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss evaluated over an image in tiles, in two passes, for images whose activations do not
 * fit in memory at once. The losses style transfer uses read feature maps only through sums
 * over positions (a Gram matrix, a sum of squared differences), so:
 * <ol>
 *   <li>{@link #begin}, then {@link #accumulate} for every tile: each adds its positions' share
 *       of those sums;</li>
 *   <li>{@link #finish}: the value, from the whole-image sums, plus the terms that read the
 *       image itself (total variation), whose gradient goes straight into the image's;</li>
 *   <li>{@link #gradient} for every tile: the gradient at the tile's positions, which depends
 *       on the whole-image sums only through what {@code finish} computed.</li>
 * </ol>
 * Offered by {@link PerceptualLoss#tiled()}; must compute what {@link PerceptualLoss#arrays()}
 * computes on the whole image (the tests compare them). {@link PerceptualLoss#localTiled()}
 * offers the one-pass variant for moving tiles, where statistics are each tile's own.
 */
public interface TiledLoss {
    /** Forgets the sums of the previous evaluation. */
    void begin();

    /** Statistics pass: adds this tile's positions to the sums. */
    void accumulate(FeatureTile tile);

    /**
     * After every tile has been accumulated: the loss's value (named values into {@code values}),
     * adding the gradient of terms on the image itself, times {@code scale}, into {@code imageGradient}.
     */
    double finish(INDArray image, INDArray imageGradient, double scale, Map<String, Double> values);

    /** Gradient pass: adds {@code scale} times the loss's gradient at this tile's positions into its accumulators. */
    void gradient(FeatureTile tile, double scale);

    /** A loss on the image alone (its array form), computed on the whole image when the sums are done. */
    static TiledLoss ofImageTerm(ArrayLoss loss) {
        return new TiledLoss() {
            @Override
            public void begin() {
            }

            @Override
            public void accumulate(FeatureTile tile) {
            }

            @Override
            public double finish(INDArray image, INDArray imageGradient, double scale, Map<String, Double> values) {
                return loss.evaluate(new LossArrays(image, Map.of(), imageGradient, Map.of()), scale, values);
            }

            @Override
            public void gradient(FeatureTile tile, double scale) {
            }
        };
    }

    /**
     * The positions of each layer's feature map that one tile owns ({@code [1, C, h, w]} views)
     * and accumulators for their gradients, with where the region starts in the whole image's
     * map ({@code {y, x}}) and how many positions that map has ({@code mapPositions}: a tile's
     * share of them weighs its local statistics, {@link PerceptualLoss#localTiled()}).
     */
    record FeatureTile(Map<String, INDArray> features, Map<String, INDArray> gradients, Map<String, int[]> origins,
                       Map<String, Long> mapPositions) {
        public INDArray feature(String layer) {
            INDArray feature = features.get(layer);
            if (feature == null) {
                throw new IllegalArgumentException("no feature map for layer '" + layer + "'; have " + features.keySet());
            }
            return feature;
        }

        /** Positions of {@code layer}'s map on the whole image. */
        public long mapPositions(String layer) {
            Long positions = mapPositions.get(layer);
            if (positions == null) {
                throw new IllegalArgumentException("no map size for layer '" + layer + "'; have " + mapPositions.keySet());
            }
            return positions;
        }

        /** Whether this tile owns any position of {@code layer}. */
        public boolean has(String layer) {
            return features.containsKey(layer);
        }
    }
}
