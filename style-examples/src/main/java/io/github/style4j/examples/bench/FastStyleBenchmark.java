package io.github.style4j.examples.bench;

import io.github.style4j.core.backend.NativeBuildSelector;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.samediff.fast.FastStyle;
import io.github.style4j.samediff.fast.FastStyleModel;
import io.github.style4j.samediff.fast.FastStyleTrainer;
import io.github.style4j.samediff.fast.FastStyleTraining;
import io.github.style4j.samediff.fast.TransformerNetwork;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.weights.WeightSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue #15's speed goals, each row beside PyTorch (Debian's python3-torch) running the same
 * architecture in the same run ({@code style-examples/bench/pytorch_fast.py}; the parameter
 * counts are compared, so the two networks are the same):
 * <ul>
 *   <li>{@code apply}: one forward pass of the transformer on a 1024 x 1024 image, half and full
 *       width (random weights: the time does not depend on them);</li>
 *   <li>{@code train}: one training step, batch 4, 256 px crops, SqueezeNet 1.1 loss network with
 *       the default layers and weights, Adam.</li>
 * </ul>
 * Medians after a warm-up; GFLOP/s counts the transformer's convolutions only (forward; a
 * training step is about 3x the forward work of the transformer plus the loss network's).
 */
@Command(name = "fast", mixinStandardHelpOptions = true,
        description = "Fast style: apply and training-step time against PyTorch on the same architecture.")
final class FastStyleBenchmark implements Callable<Integer> {
    @Option(names = "--part", description = "apply, train, quality or all (default: ${DEFAULT-VALUE}; all is apply "
            + "and train).")
    String part = "all";

    @Option(names = "--style-model", description = "quality: the trained model (default: ${DEFAULT-VALUE}).")
    Path styleModel = Path.of("docs", "models", "starry_night.style4j");

    @Option(names = "--photo", description = "quality: a photo not used in training (default: chelsea.png in --shared).")
    Path photo;

    @Option(names = "--style-image", description = "quality: the model's style image (default: starry_night.jpg in "
            + "--shared).")
    Path styleImage;

    @Option(names = "--quality-size", description = "quality: longest side of both pictures (default: ${DEFAULT-VALUE}).")
    int qualitySize = 512;

    @Option(names = "--quality-iterations", description = "quality: L-BFGS iterations of the optimisation "
            + "(default: ${DEFAULT-VALUE}).")
    int qualityIterations = 300;

    @Option(names = "--picture", description = "quality: where to write photo | fast | optimised (default: "
            + "${DEFAULT-VALUE}).")
    Path picture = Path.of("fast-vs-optimised.png");

    @Option(names = "--size", description = "Apply: image side (default: ${DEFAULT-VALUE}).")
    int size = 1024;

    @Option(names = "--iterations", description = "Timed repetitions (default: ${DEFAULT-VALUE}).")
    int iterations = 5;

    @Option(names = "--worker", hidden = true, description = "Internal: run one apply row in this JVM (half|full).")
    String worker;

    @Option(names = "--tiled", description = "apply: through stylise(RgbImage), which works in tiles above "
            + "FastStyle.TILE_ABOVE_PIXELS (default: the whole image as one tensor).")
    boolean tiled;

    @Option(names = "--shared", description = "The shared folder, for the SqueezeNet weights (default: ${DEFAULT-VALUE}).")
    Path shared = Path.of("..", "shared");

    private static final String RESULT = "FAST_RESULT ";

