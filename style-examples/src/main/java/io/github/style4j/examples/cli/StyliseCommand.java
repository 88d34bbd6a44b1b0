package io.github.style4j.examples.cli;

import io.github.style4j.core.image.ImageException;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.samediff.loss.GramNormalization;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.Pooling;
import io.github.style4j.samediff.transfer.StyleTransfer;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import io.github.style4j.samediff.transfer.StyleTransferResult;
import io.github.style4j.samediff.weights.ModelDownloader;
import io.github.style4j.samediff.weights.WeightFiles;
import io.github.style4j.samediff.weights.WeightReport;
import io.github.style4j.samediff.weights.WeightLoadException;
import io.github.style4j.samediff.weights.WeightSource;
import io.github.style4j.samediff.weights.ZooPretrainedWeights;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./style4j}: stylise a photo. Flag names follow Justin Johnson's neural-style
 * ({@code -content_image}, ...); each also has a {@code --double-dash} spelling.
 */
@Command(name = "style4j", mixinStandardHelpOptions = true, version = "style4j 0.1.0-SNAPSHOT", sortOptions = false,
        description = {"Paints the content image in the style of the style image(s): Gatys et al.'s neural style "
                + "transfer on Deeplearning4j / SameDiff.", "",
                "Example (offline, with the SqueezeNet weights beside the project):",
                "  ./style4j -content_image photo.png -style_image painting.jpg -output_image out.png \\",
                "            --weights ../shared/models/squeezenet1.1", "",
                "Weight files (PyTorch, ONNX, Keras, Caffe, DL4J): ./style4j weights --help",
                "Fast style (train a network once, then stylise in one pass): ./style4j train --help, ./style4j apply --help",
                ""})
public final class StyliseCommand implements Callable<Integer> {
    @Option(names = {"-content_image", "--content-image"}, required = true, paramLabel = "FILE",
            description = "The photo to repaint.")
    Path contentImage;

    @Option(names = {"-style_image", "--style-image"}, required = true, split = ",", paramLabel = "FILE",
            description = "One or more style images, comma separated.")
    List<Path> styleImages;

    @Option(names = {"-style_blend_weights", "--style-blend-weights"}, split = ",", paramLabel = "W",
            description = "One weight per style image, comma separated (default: equal).")
    List<Double> styleBlendWeights = new ArrayList<>();

    @Option(names = {"-output_image", "--output-image"}, paramLabel = "FILE", defaultValue = "out.png",
            description = "Where to write the result: .png, .jpg or .tif (default: ${DEFAULT-VALUE}). Also writes "
                    + "FILE_losses.png (loss curves) and FILE_side_by_side.png (content | style | result).")
    Path outputImage;

    @Option(names = {"-image_size", "--image-size"}, paramLabel = "PX", defaultValue = "512",
            description = "Longest side of the result in pixels (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = {"--model"}, paramLabel = "NAME",
            description = "Feature network: vgg19, vgg16 or squeezenet (default: the network of --weights, else vgg19).")
    String model;

    @Option(names = {"--weights"}, paramLabel = "PATH",
            description = "Local weights in any format: PyTorch .pth (torchvision's vgg19-dcbb9e9d.pth), ONNX, Keras "
                    + ".h5, Caffe .caffemodel, a DL4J model zip, or a folder of .npy files (as "
                    + "../shared/models/squeezenet1.1 or ./style4j weights convert). Default: download the DL4J zoo's "
                    + "ImageNet weights once.")
    Path weights;

    @Option(names = {"--mirror"}, paramLabel = "URL", split = ",",
            description = "Base URL(s) serving the DL4J zoo's weight files, tried in order before the zoo's host.")
    List<String> mirrors = new ArrayList<>();

    @picocli.CommandLine.Mixin
    LossOptions loss = new LossOptions();

