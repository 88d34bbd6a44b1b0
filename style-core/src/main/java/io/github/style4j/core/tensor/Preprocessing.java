package io.github.style4j.core.tensor;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The input conventions of pretrained weights: how an {@link ImageTensors} tensor (RGB,
 * {@code [0, 1]}, NCHW) becomes what a network was trained on, and back. The convention
 * belongs to the weights, not the architecture: DL4J's zoo VGG weights and the SqueezeNet
 * weights in {@code ../shared/models} differ.
 */
public enum Preprocessing {
    /**
     * Caffe / Keras "caffe" mode, the DL4J zoo's VGG-16 and VGG-19 ImageNet weights: channels in
     * BGR order, values 0–255, the ImageNet mean subtracted per channel
     * (B 103.939, G 116.779, R 123.68). No division by a standard deviation.
     */
    CAFFE_BGR(new int[] {2, 1, 0}, 255, new double[] {103.939, 116.779, 123.68}, new double[] {1, 1, 1}),
    /**
     * torchvision ImageNet models, including the SqueezeNet 1.1 weights in {@code ../shared/models}:
     * RGB order, values 0–1, then (x − mean) / std per channel with mean (0.485, 0.456, 0.406)
     * and std (0.229, 0.224, 0.225).
     */
    TORCHVISION(new int[] {0, 1, 2}, 1, new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225}),
    /** None: the tensor is fed to the network as it is (for inputs already in the network's convention). */
    NONE(new int[] {0, 1, 2}, 1, new double[] {0, 0, 0}, new double[] {1, 1, 1});

    /** For each output channel, the RGB channel it comes from. */
    private final int[] sourceChannel;
    private final double range;
    private final double[] mean;
    private final double[] std;

    Preprocessing(int[] sourceChannel, double range, double[] mean, double[] std) {
        this.sourceChannel = sourceChannel;
        this.range = range;
        this.mean = mean;
        this.std = std;
    }

    /** Per-channel mean subtracted, in the network's channel order and value range. */
    public double[] mean() {
        return mean.clone();
    }

    /** Per-channel divisor applied after the mean, in the network's channel order. */
    public double[] std() {
        return std.clone();
    }

    /** Multiplier taking {@code [0, 1]} values to the network's range (255 for Caffe, else 1). */
    public double range() {
        return range;
    }

    /** For each network input channel, the RGB channel it is taken from ({@code {2, 1, 0}} for BGR). */
    public int[] channelOrder() {
        return sourceChannel.clone();
    }

    /** Network input from an RGB {@code [N, 3, H, W]} tensor in {@code [0, 1]}; a new array. */
    public INDArray apply(INDArray rgb) {
        requireNchw3(rgb);
        INDArray out = rgb.ulike();
        for (int c = 0; c < 3; c++) {
            out.get(all(), point(c), all(), all())
                    .assign(rgb.get(all(), point(sourceChannel[c]), all(), all()))
                    .muli(range).subi(mean[c]).divi(std[c]);
        }
        return out;
    }

    /** The RGB {@code [0, 1]} tensor a network input came from (inverse of {@link #apply}); a new array. */
    public INDArray invert(INDArray input) {
        requireNchw3(input);
        INDArray out = input.ulike();
        for (int c = 0; c < 3; c++) {
            out.get(all(), point(sourceChannel[c]), all(), all())
                    .assign(input.get(all(), point(c), all(), all()))
                    .muli(std[c]).addi(mean[c]).divi(range);
        }
        return out;
    }

    private static void requireNchw3(INDArray x) {
        if (x.rank() != 4 || x.size(1) != 3) {
            throw new IllegalArgumentException("expected an NCHW tensor with 3 channels, got shape "
                    + java.util.Arrays.toString(x.shape()));
        }
    }
}
