package io.github.style4j.examples.cli;

import io.github.style4j.core.image.ImageException;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.samediff.transfer.StyleTransfer;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import io.github.style4j.samediff.transfer.StyleTransferResult;
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
                "Many pictures or a video's frames, resumable: ./style4j batch --help",
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

    @picocli.CommandLine.Mixin
    TransferOptions settings = new TransferOptions();

    @Option(names = {"--style-masks"}, split = ",", paramLabel = "FILE",
            description = "One mask image per style image (white = where that style goes).")
    List<Path> styleMasks = new ArrayList<>();

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
        } catch (TransferOptions.WeightsProblem e) {
            err.println("style4j: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("style4j: " + e.getMessage());
            err.println("Run ./style4j --help for the options.");
            return CommandLine.ExitCode.USAGE;
        }
        if (!settings.startBackend(err, "style4j") || !settings.describeWeights(out, err, "style4j")) {
            return 1;
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
                                ? (progress.plan().movingTiles() ? " in moving tiles" : " in "
                                + progress.plan().layout().tiles().size() + " tiles") : "", step.loss()));
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
        settings.checkBackendFlags();
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
        if (settings.initImage != null) {
            inputs.add(settings.initImage);
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
        if (settings.weights != null && !Files.exists(settings.weights)) {
            throw new IllegalArgumentException("no such weights file or folder: " + settings.weights);
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
        if (settings.weights != null) {
            inputs.putIfAbsent(OutputPaths.real(settings.weights), settings.weights);
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

    /** {@code 6g}, {@code 1500m}: bytes (see {@link TransferOptions#parseBytes}). */
    static long parseBytes(String text) {
        return TransferOptions.parseBytes(text);
    }

    StyleTransferConfig config() {
        StyleTransferConfig.Builder builder = settings.builder(contentImage);
        styleImages.forEach(builder::addStyleImage);
        if (!styleBlendWeights.isEmpty()) {
            builder.optStyleBlendWeights(styleBlendWeights);
        }
        if (!styleMasks.isEmpty()) {
            builder.optStyleMasks(styleMasks);
        }
        if (checkpointDir != null) {
            builder.optCheckpoints(checkpointDir, checkpointEvery).optResume(resume);
        } else if (resume) {
            throw new IllegalArgumentException("--resume needs --checkpoint-dir DIR (where the checkpoints are)");
        }
        return builder.build();
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
        if (args.length > 0 && args[0].equals("batch")) {
            // One line per item says what a batch did; each run's schedule and plan are for the log level debug.
            System.setProperty("org.slf4j.simpleLogger.log.io.github.style4j.samediff.transfer.StyleTransfer", "warn");
            System.exit(BatchCommand.commandLine(new BatchCommand()).execute(java.util.Arrays.copyOfRange(args, 1,
                    args.length)));
        }
        if (args.length > 0 && (args[0].equals("train") || args[0].equals("apply"))) {
            Object command = args[0].equals("train") ? new FastStyleCommand.Train() : new FastStyleCommand.Apply();
            System.exit(FastStyleCommand.commandLine(command).execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(commandLine(new StyliseCommand()).execute(args));
    }
}