    @Option(names = {"-num_iterations", "--num-iterations"}, paramLabel = "N", defaultValue = "1000",
            description = "Iterations (per scale with --scales; default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = {"-init", "--init"}, paramLabel = "KIND", defaultValue = "random",
            description = "Start from random noise, or the content image (random|image; default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = {"-init_image", "--init-image"}, paramLabel = "FILE", description = "Start from this image.")
    Path initImage;

    @Option(names = {"-optimizer", "--optimizer"}, paramLabel = "NAME", defaultValue = "lbfgs",
            description = "lbfgs or adam (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = {"-lbfgs_num_correction", "--lbfgs-history"}, paramLabel = "M", defaultValue = "100",
            description = "L-BFGS history pairs (default: ${DEFAULT-VALUE}); each holds two image-sized vectors, so "
                    + "a smaller history saves memory at large sizes.")
    int lbfgsHistory;

    @Option(names = {"-normalize_gradients", "--normalize-gradients"}, description = "L1-normalise each content "
            + "and style layer's gradient before its weight, as neural-style does (the losses reported are unchanged; "
            + "meant for -optimizer adam).")
    boolean normalizeGradients;

    @Option(names = "--lbfgs-unbounded", description = "Let L-BFGS move pixels outside [0, 1] and clamp only the "
            + "saved picture, as neural-style does (default: pixels stay in [0, 1] at every step, so the saved picture "
            + "is the one optimised).")
    boolean lbfgsUnbounded;

    @Option(names = {"-learning_rate", "--learning-rate"}, paramLabel = "LR", defaultValue = "10",
            description = "Adam's learning rate on neural-style's 0-255 scale (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = {"-normalization", "--normalization"}, paramLabel = "KIND", defaultValue = "chw",
            description = "Gram normalisation: chw (neural-style) or gatys (the paper's 1/(4N²M²)); weights differ "
                    + "(default: ${DEFAULT-VALUE}).")
    String normalization;

    @Option(names = {"-pooling", "--pooling"}, paramLabel = "KIND", defaultValue = "max",
            description = "max or avg (default: ${DEFAULT-VALUE}).")
    String pooling;

    @Option(names = {"-style_scale", "--style-scale"}, paramLabel = "S", defaultValue = "1.0",
            description = "Scale of the style images relative to the image size (default: ${DEFAULT-VALUE}).")
    double styleScale;

    @Option(names = {"-original_colors", "--original-colors"}, paramLabel = "0|1", defaultValue = "0",
            description = "1: keep the content's colours (luminance-only transfer).")
    int originalColors;

    @Option(names = {"--colour"}, paramLabel = "KIND",
            description = "Colour preservation: none, luminance (as -original_colors 1) or statistics (recolour the "
                    + "style images to the content's palette first).")
    String colour;

    @Option(names = {"--scales"}, split = ",", paramLabel = "PX",
            description = "Coarse-to-fine sizes ending at -image_size, e.g. 128,256,512, each with -num_iterations "
                    + "(default: above 1024 px, the size halved down to at most 512, each finer scale with half the "
                    + "iterations of the one before; --scales 2048 runs at 2048 alone).")
    List<Integer> scales = new ArrayList<>();

    @Option(names = {"--max-memory"}, paramLabel = "SIZE",
            description = "Memory the run may plan for, e.g. 6g or 1500m (default: JavaCPP's caps and the machine's "
                    + "memory). Decides whether large images are computed in tiles, their size, and the L-BFGS history.")
    String maxMemory;

    @Option(names = {"--tile-size"}, paramLabel = "PX", defaultValue = "0",
            description = "Compute in tiles owning PX pixels a side whatever the memory (same result; for benchmarks).")
    int tileSize;

    @Option(names = {"--style-masks"}, split = ",", paramLabel = "FILE",
            description = "One mask image per style image (white = where that style goes).")
    List<Path> styleMasks = new ArrayList<>();

    @Option(names = {"-seed", "--seed"}, paramLabel = "N", defaultValue = "42",
            description = "Random seed for the initial noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-save_iter", "--save-iter"}, paramLabel = "N", defaultValue = "0",
            description = "Save the image every N iterations as FILE_<iteration> (0: never).")
    int saveIter;

    @Option(names = {"-print_iter", "--print-iter"}, paramLabel = "N", defaultValue = "0",
            description = "Print the losses every N iterations (0: only the progress bar).")
    int printIter;

    @Option(names = {"--checkpoint-dir"}, paramLabel = "DIR",
            description = "Write crash-safe checkpoints (image, optimiser state, iteration) into DIR.")
    Path checkpointDir;

    @Option(names = {"--checkpoint-every"}, paramLabel = "N", defaultValue = "50",
            description = "Iterations between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = {"--resume"}, description = "Continue from the checkpoint in --checkpoint-dir, if there is one "
            + "(the other settings must be the same).")
    boolean resume;

    @Option(names = {"--no-progress"}, description = "No progress bar (for logs).")
    boolean noProgress;

