package io.github.style4j.samediff.transfer;

import io.github.style4j.samediff.loss.GramNormalization;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.Pooling;
import io.github.style4j.samediff.weights.WeightLoadException;
import io.github.style4j.samediff.weights.WeightSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Every setting of a style transfer, immutable. Defaults follow Justin Johnson's
 * neural-style: VGG-19, content {@code relu4_2}, style {@code relu1_1 relu2_1 relu3_1 relu4_1
 * relu5_1}, content weight 5, style weight 100, TV weight 1e-3, L-BFGS, 1000 iterations,
 * 512 px, random init, max pooling. With {@link Architecture#SQUEEZENET} the default layers
 * are SqueezeNet's (content {@code fire4}; style {@code relu1 fire2 fire3 fire4 fire5}
 * weighted 1000 down to 1, since with equal weights its deepest layer dominates) and so are
 * the default weights (content 100, style 3·10⁴, TV 10⁻⁵: its torchvision-normalised
 * features are far smaller than VGG's Caffe-scaled ones; tuned on chelsea.png with
 * starry_night.jpg at 160 px, TV again at 256 px when the TV term became neural-style's).
 *
 * <p>Weights are portable from neural-style for VGG: its features are computed on the same
 * Caffe-scaled input, its Gram matrices use the same C·H·W normalisation, and the TV term
 * is neural-style's (half the squared neighbour differences on its 0–255 scale).
 */
public final class StyleTransferConfig {
    /** How the optimisation starts. */
    public enum Init {
        /** From the content image. */
        CONTENT,
        /** From seeded uniform noise (neural-style's default). */
        RANDOM,
        /** From the image given by {@code setInitImage}. */
        IMAGE
    }

    /** Which optimiser. */
    public enum OptimizerKind {
        LBFGS,
        ADAM
    }

    /** How a scale that runs in tiles handles their borders (decision 0010). */
    public enum TileBorders {
        /**
         * Exact halos, two passes an evaluation: tiles compute the whole image's objective to
         * rounding (the default).
         */
        EXACT,
        /**
         * Moving tiles (crowsonkb): no halos, one pass, each tile's own Gram matrices, the grid
         * shifted by a random offset every evaluation. About the whole image's time per pixel,
         * but a different objective, changing every evaluation: Adam only.
         */
        MOVING
    }

    /** Whether and how to keep the content's colours. */
    public enum ColourPreservation {
        /** Colours come from the style. */
        NONE,
        /** Luminance-only transfer: the result's luma with the content's chrominance (-original_colors 1). */
        LUMINANCE,
        /** The style images are recoloured to the content's colour statistics before transfer. */
        STATISTICS
    }

    private final Path contentImage;
    private final List<Path> styleImages;
    private final List<Double> styleBlendWeights;
    private final List<Path> styleMasks;
    private final Architecture architecture;
    private final WeightSource weights;
    private final Pooling pooling;
    private final Map<String, Double> contentLayers;
    private final Map<String, Double> styleLayers;
    private final double contentWeight;
    private final double styleWeight;
    private final double tvWeight;
    private final GramNormalization normalization;
    private final OptimizerKind optimizer;
    private final double learningRate;
    private final int lbfgsHistory;
    private final boolean lbfgsBounded;
    private final boolean normalizeGradients;
    private final int iterations;
    private final int imageSize;
    private final List<Integer> scales;
    private final boolean autoSchedule;
    private final long maxMemory;
    private final int tileSize;
    private final TileBorders tileBorders;
    private final double styleScale;
    private final Init init;
    private final Path initImage;
    private final long seed;
    private final ColourPreservation colourPreservation;
    private final Path checkpointDir;
    private final int checkpointEvery;
    private final boolean resume;

    private StyleTransferConfig(Builder b) {
        contentImage = b.contentImage;
        styleImages = List.copyOf(b.styleImages);
        styleBlendWeights = b.styleBlendWeights.isEmpty() ? Collections.nCopies(styleImages.size(), 1.0)
                : List.copyOf(b.styleBlendWeights);
        styleMasks = List.copyOf(b.styleMasks);
        architecture = b.architecture;
        weights = b.weights != null ? b.weights : WeightSource.zooPretrained();
        pooling = b.pooling;
        contentLayers = Collections.unmodifiableMap(new LinkedHashMap<>(
                b.contentLayers.isEmpty() ? defaultContentLayers(architecture) : b.contentLayers));
        styleLayers = Collections.unmodifiableMap(new LinkedHashMap<>(
                b.styleLayers.isEmpty() ? defaultStyleLayers(architecture) : b.styleLayers));
        double[] defaults = defaultLossWeights(architecture);
        contentWeight = b.contentWeight != null ? b.contentWeight : defaults[0];
        styleWeight = b.styleWeight != null ? b.styleWeight : defaults[1];
        tvWeight = b.tvWeight != null ? b.tvWeight : defaults[2];
        normalization = b.normalization;
        optimizer = b.optimizer;
        learningRate = b.learningRate;
        lbfgsHistory = b.lbfgsHistory;
        lbfgsBounded = b.lbfgsBounded;
        normalizeGradients = b.normalizeGradients;
        iterations = b.iterations;
        imageSize = b.imageSize;
        autoSchedule = b.scales.isEmpty() && b.imageSize > AUTO_SCHEDULE_ABOVE;
        scales = !b.scales.isEmpty() ? List.copyOf(b.scales) : autoSchedule ? halvings(b.imageSize) : List.of(b.imageSize);
        maxMemory = b.maxMemory;
        tileSize = b.tileSize;
        tileBorders = b.tileBorders;
        styleScale = b.styleScale;
        init = b.init;
        initImage = b.initImage;
        seed = b.seed;
        colourPreservation = b.colourPreservation;
        checkpointDir = b.checkpointDir;
        checkpointEvery = b.checkpointEvery;
        resume = b.resume;
    }

    /** Above this size, a run without {@code optScales} goes coarse to fine (see {@link #scales()}). */
    public static final int AUTO_SCHEDULE_ABOVE = 1024;

    /** {@code size}, halved until at most 512: {@code 3000 -> [375, 750, 1500, 3000]}. */
    private static List<Integer> halvings(int size) {
        java.util.LinkedList<Integer> sizes = new java.util.LinkedList<>();
        for (int s = size; ; s = (s + 1) / 2) {
            sizes.addFirst(s);
            if (s <= 512) {
                return List.copyOf(sizes);
            }
        }
    }

    /**
     * The content, style and TV weights a run uses unless told otherwise: neural-style's (5, 100,
     * 1e-3) for VGG; 100, 3e4, 1e-5 for SqueezeNet, whose torchvision-normalised features are smaller.
     */
    public static double[] defaultLossWeights(Architecture architecture) {
        return architecture == Architecture.SQUEEZENET ? new double[] {100, 3e4, 1e-5} : new double[] {5, 100, 1e-3};
    }

    /** The content layers a run uses unless told otherwise: neural-style's for VGG, fire4 for SqueezeNet. */
    public static Map<String, Double> defaultContentLayers(Architecture architecture) {
        return architecture == Architecture.SQUEEZENET ? Map.of("fire4", 1.0) : Map.of("relu4_2", 1.0);
    }

    /** The style layers and weights a run uses unless told otherwise. */
    public static Map<String, Double> defaultStyleLayers(Architecture architecture) {
        Map<String, Double> layers = new LinkedHashMap<>();
        if (architecture == Architecture.SQUEEZENET) {
            layers.put("relu1", 1000.0);
            layers.put("fire2", 300.0);
            layers.put("fire3", 100.0);
            layers.put("fire4", 10.0);
            layers.put("fire5", 1.0);
        } else {
            for (String layer : List.of("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")) {
                layers.put(layer, 1.0);
            }
        }
        return layers;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every setting of this one, to change a few. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.contentImage = contentImage;
        b.styleImages.addAll(styleImages);
        b.styleBlendWeights.addAll(styleBlendWeights);
        b.styleMasks.addAll(styleMasks);
        b.architecture = architecture;
        b.weights = weights;
        b.pooling = pooling;
        b.contentLayers.putAll(contentLayers);
        b.styleLayers.putAll(styleLayers);
        b.contentWeight = contentWeight;
        b.styleWeight = styleWeight;
        b.tvWeight = tvWeight;
        b.normalization = normalization;
        b.optimizer = optimizer;
        b.learningRate = learningRate;
        b.lbfgsHistory = lbfgsHistory;
        b.lbfgsBounded = lbfgsBounded;
        b.normalizeGradients = normalizeGradients;
        b.iterations = iterations;
        b.imageSize = imageSize;
        if (!autoSchedule && !(scales.size() == 1 && scales.get(0) == imageSize)) {
            b.scales.addAll(scales);
        }
        b.maxMemory = maxMemory;
        b.tileSize = tileSize;
        b.tileBorders = tileBorders;
        b.styleScale = styleScale;
        b.init = init;
        b.initImage = initImage;
        b.seed = seed;
        b.colourPreservation = colourPreservation;
        b.checkpointDir = checkpointDir;
        b.checkpointEvery = checkpointEvery;
        b.resume = resume;
        return b;
    }

    public Path contentImage() { return contentImage; }
    public List<Path> styleImages() { return styleImages; }
    public List<Double> styleBlendWeights() { return styleBlendWeights; }
    public List<Path> styleMasks() { return styleMasks; }
    public Architecture architecture() { return architecture; }
    public WeightSource weights() { return weights; }
    public Pooling pooling() { return pooling; }
    public Map<String, Double> contentLayers() { return contentLayers; }
    public Map<String, Double> styleLayers() { return styleLayers; }
    public double contentWeight() { return contentWeight; }
    public double styleWeight() { return styleWeight; }
    public double tvWeight() { return tvWeight; }
    public GramNormalization normalization() { return normalization; }
    public OptimizerKind optimizer() { return optimizer; }
    public double learningRate() { return learningRate; }

    /** L-BFGS's history: how many (step, gradient change) pairs it keeps, 2 image-sized vectors each. */
    public int lbfgsHistory() { return lbfgsHistory; }

    /** Whether L-BFGS keeps the image in [0, 1] while optimising (default) or lets it leave and clamps at the end. */
    public boolean lbfgsBounded() { return lbfgsBounded; }

    /** Whether each content and style layer's gradient is L1-normalised, as neural-style's -normalize_gradients. */
    public boolean normalizeGradients() { return normalizeGradients; }
    /** Iterations at each scale given by {@code optScales}; at the first of an automatic schedule. */
    public int iterations() { return iterations; }

    /**
     * Iterations at scale {@code s}: {@link #iterations()}, except in an automatic coarse-to-fine
     * schedule, where each scale has half the previous one's (rounded up): the finer scales
     * start from the upsampled result and have detail to add, not a picture to find.
     */
    public int iterationsAt(int s) {
        return autoSchedule ? Math.max(1, (int) Math.ceil(iterations / Math.pow(2, s))) : iterations;
    }

    /** Iterations over all scales. */
    public int totalIterations() {
        int total = 0;
        for (int s = 0; s < scales.size(); s++) {
            total += iterationsAt(s);
        }
        return total;
    }

    /** Whether the scales were chosen by this run (a large image without {@code optScales}). */
    public boolean autoSchedule() { return autoSchedule; }

    /** The schedule as people read it: {@code 375 px x 300, 750 px x 150, ...}. */
    public String schedule() {
        List<String> steps = new ArrayList<>();
        for (int s = 0; s < scales.size(); s++) {
            steps.add(scales.get(s) + " px x " + iterationsAt(s));
        }
        return String.join(", ", steps) + (autoSchedule ? " (coarse to fine: --scales overrides)" : "");
    }

    /** The memory budget in bytes, or 0 for the default ({@link MemoryEstimate#limit()}). */
    public long maxMemory() { return maxMemory; }

    /** The budget a run plans against: {@link #maxMemory()} if set, else {@link MemoryEstimate#limit()}. */
    public long memoryBudget() { return maxMemory > 0 ? maxMemory : MemoryEstimate.limit(); }

    /** Pixels per side of positions each tile owns, or 0 to let the budget decide. */
    public int tileSize() { return tileSize; }
    /** How tiles, where a scale needs them, handle their borders. */
    public TileBorders tileBorders() { return tileBorders; }
    /** Longest side of the result, in pixels. */
    public int imageSize() { return imageSize; }
    /** Longest sides to optimise at, coarse to fine; the last is the result's. */
    public List<Integer> scales() { return scales; }
    public double styleScale() { return styleScale; }
    public Init init() { return init; }
    public Path initImage() { return initImage; }
    public long seed() { return seed; }
    public ColourPreservation colourPreservation() { return colourPreservation; }
    /** Folder for checkpoints, or null for none. */
    public Path checkpointDir() { return checkpointDir; }
    public int checkpointEvery() { return checkpointEvery; }
    /** Whether to continue from the checkpoint in {@link #checkpointDir()}, if there is one. */
    public boolean resume() { return resume; }

    /**
     * Every setting that shapes the result (not where checkpoints go): a resumed run must have
     * the same, or it would continue someone else's optimisation.
     */
    public String resultSettings() {
        String text = toString();
        return text.substring(0, text.indexOf("  memory="));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "StyleTransferConfig[%n  content=%s%n  style=%s, blendWeights=%s, masks=%s%n"
                        + "  network=%s, weights=%s, pooling=%s%n  contentLayers=%s%n  styleLayers=%s%n"
                        + "  contentWeight=%g, styleWeight=%g, tvWeight=%g, normalization=%s%s%n"
                        + "  optimizer=%s%s, imageSize=%d, schedule=%s, styleScale=%g%n"
                        + "  init=%s%s, seed=%d, colourPreservation=%s%n  memory=%s, tiles=%s%n%s]",
                contentImage, styleImages, styleBlendWeights, styleMasks.isEmpty() ? "none" : styleMasks, architecture,
                weights, pooling, contentLayers, styleLayers, contentWeight, styleWeight, tvWeight, normalization,
                normalizeGradients ? ", gradients L1-normalised per layer" : "", optimizer, optimizer == OptimizerKind.ADAM ? String.format(Locale.ROOT, " (learningRate=%g)", learningRate)
                        : String.format(Locale.ROOT, " (history=%d, %s)", lbfgsHistory,
                        lbfgsBounded ? "image kept in [0, 1]" : "unbounded, clamped at the end"), imageSize, schedule(), styleScale,
                init, init == Init.IMAGE ? " " + initImage : "", seed, colourPreservation,
                maxMemory > 0 ? String.format(Locale.ROOT, "%.1f GB", maxMemory / 1e9) : "default",
                (tileSize > 0 ? tileSize + " px" : "as the memory needs")
                        + (tileBorders == TileBorders.MOVING ? ", moving (no halos, a new offset every evaluation)" : ""),
                checkpointDir == null ? "" : String.format(Locale.ROOT,
                        "  checkpoints=%s every %d iterations%s%n", checkpointDir, checkpointEvery,
                        resume ? ", resuming" : ""));
    }

    /**
     * Builder: {@code setContentImage} and {@code addStyleImage} are required; the rest is
     * optional ({@code opt...}). {@link #build()} names the field and the remedy of any bad value.
     */
    public static final class Builder {
        private Path contentImage;
        private final List<Path> styleImages = new ArrayList<>();
        private final List<Double> styleBlendWeights = new ArrayList<>();
        private final List<Path> styleMasks = new ArrayList<>();
        private Architecture architecture; // null: the one the weights imply, else VGG-19
        private WeightSource weights;
        private Pooling pooling = Pooling.MAX;
        private final Map<String, Double> contentLayers = new LinkedHashMap<>();
        private final Map<String, Double> styleLayers = new LinkedHashMap<>();
        private Double contentWeight;
        private Double styleWeight;
        private Double tvWeight;
        private GramNormalization normalization = GramNormalization.CHW;
        private OptimizerKind optimizer = OptimizerKind.LBFGS;
        private double learningRate = 10.0 / 255;
        private int lbfgsHistory = 100;
        private boolean lbfgsBounded = true;
        private boolean normalizeGradients;
        private int iterations = 1000;
        private int imageSize = 512;
        private final List<Integer> scales = new ArrayList<>();
        private long maxMemory;
        private int tileSize;
        private TileBorders tileBorders = TileBorders.EXACT;
        private double styleScale = 1;
        private Init init = Init.RANDOM;
        private Path initImage;
        private long seed = 42;
        private ColourPreservation colourPreservation = ColourPreservation.NONE;
        private Path checkpointDir;
        private int checkpointEvery = 50;
        private boolean resume;

        private Builder() {
        }

        /** Write a checkpoint (image, optimiser state, iteration) every {@code every} iterations into {@code dir}. */
        public Builder optCheckpoints(Path dir, int every) {
            this.checkpointDir = dir;
            this.checkpointEvery = every;
            return this;
        }

        /** Continue from the checkpoint in the checkpoint folder, if there is one (else start afresh). */
        public Builder optResume(boolean resume) {
            this.resume = resume;
            return this;
        }

        public Builder setContentImage(Path contentImage) {
            this.contentImage = contentImage;
            return this;
        }

        /** A style image; call again for more (blended by {@link #optStyleBlendWeights}). */
        public Builder addStyleImage(Path styleImage) {
            styleImages.add(styleImage);
            return this;
        }

        /** Replaces the style images (a batch item's, in a copy from {@link #toBuilder()}). */
        public Builder setStyleImages(List<Path> styles) {
            styleImages.clear();
            styleImages.addAll(styles);
            return this;
        }

        /** One weight per style image (normalised to sum 1); default equal. */
        public Builder optStyleBlendWeights(List<Double> weights) {
            styleBlendWeights.clear();
            styleBlendWeights.addAll(weights);
            return this;
        }

        /** One mask image per style image: where on the result each style goes (white = here). */
        public Builder optStyleMasks(List<Path> masks) {
            styleMasks.clear();
            styleMasks.addAll(masks);
            return this;
        }

        /** The feature network (default: the one the weights file holds, else VGG-19). */
        public Builder optNetwork(Architecture architecture) {
            this.architecture = Objects.requireNonNull(architecture, "architecture");
            return this;
        }

        /** Where the network's weights come from (default: the DL4J zoo's ImageNet weights). */
        public Builder optWeights(WeightSource weights) {
            this.weights = weights;
            return this;
        }

        public Builder optPooling(Pooling pooling) {
            this.pooling = Objects.requireNonNull(pooling, "pooling");
            return this;
        }

        /** Replaces the content layers: name to weight. */
        public Builder optContentLayers(Map<String, Double> layers) {
            contentLayers.clear();
            contentLayers.putAll(layers);
            return this;
        }

        /** Replaces the style layers: name to weight. */
        public Builder optStyleLayers(Map<String, Double> layers) {
            styleLayers.clear();
            styleLayers.putAll(layers);
            return this;
        }

        public Builder optContentWeight(double weight) {
            this.contentWeight = weight;
            return this;
        }

        public Builder optStyleWeight(double weight) {
            this.styleWeight = weight;
            return this;
        }

        /**
         * Weight of total-variation smoothing as neural-style's {@code -tv_weight} means it: half
         * the squared right and down neighbour differences on the 0-255 scale
         * ({@code TotalVariationLoss.Form.NEURAL_STYLE}, weighted by w·255²). Default 1e-3 for
         * VGG (neural-style's), 1e-5 for SqueezeNet (its features and weights are on another
         * scale; 1e-5 smooths the README's picture as much as the earlier L1 term at 3e-4 did).
         */
        public Builder optTvWeight(double weight) {
            this.tvWeight = weight;
            return this;
        }

        public Builder optNormalization(GramNormalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        public Builder optOptimizer(OptimizerKind optimizer) {
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
            return this;
        }

        /** Adam's learning rate, on the [0, 1] image scale (default 10/255, neural-style's 10). */
        public Builder optLearningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        /**
         * L-BFGS's history (default 100, neural-style's and PyTorch's): memory grows by two
         * image-sized vectors per pair, 2.5 GB at 1024x1024 for 100 pairs.
         */
        public Builder optLbfgsHistory(int lbfgsHistory) {
            this.lbfgsHistory = lbfgsHistory;
            return this;
        }

        /**
         * Whether L-BFGS keeps every pixel in [0, 1] at every step (default true: projected
         * L-BFGS, so the picture saved is the one optimised), or, false, lets pixels leave the
         * range and clamps only the result, as neural-style does; the clamp then undoes part of
         * the fit (issue #18: loss 4072 at the last iteration, 4666 as saved).
         */
        public Builder optLbfgsBounded(boolean bounded) {
            this.lbfgsBounded = bounded;
            return this;
        }

        /**
         * neural-style's {@code -normalize_gradients}: each content and style layer's gradient
         * divided by its L1 norm before its weight (default false). The losses reported are
         * unchanged, so the gradient is no longer theirs: meant for Adam (an L-BFGS line search
         * may stop early). Not with style masks.
         */
        public Builder optNormalizeGradients(boolean normalize) {
            this.normalizeGradients = normalize;
            return this;
        }

        /** Iterations at each scale (default 1000). */
        public Builder optIterations(int iterations) {
            this.iterations = iterations;
            return this;
        }

        /** Longest side of the result (default 512). */
        public Builder optImageSize(int imageSize) {
            this.imageSize = imageSize;
            return this;
        }

        /**
         * Coarse-to-fine schedule of longest sides, ending at the image size, e.g. 128, 256, 512,
         * with {@link #optIterations} at each. Default: the image size alone up to
         * {@value StyleTransferConfig#AUTO_SCHEDULE_ABOVE} px; above, the size halved until at
         * most 512 px, each finer scale with half the iterations ({@link StyleTransferConfig#iterationsAt}).
         */
        public Builder optScales(List<Integer> scales) {
            this.scales.clear();
            this.scales.addAll(scales);
            return this;
        }

        /**
         * The memory the run may plan for, in bytes (default: {@link MemoryEstimate#limit()}): it
         * decides whether a scale runs in tiles, how large they are, and the L-BFGS history.
         */
        public Builder optMaxMemory(long bytes) {
            this.maxMemory = bytes;
            return this;
        }

        /**
         * Tiles owning {@code pixels} per side whatever the budget (0, the default: as the budget
         * needs). Tiles compute the same objective; this is for benchmarks and tests.
         */
        public Builder optTileSize(int pixels) {
            this.tileSize = pixels;
            return this;
        }

        /**
         * How tiles handle their borders where a scale needs tiles (default {@link TileBorders#EXACT});
         * {@link TileBorders#MOVING} needs Adam.
         */
        public Builder optTileBorders(TileBorders borders) {
            this.tileBorders = Objects.requireNonNull(borders, "borders");
            return this;
        }

        /** Style images are scaled to styleScale x the image size (default 1). */
        public Builder optStyleScale(double styleScale) {
            this.styleScale = styleScale;
            return this;
        }

        public Builder optInit(Init init) {
            this.init = Objects.requireNonNull(init, "init");
            return this;
        }

        /** The starting image for {@link Init#IMAGE}. */
        public Builder setInitImage(Path initImage) {
            this.initImage = initImage;
            this.init = Init.IMAGE;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder optColourPreservation(ColourPreservation colourPreservation) {
            this.colourPreservation = Objects.requireNonNull(colourPreservation, "colourPreservation");
            return this;
        }

        public StyleTransferConfig build() {
            if (architecture == null) {
                try {
                    architecture = weights == null ? Architecture.VGG19
                            : weights.impliedArchitecture().orElse(Architecture.VGG19);
                } catch (WeightLoadException e) {
                    throw new IllegalArgumentException("weights: " + e.getMessage(), e);
                }
            }
            require(contentImage != null, "contentImage is not set: call setContentImage(path)");
            require(!styleImages.isEmpty(), "no style image: call addStyleImage(path) at least once");
            require(styleBlendWeights.isEmpty() || styleBlendWeights.size() == styleImages.size(),
                    "styleBlendWeights has " + styleBlendWeights.size() + " values for " + styleImages.size()
                            + " style images: give one weight per style image");
            require(styleBlendWeights.stream().allMatch(w -> w >= 0 && Double.isFinite(w))
                            && (styleBlendWeights.isEmpty() || styleBlendWeights.stream().mapToDouble(d -> d).sum() > 0),
                    "styleBlendWeights must be >= 0 and not all zero, got " + styleBlendWeights);
            require(styleMasks.isEmpty() || styleMasks.size() == styleImages.size(),
                    "styleMasks has " + styleMasks.size() + " masks for " + styleImages.size()
                            + " style images: give one mask per style image, or none");
            require(contentWeight == null || nonNegative(contentWeight),
                    "contentWeight must be finite and >= 0, got " + contentWeight);
            require(styleWeight == null || nonNegative(styleWeight),
                    "styleWeight must be finite and >= 0, got " + styleWeight);
            require(tvWeight == null || nonNegative(tvWeight), "tvWeight must be finite and >= 0, got " + tvWeight);
            require(lbfgsHistory >= 1, "lbfgsHistory must be at least 1, got " + lbfgsHistory);
            require(!normalizeGradients || styleMasks.isEmpty(), "normalizeGradients cannot be combined with style "
                    + "masks (masked style losses run as a graph, which differentiates the plain loss); drop one of them");
            require(learningRate > 0 && Double.isFinite(learningRate),
                    "learningRate must be positive, got " + learningRate);
            require(iterations >= 1, "iterations must be at least 1, got " + iterations);
            require(imageSize >= 16 && imageSize <= 8192, "imageSize must be between 16 and 8192 pixels, got "
                    + imageSize);
            require(scales.isEmpty() || (scales.get(scales.size() - 1) == imageSize
                            && scales.stream().allMatch(s -> s >= 16 && s <= imageSize)),
                    "scales " + scales + " must rise to the imageSize (" + imageSize + "), each at least 16");
            require(maxMemory == 0 || maxMemory >= 256L << 20, "maxMemory must be at least 256 MB (or 0 for the "
                    + "default), got " + maxMemory + " bytes");
            require(tileSize == 0 || tileSize >= 16, "tileSize must be at least 16 pixels (or 0: as the memory "
                    + "needs), got " + tileSize);
            require(tileBorders != TileBorders.MOVING || optimizer == OptimizerKind.ADAM, "moving tiles change the "
                    + "objective at every evaluation, which L-BFGS's line search and curvature pairs cannot follow: use "
                    + "the Adam optimiser with them, or exact tiles");
            require(tileBorders != TileBorders.MOVING || (styleMasks.isEmpty() && !normalizeGradients), "moving tiles "
                    + "have no form for style masks or normalised gradients: leave those out, or use exact tiles");
            require(styleScale > 0 && styleScale <= 8, "styleScale must be in (0, 8], got " + styleScale);
            require(init != Init.IMAGE || initImage != null, "init is IMAGE but no initImage: call setInitImage(path)");
            require(checkpointDir == null || checkpointEvery >= 1,
                    "checkpointEvery must be at least 1, got " + checkpointEvery);
            require(!resume || checkpointDir != null, "resume needs a checkpoint folder: call optCheckpoints(dir, every)");
            for (String layer : contentLayers.keySet()) {
                checkLayer("contentLayers", layer);
            }
            for (String layer : styleLayers.keySet()) {
                checkLayer("styleLayers", layer);
            }
            return new StyleTransferConfig(this);
        }

        private void checkLayer(String field, String layer) {
            try {
                architecture.canonicalName(layer);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
            }
        }

        private static boolean nonNegative(double value) {
            return value >= 0 && Double.isFinite(value);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
