package io.github.style4j.core.optim;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.BlasWrapper;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Limited-memory BFGS (Nocedal 1980; Liu and Nocedal 1989) with a strong-Wolfe line search:
 * what Gatys et al. and neural-style use to minimise style-transfer losses. Our own code,
 * because neither ND4J, SameDiff nor DJL offers one for SameDiff (see
 * {@code docs/decisions/0004-own-lbfgs.md}).
 *
 * <p>The search direction comes from the two-loop recursion over the last {@code m} pairs
 * (s, y), scaled by γ = s·y / y·y (Nocedal and Wright eq. 7.20). Every vector stays an
 * {@link INDArray}; only dot products and norms come back as doubles. A direction that is
 * not a descent direction clears the history and restarts along the negative gradient; a
 * pair with s·y ≤ 0 is skipped. If the objective turns non-finite, the last finite iterate
 * is returned with {@link StopReason#NON_FINITE}.
 *
 * <p><b>Bounds</b> ({@link Builder#optBounds}): a projected L-BFGS keeps every variable in
 * [lower, upper] at every evaluation. Variables at a bound whose gradient pushes them out are
 * held fixed; the direction is L-BFGS-B's quasi-Newton step in the other (free) variables,
 * −(B_FF)⁻¹ g_F with B in its compact representation ({@link SubspaceStep}), taken from x
 * rather than from L-BFGS-B's Cauchy point; the point it leads to is projected onto the box,
 * and the line search runs along the segment to that point, never past it (the first
 * iteration's segment ends at the projected steepest-descent point, as L-BFGS-B's Cauchy point
 * does with an identity model). A pair joins the history when s·y > ε (−g·s), L-BFGS-B's test.
 * If the step is not a descent direction the history is cleared and the projected steepest
 * descent taken. Convergence is judged on the projected gradient P(x − g) − x. The choice
 * against the Cauchy point, and the comparison with SciPy's L-BFGS-B, are in
 * {@code docs/decisions/0008-bounded-lbfgs.md}.
 *
 * <p>Defaults: history 100 (as neural-style), 1000 iterations, 1250 evaluations, gradient
 * tolerance 1e-7 and change tolerance 1e-9 (as PyTorch's {@code LBFGS}), first step
 * min(1, 1/|g|₁) then 1; no bounds.
 */
public final class Lbfgs implements Optimizer {
    static {
        // Choose ND4J's native build before this class can start ND4J.
        io.github.style4j.core.backend.NativeBuildSelector.select();
    }

    private final int history;
    private final int maxIterations;
    private final int maxEvaluations;
    private final double gradientTolerance;
    private final double changeTolerance;
    private final List<OptimizationListener> listeners;
    private final java.util.function.BooleanSupplier stopWhen;
    private final Consumer<WolfeCheck> lineSearchObserver;
    private final int checkpointEvery;
    private final Consumer<OptimizerState> checkpointSink;
    private final double lower;
    private final double upper;

    /** The double-precision machine epsilon, as L-BFGS-B's curvature test uses it. */
    private static final double EPSILON = Math.ulp(1.0);

    /** What a line search accepted, for tests that check the Wolfe conditions. */
    record WolfeCheck(double f0, double gtd0, double step, double f, double gtd, boolean claimedWolfe) {
    }

    private Lbfgs(Builder builder) {
        this.history = builder.history;
        this.maxIterations = builder.maxIterations;
        this.maxEvaluations = builder.maxEvaluations;
        this.gradientTolerance = builder.gradientTolerance;
        this.changeTolerance = builder.changeTolerance;
        this.listeners = List.copyOf(builder.listeners);
        this.stopWhen = builder.stopWhen;
        this.lineSearchObserver = builder.lineSearchObserver;
        this.checkpointEvery = builder.checkpointEvery;
        this.checkpointSink = builder.checkpointSink;
        this.lower = builder.lower;
        this.upper = builder.upper;
    }

    private boolean bounded() {
        return lower > Double.NEGATIVE_INFINITY || upper < Double.POSITIVE_INFINITY;
    }

    /** Clamps {@code v} into the box, in place. */
    private INDArray project(INDArray v) {
        if (lower > Double.NEGATIVE_INFINITY) {
            Transforms.max(v, lower, false);
        }
        if (upper < Double.POSITIVE_INFINITY) {
            Transforms.min(v, upper, false);
        }
        return v;
    }

    // The bounded steps below work on host copies of x, g and d (a few image-sized arrays on the
    // Java heap in the image's precision, collected by the GC): the same steps in ND4J ops made
    // about a dozen image-sized off-heap temporaries an iteration, which held the README run's
    // resident memory at 2.3 GB instead of 1.2 GB and cost 25 ms an iteration.

    /**
     * The gradient with the entries of held variables set to zero, where a held variable sits
     * at a bound that its gradient pushes it against; {@code held} receives which are held.
     */
    private INDArray freeGradient(HostVector x, HostVector g, boolean[] held, INDArray like) {
        HostVector free = HostVector.zerosLike(like);
        for (int i = 0; i < held.length; i++) {
            double xi = x.get(i);
            double gi = g.get(i);
            held[i] = xi <= lower && gi > 0 || xi >= upper && gi < 0;
            if (!held[i]) {
                free.set(i, gi);
            }
        }
        return free.toArray();
    }

    /**
     * The step from x to the box's nearest point to x + d (held variables not moving), written
     * into {@code d}: feasible for every step length in [0, 1].
     */
    private INDArray feasibleDirection(HostVector x, INDArray d, boolean[] held) {
        HostVector step = HostVector.of(d);
        d.close(); // a temporary of the caller's, replaced by the result
        for (int i = 0; i < held.length; i++) {
            double xi = x.get(i);
            step.set(i, held[i] ? 0 : Math.min(upper, Math.max(lower, xi + step.get(i))) - xi);
        }
        return step.toArray();
    }

    /**
     * The size of the gradient, projected when bounded (zero exactly at a stationary point of
     * the bounded problem: P(x − g) − x): {largest entry, Euclidean norm}. Bounded, from the host
     * copies of x and g that the next iteration uses too.
     */
    private double[] gradientSize(INDArray g, HostVector xHost, HostVector gHost) {
        if (!bounded()) {
            return new double[] {g.amaxNumber().doubleValue(), g.norm2Number().doubleValue()};
        }
        double largest = 0;
        double sum = 0;
        for (int i = 0; i < xHost.length(); i++) {
            double xi = xHost.get(i);
            double v = Math.min(upper, Math.max(lower, xi - gHost.get(i))) - xi;
            largest = Math.max(largest, Math.abs(v));
            sum += v * v;
        }
        return new double[] {largest, Math.sqrt(sum)};
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public OptimizationResult minimize(Objective objective, INDArray initial) {
        io.github.style4j.core.backend.Backend.start();
        long[] shape = initial.shape();
        INDArray x = project(initial.dup().reshape(initial.length()));
        Evaluation evaluation = objective.evaluate(x.reshape(shape));
        if (!evaluation.isFinite()) {
            return result(x, shape, evaluation.loss(), 0, 1, StopReason.NON_FINITE,
                    "the objective is not finite at the starting point");
        }
        INDArray g = evaluation.gradient().reshape(x.length()).dup();
        evaluation.gradient().close();
        if (gradientSize(g, bounded() ? HostVector.of(x) : null, bounded() ? HostVector.of(g) : null)[0] <= gradientTolerance) {
            return result(x, shape, evaluation.loss(), 0, 1, StopReason.GRADIENT_TOLERANCE,
                    "the starting point is stationary");
        }
        return run(objective, shape, x, g, evaluation.loss(), new ArrayDeque<>(), new ArrayDeque<>(), 1, 0, 1);
    }

    @Override
    public OptimizationResult resume(Objective objective, OptimizerState state) {
        io.github.style4j.core.backend.Backend.start();
        if (!(state instanceof OptimizerState.Lbfgs saved)) {
            throw new IllegalArgumentException("L-BFGS cannot resume from a " + state.getClass().getSimpleName()
                    + " checkpoint; resume with the optimiser that wrote it");
        }
        long[] shape = saved.parameters().shape();
        long n = saved.parameters().length();
        Deque<INDArray[]> pairs = new ArrayDeque<>();
        Deque<Double> rhos = new ArrayDeque<>();
        for (int i = 0; i < saved.s().size(); i++) {
            pairs.addLast(new INDArray[] {saved.s().get(i).dup().reshape(n), saved.y().get(i).dup().reshape(n)});
            rhos.addLast(saved.rho().get(i));
        }
        return run(objective, shape, saved.parameters().dup().reshape(n), saved.gradient().dup().reshape(n),
                saved.loss(), pairs, rhos, saved.gamma(), saved.iteration(), saved.evaluations());
    }

    private OptimizationResult run(Objective objective, long[] shape, INDArray x, INDArray g, double f,
                                   Deque<INDArray[]> pairs, Deque<Double> rhos, double gamma, int done,
                                   int evaluationsSoFar) {
        long start = System.nanoTime();
        Objective flat = p -> objective.evaluate(p.reshape(shape));
        int evaluations = evaluationsSoFar;
        StrongWolfeLineSearch lineSearch = new StrongWolfeLineSearch(flat, changeTolerance);
        boolean bounded = bounded();
        SubspaceStep subspace = bounded ? new SubspaceStep(history) : null;
        // Host copies of x and g for the bounded steps, made once per iteration.
        HostVector xHost = bounded ? HostVector.of(x) : null;
        HostVector gHost = bounded ? HostVector.of(g) : null;
        for (int iteration = done + 1; iteration <= maxIterations; iteration++) {
            boolean[] held = bounded ? new boolean[(int) x.length()] : null;
            INDArray free = bounded ? freeGradient(xHost, gHost, held, g) : g;
            INDArray d = bounded ? subspace.direction(free, held, pairs, gamma) : direction(free, pairs, rhos, gamma);
            if (d != null && bounded) {
                d = feasibleDirection(xHost, d, held);
            }
            double gtd = d == null ? Double.NaN : Nd4j.getBlasWrapper().dot(g, d);
            if (!(gtd < -changeTolerance)) {
                pairs.clear();
                rhos.clear();
                gamma = 1;
                if (d != null) {
                    d.close();
                }
                d = bounded ? feasibleDirection(xHost, free.neg(), held) : g.neg();
                gtd = Nd4j.getBlasWrapper().dot(g, d);
                if (!(gtd < 0)) {
                    return result(x, shape, f, iteration - 1, evaluations, StopReason.GRADIENT_TOLERANCE,
                            "no feasible descent direction: every variable that could lower the loss is at a bound");
                }
            }
            // Bounded: the segment ends at the projected point, so a step of 1 is the longest allowed.
            double t = bounded || iteration > 1 ? 1 : Math.min(1, 1 / g.norm1Number().doubleValue());
            StrongWolfeLineSearch.Result step = lineSearch.search(x, f, gtd, d, t,
                    bounded ? 1 : Double.POSITIVE_INFINITY);
            if (step == null) {
                evaluations += lineSearch.evaluations();
                if (lineSearch.sawNonFinite()) {
                    return result(x, shape, f, iteration - 1, evaluations, StopReason.NON_FINITE,
                            "the objective became NaN or infinite along the search direction at iteration "
                                    + iteration + "; returning the last iterate where it was finite");
                }
                return result(x, shape, f, iteration - 1, evaluations, StopReason.LINE_SEARCH_FAILED,
                        "the line search found no point lower than the current one; returning the current iterate");
            }
            evaluations += step.evaluations();
            if (lineSearchObserver != null) {
                lineSearchObserver.accept(new WolfeCheck(f, gtd, step.step(), step.evaluation().loss(),
                        step.directionalDerivative(), step.wolfe()));
            }
            INDArray s = step.point().sub(x);
            double stepLength = s.norm2Number().doubleValue();
            double stepLargest = s.amaxNumber().doubleValue();
            INDArray gNew = step.evaluation().gradient().reshape(x.length()).dup();
            step.evaluation().gradient().close(); // copied into gNew
            d.close();
            if (free != g) {
                free.close();
            }
            INDArray y = gNew.sub(g);
            double ys = Nd4j.getBlasWrapper().dot(y, s);
            // Unbounded, PyTorch's rule (s·y > 1e-10); bounded, L-BFGS-B's, relative to the
            // step's descent, so that the small steps near a bounded optimum still update.
            // g·s is t (g·d): the line search's point is x + t d.
            if (bounded ? ys > EPSILON * -(step.step() * gtd) : ys > 1e-10) {
                if (pairs.size() == history) {
                    for (INDArray dropped : pairs.removeFirst()) {
                        dropped.close();
                    }
                    rhos.removeFirst();
                }
                pairs.addLast(new INDArray[] {s, y});
                rhos.addLast(1 / ys);
                gamma = ys / Nd4j.getBlasWrapper().dot(y, y);
            } else {
                s.close();
                y.close();
            }
            double fOld = f;
            x = bounded ? project(step.point()) : step.point(); // x + d may round an ulp past a bound
            g.close(); // our own copy; nothing else holds it
            g = gNew;
            f = step.evaluation().loss();
            if (bounded) {
                xHost = HostVector.of(x);
                gHost = HostVector.of(g);
            }
            double[] gradientSize = gradientSize(g, xHost, gHost);
            StepReport report = new StepReport(iteration, f, step.evaluation().terms(), gradientSize[1],
                    stepLength, evaluations, Duration.ofNanos(System.nanoTime() - start));
            for (OptimizationListener listener : listeners) {
                listener.onStep(report, x.reshape(shape));
            }
            if (checkpointEvery > 0 && iteration % checkpointEvery == 0) {
                checkpointSink.accept(state(x, g, f, pairs, rhos, gamma, iteration, evaluations, shape));
                if (bounded) {
                    // A run resumed from here sums over held variables afresh; so does this one,
                    // so that both take the same steps to the last bit.
                    subspace.resetHeldSums();
                }
            }
            if (gradientSize[0] <= gradientTolerance) {
                return result(x, shape, f, iteration, evaluations, StopReason.GRADIENT_TOLERANCE,
                        (bounded ? "projected gradient below " : "gradient below ") + gradientTolerance);
            }
            if (stepLargest <= changeTolerance || Math.abs(f - fOld) < changeTolerance) {
                return result(x, shape, f, iteration, evaluations, StopReason.CHANGE_TOLERANCE,
                        "loss and step changed less than " + changeTolerance);
            }
            if (evaluations >= maxEvaluations) {
                return result(x, shape, f, iteration, evaluations, StopReason.MAX_EVALUATIONS,
                        "used " + evaluations + " of " + maxEvaluations + " evaluations");
            }
            if (iteration < maxIterations && stopWhen.getAsBoolean()) {
                return result(x, shape, f, iteration, evaluations, StopReason.STOPPED,
                        "stopped on request after iteration " + iteration);
            }
        }
        return result(x, shape, f, maxIterations, evaluations, StopReason.MAX_ITERATIONS,
                "ran " + maxIterations + " iterations");
    }

    private static OptimizerState.Lbfgs state(INDArray x, INDArray g, double f, Deque<INDArray[]> pairs,
                                              Deque<Double> rhos, double gamma, int iteration, int evaluations,
                                              long[] shape) {
        List<INDArray> s = new ArrayList<>();
        List<INDArray> y = new ArrayList<>();
        for (INDArray[] pair : pairs) {
            s.add(pair[0]);
            y.add(pair[1]);
        }
        return new OptimizerState.Lbfgs(x.reshape(shape), g.reshape(shape), f, s, y, new ArrayList<>(rhos), gamma,
                iteration, evaluations);
    }

    /**
     * The two-loop recursion: -H g, with H the L-BFGS inverse-Hessian approximation. BLAS dot and
     * axpy, in place: the history holds up to 2m image-sized vectors, and one temporary per pair
     * and iteration would be gigabytes of garbage an iteration at large sizes.
     */
    private static INDArray direction(INDArray g, Deque<INDArray[]> pairs, Deque<Double> rhos, double gamma) {
        BlasWrapper blas = Nd4j.getBlasWrapper();
        INDArray q = g.neg();
        int k = pairs.size();
        double[] alphas = new double[k];
        Iterator<INDArray[]> newestFirst = pairs.descendingIterator();
        Iterator<Double> rhoNewestFirst = rhos.descendingIterator();
        for (int i = k - 1; i >= 0; i--) {
            INDArray[] pair = newestFirst.next();
            double rho = rhoNewestFirst.next();
            alphas[i] = rho * blas.dot(pair[0], q);
            blas.axpy(-alphas[i], pair[1], q);
        }
        q.muli(gamma);
        Iterator<INDArray[]> oldestFirst = pairs.iterator();
        Iterator<Double> rhoOldestFirst = rhos.iterator();
        for (int i = 0; i < k; i++) {
            INDArray[] pair = oldestFirst.next();
            double beta = rhoOldestFirst.next() * blas.dot(pair[1], q);
            blas.axpy(alphas[i] - beta, pair[0], q);
        }
        return q;
    }

    private static OptimizationResult result(INDArray x, long[] shape, double f, int iterations, int evaluations,
                                             StopReason reason, String message) {
        return new OptimizationResult(x.reshape(shape).dup(), f, iterations, evaluations, reason, message);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Lbfgs[history=%d, maxIterations=%d, maxEvaluations=%d, "
                + "gradientTolerance=%g, changeTolerance=%g, lineSearch=strong Wolfe (c1=%g, c2=%g)%s]", history,
                maxIterations, maxEvaluations, gradientTolerance, changeTolerance, StrongWolfeLineSearch.C1,
                StrongWolfeLineSearch.C2, bounded() ? ", bounds=[" + lower + ", " + upper + "]" : "");
    }

    /** Builder for {@link Lbfgs}; every setting is optional. */
    public static final class Builder {
        private int history = 100;
        private int maxIterations = 1000;
        private int maxEvaluations = 1250;
        private double gradientTolerance = 1e-7;
        private double changeTolerance = 1e-9;
        private final List<OptimizationListener> listeners = new ArrayList<>();
        private java.util.function.BooleanSupplier stopWhen = () -> false;
        private Consumer<WolfeCheck> lineSearchObserver;
        private int checkpointEvery;
        private Consumer<OptimizerState> checkpointSink;
        private double lower = Double.NEGATIVE_INFINITY;
        private double upper = Double.POSITIVE_INFINITY;

        private Builder() {
        }

        /**
         * Keeps every variable in [lower, upper] (either may be infinite) at every evaluation:
         * projected L-BFGS, see the class documentation. Default: unbounded.
         */
        public Builder optBounds(double lower, double upper) {
            this.lower = lower;
            this.upper = upper;
            return this;
        }

        /** Hands the full state to {@code sink} every {@code every} iterations (0: never). */
        public Builder optCheckpoints(int every, Consumer<OptimizerState> sink) {
            this.checkpointEvery = every;
            this.checkpointSink = sink;
            return this;
        }

        /** Pairs (s, y) kept: memory is 2 x history x parameters (default 100). */
        public Builder optHistory(int history) {
            this.history = history;
            return this;
        }

        public Builder optMaxIterations(int maxIterations) {
            this.maxIterations = maxIterations;
            return this;
        }

        /** Objective evaluations allowed, line-search trials included (default 1250). */
        public Builder optMaxEvaluations(int maxEvaluations) {
            this.maxEvaluations = maxEvaluations;
            return this;
        }

        /** Stop when the gradient's largest entry is at most this (default 1e-7). */
        public Builder optGradientTolerance(double gradientTolerance) {
            this.gradientTolerance = gradientTolerance;
            return this;
        }

        /** Stop when the loss or the step's largest entry changes less than this (default 1e-9). */
        public Builder optChangeTolerance(double changeTolerance) {
            this.changeTolerance = changeTolerance;
            return this;
        }

        /**
         * Asked after every iteration (after the listeners): true ends the run there with
         * {@link StopReason#STOPPED}. For a stop from another thread (a Stop button).
         */
        public Builder optStopWhen(java.util.function.BooleanSupplier stopWhen) {
            this.stopWhen = java.util.Objects.requireNonNull(stopWhen, "stopWhen");
            return this;
        }

        public Builder addListener(OptimizationListener listener) {
            listeners.add(listener);
            return this;
        }

        Builder lineSearchObserver(Consumer<WolfeCheck> observer) {
            this.lineSearchObserver = observer;
            return this;
        }

        public Lbfgs build() {
            if (history < 1 || maxIterations < 1 || maxEvaluations < 1) {
                throw new IllegalArgumentException("history, maxIterations and maxEvaluations must be at least 1, got "
                        + history + ", " + maxIterations + ", " + maxEvaluations);
            }
            if (!(lower < upper) || Double.isNaN(lower) || Double.isNaN(upper)) {
                throw new IllegalArgumentException("bounds must satisfy lower < upper, got [" + lower + ", " + upper + "]");
            }
            if (!(gradientTolerance >= 0 && changeTolerance >= 0)) {
                throw new IllegalArgumentException("tolerances must be non-negative");
            }
            if (checkpointEvery < 0 || (checkpointEvery > 0 && checkpointSink == null)) {
                throw new IllegalArgumentException("checkpoints need every >= 1 and a sink");
            }
            return new Lbfgs(this);
        }
    }
}
