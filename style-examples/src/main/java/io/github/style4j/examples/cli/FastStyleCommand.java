package io.github.style4j.examples.cli;

import io.github.style4j.core.image.ImageException;
import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.Resizing;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.optim.StepReport;
import io.github.style4j.samediff.fast.FastStyle;
import io.github.style4j.samediff.fast.FastStyleModel;
import io.github.style4j.samediff.fast.FastStyleTrainer;
import io.github.style4j.samediff.fast.FastStyleTraining;
import io.github.style4j.samediff.fast.TrainingDivergedException;
import io.github.style4j.samediff.fast.TransformerNetwork;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.weights.WeightSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

/** {@code ./style4j train} and {@code ./style4j apply}: fast (feed-forward) style networks. */
final class FastStyleCommand {
    private FastStyleCommand() {
    }

    static CommandLine commandLine(Object command) {
        return new CommandLine(command).setExpandAtFiles(false).setParameterExceptionHandler((error, args) -> {
            PrintWriter err = error.getCommandLine().getErr();
            err.println("style4j: " + error.getMessage());
            err.println("Run ./style4j " + error.getCommandLine().getCommandName() + " --help for the options.");
            return CommandLine.ExitCode.USAGE;
        });
    }

    @Command(name = "train", mixinStandardHelpOptions = true, version = "style4j 0.1.0-SNAPSHOT", sortOptions = false,
            description = {"Trains a feed-forward network that paints any photo in one style (Johnson et al. 2016), "
                    + "with style4j's content, style and TV losses on a frozen feature network.", "",
                    "Example:", "  ./style4j train -style_image painting.jpg --images photos/ --model-out painting.style4j \\",
                    "      --weights ../shared/models/squeezenet1.1 --iterations 2000", ""})
    static final class Train implements Callable<Integer> {
        @Option(names = {"-style_image", "--style-image"}, required = true, paramLabel = "FILE",
                description = "The painting to learn.")
        Path styleImage;

        @Option(names = "--images", required = true, split = ",", paramLabel = "DIR|FILE",
                description = "Training photos: folders (searched recursively) or files, comma separated; any size.")
        List<Path> images;

        @Option(names = "--model-out", required = true, paramLabel = "FILE",
                description = "Where to write the trained model; FILE_losses.png gets the loss curves.")
        Path modelOut;

        @Option(names = "--iterations", defaultValue = "2000", paramLabel = "N",
                description = "Training steps (default: ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--batch", defaultValue = "4", paramLabel = "B", description = "Photos per step (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = {"-image_size", "--image-size"}, defaultValue = "256", paramLabel = "PX",
                description = "Side of the square training crops, a multiple of 4 (default: ${DEFAULT-VALUE}).")
        int imageSize;

        @Option(names = "--style-size", paramLabel = "PX", description = "Longest side of the style image for its "
                + "targets (default: -image_size).")
        int styleSize;

        @Option(names = "--width", defaultValue = "half", paramLabel = "W",
                description = "Network width: half (16 channels first, for CPUs), full (Johnson's 32), or a number "
                        + "(default: ${DEFAULT-VALUE}).")
        String width;

        @Option(names = "--model", paramLabel = "NAME",
                description = "Loss network: vgg19, vgg16 or squeezenet (default: that of --weights, else vgg19).")
        String model;

        @Option(names = "--weights", paramLabel = "PATH",
                description = "Loss network weights in any format ./style4j reads (default: the DL4J zoo's).")
        Path weights;

        @picocli.CommandLine.Mixin
        LossOptions loss = new LossOptions();

        @Option(names = {"-learning_rate", "--learning-rate"}, defaultValue = "1e-3", paramLabel = "LR",
                description = "Adam's learning rate (default: ${DEFAULT-VALUE}).")
        double learningRate;

        @Option(names = {"-seed", "--seed"}, defaultValue = "0", paramLabel = "N",
                description = "Seed for the initial weights and the crops (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--checkpoint-every", defaultValue = "100", paramLabel = "N",
                description = "Write FILE.ckpt (weights, Adam state, iteration) every N steps (default: ${DEFAULT-VALUE}).")
        int checkpointEvery;

        @Option(names = "--resume", description = "Continue from FILE.ckpt if it exists (same settings needed).")
        boolean resume;

