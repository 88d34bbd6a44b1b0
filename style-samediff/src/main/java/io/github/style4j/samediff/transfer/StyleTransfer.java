package io.github.style4j.samediff.transfer;

import io.github.style4j.core.colour.ColourTransfer;
import io.github.style4j.core.image.ImageException;
import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.Resizing;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.optim.Adam;
import io.github.style4j.core.optim.Checkpoints;
import io.github.style4j.core.optim.OptimizerState;
import io.github.style4j.core.optim.Evaluation;
import io.github.style4j.core.optim.Lbfgs;
import io.github.style4j.core.optim.OptimizationListener;
import io.github.style4j.core.optim.StopReason;
import io.github.style4j.core.optim.OptimizationResult;
import io.github.style4j.core.optim.Optimizer;
import io.github.style4j.core.optim.StepReport;
import io.github.style4j.core.tensor.ImageTensors;
import io.github.style4j.samediff.loss.ContentLoss;
import io.github.style4j.samediff.loss.GuidedStyleLoss;
import io.github.style4j.samediff.loss.Losses;
import io.github.style4j.samediff.loss.PerceptualLoss;
import io.github.style4j.samediff.loss.StyleLoss;
import io.github.style4j.samediff.loss.StyleTargets;
import io.github.style4j.samediff.loss.TotalVariationLoss;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.network.NetworkWeights;
import io.github.style4j.samediff.network.TileLayout;
import io.github.style4j.samediff.network.TiledPass;
import io.github.style4j.samediff.weights.WeightLoadException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Gatys et al. style transfer, end to end: read the images, build the feature graph around
 * one trainable image, add content, style and total-variation losses, minimise with L-BFGS
 * or Adam, optionally coarse to fine, and return the picture.
 *
 * <pre>{@code
 * StyleTransferConfig config = StyleTransferConfig.builder()
 *         .setContentImage(Path.of("photo.png")).addStyleImage(Path.of("painting.jpg"))
 *         .optIterations(300).optImageSize(256).build();
 * StyleTransferResult result = new StyleTransfer(config).addListener(p -> log(p.step())).run();
 * ImageWriter.defaults().write(result.image(), Path.of("out.png"));
 * }</pre>
 *
 * <p>One instance runs one transfer at a time; separate instances share nothing mutable and
 * may run on separate threads.
 */
