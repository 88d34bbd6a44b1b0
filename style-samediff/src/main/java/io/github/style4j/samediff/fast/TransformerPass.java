package io.github.style4j.samediff.fast;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The transformer's forward pass run op by op, outside SameDiff: what {@link FastStyle}
 * applies. It computes what {@link TransformerNetwork#define} computes (the tests compare them),
 * but each intermediate array is freed as soon as the next layer has read it and the
 * normalisations work in place, where a SameDiff session keeps every intermediate of the pass
 * and spends longer outside its ops than in them (1.0.0-M2.1: 11.4 s for a full-width
 * 1024 x 1024 pass, of which the convolutions are under 2 s). NHWC inside, as the graph.
 */
final class TransformerPass {
    private static final int NHWC = 1;
    private static final int KERNEL_YXIO = 0;
    private static final double EPSILON = 1e-5;

    private final List<TransformerNetwork.Convolution> convolutions;
    private final Map<String, INDArray> values = new LinkedHashMap<>();

    /** @param values the network's variables by name ({@link TransformerNetwork#variableShapes()}) */
    TransformerPass(TransformerNetwork network, Map<String, INDArray> values) {
        this.convolutions = network.convolutions();
        network.variableShapes().forEach((name, shape) -> {
            INDArray value = values.get(name);
            if (value == null || !java.util.Arrays.equals(value.shape(), shape)) {
                throw new IllegalArgumentException("transformer variable " + name + " is missing or misshapen");
            }
            this.values.put(name, value.castTo(DataType.FLOAT).dup('c'));
        });
    }

    /**
     * The stylised batch, {@code [N, 3, H, W]} in [0, 1] (sides multiples of
     * {@value TransformerNetwork#SIZE_MULTIPLE}).
     *
     * @param fixed      every normalisation's mean and variance ({@link TransformerNetwork#meanName},
     *                   {@link TransformerNetwork#varianceName}, {@code [1, 1, 1, C]}) instead of its
     *                   input's (a tile of a large image), or null
     * @param statistics receives each normalisation's own mean and variance (batch 1), or null
     */
    INDArray forward(INDArray rgb, Map<String, INDArray> fixed, Map<String, INDArray> statistics) {
        INDArray x = rgb.castTo(DataType.FLOAT).permute(0, 2, 3, 1).dup('c');
        INDArray residual = null;
        for (TransformerNetwork.Convolution conv : convolutions) {
            if (conv.name().startsWith("up")) {
                INDArray larger = upsample(x);
                x.close();
                x = larger;
            }
            if (conv.name().endsWith("_a")) {
                residual = x;
            }
            INDArray y = convolve(x, conv);
            if (x != residual) {
                x.close();
            }
            if (conv.normalized()) {
                normalize(y, conv, fixed, statistics);
                if (conv.name().endsWith("_b")) {
                    y.addi(residual);
                    residual.close();
                    residual = null;
                } else {
                    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear(y, y, 0.0));
                }
            } else {
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid(y, y));
            }
            x = y;
        }
        INDArray out = x.permute(0, 3, 1, 2).dup('c');
        x.close();
        return out;
    }

    /** Reflection padding by half the kernel, then the convolution (VALID, the layer's stride). */
    private INDArray convolve(INDArray x, TransformerNetwork.Convolution conv) {
        int p = conv.kernel() / 2;
        // pad's REFLECT forward is right in M2.1 (only its gradient is not, which this never takes)
        INDArray paddings = Nd4j.createFromArray(new int[][] {{0, 0}, {p, p}, {p, p}, {0, 0}});
        INDArray padded = Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.Pad(x, paddings,
                org.nd4j.enums.PadMode.REFLECT, 0.0))[0];
        long h = (padded.size(1) - conv.kernel()) / conv.stride() + 1;
        long w = (padded.size(2) - conv.kernel()) / conv.stride() + 1;
        INDArray y = Nd4j.create(DataType.FLOAT, x.size(0), h, w, conv.out());
        INDArray[] inputs = conv.normalized() ? new INDArray[] {padded, values.get(conv.name() + "/W")}
                : new INDArray[] {padded, values.get(conv.name() + "/W"), values.get(conv.name() + "/b")};
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(inputs).addOutputs(y).addIntegerArguments(conv.kernel(), conv.kernel(), conv.stride(), conv.stride(),
                0, 0, 1, 1, 0, NHWC, KERNEL_YXIO).build());
        padded.close();
        return y;
    }

    /**
     * Instance normalisation in place, per sample: each channel's positions to zero mean and
     * unit variance (with epsilon), then scaled and shifted.
     */
    private void normalize(INDArray y, TransformerNetwork.Convolution conv, Map<String, INDArray> fixed,
                           Map<String, INDArray> statistics) {
        long n = y.size(0);
        long positions = y.size(1) * y.size(2);
        long channels = y.size(3);
        INDArray gamma = values.get(conv.name() + "/gamma");
        INDArray beta = values.get(conv.name() + "/beta");
        for (long s = 0; s < n; s++) {
            INDArray plane = y.get(NDArrayIndex.point(s)).reshape(positions, channels); // a view: c-order slice
            INDArray mean;
            INDArray variance;
            if (fixed != null) {
                mean = fixed.get(TransformerNetwork.meanName(conv.name())).reshape(channels).castTo(DataType.FLOAT);
                variance = fixed.get(TransformerNetwork.varianceName(conv.name())).reshape(channels)
                        .castTo(DataType.FLOAT);
                plane.subiRowVector(mean);
            } else {
                mean = plane.mean(0);
                plane.subiRowVector(mean);
                // the centred sum of squares without an image-sized temporary: the column norms
                INDArray norms = plane.norm2(0);
                variance = norms.muli(norms).divi(positions);
            }
            if (statistics != null && s == 0) {
                statistics.put(TransformerNetwork.meanName(conv.name()), mean.reshape(1, 1, 1, channels).dup());
                statistics.put(TransformerNetwork.varianceName(conv.name()), variance.reshape(1, 1, 1, channels).dup());
            }
            INDArray scale = org.nd4j.linalg.ops.transforms.Transforms.pow(variance.add(EPSILON), -0.5, false).muli(gamma);
            plane.muliRowVector(scale).addiRowVector(beta);
        }
    }

    /** Nearest-neighbour x2 in both spatial axes (NHWC): each pixel becomes a 2 x 2 block. */
    private static INDArray upsample(INDArray x) {
        long n = x.size(0);
        long h = x.size(1);
        long w = x.size(2);
        long c = x.size(3);
        INDArray y = Nd4j.create(DataType.FLOAT, n, 2 * h, 2 * w, c);
        // y viewed as [N, H, 2, W, 2, C]: the four copies of x
        INDArray blocks = y.reshape(n, h, 2, w, 2, c);
        for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
                blocks.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(dy), NDArrayIndex.all(),
                        NDArrayIndex.point(dx), NDArrayIndex.all()).assign(x);
            }
        }
        return y;
    }
}