        @Option(names = "--no-progress", description = "No progress bar (for logs).")
        boolean noProgress;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            FastStyleTraining training;
            try {
                training = training();
            } catch (IllegalArgumentException e) {
                err.println("style4j train: " + e.getMessage());
                return CommandLine.ExitCode.USAGE;
            }
            out.println(training);
            out.flush();
            ProgressBar bar = noProgress ? null : new ProgressBarBuilder().setTaskName("train")
                    .setInitialMax(training.iterations()).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).showSpeed().build();
            List<StepReport> history = new ArrayList<>();
            try {
                FastStyleModel model = new FastStyleTrainer(training).train(new FastStyleTrainer.Listener() {
                    @Override
                    public void started(FastStyleTraining config, List<Path> photos, List<String> skipped, int start) {
                        out.printf(Locale.ROOT, "Training on %d photos%s%s%n", photos.size(),
                                skipped.isEmpty() ? "" : " (skipped " + skipped.size() + ": " + skipped + ")",
                                start > 0 ? ", resuming at iteration " + start : "");
                        out.flush();
                        if (bar != null) {
                            bar.stepTo(start);
                        }
                    }

                    @Override
                    public void iterationDone(FastStyleTrainer.Progress progress) {
                        Map<String, Double> terms = new java.util.LinkedHashMap<>(progress.terms());
                        double total = terms.remove(FastStyleTrainer.TOTAL);
                        history.add(new StepReport(progress.iteration(), total, terms, 0, 0, 1,
                                Duration.ofNanos((long) (progress.seconds() * 1e9))));
                        if (bar != null) {
                            bar.stepTo(progress.iteration());
                            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4g", total));
                        } else if (progress.iteration() % 50 == 0 || progress.iteration() == progress.iterations()) {
                            out.printf(Locale.ROOT, "iteration %d/%d loss %.5g %s (%.2f s)%n", progress.iteration(),
                                    progress.iterations(), total, terms, progress.seconds());
                            out.flush();
                        }
                    }
                });
                close(bar);
                model.save(modelOut);
                out.println("Wrote " + modelOut + " (" + Files.size(modelOut) / 1024 + " KiB)");
                writeCurves(history, err);
                return 0;
            } catch (TrainingDivergedException e) {
                close(bar);
                err.println("style4j train: " + e.getMessage());
                try {
                    e.lastGood().save(modelOut);
                    err.println("style4j train: the last good weights are in " + modelOut);
                } catch (ImageException saveFailed) {
                    err.println("style4j train: " + saveFailed.getMessage());
                }
                writeCurves(history, err);
                return 1;
            } catch (IOException | IllegalArgumentException e) {
                close(bar);
                err.println("style4j train: " + e.getMessage());
                return 1;
            }
        }

        private void writeCurves(List<StepReport> history, PrintWriter err) {
            if (history.isEmpty()) {
                return;
            }
            try {
                Pictures.lossCurves(history, StyliseCommand.withSuffix(modelOut, "_losses"));
            } catch (ImageException e) {
                err.println("style4j train: loss curves not written: " + e.getMessage());
            }
        }

        FastStyleTraining training() {
            if (Files.isDirectory(modelOut)) {
                throw new IllegalArgumentException("--model-out " + modelOut + " is a folder; name a file");
            }
            Path folder = OutputPaths.folderOf(modelOut);
            if (!Files.isDirectory(folder) || !Files.isWritable(folder)) {
                throw new IllegalArgumentException("the folder of --model-out, " + folder + ", does not exist or is not "
                        + "writable");
            }
            FastStyleTraining.Builder builder = FastStyleTraining.builder().setStyleImage(styleImage).setPhotos(images)
                    .optTransformer(transformer()).optIterations(iterations).optBatchSize(batch).optImageSize(imageSize)
                    .optStyleSize(styleSize).optLearningRate(learningRate).optSeed(seed)
                    .optCheckpoint(checkpointFile(), checkpointEvery).optResume(resume);
            if (weights != null) {
                builder.optWeights(WeightSource.of(weights));
            }
            if (model != null) {
                builder.optArchitecture(Architecture.parse(model));
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
            LossOptions.layerWeights(loss.contentLayers).forEach(builder::addContentLayer);
            LossOptions.layerWeights(loss.styleLayers).forEach(builder::addStyleLayer);
            return builder.build();
        }

        Path checkpointFile() {
            return modelOut.resolveSibling(modelOut.getFileName() + ".ckpt");
        }

        private TransformerNetwork transformer() {
            return switch (width.toLowerCase(Locale.ROOT)) {
                case "half" -> TransformerNetwork.half();
                case "full" -> TransformerNetwork.full();
                default -> {
                    try {
                        yield TransformerNetwork.of(Integer.parseInt(width), 5);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--width must be half, full or a number, got '" + width + "'");
                    }
                }
            };
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true, version = "style4j 0.1.0-SNAPSHOT", sortOptions = false,
            description = {"Stylises photos with a network trained by ./style4j train, in one pass each.", "",
                    "Example:", "  ./style4j apply --style-model painting.style4j -content_image photo.jpg -output_image out.png",
                    ""})
    static final class Apply implements Callable<Integer> {
        @Option(names = "--style-model", required = true, paramLabel = "FILE", description = "A model from ./style4j train.")
        Path styleModel;

        @Option(names = {"-content_image", "--content-image"}, required = true, split = ",", paramLabel = "FILE",
                description = "One or more photos, comma separated or repeated.")
        List<Path> contentImages;

        @Option(names = {"-output_image", "--output-image"}, paramLabel = "FILE",
                description = "Output for a single photo (default: out.png).")
        Path outputImage;

        @Option(names = "--output-dir", paramLabel = "DIR",
                description = "Folder for the outputs of several photos: NAME_stylised.png each.")
        Path outputDir;

        @Option(names = {"-image_size", "--image-size"}, defaultValue = "0", paramLabel = "PX",
                description = "Longest side of the outputs (default: the photo's own size).")
        int imageSize;

        @Option(names = {"-original_colors", "--original-colors"}, defaultValue = "0", paramLabel = "0|1",
                description = "1: keep the photo's colours, take only the luminance from the network.")
        int originalColors;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            List<Path> outputs;
            try {
                outputs = outputs();
            } catch (IllegalArgumentException e) {
                err.println("style4j apply: " + e.getMessage());
                return CommandLine.ExitCode.USAGE;
            }
            FastStyle style;
            try {
                style = FastStyle.load(styleModel);
            } catch (IOException e) {
                err.println("style4j apply: " + e.getMessage());
                return 1;
            }
            out.println(style);
            int failed = 0;
            ImageReader reader = ImageReader.defaults();
            for (int i = 0; i < contentImages.size(); i++) {
                Path input = contentImages.get(i);
                try {
                    RgbImage photo = reader.read(input);
                    if (imageSize > 0) {
                        photo = Resizing.fitToMaxSide(photo, imageSize);
                    }
                    long started = System.nanoTime();
                    RgbImage result = style.stylise(photo, originalColors == 1);
                    double seconds = (System.nanoTime() - started) / 1e9;
                    ImageWriter.defaults().write(result, outputs.get(i));
                    out.printf(Locale.ROOT, "%s -> %s (%d x %d, %.2f s)%n", input, outputs.get(i), result.width(),
                            result.height(), seconds);
                } catch (ImageException | IllegalArgumentException e) {
                    err.println("style4j apply: " + input + ": " + e.getMessage());
                    failed++;
                }
            }
            if (failed > 0) {
                err.println("style4j apply: " + failed + " of " + contentImages.size() + " photos failed");
                return 1;
            }
            return 0;
        }

        List<Path> outputs() {
            if (originalColors != 0 && originalColors != 1) {
                throw new IllegalArgumentException("-original_colors must be 0 or 1");
            }
            if (imageSize < 0 || imageSize > 0 && imageSize < FastStyle.MIN_SIDE) {
                throw new IllegalArgumentException("-image_size must be at least " + FastStyle.MIN_SIDE + " px");
            }
            List<Path> outputs = new ArrayList<>();
            if (contentImages.size() > 1 || outputDir != null) {
                if (outputImage != null && contentImages.size() > 1) {
                    throw new IllegalArgumentException("several photos need --output-dir, not -output_image");
                }
                Path folder = outputDir != null ? outputDir : Path.of(".");
                if (!Files.isDirectory(folder)) {
                    throw new IllegalArgumentException("--output-dir " + folder + " is not a folder");
                }
                for (Path input : contentImages) {
                    String name = input.getFileName().toString();
                    int dot = name.lastIndexOf('.');
                    outputs.add(folder.resolve((dot > 0 ? name.substring(0, dot) : name) + "_stylised.png"));
                }
            } else {
                outputs.add(outputImage != null ? outputImage : Path.of("out.png"));
            }
            java.util.Set<Path> inputs = new java.util.HashSet<>();
            contentImages.forEach(p -> inputs.add(OutputPaths.real(p)));
            for (Path output : outputs) {
                if (inputs.contains(OutputPaths.real(output))) {
                    throw new IllegalArgumentException("this would overwrite the input " + output
                            + "; choose another output");
                }
                if (!Files.isDirectory(OutputPaths.folderOf(output))) {
                    throw new IllegalArgumentException("the output folder " + OutputPaths.folderOf(output)
                            + " does not exist");
                }
            }
            return outputs;
        }
    }

    private static void close(ProgressBar bar) {
        if (bar != null) {
            bar.close();
        }
    }
}
