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
    private final List<Consumer<StyleTransferProgress>> listeners = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();
    /** Wraps each scale's objective; tests use it to inject numerical faults. */
    private java.util.function.UnaryOperator<io.github.style4j.core.optim.Objective> objectiveDecorator =
            java.util.function.UnaryOperator.identity();

    public StyleTransfer(StyleTransferConfig config) {
        this.config = config;
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
        listeners.add(listener);
        return this;
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
        try {
            return runOnce();
        } finally {
            running.set(false);
        }
    }

    private StyleTransferResult runOnce() throws ImageException, WeightLoadException {
        ImageReader reader = ImageReader.defaults();
        RgbImage content = reader.read(config.contentImage());
        List<RgbImage> styles = new ArrayList<>();
        for (var path : config.styleImages()) {
            RgbImage style = reader.read(path).withoutAlpha();
            if (config.colourPreservation() == StyleTransferConfig.ColourPreservation.STATISTICS) {
                style = ColourTransfer.matchStatistics(style, content, ColourTransfer.Method.PCA);
            }
            styles.add(style);
        }
        List<RgbImage> masks = new ArrayList<>();
        for (var path : config.styleMasks()) {
            masks.add(reader.read(path));
        }
        checkMemory(content);
        NetworkWeights weights = config.weights().load(config.architecture());
        FeatureNetwork network = FeatureNetwork.builder().setWeights(weights).optPooling(config.pooling()).build();

        Checkpoints.Loaded resumeFrom = loadCheckpoint();
        int resumeScale = resumeFrom == null ? 0 : Integer.parseInt(resumeFrom.extra().get("scale"));
        List<StepReport> history = new ArrayList<>();
        Map<String, Double> termsAtContent = null;
        OptimizationResult last = null;
        Scale scale = null;
        RgbImage current = null;
        List<Integer> scales = config.scales();
        int total = config.iterations() * scales.size();
        for (int s = resumeScale; s < scales.size(); s++) {
            int size = scales.get(s);
            RgbImage contentAtSize = Resizing.fitToMaxSide(content.withoutAlpha(), size);
            boolean resuming = resumeFrom != null && s == resumeScale;
            INDArray start = resuming ? resumeFrom.state().parameters() : startingImage(current, contentAtSize, reader);
            if (scale != null) {
                scale.objective.close(); // the next size needs its own arrays; free these now
            }
            scale = buildScale(network, contentAtSize, styles, masks, start);
            if (termsAtContent == null) {
                Evaluation atContent = scale.objective.evaluate(ImageTensors.toTensor(contentAtSize));
                termsAtContent = new LinkedHashMap<>(atContent.terms());
                termsAtContent.put(TOTAL, atContent.loss());
            }
            int scaleIndex = s;
            int done = s * config.iterations();
            OptimizationListener relay = new OptimizationListener() {
                @Override
                public void onStep(StepReport report) {
                    onStep(report, null);
                }

                @Override
                public void onStep(StepReport report, INDArray parameters) {
                    history.add(report);
                    StyleTransferProgress progress = new StyleTransferProgress(scaleIndex, scales.size(), size, report,
                            done + report.iteration(), total, () -> toImage(parameters));
                    listeners.forEach(listener -> listener.accept(progress));
                }
            };
            Optimizer optimizer = optimizer(relay, checkpointSink(s));
            io.github.style4j.core.optim.Objective objective = objectiveDecorator.apply(scale.objective);
            last = resuming ? optimizer.resume(objective, resumeFrom.state()) : optimizer.minimize(objective, start);
            if (last.reason() == io.github.style4j.core.optim.StopReason.NON_FINITE) {
                log.warn("Stopped at scale {} ({} px): {}. The result is the last image where the loss was finite; "
                        + "a lower learning rate or style weight may avoid it", s + 1, size, last.message());
            }
            current = toImage(last.parameters());
        }
        // The terms at the result, clamped as it is saved, in the last scale's graph (same size).
        Evaluation atResult = scale.objective.evaluate(ImageTensors.toTensor(current));
        scale.objective.close();
        Map<String, Double> finalTerms = new LinkedHashMap<>(atResult.terms());
        finalTerms.put(TOTAL, atResult.loss());
        RgbImage result = current;
        if (config.colourPreservation() == StyleTransferConfig.ColourPreservation.LUMINANCE) {
            RgbImage contentAtResult = Resizing.resize(content.withoutAlpha(), result.width(), result.height());
            result = clamp(ColourTransfer.luminanceOnly(result, contentAtResult));
        }
        if (content.hasAlpha()) {
            RgbImage alpha = Resizing.resize(content, result.width(), result.height());
            result = result.withAlpha(alpha.alpha());
        }
        return new StyleTransferResult(result, history, termsAtContent, finalTerms, last.reason(), last.message());
    }

    /** The graph and objective at one scale. */
    private record Scale(FeaturePassObjective objective) {
    }

    private Scale buildScale(FeatureNetwork network, RgbImage content, List<RgbImage> styles, List<RgbImage> masks,
                             INDArray start) {
        int styleSize = (int) Math.max(16, Math.round(Math.max(content.width(), content.height()) * config.styleScale()));
        List<INDArray> styleTensors = new ArrayList<>();
        for (RgbImage style : styles) {
            styleTensors.add(ImageTensors.toTensor(Resizing.fitToMaxSide(style, styleSize)));
        }
        Set<String> styleLayers = canonical(network, config.styleLayers().keySet());
        Set<String> contentLayers = canonical(network, config.contentLayers().keySet());
        ContentLoss.Builder contentBuilder = ContentLoss.builder().optName("content_raw")
                .optNormalizeGradients(config.normalizeGradients())
                .setTargets(network.activations(ImageTensors.toTensor(content), new ArrayList<>(contentLayers)));
        canonicalWeights(network, config.contentLayers()).forEach(contentBuilder::addLayer);
        ContentLoss contentLoss = contentBuilder.build();
        PerceptualLoss styleLoss = styleLoss(network, styleTensors, masks, content, styleLayers);
        // neural-style's TV (half the squared differences, on its 0-255 scale), so that its
        // -tv_weight means the same here.
        PerceptualLoss tv = Losses.weighted(TV, config.tvWeight() * 255 * 255,
                TotalVariationLoss.of("tv_raw", TotalVariationLoss.Form.NEURAL_STYLE, 3));
        List<PerceptualLoss> terms = List.of(Losses.weighted(CONTENT, config.contentWeight(), contentLoss),
                Losses.weighted(STYLE, config.styleWeight(), styleLoss), tv);
        return new Scale(new FeaturePassObjective(network, Losses.sum(TOTAL, terms), List.of(CONTENT, STYLE, TV),
                start));
    }

    private PerceptualLoss styleLoss(FeatureNetwork network, List<INDArray> styles, List<RgbImage> masks,
                                     RgbImage content, Set<String> layers) {
        Map<String, Double> weights = canonicalWeights(network, config.styleLayers());
        double[] blend = config.styleBlendWeights().stream().mapToDouble(Double::doubleValue).toArray();
        if (masks.isEmpty()) {
            StyleLoss.Builder builder = StyleLoss.builder().optName("style_raw").optNormalization(config.normalization())
                    .optNormalizeGradients(config.normalizeGradients())
                    .setTargets(StyleTargets.fromImages(network, styles, blend, layers));
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

    private INDArray startingImage(RgbImage previous, RgbImage content, ImageReader reader) throws ImageException {
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

    private Optimizer optimizer(OptimizationListener listener, Consumer<OptimizerState> checkpoints) {
        int every = checkpoints == null ? 0 : config.checkpointEvery();
        return switch (config.optimizer()) {
            case LBFGS -> Lbfgs.builder().optMaxIterations(config.iterations()).optHistory(config.lbfgsHistory())
                    .optBounds(config.lbfgsBounded() ? 0 : Double.NEGATIVE_INFINITY,
                            config.lbfgsBounded() ? 1 : Double.POSITIVE_INFINITY)
                    // PyTorch's default budget (1.25 evaluations an iteration), with room for a first line search.
                    .optMaxEvaluations((int) Math.ceil(config.iterations() * 1.25) + 5).addListener(listener)
                    .optCheckpoints(every, checkpoints).build();
            case ADAM -> Adam.builder().optLearningRate(config.learningRate()).optMaxIterations(config.iterations())
                    .optClamp(0, 1).addListener(listener).optCheckpoints(every, checkpoints).build();
        };
    }

    /** Refuses, before loading anything big, a run that the memory limit cannot hold. */
    private void checkMemory(RgbImage content) {
        int[] size = Resizing.fittedSize(content.width(), content.height(), config.imageSize());
        Set<String> layers = new LinkedHashSet<>(config.contentLayers().keySet());
        layers.addAll(config.styleLayers().keySet());
        boolean lossGraph = !config.styleMasks().isEmpty(); // guided style has no array form
        MemoryEstimate estimate = MemoryEstimate.of(config.architecture(), layers, size[1], size[0], config.optimizer(),
                config.lbfgsHistory(), lossGraph);
        long limit = MemoryEstimate.limit();
        if (estimate.bytes() > limit) {
            MemoryEstimate squeezeNet = MemoryEstimate.of(io.github.style4j.samediff.network.Architecture.SQUEEZENET,
                    StyleTransferConfig.defaultStyleLayers(io.github.style4j.samediff.network.Architecture.SQUEEZENET)
                            .keySet(), size[1], size[0], config.optimizer(), config.lbfgsHistory(), lossGraph);
            throw new IllegalStateException(String.format(java.util.Locale.ROOT, "%s at %dx%d needs %s, more than the "
                            + "%.1f GB this process may use (JavaCPP's -Dorg.bytedeco.javacpp.maxphysicalbytes, or the "
                            + "machine's memory). Use a smaller -image_size (memory grows with the pixel count), "
                            + "--model squeezenet (%s at this size)%s", config.architecture(), size[0], size[1], estimate,
                    limit / 1e9, squeezeNet, config.optimizer() == StyleTransferConfig.OptimizerKind.LBFGS
                            ? String.format(java.util.Locale.ROOT, ", or a shorter L-BFGS history (-lbfgs_num_correction "
                            + "%d now; each pair holds %.0f MB here)", config.lbfgsHistory(),
                            2 * 3 * 4.0 * size[0] * size[1] / 1e6) : ""));
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

    private static RgbImage toImage(INDArray parameters) {
        return clamp(ImageTensors.toImage(Transforms.min(Transforms.max(parameters, 0.0, true), 1.0, false)));
    }

    private static RgbImage clamp(RgbImage image) {
        float[] rgb = image.rgb();
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = Math.max(0f, Math.min(1f, rgb[i]));
        }
        return RgbImage.of(image.width(), image.height(), rgb, image.alpha());
    }

    @Override
    public String toString() {
        return "StyleTransfer[" + config + "]";
    }
}
