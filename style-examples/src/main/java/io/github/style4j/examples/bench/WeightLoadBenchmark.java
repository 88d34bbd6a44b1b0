package io.github.style4j.examples.bench;

import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.NetworkWeights;
import io.github.style4j.samediff.weights.WeightFiles;
import io.github.style4j.samediff.weights.WeightSource;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Loading full-size VGG-19 weights (classifier included, as published: 575 MB) from every
 * format, against reading the same bytes and hashing them, taking turns in one JVM. Also what
 * a load allocates on the Java heap: a reader that skips the classifier stays near the 80 MB of
 * convolution weights, whatever the file's size.
 *
 * <p>The files are written by {@code make-vgg19-files.py} with each ecosystem's own writer
 * (Debian's python3-torch, python3-onnx, python3-h5py), or taken from {@code --files DIR}.
 */
@Command(name = "weights", mixinStandardHelpOptions = true,
        description = "Times loading VGG-19 from .pth (zip and legacy), ONNX, Keras .h5, Caffe and a .npy folder.")
final class WeightLoadBenchmark implements Callable<Integer> {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Option(names = "--files", paramLabel = "DIR",
            description = "A folder of VGG-19 weight files (default: write them into a temporary folder).")
    Path files;

    @Option(names = "--repeats", description = "Timed loads per file (default: ${DEFAULT-VALUE}).")
    int repeats = 3;

    @Override
    public Integer call() throws Exception {
        Path folder = files;
        Path temporary = null;
        try {
            if (folder == null) {
                temporary = Files.createTempDirectory("style4j-weights-bench-");
                folder = temporary;
                if (!writeFiles(folder)) {
                    return 2;
                }
            }
            List<Path> inputs;
            try (Stream<Path> list = Files.list(folder)) {
                inputs = new ArrayList<>(list.filter(Files::isRegularFile).sorted().toList());
            }
            Path npy = folder.resolve("vgg19-npy");
            if (!Files.exists(npy) && !inputs.isEmpty()) {
                WeightFiles.convert(inputs.get(0), npy);
            }
            inputs.add(npy);
            long convBytes = 0;
            for (long[] shape : Architecture.VGG19.convolutionShapes()) {
                convBytes += 4L * (shape[0] * shape[1] * shape[2] * shape[3] + shape[0]);
            }
            Map<Path, List<double[]>> samples = new LinkedHashMap<>();
            for (int round = 0; round <= repeats; round++) { // round 0 warms up
                for (Path input : inputs) {
                    double[] sample = measure(input);
                    if (round > 0) {
                        samples.computeIfAbsent(input, k -> new ArrayList<>()).add(sample);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%-20s %9s %9s %9s %9s %7s %9s%n", "file", "MB", "read ms",
                    "sha ms", "load ms", "load/rd", "heap MB");
            for (Map.Entry<Path, List<double[]>> entry : samples.entrySet()) {
                double read = median(entry.getValue(), 0);
                double sha = median(entry.getValue(), 1);
                double load = median(entry.getValue(), 2);
                System.out.printf(Locale.ROOT, "%-20s %9.1f %9.0f %9.0f %9.0f %7.2f %9.1f%n",
                        entry.getKey().getFileName(), size(entry.getKey()) / 1e6, read, sha, load, load / read,
                        median(entry.getValue(), 3) / 1e6);
            }
            System.out.printf(Locale.ROOT, "(median of %d after a warm-up round, files taking turns; read = the file's "
                    + "bytes read through once (page cache warm), sha = its SHA-256, load = WeightSource.of(file)"
                    + ".load(), as a new process would (it hashes the file where a known file could change the input convention: "
                    + ".pth); heap = bytes allocated on the Java heap during a load (the weights then live off-heap "
                    + "in ND4J); the convolutions alone are %.1f MB)%n", repeats, convBytes / 1e6);
            return 0;
        } finally {
            if (temporary != null) {
                try (Stream<Path> walk = Files.walk(temporary)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** {read ms, sha256 ms, load ms, heap bytes allocated by the load}. */
    private static double[] measure(Path input) throws Exception {
        double read = Files.isDirectory(input) ? folderRead(input) : timed(() -> readAll(input, null));
        double sha = Files.isDirectory(input) ? 0 : timed(() -> readAll(input, MessageDigest.getInstance("SHA-256")));
        if (!Files.isDirectory(input)) {
            // A new modification time: the load hashes afresh, as in a new process (style4j keeps a
            // file's digest only for the life of the JVM).
            Files.setLastModifiedTime(input, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        }
        System.gc();
        long heapBefore = THREADS.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        NetworkWeights weights = WeightSource.of(input).load(null);
        double load = (System.nanoTime() - start) / 1e6;
        long heap = THREADS.getCurrentThreadAllocatedBytes() - heapBefore;
        if (weights.architecture() != Architecture.VGG19) {
            throw new IllegalStateException(input + " is not VGG-19");
        }
        return new double[] {read, sha, load, heap};
    }

    private interface Action {
        void run() throws Exception;
    }

    private static double timed(Action action) throws Exception {
        long start = System.nanoTime();
        action.run();
        return (System.nanoTime() - start) / 1e6;
    }

    private static double folderRead(Path folder) throws Exception {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(folder)) {
            all = walk.filter(Files::isRegularFile).toList();
        }
        return timed(() -> {
            for (Path file : all) {
                readAll(file, null);
            }
        });
    }

    private static void readAll(Path file, MessageDigest digest) throws IOException {
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                if (digest != null) {
                    digest.update(buffer, 0, n);
                }
            }
        }
        if (digest != null) {
            digest.digest();
        }
    }

    private static long size(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return Files.size(path);
        }
        try (Stream<Path> walk = Files.walk(path)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static double median(List<double[]> samples, int column) {
        List<Double> values = new ArrayList<>();
        for (double[] sample : samples) {
            values.add(sample[column]);
        }
        return NetworkBenchmark.median(values);
    }

    /** Runs make-vgg19-files.py with the system Python; false (and why) if it cannot. */
    private static boolean writeFiles(Path folder) throws Exception {
        Path script = folder.resolve("make-vgg19-files.py");
        try (InputStream in = WeightLoadBenchmark.class.getResourceAsStream("make-vgg19-files.py")) {
            Files.copy(in, script);
        }
        System.out.println("Writing full-size VGG-19 files with PyTorch, ONNX and h5py (about a minute) ...");
        Process process = new ProcessBuilder("/usr/bin/python3", script.toString(), folder.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        boolean done = process.waitFor(15, TimeUnit.MINUTES);
        Files.delete(script);
        if (!done || process.exitValue() != 0) {
            process.destroyForcibly();
            System.err.println("style4j-bench: could not write the VGG-19 files; install Debian's python3-torch "
                    + "python3-onnx python3-h5py (apt-get install), or pass --files DIR");
            return false;
        }
        return true;
    }
}
