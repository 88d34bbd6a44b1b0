package io.github.style4j.samediff.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.tensor.NpyFiles;
import io.github.style4j.core.tensor.Preprocessing;
import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.network.NetworkWeights;
import io.github.style4j.samediff.transfer.StyleTransfer;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The real SqueezeNet 1.1 weights as each ecosystem's own writer saved them
 * ({@code ../shared/models/squeezenet1.1/formats}: torch.save, torch.onnx.export, h5py in Keras'
 * layout) against the {@code .npy} folder of the same weights and the ONNX model zoo's logits.
 */
@Tag("shared")
class SharedWeightFormatsTest {
    private static NetworkWeights npy;
    private static INDArray input;
    private static INDArray expectedLogits;
    private static INDArray npyLogits;

    @BeforeAll
    static void reference() throws Exception {
        npy = WeightSource.npyFolder(SharedFiles.require("models/squeezenet1.1")).load(Architecture.SQUEEZENET);
        Path data = SharedFiles.require("models/squeezenet1.1/test_data_set_0");
        input = NpyFiles.read(data.resolve("input_0.npy"));
        expectedLogits = NpyFiles.read(data.resolve("output_0.npy"));
        npyLogits = logits(npy);
    }

    private static INDArray logits(NetworkWeights weights) {
        FeatureNetwork network = FeatureNetwork.builder().setWeights(weights.withPreprocessing(Preprocessing.NONE))
                .build();
        return network.activations(input, List.of("logits")).get("logits");
    }

    private static double relativeError(INDArray actual, INDArray expected) {
        return actual.sub(expected).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"squeezenet1_1.pth", "squeezenet1_1.onnx", "squeezenet1_1_keras.h5"})
    void eachFormatHoldsTheNpyFoldersNumbersAndGivesItsLogits(String name) throws Exception {
        Path file = SharedFiles.require("models/squeezenet1.1/formats/" + name);
        NetworkWeights weights = WeightSource.of(file).load(null);
        assertEquals(Architecture.SQUEEZENET, weights.architecture());
        assertEquals(Preprocessing.TORCHVISION, weights.preprocessing(), "the fixtures are torchvision weights");
        assertTrue(weights.ceilModePooling(), "torchvision's SqueezeNet pools in ceil mode");
        for (int i = 0; i < npy.convolutions().size(); i++) {
            assertEquals(npy.convolutions().get(i).weight(), weights.convolutions().get(i).weight(),
                    "kernel " + i + " (" + weights.convolutions().get(i).source() + ")");
            assertEquals(npy.convolutions().get(i).bias(), weights.convolutions().get(i).bias(), "bias " + i);
        }
        INDArray logits = logits(weights);
        assertTrue(relativeError(logits, npyLogits) <= 1e-5, "vs the .npy folder: " + relativeError(logits, npyLogits));
        assertTrue(relativeError(logits, expectedLogits) <= 1e-4, "vs the model zoo: "
                + relativeError(logits, expectedLogits));
    }

    @ParameterizedTest
    @ValueSource(strings = {"squeezenet1_1.pth", "squeezenet1_1.onnx", "squeezenet1_1_keras.h5"})
    void fixturesAreRecognisedByTheirPublishedHash(String name) throws Exception {
        try (WeightFile file = WeightFile.open(SharedFiles.require("models/squeezenet1.1/formats/" + name))) {
            assertEquals(name, file.knownFile().orElseThrow().fileName());
        }
    }

    /** The same seed and settings give the same picture whichever file the weights came from. */
    @org.junit.jupiter.api.Test
    void everyFormatPaintsTheSamePicture() throws Exception {
        float[] reference = picture(WeightSource.npyFolder(SharedFiles.require("models/squeezenet1.1")));
        for (String name : List.of("squeezenet1_1.pth", "squeezenet1_1.onnx", "squeezenet1_1_keras.h5")) {
            float[] picture = picture(WeightSource.of(SharedFiles.require("models/squeezenet1.1/formats/" + name)));
            org.junit.jupiter.api.Assertions.assertArrayEquals(reference, picture, name);
        }
    }

    private static float[] picture(WeightSource weights) throws Exception {
        StyleTransferConfig config = StyleTransferConfig.builder().setContentImage(SharedFiles.image("chelsea.png"))
                .addStyleImage(SharedFiles.image("starry_night.jpg")).optNetwork(Architecture.SQUEEZENET)
                .optWeights(weights).optImageSize(40).optIterations(3).optSeed(5).build();
        return new StyleTransfer(config).run().image().rgb();
    }

    @org.junit.jupiter.api.Test
    void aConfigTakesItsNetworkFromTheWeightsFile() throws Exception {
        StyleTransferConfig config = StyleTransferConfig.builder().setContentImage(SharedFiles.image("chelsea.png"))
                .addStyleImage(SharedFiles.image("starry_night.jpg"))
                .optWeights(WeightSource.of(SharedFiles.require("models/squeezenet1.1/formats/squeezenet1_1_keras.h5")))
                .build();
        assertEquals(Architecture.SQUEEZENET, config.architecture());
        assertEquals(StyleTransferConfig.defaultStyleLayers(Architecture.SQUEEZENET).keySet(),
                config.styleLayers().keySet());
    }

    @org.junit.jupiter.api.Test
    void aConvertedFolderLoadsTheSameNumbers(@TempDir Path dir) throws Exception {
        Path file = SharedFiles.require("models/squeezenet1.1/formats/squeezenet1_1.pth");
        Path folder = dir.resolve("converted");
        NpyWeightFolders.write(WeightSource.of(file).load(null), folder, file.getFileName().toString());
        NetworkWeights converted = WeightSource.of(folder).load(null);
        assertEquals(Preprocessing.TORCHVISION, converted.preprocessing());
        assertTrue(converted.ceilModePooling());
        for (int i = 0; i < npy.convolutions().size(); i++) {
            assertEquals(npy.convolutions().get(i).weight(), converted.convolutions().get(i).weight());
        }
    }
}