    @Option(names = {"-gpu", "--gpu"}, paramLabel = "N", description = "neural-style's flag: -1 runs on the CPU, "
            + "N >= 0 on CUDA device N (as CUDA_VISIBLE_DEVICES=N). ./style4j rebuilds for the backend asked for; a "
            + "CUDA build needs the NVIDIA driver and the CUDA 11.6 runtime.")
    Integer gpu;

    @Option(names = "--backend", paramLabel = "cpu|cuda", description = "The ND4J backend (default: the one the class "
            + "path was built for; also STYLE4J_BACKEND). ./style4j rebuilds when it differs.")
    String backend;

    @Option(names = "--preview", description = "Serve a live preview page on 127.0.0.1 (its URL is printed): the "
            + "picture forming, loss curves, settings and a Stop button that ends the run and saves the image so far. "
            + "It stops with the run.")
    boolean preview;

    @Option(names = "--preview-port", paramLabel = "PORT", description = "The preview's port (default: a free one).")
    Integer previewPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        StyleTransferConfig config;
        try {
            config = validate();
        } catch (WeightsProblem e) {
            err.println("style4j: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("style4j: " + e.getMessage());
            err.println("Run ./style4j --help for the options.");
            return CommandLine.ExitCode.USAGE;
        }
        try {
            io.github.style4j.core.backend.Backend.start();
            String asked = gpu != null ? (gpu >= 0 ? "cuda" : "cpu") : backend;
            boolean cuda = io.github.style4j.core.backend.Backend.usesCuda();
            if (asked != null && asked.equals("cuda") != cuda) {
                err.println("style4j: " + (gpu != null ? "-gpu " + gpu : "--backend " + backend) + " asks for the "
                        + asked.toUpperCase(Locale.ROOT) + " backend, but this class path has ND4J's "
                        + (cuda ? "CUDA" : "CPU") + " backend; run through ./style4j, which rebuilds for the backend "
                        + "asked for, or build with mvn -B -DskipTests package" + (asked.equals("cuda") ? " -Pcuda" : ""));
                return 1;
            }
        } catch (io.github.style4j.core.backend.BackendUnavailableException e) {
            err.println("style4j: " + e.getMessage());
            return 1;
        }
        if (weights != null) {
            try {
                WeightReport report = WeightFiles.inspect(weights);
                out.println("Weights: " + weights + ": " + report.format() + ", " + report.architecture() + "; "
                        + report.recognition());
            } catch (WeightLoadException e) {
                err.println("style4j: " + e.getMessage());
                return 1;
            }
        }
        out.println(config);
        out.println("Schedule: " + config.schedule());
        int total = config.totalIterations();
        ProgressBar bar = noProgress ? null : new ProgressBarBuilder().setTaskName("style4j").setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .showSpeed().build();
        // Ctrl-C (SIGINT) or SIGTERM: save the image so far before the JVM exits.
        java.util.concurrent.atomic.AtomicReference<java.util.function.Supplier<RgbImage>> latest =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        Thread saveOnInterrupt = new Thread(() -> {
            var image = latest.get();
            if (!finished.get() && image != null) {
                Path partial = withSuffix(outputImage, "_interrupted");
                saveQuietly(image.get(), partial, err);
                err.println("style4j: interrupted; the image so far is in " + partial);
                err.flush();
            }
        }, "style4j-save-on-interrupt");
        Runtime.getRuntime().addShutdownHook(saveOnInterrupt);
        StyleTransfer transfer = new StyleTransfer(config).addListener(progress -> {
            latest.set(progress.image());
            var step = progress.step();
            if (bar != null) {
                bar.stepTo(progress.iterationsDone());
                bar.setExtraMessage(String.format(Locale.ROOT, " scale %d/%d %dpx%s loss %.4g", progress.scale() + 1,
                        progress.scales(), progress.size(), progress.plan().tiled()
                                ? " in " + progress.plan().layout().tiles().size() + " tiles" : "", step.loss()));
            }
            if (printIter > 0 && progress.iterationsDone() % printIter == 0) {
                out.println(step);
            }
            if (saveIter > 0 && progress.iterationsDone() % saveIter == 0) {
                saveQuietly(progress.image().get(), withSuffix(outputImage, "_" + progress.iterationsDone()), err);
            }
        });
        io.github.style4j.samediff.preview.LivePreview livePreview = null;
        try {
            if (preview) {
                livePreview = io.github.style4j.samediff.preview.LivePreview.builder()
                        .optPort(previewPort == null ? 0 : previewPort).start();
                transfer.addRunListener(livePreview);
                out.println("Live preview: " + livePreview.url() + " (open it in a browser; it ends with the run)");
                out.flush();
            }
            StyleTransferResult result = transfer.run();
            finished.set(true);
            if (bar != null) {
                bar.close();
            }
            ImageWriter.defaults().write(result.image(), outputImage);
            Pictures.lossCurves(result.history(), withSuffix(outputImage, "_losses"));
            Pictures.sideBySide(config, result.image(), withSuffix(outputImage, "_side_by_side"));
            out.println("Stopped: " + result.message()
                    + (transfer.stopRequested() ? " (the preview's Stop button)" : ""));
            out.printf(Locale.ROOT, "Losses at the content image: %s%nLosses at the result:        %s%n",
                    format(result.termsAtContent()), format(result.finalTerms()));
            out.println("Wrote " + outputImage + ", " + withSuffix(outputImage, "_losses") + " and "
                    + withSuffix(outputImage, "_side_by_side"));
            return 0;
        } catch (IllegalStateException | java.io.IOException e) {
            if (bar != null) {
                bar.close();
            }
            err.println("style4j: " + e.getMessage());
            return 1;
        } finally {
            if (livePreview != null) {
                livePreview.close();
            }
            finished.set(true);
            try {
                Runtime.getRuntime().removeShutdownHook(saveOnInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or ran: nothing to undo
            }
        }
    }

    /**
     * Everything {@link #call()} checks before any work: the input files, the settings, and
     * the output files against the inputs.
     *
     * @throws IllegalArgumentException with a message for the user
     */
    StyleTransferConfig validate() {
        if (backend != null && !backend.equals("cpu") && !backend.equals("cuda")) {
            throw new IllegalArgumentException("--backend is cpu or cuda, got '" + backend + "'");
        }
        if (gpu != null && gpu < -1) {
            throw new IllegalArgumentException("-gpu is -1 (the CPU) or a CUDA device number, got " + gpu);
        }
        if (gpu != null && backend != null && (gpu >= 0) != backend.equals("cuda")) {
            throw new IllegalArgumentException("-gpu " + gpu + " and --backend " + backend + " disagree; give one");
        }
        if (previewPort != null && (previewPort < 0 || previewPort > 65535)) {
            throw new IllegalArgumentException("--preview-port must be 0 (any free port) to 65535, got " + previewPort);
        }
        if (previewPort != null && !preview) {
            throw new IllegalArgumentException("--preview-port needs --preview");
        }
        checkInputs();
        StyleTransferConfig config = config();
        checkOutputs(config);
        return config;
    }

    private List<Path> inputs() {
        List<Path> inputs = new ArrayList<>();
        inputs.add(contentImage);
        inputs.addAll(styleImages);
        inputs.addAll(styleMasks);
        if (initImage != null) {
            inputs.add(initImage);
        }
        return inputs;
    }

    private void checkInputs() {
        for (Path input : inputs()) {
            if (Files.isDirectory(input)) {
                throw new IllegalArgumentException(input + " is a folder, not an image file (check the path)");
            }
            if (!Files.isRegularFile(input)) {
                throw new IllegalArgumentException("no such image file: " + input + " (check the path)");
            }
        }
        if (weights != null && !Files.exists(weights)) {
            throw new IllegalArgumentException("no such weights file or folder: " + weights);
        }
    }

    /**
     * Every image file this run may write: the result, its loss curves and side-by-side, the
     * {@code -save_iter} images and the image saved on Ctrl-C. {@link #checkOutputs} compares
     * them (after following links) and the checkpoint folder with every input before any work,
     * so that no input is ever replaced.
     */
    List<Path> plannedOutputs(StyleTransferConfig config) {
        List<Path> outputs = new ArrayList<>(List.of(outputImage, withSuffix(outputImage, "_losses"),
                withSuffix(outputImage, "_side_by_side"), withSuffix(outputImage, "_interrupted")));
        int total = config.totalIterations();
        for (int done = saveIter; saveIter > 0 && done <= total; done += saveIter) {
            outputs.add(withSuffix(outputImage, "_" + done));
        }
        return outputs;
    }

    private void checkOutputs(StyleTransferConfig config) {
        Map<Path, Path> inputs = new LinkedHashMap<>(); // real path -> as given
        for (Path input : inputs()) {
            inputs.putIfAbsent(OutputPaths.real(input), input);
        }
        if (weights != null) {
            inputs.putIfAbsent(OutputPaths.real(weights), weights);
        }
        Path folder = OutputPaths.folderOf(outputImage);
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("the output folder " + folder + " does not exist; create it or choose "
                    + "another -output_image");
        }
        if (!Files.isWritable(folder)) {
            throw new IllegalArgumentException("the output folder " + folder + " is not writable; choose another "
                    + "-output_image");
        }
        for (Path output : plannedOutputs(config)) {
            if (Files.isDirectory(output)) {
                throw new IllegalArgumentException("the output " + output + " is a folder; choose another -output_image");
            }
            Path input = inputs.get(OutputPaths.real(output));
            if (input != null) {
                throw new IllegalArgumentException("this run would write " + output + ", which is the input " + input
                        + "; choose another -output_image so that no input is overwritten");
            }
        }
        if (checkpointDir != null) {
            Path checkpoints = OutputPaths.real(checkpointDir);
            for (Map.Entry<Path, Path> input : inputs.entrySet()) {
                if (OutputPaths.isCheckpointFile(checkpoints, input.getKey())) {
                    throw new IllegalArgumentException("the input " + input.getValue() + " is inside the checkpoint folder "
                            + checkpointDir + ", where old checkpoints are replaced and deleted; move it or choose "
                            + "another --checkpoint-dir");
                }
            }
        }
    }

