package io.github.style4j.samediff.transfer;

import io.github.style4j.core.optim.Evaluation;
import io.github.style4j.core.optim.Objective;
import io.github.style4j.samediff.QuietGradients;
import io.github.style4j.samediff.loss.ArrayLoss;
import io.github.style4j.samediff.loss.LossArrays;
import io.github.style4j.samediff.loss.LossInputs;
import io.github.style4j.samediff.loss.PerceptualLoss;
import io.github.style4j.samediff.network.FeatureGraph;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.network.FeaturePass;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A perceptual loss of an image as an {@link Objective}, split where the work is: the network
 * runs as an eager {@link FeaturePass} (forward to the taps, backward to the image only); the
 * loss runs directly on the arrays where every module in it has an {@link ArrayLoss} form
 * (content, Gram style, total variation and their sums and weightings, batch 1), and
 * otherwise as a small SameDiff graph whose variables are the image and the taps. Each
 * evaluation: network forward; loss value and its gradient for every tap and for the image
 * directly (e.g. total variation); network backward; sum.
 *
 * <p>Computes what {@link SameDiffObjective} computes on the whole graph (the tests compare
 * them) in about half the time and memory. Not thread-safe. {@link #close} frees its arrays
 * at once.
 */
public final class FeaturePassObjective implements Objective, AutoCloseable {
    private static final String FEATURE_SCOPE = "features/";

    /** The network pass; null for a loss that reads no layer (total variation alone, a pixel loss). */
    private final FeaturePass pass;
    private final org.nd4j.linalg.api.buffer.DataType dataType;
    private final String total;
    private final List<String> terms;
    private final long[] imageShape;
    private final LossSide loss;
    private long evaluations;
    private long networkNanos;
    private long lossNanos;
    private long totalNanos;

    /**
     * @param network the feature network
     * @param loss    the loss to minimise (its {@link PerceptualLoss#name()} is the total)
     * @param terms   names of scalar terms inside {@code loss} to report (may be empty)
     * @param start   an image of the size every evaluation will use, {@code [1, 3, H, W]}
     */
    public FeaturePassObjective(FeatureNetwork network, PerceptualLoss loss, List<String> terms, INDArray start) {
        this(network, loss, terms, start, true);
    }

    /** As above; {@code arraysWhereAvailable = false} always runs the SameDiff loss graph (for tests). */
    FeaturePassObjective(FeatureNetwork network, PerceptualLoss loss, List<String> terms, INDArray start,
                         boolean arraysWhereAvailable) {
        this.pass = loss.layers().isEmpty() ? null : network.pass(new ArrayList<>(loss.layers()));
        this.dataType = network.dataType();
        this.total = loss.name();
        this.terms = List.copyOf(terms);
        this.imageShape = start.shape();
        Map<String, INDArray> taps = pass == null ? Map.of() : pass.forward(start);
        java.util.Optional<ArrayLoss> direct = start.size(0) == 1 && arraysWhereAvailable ? loss.arrays()
                : java.util.Optional.empty();
        this.loss = direct.isPresent() ? new DirectLoss(direct.get(), taps, start)
                : new GraphLoss(loss, this.terms, taps, start.castTo(network.dataType()));
    }

    /** True when the loss runs on arrays, false when it runs as a SameDiff graph. */
    boolean runsOnArrays() {
        return loss instanceof DirectLoss;
    }

    @Override
    public Evaluation evaluate(INDArray parameters) {
        checkShape(imageShape, parameters);
        long start = System.nanoTime();
        Map<String, INDArray> taps = pass == null ? Map.of() : pass.forward(parameters);
        long lossStart = System.nanoTime();
        Map<String, Double> values = new LinkedHashMap<>();
        double value = loss.evaluate(parameters, taps, values);
        long lossDone = System.nanoTime();
        INDArray gradient = pass == null ? Nd4j.zeros(dataType, imageShape) : pass.backward(loss.tapGradients()).dup();
        long backwardDone = System.nanoTime();
        INDArray imageGradient = loss.imageGradient();
        if (imageGradient != null) {
            gradient.addi(imageGradient);
        }
        Map<String, Double> reported = reported(terms, values);
        loss.done();
        evaluations++;
        networkNanos += (lossStart - start) + (backwardDone - lossDone);
        lossNanos += lossDone - lossStart;
        totalNanos += System.nanoTime() - start;
        return new Evaluation(value, gradient, reported);
    }

    /** Refuses an image of another shape than the objective was built for. */
    static void checkShape(long[] imageShape, INDArray parameters) {
        if (!java.util.Arrays.equals(parameters.shape(), imageShape)) {
            throw new IllegalArgumentException("this objective was built for images " + java.util.Arrays.toString(imageShape)
                    + ", got " + java.util.Arrays.toString(parameters.shape()));
        }
    }

    /** The named terms' values, in order; an unknown name is an error listing the known ones. */
    static Map<String, Double> reported(List<String> terms, Map<String, Double> values) {
        Map<String, Double> reported = new LinkedHashMap<>();
        for (String term : terms) {
            Double termValue = values.get(term);
            if (termValue == null) {
                throw new IllegalArgumentException("no term named '" + term + "' in the loss; it has " + values.keySet());
            }
            reported.put(term, termValue);
        }
        return reported;
    }

    /** Arrays the loss graph's pool has allocated (0 on arrays): stops growing once evaluations reuse them. */
    int pooledArrays() {
        return loss instanceof GraphLoss graph ? graph.arrays.allocated() : 0;
    }

    /** Where this objective's evaluations have spent their time so far. */
    public EvaluationTimes times() {
        return new EvaluationTimes(evaluations, java.time.Duration.ofNanos(networkNanos),
                java.time.Duration.ofNanos(lossNanos), java.time.Duration.ofNanos(totalNanos));
    }

    /** Frees the network pass's and the loss's arrays; the objective cannot be used again. */
    @Override
    public void close() {
        if (pass != null) {
            pass.close();
        }
        loss.close();
    }

    @Override
    public String toString() {
        return "FeaturePassObjective[" + total + ", " + (pass == null ? "no network" : pass) + (runsOnArrays() ? ", loss on arrays" : ", loss graph")
                + "]";
    }

    /** The loss side of an evaluation: value, named values, and gradients for the taps and the image. */
    private interface LossSide extends AutoCloseable {
        /** Computes the loss at {@code image} with features {@code taps}; fills {@code values} by name. */
        double evaluate(INDArray image, Map<String, INDArray> taps, Map<String, Double> values);

        /** The gradient for each tap (null for taps the loss does not read), valid until {@link #done}. */
        Map<String, INDArray> tapGradients();

        /** The gradient for the image directly, or null. */
        INDArray imageGradient();

        /** The evaluation's results have been read. */
        void done();

        @Override
        void close();
    }

    /** The loss's {@link ArrayLoss} form, with gradient accumulators allocated once. */
    private static final class DirectLoss implements LossSide {
        private final ArrayLoss loss;
        private final Map<String, INDArray> tapGradients = new LinkedHashMap<>();
        private final INDArray imageGradient;

        DirectLoss(ArrayLoss loss, Map<String, INDArray> taps, INDArray image) {
            this.loss = loss;
            taps.forEach((layer, tap) -> tapGradients.put(layer, Nd4j.create(tap.dataType(), tap.shape())));
            this.imageGradient = Nd4j.create(image.dataType(), image.shape());
        }

        @Override
        public double evaluate(INDArray image, Map<String, INDArray> taps, Map<String, Double> values) {
            tapGradients.values().forEach(gradient -> gradient.assign(0));
            imageGradient.assign(0);
            return loss.evaluate(new LossArrays(image, taps, imageGradient, tapGradients), 1.0, values);
        }

        @Override
        public Map<String, INDArray> tapGradients() {
            return tapGradients;
        }

        @Override
        public INDArray imageGradient() {
            return imageGradient;
        }

        @Override
        public void done() {
        }

        @Override
        public void close() {
            tapGradients.values().forEach(INDArray::close);
            imageGradient.close();
        }
    }

    /** The loss as a SameDiff graph on variables holding the image and the taps. */
    private static final class GraphLoss implements LossSide {
        private final SameDiff sd = SameDiff.create();
        private final String total;
        private final List<String> outputs = new ArrayList<>();
        private final List<String> gradientVariables = new ArrayList<>();
        private final Map<String, String> tapVariables = new LinkedHashMap<>();
        private final boolean imageUsed;
        private final ArrayPool arrays = new ArrayPool();
        private OutAndGrad result;

        GraphLoss(PerceptualLoss loss, List<String> terms, Map<String, INDArray> taps, INDArray image) {
            this.total = loss.name();
            SDVariable imageVariable = sd.var(FeatureGraph.IMAGE, image.dup());
            Map<String, SDVariable> features = new LinkedHashMap<>();
            taps.forEach((layer, tap) -> {
                String name = FEATURE_SCOPE + layer;
                features.put(layer, sd.var(name, tap));
                tapVariables.put(layer, name);
            });
            loss.define(sd, new LossInputs(imageVariable, features)).markAsLoss();
            for (String name : tapVariables.values()) {
                if (isUsed(name)) {
                    gradientVariables.add(name);
                }
            }
            imageUsed = isUsed(FeatureGraph.IMAGE);
            if (imageUsed) {
                gradientVariables.add(FeatureGraph.IMAGE);
            }
            outputs.addAll(terms);
            if (!outputs.contains(total)) {
                outputs.add(total);
            }
            QuietGradients.createGradFunction(sd);
        }

        private boolean isUsed(String variable) {
            Variable v = sd.getVariables().get(variable);
            return v != null && v.getInputsForOp() != null && !v.getInputsForOp().isEmpty();
        }

        /**
         * Puts the pool into this thread's sessions (SameDiff keeps one per thread and graph,
         * made on first use with its default memory manager).
         */
        private void usePool() {
            arrays.useIn(sd);
        }

        @Override
        public double evaluate(INDArray image, Map<String, INDArray> taps, Map<String, Double> values) {
            // The pass reuses its arrays: the variables already hold them unless a shape changed.
            taps.forEach((layer, tap) -> {
                SDVariable variable = sd.getVariable(tapVariables.get(layer));
                if (variable.getArr() != tap) {
                    variable.setArray(tap);
                }
            });
            sd.getVariable(FeatureGraph.IMAGE).getArr().assign(image);
            usePool();
            result = sd.calculateGradientsAndOutputs(Map.of(), outputs, gradientVariables);
            result.getOutputs().forEach((name, value) -> {
                if (value != null && value.length() == 1) {
                    values.put(name, value.getDouble(0));
                }
            });
            return result.getOutputs().get(total).getDouble(0);
        }

        @Override
        public Map<String, INDArray> tapGradients() {
            Map<String, INDArray> gradients = new LinkedHashMap<>();
            tapVariables.forEach((layer, name) -> gradients.put(layer, result.getGradients().get(name)));
            return gradients;
        }

        @Override
        public INDArray imageGradient() {
            return imageUsed ? result.getGradients().get(FeatureGraph.IMAGE) : null;
        }

        @Override
        public void done() {
            // Everything the loss graph computed has been read: the next evaluation reuses the arrays.
            result = null;
            arrays.recycleAll();
        }

        @Override
        public void close() {
            arrays.close();
        }
    }
}
