package io.github.style4j.examples.bench;

import io.github.style4j.samediff.network.Architecture;

/**
 * Floating-point operations of a network's convolutions, counted from the architecture (a
 * multiply-add is two), independently of any framework: the yardstick for GFLOP/s.
 */
final class AnalyticFlops {
    private AnalyticFlops() {
    }

    /**
     * Forward-pass convolution FLOPs up to and including {@code deepest}, for a square input of
     * side {@code size}, with floor-mode pooling (the zoo weights' convention).
     */
    static long forward(Architecture architecture, int size, String deepest) {
        long flops = 0;
        long side = size;
        for (Architecture.Op op : architecture.ops()) {
            if (op instanceof Architecture.Conv conv) {
                if (!conv.same()) {
                    side = (side - conv.kernel()) / conv.stride() + 1;
                }
                flops += 2L * conv.kernel() * conv.kernel() * conv.in() * conv.out() * side * side;
            } else if (op instanceof Architecture.Fire fire) {
                flops += 2L * side * side * ((long) fire.in() * fire.squeeze() + (long) fire.squeeze() * fire.expand()
                        + 9L * fire.squeeze() * fire.expand());
            } else if (op instanceof Architecture.Pool pool) {
                side = (side - pool.kernel()) / pool.stride() + 1;
            }
            if (op.name().equals(deepest)) {
                break;
            }
        }
        return flops;
    }

    /**
     * One evaluation: the forward pass plus the input gradients, which cost what the forward
     * convolutions cost. Weight gradients are not counted: constants need none.
     */
    static long evaluation(Architecture architecture, int size, String deepest) {
        return 2 * forward(architecture, size, deepest);
    }
}
