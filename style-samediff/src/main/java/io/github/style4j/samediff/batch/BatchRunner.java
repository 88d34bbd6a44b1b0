package io.github.style4j.samediff.batch;

import io.github.style4j.core.image.ImageException;
import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.Resizing;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.tensor.ImageTensors;
import io.github.style4j.core.video.Flicker;
import io.github.style4j.core.video.OpticalFlow;
import io.github.style4j.samediff.fast.FastStyle;
import io.github.style4j.samediff.loss.Losses;
import io.github.style4j.samediff.loss.TemporalLoss;
import io.github.style4j.samediff.transfer.StyleTransfer;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import io.github.style4j.samediff.transfer.TransferCache;
import io.github.style4j.samediff.weights.WeightLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs a batch: every item this shard owns that the manifest does not have done with the same
 * settings, one after another, sharing the network and style targets ({@link TransferCache}) and
 * each fast-style model across items. An item that fails is recorded with its error and the
 * batch goes on; each output is written whole before its manifest line, so a batch killed at any
 * moment and run again redoes at most the item that was in progress.
 *
 * <pre>{@code
 * BatchRunner runner = BatchRunner.builder().setConfig(config)
 *         .addStyle(BatchStyle.images(List.of(Path.of("starry.jpg"))))
 *         .setFiles(new LocalBatchFiles(Path.of("out"))).build();
 * BatchResult result = runner.run(BatchInputs.expand(List.of("photos/")), new BatchListener() { });
 * }</pre>
 */
