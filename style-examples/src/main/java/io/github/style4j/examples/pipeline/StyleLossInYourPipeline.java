package io.github.style4j.examples.pipeline;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.Resizing;
import io.github.style4j.core.tensor.ImageTensors;
import io.github.style4j.samediff.QuietGradients;
import io.github.style4j.samediff.loss.LossInputs;
import io.github.style4j.samediff.loss.StyleLoss;
import io.github.style4j.samediff.loss.StyleTargets;
import io.github.style4j.samediff.loss.TotalVariationLoss;
import io.github.style4j.samediff.loss.Losses;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.weights.WeightSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Adding a style loss to your own SameDiff pipeline: a tiny texture generator (two
 * convolutions over fixed noise) trained with SameDiff's own {@code fit} to paint in the style
 * of a picture. The style-specific part is four statements, marked below.
 *
 * <p>Run: {@code bin/run-java io.github.style4j.examples.pipeline.StyleLossInYourPipeline
 * [style.jpg] [weights folder] [steps] [output.png]} (defaults: starry_night.jpg and the
 * SqueezeNet weights in ../shared, 150 steps, texture.png).
 */
public final class StyleLossInYourPipeline {
    private StyleLossInYourPipeline() {
    }

    public static void main(String[] args) throws Exception {
        Path style = Path.of(args.length > 0 ? args[0] : "../shared/images/starry_night.jpg");
        Path weights = Path.of(args.length > 1 ? args[1] : "../shared/models/squeezenet1.1");
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 150;
        Path output = Path.of(args.length > 3 ? args[3] : "texture.png");
        int size = 96;

        // Your pipeline: a generator from noise to an RGB image in [0, 1].
        Nd4j.getRandom().setSeed(7);
        SameDiff sd = SameDiff.create();
        SDVariable noise = sd.placeHolder("noise", DataType.FLOAT, 1, 16, size, size);
        Conv2DConfig same3x3 = Conv2DConfig.builder().kH(3).kW(3).paddingMode(PaddingMode.SAME).dataFormat("NCHW").build();
        SDVariable hidden = sd.nn().relu(sd.cnn().conv2d(noise, sd.var("w1", Nd4j.randn(DataType.FLOAT, 3, 3, 16, 32)
                .muli(0.1)), sd.var("b1", Nd4j.zeros(DataType.FLOAT, 32)), same3x3), 0);
        SDVariable image = sd.nn().sigmoid("generated", sd.cnn().conv2d(hidden, sd.var("w2",
                Nd4j.randn(DataType.FLOAT, 3, 3, 32, 3).muli(0.1)), sd.var("b2", Nd4j.zeros(DataType.FLOAT, 3)), same3x3));

        // 1. A pretrained network whose weights are constants in your graph.
        FeatureNetwork network = FeatureNetwork.builder()
                .setWeights(WeightSource.npyFolder(weights).load(Architecture.SQUEEZENET)).build();
        // 2. Style targets, computed once from the picture.
        List<String> layers = List.of("relu1", "fire2", "fire3", "fire4");
        INDArray picture = ImageTensors.toTensor(Resizing.fitToMaxSide(ImageReader.defaults().read(style), 160));
        StyleLoss styleLoss = StyleLoss.builder().addLayer("relu1", 1000).addLayer("fire2", 300)
                .addLayer("fire3", 100).addLayer("fire4", 10)
                .setTargets(StyleTargets.fromImage(network, picture, layers)).build();
        // 3. The network on your generator's output, 4. the loss on its features.
        Map<String, SDVariable> features = network.define(sd, image, layers);
        Losses.sum("loss", List.of(Losses.weighted(3e4, styleLoss),
                        Losses.weighted(0.1, TotalVariationLoss.of(TotalVariationLoss.Form.SQUARED))))
                .define(sd, new LossInputs(image, features)).markAsLoss();

        // Train as you would any SameDiff graph: only w1, b1, w2, b2 are variables.
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(0.01)).dataSetFeatureMapping("noise")
                .markLabelsUnused().build());
        QuietGradients.createGradFunction(sd);
        DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, 1, 16, size, size), null);
        for (int step = 1; step <= steps; step++) {
            sd.fit(batch);
            if (step == 1 || step % 25 == 0 || step == steps) {
                double loss = sd.output(Map.of("noise", batch.getFeatures()), "loss").get("loss").getDouble(0);
                System.out.printf(Locale.ROOT, "step %4d  loss %.4g%n", step, loss);
            }
        }
        INDArray generated = sd.output(Map.of("noise", batch.getFeatures()), "generated").get("generated");
        ImageWriter.defaults().write(ImageTensors.toImage(generated), output);
        System.out.println("wrote " + output);
    }
}
