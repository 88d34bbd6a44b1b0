package io.github.style4j.examples.bench;

import io.github.style4j.samediff.QuietGradients;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The VGG-19 convolution trunk ({@code conv1_1} to {@code relu5_4}) as a SameDiff graph
 * with seeded random constant weights and the image as the only variable: the workload
 * for timing native builds, shaped exactly like style transfer's, without needing weights.
 */
final class Vgg19Trunk {
    /** Output channels per convolution; 0 marks a 2x2 max pool. */
    static final int[] LAYERS = {64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0,
            512, 512, 512, 512};

    private final SameDiff sd;
    private final long forwardFlops;

    Vgg19Trunk(int size, long seed) {
        sd = SameDiff.create();
        Nd4j.getRandom().setSeed(seed);
        SDVariable x = sd.var("image", Nd4j.rand(DataType.FLOAT, 1, 3, size, size));
        int channels = 3;
        int side = size;
        long flops = 0;
        int conv = 0;
        for (int out : LAYERS) {
            if (out == 0) {
                x = sd.cnn().maxPooling2d(x, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2)
                        .paddingMode(PaddingMode.VALID).isNHWC(false).build());
                side /= 2;
                continue;
            }
            conv++;
            // He initialisation keeps activations finite through 16 layers.
            // SameDiff's default [kH, kW, in, out] layout: conv2d_bp of M2.1 mis-reads OIYX weights.
            INDArray w = Nd4j.randn(DataType.FLOAT, 3, 3, channels, out).muli(Math.sqrt(2.0 / (9.0 * channels)));
            SDVariable weights = sd.constant("w" + conv, w);
            SDVariable bias = sd.constant("b" + conv, Nd4j.zeros(DataType.FLOAT, out));
            x = sd.nn().relu(sd.cnn().conv2d(x, weights, bias, Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1)
                    .paddingMode(PaddingMode.SAME).dataFormat("NCHW").build()), 0);
            flops += 2L * 9 * channels * out * (long) side * side;
            channels = out;
        }
        sd.sum("loss", sd.math().square(x)).markAsLoss();
        forwardFlops = flops;
        QuietGradients.createGradFunction(sd);
    }

    /** One forward pass and the backward pass to the image; returns the image gradient. */
    INDArray forwardBackward() {
        Map<String, INDArray> gradients = sd.calculateGradients(Map.of(), "image");
        return gradients.get("image");
    }

    /** Multiply-adds of the convolutions, counted twice (one multiply, one add), forward only. */
    long forwardFlops() {
        return forwardFlops;
    }
}