    @Override
    public Integer call() throws Exception {
        if (worker != null) {
            TransformerNetwork network = worker.equals("full") ? TransformerNetwork.full() : TransformerNetwork.half();
            System.out.println(RESULT + apply(network) + " " + NetworkBenchmark.peakResidentMb());
            return 0;
        }
        System.out.println("Native build: " + NativeBuildSelector.select().build() + "; "
                + Runtime.getRuntime().availableProcessors() + " threads. Medians of " + iterations + " after a warm-up.");
        Path script = Path.of(System.getProperty("style4j.root", "."), "style-examples", "bench", "pytorch_fast.py");
        boolean torch = Files.isRegularFile(script) && NetworkBenchmark.pythonHasTorch();
        if (!torch) {
            System.out.println("(PyTorch rows skipped: /usr/bin/python3 cannot import torch; apt-get install python3-torch)");
        }
        if (part.equals("apply") || part.equals("all")) {
            System.out.printf(Locale.ROOT, "%napply %d x %d (each style4j row in a fresh JVM)%n%-6s %10s %10s %9s %9s %9s%n",
                    size, size, "width", "style4j s", "torch s", "vs torch", "GFLOP/s", "RSS MB");
            for (TransformerNetwork network : List.of(TransformerNetwork.half(), TransformerNetwork.full())) {
                List<String> args = new ArrayList<>(List.of("fast", "--worker", network.width() == 16 ? "half" : "full",
                        "--size", String.valueOf(size), "--iterations", String.valueOf(iterations)));
                if (tiled) {
                    args.add("--tiled");
                }
                String[] row = ChildJvm.run(BenchCommand.class, RESULT, args.toArray(new String[0]));
                double ours = Double.parseDouble(row[0]);
                Double theirs = torch ? pytorch(script, network, "apply", String.valueOf(network.width()),
                        String.valueOf(size)) : null;
                double gflop = 2 * network.multiplyAdds(size, size) / 1e9;
                System.out.printf(Locale.ROOT, "%-6s %10.3f %10s %9s %9.1f %9.0f%n", network.width() == 16 ? "half" : "full",
                        ours, theirs == null ? "-" : String.format(Locale.ROOT, "%.3f", theirs),
                        theirs == null ? "-" : String.format(Locale.ROOT, "%.2fx", ours / theirs), gflop / ours,
                        Double.parseDouble(row[1]));
            }
        }
        if (part.equals("quality")) {
            quality();
            return 0;
        }
        if (part.equals("train") || part.equals("all")) {
            Path weights = shared.resolve("models/squeezenet1.1");
            if (!Files.isDirectory(weights)) {
                System.out.println("(training rows skipped: no " + weights + ")");
                return 0;
            }
            System.out.printf(Locale.ROOT, "%ntraining step: batch 4, 256 px, SqueezeNet 1.1 loss network%n"
                    + "%-6s %10s %10s %9s%n", "width", "style4j s", "torch s", "vs torch");
            for (TransformerNetwork network : List.of(TransformerNetwork.half(), TransformerNetwork.full())) {
                double ours = trainStep(network, weights);
                Double theirs = torch ? pytorch(script, network, "train", String.valueOf(network.width()), "256", "4")
                        : null;
                System.out.printf(Locale.ROOT, "%-6s %10.3f %10s %9s%n", network.width() == 16 ? "half" : "full", ours,
                        theirs == null ? "-" : String.format(Locale.ROOT, "%.3f", theirs),
                        theirs == null ? "-" : String.format(Locale.ROOT, "%.2fx", ours / theirs));
            }
        }
        return 0;
    }

    /**
     * A fast result and an optimisation with the model's own loss settings on a photo the model
     * was not trained on, both scored on the same objective (the optimisation's, with the style
     * image at the size the model was trained with).
     */
    private void quality() throws Exception {
        FastStyleModel model = FastStyleModel.load(styleModel);
        Path content = photo != null ? photo : shared.resolve("images/chelsea.png");
        Path style = styleImage != null ? styleImage : shared.resolve("images/starry_night.jpg");
        var loss = model.manifest("loss");
        var network = model.manifest("lossNetwork");
        int styleSize = model.manifest("style").path("size").asInt();
        RgbImage photoImage = io.github.style4j.core.image.Resizing.fitToMaxSide(
                io.github.style4j.core.image.ImageReader.defaults().read(content), qualitySize);
        Map<String, Double> contentLayers = new java.util.LinkedHashMap<>();
        loss.path("contentLayers").fields().forEachRemaining(e -> contentLayers.put(e.getKey(), e.getValue().asDouble()));
        Map<String, Double> styleLayers = new java.util.LinkedHashMap<>();
        loss.path("styleLayers").fields().forEachRemaining(e -> styleLayers.put(e.getKey(), e.getValue().asDouble()));
        io.github.style4j.samediff.transfer.StyleTransferConfig config = io.github.style4j.samediff.transfer
                .StyleTransferConfig.builder().setContentImage(content).addStyleImage(style)
                .optNetwork(Architecture.valueOf(network.path("architecture").asText()))
                .optWeights(WeightSource.of(shared.resolve("models/squeezenet1.1")))
                .optContentLayers(contentLayers).optStyleLayers(styleLayers)
                .optContentWeight(loss.path("contentWeight").asDouble()).optStyleWeight(loss.path("styleWeight").asDouble())
                .optTvWeight(loss.path("tvWeight").asDouble()).optImageSize(qualitySize)
                .optStyleScale((double) styleSize / qualitySize).optIterations(qualityIterations).build();
        long start = System.nanoTime();
        RgbImage fast = FastStyle.of(model).stylise(photoImage);
        double fastSeconds = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        var optimised = new io.github.style4j.samediff.transfer.StyleTransfer(config).run();
        double optimisedSeconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> fastTerms = new io.github.style4j.samediff.transfer.StyleTransfer(config).terms(fast);
        System.out.printf(Locale.ROOT, "%nquality on %s (not in training), %d px, style image at %d px, %s%n"
                + "%-22s %12s %12s %12s %12s %9s%n", content.getFileName(), qualitySize, styleSize, model,
                "picture", "content", "style", "tv", "total", "seconds");
        printTerms("fast (" + styleModel.getFileName() + ")", fastTerms, fastSeconds);
        printTerms("optimised, L-BFGS " + qualityIterations, optimised.finalTerms(), optimisedSeconds);
        printTerms("the photo itself", optimised.termsAtContent(), 0);
        ImageWriter.defaults().write(sideBySide(List.of(photoImage, fast, optimised.image())), picture);
        System.out.println("Wrote " + picture + " (photo | fast | optimised)");
    }

