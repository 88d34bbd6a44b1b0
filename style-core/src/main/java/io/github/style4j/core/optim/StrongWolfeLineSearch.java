package io.github.style4j.core.optim;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A line search for the strong Wolfe conditions (Nocedal and Wright, Numerical Optimization,
 * 2nd ed., algorithms 3.5 and 3.6): bracket a step, then zoom in on it by safeguarded cubic
 * interpolation. Accepts step t along direction d from x when
 * <pre>
 *   f(x + t d) &lt;= f(x) + c1 t g(x)·d        (sufficient decrease)
 *   |g(x + t d)·d| &lt;= c2 |g(x)·d|            (curvature, strong form)
 * </pre>
 * A trial point where the objective is not finite is treated as a step too long: the search
 * backs off towards the last finite point.
 */
final class StrongWolfeLineSearch {
    static final double C1 = 1e-4;
    static final double C2 = 0.9;
    private static final int MAX_EVALUATIONS = 25;

    /** The accepted (or best) point of a search. */
    record Result(double step, Evaluation evaluation, INDArray point, double directionalDerivative,
                  int evaluations, boolean wolfe) {
    }

    private final Objective objective;
    private final double tolerance;

    StrongWolfeLineSearch(Objective objective, double tolerance) {
        this.objective = objective;
        this.tolerance = tolerance;
    }

    private record Trial(double t, Evaluation evaluation, INDArray point, double gtd) {
        double f() {
            return evaluation.loss();
        }
    }

    private int evaluations;
    private boolean sawNonFinite;
    /** Every trial point of the current search: all but the one returned are freed at its end. */
    private final java.util.List<Trial> trials = new java.util.ArrayList<>();

    /** Evaluations the last search made. */
    int evaluations() {
        return evaluations;
    }

    /** Whether the last search met a point where the objective was not finite. */
    boolean sawNonFinite() {
        return sawNonFinite;
    }

    /**
     * Searches along {@code d} from {@code x}, where the loss is {@code f0} and the slope
     * {@code gtd0 = g·d < 0}, starting with step {@code t}.
     */
    Result search(INDArray x, double f0, double gtd0, INDArray d, double t) {
        return search(x, f0, gtd0, d, t, Double.POSITIVE_INFINITY);
    }

    /**
     * As {@link #search(INDArray, double, double, INDArray, double)}, never stepping past
     * {@code maxStep} (where a bound is met): a step there that still decreases the loss
     * enough is accepted even if the slope is still steep, as MINPACK-2's search does at its
     * maximum step.
     */
    Result search(INDArray x, double f0, double gtd0, INDArray d, double t, double maxStep) {
        trials.clear();
        Result result = searchTrials(x, f0, gtd0, d, t, maxStep);
        // Rejected points and their gradients are image-sized off-heap arrays: free them now
        // rather than when the JVM next collects (at 512 px, 1.0 GB resident instead of less).
        for (Trial trial : trials) {
            if (result == null || trial.point != result.point()) {
                trial.point.close();
                if (trial.evaluation.gradient() != null && !trial.evaluation.gradient().wasClosed()) {
                    trial.evaluation.gradient().close();
                }
            }
        }
        trials.clear();
        return result;
    }

    private Result searchTrials(INDArray x, double f0, double gtd0, INDArray d, double t, double maxStep) {
        evaluations = 0;
        sawNonFinite = false;
        Trial previous = new Trial(0, null, x, gtd0);
        double previousF = f0;
        Trial best = null;
        double step = Math.min(t, maxStep);
        while (evaluations < MAX_EVALUATIONS) {
            Trial trial = evaluate(x, d, step);
            if (!trial.evaluation.isFinite()) {
                // Too far: retreat towards the last finite point.
                step = previous.t + (step - previous.t) / 4;
                if (step - previous.t < 1e-12) {
                    break;
                }
                continue;
            }
            if (best == null || trial.f() < best.f()) {
                best = trial;
            }
            if (trial.f() > f0 + C1 * step * gtd0 || (previous.evaluation != null && trial.f() >= previousF)) {
                return zoom(x, f0, gtd0, d, previous, previousF, trial, best);
            }
            if (Math.abs(trial.gtd) <= -C2 * gtd0) {
                return result(trial, true);
            }
            if (trial.gtd >= 0) {
                return zoom(x, f0, gtd0, d, trial, trial.f(), previous, best);
            }
            if (step >= maxStep) {
                return result(trial, false); // at the bound, still descending: the bound stops it
            }
            // Still descending steeply: extrapolate, within [t + 0.01 (t - t_prev), 10 t].
            double lower = Math.min(step + 0.01 * (step - previous.t), maxStep);
            double upper = Math.min(step * 10, maxStep);
            double next = cubicMinimum(previous.t, previousF, previous.gtd, step, trial.f(), trial.gtd, lower, upper);
            previous = trial;
            previousF = trial.f();
            step = next;
        }
        return best == null ? null : result(best, false);
    }

