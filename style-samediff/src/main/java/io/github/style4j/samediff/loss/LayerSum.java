package io.github.style4j.samediff.loss;

import java.util.Map;
import java.util.function.BiFunction;
import org.nd4j.autodiff.samediff.NameScope;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** The shape every per-layer loss shares: Σ over layers of a term, in its own scope, named. */
final class LayerSum {
    private LayerSum() {
    }

    /**
     * Σ_l term(l, w_l), with the terms' ops in the scope {@code name} and the sum named {@code name}.
     *
     * @param term builds one layer's weighted term from the layer name and its weight
     */
    static SDVariable define(SameDiff sd, String name, Map<String, Double> weights,
                             BiFunction<String, Double, SDVariable> term) {
        SDVariable total = null;
        try (NameScope scope = sd.withNameScope(name)) {
            for (Map.Entry<String, Double> layer : weights.entrySet()) {
                SDVariable value = term.apply(layer.getKey(), layer.getValue());
                total = total == null ? value : total.add(value);
            }
        }
        return sd.identity(name, total);
    }
}
