package io.github.style4j.core.optim;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one optimiser iteration did, handed to {@link OptimizationListener}s.
 *
 * @param iteration    1-based iteration number
 * @param loss         total loss after the step
 * @param terms        the named loss terms after the step (empty if the objective gives none)
 * @param gradientNorm L2 norm of the gradient after the step
 * @param stepLength   L2 norm of the parameter change made by the step
 * @param evaluations  objective evaluations so far (L-BFGS's line search makes several a step)
 * @param elapsed      time since the optimisation started
 */
public record StepReport(int iteration, double loss, Map<String, Double> terms, double gradientNorm,
                         double stepLength, int evaluations, Duration elapsed) {
    public StepReport {
        terms = Collections.unmodifiableMap(new LinkedHashMap<>(terms));
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "iteration %d: loss %.6g, |grad| %.3g, step %.3g, %d evaluations, %.1f s", iteration, loss,
                gradientNorm, stepLength, evaluations, elapsed.toMillis() / 1000.0));
        terms.forEach((name, value) -> text.append(String.format(Locale.ROOT, ", %s %.4g", name, value)));
        return text.toString();
    }
}
