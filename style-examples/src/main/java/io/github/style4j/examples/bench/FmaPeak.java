package io.github.style4j.examples.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's FP32 fused-multiply-add peak, measured: every core runs twelve independent
 * chains of vector FMAs at the widest width the JIT supports (AVX-512: 16 floats), enough to
 * cover the FMA latency, with no memory traffic. Needs {@code --add-modules jdk.incubator.vector}
 * (the benchmark starts it in its own JVM with that flag). Prints {@code RESULT <GFLOP/s>}.
 */
final class FmaPeak {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int CHAINS = 12;

    private FmaPeak() {
    }

    public static void main(String[] args) throws InterruptedException {
        int threads = Runtime.getRuntime().availableProcessors();
        long iterations = 40_000_000L;
        double best = 0;
        for (int round = 0; round < 4; round++) { // the first rounds also warm up the JIT
            Thread[] workers = new Thread[threads];
            float[] sinks = new float[threads];
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int index = t;
                workers[t] = new Thread(() -> sinks[index] = chains(iterations));
                workers[t].start();
            }
            for (Thread worker : workers) {
                worker.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            best = Math.max(best, 2.0 * CHAINS * SPECIES.length() * iterations * threads / seconds / 1e9);
            if (Float.isNaN(sinks[0])) {
                System.out.println("unexpected NaN");
            }
        }
        System.out.println(NetworkBenchmark.RESULT + best + " " + threads + " " + SPECIES.length());
    }

    private static float chains(long iterations) {
        FloatVector a0 = FloatVector.broadcast(SPECIES, 1f);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        FloatVector m = FloatVector.broadcast(SPECIES, 0.9999999f);
        FloatVector c = FloatVector.broadcast(SPECIES, 1e-7f);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
