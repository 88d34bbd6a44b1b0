package io.github.style4j.samediff.weights;

import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.ConvWeights;
import io.github.style4j.samediff.network.NetworkWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the {@code weights} command does, as a library: inspect a weight file or folder, verify
 * it (every value read, every hash checked), and convert it to the {@code .npy} folder layout.
 */
public final class WeightFiles {
    private WeightFiles() {
    }

    /**
     * Format, architecture, layers, convention, hash and recognition of a file or folder. Reads
     * the file's structure and hashes it; reads no weights (except for DL4J zips and folders,
     * which are small enough to load).
     */
    public static WeightReport inspect(Path path) throws WeightLoadException {
        if (!Files.exists(path)) {
            throw new WeightLoadException(path + ": no such weight file or folder");
        }
        if (Files.isDirectory(path)) {
            NetworkWeights weights = WeightSource.of(path).load(null);
            return new WeightReport(path, WeightFormat.NPY_FOLDER, weights.architecture(), sources(weights), List.of(),
                    weights.preprocessing(), folderBytes(path), null, Optional.empty());
        }
        if (PathWeights.isDl4jZip(path)) {
            // From the configuration alone: restoring a VGG-19 zip's 575 MB of parameters is the load's job.
            Architecture architecture = WeightSource.of(path).impliedArchitecture().orElseThrow();
            List<String> layers = List.copyOf(Dl4jGraphs.convolutionsOf(path).keySet());
            long adler32 = ModelDownloader.adler32(path);
            PretrainedFile zoo = ZooPretrainedWeights.zooFile(architecture);
            Optional<String> recognised = adler32 == zoo.adler32()
                    ? Optional.of("DL4J zoo " + architecture + " (ImageNet) [" + zoo.fileName() + "]") : Optional.empty();
            return new WeightReport(path, WeightFormat.DL4J_ZIP, architecture, layers, List.of(),
                    WeightFormat.DL4J_ZIP.defaultPreprocessing(), size(path), sha256(path), recognised);
        }
        try (WeightFile file = WeightFile.open(path)) {
            Architecture architecture = file.architecture().orElse(null);
            return new WeightReport(path, file.format(), architecture, file.layers(), file.skipped(),
                    file.preprocessing(), size(path), file.sha256(), file.knownFile().map(KnownWeightFile::toString));
        } catch (WeightLoadException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightLoadException(path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks a file or folder completely: every convolution read and finite, a folder's
     * {@code SHA256SUMS} (which loading a converted folder skips, for speed), and a file named like a published one against that file's hash.
     *
     * @return the report of the verified file
     * @throws WeightLoadException naming what is wrong
     */
    public static WeightReport verify(Path path) throws WeightLoadException {
        WeightReport report = inspect(path);
        if (report.architecture() == null) {
            WeightSource.of(path).load(null); // throws, saying what the file holds instead
        }
        String name = path.getFileName().toString();
        for (KnownWeightFile known : KnownWeightFile.ALL) {
            if (known.fileName().equals(name) && !report.recognisedAs().equals(Optional.of(known.toString()))) {
                throw new WeightLoadException(path + " is named like " + known + " but its hash differs from the "
                        + "published one (" + known.hashKind() + " " + known.hash() + ", from " + known.hashSource()
                        + "): it is damaged or another file; download it again");
            }
        }
        if (Files.isDirectory(path)) {
            new NpyFolderWeights(path).verifyChecksums();
        }
        NetworkWeights weights = WeightSource.of(path).load(report.architecture());
        for (ConvWeights conv : weights.convolutions()) {
            requireFinite(path, conv.source(), conv.weight());
            requireFinite(path, conv.source(), conv.bias());
        }
        return report;
    }

    /** Writes the weights of a file or folder as a new {@code .npy} folder (see {@link NpyWeightFolders}). */
    public static NetworkWeights convert(Path source, Path target) throws WeightLoadException {
        NetworkWeights weights = WeightSource.of(source).load(null);
        NpyWeightFolders.write(weights, target, weights.description());
        return weights;
    }

    private static void requireFinite(Path path, String layer, INDArray values) throws WeightLoadException {
        if (values.isInfinite().any() || values.isNaN().any()) {
            throw new WeightLoadException(path + ": " + layer + " holds NaN or infinite values; the file is damaged");
        }
    }

    private static List<String> sources(NetworkWeights weights) {
        List<String> names = new ArrayList<>();
        for (ConvWeights conv : weights.convolutions()) {
            names.add(conv.source());
        }
        return names;
    }

    private static long size(Path file) throws WeightLoadException {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new WeightLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static long folderBytes(Path folder) {
        try (Stream<Path> walk = Files.walk(folder)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    private static String sha256(Path file) throws WeightLoadException {
        try {
            return NpyFolderWeights.sha256(file);
        } catch (IOException e) {
            throw new WeightLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
