package io.github.style4j.samediff.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.samediff.QuietGradients;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FeatureGraphTest {
    private static NetworkWeights vgg19;
    private static NetworkWeights squeezeNet;

    @BeforeAll
    static void weights() throws Exception {
        vgg19 = WeightSource.zooInit(1).load(Architecture.VGG19);
        squeezeNet = WeightSource.zooInit(1).load(Architecture.SQUEEZENET);
    }

    private static INDArray image(int size) {
        Nd4j.getRandom().setSeed(3);
        return Nd4j.rand(DataType.FLOAT, 1, 3, size, size);
    }

    @Test
    void theImageIsTheOnlyVariableAndEveryWeightIsAConstant() {
        for (NetworkWeights weights : List.of(vgg19, squeezeNet)) {
            FeatureNetwork network = FeatureNetwork.builder().setWeights(weights).build();
            List<String> deepest = List.of(network.architecture().layerNames()
                    .get(network.architecture().layerNames().size() - 1));
            FeatureGraph graph = network.graph(image(64), deepest);
            int constants = 0;
            for (SDVariable variable : graph.sameDiff().variables()) {
                VariableType type = variable.getVariableType();
                if (type == VariableType.VARIABLE) {
                    assertEquals(FeatureGraph.IMAGE, variable.name(), "only the image may train");
                }
                assertTrue(type != VariableType.PLACEHOLDER, variable.name() + " is a placeholder");
                if ((variable.name().endsWith("/W") || variable.name().endsWith("/b"))
                        && !variable.name().contains("/preprocess/")) {
                    assertEquals(VariableType.CONSTANT, type, variable.name());
                    constants++;
                }
            }
            assertEquals(2 * weights.convolutions().size(), constants, network.architecture() + " weights and biases");
        }
    }

    @Test
    void askingForRelu11BuildsNoLaterConvolution() {
        FeatureNetwork network = FeatureNetwork.builder().setWeights(vgg19).build();
        FeatureGraph graph = network.graph(image(32), List.of("relu1_1"));
        List<String> names = graph.sameDiff().variables().stream().map(SDVariable::name).toList();
        assertTrue(names.contains("vgg19/conv1_1/W"));
        assertFalse(names.stream().anyMatch(n -> n.contains("conv1_2") || n.contains("pool1")), names.toString());
        long convolutions = graph.sameDiff().getOps().values().stream()
                .filter(op -> op.getOp().opName().equals("conv2d")).count();
        assertEquals(2, convolutions, "the preprocessing 1x1 convolution and conv1_1");
        assertEquals(List.of("relu1_1"), List.copyOf(graph.taps().keySet()));
    }

    @Test
    void unknownLayersAreErrorsThatListTheValidNames() {
        FeatureNetwork network = FeatureNetwork.builder().setWeights(vgg19).build();
        var error = assertThrows(IllegalArgumentException.class, () -> network.graph(image(32), List.of("relu9_9")));
        assertTrue(error.getMessage().contains("relu9_9") && error.getMessage().contains("relu4_2"), error.getMessage());
        var fire = assertThrows(IllegalArgumentException.class,
                () -> FeatureNetwork.builder().setWeights(squeezeNet).build().graph(image(32), List.of("fire10")));
        assertTrue(fire.getMessage().contains("fire9"), fire.getMessage());
    }

    @Test
    void kerasNamesAreAliases() {
        assertEquals("relu4_2", Architecture.VGG19.canonicalName("block4_conv2"));
        assertEquals("pool3", Architecture.VGG16.canonicalName("block3_pool"));
        FeatureNetwork network = FeatureNetwork.builder().setWeights(vgg19).build();
        Map<String, INDArray> byAlias = network.activations(image(32), List.of("block2_conv1"));
        Map<String, INDArray> byName = network.activations(image(32), List.of("relu2_1"));
        assertEquals(byName.get("relu2_1"), byAlias.get("relu2_1"));
    }

    @Test
    void averagePoolingAveragesEachWindow() {
        FeatureNetwork network = FeatureNetwork.builder().setWeights(vgg19).optPooling(Pooling.AVERAGE).build();
        Map<String, INDArray> taps = network.activations(image(16), List.of("relu1_2", "pool1"));
        INDArray relu = taps.get("relu1_2");
        INDArray pooled = taps.get("pool1");
        for (int[] at : new int[][] {{0, 0, 0}, {5, 3, 7}, {63, 7, 7}}) {
            int c = at[0];
            int y = at[1];
            int x = at[2];
            double mean = (relu.getDouble(0, c, 2 * y, 2 * x) + relu.getDouble(0, c, 2 * y, 2 * x + 1)
                    + relu.getDouble(0, c, 2 * y + 1, 2 * x) + relu.getDouble(0, c, 2 * y + 1, 2 * x + 1)) / 4;
            assertEquals(mean, pooled.getDouble(0, c, y, x), 1e-5);
        }
    }

    @Test
    void gradientsReachTheImage() {
        FeatureNetwork network = FeatureNetwork.builder().setWeights(squeezeNet).build();
        FeatureGraph graph = network.graph(image(64), List.of("fire5"));
        graph.sameDiff().sum("loss", graph.taps().get("fire5")).markAsLoss();
        QuietGradients.createGradFunction(graph.sameDiff());
        INDArray gradient = graph.sameDiff().calculateGradients(Map.of(), FeatureGraph.IMAGE).get(FeatureGraph.IMAGE);
        assertEquals(List.of(1L, 3L, 64L, 64L), List.of(gradient.shape()[0], gradient.shape()[1], gradient.shape()[2],
                gradient.shape()[3]));
        assertTrue(gradient.norm2Number().doubleValue() > 0);
    }

    @Test
    void ceilModePoolingMatchesPyTorchSizes() {
        // torchvision SqueezeNet 1.1 at 224x224: 111 -> pool 55 -> pool 27 -> pool 13.
        NetworkWeights ceil = new NetworkWeights(Architecture.SQUEEZENET, squeezeNet.convolutions(),
                squeezeNet.preprocessing(), true, "ceil");
        Map<String, INDArray> taps = FeatureNetwork.builder().setWeights(ceil).build()
                .activations(image(100), List.of("relu1", "pool1", "pool3", "pool5"));
        // 100: conv (100-3)/2+1 = 49; ceil((49-3)/2)+1 = 24; ceil((24-3)/2)+1 = 12; ceil((12-3)/2)+1 = 6.
        assertEquals(49, taps.get("relu1").size(2));
        assertEquals(24, taps.get("pool1").size(2));
        assertEquals(12, taps.get("pool3").size(2));
        assertEquals(6, taps.get("pool5").size(3));
    }

    @Test
    void toStringShowsTheSettings() {
        String text = FeatureNetwork.builder().setWeights(vgg19).optPooling(Pooling.AVERAGE).build().toString();
        assertTrue(text.contains("VGG-19") && text.contains("AVERAGE") && text.contains("CAFFE_BGR"), text);
    }
}
