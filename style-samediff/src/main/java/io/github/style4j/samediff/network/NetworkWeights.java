package io.github.style4j.samediff.network;

import io.github.style4j.core.tensor.Preprocessing;
import java.util.Arrays;
import java.util.List;

/**
 * A network's pretrained weights with the conventions they were trained under: every
 * convolution in {@link Architecture#convolutionShapes()} order, the input preprocessing,
 * and PyTorch-style ceil-mode pooling (torchvision SqueezeNet) or floor (DL4J, Keras).
 */
public record NetworkWeights(Architecture architecture, List<ConvWeights> convolutions,
                             Preprocessing preprocessing, boolean ceilModePooling, String description) {
    public NetworkWeights {
        convolutions = List.copyOf(convolutions);
        List<long[]> expected = architecture.convolutionShapes();
        if (convolutions.size() != expected.size()) {
            throw new IllegalArgumentException(description + ": " + convolutions.size() + " convolutions, but "
                    + architecture + " has " + expected.size());
        }
        for (int i = 0; i < expected.size(); i++) {
            if (!Arrays.equals(expected.get(i), convolutions.get(i).weight().shape())) {
                throw new IllegalArgumentException(description + ": convolution " + i + " ("
                        + convolutions.get(i).source() + ") is " + Arrays.toString(convolutions.get(i).weight().shape())
                        + " but " + architecture + " needs " + Arrays.toString(expected.get(i)));
            }
        }
    }

    /**
     * The same weights fed differently: e.g. {@link Preprocessing#NONE} for inputs already in the
     * network's convention.
     */
    public NetworkWeights withPreprocessing(Preprocessing other) {
        return new NetworkWeights(architecture, convolutions, other, ceilModePooling, description);
    }

    @Override
    public String toString() {
        return "NetworkWeights[" + architecture + ", " + description + ", " + preprocessing
                + (ceilModePooling ? ", ceil-mode pooling" : "") + "]";
    }
}
