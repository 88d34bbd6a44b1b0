package io.github.style4j.samediff.network;

import java.util.Arrays;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One convolution's pretrained parameters.
 *
 * @param source     where they came from (layer name in the source model, or file name)
 * @param weight     {@code [out, in, kH, kW]} (OIHW, DL4J's and PyTorch's layout)
 * @param bias       {@code [out]}
 * @param activation the activation the source applies inside this layer before the network's
 *                   own ReLU: {@link Activation#IDENTITY} normally; DL4J zoo models can carry
 *                   another (the zoo's SqueezeNet applies sigmoid, DL4J's default), which the
 *                   graph then reproduces so that it computes what the source model computes
 */
public record ConvWeights(String source, INDArray weight, INDArray bias, Activation activation) {
    public ConvWeights {
        if (weight.rank() != 4) {
            throw new IllegalArgumentException(source + ": convolution weights must be [out, in, kH, kW], got "
                    + Arrays.toString(weight.shape()));
        }
        if (bias.length() != weight.size(0)) {
            throw new IllegalArgumentException(source + ": bias has " + bias.length() + " values for "
                    + weight.size(0) + " output channels");
        }
    }

    @Override
    public String toString() {
        return source + Arrays.toString(weight.shape()) + (activation == Activation.IDENTITY ? "" : " +" + activation);
    }
}
