package io.github.style4j.samediff.network;

import io.github.style4j.core.tensor.Preprocessing;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A pretrained CNN as a SameDiff subgraph: defined into any {@link SameDiff}, on any input,
 * up to the deepest layer asked for and no further. Every weight and bias is a SameDiff
 * constant; the graph adds no variables of its own, so in a style-transfer graph the image
 * stays the only thing that trains.
 *
 * <p>The input is an RGB tensor {@code [N, 3, H, W]} with values in {@code [0, 1]} (style4j's
 * image convention); the network's own {@link Preprocessing} is applied inside the graph, so
 * gradients flow back to the RGB image. Weight tensors go in as {@code [kH, kW, in, out]},
 * SameDiff's default layout: in 1.0.0-M2.1 {@code conv2d}'s backward pass mis-reads the
 * OIYX layout.
 *
 * <p>Immutable and thread-safe; defining it into a graph copies nothing but references to
 * the (read-only) weight arrays.
 */
public final class FeatureNetwork {
    static {
        // Choose ND4J's native build before this class can start ND4J.
        io.github.style4j.core.backend.NativeBuildSelector.select();
    }

    private final NetworkWeights weights;
    private final Pooling pooling;
    private final String scope;
    private final DataType dataType;

    private FeatureNetwork(Builder builder) {
        this.weights = builder.weights;
        this.pooling = builder.pooling;
        this.scope = builder.scope != null ? builder.scope : builder.weights.architecture().name().toLowerCase(java.util.Locale.ROOT);
        this.dataType = builder.dataType;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Architecture architecture() {
        return weights.architecture();
    }

    public Preprocessing preprocessing() {
        return weights.preprocessing();
    }

    public Pooling pooling() {
        return pooling;
    }

    /** Prefix of every name this network defines in a graph ({@code vgg19/relu1_1}, ...). */
    public String scope() {
        return scope;
    }

    public NetworkWeights weights() {
        return weights;
    }

    /** The SameDiff variable name of a tap, e.g. {@code vgg19/relu4_2}. */
    public String variableName(String layer) {
        return scope + "/" + architecture().canonicalName(layer);
    }

    /**
     * Defines the network into {@code sd} on {@code rgb} up to the deepest of {@code layers}.
     *
     * @param rgb    {@code [N, 3, H, W]} RGB in {@code [0, 1]}
     * @param layers tap names (canonical or Keras aliases)
     * @return the taps, keyed by canonical name, in network order
     * @throws IllegalArgumentException for an unknown layer name, listing the valid ones
     */
    public Map<String, SDVariable> define(SameDiff sd, SDVariable rgb, Collection<String> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("ask for at least one layer; valid names: "
                    + String.join(", ", architecture().layerNames()));
        }
        List<String> wanted = new ArrayList<>();
        int deepest = -1;
        for (String layer : layers) {
            String name = architecture().canonicalName(layer);
            wanted.add(name);
            deepest = Math.max(deepest, architecture().layerNames().indexOf(name));
        }
        Map<String, SDVariable> taps = new LinkedHashMap<>();
        SDVariable x = preprocess(sd, rgb);
        int conv = 0;
        List<Architecture.Op> ops = architecture().ops();
        for (int i = 0; i <= deepest; i++) {
            Architecture.Op op = ops.get(i);
            String name = scope + "/" + op.name();
            if (op instanceof Architecture.Conv c) {
                x = convolution(sd, name, x, weights.convolutions().get(conv++), c.kernel(), c.stride(), c.same());
            } else if (op instanceof Architecture.Relu) {
                x = sd.nn().relu(name, x, 0);
            } else if (op instanceof Architecture.Pool p) {
                x = pool(sd, name, x, p.kernel(), p.stride());
            } else if (op instanceof Architecture.Fire) {
                SDVariable squeeze = relu(sd, name + "/squeeze_relu",
                        convolution(sd, name + "/squeeze", x, weights.convolutions().get(conv++), 1, 1, false));
                SDVariable expand1 = relu(sd, name + "/expand1x1_relu",
                        convolution(sd, name + "/expand1x1", squeeze, weights.convolutions().get(conv++), 1, 1, false));
                SDVariable expand3 = relu(sd, name + "/expand3x3_relu",
                        convolution(sd, name + "/expand3x3", squeeze, weights.convolutions().get(conv++), 3, 1, true));
                x = sd.concat(name, 1, expand1, expand3);
            } else if (op instanceof Architecture.GlobalAverage) {
                x = sd.mean(name, x, 2, 3);
            }
            if (wanted.contains(op.name())) {
                taps.put(op.name(), x);
            }
        }
        return taps;
    }