    private static void printTerms(String name, Map<String, Double> terms, double seconds) {
        System.out.printf(Locale.ROOT, "%-22s %12.5g %12.5g %12.5g %12.5g %9.2f%n", name, terms.get("content"),
                terms.get("style"), terms.get("tv"), terms.get("total"), seconds);
    }

    private static RgbImage sideBySide(List<RgbImage> images) {
        int height = images.get(0).height();
        int width = 0;
        List<RgbImage> scaled = new ArrayList<>();
        for (RgbImage image : images) {
            RgbImage s = io.github.style4j.core.image.Resizing.resize(image.withoutAlpha(),
                    Math.max(1, Math.round((float) image.width() * height / image.height())), height);
            scaled.add(s);
            width += s.width();
        }
        float[] rgb = new float[3 * width * height];
        int left = 0;
        for (RgbImage s : scaled) {
            float[] planes = s.rgb();
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < height; y++) {
                    System.arraycopy(planes, c * s.width() * height + y * s.width(), rgb, c * width * height + y * width + left,
                            s.width());
                }
            }
            left += s.width();
        }
        return RgbImage.of(width, height, rgb, null);
    }

    private double apply(TransformerNetwork network) {
        FastStyle style = FastStyle.of(FastStyleModel.untrained(network, 1));
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, size, size);
        RgbImage picture = io.github.style4j.core.tensor.ImageTensors.toImage(image);
        Runnable once = tiled ? () -> style.stylise(picture) : () -> style.stylise(image).close();
        once.run();
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            long start = System.nanoTime();
            once.run();
            times.add((System.nanoTime() - start) / 1e9);
        }
        return median(times);
    }

    private double trainStep(TransformerNetwork network, Path weights) throws Exception {
        Path photos = Files.createTempDirectory("style4j-bench-photos");
        try {
            Random random = new Random(1);
            for (int i = 0; i < 4; i++) {
                float[] rgb = new float[3 * 320 * 320];
                for (int k = 0; k < rgb.length; k++) {
                    rgb[k] = random.nextFloat();
                }
                ImageWriter.defaults().write(RgbImage.of(320, 320, rgb, null), photos.resolve("photo" + i + ".png"));
            }
            List<Double> times = new ArrayList<>();
            FastStyleTraining training = FastStyleTraining.builder().setStyleImage(photos.resolve("photo0.png"))
                    .setPhotos(photos).optTransformer(network).optWeights(WeightSource.of(weights))
                    .optArchitecture(Architecture.SQUEEZENET).optIterations(iterations + 2).optBatchSize(4)
                    .optImageSize(256).build();
            new FastStyleTrainer(training).train(new FastStyleTrainer.Listener() {
                @Override
                public void iterationDone(FastStyleTrainer.Progress progress) {
                    if (progress.iteration() > 2) { // the first steps allocate the arrays later ones reuse
                        times.add(progress.seconds());
                    }
                }
            });
            return median(times);
        } finally {
            try (var files = Files.list(photos)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(photos);
        }
    }

    private Double pytorch(Path script, TransformerNetwork network, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", script.toString()));
        command.addAll(List.of(args));
        command.add(String.valueOf(iterations));
        command.add(String.valueOf(Runtime.getRuntime().availableProcessors()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0 || !output.contains("RESULT ")) {
            throw new IllegalStateException("PyTorch run failed:\n" + output);
        }
        String[] result = output.substring(output.indexOf("RESULT ") + 7).trim().split("\\s+");
        if (Long.parseLong(result[1]) != network.parameterCount()) {
            throw new IllegalStateException("PyTorch's network has " + result[1] + " parameters, style4j's "
                    + network.parameterCount() + ": not the same architecture");
        }
        return Double.parseDouble(result[0]);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
