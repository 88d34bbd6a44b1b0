package io.github.style4j.samediff.loss;

/**
 * How a Gram-matrix style loss is normalised. Loss weights are not portable between these:
 * a style weight tuned for one is off by orders of magnitude in the other. Both are written
 * with Ĝ = F Fᵀ / M (M = H·W positions, N = C channels) and its target Â:
 */
public enum GramNormalization {
    /**
     * Gatys, Ecker and Bethge 2016 (eq. 4): E = 1/(4 N² M²) Σ (G − A)², G = F Fᵀ, which is
     * (1/4) · mean over the N² entries of (Ĝ − Â)². The target is normalised by the style
     * image's own M, so style and content images may differ in size; for equal sizes this is
     * exactly the paper's.
     */
    GATYS,
    /**
     * neural-style and the PyTorch tutorial: G = F Fᵀ / (C·H·W), E = mean over the C² entries
     * of (G − A)², which is mean((Ĝ − Â)²) / C².
     */
    CHW;

    /** The factor k in E = k · mean((Ĝ − Â)²) for a layer with {@code channels} channels. */
    double factor(long channels) {
        return this == GATYS ? 0.25 : 1.0 / ((double) channels * channels);
    }
}