    /** Algorithm 3.6: lo has the lower loss and satisfies sufficient decrease; the minimum lies between. */
    private Result zoom(INDArray x, double f0, double gtd0, INDArray d, Trial lo, double loF, Trial hi, Trial best) {
        double hiF = hi.evaluation == null ? f0 : hi.f();
        Trial low = lo;
        double lowF = loF;
        Trial high = hi;
        boolean insufficientProgress = false;
        while (evaluations < MAX_EVALUATIONS) {
            double width = Math.abs(high.t - low.t);
            if (width * d.amaxNumber().doubleValue() < tolerance) {
                break;
            }
            double lower = Math.min(low.t, high.t);
            double upper = Math.max(low.t, high.t);
            double t = cubicMinimum(low.t, lowF, low.gtd, high.t, hiF, high.gtd, lower, upper);
            // Keep away from the ends, or the bracket may shrink too slowly (as PyTorch's search does).
            double margin = 0.1 * (upper - lower);
            if (Math.min(upper - t, t - lower) < margin) {
                if (insufficientProgress || t >= upper || t <= lower) {
                    t = Math.abs(t - upper) < Math.abs(t - lower) ? upper - margin : lower + margin;
                    insufficientProgress = false;
                } else {
                    insufficientProgress = true;
                }
            } else {
                insufficientProgress = false;
            }
            Trial trial = evaluate(x, d, t);
            if (!trial.evaluation.isFinite()) {
                high = trial;
                hiF = Double.MAX_VALUE;
                continue;
            }
            if (best == null || trial.f() < best.f()) {
                best = trial;
            }
            if (trial.f() > f0 + C1 * t * gtd0 || trial.f() >= lowF) {
                high = trial;
                hiF = trial.f();
            } else {
                if (Math.abs(trial.gtd) <= -C2 * gtd0) {
                    return result(trial, true);
                }
                if (trial.gtd * (high.t - low.t) >= 0) {
                    high = low;
                    hiF = lowF;
                }
                low = trial;
                lowF = trial.f();
            }
        }
        if (best != null && best.f() < f0) {
            return result(best, false);
        }
        return null;
    }

    private Trial evaluate(INDArray x, INDArray d, double t) {
        INDArray point = Nd4j.getBlasWrapper().axpy(t, d, x.dup()); // x + t d, without a temporary
        Evaluation evaluation = objective.evaluate(point);
        evaluations++;
        if (!evaluation.isFinite()) {
            sawNonFinite = true;
        }
        double gtd = evaluation.isFinite() ? Nd4j.getBlasWrapper().dot(evaluation.gradient().reshape(d.shape()), d)
                : Double.NaN;
        Trial trial = new Trial(t, evaluation, point, gtd);
        trials.add(trial);
        return trial;
    }

    private Result result(Trial trial, boolean wolfe) {
        return new Result(trial.t, trial.evaluation, trial.point, trial.gtd, evaluations, wolfe);
    }

    /**
     * The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to [lower, upper];
     * the middle of the interval when the cubic has no minimum.
     */
    static double cubicMinimum(double x1, double f1, double g1, double x2, double f2, double g2, double lower,
                               double upper) {
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Squared = d1 * d1 - g1 * g2;
        if (d2Squared >= 0 && Double.isFinite(d2Squared)) {
            double d2 = Math.sqrt(d2Squared);
            double t = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            if (Double.isFinite(t)) {
                return Math.min(Math.max(t, lower), upper);
            }
        }
        return (lower + upper) / 2;
    }
}
