package io.github.style4j.samediff.weights;

import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.NetworkWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

/** A DL4J {@code ComputationGraph} zip on disk, such as the zoo's pretrained download. */
final class Dl4jModelWeights implements WeightSource {
    private final Path zip;

    Dl4jModelWeights(Path zip) {
        this.zip = zip;
    }

    @Override
    public NetworkWeights load(Architecture architecture) throws WeightLoadException {
        return Dl4jGraphs.extract(architecture, read(zip), "DL4J model " + zip);
    }

    static ComputationGraph read(Path zip) throws WeightLoadException {
        if (!Files.isRegularFile(zip)) {
            throw new WeightLoadException(zip + ": no such model file; pass the path of a DL4J model zip");
        }
        try {
            return ModelSerializer.restoreComputationGraph(zip.toFile(), false);
        } catch (Exception e) {
            throw new WeightLoadException(zip + " is not a readable DL4J ComputationGraph zip (" + e + "); "
                    + "it may be damaged or a different kind of file", e);
        }
    }

    @Override
    public String toString() {
        return "dl4jModel(" + zip + ")";
    }
}
