package io.github.style4j.samediff.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.image.Resizing;
import io.github.style4j.core.tensor.ImageTensors;
import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.samediff.loss.StyleTargets;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the README promises about a transfer's settings, each checked against something
 * outside the engine: init from any image, blend weights, style scale, colour-statistics
 * preservation, and one transfer at a time per instance.
 */
@Tag("shared")
class ReadmeClaimsTest {
    private static StyleTransferConfig.Builder small() {
        return StyleTransferConfig.builder().setContentImage(SharedFiles.image("chelsea.png"))
                .addStyleImage(SharedFiles.image("starry_night.jpg")).optNetwork(Architecture.SQUEEZENET)
                .optWeights(WeightSource.npyFolder(SharedFiles.require("models/squeezenet1.1")))
                .optImageSize(48).optIterations(3).optInit(StyleTransferConfig.Init.CONTENT);
    }

    @Test
    void initFromAnyImageStartsThere() throws Exception {
        // The content file as the init image is the content init, exactly; another image is not.
        RgbImage fromContent = new StyleTransfer(small().build()).run().image();
        RgbImage fromContentFile = new StyleTransfer(small().setInitImage(SharedFiles.image("chelsea.png")).build())
                .run().image();
        RgbImage fromCoffee = new StyleTransfer(small().setInitImage(SharedFiles.image("coffee.png")).build())
                .run().image();
        assertArrayEquals(fromContent.rgb(), fromContentFile.rgb());
        RgbImage coffee = Resizing.resize(ImageReader.defaults().read(SharedFiles.image("coffee.png")).withoutAlpha(),
                fromCoffee.width(), fromCoffee.height());
        assertTrue(meanAbsDifference(fromCoffee, coffee) < meanAbsDifference(fromContent, coffee),
                "three iterations from the coffee photo stay nearer to it than a run from the cat");
    }

    @Test
    void blendWeightsOfOneAndZeroEqualThatStyleAlone() throws Exception {
        RgbImage starryAlone = new StyleTransfer(small().build()).run().image();
        RgbImage screamAlone = new StyleTransfer(StyleTransferConfig.builder().setContentImage(
                SharedFiles.image("chelsea.png")).addStyleImage(SharedFiles.image("the_scream.jpg"))
                .optNetwork(Architecture.SQUEEZENET).optWeights(WeightSource.npyFolder(
                        SharedFiles.require("models/squeezenet1.1"))).optImageSize(48).optIterations(3)
                .optInit(StyleTransferConfig.Init.CONTENT).build()).run().image();
        StyleTransferConfig.Builder both = small().addStyleImage(SharedFiles.image("the_scream.jpg"));
        assertArrayEquals(starryAlone.rgb(), new StyleTransfer(both.optStyleBlendWeights(List.of(1.0, 0.0)).build())
                .run().image().rgb(), "weights 1, 0: the first style alone");
        assertArrayEquals(screamAlone.rgb(), new StyleTransfer(both.optStyleBlendWeights(List.of(0.0, 2.0)).build())
                .run().image().rgb(), "weights 0, 2: the second style alone");
    }

