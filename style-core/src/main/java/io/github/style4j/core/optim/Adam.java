package io.github.style4j.core.optim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;

/**
 * Adam (Kingma and Ba 2015) through ND4J's own {@code AdamUpdater}: moments live in one ND4J
 * state array on the device, and each step is ND4J's in-place update, with no copy of the
 * parameters to the host.
 *
 * <p>ND4J's form (as TensorFlow's) puts epsilon outside the bias correction:
 * {@code x -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)}, which differs from the
 * paper's {@code m_hat / (sqrt(v_hat) + eps)} only in how large epsilon effectively is.
 * Defaults are ND4J's and the paper's: learning rate 0.001, beta1 0.9, beta2 0.999,
 * epsilon 1e-8; 1000 iterations; no clamping.
 */
public final class Adam implements Optimizer {
    static {
        // Choose ND4J's native build before this class can start ND4J.
        io.github.style4j.core.backend.NativeBuildSelector.select();
    }

    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final int maxIterations;
    private final double clampMin;
    private final double clampMax;
    private final List<OptimizationListener> listeners;
    private final java.util.function.BooleanSupplier stopWhen;
    private final int checkpointEvery;
    private final java.util.function.Consumer<OptimizerState> checkpointSink;

    private Adam(Builder builder) {
        this.learningRate = builder.learningRate;
        this.beta1 = builder.beta1;
        this.beta2 = builder.beta2;
        this.epsilon = builder.epsilon;
        this.maxIterations = builder.maxIterations;
        this.clampMin = builder.clampMin;
        this.clampMax = builder.clampMax;
        this.listeners = List.copyOf(builder.listeners);
        this.stopWhen = builder.stopWhen;
        this.checkpointEvery = builder.checkpointEvery;
        this.checkpointSink = builder.checkpointSink;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public OptimizationResult minimize(Objective objective, INDArray initial) {
        io.github.style4j.core.backend.Backend.start();
        INDArray x = initial.dup();
        Evaluation evaluation = objective.evaluate(x);
        if (!evaluation.isFinite()) {
            return new OptimizationResult(x, evaluation.loss(), 0, 1, StopReason.NON_FINITE,
                    "the objective is not finite at the starting point");
        }
        INDArray moments = Nd4j.zeros(x.dataType(), 1, 2 * x.length());
        return run(objective, x, evaluation, moments, 0, 1);
    }

    @Override
    public OptimizationResult resume(Objective objective, OptimizerState state) {
        io.github.style4j.core.backend.Backend.start();
        if (!(state instanceof OptimizerState.Adam adam)) {
            throw new IllegalArgumentException("Adam cannot resume from a " + state.getClass().getSimpleName()
                    + " checkpoint; resume with the optimiser that wrote it");
        }
        INDArray x = adam.parameters().dup();
        // The gradient at the checkpointed point is recomputed: one extra, identical evaluation.
        Evaluation evaluation = objective.evaluate(x);
        return run(objective, x, evaluation, adam.moments().dup(), adam.iteration(), adam.evaluations() + 1);
    }

    private OptimizationResult run(Objective objective, INDArray x, Evaluation evaluation, INDArray moments,
                                   int done, int evaluationsSoFar) {
        long start = System.nanoTime();
        INDArray previous = x.dup();
        org.nd4j.linalg.learning.config.Adam config = new org.nd4j.linalg.learning.config.Adam(learningRate, beta1,
                beta2, epsilon);
        GradientUpdater<?> updater = config.instantiate(moments, false);
        double lastLoss = evaluation.loss();
        int evaluations = evaluationsSoFar;
        for (int iteration = done + 1; iteration <= maxIterations; iteration++) {
            previous.assign(x);
            // The step is formed in the gradient itself (the caller owns it: Objective), which is
            // then freed: no image-sized copy per iteration.
            INDArray gradient = evaluation.gradient();
            INDArray update = gradient.reshape(x.shape());
            updater.applyUpdater(update, iteration - 1, 0);
            x.subi(update);
            free(gradient);
            clamp(x);
            evaluation = objective.evaluate(x);
            evaluations++;
            if (!evaluation.isFinite()) {
                return new OptimizationResult(previous, lastLoss, iteration - 1, evaluations, StopReason.NON_FINITE,
                        "the objective became " + evaluation.loss() + " at iteration " + iteration
                                + "; returning the last point where it was finite");
            }
            lastLoss = evaluation.loss();
            double stepLength = x.distance2(previous);
            StepReport report = new StepReport(iteration, evaluation.loss(), evaluation.terms(),
                    evaluation.gradient().norm2Number().doubleValue(), stepLength, evaluations,
                    Duration.ofNanos(System.nanoTime() - start));
            for (OptimizationListener listener : listeners) {
                listener.onStep(report, x);
            }
            if (checkpointEvery > 0 && iteration % checkpointEvery == 0) {
                checkpointSink.accept(new OptimizerState.Adam(x, moments, lastLoss, iteration, evaluations));
            }
            if (iteration < maxIterations && stopWhen.getAsBoolean()) {
                return new OptimizationResult(x, lastLoss, iteration, evaluations, StopReason.STOPPED,
                        "stopped on request after iteration " + iteration);
            }
        }
        return new OptimizationResult(x, lastLoss, maxIterations, evaluations, StopReason.MAX_ITERATIONS,
                "ran " + maxIterations + " iterations");
    }

    private static void free(INDArray array) {
        if (array.closeable() && !array.wasClosed()) {
            array.close();
        }
    }

    private void clamp(INDArray x) {
        if (clampMin > Double.NEGATIVE_INFINITY || clampMax < Double.POSITIVE_INFINITY) {
            org.nd4j.linalg.ops.transforms.Transforms.max(x, clampMin, false);
            org.nd4j.linalg.ops.transforms.Transforms.min(x, clampMax, false);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Adam[learningRate=%g, beta1=%g, beta2=%g, epsilon=%g, maxIterations=%d%s]",
                learningRate, beta1, beta2, epsilon, maxIterations,
                clampMin > Double.NEGATIVE_INFINITY || clampMax < Double.POSITIVE_INFINITY
                        ? String.format(Locale.ROOT, ", clamp=[%g, %g]", clampMin, clampMax) : "");
    }

    /** Builder for {@link Adam}; every setting is optional. */
    public static final class Builder {
        private double learningRate = 1e-3;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private int maxIterations = 1000;
        private double clampMin = Double.NEGATIVE_INFINITY;
        private double clampMax = Double.POSITIVE_INFINITY;
        private final List<OptimizationListener> listeners = new ArrayList<>();
        private java.util.function.BooleanSupplier stopWhen = () -> false;
        private int checkpointEvery;
        private java.util.function.Consumer<OptimizerState> checkpointSink;

        private Builder() {
        }

        /** Hands the full state to {@code sink} every {@code every} iterations (0: never). */
        public Builder optCheckpoints(int every, java.util.function.Consumer<OptimizerState> sink) {
            this.checkpointEvery = every;
            this.checkpointSink = sink;
            return this;
        }

        public Builder optLearningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public Builder optBetas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        public Builder optEpsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        public Builder optMaxIterations(int maxIterations) {
            this.maxIterations = maxIterations;
            return this;
        }

        /** Clamp the parameters to [min, max] after every step (e.g. [0, 1] for an image). */
        public Builder optClamp(double min, double max) {
            this.clampMin = min;
            this.clampMax = max;
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

        public Adam build() {
            if (!(learningRate > 0)) {
                throw new IllegalArgumentException("learningRate must be positive, got " + learningRate);
            }
            if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(epsilon > 0)) {
                throw new IllegalArgumentException("epsilon must be positive, got " + epsilon);
            }
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations must be at least 1, got " + maxIterations);
            }
            if (!(clampMin < clampMax)) {
                throw new IllegalArgumentException("clamp range must have min < max, got [" + clampMin + ", "
                        + clampMax + "]");
            }
            if (checkpointEvery < 0 || (checkpointEvery > 0 && checkpointSink == null)) {
                throw new IllegalArgumentException("checkpoints need every >= 1 and a sink");
            }
            return new Adam(this);
        }
    }
}