    /** A weight file that cannot be used: reported in one line, exit status 1 (not a usage error). */
    static final class WeightsProblem extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        WeightsProblem(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The network: {@code --model}, else the one the {@code --weights} file holds, else VGG-19.
     * A {@code --model} that contradicts the file is an error.
     */
    Architecture architecture() {
        Architecture asked = model == null ? null : Architecture.parse(model);
        if (weights == null) {
            return asked == null ? Architecture.VGG19 : asked;
        }
        Architecture held;
        try {
            held = WeightSource.of(weights).impliedArchitecture().orElse(null);
        } catch (WeightLoadException e) {
            throw new WeightsProblem(e.getMessage(), e);
        }
        if (held == null) {
            return asked == null ? Architecture.VGG19 : asked;
        }
        if (asked != null && asked != held) {
            throw new WeightsProblem(weights + " holds " + held + " weights, but --model " + model + " asks for "
                    + asked + "; drop --model (it is taken from the file) or pass other weights", null);
        }
        return held;
    }

    /** {@code 6g}, {@code 1500m}, {@code 512MB}, {@code 2.5G}: bytes (k, m, g, t; powers of 1024). */
    static long parseBytes(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\\s*(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)i?b?\\s*")
                .matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("--max-memory must be a size such as 6g or 1500m, got '" + text + "'");
        }
        int power = "kmgt".indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
        return (long) (Double.parseDouble(m.group(1)) * Math.pow(1024, power));
    }

