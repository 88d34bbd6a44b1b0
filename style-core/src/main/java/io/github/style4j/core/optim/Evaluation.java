package io.github.style4j.core.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One evaluation of an {@link Objective}: the total loss, its gradient, and optionally the
 * named terms it is made of (content, style, total variation, ...) for reporting.
 */
public record Evaluation(double loss, INDArray gradient, Map<String, Double> terms) {
    public Evaluation {
        Objects.requireNonNull(gradient, "gradient");
        terms = Collections.unmodifiableMap(new LinkedHashMap<>(terms));
    }

    /** An evaluation without named terms. */
    public static Evaluation of(double loss, INDArray gradient) {
        return new Evaluation(loss, gradient, Map.of());
    }

    /** Whether the loss and every gradient entry are finite. */
    public boolean isFinite() {
        if (!Double.isFinite(loss)) {
            return false;
        }
        double sum = gradient.sumNumber().doubleValue();
        return Double.isFinite(sum) && !Double.isNaN(gradient.amaxNumber().doubleValue());
    }
}
