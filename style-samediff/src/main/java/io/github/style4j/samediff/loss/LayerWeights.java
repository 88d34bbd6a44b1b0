package io.github.style4j.samediff.loss;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Per-layer weights, in the order given, validated: a helper of the loss builders. */
final class LayerWeights {
    private final Map<String, Double> weights = new LinkedHashMap<>();

    void put(String layer, double weight) {
        if (layer == null || layer.isBlank()) {
            throw new IllegalArgumentException("layer name must not be empty");
        }
        if (!Double.isFinite(weight) || weight < 0) {
            throw new IllegalArgumentException("weight of layer " + layer + " must be finite and >= 0, got " + weight);
        }
        weights.put(layer, weight);
    }

    Map<String, Double> frozen(String owner) {
        if (weights.isEmpty()) {
            throw new IllegalArgumentException(owner + " needs at least one layer: call addLayer(name, weight)");
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }
}