    StyleTransferConfig config() {
        Architecture architecture = architecture();
        StyleTransferConfig.Builder builder = StyleTransferConfig.builder().setContentImage(contentImage)
                .optNetwork(architecture).optWeights(weightSource()).optIterations(iterations).optImageSize(imageSize).optSeed(seed)
                .optStyleScale(styleScale).optLearningRate(learningRate / 255).optLbfgsHistory(lbfgsHistory)
                .optLbfgsBounded(!lbfgsUnbounded).optNormalizeGradients(normalizeGradients)
                .optOptimizer(parse(StyleTransferConfig.OptimizerKind.class, optimizer, "-optimizer"))
                .optNormalization(parse(GramNormalization.class, normalization, "-normalization"))
                .optPooling(pooling.equalsIgnoreCase("avg") ? Pooling.AVERAGE
                        : parse(Pooling.class, pooling, "-pooling"));
        styleImages.forEach(builder::addStyleImage);
        if (!styleBlendWeights.isEmpty()) {
            builder.optStyleBlendWeights(styleBlendWeights);
        }
        if (!styleMasks.isEmpty()) {
            builder.optStyleMasks(styleMasks);
        }
        if (loss.contentWeight != null) {
            builder.optContentWeight(loss.contentWeight);
        }
        if (loss.styleWeight != null) {
            builder.optStyleWeight(loss.styleWeight);
        }
        if (loss.tvWeight != null) {
            builder.optTvWeight(loss.tvWeight);
        }
        if (!loss.contentLayers.isEmpty()) {
            builder.optContentLayers(LossOptions.layerWeights(loss.contentLayers));
        }
        if (!loss.styleLayers.isEmpty()) {
            builder.optStyleLayers(LossOptions.layerWeights(loss.styleLayers));
        }
        if (!scales.isEmpty()) {
            builder.optScales(scales);
        }
        if (maxMemory != null) {
            builder.optMaxMemory(parseBytes(maxMemory));
        }
        builder.optTileSize(tileSize);
        if (initImage != null) {
            builder.setInitImage(initImage);
        } else {
            builder.optInit(switch (init.toLowerCase(Locale.ROOT)) {
                case "random" -> StyleTransferConfig.Init.RANDOM;
                case "image", "content" -> StyleTransferConfig.Init.CONTENT;
                default -> throw new IllegalArgumentException("-init must be random or image, got '" + init + "'");
            });
        }
        if (checkpointDir != null) {
            builder.optCheckpoints(checkpointDir, checkpointEvery).optResume(resume);
        } else if (resume) {
            throw new IllegalArgumentException("--resume needs --checkpoint-dir DIR (where the checkpoints are)");
        }
        if (colour != null) {
            builder.optColourPreservation(parse(StyleTransferConfig.ColourPreservation.class, colour, "--colour"));
        } else if (originalColors == 1) {
            builder.optColourPreservation(StyleTransferConfig.ColourPreservation.LUMINANCE);
        }
        return builder.build();
    }

