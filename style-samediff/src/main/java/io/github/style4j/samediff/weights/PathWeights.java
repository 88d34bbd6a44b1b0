package io.github.style4j.samediff.weights;

import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.NetworkWeights;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.ZipFile;

/**
 * Weights from a path, whatever they are: told apart by content. A folder is a {@code .npy}
 * folder; a zip holding {@code configuration.json} and {@code coefficients.bin} a DL4J model;
 * anything else goes to {@link WeightFile} (PyTorch, ONNX, Keras HDF5, Caffe).
 */
final class PathWeights implements WeightSource {
    private final Path path;

    PathWeights(Path path) {
        this.path = path;
    }

    @Override
    public NetworkWeights load(Architecture architecture) throws WeightLoadException {
        if (Files.isDirectory(path)) {
            return new NpyFolderWeights(path).load(architecture == null ? impliedFolderArchitecture() : architecture);
        }
        if (isDl4jZip(path)) {
            Architecture target = architecture != null ? architecture : impliedArchitecture().orElseThrow();
            return new Dl4jModelWeights(path).load(target);
        }
        try (WeightFile file = WeightFile.open(path)) {
            return file.load(architecture);
        } catch (WeightLoadException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightLoadException(path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Architecture> impliedArchitecture() throws WeightLoadException {
        if (Files.isDirectory(path)) {
            return Optional.of(impliedFolderArchitecture());
        }
        if (isDl4jZip(path)) {
            Architecture architecture = Dl4jGraphs.architectureOf(path);
            if (architecture == null) {
                throw new WeightLoadException(path + " is a DL4J model but none of VGG-16, VGG-19 or SqueezeNet 1.1");
            }
            return Optional.of(architecture);
        }
        try (WeightFile file = WeightFile.open(path)) {
            return file.architecture();
        } catch (WeightLoadException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightLoadException(path + ": " + e.getMessage(), e);
        }
    }

    private Architecture impliedFolderArchitecture() throws WeightLoadException {
        if (Files.isRegularFile(path.resolve(NpyWeightFolders.DESCRIPTION))) {
            try {
                return Architecture.valueOf(NpyWeightFolders.description(path).getProperty("architecture", ""));
            } catch (IllegalArgumentException e) {
                throw new WeightLoadException(path.resolve(NpyWeightFolders.DESCRIPTION) + " names no architecture");
            }
        }
        return Architecture.SQUEEZENET; // the only network of the ../shared layout
    }

    /** Whether the file is a zip with DL4J's model entries (a PyTorch zip has NAME/data.pkl instead). */
    static boolean isDl4jZip(Path file) throws WeightLoadException {
        if (!Files.isRegularFile(file)) {
            throw new WeightLoadException(file + ": no such weight file or folder");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            if (head.length < 4 || head[0] != 'P' || head[1] != 'K' || head[2] != 3 || head[3] != 4) {
                return false;
            }
        } catch (IOException e) {
            throw new WeightLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return zip.getEntry("configuration.json") != null && zip.getEntry("coefficients.bin") != null;
        } catch (IOException e) {
            return false; // WeightFile reports what is wrong with the zip
        }
    }

    @Override
    public String toString() {
        return "weights(" + path + ")";
    }
}
