package io.github.style4j.examples.cli;

import io.github.style4j.samediff.batch.BatchInput;
import io.github.style4j.samediff.batch.BatchInputs;
import io.github.style4j.samediff.batch.BatchItem;
import io.github.style4j.samediff.batch.BatchListener;
import io.github.style4j.samediff.batch.BatchRecord;
import io.github.style4j.samediff.batch.BatchResult;
import io.github.style4j.samediff.batch.BatchRunner;
import io.github.style4j.samediff.batch.BatchStyle;
import io.github.style4j.samediff.batch.LocalBatchFiles;
import io.github.style4j.samediff.batch.Shard;
import io.github.style4j.samediff.batch.VideoOptions;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import io.github.style4j.samediff.transfer.StyleTransferProgress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./style4j batch}: many pictures, or a video's frames, with one set of settings;
 * resumable from its manifest, splittable into shards.
 */
@Command(name = "batch", mixinStandardHelpOptions = true, version = "style4j 0.1.0-SNAPSHOT", sortOptions = false,
        description = {"Stylises every input with every style into an output folder. Outputs are named "
                + "<input>_<style>.<format> (sub-folders kept); the folder's manifest (" + "style4j-batch.jsonl, one "
                + "JSON line per item) lets a rerun skip what is done, so a killed batch is simply run again.", "",
                "Examples:",
                "  ./style4j batch photos/ --style starry_night.jpg --style the_scream.jpg --output-dir out/ \\",
                "        --weights ../shared/models/squeezenet1.1",
                "  ./style4j batch 'shoot/**/*.jpg' --fast-model starry.style4j --output-dir out/ --shard 2/4",
                "  ./style4j batch frames/ --video --flow-dir flow/ --style starry_night.jpg --output-dir video/", ""})
