package io.github.style4j.samediff.transfer;

import io.github.style4j.samediff.network.Architecture;
import java.util.Collection;
import java.util.Locale;

/**
 * What a style transfer will need in memory, estimated from the network, the layers used
 * and the image size before anything is allocated, so that a run that cannot fit is refused
 * with advice instead of dying of an out-of-memory error half-way.
 *
 * <p>The model: every activation up to the deepest layer used (float32), times 10 (forward
 * values, their gradients, SameDiff's intermediate and cached copies), plus 3 copies of the
 * weights, the optimiser's vectors (L-BFGS history 2·m, Adam 3) and 512 MiB for the JVM and
 * native libraries. Calibrated on this project's measurements (`./style4j-bench network`):
 * one VGG-19 forward and backward pass to relu5_1 at 512x512 peaked at 6.2 GB resident; the
 * model says 7.8 GB for a whole L-BFGS run there (0.6 GB of it the history), 29 GB at 1024.
 */
public record MemoryEstimate(long bytes, long activations) {
    private static final int BYTES_PER_ACTIVATION = 4 * 10;
    private static final long BASELINE = 512L << 20;

    /** The estimate for a {@code height x width} image, up to the deepest of {@code layers}. */
    public static MemoryEstimate of(Architecture architecture, Collection<String> layers, int height, int width,
                                    StyleTransferConfig.OptimizerKind optimizer, int history) {
        int deepest = 0;
        for (String layer : layers) {
            deepest = Math.max(deepest, architecture.indexOf(layer));
        }
        long h = height;
        long w = width;
        long channels = 3;
        long activations = 2 * 3 * h * w; // the image and its preprocessed copy
        long weights = 0;
        for (int i = 0; i <= deepest; i++) {
            Architecture.Op op = architecture.ops().get(i);
            if (op instanceof Architecture.Conv conv) {
                if (!conv.same()) {
                    h = (h - conv.kernel()) / conv.stride() + 1;
                    w = (w - conv.kernel()) / conv.stride() + 1;
                }
                channels = conv.out();
                weights += (long) conv.kernel() * conv.kernel() * conv.in() * conv.out();
                activations += channels * h * w;
            } else if (op instanceof Architecture.Relu) {
                activations += channels * h * w;
            } else if (op instanceof Architecture.Pool pool) {
                h = Math.max(1, (h - pool.kernel() + pool.stride() - 1) / pool.stride() + 1);
                w = Math.max(1, (w - pool.kernel() + pool.stride() - 1) / pool.stride() + 1);
                activations += channels * h * w;
            } else if (op instanceof Architecture.Fire fire) {
                weights += (long) fire.in() * fire.squeeze() + 10L * fire.squeeze() * fire.expand();
                activations += 2 * fire.squeeze() * h * w + 4 * fire.expand() * h * w + 2 * fire.expand() * h * w;
                channels = 2L * fire.expand();
            } else {
                activations += channels;
            }
        }
        long vectors = optimizer == StyleTransferConfig.OptimizerKind.LBFGS ? 2L * history + 8 : 6;
        long bytes = activations * BYTES_PER_ACTIVATION + 3 * 4 * weights + vectors * 4 * 3 * (long) height * width
                + BASELINE;
        return new MemoryEstimate(bytes, activations);
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
