package io.github.style4j.samediff.transfer;

import io.github.style4j.core.optim.Evaluation;
import io.github.style4j.core.optim.Objective;
import io.github.style4j.samediff.QuietGradients;
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
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A perceptual loss of an image as an {@link Objective}, split where the work is: the network
 * runs as an eager {@link FeaturePass} (forward to the taps, backward to the image only), and
 * the loss modules run in a small SameDiff graph whose variables are the image and the taps.
 * Each evaluation: network forward, loss forward and backward (SameDiff autodiff, giving the
 * loss's gradient for every tap and for the image directly, e.g. total variation), network
 * backward, sum.
 *
 * <p>Computes what {@link SameDiffObjective} computes on the whole graph (the tests compare
 * them) in about half the time and memory. Not thread-safe. {@link #close} frees its arrays
 * at once.
 */
public final class FeaturePassObjective implements Objective, AutoCloseable {
    private static final String FEATURE_SCOPE = "features/";

    private final FeaturePass pass;
    private final SameDiff sd;
    private final String total;
    private final List<String> terms;
    private final List<String> gradientVariables = new ArrayList<>();
    private final Map<String, String> tapVariables = new LinkedHashMap<>();
    private final boolean imageUsed;
    private final long[] imageShape;
    private final ArrayPool arrays = new ArrayPool();
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
        this.pass = network.pass(new ArrayList<>(loss.layers()));
        this.total = loss.name();
        this.terms = List.copyOf(terms);
        this.imageShape = start.shape();
        this.sd = SameDiff.create();
        SDVariable image = sd.var(FeatureGraph.IMAGE, start.castTo(network.dataType()).dup());
        Map<String, SDVariable> features = new LinkedHashMap<>();
        pass.forward(start).forEach((layer, tap) -> {
            String name = FEATURE_SCOPE + layer;
            features.put(layer, sd.var(name, tap));
            tapVariables.put(layer, name);
        });
        loss.define(sd, new LossInputs(image, features)).markAsLoss();
        for (String name : tapVariables.values()) {
            if (isUsed(name)) {
                gradientVariables.add(name);
            }
        }
        imageUsed = isUsed(FeatureGraph.IMAGE);
        if (imageUsed) {
            gradientVariables.add(FeatureGraph.IMAGE);
        }
        QuietGradients.createGradFunction(sd);
    }

    /**
     * Puts the pool into this thread's sessions (SameDiff keeps one per thread and graph, made
     * on first use with its default memory manager).
     */
    private void usePool() {
        for (SameDiff graph : java.util.Arrays.asList(sd, sd.getFunction("grad"))) {
            if (graph == null) {
                continue;
            }
            InferenceSession session = graph.getSessions()
                    .computeIfAbsent(Thread.currentThread().getId(), id -> new InferenceSession(graph));
            if (session.getMmgr() != arrays) {
                session.getMmgr().close();
                session.setMmgr(arrays);
            }
        }
    }

    private boolean isUsed(String variable) {
        Variable v = sd.getVariables().get(variable);
        return v != null && v.getInputsForOp() != null && !v.getInputsForOp().isEmpty();
    }

    @Override
    public Evaluation evaluate(INDArray parameters) {
        if (!java.util.Arrays.equals(parameters.shape(), imageShape)) {
            throw new IllegalArgumentException("this objective was built for images " + java.util.Arrays.toString(imageShape)
                    + ", got " + java.util.Arrays.toString(parameters.shape()));
        }
        long start = System.nanoTime();
        Map<String, INDArray> taps = pass.forward(parameters);
        long forwardDone = System.nanoTime();
        // The pass reuses its arrays: the variables already hold them unless a shape changed.
        taps.forEach((layer, tap) -> {
            SDVariable variable = sd.getVariable(tapVariables.get(layer));
            if (variable.getArr() != tap) {
                variable.setArray(tap);
            }
        });
        sd.getVariable(FeatureGraph.IMAGE).getArr().assign(parameters);
        List<String> outputs = new ArrayList<>(terms);
        outputs.add(total);
        long lossStart = System.nanoTime();
        usePool();
        OutAndGrad result = sd.calculateGradientsAndOutputs(Map.of(), outputs, gradientVariables);
        long lossDone = System.nanoTime();
        Map<String, INDArray> tapGradients = new LinkedHashMap<>();
        tapVariables.forEach((layer, name) -> tapGradients.put(layer, result.getGradients().get(name)));
        INDArray gradient = pass.backward(tapGradients);
        long backwardDone = System.nanoTime();
        gradient = gradient.dup();
        if (imageUsed) {
            gradient.addi(result.getGradients().get(FeatureGraph.IMAGE));
        }
        Map<String, Double> values = new LinkedHashMap<>();
        for (String term : terms) {
            values.put(term, result.getOutputs().get(term).getDouble(0));
        }
        Evaluation evaluation = new Evaluation(result.getOutputs().get(total).getDouble(0), gradient, values);
        // Everything the loss graph computed has been read: the next evaluation reuses the arrays.
        arrays.recycleAll();
        evaluations++;
        networkNanos += (forwardDone - start) + (backwardDone - lossDone);
        lossNanos += lossDone - lossStart;
        totalNanos += System.nanoTime() - start;
        return evaluation;
    }

    /** Arrays the loss graph's pool has allocated: stops growing once evaluations reuse them. */
    int pooledArrays() {
        return arrays.allocated();
    }

    /** Where this objective's evaluations have spent their time so far. */
    public EvaluationTimes times() {
        return new EvaluationTimes(evaluations, java.time.Duration.ofNanos(networkNanos),
                java.time.Duration.ofNanos(lossNanos), java.time.Duration.ofNanos(totalNanos));
    }

    /** Frees the network pass's and the loss graph's arrays; the objective cannot be used again. */
    @Override
    public void close() {
        pass.close();
        arrays.close();
    }

    @Override
    public String toString() {
        return "FeaturePassObjective[" + total + ", " + pass + "]";
    }
}
