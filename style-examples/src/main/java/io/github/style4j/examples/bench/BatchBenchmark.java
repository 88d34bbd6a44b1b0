package io.github.style4j.examples.bench;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.video.OpticalFlow;
import io.github.style4j.samediff.batch.BatchInputs;
import io.github.style4j.samediff.batch.BatchListener;
import io.github.style4j.samediff.batch.BatchRecord;
import io.github.style4j.samediff.batch.BatchResult;
import io.github.style4j.samediff.batch.BatchRunner;
import io.github.style4j.samediff.batch.BatchStyle;
import io.github.style4j.samediff.batch.LocalBatchFiles;
import io.github.style4j.samediff.batch.VideoOptions;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import io.github.style4j.samediff.weights.WeightSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue #16's goals, measured side by side in one run:
 * <ul>
 *   <li>{@code overhead}: {@code ./style4j} on one photo against {@code ./style4j batch} on
 *       the four shared photos (same settings): what a batch item costs, and the start-up
 *       (JVM, weights, style targets) a batch pays once;</li>
 *   <li>{@code spark}: the same batch through {@code ./style4j-spark --master local[2]};</li>
 *   <li>{@code flicker}: a pan across a shared photo (exact flow files) and a still camera with
 *       sensor noise, each stylised as independent frames and in video mode.</li>
 * </ul>
 * Each command line runs as a separate process, timed from outside (wall clock, JVM start
 * included).
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = "Batch and video: per-item cost vs start-up, Spark local[2] vs batch, flicker.")
final class BatchBenchmark implements Callable<Integer> {
    private static final List<String> PHOTOS = List.of("astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg");
    /** The single run's photo: a later item of the batch, so its item time has no warm-up in it. */
    private static final String SINGLE = "coffee.png";

    @Option(names = "--part", description = "overhead, spark, flicker or all (default: ${DEFAULT-VALUE}).")
    String part = "all";

    @Option(names = "--shared", description = "The shared folder (default: ${DEFAULT-VALUE}).")
    Path shared = Path.of("..", "shared");

    @Option(names = "--size", description = "Image size for overhead and spark (default: ${DEFAULT-VALUE}).")
    int size = 256;

    @Option(names = "--iterations", description = "Iterations for overhead and spark (default: ${DEFAULT-VALUE}).")
    int iterations = 100;

    @Override
    public Integer call() throws Exception {
        // the in-process flicker runs: one line per frame is enough
        System.setProperty("org.slf4j.simpleLogger.log.io.github.style4j.samediff.transfer.StyleTransfer", "warn");
        Path work = Files.createTempDirectory("style4j-batch-bench");
        if (part.equals("overhead") || part.equals("spark") || part.equals("all")) {
            throughput(work, !part.equals("overhead"), !part.equals("spark"));
        }
        if (part.equals("flicker") || part.equals("all")) {
            flicker(work);
        }
        return 0;
    }

    private List<String> settings() {
        return List.of("--weights", shared.resolve("models/squeezenet1.1").toString(), "-image_size",
                String.valueOf(size), "-num_iterations", String.valueOf(iterations), "-init", "image",
                "--no-progress");
    }

