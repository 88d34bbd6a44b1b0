package io.github.style4j.samediff.transfer;

import io.github.style4j.core.optim.Evaluation;
import io.github.style4j.samediff.loss.ArrayLoss;
import io.github.style4j.samediff.loss.LossArrays;
import io.github.style4j.samediff.loss.PerceptualLoss;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.network.FeaturePass;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each term's value and image gradient from one evaluation: one forward pass through the
 * network for all of them, then per term its loss on arrays and one backward pass. For
 * balancing weights (how hard does each term pull, and where?) without a graph per term:
 * <pre>{@code
 * Map<String, Evaluation> each = TermGradients.evaluate(network,
 *         Map.of("content", content, "style", style, "tv", tv), image);
 * each.get("style").gradient().norm2Number();
 * }</pre>
 * Terms must have an array form ({@link PerceptualLoss#arrays()}: content, Gram style, total
 * variation and their weighted sums), and the image is one {@code [1, 3, H, W]} RGB image.
 */
public final class TermGradients {
    private TermGradients() {
    }

    /**
     * @param terms loss modules by the name to report them under (their gradients add up to
     *              the gradient of their sum)
     * @return per name: the term's value, its image gradient ({@code [1, 3, H, W]}, a new array)
     *         and the named values inside it
     */
    public static Map<String, Evaluation> evaluate(FeatureNetwork network, Map<String, PerceptualLoss> terms,
                                                   INDArray image) {
        Map<String, ArrayLoss> arrayForms = new LinkedHashMap<>();
        Set<String> layers = new LinkedHashSet<>();
        terms.forEach((name, term) -> {
            arrayForms.put(name, term.arrays().orElseThrow(() -> new IllegalArgumentException("term '" + name
                    + "' (" + term + ") has no array form; TermGradients takes content, Gram style and total "
                    + "variation losses and their weighted sums")));
            layers.addAll(term.layers());
        });
        if (image.rank() != 4 || image.size(0) != 1 || image.size(1) != 3) {
            throw new IllegalArgumentException("expected one RGB image [1, 3, H, W], got "
                    + java.util.Arrays.toString(image.shape()));
        }
        Map<String, Evaluation> result = new LinkedHashMap<>();
        FeaturePass pass = layers.isEmpty() ? null : network.pass(new ArrayList<>(layers));
        try {
            Map<String, INDArray> taps = pass == null ? Map.of() : pass.forward(image);
            for (Map.Entry<String, ArrayLoss> term : arrayForms.entrySet()) {
                Map<String, INDArray> tapGradients = new LinkedHashMap<>();
                for (String layer : terms.get(term.getKey()).layers()) {
                    INDArray tap = taps.get(layer);
                    if (tap == null) {
                        throw new IllegalArgumentException("term '" + term.getKey() + "' reads layer '" + layer
                                + "'; name layers as the network does: " + taps.keySet());
                    }
                    tapGradients.put(layer, Nd4j.zeros(tap.dataType(), tap.shape()));
                }
                INDArray imageGradient = Nd4j.zeros(network.dataType(), image.shape());
                Map<String, Double> values = new LinkedHashMap<>();
                double value = term.getValue().evaluate(new LossArrays(image.castTo(network.dataType()), taps,
                        imageGradient, tapGradients), 1.0, values);
                INDArray gradient = tapGradients.isEmpty() ? imageGradient
                        : pass.backward(tapGradients).dup().addi(imageGradient);
                result.put(term.getKey(), new Evaluation(value, gradient, values));
            }
        } finally {
            if (pass != null) {
                pass.close();
            }
        }
        return result;
    }
}
