package io.github.style4j.samediff.network;

import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A graph built around one trainable image: the {@link SameDiff}, the image variable
 * ({@value #IMAGE}, RGB in {@code [0, 1]}) and the network's taps on it.
 */
public record FeatureGraph(SameDiff sameDiff, SDVariable image, Map<String, SDVariable> taps) {
    /** Name of the image variable. */
    public static final String IMAGE = "image";

    public FeatureGraph {
        taps = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(taps));
    }
}
