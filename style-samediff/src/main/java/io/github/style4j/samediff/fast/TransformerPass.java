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
    /** The channel axis of an NHWC array, for libnd4j's batchnorm ops. */
    private static final int NHWC_CHANNEL_AXIS = 3;
    private static final int KERNEL_YXIO = 0;
    private static final double EPSILON = 1e-5;

    private final List<TransformerNetwork.Convolution> convolutions;
    /** Output positions per sample from which a convolution's backward runs sample by sample. */
    private long perSampleBackwardFrom = 256 * 256;
    /**
     * Elements per sample up to which instance normalisation's statistics and backward are
     * libnd4j's {@code moments} and {@code batchnorm_bp} (fastest while a sample's activations fit
     * the cache); above it they are column sums as matrix products, which scale linearly where
     * those ops do not (1024 x 1024 x 32: 200 ms and 1.2 s against 35 and 97 ms; decision 0011).
     */
    private long onePassNormalisationUpTo = 1 << 22;
    private final Map<String, INDArray> values = new LinkedHashMap<>();
    /**
     * Arrays no longer in use, by shape, for the next layer or call of that shape: allocating a
     * large array costs here about as much as a convolution on it (0.2 s for 64 MB, most of it
     * first touching the pages), reusing one almost nothing.
     */
    private final Map<String, java.util.ArrayDeque<INDArray>> free = new java.util.HashMap<>();

    /** Row vectors of ones by length, for column sums as matrix-vector products. */
    private final Map<Long, INDArray> ones = new java.util.HashMap<>();

    /**
     * Per column sums of a {@code [P, C]} matrix, {@code [1, C]}, as a matrix-vector product:
     * 3-4x faster than M2.1's {@code sum(0)} / {@code norm2(0)} on these tall, narrow matrices.
     */
    private INDArray columnSums(INDArray matrix) {
        long rows = matrix.size(0);
        long columns = matrix.size(1);
        // Folded into fewer, wider rows (k of them side by side): the product runs twice as fast
        // on 256 columns as on 32; the k partial sums are added after.
        int k = rows % 8 == 0 ? 8 : rows % 4 == 0 ? 4 : rows % 2 == 0 ? 2 : 1;
        INDArray one = ones.computeIfAbsent(rows / k, p -> Nd4j.ones(DataType.FLOAT, 1, p));
        INDArray partial = one.mmul(matrix.reshape(rows / k, k * columns));
        return k == 1 ? partial : partial.reshape(k, columns).sum(0).reshape(1, columns);
    }

    /** Per column sums of the element-wise product of two {@code [P, C]} matrices. */
    private INDArray columnProductSums(INDArray a, INDArray b) {
        INDArray product = a.mul(b, take(a.shape()));
        INDArray sums = columnSums(product);
        give(product);
        return sums;
    }

    private INDArray take(long... shape) {
        java.util.ArrayDeque<INDArray> spare = free.get(java.util.Arrays.toString(shape));
        INDArray array = spare == null ? null : spare.poll();
        return array != null ? array : Nd4j.createUninitialized(DataType.FLOAT, shape);
    }

    private void give(INDArray array) {
        free.computeIfAbsent(java.util.Arrays.toString(array.shape()), key -> new java.util.ArrayDeque<>()).push(array);
    }

    /** @param values the network's variables by name ({@link TransformerNetwork#variableShapes()}), copied */
    TransformerPass(TransformerNetwork network, Map<String, INDArray> values) {
        this(network, values, true);
    }

    /**
     * @param copy false: use {@code values} as given (float, c order), so that a trainer's
     *             updates in place are seen by the next pass
     */
    TransformerPass(TransformerNetwork network, Map<String, INDArray> values, boolean copy) {
        this.convolutions = network.convolutions();
        network.variableShapes().forEach((name, shape) -> {
            INDArray value = values.get(name);
            if (value == null || !java.util.Arrays.equals(value.shape(), shape)) {
                throw new IllegalArgumentException("transformer variable " + name + " is missing or misshapen");
            }
            if (!copy && (value.dataType() != DataType.FLOAT || value.ordering() != 'c' || value.isView())) {
                throw new IllegalArgumentException("transformer variable " + name + " must be a float c-order array");
            }
            this.values.put(name, copy ? value.castTo(DataType.FLOAT).dup('c') : value);
        });
    }

    /** Uses {@code moments} and {@code batchnorm_bp} for samples of at most {@code elements} elements (tests). */
    TransformerPass onePassNormalisationUpTo(long elements) {
        this.onePassNormalisationUpTo = elements;
        return this;
    }

    /** Runs the backward of convolutions with at least {@code positions} output positions a sample at a time (tests). */
    TransformerPass perSampleBackwardFrom(long positions) {
        this.perSampleBackwardFrom = positions;
        return this;
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
        INDArray x = run(rgb, fixed, statistics, null);
        INDArray out = x.permute(0, 3, 1, 2).dup('c');
        give(x);
        return out;
    }

    /**
     * The layers, NHWC; returns the last layer's output. With a {@code trace}, every array the
     * backward pass needs is kept in it; without, each goes back to the pool once read.
     */
    private INDArray run(INDArray rgb, Map<String, INDArray> fixed, Map<String, INDArray> statistics, Trace trace) {
        INDArray x = take(rgb.size(0), rgb.size(2), rgb.size(3), rgb.size(1)).assign(rgb.permute(0, 2, 3, 1));
        boolean kept = false; // whether x belongs to the trace
        INDArray residual = null;
        boolean residualKept = false;
        for (TransformerNetwork.Convolution conv : convolutions) {
            if (conv.name().startsWith("up")) {
                INDArray larger = upsample(x, take(x.size(0), 2 * x.size(1), 2 * x.size(2), x.size(3)));
                if (!kept) {
                    give(x);
                }
                x = larger;
                kept = false;
            }
            if (conv.name().endsWith("_a")) {
                residual = x;
                residualKept = kept;
            }
            int p = conv.kernel() / 2;
            INDArray padded = pad(x, p, take(x.size(0), x.size(1) + 2L * p, x.size(2) + 2L * p, x.size(3)));
            if (x != residual && !kept) {
                give(x);
            }
            INDArray y = convolveValid(padded, conv);
            if (trace != null) {
                trace.padded.put(conv.name(), padded);
            } else {
                give(padded);
            }
            if (conv.normalized()) {
                if (trace != null) {
                    // the backward pass needs the convolution's output as it was, and its moments
                    trace.convolved.put(conv.name(), y);
                    Moments moments = moments(y);
                    trace.moments.put(conv.name(), moments);
                    INDArray normalised = take(y.shape());
                    for (int s = 0; s < y.size(0); s++) {
                        batchNorm(sample(y, s), moments.mean[s], moments.variance[s], conv, sample(normalised, s));
                    }
                    y = normalised;
                } else {
                    normalize(y, conv, fixed, statistics);
                }
                if (conv.name().endsWith("_b")) {
                    y.addi(residual);
                    if (!residualKept) {
                        give(residual);
                    }
                    residual = null;
                } else {
                    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear(y, y, 0.0));
                }
            } else {
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid(y, y));
            }
            if (trace != null) {
                trace.outputs.put(conv.name(), y);
            }
            x = y;
            kept = trace != null;
        }
        return x;
    }

    /**
     * What a training step's backward pass needs from its forward pass, per layer: the padded
     * input of each convolution, the convolution's output and its moments where it is
     * normalised, and the layer's output (for ReLU and sigmoid). Free it with {@link #close()}.
     */
    final class Trace implements AutoCloseable {
        private final Map<String, INDArray> padded = new LinkedHashMap<>();
        private final Map<String, INDArray> convolved = new LinkedHashMap<>();
        private final Map<String, Moments> moments = new LinkedHashMap<>();
        private final Map<String, INDArray> outputs = new LinkedHashMap<>();
        private final Map<String, long[]> inputShapes = new LinkedHashMap<>();
        private INDArray result;

        /** The stylised batch, NCHW. */
        INDArray result() {
            return result;
        }

        /** Gives every array back to the pass, for the next step's. */
        @Override
        public void close() {
            for (Map<String, INDArray> arrays : List.of(padded, convolved, outputs)) {
                arrays.values().forEach(TransformerPass.this::give);
                arrays.clear();
            }
            moments.clear();
            if (result != null) {
                give(result);
                result = null;
            }
        }
    }

    /** The forward pass of a training step, keeping what {@link #backward} needs. */
    Trace forwardTraced(INDArray rgb) {
        Trace trace = new Trace();
        INDArray x = run(rgb, null, null, trace);
        trace.result = take(x.size(0), x.size(3), x.size(1), x.size(2)).assign(x.permute(0, 3, 1, 2));
        return trace;
    }

    /**
     * Gradients of every variable, given the loss's gradient for the stylised batch
     * ({@code [N, 3, H, W]}), by variable name.
     */
    Map<String, INDArray> backward(Trace trace, INDArray gradResult) {
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        INDArray g = take(gradResult.size(0), gradResult.size(2), gradResult.size(3), gradResult.size(1))
                .assign(gradResult.permute(0, 2, 3, 1));
        INDArray residualGradient = null;
        for (int i = convolutions.size() - 1; i >= 0; i--) {
            TransformerNetwork.Convolution conv = convolutions.get(i);
            INDArray y = trace.outputs.get(conv.name());
            if (!conv.normalized()) {
                try (INDArray complement = y.rsub(1.0)) {
                    g.muli(y).muli(complement); // sigmoid: y (1 - y)
                }
            } else {
                if (conv.name().endsWith("_b")) {
                    residualGradient = take(g.shape()).assign(g); // the skip connection passes it on unchanged
                } else {
                    Nd4j.exec(DynamicCustomOp.builder("relu_bp").addInputs(y, g).addOutputs(g)
                            .addFloatingPointArguments(0.0).build());
                }
                INDArray gradConvolved = normalizeBackward(g, conv, trace, gradients);
                give(g);
                g = gradConvolved;
            }
            INDArray padded = trace.padded.get(conv.name());
            INDArray gradPadded = take(padded.shape());
            INDArray gradW = convolveBackward(padded, g, conv, gradPadded, gradients);
            gradients.put(conv.name() + "/W", gradW);
            give(g);
            g = unpad(gradPadded, conv.kernel() / 2);
            give(gradPadded);
            if (conv.name().endsWith("_a")) {
                g.addi(residualGradient);
                give(residualGradient);
                residualGradient = null;
            }
            if (conv.name().startsWith("up")) {
                INDArray smaller = downsampleSum(g);
                give(g);
                g = smaller;
            }
        }
        give(g);
        return gradients;
    }

    /**
     * The convolution's backward: the gradient for its padded input into {@code gradPadded}; the
     * weight gradient returned, the bias gradient (if it has one) put in {@code gradients}.
     * Large layers go a sample at a time: M2.1's oneDNN {@code conv2d_bp} on a batch of 4 at
     * 256 x 256 takes 5x as long as four single-sample calls (the weight gradient; decision 0011).
     */
    private INDArray convolveBackward(INDArray padded, INDArray g, TransformerNetwork.Convolution conv,
                                      INDArray gradPadded, Map<String, INDArray> gradients) {
        INDArray w = values.get(conv.name() + "/W");
        INDArray b = conv.normalized() ? null : values.get(conv.name() + "/b");
        INDArray gradW = Nd4j.create(DataType.FLOAT, w.shape());
        INDArray gradB = b == null ? null : Nd4j.create(DataType.FLOAT, b.shape());
        long n = g.size(0);
        boolean perSample = n > 1 && g.size(1) * g.size(2) >= perSampleBackwardFrom;
        INDArray sampleW = perSample ? Nd4j.create(DataType.FLOAT, w.shape()) : gradW;
        INDArray sampleB = perSample && b != null ? Nd4j.create(DataType.FLOAT, b.shape()) : gradB;
        for (long s = 0; s < (perSample ? n : 1); s++) {
            INDArray x = perSample ? sample(padded, s) : padded;
            INDArray gs = perSample ? sample(g, s) : g;
            INDArray gx = perSample ? sample(gradPadded, s) : gradPadded;
            INDArray[] inputs = b == null ? new INDArray[] {x, w, gs} : new INDArray[] {x, w, b, gs};
            INDArray[] outputs = b == null ? new INDArray[] {gx, sampleW} : new INDArray[] {gx, sampleW, sampleB};
            Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(inputs).addOutputs(outputs)
                    .addIntegerArguments(conv.kernel(), conv.kernel(), conv.stride(), conv.stride(), 0, 0, 1, 1, 0,
                            NHWC, KERNEL_YXIO).build());
            if (perSample) {
                gradW.addi(sampleW);
                if (b != null) {
                    gradB.addi(sampleB);
                }
            }
        }
        if (b != null) {
            gradients.put(conv.name() + "/b", gradB);
        }
        return gradW;
    }

    /** Each sample's per-channel mean and (biased) variance over its positions, {@code [C]} arrays. */
    private record Moments(INDArray[] mean, INDArray[] variance) {
    }

    private Moments moments(INDArray y) {
        int n = (int) y.size(0);
        long positions = y.size(1) * y.size(2);
        long channels = y.size(3);
        Moments moments = new Moments(new INDArray[n], new INDArray[n]);
        for (int s = 0; s < n; s++) {
            INDArray mean = Nd4j.create(DataType.FLOAT, channels);
            INDArray variance = Nd4j.create(DataType.FLOAT, channels);
            if (positions * channels <= onePassNormalisationUpTo) {
                Nd4j.exec(DynamicCustomOp.builder("moments").addInputs(sample(y, s)).addOutputs(mean, variance)
                        .addIntegerArguments(0, 1, 2).build());
            } else {
                INDArray plane = sample(y, s).reshape(positions, channels);
                mean.assign(columnSums(plane).divi(positions));
                INDArray centred = take(plane.shape()).assign(plane).subiRowVector(mean);
                variance.assign(columnProductSums(centred, centred).divi(positions));
                give(centred);
            }
            moments.mean[s] = mean;
            moments.variance[s] = variance;
        }
        return moments;
    }

    /** Sample {@code s} of an NHWC batch, {@code [1, H, W, C]}: a view. */
    private static INDArray sample(INDArray batch, long s) {
        return batch.get(NDArrayIndex.interval(s, s + 1));
    }

    /**
     * γ (x − mean) / √(variance + ε) + β per channel, from {@code x} into {@code out} (which may
     * be {@code x}), as libnd4j's {@code batchnorm} (oneDNN: one pass over the array, where
     * separate ND4J ops made instance normalisation cost as much as the convolutions).
     */
    private void batchNorm(INDArray x, INDArray mean, INDArray variance, TransformerNetwork.Convolution conv,
                           INDArray out) {
        Nd4j.exec(DynamicCustomOp.builder("batchnorm")
                .addInputs(x, mean, variance, values.get(conv.name() + "/gamma"), values.get(conv.name() + "/beta"))
                .addOutputs(out).addIntegerArguments(1, 1, NHWC_CHANNEL_AXIS).addFloatingPointArguments(EPSILON)
                .build());
    }

    /**
     * Instance normalisation's backward: given {@code g}, the gradient for the layer's normalised,
     * scaled and shifted output, returns the gradient for the convolution's output and adds
     * dγ, dβ to {@code gradients}. Per sample, libnd4j's {@code batchnorm_bp} over that sample's
     * positions is exactly this: it differentiates through the mean and variance as well, which
     * are the sample's own here (the tests compare it with SameDiff's graph).
     */
    private INDArray normalizeBackward(INDArray g, TransformerNetwork.Convolution conv, Trace trace,
                                       Map<String, INDArray> gradients) {
        long channels = g.size(3);
        INDArray convolved = trace.convolved.get(conv.name());
        Moments moments = trace.moments.get(conv.name());
        INDArray gradGamma = Nd4j.zeros(DataType.FLOAT, channels);
        INDArray gradBeta = Nd4j.zeros(DataType.FLOAT, channels);
        INDArray gradMean = Nd4j.create(DataType.FLOAT, channels);
        INDArray gradVariance = Nd4j.create(DataType.FLOAT, channels);
        INDArray sampleGamma = Nd4j.create(DataType.FLOAT, channels);
        INDArray sampleBeta = Nd4j.create(DataType.FLOAT, channels);
        INDArray result = take(g.shape());
        for (int s = 0; s < g.size(0); s++) {
            if (convolved.length() / g.size(0) <= onePassNormalisationUpTo) {
                Nd4j.exec(DynamicCustomOp.builder("batchnorm_bp")
                        .addInputs(sample(convolved, s), moments.mean[s], moments.variance[s],
                                values.get(conv.name() + "/gamma"), values.get(conv.name() + "/beta"), sample(g, s))
                        .addOutputs(sample(result, s), gradMean, gradVariance, sampleGamma, sampleBeta)
                        .addIntegerArguments(1, 1, NHWC_CHANNEL_AXIS).addFloatingPointArguments(EPSILON).build());
            } else {
                normalizeBackwardBySums(sample(convolved, s), moments.mean[s], moments.variance[s],
                        values.get(conv.name() + "/gamma"), sample(g, s), sample(result, s), sampleGamma, sampleBeta);
            }
            gradGamma.addi(sampleGamma);
            gradBeta.addi(sampleBeta);
        }
        gradients.put(conv.name() + "/gamma", gradGamma);
        gradients.put(conv.name() + "/beta", gradBeta);
        return result;
    }

    /**
     * One sample's instance-normalisation backward from column sums, for samples too large for
     * {@code batchnorm_bp}: with x̂ = (y − μ)/σ, Σg and Σg x̂ per channel, the input gradient
     * (γ/σ)(g − Σg/P − x̂ Σg x̂/P) is a g + b y + c per channel, computed as two affine passes.
     */
    private void normalizeBackwardBySums(INDArray y, INDArray mean, INDArray variance, INDArray gamma, INDArray g,
                                         INDArray out, INDArray gradGamma, INDArray gradBeta) {
        long channels = y.size(3);
        long positions = y.length() / channels;
        INDArray gPlane = g.reshape(positions, channels);
        INDArray sumG = columnSums(gPlane).reshape(channels);
        INDArray inverse = org.nd4j.linalg.ops.transforms.Transforms.pow(variance.add(EPSILON), -0.5, false);
        // Σ g x̂ = (Σ g y − μ Σ g) / σ
        INDArray sumGx = columnProductSums(gPlane, y.reshape(positions, channels)).reshape(channels)
                .subi(mean.mul(sumG)).muli(inverse);
        gradBeta.assign(sumG);
        gradGamma.assign(sumGx);
        INDArray a = gamma.mul(inverse);
        INDArray b = a.mul(inverse).muli(sumGx).divi(-positions);
        INDArray c = a.mul(sumG).divi(-positions).subi(b.mul(mean));
        affine(g, a, c, out);
        INDArray by = take(y.shape());
        affine(y, b, null, by);
        out.addi(by);
        give(by);
    }

    /** {@code out = scale x + shift} per channel (shift null: none), one pass through {@code batchnorm}. */
    private void affine(INDArray x, INDArray scale, INDArray shift, INDArray out) {
        INDArray zero = Nd4j.zeros(DataType.FLOAT, scale.length());
        // batchnorm's (x − 0) / √(v + ε) with v = 1 − ε is x itself
        INDArray unit = Nd4j.ones(DataType.FLOAT, scale.length()).subi(EPSILON);
        Nd4j.exec(DynamicCustomOp.builder("batchnorm").addInputs(x, zero, unit, scale, shift == null ? zero : shift)
                .addOutputs(out).addIntegerArguments(1, 1, NHWC_CHANNEL_AXIS).addFloatingPointArguments(EPSILON)
                .build());
    }

    /**
     * The gradient for a reflection-padded array given to its unpadded input: each padded
     * position adds into the pixel it copied (row and column reflected alike). Bulk copies and a
     * loop over the native buffers: sums into strided views cost 50 ms a layer here.
     */
    private INDArray unpad(INDArray gradPadded, int p) {
        INDArray source = contiguous(gradPadded);
        long n = source.size(0);
        int paddedH = (int) source.size(1);
        int paddedW = (int) source.size(2);
        int c = (int) source.size(3);
        int h = paddedH - 2 * p;
        int w = paddedW - 2 * p;
        INDArray result = take(n, h, w, c);
        java.nio.FloatBuffer in = floats(source);
        java.nio.FloatBuffer out = floats(result);
        for (long s = 0; s < n; s++) {
            int sampleIn = (int) (s * paddedH * paddedW * c);
            int sampleOut = (int) (s * h * w * c);
            // the inner block first, copied row by row; then what the border copies add
            for (int r = 0; r < h; r++) {
                copy(in, sampleIn + ((r + p) * paddedW + p) * c, out, sampleOut + r * w * c, w * c);
            }
            for (int r = 0; r < paddedH; r++) {
                boolean borderRow = r < p || r >= h + p;
                int from = sampleIn + r * paddedW * c;
                int rowTo = sampleOut + reflect(r - p, h) * w * c;
                for (int col = 0; col < paddedW; col++) {
                    if (!borderRow && col == p) {
                        col = p + w - 1; // inner columns of an inner row are copied already
                        continue;
                    }
                    int to = rowTo + reflect(col - p, w) * c;
                    int at = from + col * c;
                    for (int k = 0; k < c; k++) {
                        out.put(to + k, out.get(to + k) + in.get(at + k));
                    }
                }
            }
        }
        return result;
    }

    /** Index {@code i} of {@code n} mirrored at both ends without repeating the edge. */
    private static int reflect(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
    }

    /** Nearest-neighbour upsampling's backward: each 2 x 2 block's gradients summed (native-buffer loop). */
    private INDArray downsampleSum(INDArray g) {
        INDArray source = contiguous(g);
        long n = source.size(0);
        int h = (int) source.size(1) / 2;
        int w = (int) source.size(2) / 2;
        int c = (int) source.size(3);
        INDArray result = take(n, h, w, c);
        java.nio.FloatBuffer in = floats(source);
        java.nio.FloatBuffer out = floats(result);
        int rowIn = 2 * w * c;
        for (long s = 0; s < n; s++) {
            for (int y = 0; y < h; y++) {
                int top = (int) ((s * 2 * h + 2L * y) * rowIn);
                int to = (int) ((s * h + y) * w * c);
                for (int x = 0; x < w; x++) {
                    int a = top + 2 * x * c;
                    for (int k = 0; k < c; k++) {
                        out.put(to + x * c + k, in.get(a + k) + in.get(a + c + k) + in.get(a + rowIn + k)
                                + in.get(a + rowIn + c + k));
                    }
                }
            }
        }
        return result;
    }

    /**
     * Reflection padding by {@code p} of H and W (NHWC, c order), copied row by row through
     * the native buffers: M2.1's {@code pad} REFLECT takes 1 s for a 1024 x 1024 x 16 array, and
     * assigning into a strided view 0.2 s, where these bulk copies take a few milliseconds.
     */
    static INDArray pad(INDArray x, int p) {
        return pad(x, p, Nd4j.createUninitialized(DataType.FLOAT, x.size(0), x.size(1) + 2L * p, x.size(2) + 2L * p,
                x.size(3)));
    }

    /** {@link #pad(INDArray, int)} into {@code y}. */
    static INDArray pad(INDArray x, int p, INDArray y) {
        INDArray source = contiguous(x);
        long n = source.size(0);
        int h = (int) source.size(1);
        int w = (int) source.size(2);
        int c = (int) source.size(3);
        int paddedW = w + 2 * p;
        java.nio.FloatBuffer in = floats(source);
        java.nio.FloatBuffer out = floats(y);
        int rowIn = w * c;
        int rowOut = paddedW * c;
        for (long s = 0; s < n; s++) {
            int baseIn = (int) (s * h * rowIn);
            int baseOut = (int) (s * (h + 2L * p) * rowOut);
            for (int r = 0; r < h + 2 * p; r++) {
                // padded row r copies source row p - r above, 2h - 2 - (r - p) below
                int sr = r < p ? p - r : r >= h + p ? 2 * h - 2 - (r - p) : r - p;
                int from = baseIn + sr * rowIn;
                int to = baseOut + r * rowOut;
                copy(in, from, out, to + p * c, rowIn);
                for (int i = 0; i < p; i++) {
                    copy(in, from + (p - i) * c, out, to + i * c, c);                 // left: columns p..1
                    copy(in, from + (w - 2 - i) * c, out, to + (p + w + i) * c, c);   // right: w-2, w-3, ...
                }
            }
        }
        return y;
    }

    /** Nearest-neighbour x2 in both spatial axes (NHWC): each pixel becomes a 2 x 2 block. */
    static INDArray upsample(INDArray x) {
        return upsample(x, Nd4j.createUninitialized(DataType.FLOAT, x.size(0), 2 * x.size(1), 2 * x.size(2),
                x.size(3)));
    }

    /** {@link #upsample(INDArray)} into {@code y}. */
    static INDArray upsample(INDArray x, INDArray y) {
        INDArray source = contiguous(x);
        long n = source.size(0);
        int h = (int) source.size(1);
        int w = (int) source.size(2);
        int c = (int) source.size(3);
        java.nio.FloatBuffer in = floats(source);
        java.nio.FloatBuffer out = floats(y);
        int rowOut = 2 * w * c;
        for (long s = 0; s < n; s++) {
            for (int r = 0; r < h; r++) {
                int from = (int) ((s * h + r) * w * c);
                int to = (int) ((s * 2 * h + 2L * r) * rowOut);
                for (int col = 0; col < w; col++) {
                    copy(in, from + col * c, out, to + 2 * col * c, c);
                    copy(in, from + col * c, out, to + (2 * col + 1) * c, c);
                }
                copy(out, to, out, to + rowOut, rowOut); // the second row is the first again
            }
        }
        return y;
    }

    /** The array's native memory as floats, in the machine's byte order (the default view is big-endian: copies then go float by float). */
    private static java.nio.FloatBuffer floats(INDArray x) {
        return x.data().asNio().order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** {@code length} floats from {@code in} at {@code from} to {@code out} at {@code to}. */
    private static void copy(java.nio.FloatBuffer in, int from, java.nio.FloatBuffer out, int to, int length) {
        out.put(to, in, from, length);
    }

    /** {@code x} itself when it is a whole float c-order buffer, else a copy that is. */
    private static INDArray contiguous(INDArray x) {
        return x.dataType() == DataType.FLOAT && x.ordering() == 'c' && !x.isView() && x.offset() == 0
                && x.data().length() == x.length() ? x : x.castTo(DataType.FLOAT).dup('c');
    }

    /** VALID convolution of an already padded input at the layer's stride. */
    private INDArray convolveValid(INDArray padded, TransformerNetwork.Convolution conv) {
        long h = (padded.size(1) - conv.kernel()) / conv.stride() + 1;
        long w = (padded.size(2) - conv.kernel()) / conv.stride() + 1;
        INDArray y = take(padded.size(0), h, w, conv.out());
        INDArray[] inputs = conv.normalized() ? new INDArray[] {padded, values.get(conv.name() + "/W")}
                : new INDArray[] {padded, values.get(conv.name() + "/W"), values.get(conv.name() + "/b")};
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(inputs).addOutputs(y).addIntegerArguments(
                conv.kernel(), conv.kernel(), conv.stride(), conv.stride(), 0, 0, 1, 1, 0, NHWC, KERNEL_YXIO).build());
        return y;
    }

    /**
     * Instance normalisation in place, per sample: each channel's positions to zero mean and
     * unit variance (with epsilon), then scaled and shifted.
     */
    private void normalize(INDArray y, TransformerNetwork.Convolution conv, Map<String, INDArray> fixed,
                           Map<String, INDArray> statistics) {
        long channels = y.size(3);
        Moments own = fixed == null ? moments(y) : null;
        for (int s = 0; s < y.size(0); s++) {
            INDArray mean;
            INDArray variance;
            if (fixed != null) {
                mean = fixed.get(TransformerNetwork.meanName(conv.name())).reshape(channels).castTo(DataType.FLOAT);
                variance = fixed.get(TransformerNetwork.varianceName(conv.name())).reshape(channels)
                        .castTo(DataType.FLOAT);
            } else {
                mean = own.mean[s];
                variance = own.variance[s];
            }
            if (statistics != null && s == 0) {
                statistics.put(TransformerNetwork.meanName(conv.name()), mean.reshape(1, 1, 1, channels).dup());
                statistics.put(TransformerNetwork.varianceName(conv.name()), variance.reshape(1, 1, 1, channels).dup());
            }
            INDArray plane = sample(y, s);
            batchNorm(plane, mean, variance, conv, plane);
        }
    }

}
