/**
 * Perceptual loss modules that any SameDiff pipeline can add: content (feature
 * reconstruction), Gram-matrix style with two normalisations, mean/covariance style,
 * spatially guided style, and total variation, with combinators to weight and sum them.
 * They read feature maps by layer name and do not care which network produced them; content,
 * Gram style and TV also have tiled forms ({@link io.github.style4j.samediff.loss.TiledLoss}:
 * exact over tiles, or with each tile's own statistics for moving tiles).
 */
package io.github.style4j.samediff.loss;
