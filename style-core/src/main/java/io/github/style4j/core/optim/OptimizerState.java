package io.github.style4j.core.optim;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything an optimiser needs to continue exactly where it was: what a checkpoint holds.
 * The arrays handed to a checkpoint sink are the optimiser's own, valid during the call:
 * write or copy them there.
 */
public sealed interface OptimizerState permits OptimizerState.Lbfgs, OptimizerState.Adam {
    /** Iterations completed. */
    int iteration();

    /** Objective evaluations made. */
    int evaluations();

    /** Loss at {@link #parameters()}. */
    double loss();

    INDArray parameters();

    /**
     * L-BFGS: the iterate, its gradient and loss, the (s, y) history oldest first with
     * ρ = 1 / yᵀs, and the scaling γ.
     */
    record Lbfgs(INDArray parameters, INDArray gradient, double loss, List<INDArray> s, List<INDArray> y,
                 List<Double> rho, double gamma, int iteration, int evaluations) implements OptimizerState {
        public Lbfgs {
            if (s.size() != y.size() || s.size() != rho.size()) {
                throw new IllegalArgumentException("history lists differ in length: " + s.size() + ", " + y.size()
                        + ", " + rho.size());
            }
            s = List.copyOf(s);
            y = List.copyOf(y);
            rho = List.copyOf(rho);
        }
    }

    /**
     * Adam: the iterate, its loss, and ND4J's updater state (first and second moments, in memory
     * or in a file: {@link AdamMoments}).
     */
    record Adam(INDArray parameters, AdamMoments moments, double loss, int iteration, int evaluations)
            implements OptimizerState {
        public Adam {
            java.util.Objects.requireNonNull(moments, "moments");
        }

        /** The state with its moments in memory. */
        public Adam(INDArray parameters, INDArray moments, double loss, int iteration, int evaluations) {
            this(parameters, new AdamMoments.InMemory(moments), loss, iteration, evaluations);
        }
    }
}