    /**
     * A graph whose only variable is the image: {@code initialRgb} ({@code [1, 3, H, W]} RGB in
     * {@code [0, 1]}) as the variable {@code image}, and the taps for {@code layers}.
     */
    public FeatureGraph graph(INDArray initialRgb, Collection<String> layers) {
        SameDiff sd = SameDiff.create();
        SDVariable image = sd.var(FeatureGraph.IMAGE, initialRgb.castTo(dataType).dup());
        return new FeatureGraph(sd, image, define(sd, image, layers));
    }

    /**
     * This network run eagerly up to the deepest of {@code layers}, with a backward pass that
     * computes the image's gradient only: what {@link #define} plus SameDiff's autodiff compute,
     * faster and in less memory. See {@link FeaturePass}.
     */
    public FeaturePass pass(Collection<String> layers) {
        return new FeaturePass(this, layers);
    }

    /** The data type of the network's arrays (FLOAT unless built for gradient checks). */
    public DataType dataType() {
        return dataType;
    }

    /**
     * The activations of {@code layers} for a fixed image, by canonical name in network order:
     * e.g. style targets, computed once.
     */
    public Map<String, INDArray> activations(INDArray rgb, Collection<String> layers) {
        Map<String, INDArray> result = new LinkedHashMap<>();
        try (FeaturePass pass = pass(layers)) {
            pass.forward(rgb).forEach((layer, tap) -> result.put(layer, tap.dup()));
        }
        return result;
    }

    /**
     * The weights' {@link Preprocessing} as one 1x1 convolution: output channel c is
     * {@code x[order[c]] * range / std[c] - mean[c] / std[c]}, so the channel permutation and the
     * normalisation cost one op and gradients flow back to the RGB input. (SameDiff's
     * {@code gather}, the obvious way to permute channels, has no working gradient in 1.0.0-M2.1.)
     */
    private SDVariable preprocess(SameDiff sd, SDVariable rgb) {
        if (weights.preprocessing() == Preprocessing.NONE) {
            return rgb;
        }
        INDArray[] kernelAndBias = preprocessingKernel();
        return sd.cnn().conv2d(scope + "/preprocessed", rgb, sd.constant(scope + "/preprocess/W", kernelAndBias[0]),
                sd.constant(scope + "/preprocess/b", kernelAndBias[1]), Conv2DConfig.builder().kH(1).kW(1)
                        .sH(1).sW(1).paddingMode(PaddingMode.VALID).dataFormat("NCHW").build());
    }

    /** The preprocessing as a 1x1 convolution: {@code {kernel [1, 1, 3 in, 3 out], bias [3]}}. */
    INDArray[] preprocessingKernel() {
        Preprocessing p = weights.preprocessing();
        int[] order = p.channelOrder();
        double[] mean = p.mean();
        double[] std = p.std();
        INDArray kernel = Nd4j.zeros(DataType.DOUBLE, 1, 1, 3, 3); // [kH, kW, in, out]
        INDArray bias = Nd4j.zeros(DataType.DOUBLE, 3);
        for (int c = 0; c < 3; c++) {
            kernel.putScalar(new long[] {0, 0, order[c], c}, p.range() / std[c]);
            bias.putScalar(c, -mean[c] / std[c]);
        }
        return new INDArray[] {kernel.castTo(dataType), bias.castTo(dataType)};
    }

