package io.github.style4j.samediff.transfer;

import io.github.style4j.samediff.network.Architecture;
import java.util.Collection;
import java.util.Locale;

/**
 * What a style transfer will need in memory, estimated from the network, the layers used
 * and the image size before anything is allocated, so that a run that cannot fit is refused
 * with advice instead of dying of an out-of-memory error half-way.
 *
 * <p>The model follows {@link FeaturePassObjective} (float32 throughout): the network pass
 * keeps every activation up to the deepest layer once, three scratch buffers as large as the
 * largest activation, the input and its gradient, and an NCHW copy of each tap; a loss on
 * arrays keeps a gradient accumulator per tap (two tap-sized arrays counted, for its
 * temporaries), a SameDiff loss graph about six (its reshapes, products and their gradients;
 * measured 721 MB for 136 MB of VGG-19 taps at 512 px); content targets are one copy of their
 * taps; the weights are held three times (as loaded, and twice in the pass); the optimiser
 * keeps image-sized vectors (L-BFGS: 2 per history pair plus 8; Adam: 6); and 700 MB covers
 * the JVM and native libraries. Checked against a VGG-19 run at 1024 px, L-BFGS history 10,
 * under {@code -Dorg.bytedeco.javacpp.maxphysicalbytes=6g}: peak 5.4 GB, 4.9 GB live after a
 * full GC; the model says 5.6 GB.
 */
public record MemoryEstimate(long bytes, long activations) {
    private static final long BYTES_PER_FLOAT = 4;
    private static final long ARRAY_LOSS_ARRAYS_PER_TAP = 2;
    private static final long GRAPH_LOSS_ARRAYS_PER_TAP = 6;
    private static final long BASELINE = 700L << 20;

    /**
     * The estimate for a {@code height x width} image, up to the deepest of {@code layers}, with
     * the loss computed on arrays (content, Gram style and TV: style transfer without masks).
     */
    public static MemoryEstimate of(Architecture architecture, Collection<String> layers, int height, int width,
                                    StyleTransferConfig.OptimizerKind optimizer, int history) {
        return of(architecture, layers, height, width, optimizer, history, false);
    }

    /** As above; {@code lossGraph} when the loss runs as a SameDiff graph (guided or mean-covariance style). */
    public static MemoryEstimate of(Architecture architecture, Collection<String> layers, int height, int width,
                                    StyleTransferConfig.OptimizerKind optimizer, int history, boolean lossGraph) {
        java.util.Set<String> taps = new java.util.HashSet<>();
        int deepest = 0;
        for (String layer : layers) {
            taps.add(architecture.canonicalName(layer));
            deepest = Math.max(deepest, architecture.indexOf(layer));
        }
        long h = height;
        long w = width;
        long channels = 3;
        long image = 3 * h * w;
        long activations = 2 * image; // the input (NHWC) and its gradient
        long largest = image;
        long tapSizes = 0;
        long weights = 0;
        for (int i = 0; i <= deepest; i++) {
            Architecture.Op op = architecture.ops().get(i);
            long size;
            if (op instanceof Architecture.Conv conv) {
                if (!conv.same()) {
                    h = (h - conv.kernel()) / conv.stride() + 1;
                    w = (w - conv.kernel()) / conv.stride() + 1;
                }
                channels = conv.out();
                weights += (long) conv.kernel() * conv.kernel() * conv.in() * conv.out();
                size = channels * h * w;
                activations += size;
            } else if (op instanceof Architecture.Relu) {
                size = channels * h * w; // in place: no new array
            } else if (op instanceof Architecture.Pool pool) {
                h = Math.max(1, (h - pool.kernel() + pool.stride() - 1) / pool.stride() + 1);
                w = Math.max(1, (w - pool.kernel() + pool.stride() - 1) / pool.stride() + 1);
                size = channels * h * w;
                activations += size;
            } else if (op instanceof Architecture.Fire fire) {
                weights += (long) fire.in() * fire.squeeze() + 10L * fire.squeeze() * fire.expand();
                channels = 2L * fire.expand();
                size = channels * h * w;
                activations += fire.squeeze() * h * w + 2 * size; // squeeze, both expands, their concatenation
            } else {
                size = channels;
                activations += size;
            }
            largest = Math.max(largest, size);
            if (taps.contains(op.name())) {
                tapSizes += size;
            }
        }
        long vectors = optimizer == StyleTransferConfig.OptimizerKind.LBFGS ? 2L * history + 8 : 6;
        long lossArrays = lossGraph ? GRAPH_LOSS_ARRAYS_PER_TAP : ARRAY_LOSS_ARRAYS_PER_TAP;
        long floats = activations + 3 * largest + tapSizes * (1 + lossArrays + 1) + vectors * image + 3 * weights;
        return new MemoryEstimate(floats * BYTES_PER_FLOAT + BASELINE, activations);
    }

    /** The most a run may use: JavaCPP's physical-memory cap if set, else 90% of the machine's memory. */
    public static long limit() {
        long javacpp = org.bytedeco.javacpp.Pointer.maxPhysicalBytes();
        long machine = Long.MAX_VALUE;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            machine = (long) (os.getTotalMemorySize() * 0.9);
        }
        return javacpp > 0 ? Math.min(javacpp, machine) : machine;
    }

    public double gigabytes() {
        return bytes / 1e9;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "about %.1f GB (%d million activations)", gigabytes(), activations / 1_000_000);
    }
}