public final class BatchRunner {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BatchRunner.class);
    /** Placeholder content path in the settings hash: the settings, not the input, are hashed. */
    private static final Path ANY_INPUT = Path.of("<input>");

    private final StyleTransferConfig config;
    private final List<BatchStyle> styles;
    private final BatchFiles files;
    private final String format;
    private final Shard shard;
    private final boolean retryFailed;
    private final boolean overwrite;
    private final VideoOptions video;
    private final TransferCache cache = new TransferCache();
    private final Map<Path, FastStyle> models = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<BatchStyle> checkedStyles = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Map<BatchStyle, String> settingsHashes = new java.util.concurrent.ConcurrentHashMap<>();

    private BatchRunner(Builder builder) {
        this.config = builder.config;
        this.styles = List.copyOf(builder.styles);
        this.files = builder.files;
        this.format = builder.format;
        this.shard = builder.shard;
        this.retryFailed = builder.retryFailed;
        this.overwrite = builder.overwrite;
        this.video = builder.video;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The items the inputs make with this runner's styles and format, in order. */
    public List<BatchItem> items(List<BatchInput> inputs) {
        return BatchPlan.items(inputs, styles, format);
    }

    /**
     * Runs the batch.
     *
     * @throws IllegalStateException the manifest has these items done with other settings (and
     *                               overwriting was not asked for), or a style cannot be used
     * @throws IOException           the manifest cannot be read or written
     * @throws WeightLoadException   the network's weights cannot be loaded
     */
    public BatchResult run(List<BatchInput> inputs, BatchListener listener) throws IOException, WeightLoadException {
        Plan plan = plan(inputs);
        listener.planned(plan.todo(), plan.alreadyDone(), plan.failedBefore());
        checkStyles(plan.todo());
        List<BatchRecord> done = new ArrayList<>();
        List<BatchRecord> failed = new ArrayList<>();
        VideoState state = new VideoState();
        for (int i = 0; i < plan.todo().size(); i++) {
            BatchItem item = plan.todo().get(i);
            listener.started(item, i);
            BatchRecord record = runItem(item, settingsHash(item.style()), listener, state, plan.all());
            files.appendManifest(List.of(record.toJson()));
            (record.done() ? done : failed).add(record);
            listener.finished(item, record);
        }
        Map<String, BatchResult.VideoFlicker> flicker = video == null ? Map.of() : flicker(plan.all());
        return new BatchResult(done, failed, plan.alreadyDone(), plan.failedBefore(), plan.otherShards(), flicker);
    }

    /**
     * What a run would do, from the manifest: every item, those to do (this shard's, not done
     * with these settings), and the counts of the others.
     *
     * @param all          every item of the inputs, in order
     * @param todo         this shard's items to run
     * @param alreadyDone  done with these settings, output present
     * @param failedBefore failed with these settings (not retried unless asked)
     * @param otherShards  items of other shards
     */
    public record Plan(List<BatchItem> all, List<BatchItem> todo, int alreadyDone, int failedBefore, int otherShards) {
    }

    /**
     * Plans a run.
     *
     * @throws IllegalStateException the manifest has these items made with other settings and
     *                               overwriting was not asked for
     */
    public Plan plan(List<BatchInput> inputs) throws IOException {
        List<BatchItem> all = items(inputs);
        List<BatchItem> mine = all.stream().filter(shard::contains).toList();
        BatchRecord.Manifest manifest = BatchRecord.parse(files.readManifest());
        if (manifest.unreadableLines() > 0) {
            log.warn("{} line(s) of the manifest could not be read (cut short by a crash?); their items are redone",
                    manifest.unreadableLines());
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (BatchItem item : mine) {
            settings.put(item.output(), settingsHash(item.style()));
        }
        List<BatchRecord> conflicting = BatchRecord.otherSettings(manifest, settings);
        if (!conflicting.isEmpty() && !overwrite) {
            BatchRecord first = conflicting.get(0);
            throw new IllegalStateException("the output folder's manifest has " + conflicting.size() + " of these "
                    + "items made with other settings (e.g. " + first.output() + "); rerun with the same settings to "
                    + "resume, choose another output folder, or allow overwriting them (--overwrite on the command line)");
        }
        List<BatchItem> todo = new ArrayList<>();
        int alreadyDone = 0;
        int failedBefore = 0;
        for (BatchItem item : mine) {
            BatchRecord record = manifest.latest().get(item.output());
            boolean same = record != null && record.settings().equals(settings.get(item.output()));
            if (same && record.done() && files.exists(item.output())) {
                alreadyDone++;
            } else if (same && !record.done() && !retryFailed) {
                failedBefore++;
            } else {
                todo.add(item);
            }
        }
        return new Plan(all, todo, alreadyDone, failedBefore, all.size() - mine.size());
    }

    /**
     * Runs one item of a plan (not a video's: frames depend on each other) and appends its
     * record to the manifest: for a cluster job, where items are spread over executors. Safe to
     * call from several threads; they share the network and style targets.
     *
     * @throws WeightLoadException the network's weights cannot be loaded
     */
    public BatchRecord runOne(BatchItem item, BatchListener listener) throws IOException, WeightLoadException {
        if (video != null) {
            throw new IllegalStateException("a video's frames run in order: use run()");
        }
        checkStyles(List.of(item));
        listener.started(item, 0);
        BatchRecord record = runItem(item, settingsHash(item.style()), listener, new VideoState(), List.of(item));
        files.appendManifest(List.of(record.toJson()));
        listener.finished(item, record);
        return record;
    }

    /** The style images and models, checked before any work: a bad style would fail every item it paints. */
    private void checkStyles(List<BatchItem> todo) {
        for (BatchStyle style : todo.stream().map(BatchItem::style).distinct().toList()) {
            if (!checkedStyles.add(style)) {
                continue;
            }
            try {
                if (style instanceof BatchStyle.Images images) {
                    for (Path image : images.images()) {
                        ImageReader.defaults().read(image);
                    }
                } else if (style instanceof BatchStyle.Model model) {
                    model(model.model());
                }
            } catch (IOException | RuntimeException e) {
                checkedStyles.remove(style);
                throw new IllegalStateException("the style " + style.name() + " cannot be used: " + e.getMessage(), e);
            }
        }
    }

    private synchronized FastStyle model(Path file) throws IOException {
        FastStyle model = models.get(file);
        if (model == null) {
            model = FastStyle.load(file);
            models.put(file, model);
        }
        return model;
    }

    /** The last frame's result per style, for the next frame of a video. */
    private static final class VideoState {
        final Map<String, Frame> last = new LinkedHashMap<>();
    }

    private record Frame(BatchItem item, RgbImage output) {
    }

    private BatchRecord runItem(BatchItem item, String settings, BatchListener listener, VideoState state,
                                List<BatchItem> all) throws WeightLoadException {
        long start = System.nanoTime();
        String note = null;
        try {
            Path name = Path.of(Path.of(item.input().location()).getFileName().toString());
            RgbImage content = ImageReader.defaults().read(files.readInput(item.input().location()), name);
            RgbImage result;
            if (item.style() instanceof BatchStyle.Model model) {
                RgbImage sized = Resizing.fitToMaxSide(content, config.imageSize());
                result = model(model.model()).stylise(sized, config.colourPreservation()
                        == StyleTransferConfig.ColourPreservation.LUMINANCE);
            } else {
                StyleTransferConfig itemConfig = itemConfig(item, (BatchStyle.Images) item.style(),
                        video != null && predecessor(item, all) != null);
                StyleTransfer transfer = new StyleTransfer(itemConfig).useCache(cache).optContent(content)
                        .addListener(progress -> listener.progressed(item, progress));
                if (video != null) {
                    note = continueVideo(transfer, item, content, state, all);
                }
                result = transfer.run().image();
            }
            byte[] encoded = ImageWriter.defaults().encode(result, Path.of(item.output()));
            files.writeOutput(item.output(), encoded);
            if (video != null) {
                // The next frame starts from the picture as saved (8-bit), as it does when a rerun
                // reads it back: a resumed video continues exactly as an uninterrupted one.
                state.last.put(item.style().name(), new Frame(item, ImageReader.defaults().read(encoded,
                        Path.of(item.output()))));
            }
            return record(item, settings, BatchRecord.DONE, start, null, note);
        } catch (WeightLoadException | io.github.style4j.core.backend.BackendUnavailableException e) {
            throw e; // every item needs the weights and ND4J: nothing else can be done
        } catch (ImageException e) {
            return record(item, settings, BatchRecord.FAILED, start, e.getMessage(), note);
        } catch (IOException | RuntimeException e) {
            log.debug("Item {} failed", item, e);
            String why = e instanceof IllegalArgumentException ? e.getMessage()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
            return record(item, settings, BatchRecord.FAILED, start, why, note);
        }
    }

    private BatchRecord record(BatchItem item, String settings, String status, long start, String error, String note) {
        return new BatchRecord(item.input().location(), item.style().name(), item.output(), settings, status,
                (System.nanoTime() - start) / 1e9, error, note);
    }

    private StyleTransferConfig itemConfig(BatchItem item, BatchStyle.Images style, boolean later) {
        StyleTransferConfig.Builder builder = config.toBuilder()
                .setContentImage(item == null ? ANY_INPUT : Path.of(item.input().location()))
                .setStyleImages(style.images());
        if (later && video != null && video.frameIterations() > 0) {
            builder.optIterations(video.frameIterations());
        }
        return builder.build();
    }

    /**
     * Sets up a frame after the first: start from the previous frame's result, warped along the
     * flow into this frame, with the temporal loss where the flow is trusted. Returns a note
     * for the manifest when something expected was missing.
     */
    private String continueVideo(StyleTransfer transfer, BatchItem item, RgbImage content, VideoState state,
                                 List<BatchItem> all) throws IOException {
        Frame previous = state.last.get(item.style().name());
        BatchItem before = predecessor(item, all);
        if (before == null) {
            return null; // the first frame: the configured start
        }
        boolean adjacent = true;
        if (previous == null || !previous.item().equals(before)) {
            if (files.exists(before.output())) {
                // resumed: the previous frame was done in an earlier run, and its picture is saved
                previous = new Frame(before, ImageReader.defaults().read(files.readOutput(before.output()),
                        Path.of(before.output())));
            } else if (previous == null) {
                return "the previous frame " + before.input().location() + " has no result; started afresh";
            } else {
                adjacent = false; // the previous frame failed: continue from the last good one
            }
        }
        int[] size = Resizing.fittedSize(content.width(), content.height(), config.imageSize());
        if (previous.output().width() != size[0] || previous.output().height() != size[1]) {
            throw new IllegalArgumentException("this frame is " + content.width() + "x" + content.height()
                    + " px, a different shape from the frame before it (" + before.input().location() + ", stylised at "
                    + previous.output().width() + "x" + previous.output().height() + "); every frame of a video must "
                    + "have the same size");
        }
        RgbImage prior = previous.output().withoutAlpha();
        if (!adjacent) {
            transfer.optStart(prior);
            return "the previous frame " + before.input().location() + " has no result: started from "
                    + previous.item().input().location() + "'s result unwarped, without the temporal loss";
        }
        String stem = BatchInputs.stemOf(
                Path.of(item.input().location()).getFileName().toString());
        Path backward = video.backwardFlow(stem);
        if (backward == null || !java.nio.file.Files.exists(backward)) {
            transfer.optStart(prior);
            return backward == null ? null : "no optical flow " + backward + ": started from the previous frame's "
                    + "result unwarped, without the temporal loss";
        }
        OpticalFlow flow;
        OpticalFlow forward;
        try {
            flow = OpticalFlow.read(backward).resized(size[0], size[1]);
            Path forwardFile = video.forwardFlow(stem);
            forward = java.nio.file.Files.exists(forwardFile)
                    ? OpticalFlow.read(forwardFile).resized(size[0], size[1]) : null;
        } catch (ImageException e) {
            transfer.optStart(prior);
            return e.getMessage() + ": started from the previous frame's result unwarped, without the temporal loss";
        }
        RgbImage warped = flow.warp(prior);
        float[] reliable = flow.reliability(forward);
        transfer.optStart(warped);
        if (video.temporalWeight() > 0) {
            RgbImage mask = RgbImage.of(size[0], size[1], triple(reliable), null);
            // neural-style's 0-255 scale, as the other weights
            double weight = video.temporalWeight() * 255 * 255;
            transfer.addTerm((width, height) -> {
                INDArray target = ImageTensors.toTensor(Resizing.resize(warped, width, height));
                INDArray weights = ImageTensors.toTensor(Resizing.resize(mask, width, height))
                        .get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1),
                                org.nd4j.linalg.indexing.NDArrayIndex.all(),
                                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
                return Losses.weighted("temporal", weight, TemporalLoss.of("temporal_raw", target, weights));
            });
        }
        return null;
    }

    private static float[] triple(float[] plane) {
        float[] rgb = new float[3 * plane.length];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(plane, 0, rgb, c * plane.length, plane.length);
        }
        return rgb;
    }

    /** The frame before {@code item} with the same style, in input order; null for the first. */
    private static BatchItem predecessor(BatchItem item, List<BatchItem> all) {
        BatchItem previous = null;
        for (BatchItem other : all) {
            if (!other.style().equals(item.style())) {
                continue;
            }
            if (other.equals(item)) {
                return previous;
            }
            previous = other;
        }
        return null;
    }

    /** Per style, the flicker of every frame that has a result. */
    private Map<String, BatchResult.VideoFlicker> flicker(List<BatchItem> all) throws IOException {
        Map<String, BatchResult.VideoFlicker> figures = new LinkedHashMap<>();
        for (BatchStyle style : styles) {
            List<RgbImage> outputs = new ArrayList<>();
            List<RgbImage> inputs = new ArrayList<>();
            List<OpticalFlow> flows = new ArrayList<>();
            BatchItem last = null;
            for (BatchItem item : all) {
                if (!item.style().equals(style) || !files.exists(item.output())) {
                    continue;
                }
                try {
                    RgbImage output = ImageReader.defaults().read(files.readOutput(item.output()),
                            Path.of(item.output()));
                    RgbImage input = ImageReader.defaults().read(files.readInput(item.input().location()),
                            Path.of(item.input().location()));
                    if (!outputs.isEmpty() && (output.width() != outputs.get(0).width()
                            || output.height() != outputs.get(0).height())) {
                        continue; // a frame of another size is not part of the clip
                    }
                    Path backward = video.backwardFlow(BatchInputs.stemOf(Path.of(item.input().location())
                            .getFileName().toString()));
                    // a flow leads to the frame just before: only when that frame is the last one counted
                    boolean adjacent = last != null && last.equals(predecessor(item, all));
                    OpticalFlow flow = null;
                    if (adjacent && backward != null && java.nio.file.Files.exists(backward)) {
                        try {
                            flow = OpticalFlow.read(backward);
                        } catch (ImageException unusable) {
                            flow = null; // reported in the frame's note
                        }
                    }
                    flows.add(flow);
                    outputs.add(output.withoutAlpha());
                    inputs.add(Resizing.resize(input.withoutAlpha(), output.width(), output.height()));
                    last = item;
                } catch (ImageException unreadable) {
                    log.debug("{} left out of the flicker figures: {}", item, unreadable.getMessage());
                }
            }
            if (outputs.size() >= 2) {
                figures.put(style.name(), new BatchResult.VideoFlicker(outputs.size(),
                        Flicker.meanAbsoluteChange(outputs), Flicker.meanAbsoluteChange(inputs),
                        Flicker.warpedChange(outputs, flows)));
            }
        }
        return figures;
    }

    /** Hash of every setting that shapes an item's output with {@code style} (not which input). */
    String settingsHash(BatchStyle style) throws IOException {
        String known = settingsHashes.get(style);
        if (known == null) {
            known = computeSettingsHash(style);
            settingsHashes.put(style, known);
        }
        return known;
    }

    private String computeSettingsHash(BatchStyle style) throws IOException {
        String text;
        if (style instanceof BatchStyle.Images images) {
            text = itemConfig(null, images, false).resultSettings() + (video == null ? "" : "\n" + video.settings());
        } else {
            Path model = ((BatchStyle.Model) style).model();
            text = "fast model sha256=" + sha256(java.nio.file.Files.readAllBytes(model)) + " imageSize="
                    + config.imageSize() + " colour=" + config.colourPreservation();
        }
        return sha256((text + "\nformat=" + format).getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cache the items share (for reports and tests). */
    public TransferCache cache() {
        return cache;
    }

    @Override
    public String toString() {
        return "BatchRunner[" + styles.stream().map(BatchStyle::name).toList() + " -> " + files + ", " + format
                + ", shard " + shard + (video != null ? ", " + video.settings() : "")
                + (retryFailed ? ", retrying failures" : "") + (overwrite ? ", overwriting other settings" : "") + "]";
    }

    /** Builder: {@code setConfig}, at least one {@code addStyle} and {@code setFiles} are required. */
    public static final class Builder {
        private StyleTransferConfig config;
        private final List<BatchStyle> styles = new ArrayList<>();
        private BatchFiles files;
        private String format = "png";
        private Shard shard = Shard.ALL;
        private boolean retryFailed;
        private boolean overwrite;
        private VideoOptions video;

        private Builder() {
        }

        /** Every setting of a single run; its content and style images are replaced per item. */
        public Builder setConfig(StyleTransferConfig config) {
            this.config = config;
            return this;
        }

        public Builder addStyle(BatchStyle style) {
            styles.add(Objects.requireNonNull(style, "style"));
            return this;
        }

        public Builder setFiles(BatchFiles files) {
            this.files = files;
            return this;
        }

        /** png (default), jpg or tif. */
        public Builder optFormat(String format) {
            this.format = format;
            return this;
        }

        public Builder optShard(Shard shard) {
            this.shard = Objects.requireNonNull(shard, "shard");
            return this;
        }

        /** Redo items whose latest record is a failure (default: skip them, as done ones are). */
        public Builder optRetryFailed(boolean retryFailed) {
            this.retryFailed = retryFailed;
            return this;
        }

        /** Redo items the manifest has made with other settings (default: refuse to start). */
        public Builder optOverwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return this;
        }

        /** Treat the inputs as the frames of a video, in name order (see {@link VideoOptions}). */
        public Builder optVideo(VideoOptions video) {
            this.video = video;
            return this;
        }

        public BatchRunner build() {
            if (config == null) {
                throw new IllegalArgumentException("no settings: call setConfig(config)");
            }
            if (styles.isEmpty()) {
                throw new IllegalArgumentException("no style: call addStyle(style) at least once");
            }
            if (files == null) {
                throw new IllegalArgumentException("no output: call setFiles(new LocalBatchFiles(folder))");
            }
            BatchPlan.items(List.of(), styles, format); // checks the format
            if (video != null && shard.count() > 1) {
                throw new IllegalArgumentException("a video's frames follow one another; it cannot be split into "
                        + "shards");
            }
            if (video != null && styles.stream().anyMatch(style -> style instanceof BatchStyle.Model)) {
                throw new IllegalArgumentException("video mode optimises each frame from the previous one; a fast-style "
                        + "model has no such mode (run it as a plain batch)");
            }
            if (styles.stream().map(BatchStyle::name).distinct().count() < styles.size()) {
                throw new IllegalArgumentException("two styles have the same name " + styles.stream()
                        .map(BatchStyle::name).toList() + "; their outputs would collide: rename one file");
            }
            return new BatchRunner(this);
        }
    }
}
