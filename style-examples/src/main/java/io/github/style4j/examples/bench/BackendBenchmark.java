package io.github.style4j.examples.bench;

import io.github.style4j.core.backend.CpuFeatures;
import io.github.style4j.core.backend.NativeBuild;
import io.github.style4j.core.backend.NativeBuildSelector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Seconds per VGG-19 forward + backward pass for each ND4J native build, side by side in
 * one run. A JVM loads one native build for its lifetime, so each build is timed in a
 * child JVM with the same class path; the builds take turns over several rounds so that
 * noise from a shared machine falls on all of them alike.
 */
@Command(name = "backend", mixinStandardHelpOptions = true,
        description = "Times a VGG-19 forward+backward pass on the default ND4J build and on the one style4j "
                + "chooses for this CPU (or on every build the class path holds), side by side.")
final class BackendBenchmark implements Callable<Integer> {
    private static final String RESULT = "RESULT ";

    @Option(names = "--size", description = "Image side in pixels (default: ${DEFAULT-VALUE}).")
    int size = 128;

    @Option(names = "--iterations", description = "Timed passes per round (default: ${DEFAULT-VALUE}).")
    int iterations = 3;

    @Option(names = "--warmup", description = "Untimed passes per round (default: ${DEFAULT-VALUE}).")
    int warmup = 1;

    @Option(names = "--rounds", description = "Rounds; each build runs once per round (default: ${DEFAULT-VALUE}).")
    int rounds = 2;

    @Option(names = "--all", description = "Time every build on the class path that this CPU runs, not only "
            + "the default and the chosen one.")
    boolean all;

    @Option(names = "--worker", hidden = true, description = "Internal: time the build this JVM loaded.")
    boolean worker;

    @Override
    public Integer call() throws Exception {
        if (worker) {
            runWorker();
            return 0;
        }
        // The parent only reads the choice; it never loads ND4J itself.
        NativeBuildSelector.Selection chosen = NativeBuildSelector.select();
        List<NativeBuild> builds = new ArrayList<>();
        builds.add(NativeBuild.DEFAULT);
        for (NativeBuild build : NativeBuild.values()) {
            boolean runnable = build.runsOn(CpuFeatures.current()) && NativeBuildSelector.onClassPath(build);
            if (build != NativeBuild.DEFAULT && runnable && (all || build == chosen.build())) {
                builds.add(build);
            }
        }
        System.out.printf(Locale.ROOT, "VGG-19 trunk (conv1_1..relu5_4), %dx%d, batch 1, forward + backward to "
                + "the image; %d round(s) x %d timed pass(es) per build after %d warm-up%n",
                size, size, rounds, iterations, warmup);
        System.out.println("style4j chooses: " + chosen.reason());
        System.out.println("CPU: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores");

        Map<NativeBuild, List<Double>> seconds = new LinkedHashMap<>();
        Map<NativeBuild, String> loadedFrom = new LinkedHashMap<>();
        double forwardGflop = 0;
        for (int round = 0; round < rounds; round++) {
            for (NativeBuild build : builds) {
                String[] result = runChild(build);
                loadedFrom.put(build, result[0]);
                forwardGflop = Double.parseDouble(result[1]);
                List<Double> times = seconds.computeIfAbsent(build, b -> new ArrayList<>());
                for (int i = 2; i < result.length; i++) {
                    times.add(Double.parseDouble(result[i]));
                }
            }
        }
        double reference = NetworkBenchmark.median(seconds.get(NativeBuild.DEFAULT));
        System.out.printf(Locale.ROOT, "%n%-16s %10s %10s %12s %9s   %s%n", "build", "median s", "min s",
                "GFLOP/s", "speed-up", "loaded from");
        for (Map.Entry<NativeBuild, List<Double>> entry : seconds.entrySet()) {
            double med = NetworkBenchmark.median(entry.getValue());
            double min = entry.getValue().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
            String mark = entry.getKey() == chosen.build() ? "  <- chosen" : "";
            System.out.printf(Locale.ROOT, "%-16s %10.3f %10.3f %12.1f %8.2fx   %s%s%n", entry.getKey(), med, min,
                    2 * forwardGflop / med, reference / med, loadedFrom.get(entry.getKey()), mark);
        }
        System.out.printf(Locale.ROOT, "(forward convolutions: %.2f GFLOP; GFLOP/s counts forward + input "
                + "gradient = 2x that: the FeaturePass forms no weight gradients)%n", forwardGflop);
        return 0;
    }

    private void runWorker() throws Exception {
        NativeBuildSelector.select();
        Vgg19Trunk network = new Vgg19Trunk(size);
        for (int i = 0; i < warmup; i++) {
            network.forwardBackward();
        }
        // Report the folder JavaCPP really loaded ND4J from, so a wrong label cannot go unnoticed.
        String loaded = Path.of(Loader.getLoadedLibraries().get("jnind4jcpu")).getParent().getFileName().toString();
        StringBuilder line = new StringBuilder(RESULT).append(loaded).append(' ').append(network.forwardFlops() / 1e9);
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            INDArray gradient = network.forwardBackward();
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (!Double.isFinite(gradient.sumNumber().doubleValue())) {
                throw new IllegalStateException("non-finite gradient: the benchmark graph is broken");
            }
            line.append(' ').append(elapsed);
        }
        System.out.println(line);
    }

    private String[] runChild(NativeBuild build) throws IOException, InterruptedException {
        System.out.printf(Locale.ROOT, "  timing %s ...%n", build);
        return ChildJvm.run(BenchCommand.class, RESULT, List.of("-D" + NativeBuildSelector.BUILD_PROPERTY + "=" + build),
                "backend", "--worker", "--size", String.valueOf(size), "--iterations", String.valueOf(iterations),
                "--warmup", String.valueOf(warmup));
    }


    private static String cpuModel() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
