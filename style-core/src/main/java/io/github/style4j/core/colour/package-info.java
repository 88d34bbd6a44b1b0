/**
 * Colour control for style transfer: luminance-only transfer, colour-statistics (mean and
 * covariance) transfer in three variants, and per-channel histogram matching, on
 * {@link io.github.style4j.core.image.RgbImage}s. Plain Java arithmetic; no ND4J.
 */
package io.github.style4j.core.colour;
