package io.github.style4j.samediff.network;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A {@link FeatureNetwork} run eagerly, forward to its taps and backward to the image only:
 * the fast path for style transfer, where the weights are constants and only the image's
 * gradient is wanted.
 *
 * <p>It computes what SameDiff's autodiff of {@link FeatureNetwork#define} computes, with less
 * work: a convolution's input gradient is a plain forward convolution of the output gradient
 * with the kernel flipped and transposed (computed once, here), so no weight or bias gradient
 * is ever formed (SameDiff's {@code conv2d_bp} always forms both: about as much work again as
 * the input gradient); inside, arrays are NHWC, where oneDNN's convolutions run about 10% and
 * max pooling up to 30x faster than NCHW in 1.0.0-M2.1 (taps and gradients cross the API as
 * NCHW); and every array is allocated once and reused, ReLUs run in place and the backward
 * pass cycles through three scratch buffers, so memory stays near one copy of the activations
 * plus three of the largest one.
 *
 * <p>Not thread-safe: one pass, one thread. Arrays returned by {@link #forward} and
 * {@link #backward} belong to the pass and are overwritten by its next call. {@link #close}
 * frees its memory at once (otherwise the Java GC frees it, some time after the pass becomes
 * unreachable).
 */
public final class FeaturePass implements AutoCloseable {
    private static final int NHWC = 1;
    private static final int KERNEL_YXIO = 0;

    private final List<Step> steps = new ArrayList<>();
    private final Map<String, Step> tapSteps = new LinkedHashMap<>();
    private final DataType dataType;
    private final Scratch scratch;
    private final Map<String, INDArray> tapsNchw = new LinkedHashMap<>();
    private INDArray input;
    private INDArray inputGradient;
    private boolean closed;

    FeaturePass(FeatureNetwork network, Collection<String> layers) {
        this.dataType = network.dataType();
        Architecture architecture = network.architecture();
        Set<String> wanted = new java.util.LinkedHashSet<>();
        int deepest = -1;
        for (String layer : layers) {
            String name = architecture.canonicalName(layer);
            wanted.add(name);
            deepest = Math.max(deepest, architecture.layerNames().indexOf(name));
        }
        if (wanted.isEmpty()) {
            throw new IllegalArgumentException("ask for at least one layer; valid names: "
                    + String.join(", ", architecture.layerNames()));
        }
        NetworkWeights weights = network.weights();
        if (weights.preprocessing() != io.github.style4j.core.tensor.Preprocessing.NONE) {
            steps.add(new ConvStep(network.preprocessingKernel(), 1, 1, false, Activation.IDENTITY));
        }
        int conv = 0;
        List<Architecture.Op> ops = architecture.ops();
        for (int i = 0; i <= deepest; i++) {
            Architecture.Op op = ops.get(i);
            boolean inputIsTap = i > 0 && wanted.contains(ops.get(i - 1).name());
            Step step;
            if (op instanceof Architecture.Conv c) {
                step = convolution(weights.convolutions().get(conv++), c.kernel(), c.stride(), c.same());
            } else if (op instanceof Architecture.Relu) {
                step = new ReluStep(!inputIsTap);
            } else if (op instanceof Architecture.Pool p) {
                step = new PoolStep(p.kernel(), p.stride(), network.pooling() == Pooling.MAX,
                        weights.ceilModePooling() && p.stride() > 1);
            } else if (op instanceof Architecture.Fire) {
                step = new FireStep(convolution(weights.convolutions().get(conv++), 1, 1, false),
                        convolution(weights.convolutions().get(conv++), 1, 1, false),
                        convolution(weights.convolutions().get(conv++), 3, 1, true));
            } else {
                step = new GlobalAverageStep();
            }
            steps.add(step);
            if (wanted.contains(op.name())) {
                tapSteps.put(op.name(), step);
            }
        }
        this.scratch = new Scratch(dataType);
    }

    private ConvStep convolution(ConvWeights w, int kernel, int stride, boolean same) {
        if (w.activation() != Activation.IDENTITY && w.activation() != Activation.RELU
                && w.activation() != Activation.SIGMOID) {
            throw new IllegalArgumentException(w.source() + ": in-layer activation " + w.activation()
                    + " is not supported");
        }
        return new ConvStep(w.weight().castTo(dataType), w.bias().reshape(w.bias().length()).castTo(dataType),
                kernel, stride, same, w.activation() == Activation.SIGMOID ? Activation.SIGMOID : Activation.IDENTITY);
    }

    /** The taps this pass computes, in network order. */
    public Set<String> layers() {
        return Collections.unmodifiableSet(tapSteps.keySet());
    }

    /**
     * Runs the network on {@code rgb} ({@code [1, 3, H, W]}, RGB in {@code [0, 1]}).
     *
     * @return the taps by canonical name: arrays owned by this pass, overwritten by the next call
     */
    public Map<String, INDArray> forward(INDArray rgb) {
        checkOpen();
        if (rgb.rank() != 4 || rgb.size(1) != 3) {
            throw new IllegalArgumentException("expected an RGB tensor [N, 3, H, W], got "
                    + java.util.Arrays.toString(rgb.shape()));
        }
        long[] nhwc = {rgb.size(0), rgb.size(2), rgb.size(3), rgb.size(1)};
        input = ensure(input, dataType, nhwc);
        input.assign(rgb.permute(0, 2, 3, 1));
        INDArray x = input;
        for (Step step : steps) {
            x = step.forward(x);
        }
        tapSteps.forEach((name, step) -> {
            INDArray output = step.output();
            INDArray nchw = output.rank() == 4 ? output.permute(0, 3, 1, 2) : output;
            tapsNchw.put(name, ensure(tapsNchw.get(name), dataType, nchw.shape()).assign(nchw));
        });
        return Collections.unmodifiableMap(tapsNchw);
    }

    /**
     * The gradient for the image of the last {@link #forward} input, given the loss's gradient
     * for each tap (taps missing from the map, or mapped to null, contribute nothing).
     *
     * @return {@code [N, 3, H, W]}, owned by this pass and overwritten by the next call
     */
    public INDArray backward(Map<String, INDArray> tapGradients) {
        checkOpen();
        if (input == null) {
            throw new IllegalStateException("call forward before backward");
        }
        scratch.reset();
        Map<Step, INDArray> byStep = new IdentityHashMap<>();
        tapSteps.forEach((name, step) -> {
            INDArray gradient = tapGradients.get(name);
            if (gradient != null) {
                if (!java.util.Arrays.equals(gradient.shape(), tapsNchw.get(name).shape())) {
                    throw new IllegalArgumentException("gradient for " + name + " is "
                            + java.util.Arrays.toString(gradient.shape()) + ", the tap is "
                            + java.util.Arrays.toString(tapsNchw.get(name).shape()));
                }
                byStep.put(step, gradient.rank() == 4 ? gradient.permute(0, 2, 3, 1) : gradient);
            }
        });
        INDArray gradient = null;
        for (int i = steps.size() - 1; i >= 0; i--) {
            Step step = steps.get(i);
            INDArray tapGradient = byStep.get(step);
            if (tapGradient != null) {
                if (gradient == null) {
                    gradient = scratch.take(tapGradient.shape()).assign(tapGradient);
                } else {
                    gradient.addi(tapGradient.castTo(dataType));
                }
            }
            if (gradient != null) {
                gradient = step.backward(gradient, scratch);
            }
        }
        long[] nchw = {input.size(0), input.size(3), input.size(1), input.size(2)};
        inputGradient = ensure(inputGradient, dataType, nchw);
        return gradient == null ? inputGradient.assign(0) : inputGradient.assign(gradient.permute(0, 3, 1, 2));
    }

    /** The taps of the last {@link #forward}, NCHW (for {@link TiledPass}, which needs their shapes). */
    Map<String, INDArray> taps() {
        return Collections.unmodifiableMap(tapsNchw);
    }

    /** Frees every array the pass holds, including those it returned; it cannot be used again. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Step step : steps) {
            step.close();
        }
        scratch.close();
        free(input, inputGradient);
        free(tapsNchw.values().toArray(new INDArray[0]));
        tapsNchw.clear();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this FeaturePass was closed");
        }
    }

    /** Closes arrays this pass allocated (skipping nulls and ones already freed). */
    private static void free(INDArray... arrays) {
        for (INDArray array : arrays) {
            if (array != null && !array.wasClosed() && array.closeable()) {
                array.close();
            }
        }
    }

    @Override
    public String toString() {
        return "FeaturePass[taps=" + tapSteps.keySet() + ", " + steps.size() + " steps, " + dataType + "]";
    }

    /** One layer: forward into an array it owns; backward into scratch (or in place). */
    private interface Step {
        INDArray forward(INDArray x);

        INDArray output();

        /**
         * The gradient for this step's input; may overwrite {@code gradOutput}, and never writes
         * to the scratch buffers behind {@code gradOutput} or {@code keep}.
         */
        INDArray backward(INDArray gradOutput, Scratch scratch, INDArray... keep);

        /** Frees the arrays the step owns (not its input: the previous step owns that). */
        void close();
    }

    /**
     * Three flat buffers, each as large as the largest gradient seen, handed out as shaped views:
     * a step's gradient is written into a buffer that holds neither its output gradient nor a
     * partial sum it still needs.
     */
    private static final class Scratch {
        private final DataType dataType;
        private final INDArray[] buffers = new INDArray[3];
        private final Map<INDArray, Integer> owner = new IdentityHashMap<>();

        Scratch(DataType dataType) {
            this.dataType = dataType;
        }

        void close() {
            free(buffers);
            owner.clear();
        }

        /** Forgets which views are live: at the start of a backward pass, all earlier ones are dead. */
        void reset() {
            owner.clear();
        }

        INDArray take(long[] shape, INDArray first, INDArray... more) {
            INDArray[] busy = java.util.Arrays.copyOf(more, more.length + 1);
            busy[more.length] = first;
            return take(shape, busy);
        }

        /** A view of a buffer backing none of {@code busy}, shaped {@code shape} (contents undefined). */
        INDArray take(long[] shape, INDArray... busy) {
            long length = 1;
            for (long d : shape) {
                length *= d;
            }
            for (int slot = 0; slot < buffers.length; slot++) {
                if (isBusy(slot, busy)) {
                    continue;
                }
                if (buffers[slot] == null || buffers[slot].length() < length) {
                    buffers[slot] = Nd4j.create(dataType, length);
                }
                INDArray view = buffers[slot].get(NDArrayIndex.interval(0, length)).reshape('c', shape);
                owner.put(view, slot);
                return view;
            }
            throw new IllegalStateException("no free scratch buffer");
        }

        private boolean isBusy(int slot, INDArray... busy) {
            for (INDArray array : busy) {
                Integer used = owner.get(array);
                if (used != null && used == slot) {
                    return true;
                }
            }
            return false;
        }
    }

    private static INDArray[] concat(INDArray[] arrays, INDArray more) {
        INDArray[] all = java.util.Arrays.copyOf(arrays, arrays.length + 1);
        all[arrays.length] = more;
        return all;
    }

    /**
     * {@code array} if it has this shape; else a view of its buffer when that is large enough
     * (tiles of several sizes take turns through one pass: reallocating, and zeroing, every
     * activation at each change made a pass half as slow again); else a new array, the old
     * buffer freed at once. Callers overwrite every element.
     */
    static INDArray ensure(INDArray array, DataType dataType, long... shape) {
        if (array != null && java.util.Arrays.equals(array.shape(), shape)) {
            return array;
        }
        long length = 1;
        for (long d : shape) {
            length *= d;
        }
        if (length <= 0) { // libnd4j's ops crash on empty arrays instead of refusing them
            throw new IllegalArgumentException("the input is too small for this network: a layer would have shape "
                    + java.util.Arrays.toString(shape) + "; use a larger image (or tile)");
        }
        if (array != null && !array.wasClosed() && array.dataType() == dataType && array.data().length() >= length) {
            return Nd4j.create(array.data(), shape, Nd4j.getStrides(shape, 'c'), 0, 'c');
        }
        if (array != null && !array.wasClosed()) {
            array.data().close();
        }
        return Nd4j.create(dataType, shape);
    }

    /**
     * A convolution with bias. Backward: for stride 1 with "same" padding (odd kernel) or a 1x1
     * kernel, the input gradient is the forward convolution of the output gradient with the
     * kernel flipped in space and with input and output channels swapped; anything else (the
     * stride-2 first layer of SqueezeNet) goes through {@code conv2d_bp}.
     */
    private static final class ConvStep implements Step {
        private final INDArray kernel;      // [kH, kW, in, out]
        private final INDArray flipped;     // [kH, kW, out, in], or null: use conv2d_bp
        private final INDArray bias;
        private final int size;
        private final int stride;
        private final boolean same;
        private final Activation activation;
        private INDArray x;
        private INDArray y;
        private INDArray biasGradient;
        private INDArray kernelGradient;

        /** @param oihw weights {@code [out, in, kH, kW]} */
        ConvStep(INDArray oihw, INDArray bias, int size, int stride, boolean same, Activation activation) {
            this.kernel = oihw.permute(2, 3, 1, 0).dup('c');
            this.bias = bias.dup();
            this.size = size;
            this.stride = stride;
            this.same = same;
            this.activation = activation;
            boolean transposable = stride == 1 && (size == 1 && !same || same && size % 2 == 1);
            this.flipped = transposable ? flip(oihw) : null;
        }

        /** The preprocessing 1x1 convolution, given as {@code [kernel [1,1,3,3] YXIO, bias]}. */
        ConvStep(INDArray[] kernelAndBias, int size, int stride, boolean same, Activation activation) {
            this(kernelAndBias[0].permute(3, 2, 0, 1), kernelAndBias[1], size, stride, same, activation);
        }

        /** {@code [kH, kW, out, in]} with element {@code [a, b, o, i] = w[o, i, kH-1-a, kW-1-b]}. */
        private static INDArray flip(INDArray oihw) {
            INDArray yxoi = oihw.permute(2, 3, 0, 1);
            long kh = oihw.size(2);
            long kw = oihw.size(3);
            INDArray out = Nd4j.create(oihw.dataType(), kh, kw, oihw.size(0), oihw.size(1));
            for (long a = 0; a < kh; a++) {
                for (long b = 0; b < kw; b++) {
                    out.get(NDArrayIndex.point(a), NDArrayIndex.point(b))
                            .assign(yxoi.get(NDArrayIndex.point(kh - 1 - a), NDArrayIndex.point(kw - 1 - b)));
                }
            }
            return out;
        }

        private int[] arguments(int kernelSize, int strideSize, boolean samePadding) {
            return new int[] {kernelSize, kernelSize, strideSize, strideSize, 0, 0, 1, 1, samePadding ? 1 : 0, NHWC,
                    KERNEL_YXIO};
        }

        private long[] outputShape(INDArray input) {
            long h = input.size(1);
            long w = input.size(2);
            if (!same) {
                h = (h - size) / stride + 1;
                w = (w - size) / stride + 1;
            } else {
                h = (h + stride - 1) / stride;
                w = (w + stride - 1) / stride;
            }
            return new long[] {input.size(0), h, w, kernel.size(3)};
        }

        @Override
        public INDArray forward(INDArray input) {
            x = input;
            y = ensure(y, input.dataType(), outputShape(input));
            Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(x, kernel, bias).addOutputs(y)
                    .addIntegerArguments(arguments(size, stride, same)).build());
            if (activation == Activation.SIGMOID) {
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid(y, y));
            }
            return y;
        }

        @Override
        public INDArray output() {
            return y;
        }

        @Override
        public void close() {
            free(kernel, flipped, bias, y, biasGradient, kernelGradient);
        }

        @Override
        public INDArray backward(INDArray gradOutput, Scratch scratch, INDArray... keep) {
            if (activation == Activation.SIGMOID) {
                // d sigmoid = y (1 - y), from the stored output
                try (INDArray complement = y.rsub(1.0)) {
                    gradOutput.muli(y).muli(complement);
                }
            }
            INDArray gradInput = scratch.take(x.shape(), gradOutput, keep);
            if (flipped != null) {
                Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(gradOutput, flipped).addOutputs(gradInput)
                        .addIntegerArguments(arguments(size, 1, same)).build());
            } else {
                biasGradient = ensure(biasGradient, x.dataType(), bias.shape());
                kernelGradient = ensure(kernelGradient, x.dataType(), kernel.shape());
                Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, kernel, bias, gradOutput)
                        .addOutputs(gradInput, kernelGradient, biasGradient)
                        .addIntegerArguments(arguments(size, stride, same)).build());
            }
            return gradInput;
        }
    }

    /** ReLU, in place on its input unless that input is a tap someone reads. */
    private static final class ReluStep implements Step {
        private final boolean inPlace;
        private INDArray y;

        ReluStep(boolean inPlace) {
            this.inPlace = inPlace;
        }

        @Override
        public INDArray forward(INDArray x) {
            y = inPlace ? x : ensure(y, x.dataType(), x.shape());
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear(x, y, 0.0));
            return y;
        }

        @Override
        public INDArray output() {
            return y;
        }

        @Override
        public void close() {
            if (!inPlace) {
                free(y);
            }
        }

        @Override
        public INDArray backward(INDArray gradOutput, Scratch scratch, INDArray... keep) {
            // y > 0 exactly where x > 0, so the output decides the mask: in place on the gradient.
            Nd4j.exec(DynamicCustomOp.builder("relu_bp").addInputs(y, gradOutput).addOutputs(gradOutput)
                    .addFloatingPointArguments(0.0).build());
            return gradOutput;
        }
    }

    /** Max or average pooling; PyTorch's ceil mode as zero padding after the end (inputs are ReLU outputs). */
    private static final class PoolStep implements Step {
        private final int size;
        private final int stride;
        private final boolean max;
        private final boolean ceil;
        private INDArray x;
        private INDArray padded;
        private INDArray y;

        PoolStep(int size, int stride, boolean max, boolean ceil) {
            this.size = size;
            this.stride = stride;
            this.max = max;
            this.ceil = ceil;
        }

        private int[] arguments() {
            return new int[] {size, size, stride, stride, 0, 0, 1, 1, 0, 0, NHWC};
        }

        @Override
        public INDArray forward(INDArray input) {
            x = input;
            INDArray source = input;
            if (ceil) {
                long pad = stride - 1;
                padded = ensure(padded, input.dataType(), input.size(0), input.size(1) + pad, input.size(2) + pad,
                        input.size(3));
                padded.assign(0);
                padded.get(NDArrayIndex.all(), NDArrayIndex.interval(0, input.size(1)),
                        NDArrayIndex.interval(0, input.size(2)), NDArrayIndex.all()).assign(input);
                source = padded;
            }
            long h = (source.size(1) - size) / stride + 1;
            long w = (source.size(2) - size) / stride + 1;
            y = ensure(y, input.dataType(), input.size(0), h, w, input.size(3));
            Nd4j.exec(DynamicCustomOp.builder(max ? "maxpool2d" : "avgpool2d").addInputs(source).addOutputs(y)
                    .addIntegerArguments(arguments()).build());
            return y;
        }

        @Override
        public INDArray output() {
            return y;
        }

        @Override
        public void close() {
            free(padded, y);
        }

        @Override
        public INDArray backward(INDArray gradOutput, Scratch scratch, INDArray... keep) {
            INDArray source = ceil ? padded : x;
            INDArray gradSource = scratch.take(source.shape(), gradOutput, keep);
            DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder(max ? "maxpool2d_bp" : "avgpool2d_bp")
                    .addInputs(source, gradOutput).addOutputs(gradSource).addIntegerArguments(arguments());
            Nd4j.exec(op.build());
            if (!ceil) {
                return gradSource;
            }
            INDArray gradInput = scratch.take(x.shape(), gradSource, keep);
            return gradInput.assign(gradSource.get(NDArrayIndex.all(), NDArrayIndex.interval(0, x.size(1)),
                    NDArrayIndex.interval(0, x.size(2)), NDArrayIndex.all()));
        }
    }

    /** SqueezeNet's fire module: squeeze 1x1 + ReLU, then [expand 1x1 + ReLU, expand 3x3 + ReLU] on channels (last). */
    private static final class FireStep implements Step {
        private final ConvStep squeeze;
        private final ConvStep expand1;
        private final ConvStep expand3;
        private final ReluStep squeezeRelu = new ReluStep(true);
        private final ReluStep expand1Relu = new ReluStep(true);
        private final ReluStep expand3Relu = new ReluStep(true);
        private INDArray y;

        FireStep(ConvStep squeeze, ConvStep expand1, ConvStep expand3) {
            this.squeeze = squeeze;
            this.expand1 = expand1;
            this.expand3 = expand3;
        }

        @Override
        public INDArray forward(INDArray x) {
            INDArray s = squeezeRelu.forward(squeeze.forward(x));
            INDArray e1 = expand1Relu.forward(expand1.forward(s));
            INDArray e3 = expand3Relu.forward(expand3.forward(s));
            long split = e1.size(3);
            y = ensure(y, x.dataType(), x.size(0), x.size(1), x.size(2), split + e3.size(3));
            y.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, split)).assign(e1);
            y.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(split, y.size(3)))
                    .assign(e3);
            return y;
        }

        @Override
        public INDArray output() {
            return y;
        }

        @Override
        public void close() {
            for (Step step : new Step[] {squeeze, expand1, expand3, squeezeRelu, expand1Relu, expand3Relu}) {
                step.close();
            }
            free(y);
        }

        @Override
        public INDArray backward(INDArray gradOutput, Scratch scratch, INDArray... keep) {
            long split = expand1.output().size(3);
            // The two halves of the output gradient, copied out (channels are innermost), after which
            // the expand convolutions' results may reuse gradOutput's buffer.
            INDArray g1 = scratch.take(expand1.output().shape(), gradOutput, keep).assign(gradOutput.get(
                    NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, split)));
            INDArray g3 = gradOutput.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.interval(split, gradOutput.size(3))).dup('c');
            INDArray fromExpand1 = expand1.backward(expand1Relu.backward(g1, scratch, keep), scratch, keep);
            INDArray fromExpand3 = expand3.backward(expand3Relu.backward(g3, scratch, keep), scratch,
                    concat(keep, fromExpand1));
            fromExpand1.addi(fromExpand3);
            g3.close();
            return squeeze.backward(squeezeRelu.backward(fromExpand1, scratch, keep), scratch, keep);
        }
    }

    /** Mean over height and width: {@code [N, H, W, C] -> [N, C]}. */
    private static final class GlobalAverageStep implements Step {
        private long[] inputShape;
        private INDArray y;

        @Override
        public INDArray forward(INDArray x) {
            inputShape = x.shape();
            if (y != null) {
                y.close();
            }
            y = x.mean(1, 2);
            return y;
        }

        @Override
        public INDArray output() {
            return y;
        }

        @Override
        public void close() {
            free(y);
        }

        @Override
        public INDArray backward(INDArray gradOutput, Scratch scratch, INDArray... keep) {
            INDArray gradInput = scratch.take(inputShape, gradOutput, keep);
            gradInput.assign(gradOutput.reshape(inputShape[0], 1, 1, inputShape[3])
                    .broadcast(inputShape).div(inputShape[1] * inputShape[2]));
            return gradInput;
        }
    }
}
