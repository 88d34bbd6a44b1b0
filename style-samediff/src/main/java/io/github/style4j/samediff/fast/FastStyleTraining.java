package io.github.style4j.samediff.fast;

import io.github.style4j.samediff.loss.GramNormalization;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import io.github.style4j.samediff.weights.WeightLoadException;
import io.github.style4j.samediff.weights.WeightSource;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How to train a fast-style network: the style image, a folder of photos, the
 * {@link TransformerNetwork}, the loss network and its weights, the loss layers and weights
 * (by default those of an optimisation run, {@link StyleTransferConfig}'s, so the two are
 * compared on equal terms), and the training schedule. Immutable; built with {@link #builder()}.
 */
public final class FastStyleTraining {
    private final Path styleImage;
    private final List<Path> photos;
    private final TransformerNetwork transformer;
    private final Architecture architecture;
    private final WeightSource weights;
    private final Map<String, Double> contentLayers;
    private final Map<String, Double> styleLayers;
    private final double contentWeight;
    private final double styleWeight;
    private final double tvWeight;
    private final GramNormalization normalization;
    private final int iterations;
    private final int batchSize;
    private final int imageSize;
    private final int styleSize;
    private final double learningRate;
    private final long seed;
    private final Path checkpoint;
    private final int checkpointEvery;
    private final boolean resume;

    private FastStyleTraining(Builder b, Architecture architecture) {
        styleImage = b.styleImage;
        photos = List.copyOf(b.photos);
        transformer = b.transformer;
        this.architecture = architecture;
        weights = b.weights;
        contentLayers = Collections.unmodifiableMap(new LinkedHashMap<>(b.contentLayers.isEmpty()
                ? StyleTransferConfig.defaultContentLayers(architecture) : b.contentLayers));
        styleLayers = Collections.unmodifiableMap(new LinkedHashMap<>(b.styleLayers.isEmpty()
                ? StyleTransferConfig.defaultStyleLayers(architecture) : b.styleLayers));
        double[] defaults = StyleTransferConfig.defaultLossWeights(architecture);
        contentWeight = b.contentWeight != null ? b.contentWeight : defaults[0];
        styleWeight = b.styleWeight != null ? b.styleWeight : defaults[1];
        tvWeight = b.tvWeight != null ? b.tvWeight : defaults[2];
        normalization = b.normalization;
        iterations = b.iterations;
        batchSize = b.batchSize;
        imageSize = b.imageSize;
        styleSize = b.styleSize > 0 ? b.styleSize : b.imageSize;
        learningRate = b.learningRate;
        seed = b.seed;
        checkpoint = b.checkpoint;
        checkpointEvery = b.checkpointEvery;
        resume = b.resume;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path styleImage() { return styleImage; }
    /** Folders of photos (searched recursively) and single photos. */
    public List<Path> photos() { return photos; }
    public TransformerNetwork transformer() { return transformer; }
    public Architecture architecture() { return architecture; }
    public WeightSource weights() { return weights; }
    public Map<String, Double> contentLayers() { return contentLayers; }
    public Map<String, Double> styleLayers() { return styleLayers; }
    public double contentWeight() { return contentWeight; }
    public double styleWeight() { return styleWeight; }
    public double tvWeight() { return tvWeight; }
    public GramNormalization normalization() { return normalization; }
    public int iterations() { return iterations; }
    public int batchSize() { return batchSize; }
    /** Side of the square training crops, pixels. */
    public int imageSize() { return imageSize; }
    /** Longest side the style image is resized to for its Gram targets. */
    public int styleSize() { return styleSize; }
    public double learningRate() { return learningRate; }
    public long seed() { return seed; }
    /** Checkpoint file, or null for none. */
    public Path checkpoint() { return checkpoint; }
    public int checkpointEvery() { return checkpointEvery; }
    /** Whether to continue from {@link #checkpoint()} when it exists. */
    public boolean resume() { return resume; }

    /**
     * The settings that shape the trained network (not how long or where checkpoints go): a
     * resumed training must have the same ones.
     */
    public String resultSettings() {
        return String.format(Locale.ROOT, "transformer=%s network=%s weights=%s contentLayers=%s styleLayers=%s "
                        + "lossWeights=%g/%g/%g normalization=%s batch=%d size=%d styleSize=%d lr=%g seed=%d",
                transformer, architecture, weights, contentLayers, styleLayers, contentWeight, styleWeight,
                tvWeight, normalization, batchSize, imageSize, styleSize, learningRate, seed);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "FastStyleTraining[%n  style=%s, photos=%s%n  %s%n  network=%s, weights=%s%n"
                        + "  contentLayers=%s%n  styleLayers=%s%n  contentWeight=%g, styleWeight=%g, tvWeight=%g, "
                        + "normalization=%s%n  iterations=%d, batch=%d, imageSize=%d, styleSize=%d, learningRate=%g, "
                        + "seed=%d%n  checkpoint=%s every %d%s]",
                styleImage, photos, transformer, architecture, weights, contentLayers, styleLayers, contentWeight,
                styleWeight, tvWeight, normalization, iterations, batchSize, imageSize, styleSize, learningRate, seed,
                checkpoint == null ? "none" : checkpoint, checkpointEvery, resume ? ", resume" : "");
    }

    /** Builder: the style image and the photos are required. */
    public static final class Builder {
        private Path styleImage;
        private final List<Path> photos = new java.util.ArrayList<>();
        private TransformerNetwork transformer = TransformerNetwork.half();
        private Architecture architecture;
        private WeightSource weights = WeightSource.zooPretrained();
        private final Map<String, Double> contentLayers = new LinkedHashMap<>();
        private final Map<String, Double> styleLayers = new LinkedHashMap<>();
        private Double contentWeight;
        private Double styleWeight;
        private Double tvWeight;
        private GramNormalization normalization = GramNormalization.CHW;
        private int iterations = 2000;
        private int batchSize = 4;
        private int imageSize = 256;
        private int styleSize;
        private double learningRate = 1e-3;
        private long seed;
        private Path checkpoint;
        private int checkpointEvery = 100;
        private boolean resume;

        private Builder() {
        }

        public Builder setStyleImage(Path styleImage) { this.styleImage = styleImage; return this; }
        /** Where the training photos are: folders (searched recursively) or files. */
        public Builder setPhotos(Path... photos) { return setPhotos(List.of(photos)); }
        public Builder setPhotos(List<Path> photos) { this.photos.clear(); this.photos.addAll(photos); return this; }
        public Builder optTransformer(TransformerNetwork transformer) { this.transformer = Objects.requireNonNull(transformer); return this; }
        /** The loss network; by default the one the weights imply, else VGG-19. */
        public Builder optArchitecture(Architecture architecture) { this.architecture = architecture; return this; }
        public Builder optWeights(WeightSource weights) { this.weights = Objects.requireNonNull(weights); return this; }
        public Builder addContentLayer(String layer, double weight) { contentLayers.put(layer, weight); return this; }
        public Builder addStyleLayer(String layer, double weight) { styleLayers.put(layer, weight); return this; }
        public Builder optContentWeight(double weight) { this.contentWeight = weight; return this; }
        public Builder optStyleWeight(double weight) { this.styleWeight = weight; return this; }
        public Builder optTvWeight(double weight) { this.tvWeight = weight; return this; }
        public Builder optNormalization(GramNormalization normalization) { this.normalization = Objects.requireNonNull(normalization); return this; }
        public Builder optIterations(int iterations) { this.iterations = iterations; return this; }
        public Builder optBatchSize(int batchSize) { this.batchSize = batchSize; return this; }
        /** Side of the square training crops; a multiple of {@value TransformerNetwork#SIZE_MULTIPLE}. */
        public Builder optImageSize(int imageSize) { this.imageSize = imageSize; return this; }
        public Builder optStyleSize(int styleSize) { this.styleSize = styleSize; return this; }
        public Builder optLearningRate(double learningRate) { this.learningRate = learningRate; return this; }
        public Builder optSeed(long seed) { this.seed = seed; return this; }
        /** Where to keep a checkpoint (model, Adam state, iteration), written every {@code every} iterations. */
        public Builder optCheckpoint(Path checkpoint, int every) { this.checkpoint = checkpoint; this.checkpointEvery = every; return this; }
        /** Continue from the checkpoint if it exists (its settings must match). */
        public Builder optResume(boolean resume) { this.resume = resume; return this; }

        public FastStyleTraining build() {
            Objects.requireNonNull(styleImage, "the style image is required: setStyleImage(...)");
            require(!photos.isEmpty(), "the training photos are required: setPhotos(folder)");
            require(iterations >= 1, "iterations must be at least 1, got " + iterations);
            require(batchSize >= 1, "batch size must be at least 1, got " + batchSize);
            require(imageSize >= 16 && imageSize % TransformerNetwork.SIZE_MULTIPLE == 0,
                    "the crop size must be a multiple of " + TransformerNetwork.SIZE_MULTIPLE + " and at least 16, got "
                            + imageSize);
            require(styleSize >= 0, "style size must be positive, got " + styleSize);
            require(learningRate > 0 && Double.isFinite(learningRate), "learning rate must be positive, got " + learningRate);
            require(checkpoint == null || checkpointEvery >= 1, "checkpoints need an interval of at least 1");
            require(!resume || checkpoint != null, "resuming needs a checkpoint file");
            for (Double w : new Double[] {contentWeight, styleWeight, tvWeight}) {
                require(w == null || (w >= 0 && Double.isFinite(w)), "loss weights must be finite and >= 0, got " + w);
            }
            Architecture resolved = architecture;
            if (resolved == null) {
                try {
                    resolved = weights.impliedArchitecture().orElse(Architecture.VGG19);
                } catch (WeightLoadException e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
            }
            return new FastStyleTraining(this, resolved);
        }

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