    private SDVariable convolution(SameDiff sd, String name, SDVariable x, ConvWeights w, int kernel, int stride,
                                   boolean same) {
        INDArray kernelYxio = w.weight().permute(2, 3, 1, 0).castTo(dataType).dup('c');
        SDVariable weight = sd.constant(name + "/W", kernelYxio);
        SDVariable bias = sd.constant(name + "/b", w.bias().reshape(w.bias().length()).castTo(dataType).dup());
        SDVariable out = sd.cnn().conv2d(name, x, weight, bias, Conv2DConfig.builder().kH(kernel).kW(kernel)
                .sH(stride).sW(stride).paddingMode(same ? PaddingMode.SAME : PaddingMode.VALID)
                .dataFormat("NCHW").build());
        if (w.activation() == Activation.SIGMOID) {
            out = sd.nn().sigmoid(name + "/sigmoid", out);
        } else if (w.activation() != Activation.IDENTITY && w.activation() != Activation.RELU) {
            throw new IllegalArgumentException(w.source() + ": in-layer activation " + w.activation()
                    + " is not supported");
        }
        return out;
    }

    private static SDVariable relu(SameDiff sd, String name, SDVariable x) {
        return sd.nn().relu(name, x, 0);
    }

    private SDVariable pool(SameDiff sd, String name, SDVariable x, int kernel, int stride) {
        SDVariable input = x;
        if (weights.ceilModePooling() && stride > 1) {
            // ceil((n - k) / s) = floor((n - k + s - 1) / s): pad s - 1 zeros after the end. Inputs
            // are ReLU outputs (>= 0), so for max pooling the zeros never win: exactly PyTorch's ceil mode.
            INDArray padding = Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {0, stride - 1}, {0, stride - 1}});
            input = sd.nn().pad(name + "/ceil_pad", x, sd.constant(name + "/ceil_padding", padding), 0.0);
        }
        Pooling2DConfig config = Pooling2DConfig.builder().kH(kernel).kW(kernel).sH(stride).sW(stride)
                .paddingMode(PaddingMode.VALID).isNHWC(false).build();
        return pooling == Pooling.MAX ? sd.cnn().maxPooling2d(name, input, config)
                : sd.cnn().avgPooling2d(name, input, config);
    }

    @Override
    public String toString() {
        return "FeatureNetwork[" + architecture() + ", " + weights.description() + ", " + pooling + " pooling, "
                + weights.preprocessing() + ", scope=" + scope + ", " + dataType + "]";
    }

    /** Builder for {@link FeatureNetwork}: weights are required; pooling, scope and data type optional. */
    public static final class Builder {
        private NetworkWeights weights;
        private Pooling pooling = Pooling.MAX;
        private String scope;
        private DataType dataType = DataType.FLOAT;

        private Builder() {
        }

        /** The pretrained (or seeded random) weights; they decide the architecture. */
        public Builder setWeights(NetworkWeights weights) {
            this.weights = weights;
            return this;
        }

        /** Max (default, as trained) or average pooling (Gatys et al.'s choice for synthesis). */
        public Builder optPooling(Pooling pooling) {
            this.pooling = pooling;
            return this;
        }

        /** Name prefix in the graph (default: the architecture, e.g. {@code vgg19}). */
        public Builder optScope(String scope) {
            this.scope = scope;
            return this;
        }

        /** FLOAT (default) or DOUBLE (for gradient checks). */
        public Builder optDataType(DataType dataType) {
            this.dataType = dataType;
            return this;
        }

        public FeatureNetwork build() {
            io.github.style4j.core.backend.Backend.start();
            Objects.requireNonNull(weights, "weights: call setWeights(WeightSources....load(...))");
            Objects.requireNonNull(pooling, "pooling");
            if (!dataType.isFPType()) {
                throw new IllegalArgumentException("dataType must be floating point, got " + dataType);
            }
            if (scope != null && (scope.isBlank() || scope.contains(" "))) {
                throw new IllegalArgumentException("scope must be a non-empty name without spaces, got '" + scope + "'");
            }
            return new FeatureNetwork(this);
        }
    }
}
