package io.github.style4j.examples.bench;

import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.preview.LivePreview;
import io.github.style4j.samediff.transfer.StyleTransfer;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import io.github.style4j.samediff.transfer.StyleTransferListener;
import io.github.style4j.samediff.transfer.StyleTransferProgress;
import io.github.style4j.samediff.transfer.StyleTransferResult;
import io.github.style4j.samediff.weights.WeightSource;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue #18's footprint goal: the README's first command (SqueezeNet, 256 px, 300 L-BFGS
 * iterations) in a fresh JVM with {@code ./style4j}'s JVM options, against PyTorch doing the
 * same job ({@code style-examples/bench/pytorch_readme.py}) in the same run, taking turns:
 * wall time, time to the first iteration and where it goes, the final loss, and peak resident
 * memory (VmHWM).
 */
@Command(name = "readme", mixinStandardHelpOptions = true,
        description = "The README's first command against PyTorch doing the same job: time, time to the first "
                + "iteration, loss and peak memory.")
final class ReadmeBenchmark implements Callable<Integer> {
    private static final String MARKER = "README_RUN ";

    @Option(names = "--shared", description = "The shared folder (default: ${DEFAULT-VALUE}).")
    Path shared = Path.of("..", "shared");

    @Option(names = "--rounds", description = "Runs of each, taking turns (default: ${DEFAULT-VALUE}).")
    int rounds = 2;

    @Option(names = "--iterations", description = "L-BFGS iterations (default: ${DEFAULT-VALUE}, the README's).")
    int iterations = 300;

    @Option(names = "--no-pytorch", description = "Leave out the PyTorch rows (for more rounds of the others).")
    boolean noPytorch;

    @Option(names = "--preview", description = "Also run it with a live preview (LivePreview) watched by a client "
            + "that polls like the page does (state every second, each new picture), in turn with the plain run, "
            + "and report the preview's cost.")
    boolean preview;