public final class BatchCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "Image files, folders (every image below, in "
            + "name order), globs ('photos/*.jpg', quoted) or list files (.txt/.lst: one path per line).")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--output-dir", required = true, paramLabel = "DIR",
            description = "Where the outputs and the manifest go (created if missing).")
    String outputDir;

    @Option(names = {"--style", "-style_image", "--style-image"}, paramLabel = "FILE[,FILE...]",
            description = "A style: one image, or several comma separated to blend them as one style (as "
                    + "-style_image does in a single run). Repeat for more styles: every input gets each.")
    List<String> styles = new ArrayList<>();

    @Option(names = "--fast-model", paramLabel = "FILE",
            description = "A fast-style model from ./style4j train, as one more style (one pass per picture; -image_size "
                    + "and -original_colors apply). Repeatable.")
    List<Path> fastModels = new ArrayList<>();

    @Option(names = "--format", paramLabel = "png|jpg|tif", defaultValue = "png",
            description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--shard", paramLabel = "I/N", description = "Do part I of N (1-based): each machine of N given "
            + "the same inputs and its own I does its items, none twice, without talking to the others.")
    String shard;

    @Option(names = "--retry-failed", description = "Redo items that failed in an earlier run (default: skip them).")
    boolean retryFailed;

    @Option(names = "--overwrite", description = "Redo items the output folder holds made with other settings "
            + "(default: refuse, so that a changed flag does not silently mix two kinds of result).")
    boolean overwrite;

    @Option(names = "--video", description = "The inputs are a video's frames, in name order (frame_00001.png, ...), "
            + "or one video file (.mp4, .mov, .mkv, .avi, .webm, ...; read with FFmpeg, its frames kept in "
            + "DIR/source-frames): each frame starts from the previous frame's result, so that the style holds still "
            + "on moving things.")
    boolean video;

    @Option(names = "--flow-dir", paramLabel = "DIR", description = "With --video: Middlebury .flo files, "
            + "backward_<frame>.flo (from each frame to the one before; forward_<frame>.flo optional, for the "
            + "disocclusion check): the previous result is warped along the flow and a temporal loss keeps the "
            + "frame close to it where the flow is reliable (Ruder et al. 2016).")
    Path flowDir;

    @Option(names = "--temporal-weight", paramLabel = "W", defaultValue = "1e3",
            description = "With --flow-dir: weight of the temporal loss, on neural-style's scale as artistic-videos' "
                    + "-temporal_weight (default: ${DEFAULT-VALUE}).")
    double temporalWeight;

    @Option(names = "--frame-iterations", paramLabel = "N", defaultValue = "0",
            description = "With --video: iterations for every frame after the first, which starts close to its result "
                    + "(default: -num_iterations).")
    int frameIterations;

    @Option(names = "--video-out", paramLabel = "FILE", description = "With --video: also write the stylised frames "
            + "as a video (.mp4, .mkv, .avi or .mov; MPEG-4, FFmpeg); with several styles, one FILE_<style> each.")
    Path videoOut;

    @Option(names = "--fps", paramLabel = "RATE", description = "With --video-out: frames per second (default: the "
            + "input video's, else 25).")
    Double fps;

    @Option(names = "--no-progress", description = "No progress bar (for logs).")
    boolean noProgress;

    /** The frame rate of a video input, once its frames are extracted. */
    private Double sourceFrameRate;

    @picocli.CommandLine.Mixin
    TransferOptions settings = new TransferOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BatchRunner runner;
        List<BatchInput> listed;
        StyleTransferConfig config;
        try {
            settings.checkBackendFlags();
            config = config();
            runner = runner(config);
            listed = inputs();
        } catch (IOException e) {
            err.println("style4j batch: " + e.getMessage());
            return 1;
        } catch (TransferOptions.WeightsProblem e) {
            err.println("style4j batch: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("style4j batch: " + e.getMessage());
            err.println("Run ./style4j batch --help for the options.");
            return CommandLine.ExitCode.USAGE;
        }
        if (!settings.startBackend(err, "style4j batch") || !settings.describeWeights(out, err, "style4j batch")) {
            return 1;
        }
        out.println(runner);
        out.flush();
        Progress progress = new Progress(out, config);
        long start = System.nanoTime();
        BatchResult result;
        try {
            result = runner.run(listed, progress);
        } catch (IllegalStateException | IOException e) {
            err.println("style4j batch: " + e.getMessage());
            return 1;
        } finally {
            progress.close();
        }
        report(result, (System.nanoTime() - start) / 1e9, out, err);
        boolean encoded = videoOut == null || encodeVideos(runner, listed, out, err);
        return result.succeeded() && encoded ? 0 : 1;
    }

    /** Each style's frames, those with a result, into --video-out (per style when several). */
    private boolean encodeVideos(BatchRunner runner, List<BatchInput> frames, PrintWriter out, PrintWriter err) {
        Path folder = Path.of(outputDir);
        List<BatchItem> items = runner.items(frames);
        List<String> styleNames = items.stream().map(item -> item.style().name()).distinct().toList();
        double rate = fps != null ? fps : sourceFrameRate != null && sourceFrameRate > 0 ? sourceFrameRate : 25;
        boolean ok = true;
        for (String style : styleNames) {
            List<Path> done = items.stream().filter(item -> item.style().name().equals(style))
                    .map(item -> folder.resolve(item.output())).filter(Files::isRegularFile).toList();
            Path target = styleNames.size() == 1 ? videoOut : StyliseCommand.withSuffix(videoOut, "_" + style);
            try {
                VideoFiles.encode(done, rate, target);
                out.printf(Locale.ROOT, "Wrote %s (%d frames at %.3g fps)%n", target, done.size(), rate);
            } catch (IOException e) {
                err.println("style4j batch: the video " + target + " was not written: " + e.getMessage());
                ok = false;
            }
        }
        return ok;
    }

    /**
     * The flags of {@code ./style4j batch}, parsed: for a job that runs the same batch elsewhere
     * (style-spark), which then builds its settings with {@link #config()} and {@link #runnerBuilder}.
     *
     * @throws CommandLine.ParameterException a usage error
     */
    public static BatchCommand parse(String... args) {
        BatchCommand command = new BatchCommand();
        commandLine(command).parseArgs(args);
        return command;
    }

    /** The INPUT arguments as given (files, folders, globs, list files). */
    public List<String> inputArguments() {
        return List.copyOf(inputs);
    }

    /** The --output-dir argument as given (a path, or a Hadoop URI for a cluster job). */
    public String outputDir() {
        return outputDir;
    }

    /** The run's settings: the flags, with placeholder content and style (each item sets its own). */
    public StyleTransferConfig config() {
        if (styles.isEmpty() && fastModels.isEmpty()) {
            throw new IllegalArgumentException("no style: give --style FILE (repeatable) and/or --fast-model FILE");
        }
        StyleTransferConfig.Builder builder = settings.builder(Path.of("<input>"));
        for (Path style : styleFiles().get(0)) {
            builder.addStyleImage(style);
        }
        return builder.build();
    }

    /** Each --style as its files (a placeholder style when there are only fast models). */
    private List<List<Path>> styleFiles() {
        List<List<Path>> all = new ArrayList<>();
        for (String style : styles) {
            List<Path> files = new ArrayList<>();
            for (String part : style.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                Path file = Path.of(part.trim());
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("no such style image: " + part.trim() + " (check the path)");
                }
                files.add(file);
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException("--style '" + style + "' names no file");
            }
            all.add(files);
        }
        if (all.isEmpty()) {
            all.add(List.of(Path.of("<none>")));
        }
        return all;
    }

    private List<BatchInput> inputs() throws IOException {
        if (video && inputs.size() == 1 && VideoFiles.isVideo(Path.of(inputs.get(0)))) {
            // A video file: its frames become the inputs, kept beside the results so that a rerun
            // finds them (and extracts only what is missing).
            Path frames = Path.of(outputDir).resolve("source-frames");
            VideoFiles.Extracted extracted = VideoFiles.extractFrames(Path.of(inputs.get(0)), frames);
            sourceFrameRate = extracted.frameRate();
            spec.commandLine().getOut().printf(Locale.ROOT, "%s: %d frames of %dx%d at %.3g fps, in %s%n",
                    inputs.get(0), extracted.frames(), extracted.width(), extracted.height(), extracted.frameRate(),
                    frames);
            return BatchInputs.expand(List.of(frames.toString()));
        }
        List<BatchInput> listed = BatchInputs.expand(inputs);
        // Outputs written inside an input folder must not become inputs of the next run.
        Path out = OutputPaths.real(Path.of(outputDir));
        List<BatchInput> kept = listed.stream().filter(input -> !OutputPaths.real(Path.of(input.location()))
                .startsWith(out)).toList();
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("every input is inside --output-dir " + outputDir + "; choose another "
                    + "output folder");
        }
        return kept;
    }

    private BatchRunner runner(StyleTransferConfig config) {
        return runnerBuilder(config).setFiles(new LocalBatchFiles(Path.of(outputDir))).build();
    }

    /**
     * A runner for these flags and {@code config}, without its files (the caller sets them).
     *
     * @throws IllegalArgumentException a bad flag, with its name
     */
    public BatchRunner.Builder runnerBuilder(StyleTransferConfig config) {
        if (!video && (flowDir != null || frameIterations != 0 || videoOut != null || fps != null)) {
            throw new IllegalArgumentException("--flow-dir, --frame-iterations, --video-out and --fps are for --video");
        }
        if (fps != null && !(fps > 0 && fps <= 1000)) {
            throw new IllegalArgumentException("--fps must be in (0, 1000], got " + fps);
        }
        if (flowDir != null && !Files.isDirectory(flowDir)) {
            throw new IllegalArgumentException("--flow-dir " + flowDir + " is not a folder");
        }
        BatchRunner.Builder builder = BatchRunner.builder().setConfig(config).optFormat(format)
                .optRetryFailed(retryFailed).optOverwrite(overwrite);
        if (!styles.isEmpty()) {
            styleFiles().forEach(files -> builder.addStyle(BatchStyle.images(files)));
        }
        for (Path model : fastModels) {
            if (!Files.isRegularFile(model)) {
                throw new IllegalArgumentException("no such fast-style model: " + model + " (check the path)");
            }
            builder.addStyle(BatchStyle.model(model));
        }
        if (shard != null) {
            builder.optShard(Shard.parse(shard));
        }
        if (video) {
            builder.optVideo(new VideoOptions(flowDir, temporalWeight, frameIterations));
        }
        return builder;
    }

    /** The settings of --weights and the backend flags, checked: see {@link TransferOptions}. */
    public boolean startBackend(PrintWriter err, String command) {
        settings.checkBackendFlags();
        return settings.startBackend(err, command);
    }

    /** The overall progress bar (iterations of every item, with an ETA) and a line per finished item. */
    private final class Progress implements BatchListener {
        private final PrintWriter out;
        private final StyleTransferConfig config;
        private ProgressBar bar;
        private int items;
        private long doneBefore;
        private String current = "";

        Progress(PrintWriter out, StyleTransferConfig config) {
            this.out = out;
            this.config = config;
        }

        private long work(BatchItem item) {
            return item.style() instanceof BatchStyle.Model ? 1 : config.totalIterations();
        }

        @Override
        public void planned(List<BatchItem> todo, int alreadyDone, int failedBefore) {
            items = todo.size();
            out.printf(Locale.ROOT, "%d item(s) to do; %d already done%s%n", todo.size(), alreadyDone,
                    failedBefore > 0 ? ", " + failedBefore + " failed before (--retry-failed redoes them)" : "");
            out.flush();
            if (!noProgress && !todo.isEmpty()) {
                bar = new ProgressBarBuilder().setTaskName("batch").setInitialMax(todo.stream().mapToLong(this::work)
                        .sum()).setStyle(ProgressBarStyle.ASCII).setConsumer(
                        new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).showSpeed().build();
            }
        }

        @Override
        public void started(BatchItem item, int index) {
            current = String.format(Locale.ROOT, " item %d/%d %s", index + 1, items, item.output());
            if (bar != null) {
                bar.setExtraMessage(current);
            }
        }

        @Override
        public void progressed(BatchItem item, StyleTransferProgress progress) {
            if (bar != null) {
                bar.stepTo(doneBefore + progress.iterationsDone());
            }
        }

        @Override
        public void finished(BatchItem item, BatchRecord record) {
            doneBefore += work(item);
            if (bar != null) {
                bar.stepTo(doneBefore);
            }
            String line = record.done()
                    ? String.format(Locale.ROOT, "done   %s (%.1f s)%s", record.output(), record.seconds(),
                    record.note() == null ? "" : "; note: " + record.note())
                    : String.format(Locale.ROOT, "FAILED %s: %s", record.output(), record.error());
            out.println(line);
            out.flush();
        }

        void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }

    private void report(BatchResult result, double seconds, PrintWriter out, PrintWriter err) {
        List<BatchRecord> done = result.done();
        if (!done.isEmpty()) {
            double rest = done.stream().skip(1).mapToDouble(BatchRecord::seconds).average().orElse(Double.NaN);
            out.printf(Locale.ROOT, "Done %d item(s) in %.1f s: the first %.1f s (with loading the weights and style "
                            + "targets)%s%n", done.size(), seconds, done.get(0).seconds(),
                    done.size() > 1 ? String.format(Locale.ROOT, ", the others %.1f s each on average", rest) : "");
        }
        if (result.alreadyDone() > 0 || result.otherShards() > 0) {
            out.printf(Locale.ROOT, "Skipped %d already done; %d belong to other shards%n", result.alreadyDone(),
                    result.otherShards());
        }
        result.flicker().forEach((style, figure) -> out.println("Flicker (" + style + "): " + figure));
        if (!result.failed().isEmpty()) {
            err.println("style4j batch: " + result.failed().size() + " item(s) failed (the others are done):");
            result.failed().forEach(record -> err.println("  " + record.input() + ": " + record.error()));
            err.println("Fix them and rerun with --retry-failed; done items are not redone.");
        }
        out.println("Manifest: " + Path.of(outputDir).resolve(io.github.style4j.samediff.batch.BatchFiles.MANIFEST));
    }

    /** The command line as {@code ./style4j batch} runs it (one-line usage errors). */
    public static CommandLine commandLine(BatchCommand command) {
        return FastStyleCommand.commandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
