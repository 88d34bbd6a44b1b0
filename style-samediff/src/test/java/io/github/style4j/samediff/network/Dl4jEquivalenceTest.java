package io.github.style4j.samediff.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.tensor.Preprocessing;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.model.SqueezeNet;
import org.deeplearning4j.zoo.model.VGG16;
import org.deeplearning4j.zoo.model.VGG19;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every tap of the SameDiff graph equals the activation of DL4J's own zoo
 * {@code ComputationGraph} with the same weights on the same input: the reference is DL4J's
 * layer implementations, not ours. Float32 throughout (as users run it); error is measured
 * as max |ours - dl4j| / max |dl4j| per tap.
 */
class Dl4jEquivalenceTest {
    private static final long SEED = 12345;

    private static INDArray rgb(int size) {
        Nd4j.getRandom().setSeed(7);
        return Nd4j.rand(DataType.FLOAT, 1, 3, size, size);
    }

    /** DL4J vertex name for each of our taps. */
    private static Map<String, String> vggTaps(Architecture architecture) {
        Map<String, String> taps = new LinkedHashMap<>();
        int vertex = 0;
        for (Architecture.Op op : architecture.ops()) {
            if (op instanceof Architecture.Relu || op instanceof Architecture.Pool) {
                taps.put(op.name(), String.valueOf(vertex++));
            }
        }
        return taps;
    }

    private static void assertEquivalent(ComputationGraph zoo, Architecture architecture, Map<String, String> taps,
                                         INDArray rgb) throws Exception {
        FeatureNetwork network = FeatureNetwork.builder()
                .setWeights(WeightSource.zooInit(SEED).load(architecture)).build();
        Map<String, INDArray> ours = network.activations(rgb, new ArrayList<>(taps.keySet()));
        // DL4J is fed the preprocessed tensor, computed by style-core (outside any graph).
        INDArray input = network.preprocessing().apply(rgb);
        // The whole zoo graph runs (its dense layers fix VGG's input at 224x224).
        Map<String, INDArray> theirs = new LinkedHashMap<>(zoo.feedForward(input, false));
        if (theirs.containsKey("conv10_act")) {
            // DL4J's softmax layer overwrites avg_pool's array in place, so average conv10_act here.
            theirs.put("avg_pool", theirs.get("conv10_act").mean(2, 3));
        }
        for (Map.Entry<String, String> tap : taps.entrySet()) {
            INDArray a = ours.get(tap.getKey());
            INDArray b = theirs.get(tap.getValue());
            assertArrayEquals(b.shape(), a.shape(), tap.getKey() + " shape");
            double scale = b.amaxNumber().doubleValue();
            double error = a.sub(b).amaxNumber().doubleValue() / scale;
            assertTrue(scale > 0, tap.getKey() + " is all zeros: the comparison would prove nothing");
            assertTrue(error < 1e-5, architecture + " " + tap.getKey() + " vs DL4J " + tap.getValue()
                    + ": max relative error " + error);
        }
    }

    @Test
    void vgg16MatchesTheZooComputationGraph() throws Exception {
        ComputationGraph zoo = VGG16.builder().numClasses(1000).seed(SEED).build().init();
        assertEquivalent(zoo, Architecture.VGG16, vggTaps(Architecture.VGG16), rgb(224));
    }

    @Test
    void vgg19MatchesTheZooComputationGraph() throws Exception {
        ComputationGraph zoo = VGG19.builder().numClasses(1000).seed(SEED).build().init();
        assertEquivalent(zoo, Architecture.VGG19, vggTaps(Architecture.VGG19), rgb(224));
    }

    @Test
    void squeezeNetMatchesTheZooComputationGraph() throws Exception {
        ComputationGraph zoo = SqueezeNet.builder().numClasses(1000).seed(SEED).build().init();
        Map<String, String> taps = new LinkedHashMap<>();
        taps.put("relu1", "conv1_act");
        taps.put("pool1", "pool1");
        for (int fire = 2; fire <= 9; fire++) {
            taps.put("fire" + fire, "fire" + fire);
        }
        taps.put("pool3", "pool3");
        taps.put("pool5", "pool5");
        taps.put("relu10", "conv10_act");
        taps.put("logits", "avg_pool");
        assertEquivalent(zoo, Architecture.SQUEEZENET, taps, rgb(67));
    }

    @Test
    void preprocessingInsideTheGraphMatchesStyleCore() throws Exception {
        // The first convolution sees the same numbers either way.
        NetworkWeights weights = WeightSource.zooInit(SEED).load(Architecture.VGG16);
        INDArray rgb = rgb(16);
        INDArray inGraph = FeatureNetwork.builder().setWeights(weights).build()
                .activations(rgb, List.of("conv1_1")).get("conv1_1");
        INDArray outside = FeatureNetwork.builder().setWeights(weights.withPreprocessing(Preprocessing.NONE)).build()
                .activations(Preprocessing.CAFFE_BGR.apply(rgb), List.of("conv1_1")).get("conv1_1");
        assertTrue(inGraph.sub(outside).amaxNumber().doubleValue() < 1e-4 * outside.amaxNumber().doubleValue());
    }
}
