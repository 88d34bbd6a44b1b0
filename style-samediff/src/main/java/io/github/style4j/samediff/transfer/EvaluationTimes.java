package io.github.style4j.samediff.transfer;

import java.time.Duration;
import java.util.Locale;

/**
 * Cumulative wall-clock time of an objective's evaluations, split where the work is.
 *
 * @param evaluations how many evaluations
 * @param network     the feature network's forward and backward passes
 * @param loss        the loss graph (SameDiff: loss values and their gradients for the taps)
 * @param total       whole evaluations; {@code total - network - loss} is the glue around them
 */
public record EvaluationTimes(long evaluations, Duration network, Duration loss, Duration total) {
    /** Time in evaluations outside the network and the loss graph: copies, sums, bookkeeping. */
    public Duration other() {
        return total.minus(network).minus(loss);
    }

    @Override
    public String toString() {
        double n = Math.max(1, evaluations);
        return String.format(Locale.ROOT, "EvaluationTimes[%d evaluations, per evaluation: network %.3f s, loss %.3f s, "
                + "other %.3f s]", evaluations, network.toNanos() / 1e9 / n, loss.toNanos() / 1e9 / n,
                other().toNanos() / 1e9 / n);
    }
}
