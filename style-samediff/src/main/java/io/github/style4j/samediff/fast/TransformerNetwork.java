package io.github.style4j.samediff.fast;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The feed-forward image transformation network of Johnson, Alahi and Fei-Fei ("Perceptual
 * Losses for Real-Time Style Transfer and Super-Resolution", ECCV 2016), with Ulyanov et al.'s
 * instance normalisation: a 9x9 convolution, two stride-2 3x3 convolutions, residual blocks,
 * two nearest-neighbour x2 upsamplings each followed by a 3x3 convolution (no transposed
 * convolutions, hence no checkerboard artefacts), and a 9x9 convolution to RGB. Every
 * convolution pads by reflection; all but the last are instance-normalised and ReLU'd.
 *
 * <p>Input and output are RGB {@code [N, 3, H, W]} in {@code [0, 1]} (the output through a
 * sigmoid), with H and W multiples of {@value #SIZE_MULTIPLE} (the two stride-2 stages and the
 * two upsamplings undo each other exactly then; {@link FastStyle} pads other sizes).
 *
 * <p>The width is the channel count of the first stage (32 in the paper, {@link #FULL_WIDTH});
 * the later stages have twice and four times as many. Immutable; {@link #define} adds the
 * variables it is given to a graph, trainable or not.
 */
public final class TransformerNetwork {
    /** The paper's width: 32, 64 and 128 channels. */
    public static final int FULL_WIDTH = 32;
    /** Half the paper's width, about a quarter of its work: for CPUs. */
    public static final int HALF_WIDTH = 16;
    /** Height and width must be multiples of this. */
    public static final int SIZE_MULTIPLE = 4;
    /** Name of the output variable {@link #define} returns. */
    public static final String OUTPUT = "stylised";

    private static final double INSTANCE_NORM_EPSILON = 1e-5;

    private final int width;
    private final int residualBlocks;

    /** One convolution of the network, as stored ({@code W} is {@code [k, k, in, out]}). */
    public record Convolution(String name, int kernel, int in, int out, int stride, boolean normalized) {
    }

    private TransformerNetwork(int width, int residualBlocks) {
        if (width < 1 || residualBlocks < 0) {
            throw new IllegalArgumentException("width must be at least 1 and residual blocks at least 0, got "
                    + width + " and " + residualBlocks);
        }
        this.width = width;
        this.residualBlocks = residualBlocks;
    }

    /** The paper's network: width 32, five residual blocks. */
    public static TransformerNetwork full() {
        return of(FULL_WIDTH, 5);
    }

    /** Width 16, five residual blocks: about a quarter of the full network's work. */
    public static TransformerNetwork half() {
        return of(HALF_WIDTH, 5);
    }

    public static TransformerNetwork of(int width, int residualBlocks) {
        return new TransformerNetwork(width, residualBlocks);
    }

    public int width() {
        return width;
    }

    public int residualBlocks() {
        return residualBlocks;
    }

    /** The convolutions in order: {@code conv1..3}, {@code resN_a/b}, {@code up1..2}, {@code out}. */
    public List<Convolution> convolutions() {
        List<Convolution> layers = new ArrayList<>();
        layers.add(new Convolution("conv1", 9, 3, width, 1, true));
        layers.add(new Convolution("conv2", 3, width, 2 * width, 2, true));
        layers.add(new Convolution("conv3", 3, 2 * width, 4 * width, 2, true));
        for (int block = 1; block <= residualBlocks; block++) {
            layers.add(new Convolution("res" + block + "_a", 3, 4 * width, 4 * width, 1, true));
            layers.add(new Convolution("res" + block + "_b", 3, 4 * width, 4 * width, 1, true));
        }
        layers.add(new Convolution("up1", 3, 4 * width, 2 * width, 1, true));
        layers.add(new Convolution("up2", 3, 2 * width, width, 1, true));
        layers.add(new Convolution("out", 9, width, 3, 1, false));
        return Collections.unmodifiableList(layers);
    }

    /**
     * Shapes of every variable by name: {@code NAME/W} for each convolution, {@code NAME/gamma}
     * and {@code NAME/beta} for each instance normalisation, {@code out/b} for the last bias
     * (a bias before instance normalisation would be cancelled by it, so there is none).
     */
    public Map<String, long[]> variableShapes() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Convolution conv : convolutions()) {
            shapes.put(conv.name() + "/W", new long[] {conv.kernel(), conv.kernel(), conv.in(), conv.out()});
            if (conv.normalized()) {
                shapes.put(conv.name() + "/gamma", new long[] {conv.out()});
                shapes.put(conv.name() + "/beta", new long[] {conv.out()});
            } else {
                shapes.put(conv.name() + "/b", new long[] {conv.out()});
            }
        }
        return Collections.unmodifiableMap(shapes);
    }

    /** Number of trainable values. */
    public long parameterCount() {
        long count = 0;
        for (long[] shape : variableShapes().values()) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            count += n;
        }
        return count;
    }

    /** Multiply-adds of one forward pass on an H x W image (convolutions only). */
    public double multiplyAdds(long height, long width) {
        double total = 0;
        double scale = 1; // current resolution relative to the input, per side
        for (Convolution conv : convolutions()) {
            if (conv.name().startsWith("up")) {
                scale *= 2;
            }
            scale /= conv.stride();
            double positions = Math.ceil(height * scale) * Math.ceil(width * scale);
            total += positions * conv.kernel() * conv.kernel() * conv.in() * conv.out();
        }
        return total;
    }

    /**
     * Fresh values: He-normal convolution weights, unit scales, zero shifts and bias; the same
     * seed gives the same values.
     */
    public Map<String, INDArray> initialVariables(long seed, DataType dataType) {
        // java.util.Random: the same values on every backend and machine.
        java.util.Random random = new java.util.Random(seed);
        Map<String, INDArray> variables = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> entry : variableShapes().entrySet()) {
            long[] shape = entry.getValue();
            String name = entry.getKey();
            INDArray value;
            if (name.endsWith("/W")) {
                double fanIn = shape[0] * shape[1] * shape[2];
                double[] normal = new double[Math.toIntExact(shape[0] * shape[1] * shape[2] * shape[3])];
                for (int i = 0; i < normal.length; i++) {
                    normal[i] = random.nextGaussian() * Math.sqrt(2 / fanIn);
                }
                value = Nd4j.create(normal, shape, 'c').castTo(dataType);
            } else if (name.endsWith("/gamma")) {
                value = Nd4j.ones(dataType, shape);
            } else {
                value = Nd4j.zeros(dataType, shape);
            }
            variables.put(name, value);
        }
        return variables;
    }

    /**
     * Defines the network on {@code rgb} in {@code sd}, with the given values as SameDiff
     * variables (trainable) named {@code transformer/NAME}; returns the output, named
     * {@value #OUTPUT}.
     */
    public SDVariable define(SameDiff sd, SDVariable rgb, Map<String, INDArray> values) {
        return define(sd, rgb, values, false);
    }

    /**
     * As {@link #define(SameDiff, SDVariable, Map)}; with {@code fixedStatistics}, every instance
     * normalisation takes its mean and variance from placeholders ({@link #meanName},
     * {@link #varianceName}, {@code [1, 1, 1, C]}: the network is NHWC inside) instead of from its input: a large image is then
     * computed in tiles that all use the same statistics. Without, those names are the computed
     * statistics, which a caller can fetch as outputs.
     */
    public SDVariable define(SameDiff sd, SDVariable rgb, Map<String, INDArray> values, boolean fixedStatistics) {
        for (String name : variableShapes().keySet()) {
            INDArray value = values.get(name);
            if (value == null) {
                throw new IllegalArgumentException("no value for transformer variable " + name);
            }
            if (!java.util.Arrays.equals(value.shape(), variableShapes().get(name))) {
                throw new IllegalArgumentException("transformer variable " + name + " has shape "
                        + java.util.Arrays.toString(value.shape()) + ", expected "
                        + java.util.Arrays.toString(variableShapes().get(name)));
            }
            sd.var(variableName(name), value);
        }
        SDVariable x = sd.permute(rgb, 0, 2, 3, 1); // NHWC inside: oneDNN's faster layout
        SDVariable residual = null;
        for (Convolution conv : convolutions()) {
            if (conv.name().startsWith("up")) {
                x = upsample(sd, x);
            }
            if (conv.name().endsWith("_a")) {
                residual = x;
            }
            x = convolve(sd, x, conv);
            if (conv.normalized()) {
                SDVariable gamma = sd.getVariable(variableName(conv.name() + "/gamma"));
                SDVariable beta = sd.getVariable(variableName(conv.name() + "/beta"));
                x = fixedStatistics
                        ? normalize(sd, x.sub(sd.placeHolder(meanName(conv.name()), x.dataType(), 1, 1, 1, conv.out())),
                                sd.placeHolder(varianceName(conv.name()), x.dataType(), 1, 1, 1, conv.out()), gamma, beta)
                        : instanceNorm(sd, x, gamma, beta, conv.name());
                if (conv.name().endsWith("_b")) {
                    x = x.add(residual);
                } else {
                    x = sd.nn().relu(x, 0);
                }
            }
        }
        return sd.nn().sigmoid(OUTPUT, sd.permute(x, 0, 3, 1, 2));
    }

    /** The graph name of a variable: {@code transformer/conv1/W}. */
    public static String variableName(String name) {
        return "transformer/" + name;
    }

    private static SDVariable convolve(SameDiff sd, SDVariable x, Convolution conv) {
        SDVariable padded = reflectionPad(sd, x, conv.kernel() / 2);
        Conv2DConfig config = Conv2DConfig.builder().kH(conv.kernel()).kW(conv.kernel())
                .sH(conv.stride()).sW(conv.stride()).paddingMode(PaddingMode.VALID).dataFormat("NHWC").build();
        SDVariable weights = sd.getVariable(variableName(conv.name() + "/W"));
        return conv.normalized()
                ? sd.cnn().conv2d(padded, weights, config)
                : sd.cnn().conv2d(padded, weights, sd.getVariable(variableName(conv.name() + "/b")), config);
    }

    /**
     * Reflection padding of H and W by {@code p} (NHWC), built from slices and a
     * concatenation: in 1.0.0-M2.1 {@code pad}'s REFLECT mode has a wrong gradient (it only
     * slices the centre out, dropping what the reflected border received).
     */
    static SDVariable reflectionPad(SameDiff sd, SDVariable x, int p) {
        if (p == 0) {
            return x;
        }
        return reflectAxis(sd, reflectAxis(sd, x, 1, p), 2, p);
    }

    private static SDVariable reflectAxis(SameDiff sd, SDVariable x, int axis, int p) {
        // Rows p, p-1, ..., 1 before and n-2, ..., n-1-p after, one-row slices (negative indices: any
        // n). Reversing two p-row slices says the same, but M2.1's reverse and reverse_bp took
        // 40% of a training step; a slice with stride -1 kills the JVM.
        SDVariable[] parts = new SDVariable[2 * p + 1];
        for (int i = 0; i < p; i++) {
            parts[i] = slice(sd, x, axis, p - i, p - i + 1, 1);
            parts[p + 1 + i] = slice(sd, x, axis, -2 - i, -1 - i, 1);
        }
        parts[p] = x;
        return sd.concat(axis, parts);
    }

    private static SDVariable slice(SameDiff sd, SDVariable x, int axis, long from, long to, long stride) {
        long[] begin = new long[4];
        long[] end = new long[4];
        long[] strides = {1, 1, 1, 1};
        strides[axis] = stride;
        begin[axis] = from;
        end[axis] = to;
        int fullAxes = 0b1111 & ~(1 << axis); // every other axis whole
        return sd.stridedSlice(x, begin, end, strides, fullAxes, fullAxes, 0, 0, 0);
    }

    /**
     * Per sample and channel: (x − mean) / sqrt(variance + 1e-5), then scale and shift, with the
     * scale folded into one {@code [N, 1, 1, C]} factor so that only one product broadcasts over
     * the image ({@code multiply_bp} with broadcasting is a large part of a training step in M2.1).
     * Not SameDiff's fused {@code layer_norm} over H and W: it has no epsilon, and its backward
     * pass alone took 1.5 s of a 3.5 s transformer step (half width, batch 4, 256 px), against
     * 0.85 s for all of these ops.
     */
    static SDVariable instanceNorm(SameDiff sd, SDVariable x, SDVariable gamma, SDVariable beta) {
        return instanceNorm(sd, x, gamma, beta, null);
    }

    private static SDVariable instanceNorm(SameDiff sd, SDVariable x, SDVariable gamma, SDVariable beta, String layer) {
        SDVariable centred = x.sub(sd.mean(layer == null ? null : meanName(layer), x, true, 1, 2));
        SDVariable variance = sd.mean(layer == null ? null : varianceName(layer), sd.math().square(centred), true, 1, 2);
        return normalize(sd, centred, variance, gamma, beta);
    }

    private static SDVariable normalize(SameDiff sd, SDVariable centred, SDVariable variance, SDVariable gamma,
                                        SDVariable beta) {
        SDVariable scale = sd.math().rsqrt(variance.add(INSTANCE_NORM_EPSILON)).mul(gamma.reshape(1, 1, 1, -1));
        return centred.mul(scale).add(beta.reshape(1, 1, 1, -1));
    }

    /** Name of a normalisation's mean in a graph: {@code transformer/conv1/mean}. */
    public static String meanName(String layer) {
        return variableName(layer + "/mean");
    }

    /** Name of a normalisation's variance in a graph: {@code transformer/conv1/variance}. */
    public static String varianceName(String layer) {
        return variableName(layer + "/variance");
    }

    /**
     * Nearest-neighbour x2 (NHWC), done in NCHW: M2.1's {@code upsampling2d} has a wrong gradient
     * for NHWC input (and fails shape inference when given one scale for both axes).
     */
    static SDVariable upsample(SameDiff sd, SDVariable x) {
        return sd.permute(sd.cnn().upsampling2d(sd.permute(x, 0, 3, 1, 2), 2, 2, true), 0, 2, 3, 1);
    }

    @Override
    public String toString() {
        return "TransformerNetwork[width=" + width + ", residualBlocks=" + residualBlocks + ", parameters="
                + parameterCount() + "]";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TransformerNetwork that && width == that.width && residualBlocks == that.residualBlocks;
    }

    @Override
    public int hashCode() {
        return 31 * width + residualBlocks;
    }
}