    private WeightSource weightSource() {
        if (weights != null) {
            return WeightSource.of(weights);
        }
        ModelDownloader.Builder downloader = ModelDownloader.builder().optListener((file, bytes, total) ->
                System.err.printf(Locale.ROOT, "\rdownloading %s: %d of %s MB", file, bytes >> 20,
                        total < 0 ? "?" : String.valueOf(total >> 20)));
        for (String mirror : mirrors) {
            try {
                downloader.optMirror(java.net.URI.create(mirror));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--mirror " + mirror + " is not a URL");
            }
        }
        return ZooPretrainedWeights.builder().optDownloader(downloader.build()).build();
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value, String flag) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value.trim())) {
                return constant;
            }
        }
        throw new IllegalArgumentException(flag + " must be one of " + java.util.Arrays.toString(type.getEnumConstants())
                .toLowerCase(Locale.ROOT) + ", got '" + value + "'");
    }

    static Path withSuffix(Path file, String suffix) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot < 0 ? name : name.substring(0, dot);
        String extension = dot < 0 ? ".png" : name.substring(dot);
        if (suffix.equals("_losses") || suffix.equals("_side_by_side")) {
            extension = ".png";
        }
        return file.resolveSibling(stem + suffix + extension);
    }

    private static void saveQuietly(RgbImage image, Path path, PrintWriter err) {
        try {
            ImageWriter.defaults().write(image, path);
        } catch (ImageException e) {
            err.println("style4j: could not save an intermediate image: " + e.getMessage());
        }
    }

    private static String format(Map<String, Double> terms) {
        StringBuilder text = new StringBuilder();
        terms.forEach((name, value) -> text.append(String.format(Locale.ROOT, "%s %.7g  ", name, value)));
        return text.toString().trim();
    }

    /**
     * The command line as {@code main} runs it: a usage error prints one line and a pointer to
     * {@code --help}. {@code @file} argument expansion is off: an
     * image may be called {@code @home.png}, and a bad {@code @}-argument would otherwise end in
     * picocli's initialisation error rather than a usage message (found by CommandLineFuzzTest).
     */
    static CommandLine commandLine(StyliseCommand command) {
        return new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).setExpandAtFiles(false)
                .setParameterExceptionHandler((error, args) -> {
                    // One line and a pointer, not the 100-line usage the default handler prints.
                    PrintWriter err = error.getCommandLine().getErr();
                    err.println("style4j: " + error.getMessage());
                    err.println("Run ./style4j --help for the options.");
                    return CommandLine.ExitCode.USAGE;
                });
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        if (args.length > 0 && args[0].equals("weights")) {
            // A command of its own: the stylise command's required images do not apply.
            System.exit(WeightsCommand.commandLine().execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && (args[0].equals("train") || args[0].equals("apply"))) {
            Object command = args[0].equals("train") ? new FastStyleCommand.Train() : new FastStyleCommand.Apply();
            System.exit(FastStyleCommand.commandLine(command).execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(commandLine(new StyliseCommand()).execute(args));
    }
}
