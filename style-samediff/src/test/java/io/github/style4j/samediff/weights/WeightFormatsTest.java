package io.github.style4j.samediff.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.tensor.Preprocessing;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.ConvWeights;
import io.github.style4j.samediff.network.NetworkWeights;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * VGG files in each format's real layout, written by each ecosystem's own writer
 * ({@code src/test/resources/weights/make-weight-fixtures.py}: torch.save in both formats,
 * h5py in Keras 1 and Keras 2 naming, onnx.helper, protobuf with Caffe's field numbers). Their
 * values follow a formula this test recomputes by itself, so it checks names, order, kernel
 * layout and preprocessing against something the reader did not produce.
 */
class WeightFormatsTest {
    @TempDir
    Path dir;

    /** Unpacks a gzipped fixture into the temporary folder. */
    static Path fixture(String name, Path dir) throws IOException {
        Path target = dir.resolve(name.replaceAll("\\.gz$", ""));
        try (InputStream in = WeightFormatsTest.class.getResourceAsStream("/weights/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            try (InputStream unpacked = name.endsWith(".gz") ? new GZIPInputStream(in) : in) {
                Files.copy(unpacked, target);
            }
        }
        return target;
    }

    /** kernel[o, i, y, x] of the l-th convolution = l + o/1024 + (i % 3)/8 + y/32 + x/64 (see the script). */
    private static float[] expectedKernel(int l, int out, int in) {
        float[] values = new float[out * in * 9];
        int at = 0;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int y = 0; y < 3; y++) {
                    for (int x = 0; x < 3; x++) {
                        values[at++] = (float) (l + o / 1024.0 + (i % 3) / 8.0 + y / 32.0 + x / 64.0);
                    }
                }
            }
        }
        return values;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "vgg16-torchvision.pth.gz, VGG16, TORCHVISION, PYTORCH, features.0, features.28",
            "vgg19-torchvision-legacy.pth.gz, VGG19, TORCHVISION, PYTORCH_LEGACY, features.0, features.34",
            "vgg16-checkpoint.pth.gz, VGG16, TORCHVISION, PYTORCH, features.0, features.28",
            "vgg19-keras2.h5.gz, VGG19, CAFFE_BGR, KERAS_HDF5, block1_conv1, block5_conv4",
            "vgg16-keras1.h5.gz, VGG16, CAFFE_BGR, KERAS_HDF5, block1_conv1, block5_conv3",
            "vgg16-mxnet-names.onnx.gz, VGG16, TORCHVISION, ONNX, vgg0_conv0_weight, vgg0_conv12_weight",
            "vgg19-caffe-v1.caffemodel.gz, VGG19, CAFFE_BGR, CAFFE, conv1_1, conv5_4",
            "vgg16-caffe.caffemodel.gz, VGG16, CAFFE_BGR, CAFFE, conv1_1, conv5_3"})
    void readsEveryConvolutionInNetworkOrderWithItsConvention(String name, Architecture architecture,
            Preprocessing preprocessing, WeightFormat format, String first, String last) throws Exception {
        Path file = fixture(name, dir);
        try (WeightFile weightFile = WeightFile.open(file)) {
            assertEquals(format, weightFile.format());
            assertEquals(architecture, weightFile.architecture().orElseThrow());
            assertTrue(weightFile.knownFile().isEmpty());
            List<String> layers = weightFile.layers();
            assertEquals(first, layers.get(0));
            assertEquals(last, layers.get(layers.size() - 1));
        }
        NetworkWeights weights = WeightSource.of(file).load(null);
        assertEquals(architecture, weights.architecture());
        assertEquals(preprocessing, weights.preprocessing());
        List<long[]> shapes = architecture.convolutionShapes();
        for (int l = 1; l <= shapes.size(); l++) {
            ConvWeights conv = weights.convolutions().get(l - 1);
            int out = (int) shapes.get(l - 1)[0];
            int in = (int) shapes.get(l - 1)[1];
            assertArrayEquals(expectedKernel(l, out, in), conv.weight().dup('c').data().asFloat(),
                    "kernel of convolution " + l + " (" + conv.source() + ")");
            float[] bias = conv.bias().data().asFloat();
            for (int o = 0; o < out; o += 37) {
                assertEquals((float) (-l - o / 1024.0), bias[o], "bias " + o + " of convolution " + l);
            }
        }
    }

    /**
     * torch.save of a view with transposed strides and of a half-precision tensor, in both
     * PyTorch formats: values follow the strides and widen exactly.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"tiny.pth", "tiny-legacy.pth"})
    void stridedAndHalfPrecisionTensorsReadAsTorchWroteThem(String name) throws Exception {
        Path file = dir.resolve(name);
        try (InputStream in = WeightFormatsTest.class.getResourceAsStream(
                "/io/github/style4j/samediff/weights/WeightFileFuzzTestInputs/opensOrRefuses/" + name)) {
            Files.copy(in, file);
        }
        byte[] head = Files.readAllBytes(file);
        FileLayout layout = TorchWeights.looksLegacy(head)
                ? TorchWeights.readLegacy(java.nio.ByteBuffer.wrap(head), name) : TorchWeights.readZip(file);
        try (layout) {
            assertEquals(List.of("features.0", "features.2"),
                    layout.convolutions().stream().map(StoredConv::name).toList());
            StoredConv strided = layout.convolutions().get(1);
            assertArrayEquals(new long[] {2, 4, 3, 3}, strided.kernel().shape());
            assertArrayEquals(expectedKernel(2, 2, 4), strided.kernel().read().data().asFloat());
            float[] bias = strided.bias().read().data().asFloat();
            for (int o = 0; o < 2; o++) {
                // stored as float16: -2 - o/1024 rounded to 11 significant bits
                assertEquals(-2 - o / 1024.0, bias[o], 1.0 / 512, "bias " + o);
            }
            assertArrayEquals(expectedKernel(1, 4, 3), layout.convolutions().get(0).kernel().read().data().asFloat());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"vgg16-torchvision.pth.gz, VGG19", "vgg19-keras2.h5.gz, SQUEEZENET",
            "vgg16-caffe.caffemodel.gz, VGG19"})
    void aMismatchWithTheRequestedNetworkIsAnErrorNamingBoth(String name, Architecture requested) throws Exception {
        Path file = fixture(name, dir);
        WeightLoadException e = org.junit.jupiter.api.Assertions.assertThrows(WeightLoadException.class,
                () -> WeightSource.of(file).load(requested));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains(requested.toString())
                && e.getMessage().contains("was asked for"), e.getMessage());
    }
}
