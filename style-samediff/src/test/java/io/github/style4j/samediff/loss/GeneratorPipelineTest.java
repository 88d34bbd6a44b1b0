package io.github.style4j.samediff.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.samediff.QuietGradients;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The use the loss modules exist for: someone's own SameDiff generator, with a style and a
 * perceptual content loss added in a few lines and trained by SameDiff's own {@code fit}.
 */
class GeneratorPipelineTest {
    @Test
    void aGeneratorLearnsWithStyleAndContentLosses() throws Exception {
        FeatureNetwork network = FeatureNetwork.builder()
                .setWeights(WeightSource.zooInit(3).load(Architecture.SQUEEZENET)).build();
        int size = 32;
        Nd4j.getRandom().setSeed(21);
        INDArray stripes = Nd4j.zeros(DataType.FLOAT, 1, 3, size, size);
        for (int x = 0; x < size; x += 4) {
            stripes.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                    org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(x, x + 2))
                    .assign(1);
        }
        INDArray dots = Nd4j.rand(DataType.FLOAT, 1, 3, 24, 24).gt(0.8).castTo(DataType.FLOAT);
        INDArray content = Nd4j.rand(DataType.FLOAT, 1, 3, size, size);

        // Targets once, from two style images of different sizes, blended 3:1.
        StyleLoss style = StyleLoss.builder().addLayer("relu1", 1).addLayer("fire2", 1)
                .setTargets(StyleTargets.fromImages(network, List.of(stripes, dots), new double[] {3, 1},
                        List.of("relu1", "fire2")))
                .build();
        ContentLoss perceptual = ContentLoss.builder().addLayer("fire3", 1)
                .setTargetsFromImage(network, content).build();

        // The user's generator: a 1x1 convolution of noise, squashed to [0, 1].
        SameDiff sd = SameDiff.create();
        SDVariable noise = sd.placeHolder("noise", DataType.FLOAT, 1, 8, size, size);
        SDVariable weights = sd.var("generator_W", Nd4j.randn(DataType.FLOAT, 1, 1, 8, 3).muli(0.3));
        SDVariable bias = sd.var("generator_b", Nd4j.zeros(DataType.FLOAT, 3));
        SDVariable image = sd.nn().sigmoid(sd.cnn().conv2d(noise, weights, bias,
                org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig.builder().kH(1).kW(1)
                        .dataFormat("NCHW").build()));

        // The two lines: features of the generated image, then the losses on them.
        Set<String> layers = new LinkedHashSet<>(style.layers());
        layers.addAll(perceptual.layers());
        Map<String, SDVariable> taps = network.define(sd, image, new ArrayList<>(layers));
        Losses.sum("total", List.of(Losses.weighted("style_weighted", 1e3, style), perceptual))
                .define(sd, new LossInputs(image, taps)).markAsLoss();

        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(0.05)).dataSetFeatureMapping("noise")
                .markLabelsUnused().build());
        INDArray noiseBatch = Nd4j.rand(DataType.FLOAT, 1, 8, size, size);
        double before = sd.output(Map.of("noise", noiseBatch), "total").get("total").getDouble(0);
        QuietGradients.createGradFunction(sd);
        DataSet data = new DataSet(noiseBatch, null);
        for (int step = 0; step < 15; step++) {
            sd.fit(data);
        }
        double after = sd.output(Map.of("noise", noiseBatch), "total").get("total").getDouble(0);
        assertTrue(after < 0.8 * before, "loss went from " + before + " to " + after);

        // Only the generator trained.
        long variables = sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE).count();
        assertEquals(2, variables);
    }
}
