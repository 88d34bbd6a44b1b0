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
 * keeps image-sized vectors (L-BFGS: 2 per history pair plus 8; Adam: 5, or 2 with its state
 * on disk; content targets count half in half precision); and 700 MB covers
 * the JVM and native libraries. Checked against a VGG-19 run at 1024 px, L-BFGS history 10,
 * under {@code -Dorg.bytedeco.javacpp.maxphysicalbytes=6g}: peak 5.4 GB, 4.9 GB live after a
 * full GC; the model says 5.6 GB. {@link #tiled} models a run in tiles ({@link TiledObjective}),
 * and both count what the Java heap holds at large sizes ({@link #heapFloats}); {@link MemoryPlan}
 * chooses between them.
 */
public record MemoryEstimate(long bytes, long activations) {
    private static final long BYTES_PER_FLOAT = 4;
    private static final long ARRAY_LOSS_ARRAYS_PER_TAP = 2;
    private static final long GRAPH_LOSS_ARRAYS_PER_TAP = 6;
    static final long BASELINE = 700L << 20;

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
        return of(architecture, layers, height, width, optimizer, history, lossGraph, false);
    }

    /**
     * As above; {@code boundedLbfgs} when L-BFGS keeps the image in bounds, which adds its host
     * copies (six image-sized arrays in the image's float32 on the Java heap: {@link #BOUNDED_HOST_FLOATS}) to
     * what the heap holds ({@link #heapFloats}).
     */
    public static MemoryEstimate of(Architecture architecture, Collection<String> layers, int height, int width,
                                    StyleTransferConfig.OptimizerKind optimizer, int history, boolean lossGraph,
                                    boolean boundedLbfgs) {
        Walk network = Walk.of(architecture, layers, java.util.Set.of(), height, width);
        long image = 3L * height * width;
        long lossArrays = lossGraph ? GRAPH_LOSS_ARRAYS_PER_TAP : ARRAY_LOSS_ARRAYS_PER_TAP;
        long floats = network.activations + 3 * network.largest + network.taps * (1 + lossArrays + 1)
                + vectors(optimizer, history) * image + heapFloats(image, boundedLbfgs) + 3 * network.weights;
        return new MemoryEstimate(floats * BYTES_PER_FLOAT + BASELINE, network.activations);
    }

    /**
     * The estimate for a run in tiles ({@link TiledObjective}): the network pass for one crop of
     * {@code cropHeight x cropWidth} (its activations, scratch, the NCHW taps, the owned regions'
     * copies and their gradients, and the taps' gradient buffers: four tap-sized arrays), the
     * whole-image content targets of {@code contentLayers} and the optimiser's vectors (total
     * variation works through strips of rows, too small to count).
     */
    public static MemoryEstimate tiled(Architecture architecture, Collection<String> layers,
                                       Collection<String> contentLayers, int height, int width, int cropHeight,
                                       int cropWidth, StyleTransferConfig.OptimizerKind optimizer, int history,
                                       boolean boundedLbfgs) {
        return tiled(architecture, layers, contentLayers, height, width, cropHeight, cropWidth, optimizer, history,
                boundedLbfgs, false);
    }

    /** As above; {@code adamStateOnDisk} when Adam keeps its moments and previous point on disk. */
    public static MemoryEstimate tiled(Architecture architecture, Collection<String> layers,
                                       Collection<String> contentLayers, int height, int width, int cropHeight,
                                       int cropWidth, StyleTransferConfig.OptimizerKind optimizer, int history,
                                       boolean boundedLbfgs, boolean adamStateOnDisk) {
        return tiled(architecture, layers, contentLayers, height, width, cropHeight, cropWidth, optimizer, history,
                boundedLbfgs, adamStateOnDisk, false);
    }

    /** As above; {@code halfContentTargets} when the content targets are kept in half precision. */
    public static MemoryEstimate tiled(Architecture architecture, Collection<String> layers,
                                       Collection<String> contentLayers, int height, int width, int cropHeight,
                                       int cropWidth, StyleTransferConfig.OptimizerKind optimizer, int history,
                                       boolean boundedLbfgs, boolean adamStateOnDisk, boolean halfContentTargets) {
        Walk crop = Walk.of(architecture, layers, java.util.Set.of(), Math.min(height, cropHeight),
                Math.min(width, cropWidth));
        Walk whole = Walk.of(architecture, contentLayers, canonical(architecture, contentLayers), height, width);
        long image = 3L * height * width;
        long targets = halfContentTargets ? (whole.selected + 1) / 2 : whole.selected; // in float-sized units
        long floats = crop.activations + 3 * crop.largest + 4 * crop.taps + targets
                + vectors(optimizer, history, adamStateOnDisk) * image + heapFloats(image, boundedLbfgs)
                + 3 * crop.weights;
        return new MemoryEstimate(floats * BYTES_PER_FLOAT + BASELINE, crop.activations);
    }

    /**
     * Float32 image-sized vectors the optimiser keeps off the heap: L-BFGS 2 per history pair
     * plus 8; Adam 5 (the image, its previous value, two moments, the gradient it steps in).
     */
    static long vectors(StyleTransferConfig.OptimizerKind optimizer, int history) {
        return vectors(optimizer, history, false);
    }

    /** As above; Adam with its state on disk keeps 2 (the image, the gradient) and 16 MB chunks. */
    static long vectors(StyleTransferConfig.OptimizerKind optimizer, int history, boolean adamStateOnDisk) {
        if (optimizer == StyleTransferConfig.OptimizerKind.LBFGS) {
            return 2L * history + 8;
        }
        return adamStateOnDisk ? 2 : 5;
    }

    /**
     * What the Java heap holds at one image size, in floats, up to the heap's limit: the pictures
     * as float planes (content and style at the scale's size, the starting image, a tensor's
     * staging copy: {@link #IMAGES_ON_HEAP}) and the bounded L-BFGS's host copies, twice over
     * because the collector lets garbage reach about as much again before it runs (measured:
     * SqueezeNet at 4096 px with Adam peaked 1.2 GB above a model without the heap).
     */
    static long heapFloats(long image, boolean boundedLbfgs) {
        long floats = 2 * (IMAGES_ON_HEAP + (boundedLbfgs ? BOUNDED_HOST_FLOATS : 0)) * image;
        return Math.min(floats, Runtime.getRuntime().maxMemory() / BYTES_PER_FLOAT);
    }

    static final long IMAGES_ON_HEAP = 4;

    /**
     * The bounded L-BFGS's host copies (x, g, the direction, the free gradient, a pair's s and y
     * while it enters: six arrays, float32 for an image), in float-sized vectors; they live on
     * the Java heap.
     */
    static final long BOUNDED_HOST_FLOATS = 6;

    private static java.util.Set<String> canonical(Architecture architecture, Collection<String> layers) {
        java.util.Set<String> names = new java.util.HashSet<>();
        layers.forEach(layer -> names.add(architecture.canonicalName(layer)));
        return names;
    }

    /**
     * Floats of a walk through the network up to the deepest of its layers: activations kept,
     * the largest one, the taps' sizes, the sizes of {@code selected} layers, and weights.
     */
    private record Walk(long activations, long largest, long taps, long selected, long weights) {
        static Walk of(Architecture architecture, Collection<String> layers, java.util.Set<String> selected,
                       int height, int width) {
            java.util.Set<String> taps = canonical(architecture, layers);
            int deepest = 0;
            for (String layer : layers) {
                deepest = Math.max(deepest, architecture.indexOf(layer));
            }
            long h = height;
            long w = width;
            long channels = 3;
            long image = 3 * h * w;
            long activations = 2 * image; // the input (NHWC) and its gradient
            long largest = image;
            long tapSizes = 0;
            long selectedSizes = 0;
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
                if (selected.contains(op.name())) {
                    selectedSizes += size;
                }
            }
            return new Walk(activations, largest, tapSizes, selectedSizes, weights);
        }
    }

    /**
     * The most a run may use: the least of JavaCPP's physical-memory cap
     * ({@code -Dorg.bytedeco.javacpp.maxphysicalbytes}), its cap on native allocations
     * ({@code maxbytes}, where ND4J's arrays live) plus the baseline, and 90% of the machine's memory.
     */
    public static long limit() {
        long physical = org.bytedeco.javacpp.Pointer.maxPhysicalBytes();
        long nativeBytes = org.bytedeco.javacpp.Pointer.maxBytes();
        long limit = Long.MAX_VALUE;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            limit = (long) (os.getTotalMemorySize() * 0.9);
        }
        if (physical > 0) {
            limit = Math.min(limit, physical);
        }
        if (nativeBytes > 0) {
            limit = Math.min(limit, nativeBytes + BASELINE);
        }
        return limit;
    }

    public double gigabytes() {
        return bytes / 1e9;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "about %.1f GB (%d million activations)", gigabytes(), activations / 1_000_000);
    }
}