    private void throughput(Path work, boolean spark, boolean single) throws Exception {
        Path root = Path.of(System.getProperty("style4j.root", "."));
        Path photos = Files.createDirectories(work.resolve("photos"));
        for (String photo : PHOTOS) {
            Files.copy(shared.resolve("images").resolve(photo), photos.resolve(photo));
        }
        String style = shared.resolve("images/starry_night.jpg").toString();
        System.out.printf(Locale.ROOT, "SqueezeNet, %d px, %d L-BFGS iterations, init image, %d photos, one style%n",
                size, iterations, PHOTOS.size());
        double singleSeconds = Double.NaN;
        if (single) {
            List<String> command = new ArrayList<>(List.of(root.resolve("style4j").toString(), "-content_image",
                    photos.resolve(SINGLE).toString(), "-style_image", style, "-output_image",
                    work.resolve("single.png").toString()));
            command.addAll(settings());
            singleSeconds = time(command, work.resolve("single.log"));
            System.out.printf(Locale.ROOT, "%-40s %8.1f s%n", "./style4j, " + SINGLE, singleSeconds);
        }
        List<String> batch = new ArrayList<>(List.of(photos.toString(), "--style", style));
        batch.addAll(settings());
        List<String> command = new ArrayList<>(List.of(root.resolve("style4j").toString(), "batch"));
        command.addAll(batch);
        command.addAll(List.of("--output-dir", work.resolve("batch").toString()));
        double batchSeconds = time(command, work.resolve("batch.log"));
        List<BatchRecord> records = new ArrayList<>(BatchRecord.parse(Files.readAllLines(
                work.resolve("batch").resolve(io.github.style4j.samediff.batch.BatchFiles.MANIFEST))).latest().values());
        double items = records.stream().mapToDouble(BatchRecord::seconds).sum();
        double later = records.stream().skip(1).mapToDouble(BatchRecord::seconds).average().orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "%-40s %8.1f s  (items %.1f s: first %.1f s, then %.1f s each)%n",
                "./style4j batch, " + PHOTOS.size() + " photos", batchSeconds, items, records.get(0).seconds(), later);
        for (BatchRecord record : records) {
            System.out.printf(Locale.ROOT, "%-40s %8.1f s%n", "  item " + record.output(), record.seconds());
        }
        if (single) {
            double sameItem = records.stream().filter(r -> r.input().endsWith(SINGLE)).findFirst().orElseThrow()
                    .seconds();
            System.out.printf(Locale.ROOT, "%-40s %8.1f s  (single run minus the same photo's batch item: JVM, "
                    + "ND4J and JIT warm-up, weights, targets, the run's extra pictures)%n", "start-up paid once",
                    singleSeconds - sameItem);
            System.out.printf(Locale.ROOT, "%-40s %8.1f s  (batch wall / sum of the items = %.2f)%n",
                    "batch overhead beyond its items", batchSeconds - items, batchSeconds / items);
        }
        if (spark) {
            List<String> sparkCommand = new ArrayList<>(List.of(root.resolve("style4j-spark").toString(), "--master",
                    "local[2]"));
            sparkCommand.addAll(batch);
            sparkCommand.addAll(List.of("--output-dir", work.resolve("spark").toString()));
            double sparkSeconds = time(sparkCommand, work.resolve("spark.log"));
            System.out.printf(Locale.ROOT, "%-40s %8.1f s  (spark / batch = %.2f)%n",
                    "./style4j-spark --master local[2]", sparkSeconds, sparkSeconds / batchSeconds);
        }
    }

    private static double time(List<String> command, Path log) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int exit = process.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + exit + "):\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return seconds;
    }

    private void flicker(Path work) throws Exception {
        RgbImage photo = ImageReader.defaults().read(shared.resolve("images/coffee.png"));
        int frames = 10;
        System.out.printf(Locale.ROOT, "%nFlicker: %d frames of 160x120 from coffee.png, SqueezeNet, 128 px, random "
                + "init, 100 iterations (video: 50 after the first)%n", frames);
        System.out.printf(Locale.ROOT, "%-34s %10s %10s %8s %12s%n", "clip, mode", "out change", "in change", "ratio",
                "along flow");
        for (String clip : List.of("pan", "still")) {
            Path folder = Files.createDirectories(work.resolve(clip));
            Path flows = Files.createDirectories(work.resolve(clip + "-flow"));
            Random noise = new Random(7);
            for (int k = 0; k < frames; k++) {
                int dx = clip.equals("pan") ? 6 * k : 0;
                float[] rgb = new float[3 * 160 * 120];
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 120; y++) {
                        for (int x = 0; x < 160; x++) {
                            float value = photo.get(c, 100 + dx + x, 120 + y);
                            if (clip.equals("still")) {
                                value += (float) (0.01 * noise.nextGaussian()); // sensor noise
                            }
                            rgb[c * 160 * 120 + y * 160 + x] = Math.max(0, Math.min(1, value));
                        }
                    }
                }
                String stem = String.format(Locale.ROOT, "frame_%05d", k + 1);
                ImageWriter.defaults().write(RgbImage.of(160, 120, rgb, null), folder.resolve(stem + ".png"));
                if (k > 0) {
                    OpticalFlow.uniform(160, 120, clip.equals("pan") ? 6 : 0, 0)
                            .write(flows.resolve("backward_" + stem + ".flo"));
                }
            }
            for (boolean coherent : new boolean[] {false, true}) {
                StyleTransferConfig config = StyleTransferConfig.builder().setContentImage(Path.of("<input>"))
                        .addStyleImage(shared.resolve("images/starry_night.jpg")).optNetwork(Architecture.SQUEEZENET)
                        .optWeights(WeightSource.npyFolder(shared.resolve("models/squeezenet1.1"))).optImageSize(128)
                        .optIterations(100).optInit(StyleTransferConfig.Init.RANDOM).build();
                BatchRunner.Builder builder = BatchRunner.builder().setConfig(config)
                        .addStyle(BatchStyle.images(config.styleImages()))
                        .setFiles(new LocalBatchFiles(work.resolve(clip + (coherent ? "-video" : "-frames"))));
                // Independent frames are measured with the same flow files, for the change along the flow.
                builder.optVideo(coherent ? new VideoOptions(flows, 1e3, 50) : null);
                BatchRunner runner = builder.build();
                BatchResult result = runner.run(BatchInputs.expand(List.of(folder.toString())), new BatchListener() { });
                BatchResult.VideoFlicker figure = coherent ? result.flicker().get("starry_night")
                        : independentFlicker(work.resolve(clip + "-frames"), result, folder, flows);
                System.out.printf(Locale.ROOT, "%-34s %10.4f %10.4f %8.2f %12.4f%n", clip + ", "
                                + (coherent ? "video (warped start + temporal loss)" : "independent frames"),
                        figure.outputs(), figure.inputs(), figure.relative(), figure.outputsAlongFlow());
            }
        }
    }

    /** The flicker figures of independently stylised frames, computed as video mode computes its own. */
    private static BatchResult.VideoFlicker independentFlicker(Path out, BatchResult result, Path frames, Path flows)
            throws IOException {
        List<RgbImage> outputs = new ArrayList<>();
        List<RgbImage> inputs = new ArrayList<>();
        List<OpticalFlow> flow = new ArrayList<>();
        for (BatchRecord record : result.done()) {
            RgbImage output = ImageReader.defaults().read(out.resolve(record.output()));
            outputs.add(output);
            inputs.add(io.github.style4j.core.image.Resizing.resize(ImageReader.defaults().read(Path.of(record.input())),
                    output.width(), output.height()));
            Path backward = flows.resolve("backward_" + Path.of(record.input()).getFileName().toString()
                    .replace(".png", ".flo"));
            flow.add(Files.exists(backward) ? OpticalFlow.read(backward) : null);
        }
        return new BatchResult.VideoFlicker(outputs.size(), io.github.style4j.core.video.Flicker.meanAbsoluteChange(
                outputs), io.github.style4j.core.video.Flicker.meanAbsoluteChange(inputs),
                io.github.style4j.core.video.Flicker.warpedChange(outputs, flow));
    }
}