    @Override
    public Integer call() throws Exception {
        Path content = shared.resolve("images/chelsea.png");
        Path style = shared.resolve("images/starry_night.jpg");
        Path weights = shared.resolve("models/squeezenet1.1");
        Path pth = weights.resolve("formats/squeezenet1_1.pth");
        Path script = Path.of(System.getProperty("style4j.root", "."), "style-examples", "bench", "pytorch_readme.py");
        boolean torch = !noPytorch && Files.isRegularFile(script) && Files.isRegularFile(pth) && NetworkBenchmark.pythonHasTorch();
        if (!torch && !noPytorch) {
            System.out.println("(PyTorch rows skipped: /usr/bin/python3 cannot import torch, or the shared .pth is "
                    + "missing; apt-get install python3-torch)");
        }
        System.out.printf(Locale.ROOT, "%-9s %5s %10s %12s %10s %9s %10s   %s%n", "run", "round", "wall s",
                "to 1st it s", "optim s", "loss", "peak MB", "to the first iteration");
        List<String> previewCosts = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            String[] ours = ChildJvm.run(Run.class, MARKER, content.toString(), style.toString(), weights.toString(),
                    Integer.toString(iterations));
            System.out.printf(Locale.ROOT, "%-9s %5d %10s %12s %10s %9s %10s   JVM %s s, ND4J %s s (%s MB resident "
                    + "before any work), weights + images + targets + first evaluation %s s%n", "style4j", round,
                    ours[0], ours[1], ours[2], ours[3], ours[4], ours[5], ours[6], ours[8], ours[7]);
            if (preview) {
                String[] watched = ChildJvm.run(Run.class, MARKER, content.toString(), style.toString(),
                        weights.toString(), Integer.toString(iterations), "preview");
                System.out.printf(Locale.ROOT, "%-9s %5d %10s %12s %10s %9s %10s   with a live preview: %s ms on the "
                        + "optimisation thread, %s ms CPU on its own threads, %s pictures encoded, %s polls%n",
                        "+preview", round, watched[0], watched[1], watched[2], watched[3], watched[4], watched[9],
                        watched[12], watched[10], watched[11]);
                double plain = Double.parseDouble(ours[2]);
                double withPreview = Double.parseDouble(watched[2]);
                previewCosts.add(String.format(Locale.ROOT, "round %d: optimisation %.3fx the plain run's; the "
                        + "preview's work, %.2f%% of the optimisation time on its thread and %.2f%% on the preview's "
                        + "threads", round, withPreview / plain, 100 * Double.parseDouble(watched[9]) / 1e3 / withPreview,
                        100 * Double.parseDouble(watched[12]) / 1e3 / withPreview));
            }
            if (torch) {
                long start = System.nanoTime();
                String[] peer = python(script, content, style, pth);
                double wall = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "%-9s %5d %10.1f %12s %10s %9s %10s   (interpreter, imports, weights, "
                        + "images, targets, first evaluation)%n", "PyTorch", round, wall, peer[0], peer[1], peer[2],
                        peer[3]);
            }
        }
        previewCosts.forEach(cost -> System.out.println("preview cost, " + cost));
        System.out.println("(wall: the whole process as the shell sees it; loss: the objective at the last iteration; "
                + "the losses agree in size, not digit for digit: each resizes the images with its own filter and "
                + "starts from its own noise)");
        return 0;
    }

    private String[] python(Path script, Path content, Path style, Path pth) throws Exception {
        Process process = new ProcessBuilder("/usr/bin/python3", script.toString(), content.toString(),
                style.toString(), pth.toString(), "256", Integer.toString(iterations)).redirectErrorStream(true).start();
        String result = null;
        List<String> output = new ArrayList<>();
        try (var reader = process.inputReader()) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("PYTORCH_README ")) {
                    result = line.substring("PYTORCH_README ".length());
                } else {
                    output.add(line);
                }
            }
        }
        if (process.waitFor() != 0 || result == null) {
            throw new IllegalStateException("pytorch_readme.py failed:" + System.lineSeparator()
                    + String.join(System.lineSeparator(), output));
        }
        return result.trim().split(" ");
    }

    /** The README's command, as its settings, in this (child) JVM; prints the measurements after the marker. */
    public static final class Run {
        private Run() {
        }

        public static void main(String[] args) throws Exception {
            double jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime() / 1e3;
            double mainStart = System.currentTimeMillis() / 1e3;
            Nd4j.zeros(DataType.FLOAT, 1).close();
            double nd4jReady = System.currentTimeMillis() / 1e3;
            double residentBeforeWork = NetworkBenchmark.statusMb("VmRSS:");
            WeightSource weights = WeightSource.npyFolder(Path.of(args[2]));
            StyleTransferConfig config = StyleTransferConfig.builder().setContentImage(Path.of(args[0]))
                    .addStyleImage(Path.of(args[1])).optNetwork(Architecture.SQUEEZENET).optWeights(weights)
                    .optImageSize(256).optIterations(Integer.parseInt(args[3])).build();
            double[] firstIteration = {Double.NaN};
            StyleTransfer transfer = new StyleTransfer(config).addListener(progress -> {
                if (Double.isNaN(firstIteration[0])) {
                    firstIteration[0] = System.currentTimeMillis() / 1e3;
                }
            });
            boolean watched = args.length > 4 && args[4].equals("preview");
            WatchedPreview preview = watched ? new WatchedPreview(transfer) : null;
            StyleTransferResult result;
            try {
                result = transfer.run();
            } finally {
                if (preview != null) {
                    preview.close();
                }
            }
            double end = System.currentTimeMillis() / 1e3;
            double loss = result.history().get(result.history().size() - 1).loss();
            // The first iteration's report comes after its line search: subtract one iteration's average.
            double perIteration = (end - firstIteration[0]) / Math.max(1, result.history().size() - 1);
            double toFirst = firstIteration[0] - perIteration - jvmStart;
            System.out.printf(Locale.ROOT, "%s%.1f %.2f %.2f %.2f %.0f %.2f %.2f %.2f %.0f %.1f %d %d %.1f%n", MARKER,
                    end - jvmStart, toFirst, end - jvmStart - toFirst, loss, NetworkBenchmark.peakResidentMb(),
                    mainStart - jvmStart, nd4jReady - mainStart, toFirst - (nd4jReady - jvmStart), residentBeforeWork,
                    preview == null ? 0.0 : preview.onThreadNanos.get() / 1e6,
                    preview == null ? 0 : preview.pictures.get(), preview == null ? 0 : preview.polls.get(),
                    preview == null ? 0.0 : preview.previewThreadsCpuNanos / 1e6);
        }
    }

    /**
     * A LivePreview on the transfer, its time on the optimisation thread summed, and a client
     * that does what the page does: the state every second, and each new picture.
     */
    private static final class WatchedPreview implements AutoCloseable {
        final java.util.concurrent.atomic.AtomicLong onThreadNanos = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicInteger pictures = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger polls = new java.util.concurrent.atomic.AtomicInteger();
        private final LivePreview preview;
        private final Thread client;
        /** CPU time of the preview's encoder and HTTP threads (not the client's), read at close. */
        long previewThreadsCpuNanos;

        WatchedPreview(StyleTransfer transfer) throws java.io.IOException {
            preview = LivePreview.start();
            transfer.addRunListener(new StyleTransferListener() {
                @Override
                public void started(StyleTransfer t) {
                    preview.started(t);
                }

                @Override
                public void progressed(StyleTransfer t, StyleTransferProgress progress) {
                    long start = System.nanoTime();
                    preview.progressed(t, progress);
                    onThreadNanos.addAndGet(System.nanoTime() - start);
                }

                @Override
                public void finished(StyleTransfer t, StyleTransferResult result, Throwable failure) {
                    preview.finished(t, result, failure);
                }
            });
            client = new Thread(this::poll, "preview-client");
            client.setDaemon(true);
            client.start();
        }

        private void poll() {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.util.regex.Pattern version = java.util.regex.Pattern.compile("\"imageVersion\":(\\d+)");
            String seen = "0";
            try {
                for (String thumbnail : new String[] {"image/1/content.jpg", "image/1/style-0.jpg"}) {
                    while (http.send(java.net.http.HttpRequest.newBuilder(preview.url().resolve(thumbnail)).build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
                        Thread.sleep(200); // as the page, once the run has started
                    }
                }
                while (!Thread.currentThread().isInterrupted()) {
                    String state = http.send(java.net.http.HttpRequest.newBuilder(preview.url().resolve("state"))
                            .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                    polls.incrementAndGet();
                    java.util.regex.Matcher m = version.matcher(state);
                    if (m.find() && !m.group(1).equals(seen)) {
                        seen = m.group(1);
                        http.send(java.net.http.HttpRequest.newBuilder(preview.url().resolve("image/1/current.jpg"))
                                .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
                        pictures.incrementAndGet();
                    }
                    Thread.sleep(1000);
                }
            } catch (InterruptedException | java.io.IOException e) {
                // the run ended and the server with it
            }
        }

        @Override
        public void close() {
            client.interrupt();
            var threads = ManagementFactory.getThreadMXBean();
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.getName().startsWith("style4j-preview-")) {
                    previewThreadsCpuNanos += Math.max(0, threads.getThreadCpuTime(thread.getId()));
                }
            }
            preview.close();
        }
    }
}
