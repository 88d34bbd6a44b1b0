package io.github.style4j.samediff.fast;

import io.github.style4j.samediff.loss.ContentLoss;
import io.github.style4j.samediff.loss.LossArrays;
import io.github.style4j.samediff.loss.Losses;
import io.github.style4j.samediff.loss.PerceptualLoss;
import io.github.style4j.samediff.loss.StyleLoss;
import io.github.style4j.samediff.loss.TotalVariationLoss;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.network.FeaturePass;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One training step's loss and gradients, op by op: the transformer's traced forward pass, the
 * frozen loss network as an eager {@link FeaturePass} (forward to the taps, backward to the
 * image only: no weight gradients for a network that does not learn), the losses in their
 * array forms per photo, and the transformer's backward pass. The same objective as the
 * SameDiff graph it replaced (the tests compare the gradients): over a batch of B photos,
 * {@code (1/B) Σ_b [w_c content_b + w_s style_b + w_tv 255² tv_b]}.
 */
final class TrainingStep implements AutoCloseable {
    private final TransformerPass transformer;
    private final FeaturePass lossPass;
    private final FeaturePass contentPass;
    private final Map<String, Double> contentLayers;
    private final StyleLoss style;
    private final PerceptualLoss tv;
    private final double contentWeight;
    private final double styleWeight;
    private final double tvWeight;
    /** Gradient accumulators, kept across steps (allocating costs as much as computing here). */
    private final Map<String, INDArray> tapGradients = new LinkedHashMap<>();
    private INDArray imageGradient;

    /** What a step computed: the weighted terms (and total) and every variable's gradient. */
    record Result(Map<String, Double> terms, Map<String, INDArray> gradients) {
    }

    /**
     * @param values the transformer's variables, float c-order arrays updated in place between steps
     * @param style  the style term (its array form, batch 1, is used per photo)
     */
    TrainingStep(TransformerNetwork network, Map<String, INDArray> values, FeatureNetwork lossNetwork,
                 Map<String, Double> contentLayers, StyleLoss style, double contentWeight, double styleWeight,
                 double tvWeight) {
        this.transformer = new TransformerPass(network, values, false);
        Set<String> layers = new LinkedHashSet<>(contentLayers.keySet());
        layers.addAll(style.layers());
        this.lossPass = lossNetwork.pass(new ArrayList<>(layers));
        this.contentPass = lossNetwork.pass(new ArrayList<>(contentLayers.keySet()));
        this.contentLayers = Map.copyOf(contentLayers);
        this.style = style;
        this.tv = TotalVariationLoss.of("tv_raw", TotalVariationLoss.Form.NEURAL_STYLE, 3);
        this.contentWeight = contentWeight;
        this.styleWeight = styleWeight;
        // neural-style's TV on its 0-255 scale, as an optimisation run weighs it
        this.tvWeight = tvWeight * 255 * 255;
    }

    Result run(INDArray photos) {
        long batch = photos.size(0);
        Map<String, INDArray> contentTargets = contentPass.forward(photos);
        Map<String, Double> terms = new LinkedHashMap<>();
        for (String name : List.of(FastStyleTrainer.CONTENT, FastStyleTrainer.STYLE, FastStyleTrainer.TV,
                FastStyleTrainer.TOTAL)) {
            terms.put(name, 0.0);
        }
        try (TransformerPass.Trace trace = transformer.forwardTraced(photos)) {
            INDArray stylised = trace.result();
            Map<String, INDArray> taps = lossPass.forward(stylised);
            taps.forEach((layer, tap) -> tapGradients.put(layer, reuse(tapGradients.get(layer), tap)));
            imageGradient = reuse(imageGradient, stylised);
            for (long index = 0; index < batch; index++) {
                long b = index;
                Map<String, INDArray> targets = new LinkedHashMap<>();
                contentTargets.forEach((layer, target) -> targets.put(layer, sample(target, b)));
                ContentLoss.Builder content = ContentLoss.builder().optName("content_raw").setTargets(targets);
                contentLayers.forEach(content::addLayer);
                PerceptualLoss total = Losses.sum(FastStyleTrainer.TOTAL, List.of(
                        Losses.weighted(FastStyleTrainer.CONTENT, contentWeight, content.build()),
                        Losses.weighted(FastStyleTrainer.STYLE, styleWeight, style),
                        Losses.weighted(FastStyleTrainer.TV, tvWeight, tv)));
                Map<String, INDArray> sampleTaps = new LinkedHashMap<>();
                Map<String, INDArray> sampleGradients = new LinkedHashMap<>();
                taps.forEach((layer, tap) -> {
                    sampleTaps.put(layer, sample(tap, b));
                    sampleGradients.put(layer, sample(tapGradients.get(layer), b));
                });
                Map<String, Double> values = new LinkedHashMap<>();
                total.arrays().orElseThrow().evaluate(new LossArrays(sample(stylised, b), sampleTaps,
                        sample(imageGradient, b), sampleGradients), 1.0 / batch, values);
                terms.replaceAll((name, sum) -> sum + values.get(name) / batch);
            }
            INDArray gradient = lossPass.backward(tapGradients).addi(imageGradient); // the pass's own array
            return new Result(terms, transformer.backward(trace, gradient));
        }
    }

    /** {@code previous} zeroed if it has {@code like}'s shape, else a new zero array of it. */
    private static INDArray reuse(INDArray previous, INDArray like) {
        if (previous != null && java.util.Arrays.equals(previous.shape(), like.shape())) {
            return previous.assign(0);
        }
        return Nd4j.zeros(like.dataType(), like.shape());
    }

    /** Sample {@code b} of a batch, {@code [1, ...]}: a view. */
    private static INDArray sample(INDArray batch, long b) {
        return batch.get(NDArrayIndex.interval(b, b + 1));
    }

    @Override
    public void close() {
        lossPass.close();
        contentPass.close();
    }
}
