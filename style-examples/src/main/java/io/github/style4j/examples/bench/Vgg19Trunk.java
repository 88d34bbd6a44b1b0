package io.github.style4j.examples.bench;

import io.github.style4j.samediff.QuietGradients;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.FeatureGraph;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * style4j's VGG-19 feature graph to {@code relu5_4} with the zoo's seeded random weights and
 * a sum-of-squares loss: style transfer's workload shape, without needing pretrained weights.
 */
final class Vgg19Trunk {
    private static final String DEEPEST = "relu5_4";
    private final SameDiff sd;
    private final long forwardFlops;

    Vgg19Trunk(int size) throws Exception {
        FeatureNetwork network = FeatureNetwork.builder()
                .setWeights(WeightSource.zooInit(42).load(Architecture.VGG19)).build();
        Nd4j.getRandom().setSeed(42);
        FeatureGraph graph = network.graph(Nd4j.rand(DataType.FLOAT, 1, 3, size, size), List.of(DEEPEST));
        sd = graph.sameDiff();
        sd.sum("loss", sd.math().square(graph.taps().get(DEEPEST))).markAsLoss();
        QuietGradients.createGradFunction(sd);
        forwardFlops = convolutionFlops(Architecture.VGG19, size, DEEPEST);
    }

    /** One forward pass and the backward pass to the image; returns the image gradient. */
    INDArray forwardBackward() {
        return sd.calculateGradients(Map.of(), FeatureGraph.IMAGE).get(FeatureGraph.IMAGE);
    }

    long forwardFlops() {
        return forwardFlops;
    }

    /** Multiply-adds of a VGG trunk's convolutions up to a layer, counted as two FLOPs each. */
    static long convolutionFlops(Architecture vgg, int size, String deepest) {
        long flops = 0;
        int side = size;
        for (Architecture.Op op : vgg.ops()) {
            if (op instanceof Architecture.Conv conv) {
                flops += 2L * conv.kernel() * conv.kernel() * conv.in() * conv.out() * side * side;
            } else if (op instanceof Architecture.Pool) {
                side /= 2;
            }
            if (op.name().equals(deepest)) {
                break;
            }
        }
        return flops;
    }
}