    /**
     * The style loss at the content image, computed here from the public pieces: the style image
     * resized so that its longer side is styleScale times the content's, Gram matrices of both,
     * and neural-style's normalisation 1/C² · mean((Ĝ − Â)²) with the default layer weights.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.5, 1.0, 2.0})
    void styleScaleResizesTheStyleImageRelativeToTheImage(double scale) throws Exception {
        StyleTransferConfig config = small().optStyleScale(scale).optIterations(1).build();
        double reported = new StyleTransfer(config).run().termsAtContent().get("style");
        double expected = styleLossAtContent(config, scale);
        assertEquals(expected, reported, 1e-3 * expected, "style scale " + scale);
        double unscaled = styleLossAtContent(config, 1.0);
        if (scale != 1.0) {
            assertTrue(Math.abs(expected - unscaled) > 0.05 * unscaled,
                    "the check must tell the scales apart: " + expected + " vs " + unscaled);
        }
    }

    private static double styleLossAtContent(StyleTransferConfig config, double scale) throws Exception {
        FeatureNetwork network = FeatureNetwork.builder().setWeights(config.weights().load(Architecture.SQUEEZENET))
                .build();
        RgbImage content = Resizing.fitToMaxSide(ImageReader.defaults().read(config.contentImage()).withoutAlpha(),
                config.imageSize());
        RgbImage style = ImageReader.defaults().read(config.styleImages().get(0)).withoutAlpha();
        int styleSide = (int) Math.max(16, Math.round(Math.max(content.width(), content.height()) * scale));
        Map<String, Double> layers = config.styleLayers();
        Map<String, INDArray> target = StyleTargets.fromImage(network,
                ImageTensors.toTensor(Resizing.fitToMaxSide(style, styleSide)), layers.keySet()).grams();
        Map<String, INDArray> atContent = StyleTargets.fromImage(network, ImageTensors.toTensor(content),
                layers.keySet()).grams();
        double sum = 0;
        for (var layer : layers.entrySet()) {
            INDArray difference = atContent.get(layer.getKey()).sub(target.get(layer.getKey()));
            long c = difference.size(0);
            double meanSquare = difference.mul(difference).sumNumber().doubleValue() / (c * c);
            sum += layer.getValue() * meanSquare / (c * c);
        }
        return config.styleWeight() * sum;
    }

    @Test
    void colourStatisticsPreservationKeepsTheContentsPalette() throws Exception {
        StyleTransferConfig.Builder builder = small().optIterations(20).optInit(StyleTransferConfig.Init.RANDOM);
        RgbImage plain = new StyleTransfer(builder.build()).run().image();
        RgbImage preserved = new StyleTransfer(builder.optColourPreservation(
                StyleTransferConfig.ColourPreservation.STATISTICS).build()).run().image();
        double[] content = channelMeans(ImageReader.defaults().read(SharedFiles.image("chelsea.png")));
        double[] starry = channelMeans(ImageReader.defaults().read(SharedFiles.image("starry_night.jpg")));
        // Starry night is blue; the cat photo is not: the preserved run's colours follow the photo.
        assertTrue(distance(channelMeans(preserved), content) < distance(channelMeans(plain), content),
                "preserved " + java.util.Arrays.toString(channelMeans(preserved)) + ", plain "
                        + java.util.Arrays.toString(channelMeans(plain)) + ", content "
                        + java.util.Arrays.toString(content));
        assertTrue(distance(channelMeans(preserved), starry) > distance(channelMeans(plain), starry));
    }

    @Test
    void oneInstanceRunsOneTransferAtATime() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StyleTransfer transfer = new StyleTransfer(small().build()).addListener(progress -> {
            inside.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<StyleTransferResult> first = thread.submit(transfer::run);
            assertTrue(inside.await(60, TimeUnit.SECONDS), "the first run reached its first step");
            var second = assertThrows(IllegalStateException.class, transfer::run);
            assertTrue(second.getMessage().contains("one transfer at a time"), second.getMessage());
            release.countDown();
            assertEquals(48, first.get(120, TimeUnit.SECONDS).image().width());
            assertEquals(48, transfer.run().image().width(), "and the next run after it is fine");
        } finally {
            release.countDown();
            thread.shutdownNow();
        }
    }

    private static double meanAbsDifference(RgbImage a, RgbImage b) {
        float[] x = a.rgb();
        float[] y = b.rgb();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += Math.abs(x[i] - y[i]);
        }
        return sum / x.length;
    }

    private static double[] channelMeans(RgbImage image) {
        float[] rgb = image.rgb();
        int n = image.width() * image.height();
        double[] means = new double[3];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < n; i++) {
                means[c] += rgb[c * n + i] / (double) n;
            }
        }
        return means;
    }

    private static double distance(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(sum);
    }
}