public final class StyleTransfer {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StyleTransfer.class);
    private static final String CONTENT = "content";
    private static final String STYLE = "style";
    private static final String TV = "tv";
    private static final String TOTAL = "total";

    private final StyleTransferConfig config;
    private final List<StyleTransferListener> listeners = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean stopRequested = new java.util.concurrent.atomic.AtomicBoolean();
    /** Wraps each scale's objective; tests use it to inject numerical faults. */
    private java.util.function.UnaryOperator<io.github.style4j.core.optim.Objective> objectiveDecorator =
            java.util.function.UnaryOperator.identity();

    /** Shared with other transfers of a batch; null: this run loads and computes everything itself. */
    private TransferCache cache;
    private RgbImage content;
    private RgbImage start;
    private final List<ExtraTerm> extraTerms = new ArrayList<>();
    /** Returns dead arrays' native memory between evaluations (ND4J M2.1 frees it only on collection). */
    private final NativeGarbage garbage;

    public StyleTransfer(StyleTransferConfig config) {
        this.config = config;
        this.garbage = NativeGarbage.forBudget(config.memoryBudget());
    }

    /**
     * An extra term of the objective (a temporal loss, a user's own), defined afresh at each
     * scale's size. Its {@link PerceptualLoss#name()} names it in the reported terms.
     */
    @FunctionalInterface
    public interface ExtraTerm {
        /** The (weighted) term for an image of {@code width x height} pixels. */
        PerceptualLoss at(int width, int height);
    }

    /**
     * Shares the network, style images and style targets with every other transfer given the
     * same cache (a batch pays for them once). Use before {@link #run()}.
     */
    public StyleTransfer useCache(TransferCache cache) {
        this.cache = java.util.Objects.requireNonNull(cache, "cache");
        return this;
    }

    /**
     * The content, already decoded (a video frame, a file fetched from elsewhere): the run does
     * not read {@link StyleTransferConfig#contentImage()}, which then only names it.
     */
    public StyleTransfer optContent(RgbImage content) {
        this.content = java.util.Objects.requireNonNull(content, "content");
        return this;
    }

    /**
     * Starts the first scale from this picture (resized to that scale) instead of the
     * configured initialisation: the previous frame's result, warped, in a video.
     */
    public StyleTransfer optStart(RgbImage start) {
        this.start = java.util.Objects.requireNonNull(start, "start").withoutAlpha();
        return this;
    }

    /** Adds a term to the objective at every scale (see {@link ExtraTerm}). */
    public StyleTransfer addTerm(ExtraTerm term) {
        extraTerms.add(java.util.Objects.requireNonNull(term, "term"));
        return this;
    }

    public StyleTransferConfig config() {
        return config;
    }

    StyleTransfer decorateObjective(java.util.function.UnaryOperator<io.github.style4j.core.optim.Objective> decorator) {
        this.objectiveDecorator = decorator;
        return this;
    }

    /** Hears every optimisation step (progress bars, intermediate saves). */
    public StyleTransfer addListener(Consumer<StyleTransferProgress> listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        listeners.add((transfer, progress) -> listener.accept(progress));
        return this;
    }

    /** Hears the run's start, every step and its end, with this transfer (a live preview). */
    public StyleTransfer addRunListener(StyleTransferListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Ends a running transfer after its current iteration, from any thread: the remaining scales
     * are skipped and the result is the image so far, finished as usual (losses, colour, alpha),
     * with {@link StopReason#STOPPED}. Does nothing if no run is in progress.
     */
    public void stop() {
        if (running.get()) {
            stopRequested.set(true);
        }
    }

    /** Whether {@link #stop()} was called during the current (or last) run. */
    public boolean stopRequested() {
        return stopRequested.get();
    }

    /**
     * Runs the transfer.
     *
     * @throws ImageException      an input image cannot be read
     * @throws WeightLoadException the network's weights cannot be loaded
     */
    public StyleTransferResult run() throws ImageException, WeightLoadException {
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException("this StyleTransfer is already running a transfer; one instance runs one "
                    + "transfer at a time (create another StyleTransfer for a concurrent run)");
        }
        stopRequested.set(false);
        try {
            io.github.style4j.core.backend.Backend.start(); // a clear error before anything else if ND4J cannot start
            listeners.forEach(listener -> listener.started(this));
            StyleTransferResult result;
            try {
                result = runOnce();
            } catch (ImageException | WeightLoadException | RuntimeException | Error e) {
                listeners.forEach(listener -> listener.finished(this, null, e));
                throw e;
            }
            listeners.forEach(listener -> listener.finished(this, result, null));
            return result;
        } finally {
            running.set(false);
        }
    }

    /*
     * A run in stages, each its own method, so that what extends the engine (tiles, batches,
     * video frames, a preview) replaces or wraps one stage rather than threading through all:
     *   1. inputs:   read the content, style and mask images           readInputs
     *   2. network:  check the memory, load the weights                loadNetwork
     *   3. schedule: the scales, and where a checkpoint resumes         runOnce
     *   4. scale:    targets and objective at one size, then optimise  optimiseScale
     *   5. finish:   losses at the result, colour, alpha               finish
     */
    private StyleTransferResult runOnce() throws ImageException, WeightLoadException {
        Inputs inputs = readInputs();
        FeatureNetwork network = loadNetwork(inputs.content());
        Checkpoints.Loaded resumeFrom = loadCheckpoint();
        int firstScale = resumeFrom == null ? 0 : Integer.parseInt(resumeFrom.extra().get("scale"));
        Progress progress = new Progress(config.totalIterations());
        log.info("Schedule: {}", config.schedule());
        ScaleOutcome outcome = null;
        for (int s = firstScale; s < config.scales().size(); s++) {
            if (outcome != null && outcome.result().reason() == StopReason.STOPPED) {
                break; // a stop ends the schedule too
            }
            outcome = optimiseScale(network, inputs, s, outcome, s == firstScale ? resumeFrom : null, progress);
        }
        return finish(inputs, outcome, progress);
    }

    /**
     * The weighted terms and their total ({@code "total"}) of this configuration's objective at
     * {@code picture}, resized to the final scale's size: how a picture made some other way (a
     * fast-style network's, another tool's) scores on the losses a run would minimise. Runs no
     * optimisation.
     */
    public Map<String, Double> terms(RgbImage picture) throws ImageException, WeightLoadException {
        Inputs inputs = readInputs();
        FeatureNetwork network = loadNetwork(inputs.content());
        int size = config.scales().get(config.scales().size() - 1);
        RgbImage contentAtSize = Resizing.fitToMaxSide(inputs.content().withoutAlpha(), size);
        MemoryPlan plan = plan(network.architecture(), network.weights().ceilModePooling(), contentAtSize.height(),
                contentAtSize.width());
        RgbImage at = Resizing.resize(picture.withoutAlpha(), contentAtSize.width(), contentAtSize.height());
        INDArray tensor = ImageTensors.toTensor(at);
        try (ScaleObjective objective = buildScale(network, plan, contentAtSize, inputs.styles(), inputs.masks(),
                tensor)) {
            Evaluation evaluation = objective.evaluate(tensor);
            Map<String, Double> terms = new LinkedHashMap<>(evaluation.terms());
            terms.put(TOTAL, evaluation.loss());
            return terms;
        }
    }

    /** The images a run reads: the content (its alpha kept for the result), the styles, the masks. */
    private record Inputs(RgbImage content, List<RgbImage> styles, List<RgbImage> masks) {
    }

    /** One scale's objective (still open: {@link #finish} evaluates the result in it), result and image. */
    private record ScaleOutcome(ScaleObjective objective, OptimizationResult result, RgbImage image) {
    }

    /** A scale's objective, on the whole image or in tiles; closed when the next scale starts or the run ends. */
    private interface ScaleObjective extends io.github.style4j.core.optim.Objective, AutoCloseable {
        @Override
        void close();

        /** {@code objective}, collecting garbage after each evaluation as {@code garbage} decides. */
        static ScaleObjective of(io.github.style4j.core.optim.Objective objective, Runnable close,
                                 NativeGarbage garbage) {
            return new ScaleObjective() {
                @Override
                public Evaluation evaluate(INDArray parameters) {
                    Evaluation evaluation = objective.evaluate(parameters);
                    garbage.maybeCollect();
                    return evaluation;
                }

                @Override
                public void close() {
                    close.run();
                }
            };
        }
    }

    /**
     * {@code objective}, freeing {@code start} at the first evaluation of another array: optimisers
     * work on their own copy (they do not modify the starting point), so from then on it is 537 MB
     * of nothing at 8192 px. Only for tiled scales: a whole-image objective keeps its start.
     */
    private static io.github.style4j.core.optim.Objective freeingAtFirstEvaluation(
            io.github.style4j.core.optim.Objective objective, INDArray start) {
        return new io.github.style4j.core.optim.Objective() {
            private boolean freed;

            @Override
            public Evaluation evaluate(INDArray parameters) {
                if (!freed && parameters != start) {
                    free(start);
                    freed = true;
                }
                return objective.evaluate(parameters);
            }
        };
    }

    /** Frees an array this run owns and no longer needs (a view cannot be closed, and is left). */
    private static void free(INDArray array) {
        if (array.closeable() && !array.wasClosed()) {
            array.close();
        }
    }

    /** What the whole run has reported so far: every step, and the terms at the content image. */
    private static final class Progress {
        final List<StepReport> history = new ArrayList<>();
        final int totalIterations;
        Map<String, Double> termsAtContent;

        Progress(int totalIterations) {
            this.totalIterations = totalIterations;
        }
    }

    /** Stage 1: the content, style (colour-matched if asked) and mask images. */
    private Inputs readInputs() throws ImageException {
        ImageReader reader = ImageReader.defaults();
        RgbImage content = this.content != null ? this.content : reader.read(config.contentImage());
        List<RgbImage> styles = new ArrayList<>();
        for (var path : config.styleImages()) {
            RgbImage style = cached("style image " + path.toAbsolutePath().normalize(),
                    () -> reader.read(path).withoutAlpha());
            if (config.colourPreservation() == StyleTransferConfig.ColourPreservation.STATISTICS) {
                style = ColourTransfer.matchStatistics(style, content, ColourTransfer.Method.PCA);
            }
            styles.add(style);
        }
        List<RgbImage> masks = new ArrayList<>();
        for (var path : config.styleMasks()) {
            masks.add(reader.read(path));
        }
        return new Inputs(content, styles, masks);
    }

    /** Stage 2: refuses a run the memory cannot hold, then loads the network. */
    private FeatureNetwork loadNetwork(RgbImage content) throws WeightLoadException {
        checkMemory(content);
        return cached(networkKey(), () -> {
            NetworkWeights weights = config.weights().load(config.architecture());
            return FeatureNetwork.builder().setWeights(weights).optPooling(config.pooling()).build();
        });
    }

    private String networkKey() {
        return "network " + config.architecture() + " " + config.weights() + " " + config.pooling();
    }

    /** From the cache when there is one, else computed for this run alone. */
    private <T, E extends Exception> T cached(String key, TransferCache.Computation<T, E> computation) throws E {
        return cache == null ? computation.compute() : cache.get(key, computation);
    }

    /**
     * Stage 4: the objective at scale {@code s} (targets from the images at that size), started
     * from the previous scale's image, the checkpoint, or the configured initialisation, and
     * optimised. Closes the previous scale's objective.
     */
    private ScaleOutcome optimiseScale(FeatureNetwork network, Inputs inputs, int s, ScaleOutcome previous,
                                       Checkpoints.Loaded resumeFrom, Progress progress) throws ImageException {
        List<Integer> scales = config.scales();
        int size = scales.get(s);
        RgbImage contentAtSize = Resizing.fitToMaxSide(inputs.content().withoutAlpha(), size);
        MemoryPlan plan = plan(network.architecture(), network.weights().ceilModePooling(), contentAtSize.height(),
                contentAtSize.width());
        log.info("Scale {}/{}: {}", s + 1, scales.size(), plan);
        INDArray start = resumeFrom != null ? resumeFrom.state().parameters()
                : startingImage(previous == null ? this.start : previous.image(), contentAtSize);
        if (previous != null) {
            previous.objective().close(); // the next size needs its own arrays; free these now
        }
        ScaleObjective objective = buildScale(network, plan, contentAtSize, inputs.styles(), inputs.masks(), start);
        if (progress.termsAtContent == null) {
            INDArray contentTensor = ImageTensors.toTensor(contentAtSize);
            Evaluation atContent = objective.evaluate(contentTensor);
            progress.termsAtContent = new LinkedHashMap<>(atContent.terms());
            progress.termsAtContent.put(TOTAL, atContent.loss());
            contentTensor.close(); // image-sized, as is the gradient (the caller's: Objective), unused here
            free(atContent.gradient());
        }
        int done = 0;
        for (int earlier = 0; earlier < s; earlier++) {
            done += config.iterationsAt(earlier);
        }
        int doneBefore = done;
        OptimizationListener relay = new OptimizationListener() {
            @Override
            public void onStep(StepReport report) {
                onStep(report, null);
            }

            @Override
            public void onStep(StepReport report, INDArray parameters) {
                progress.history.add(report);
                StyleTransferProgress step = new StyleTransferProgress(s, scales.size(), size, report,
                        doneBefore + report.iteration(), progress.totalIterations, () -> toImage(parameters), plan);
                listeners.forEach(listener -> listener.progressed(StyleTransfer.this, step));
            }
        };
        Optimizer optimizer = optimizer(relay, checkpointSink(s), config.iterationsAt(s), plan);
        io.github.style4j.core.optim.Objective decorated = objectiveDecorator.apply(objective);
        if (plan.tiled()) {
            decorated = freeingAtFirstEvaluation(decorated, start);
        }
        OptimizationResult result = resumeFrom != null ? optimizer.resume(decorated, resumeFrom.state())
                : optimizer.minimize(decorated, start);
        if (result.reason() == StopReason.NON_FINITE) {
            log.warn("Stopped at scale {} ({} px): {}. The result is the last image where the loss was finite; "
                    + "a lower learning rate or style weight may avoid it", s + 1, size, result.message());
        }
        return new ScaleOutcome(objective, result, toImage(result.parameters()));
    }

    /**
     * Stage 5: the terms at the result as it is saved (clamped), in the last scale's objective;
     * colour preservation; the content's alpha.
     */
    private StyleTransferResult finish(Inputs inputs, ScaleOutcome last, Progress progress) {
        // At the optimiser's own result clamped in place (what the saved image holds), not at a new
        // tensor of the image: one image-sized array fewer at the end of a print-size run.
        INDArray parameters = last.result().parameters();
        Transforms.min(Transforms.max(parameters, 0.0, false), 1.0, false);
        Evaluation atResult = last.objective().evaluate(parameters.reshape('c', 1, 3, last.image().height(),
                last.image().width()));
        free(atResult.gradient());
        last.objective().close();
        Map<String, Double> finalTerms = new LinkedHashMap<>(atResult.terms());
        finalTerms.put(TOTAL, atResult.loss());
        RgbImage result = last.image();
        RgbImage content = inputs.content();
        if (config.colourPreservation() == StyleTransferConfig.ColourPreservation.LUMINANCE) {
            RgbImage contentAtResult = Resizing.resize(content.withoutAlpha(), result.width(), result.height());
            result = clamp(ColourTransfer.luminanceOnly(result, contentAtResult));
        }
        if (content.hasAlpha()) {
            RgbImage alpha = Resizing.resize(content, result.width(), result.height());
            result = result.withAlpha(alpha.alpha());
        }
        return new StyleTransferResult(result, progress.history, progress.termsAtContent, finalTerms,
                last.result().reason(), last.result().message());
    }

    /** The objective at one scale: on the whole image, or in the plan's tiles (targets computed in tiles too). */
    private ScaleObjective buildScale(FeatureNetwork network, MemoryPlan plan, RgbImage content, List<RgbImage> styles,
                                      List<RgbImage> masks, INDArray start) {
        int styleSize = (int) Math.max(16, Math.round(Math.max(content.width(), content.height()) * config.styleScale()));
        List<INDArray> styleTensors = new ArrayList<>();
        for (RgbImage style : styles) {
            styleTensors.add(ImageTensors.toTensor(Resizing.fitToMaxSide(style, styleSize)));
        }
        Set<String> styleLayers = canonical(network, config.styleLayers().keySet());
        Set<String> contentLayers = canonical(network, config.contentLayers().keySet());
        INDArray contentTensor = ImageTensors.toTensor(content);
        int targetTiles = targetTileSize(network, plan, contentLayers);
        Map<String, INDArray> contentTargets = plan.tiled()
                ? TiledPass.activations(network, TileLayout.of(network, contentLayers, content.height(), content.width(),
                        targetTiles), contentTensor, contentLayers, garbage::maybeCollect,
                        plan.halfContentTargets() ? DataType.HALF : network.dataType())
                : network.activations(contentTensor, new ArrayList<>(contentLayers));
        contentTensor.close();
        ContentLoss.Builder contentBuilder = ContentLoss.builder().optName("content_raw")
                .optNormalizeGradients(config.normalizeGradients())
                .setTargets(contentTargets);
        canonicalWeights(network, config.contentLayers()).forEach(contentBuilder::addLayer);
        ContentLoss contentLoss = contentBuilder.build();
        PerceptualLoss styleLoss = styleLoss(network, styleTensors, masks, content, styleLayers,
                plan.tiled() ? targetTileSize(network, plan, styleLayers) : 0);
        styleTensors.forEach(INDArray::close); // the targets are computed: 536 MB each at 8192 px
        // neural-style's TV (half the squared differences, on its 0-255 scale), so that its
        // -tv_weight means the same here.
        PerceptualLoss tv = Losses.weighted(TV, config.tvWeight() * 255 * 255,
                TotalVariationLoss.of("tv_raw", TotalVariationLoss.Form.NEURAL_STYLE, 3));
        List<PerceptualLoss> terms = new ArrayList<>(List.of(Losses.weighted(CONTENT, config.contentWeight(),
                contentLoss), Losses.weighted(STYLE, config.styleWeight(), styleLoss), tv));
        List<String> reported = new ArrayList<>(List.of(CONTENT, STYLE, TV));
        for (ExtraTerm extra : extraTerms) {
            PerceptualLoss term = extra.at(content.width(), content.height());
            terms.add(term);
            reported.add(term.name());
        }
        PerceptualLoss total = Losses.sum(TOTAL, terms);
        if (plan.tiled() && plan.movingTiles()) {
            MovingTileObjective moving = new MovingTileObjective(network, total, reported, content.height(),
                    content.width(), plan.tileSize(), config.seed()).collecting(garbage);
            return ScaleObjective.of(moving, moving::close, garbage);
        }
        if (plan.tiled()) {
            TiledObjective tiled = new TiledObjective(network, total, reported, plan.layout()).collecting(garbage);
            return ScaleObjective.of(tiled, tiled::close, garbage);
        }
        FeaturePassObjective whole = new FeaturePassObjective(network, total, reported, start);
        return ScaleObjective.of(whole, whole::close, garbage);
    }

    /**
     * Tiles for computing targets (exact, with halos) in the memory the plan's tiles have: the
     * plan's own, or for moving tiles (no halos) cores whose crop is no larger than theirs.
     */
    private static int targetTileSize(FeatureNetwork network, MemoryPlan plan, Set<String> layers) {
        if (!plan.movingTiles()) {
            return plan.tileSize();
        }
        io.github.style4j.samediff.network.Architecture architecture = network.architecture();
        int crop = TileLayout.movingCropSide(architecture, plan.layout().tapSizes().keySet(), plan.tileSize());
        int core = crop - (TileLayout.cropSide(architecture, network.weights().ceilModePooling(), layers, 0)
                - TileLayout.alignment(architecture, layers));
        return Math.max(TileLayout.alignment(architecture, layers), core);
    }

    /** How a {@code height x width} scale fits the memory budget (tiles, history). */
    private MemoryPlan plan(io.github.style4j.samediff.network.Architecture architecture, boolean ceilModePooling,
                            int height, int width) {
        Set<String> layers = new LinkedHashSet<>();
        Set<String> contentLayers = new LinkedHashSet<>();
        config.contentLayers().keySet().forEach(layer -> contentLayers.add(architecture.canonicalName(layer)));
        layers.addAll(contentLayers);
        config.styleLayers().keySet().forEach(layer -> layers.add(architecture.canonicalName(layer)));
        boolean tileable = config.styleMasks().isEmpty() && !config.normalizeGradients();
        return MemoryPlan.of(architecture, ceilModePooling, layers, contentLayers, height, width, config.optimizer(),
                config.lbfgsHistory(), config.lbfgsBounded(), tileable, config.tileSize(), config.memoryBudget(),
                config.tileBorders());
    }

    /** The style term; with {@code tileSize > 0}, its targets are computed in tiles of that size. */
    private PerceptualLoss styleLoss(FeatureNetwork network, List<INDArray> styles, List<RgbImage> masks,
                                     RgbImage content, Set<String> layers, int tileSize) {
        Map<String, Double> weights = canonicalWeights(network, config.styleLayers());
        double[] blend = config.styleBlendWeights().stream().mapToDouble(Double::doubleValue).toArray();
        if (masks.isEmpty()) {
            java.util.function.Supplier<StyleTargets> compute = () -> {
                if (tileSize > 0) {
                    List<Map<String, INDArray>> grams = new ArrayList<>();
                    for (INDArray style : styles) {
                        grams.add(TiledPass.grams(network, TileLayout.of(network, layers, (int) style.size(2),
                                (int) style.size(3), tileSize), style, layers, garbage::maybeCollect));
                    }
                    return StyleTargets.blend(grams, blend);
                }
                return StyleTargets.fromImages(network, styles, blend, layers);
            };
            // Recoloured styles differ per content image: only the plain ones are shared.
            boolean shareable = config.colourPreservation() != StyleTransferConfig.ColourPreservation.STATISTICS;
            StyleTargets targets = shareable ? cached("style targets " + networkKey() + " " + config.styleImages()
                    + " " + java.util.Arrays.toString(blend) + " " + layers + " " + styles.stream()
                    .map(style -> style.size(3) + "x" + style.size(2)).toList() + " tiles " + tileSize, compute::get)
                    : compute.get();
            StyleLoss.Builder builder = StyleLoss.builder().optName("style_raw").optNormalization(config.normalization())
                    .optNormalizeGradients(config.normalizeGradients())
                    .setTargets(targets);
            weights.forEach(builder::addLayer);
            return builder.build();
        }
        GuidedStyleLoss.Builder builder = GuidedStyleLoss.builder().optName("style_raw")
                .optNormalization(config.normalization());
        weights.forEach(builder::addLayer);
        for (int i = 0; i < styles.size(); i++) {
            RgbImage mask = Resizing.resize(masks.get(i), content.width(), content.height());
            INDArray luma = ImageTensors.toTensor(mask).mean(1).reshape(content.height(), content.width());
            builder.addRegion(luma, StyleTargets.fromImage(network, styles.get(i), layers), blend[i]);
        }
        return builder.build();
    }

    private INDArray startingImage(RgbImage previous, RgbImage content) throws ImageException {
        ImageReader reader = ImageReader.defaults();
        if (previous != null) {
            return ImageTensors.toTensor(Resizing.resize(previous, content.width(), content.height()));
        }
        return switch (config.init()) {
            case CONTENT -> ImageTensors.toTensor(content);
            case IMAGE -> ImageTensors.toTensor(Resizing.resize(reader.read(config.initImage()).withoutAlpha(),
                    content.width(), content.height()));
            case RANDOM -> {
                Nd4j.getRandom().setSeed(config.seed());
                yield Nd4j.rand(DataType.FLOAT, 1, 3, content.height(), content.width());
            }
        };
    }

    private Optimizer optimizer(OptimizationListener listener, Consumer<OptimizerState> checkpoints, int iterations,
                                MemoryPlan plan) {
        int every = checkpoints == null ? 0 : config.checkpointEvery();
        int history = plan.history();
        return switch (config.optimizer()) {
            case LBFGS -> Lbfgs.builder().optMaxIterations(iterations).optHistory(history)
                    .optBounds(config.lbfgsBounded() ? 0 : Double.NEGATIVE_INFINITY,
                            config.lbfgsBounded() ? 1 : Double.POSITIVE_INFINITY)
                    // PyTorch's default budget (1.25 evaluations an iteration), with room for a first line search.
                    .optMaxEvaluations((int) Math.ceil(iterations * 1.25) + 5).addListener(listener)
                    .optCheckpoints(every, checkpoints).optStopWhen(stopRequested::get).build();
            case ADAM -> Adam.builder().optLearningRate(config.learningRate()).optMaxIterations(iterations)
                    .optClamp(0, 1).addListener(listener).optCheckpoints(every, checkpoints)
                    // The system's temporary folder (-Djava.io.tmpdir moves it) when the budget needs it.
                    .optStateOnDisk(plan.adamStateOnDisk() ? java.nio.file.Path.of(System.getProperty("java.io.tmpdir")) : null)
                    .optStopWhen(stopRequested::get).build();
        };
    }

    /**
     * Refuses, before loading anything big, a run that the memory budget cannot hold even in
     * tiles (planned as if pooling rounded down; each scale is planned again with the weights).
     */
    private void checkMemory(RgbImage content) {
        int[] size = Resizing.fittedSize(content.width(), content.height(), config.imageSize());
        MemoryPlan plan = plan(config.architecture(), false, size[1], size[0]);
        if (plan.tiled() || config.optimizer() == StyleTransferConfig.OptimizerKind.LBFGS
                && plan.history() < config.lbfgsHistory()) {
            log.info("At {}x{} px: {}", size[0], size[1], plan);
        }
    }

    /** The checkpoint to continue from, if asked to resume and one exists; it must match the settings. */
    private Checkpoints.Loaded loadCheckpoint() throws ImageException {
        if (!config.resume() || !Checkpoints.exists(config.checkpointDir())) {
            return null;
        }
        try {
            Checkpoints.Loaded loaded = Checkpoints.read(config.checkpointDir());
            if (!fingerprint().equals(loaded.extra().get("settings"))) {
                throw new IllegalStateException("the checkpoint in " + config.checkpointDir() + " was written with "
                        + "other settings; resume with the same settings, or use another checkpoint folder");
            }
            log.info("Resuming from {} at scale {}, iteration {}", config.checkpointDir(), loaded.extra().get("scale"),
                    loaded.state().iteration());
            return loaded;
        } catch (java.io.IOException e) {
            throw new ImageException(config.checkpointDir(), "the checkpoint cannot be read (" + e.getMessage()
                    + "); delete the folder to start afresh", e);
        }
    }

    /** Writes checkpoints for scale {@code s}; a failed write is logged and the run goes on. */
    private Consumer<OptimizerState> checkpointSink(int s) {
        if (config.checkpointDir() == null) {
            return null;
        }
        // The settings' hash decides whether a resume may continue; the text is for people reading the folder.
        // (The only randomness, the initial noise, is seeded by the settings.)
        Map<String, String> extra = Map.of("scale", Integer.toString(s), "settings", fingerprint(),
                "settingsText", config.resultSettings());
        return state -> {
            try {
                Checkpoints.write(config.checkpointDir(), state, extra);
            } catch (java.io.IOException | RuntimeException e) {
                log.warn("Could not write a checkpoint to {} ({}); the run goes on without it",
                        config.checkpointDir(), e.toString());
            }
        };
    }

    private String fingerprint() {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(config.resultSettings().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> canonical(FeatureNetwork network, Set<String> layers) {
        Set<String> names = new LinkedHashSet<>();
        for (String layer : layers) {
            names.add(network.architecture().canonicalName(layer));
        }
        return names;
    }

    private static Map<String, Double> canonicalWeights(FeatureNetwork network, Map<String, Double> weights) {
        Map<String, Double> canonical = new LinkedHashMap<>();
        weights.forEach((layer, weight) -> canonical.put(network.architecture().canonicalName(layer), weight));
        return canonical;
    }

    /** The image, clamped to [0, 1]: one native copy (freed at once) and one on the heap, at 8192 px 537 MB each. */
    private static RgbImage toImage(INDArray parameters) {
        INDArray clamped = Transforms.min(Transforms.max(parameters, 0.0, true), 1.0, false);
        RgbImage image = ImageTensors.toImage(clamped);
        clamped.close();
        return image;
    }

    private static RgbImage clamp(RgbImage image) {
        float[] rgb = image.rgb();
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = Math.max(0f, Math.min(1f, rgb[i]));
        }
        return RgbImage.adopt(image.width(), image.height(), rgb, image.alpha());
    }

    @Override
    public String toString() {
        return "StyleTransfer[" + config + "]";
    }
}
