package io.github.style4j.samediff.weights;

import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.NetworkWeights;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a feature network's weights come from. {@link #of(Path)} takes any file or folder of
 * weights and tells its format by content: PyTorch {@code .pth} (zip or legacy format), ONNX,
 * Keras HDF5, Caffe {@code .caffemodel}, a DL4J model zip, or a folder of {@code .npy} files.
 * The other sources:
 * <ol>
 *   <li>{@link #zooPretrained()}: the DL4J zoo's ImageNet weights, downloaded once into a
 *       cache with checksum verification;</li>
 *   <li>{@link #dl4jModel(Path)}: a DL4J model zip on disk (what the zoo downloads);</li>
 *   <li>{@link #npyFolder(Path)}: a folder of NumPy {@code .npy} files in the layout of
 *       {@code ../shared/models/squeezenet1.1};</li>
 *   <li>{@link #zooInit(long)}: the zoo's own seeded random initialisation, no download.</li>
 * </ol>
 * Weights are mapped by structure (the order and shapes of the convolutions), since zoo
 * {@code init()} graphs name layers {@code 0}, {@code 1}, ... and the pretrained files use
 * Keras names.
 */
public interface WeightSource {
    /**
     * Loads the weights of {@code architecture}.
     *
     * @throws WeightLoadException saying what failed and what to do
     */
    NetworkWeights load(Architecture architecture) throws WeightLoadException;

    /**
     * The architecture these weights are for, when the source can tell (a file can; the zoo,
     * which serves every architecture, cannot).
     */
    default Optional<Architecture> impliedArchitecture() throws WeightLoadException {
        return Optional.empty();
    }

    /**
     * Weights from a file or folder in any supported format, told apart by content; the
     * architecture is inferred from the file's convolutions, the input convention from the
     * format or, for a {@link KnownWeightFile}, from its publisher.
     */
    static WeightSource of(Path path) {
        return new PathWeights(path);
    }

    /** The DL4J zoo's ImageNet weights, cached in DL4J's usual folder. */
    static WeightSource zooPretrained() {
        return ZooPretrainedWeights.builder().build();
    }

    /** A DL4J {@code ComputationGraph} zip, e.g. one the zoo downloaded. */
    static WeightSource dl4jModel(Path zip) {
        return new Dl4jModelWeights(zip);
    }

    /** {@code .npy} files laid out like {@code ../shared/models/squeezenet1.1} (SqueezeNet only). */
    static WeightSource npyFolder(Path folder) {
        return new NpyFolderWeights(folder);
    }

    /** The zoo model's random initialisation with this seed: for tests and experiments. */
    static WeightSource zooInit(long seed) {
        return new ZooInitWeights(seed);
    }
}
