package io.github.style4j.samediff.loss;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * What a loss module sees: the image being optimised or generated ({@code [N, C, H, W]}) and
 * feature maps by layer name ({@code [N, C, H, W]} each), from whatever network produced them.
 */
public record LossInputs(SDVariable image, Map<String, SDVariable> features) {
    public LossInputs {
        features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
    }

    /** The feature map of a layer, or an error naming the layers available. */
    public SDVariable feature(String layer) {
        SDVariable feature = features.get(layer);
        if (feature == null) {
            throw new IllegalArgumentException("no feature map for layer '" + layer + "'; the network was asked for "
                    + features.keySet() + ": include it in the layers the network defines");
        }
        return feature;
    }
}
