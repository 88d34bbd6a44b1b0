package io.github.style4j.samediff.fast;

import io.github.style4j.core.image.ImageException;
import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.Resizing;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.tensor.ImageTensors;
import io.github.style4j.samediff.loss.ContentLoss;
import io.github.style4j.samediff.loss.StyleLoss;
import io.github.style4j.samediff.loss.StyleTargets;
import io.github.style4j.samediff.loss.TotalVariationLoss;
import io.github.style4j.samediff.network.FeatureNetwork;
import io.github.style4j.samediff.weights.WeightLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link TransformerNetwork} for one style (Johnson et al. 2016): style4j's own
 * {@link ContentLoss} (each photo its own target, fed per batch), {@link StyleLoss} (Gram targets
 * of the style image, computed once) and {@link TotalVariationLoss} on a frozen feature network,
 * minimised with ND4J's Adam updater on random crops of the photos. Each step runs op by op
 * ({@link TrainingStep}): the transformer forward and backward, the loss network as an eager
 * pass that computes no weight gradients, the losses in their array forms.
 *
 * <p>Batches are drawn from a generator seeded by the seed and the iteration, so a resumed
 * training sees the batches an uninterrupted one would. A non-finite loss stops training with
 * a {@link TrainingDivergedException} that carries the last good weights.
 */
