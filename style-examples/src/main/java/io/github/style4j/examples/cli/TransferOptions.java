package io.github.style4j.examples.cli;

import io.github.style4j.samediff.loss.GramNormalization;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.Pooling;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import io.github.style4j.samediff.weights.ModelDownloader;
import io.github.style4j.samediff.weights.WeightFiles;
import io.github.style4j.samediff.weights.WeightLoadException;
import io.github.style4j.samediff.weights.WeightReport;
import io.github.style4j.samediff.weights.WeightSource;
import io.github.style4j.samediff.weights.ZooPretrainedWeights;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Every setting of an optimisation run that does not name its files (neural-style's spellings):
 * shared by {@code ./style4j} and {@code ./style4j batch}, so that a batch item is made exactly
 * as a single run with the same flags.
 */
final class TransferOptions {
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

    @Option(names = {"--tile-borders"}, paramLabel = "KIND", defaultValue = "exact",
            description = "Where a scale needs tiles: exact (halos, two passes: the whole image's result) or moving "
                    + "(no halos, one pass, each tile its own style statistics, the grid moved every iteration: about "
                    + "the whole image's speed per pixel, a slightly different result; needs -optimizer adam).")
    String tileBorders;

    @Option(names = {"-seed", "--seed"}, paramLabel = "N", defaultValue = "42",
            description = "Random seed for the initial noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-gpu", "--gpu"}, paramLabel = "N", description = "neural-style's flag: -1 runs on the CPU, "
            + "N >= 0 on CUDA device N (as CUDA_VISIBLE_DEVICES=N). ./style4j rebuilds for the backend asked for; a "
            + "CUDA build needs the NVIDIA driver and the CUDA 11.6 runtime.")
    Integer gpu;

    @Option(names = "--backend", paramLabel = "cpu|cuda", description = "The ND4J backend (default: the one the class "
            + "path was built for; also STYLE4J_BACKEND). ./style4j rebuilds when it differs.")
    String backend;


    /**
     * A config builder with every setting of these options, for {@code content}; the caller adds
     * the style images (and masks, checkpoints).
     *
     * @throws IllegalArgumentException a bad value, with the flag's name
     */
    StyleTransferConfig.Builder builder(Path content) {
        Architecture architecture = architecture();
        StyleTransferConfig.Builder builder = StyleTransferConfig.builder().setContentImage(content)
                .optNetwork(architecture).optWeights(weightSource()).optIterations(iterations).optImageSize(imageSize).optSeed(seed)
                .optStyleScale(styleScale).optLearningRate(learningRate / 255).optLbfgsHistory(lbfgsHistory)
                .optLbfgsBounded(!lbfgsUnbounded).optNormalizeGradients(normalizeGradients)
                .optOptimizer(parse(StyleTransferConfig.OptimizerKind.class, optimizer, "-optimizer"))
                .optNormalization(parse(GramNormalization.class, normalization, "-normalization"))
                .optPooling(pooling.equalsIgnoreCase("avg") ? Pooling.AVERAGE
                        : parse(Pooling.class, pooling, "-pooling"));
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
        builder.optTileBorders(parse(StyleTransferConfig.TileBorders.class, tileBorders, "--tile-borders"));
        if (initImage != null) {
            builder.setInitImage(initImage);
        } else {
            builder.optInit(switch (init.toLowerCase(Locale.ROOT)) {
                case "random" -> StyleTransferConfig.Init.RANDOM;
                case "image", "content" -> StyleTransferConfig.Init.CONTENT;
                default -> throw new IllegalArgumentException("-init must be random or image, got '" + init + "'");
            });
        }
        if (colour != null) {
            builder.optColourPreservation(parse(StyleTransferConfig.ColourPreservation.class, colour, "--colour"));
        } else if (originalColors == 1) {
            builder.optColourPreservation(StyleTransferConfig.ColourPreservation.LUMINANCE);
        }
        return builder;
    }

    /** Checks the backend flags against each other (before any work). */
    void checkBackendFlags() {
        if (backend != null && !backend.equals("cpu") && !backend.equals("cuda")) {
            throw new IllegalArgumentException("--backend is cpu or cuda, got '" + backend + "'");
        }
        if (gpu != null && gpu < -1) {
            throw new IllegalArgumentException("-gpu is -1 (the CPU) or a CUDA device number, got " + gpu);
        }
        if (gpu != null && backend != null && (gpu >= 0) != backend.equals("cuda")) {
            throw new IllegalArgumentException("-gpu " + gpu + " and --backend " + backend + " disagree; give one");
        }
    }

    /**
     * Starts ND4J and checks that it runs the backend asked for; prints why not and returns
     * false otherwise. {@code command} prefixes the message ({@code style4j}, {@code style4j batch}).
     */
    boolean startBackend(PrintWriter err, String command) {
        try {
            io.github.style4j.core.backend.Backend.start();
            String asked = gpu != null ? (gpu >= 0 ? "cuda" : "cpu") : backend;
            boolean cuda = io.github.style4j.core.backend.Backend.usesCuda();
            if (asked != null && asked.equals("cuda") != cuda) {
                err.println(command + ": " + (gpu != null ? "-gpu " + gpu : "--backend " + backend) + " asks for the "
                        + asked.toUpperCase(Locale.ROOT) + " backend, but this class path has ND4J's "
                        + (cuda ? "CUDA" : "CPU") + " backend; run through ./style4j, which rebuilds for the backend "
                        + "asked for, or build with mvn -B -DskipTests package" + (asked.equals("cuda") ? " -Pcuda" : ""));
                return false;
            }
            return true;
        } catch (io.github.style4j.core.backend.BackendUnavailableException e) {
            err.println(command + ": " + e.getMessage());
            return false;
        }
    }

    /** Describes the --weights file in one line; prints why not and returns false when it cannot be used. */
    boolean describeWeights(PrintWriter out, PrintWriter err, String command) {
        if (weights == null) {
            return true;
        }
        try {
            WeightReport report = WeightFiles.inspect(weights);
            out.println("Weights: " + weights + ": " + report.format() + ", " + report.architecture() + "; "
                    + report.recognition());
            return true;
        } catch (WeightLoadException e) {
            err.println(command + ": " + e.getMessage());
            return false;
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

    WeightSource weightSource() {
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

    static <E extends Enum<E>> E parse(Class<E> type, String value, String flag) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value.trim())) {
                return constant;
            }
        }
        throw new IllegalArgumentException(flag + " must be one of " + java.util.Arrays.toString(type.getEnumConstants())
                .toLowerCase(Locale.ROOT) + ", got '" + value + "'");
    }
}
