package io.github.style4j.samediff.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.samediff.QuietGradients;
import io.github.style4j.samediff.loss.ContentLoss;
import io.github.style4j.samediff.loss.GramNormalization;
import io.github.style4j.samediff.loss.LossInputs;
import io.github.style4j.samediff.loss.Losses;
import io.github.style4j.samediff.loss.PerceptualLoss;
import io.github.style4j.samediff.loss.StyleLoss;
import io.github.style4j.samediff.loss.StyleTargets;
import io.github.style4j.samediff.loss.TotalVariationLoss;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.network.FeaturePass;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The eager training step against the whole objective as one SameDiff graph (the transformer,
 * the loss network and style4j's loss modules, differentiated by SameDiff): the same terms and
 * the same gradient for every transformer variable, on a batch of two photos.
 */
class TrainingStepTest {
    @Test
    void termsAndGradientsEqualTheGraphsOnABatch() throws Exception {
        FeatureNetwork network = FeatureNetwork.builder().setWeights(WeightSource.npyFolder(
                SharedFiles.require("models/squeezenet1.1")).load(Architecture.SQUEEZENET)).build();
        Map<String, Double> contentLayers = Map.of("fire4", 1.0);
        Map<String, Double> styleLayers = new LinkedHashMap<>();
        styleLayers.put("relu1", 1000.0);
        styleLayers.put("fire3", 100.0);
        double contentWeight = 100;
        double styleWeight = 3e4;
        double tvWeight = 1e-5;
        Nd4j.getRandom().setSeed(4);
        INDArray photos = Nd4j.rand(DataType.FLOAT, 2, 3, 48, 48);
        INDArray style = Nd4j.rand(DataType.FLOAT, 1, 3, 40, 40);
        TransformerNetwork transformer = TransformerNetwork.of(4, 1);
        Map<String, INDArray> values = transformer.initialVariables(9, DataType.FLOAT);
        StyleTargets targets = StyleTargets.fromImages(network, List.of(style), new double[] {1},
                styleLayers.keySet());

        // The reference: the objective as one graph, as the trainer built it before.
        SameDiff sd = SameDiff.create();
        SDVariable stylised = transformer.define(sd, sd.placeHolder("photo", DataType.FLOAT, -1, 3, 48, 48), values);
        Set<String> layers = new LinkedHashSet<>(contentLayers.keySet());
        layers.addAll(styleLayers.keySet());
        Map<String, SDVariable> taps = network.define(sd, stylised, new ArrayList<>(layers));
        ContentLoss.Builder content = ContentLoss.builder().optName("content_raw").setTargetsPerBatch();
        contentLayers.forEach(content::addLayer);
        ContentLoss contentLoss = content.build();
        StyleLoss.Builder styleBuilder = StyleLoss.builder().optName("style_raw")
                .optNormalization(GramNormalization.CHW).setTargets(targets);
        styleLayers.forEach(styleBuilder::addLayer);
        StyleLoss styleLoss = styleBuilder.build();
        PerceptualLoss total = Losses.sum(FastStyleTrainer.TOTAL, List.of(
                Losses.weighted(FastStyleTrainer.CONTENT, contentWeight, contentLoss),
                Losses.weighted(FastStyleTrainer.STYLE, styleWeight, styleLoss),
                Losses.weighted(FastStyleTrainer.TV, tvWeight * 255 * 255 / 2,
                        TotalVariationLoss.of("tv_raw", TotalVariationLoss.Form.NEURAL_STYLE, 3))));
        total.define(sd, new LossInputs(stylised, taps)).markAsLoss();
        QuietGradients.createGradFunction(sd);
        Map<String, INDArray> feed = new LinkedHashMap<>();
        feed.put("photo", photos);
        try (FeaturePass contentPass = network.pass(new ArrayList<>(contentLayers.keySet()))) {
            contentPass.forward(photos).forEach((layer, target) -> feed.put(contentLoss.targetPlaceholder(layer),
                    target.dup()));
        }
        List<String> names = transformer.variableShapes().keySet().stream().map(TransformerNetwork::variableName)
                .toList();
        var expected = sd.calculateGradientsAndOutputs(feed, List.of(FastStyleTrainer.CONTENT, FastStyleTrainer.STYLE,
                FastStyleTrainer.TV), names);

        try (TrainingStep step = new TrainingStep(transformer, values, network, contentLayers, styleLoss,
                contentWeight, styleWeight, tvWeight)) {
            TrainingStep.Result result = step.run(photos);
            for (String term : List.of(FastStyleTrainer.CONTENT, FastStyleTrainer.STYLE, FastStyleTrainer.TV)) {
                double want = expected.getOutputs().get(term).getDouble(0);
                assertEquals(want, result.terms().get(term), 1e-4 * Math.abs(want), term);
            }
            // Sums over positions that cancel (the shifts of layers followed by another normalisation
            // get gradients near zero) are compared on the scale of the layer's weight gradient.
            for (String name : transformer.variableShapes().keySet()) {
                INDArray want = expected.getGradients().get(TransformerNetwork.variableName(name));
                INDArray got = result.gradients().get(name);
                String layer = name.substring(0, name.indexOf('/'));
                double scale = Math.max(want.amaxNumber().doubleValue(), 1e-2 * expected.getGradients()
                        .get(TransformerNetwork.variableName(layer + "/W")).amaxNumber().doubleValue());
                double error = got.sub(want).amaxNumber().doubleValue() / scale;
                assertTrue(error < 1e-4, name + ": relative error " + error + " (largest " + scale + ")");
            }
        }
    }
}