public final class FastStyleTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(FastStyleTrainer.class);
    static final String PHOTO = "photo";
    /** Names of the reported terms (weighted) and their sum. */
    public static final String CONTENT = "content";
    public static final String STYLE = "style";
    public static final String TV = "tv";
    public static final String TOTAL = "total";

    /** What a training reports as it goes. */
    public interface Listener {
        /** Before the first iteration: the photos in use, those skipped, where training starts. */
        default void started(FastStyleTraining config, List<Path> photos, List<String> skipped, int startIteration) {
        }

        default void iterationDone(Progress progress) {
        }

        default void checkpointSaved(Path file, int iteration) {
        }
    }

    /** One iteration: the weighted terms of its batch and the seconds it took. */
    public record Progress(int iteration, int iterations, Map<String, Double> terms, double seconds) {
    }

    private final FastStyleTraining config;

    public FastStyleTrainer(FastStyleTraining config) {
        this.config = config;
    }

    /** Trains without a listener: see {@link #train(Listener)}. */
    public FastStyleModel train() throws IOException, ImageException, WeightLoadException {
        return train(new Listener() { });
    }

    /**
     * Trains and returns the model (without optimiser state).
     *
     * @throws TrainingDivergedException if the loss stops being finite (it carries the last good weights)
     */
    public FastStyleModel train(Listener listener) throws IOException, ImageException, WeightLoadException {
        ImageReader reader = ImageReader.defaults();
        byte[] styleBytes = Files.readAllBytes(config.styleImage());
        // Decoded from the bytes hashed for the manifest: the file is read once.
        RgbImage style = Resizing.fitToMaxSide(reader.read(styleBytes, config.styleImage()).withoutAlpha(),
                config.styleSize());
        PhotoCrops crops = new PhotoCrops(PhotoCrops.list(config.photos()), config.imageSize(), reader);
        FeatureNetwork network = FeatureNetwork.builder().setWeights(config.weights().load(config.architecture())).build();
        Map<String, Double> contentLayers = canonical(network, config.contentLayers());
        Map<String, Double> styleLayers = canonical(network, config.styleLayers());

        ObjectNode manifest = manifest(styleBytes, crops);
        TransformerNetwork transformer = config.transformer();
        Map<String, INDArray> values = transformer.initialVariables(config.seed(), DataType.FLOAT);
        FastStyleModel resumed = null;
        if (config.resume() && Files.exists(config.checkpoint())) {
            resumed = FastStyleModel.load(config.checkpoint());
            String settings = resumed.manifestNode().path("settings").asText();
            if (!settings.equals(config.resultSettings())) {
                throw new IllegalArgumentException("the checkpoint " + config.checkpoint()
                        + " is from a training with other settings; remove it or train with the same ones.\n  it has:   "
                        + settings + "\n  this one: " + config.resultSettings());
            }
            if (!resumed.isCheckpoint()) {
                throw new IllegalArgumentException(config.checkpoint() + " is a finished model, not a checkpoint");
            }
            values = new LinkedHashMap<>(resumed.variables());
        }

        // The trainer's own copies, updated in place: the step's pass reads them as they are.
        Map<String, INDArray> live = new LinkedHashMap<>();
        values.forEach((name, value) -> live.put(name, value.castTo(DataType.FLOAT).dup('c')));
        INDArray styleTensor = ImageTensors.toTensor(style);
        StyleLoss.Builder styleBuilder = StyleLoss.builder().optName("style_raw").optNormalization(config.normalization())
                .setTargets(StyleTargets.fromImages(network, List.of(styleTensor), new double[] {1},
                        styleLayers.keySet()));
        styleLayers.forEach(styleBuilder::addLayer);

        Map<String, GradientUpdater> updaters = updaters(transformer, config.learningRate());
        int start = 0;
        if (resumed != null) {
            restoreUpdaters(updaters, resumed);
            start = resumed.iteration();
        }
        listener.started(config, crops.photos(), crops.skipped(), start);
        LOG.info("training {} from iteration {} on {} photos ({} skipped)", transformer, start, crops.photos().size(),
                crops.skipped().size());

        Map<String, INDArray> lastGood = snapshot(live);
        double seconds = resumed == null ? 0 : resumed.manifestNode().path("training").path("seconds").asDouble(0);
        try (TrainingStep step = new TrainingStep(transformer, live, network, contentLayers, styleBuilder.build(),
                config.contentWeight(), config.styleWeight(), config.tvWeight())) {
            for (int iteration = start; iteration < config.iterations(); iteration++) {
                long began = System.nanoTime();
                INDArray batch = crops.batch(config.batchSize(), new Random(config.seed() * 1_000_003L + iteration));
                TrainingStep.Result result = step.run(batch);
                Map<String, Double> terms = result.terms();
                double loss = terms.get(TOTAL);
                for (String name : transformer.variableShapes().keySet()) {
                    // ND4J's Adam, as SameDiff's fit applies it: the updater turns the gradient into the step in place.
                    INDArray gradient = result.gradients().get(name);
                    updaters.get(TransformerNetwork.variableName(name)).applyUpdater(gradient, iteration, 0);
                    live.get(name).subi(gradient);
                    gradient.close();
                }
                batch.close();
                double elapsed = (System.nanoTime() - began) / 1e9;
                seconds += elapsed;
                if (!Double.isFinite(loss) || !finite(live)) {
                    FastStyleModel good = model(transformer, lastGood, manifest, iteration, seconds, null);
                    throw new TrainingDivergedException("the loss became " + loss + " at iteration " + (iteration + 1)
                            + "; the weights from iteration " + iteration + " are kept. Lower the learning rate (now "
                            + config.learningRate() + ") or the style weight.", good);
                }
                lastGood = snapshot(live);
                listener.iterationDone(new Progress(iteration + 1, config.iterations(), Map.copyOf(terms), elapsed));
                boolean last = iteration + 1 == config.iterations();
                if (config.checkpoint() != null && ((iteration + 1) % config.checkpointEvery() == 0 || last)) {
                    model(transformer, lastGood, manifest, iteration + 1, seconds, updaterState(updaters))
                            .save(config.checkpoint());
                    listener.checkpointSaved(config.checkpoint(), iteration + 1);
                }
            }
        }
        return model(transformer, lastGood, manifest, config.iterations(), seconds, null);
    }

    private FastStyleModel model(TransformerNetwork transformer, Map<String, INDArray> values, ObjectNode manifest,
                                 int iteration, double seconds, Map<String, Map<String, INDArray>> updater) {
        ObjectNode copy = manifest.deepCopy();
        ((ObjectNode) copy.get("training")).put("iterations", iteration).put("seconds", Math.round(seconds * 10) / 10.0);
        return new FastStyleModel(transformer, values, copy, updater, iteration);
    }

    private ObjectNode manifest(byte[] styleBytes, PhotoCrops crops) {
        ObjectNode manifest = FastStyleModel.newManifest();
        manifest.put("settings", config.resultSettings());
        ObjectNode style = manifest.putObject("style");
        style.put("file", config.styleImage().getFileName().toString());
        style.put("sha256", FastStyleModel.sha256(styleBytes));
        style.put("size", config.styleSize());
        ObjectNode lossNetwork = manifest.putObject("lossNetwork");
        lossNetwork.put("architecture", config.architecture().name());
        lossNetwork.put("weights", config.weights().toString());
        ObjectNode loss = manifest.putObject("loss");
        loss.putPOJO("contentLayers", config.contentLayers());
        loss.putPOJO("styleLayers", config.styleLayers());
        loss.put("contentWeight", config.contentWeight());
        loss.put("styleWeight", config.styleWeight());
        loss.put("tvWeight", config.tvWeight());
        loss.put("gramNormalization", config.normalization().name());
        ObjectNode training = manifest.putObject("training");
        training.put("photos", crops.photos().size());
        ArrayNode names = training.putArray("files");
        crops.photos().stream().limit(200).forEach(p -> names.add(p.getFileName().toString()));
        training.put("skipped", crops.skipped().size());
        training.put("batch", config.batchSize());
        training.put("cropSize", config.imageSize());
        training.put("learningRate", config.learningRate());
        training.put("seed", config.seed());
        training.put("augmentation", "random square crops of 1/2 to all of the shorter side, resized; left-right flips");
        manifest.put("preprocessing", "input and output RGB in [0, 1], sRGB as stored; sides padded by reflection "
                + "to multiples of " + TransformerNetwork.SIZE_MULTIPLE + " and cropped back");
        return manifest;
    }

    /** ND4J's Adam (the updater SameDiff's {@code fit} uses), one per variable, on state arrays of its own. */
    private static Map<String, GradientUpdater> updaters(TransformerNetwork transformer, double learningRate) {
        Adam adam = new Adam(learningRate);
        Map<String, GradientUpdater> updaters = new LinkedHashMap<>();
        transformer.variableShapes().forEach((name, shape) -> {
            long n = java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            long[] viewShape = {1, adam.stateSize(n)};
            // As SameDiff's fit sets them up: m and v views of one state array, shaped like the variable.
            INDArray view = Nd4j.zeros(DataType.FLOAT, viewShape);
            GradientUpdater updater = adam.instantiate(view, false);
            updater.setStateViewArray(view, shape, 'c', true);
            updaters.put(TransformerNetwork.variableName(name), updater);
        });
        return updaters;
    }

    @SuppressWarnings("unchecked")
    private static void restoreUpdaters(Map<String, GradientUpdater> updaters, FastStyleModel checkpoint) {
        for (Map.Entry<String, Map<String, INDArray>> entry : checkpoint.updaterState().entrySet()) {
            GradientUpdater updater = updaters.get(TransformerNetwork.variableName(entry.getKey()));
            Map<String, INDArray> state = updater.getState();
            for (Map.Entry<String, INDArray> saved : entry.getValue().entrySet()) {
                INDArray target = state.get(saved.getKey());
                if (target == null || !java.util.Arrays.equals(target.shape(), saved.getValue().shape())) {
                    throw new IllegalArgumentException("the checkpoint's optimiser state for " + entry.getKey()
                            + " does not fit this training");
                }
                target.assign(saved.getValue());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, INDArray>> updaterState(Map<String, GradientUpdater> updaters) {
        Map<String, Map<String, INDArray>> state = new LinkedHashMap<>();
        updaters.forEach((name, updater) -> {
            Map<String, INDArray> copies = new LinkedHashMap<>();
            ((Map<String, INDArray>) updater.getState()).forEach((key, value) -> copies.put(key, value.dup()));
            state.put(name.substring("transformer/".length()), copies);
        });
        return state;
    }

    private static Map<String, INDArray> snapshot(Map<String, INDArray> live) {
        Map<String, INDArray> values = new LinkedHashMap<>();
        live.forEach((name, value) -> values.put(name, value.dup()));
        return values;
    }

    private static boolean finite(Map<String, INDArray> live) {
        for (INDArray value : live.values()) {
            if (value.isNaN().any() || value.isInfinite().any()) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Double> canonical(FeatureNetwork network, Map<String, Double> layers) {
        Map<String, Double> names = new LinkedHashMap<>();
        layers.forEach((layer, weight) -> names.put(network.architecture().canonicalName(layer), weight));
        return names;
    }

}
