package io.github.style4j.examples.bench;

import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.network.FeaturePass;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * style4j's VGG-19 to {@code relu5_4} with the zoo's seeded random weights, as style transfer
 * runs it ({@link FeaturePass}), with a sum-of-squares loss: the workload, without needing
 * pretrained weights.
 */
final class Vgg19Trunk {
    private static final String DEEPEST = "relu5_4";
    private final FeaturePass pass;
    private final INDArray image;
    private final long forwardFlops;

    Vgg19Trunk(int size) throws Exception {
        FeatureNetwork network = FeatureNetwork.builder()
                .setWeights(WeightSource.zooInit(42).load(Architecture.VGG19)).build();
        Nd4j.getRandom().setSeed(42);
        image = Nd4j.rand(DataType.FLOAT, 1, 3, size, size);
        pass = network.pass(List.of(DEEPEST));
        forwardFlops = AnalyticFlops.forward(Architecture.VGG19, size, DEEPEST);
    }

    /** One forward pass and the backward pass to the image; returns the image gradient. */
    INDArray forwardBackward() {
        INDArray tap = pass.forward(image).get(DEEPEST);
        return pass.backward(Map.of(DEEPEST, tap.mul(2)));
    }

    long forwardFlops() {
        return forwardFlops;
    }
}
