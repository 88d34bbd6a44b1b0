package io.github.style4j.samediff.network;

/** The pooling of a feature network. */
public enum Pooling {
    /** Max pooling, as the networks were trained. */
    MAX,
    /**
     * Average pooling: Gatys et al. (2016) found it gives slightly more appealing synthesis,
     * and it passes gradient to every pixel of a window rather than one.
     */
    AVERAGE
}
