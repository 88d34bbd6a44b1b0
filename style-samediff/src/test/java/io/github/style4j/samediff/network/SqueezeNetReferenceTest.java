package io.github.style4j.samediff.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.Resizing;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.tensor.ImageTensors;
import io.github.style4j.core.tensor.NpyFiles;
import io.github.style4j.core.tensor.Preprocessing;
import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.samediff.weights.WeightSource;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The real SqueezeNet 1.1 ImageNet weights from {@code ../shared/models} against references
 * we did not write: the ONNX model zoo's input/output pair, and a photo of a cat.
 */
@Tag("shared")
class SqueezeNetReferenceTest {
    private static NetworkWeights weights() throws Exception {
        return WeightSource.npyFolder(SharedFiles.require("models/squeezenet1.1")).load(Architecture.SQUEEZENET);
    }

    @Test
    void reproducesTheOnnxModelZooLogits() throws Exception {
        Path data = SharedFiles.require("models/squeezenet1.1/test_data_set_0");
        INDArray input = NpyFiles.read(data.resolve("input_0.npy"));
        INDArray expected = NpyFiles.read(data.resolve("output_0.npy"));
        // The reference input is fed exactly as stored, without normalisation.
        FeatureNetwork network = FeatureNetwork.builder().setWeights(weights().withPreprocessing(Preprocessing.NONE))
                .build();
        INDArray logits = network.activations(input, List.of("logits")).get("logits");
        assertArrayEquals(expected.shape(), logits.shape());
        double error = logits.sub(expected).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
        assertTrue(error < 1e-4, "max relative error " + error);
        assertEquals(490, logits.argMax(1).getInt(0));
    }

    @Test
    void chelseaIsACat() throws Exception {
        RgbImage photo = ImageReader.defaults().read(SharedFiles.image("chelsea.png"));
        // Shorter side 224, as ImageNet models are evaluated; SqueezeNet takes any size.
        double factor = 224.0 / Math.min(photo.width(), photo.height());
        RgbImage scaled = Resizing.scale(photo, factor);
        FeatureNetwork network = FeatureNetwork.builder().setWeights(weights()).build();
        INDArray logits = network.activations(ImageTensors.toTensor(scaled), List.of("logits")).get("logits");
        int predicted = logits.argMax(1).getInt(0);
        // ImageNet 281-285: tabby, tiger cat, Persian, Siamese, Egyptian cat.
        assertTrue(predicted >= 281 && predicted <= 285, "predicted ImageNet class " + predicted);
    }
}
