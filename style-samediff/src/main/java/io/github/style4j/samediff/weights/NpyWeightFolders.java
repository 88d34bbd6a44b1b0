package io.github.style4j.samediff.weights;

import io.github.style4j.core.tensor.NpyFiles;
import io.github.style4j.core.tensor.Preprocessing;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.ConvWeights;
import io.github.style4j.samediff.network.NetworkWeights;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The {@code .npy} folder layout style4j converts any weight file to: the fastest to load (one
 * plain array per file, nothing to parse or skip) and readable by NumPy. A folder holds
 * {@value #DESCRIPTION} (architecture, input convention, pooling, source), {@code SHA256SUMS},
 * and {@code weights/NN_NAME_weight.npy} and {@code _bias.npy} in network order.
 */
public final class NpyWeightFolders {
    /** The file that marks a converted folder and says what it holds. */
    public static final String DESCRIPTION = "style4j-weights.properties";

    private NpyWeightFolders() {
    }

    /**
     * Writes {@code weights} as a new folder {@code target}, completely or not at all: the files
     * go to a temporary folder beside it, renamed into place at the end.
     *
     * @throws WeightLoadException if {@code target} exists (and is not an empty folder) or cannot be written
     */
    public static void write(NetworkWeights weights, Path target, String source) throws WeightLoadException {
        Path absolute = target.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new WeightLoadException("cannot write " + target + ": the folder " + parent + " does not exist");
        }
        if (Files.exists(absolute) && !isEmptyFolder(absolute)) {
            throw new WeightLoadException(target + " already exists; choose a new folder (nothing was overwritten)");
        }
        Path temporary = null;
        try {
            temporary = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".");
            Path arrays = Files.createDirectory(temporary.resolve("weights"));
            List<String> sums = new ArrayList<>();
            List<ConvWeights> convolutions = weights.convolutions();
            List<String> names = ConvNames.canonical(weights.architecture());
            for (int i = 0; i < convolutions.size(); i++) {
                ConvWeights conv = convolutions.get(i);
                String stem = String.format("%02d_%s", i, names.get(i).replace('/', '_'));
                sums.add(writeArray(arrays.resolve(stem + "_weight.npy"), conv.weight().castTo(DataType.FLOAT)));
                sums.add(writeArray(arrays.resolve(stem + "_bias.npy"), conv.bias().castTo(DataType.FLOAT)));
            }
            Properties description = new Properties();
            description.setProperty("architecture", weights.architecture().name());
            description.setProperty("preprocessing", weights.preprocessing().name());
            description.setProperty("ceilModePooling", String.valueOf(weights.ceilModePooling()));
            description.setProperty("source", source);
            try (Writer out = Files.newBufferedWriter(temporary.resolve(DESCRIPTION), StandardCharsets.UTF_8)) {
                description.store(out, "style4j weights: converted, loaded with WeightSource.of(folder)");
            }
            Files.write(temporary.resolve("SHA256SUMS"), sums, StandardCharsets.UTF_8);
            if (Files.exists(absolute)) {
                Files.delete(absolute); // the empty folder the user made for it
            }
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute);
            }
            temporary = null;
        } catch (IOException e) {
            throw new WeightLoadException("cannot write " + target + ": " + e.getMessage()
                    + "; nothing was left behind", e);
        } finally {
            if (temporary != null) {
                deleteTree(temporary);
            }
        }
    }

    /** Reads a folder {@link #write} wrote; checksums were checked by the caller. */
    static NetworkWeights read(Path folder, Architecture requested) throws WeightLoadException {
        Properties description = description(folder);
        Architecture architecture;
        Preprocessing preprocessing;
        try {
            architecture = Architecture.valueOf(description.getProperty("architecture", ""));
            preprocessing = Preprocessing.valueOf(description.getProperty("preprocessing", ""));
        } catch (IllegalArgumentException e) {
            throw new WeightLoadException(folder.resolve(DESCRIPTION) + " names no known architecture and input "
                    + "convention; convert the weights again", e);
        }
        if (requested != null && requested != architecture) {
            throw new WeightLoadException(folder + " holds " + architecture + " weights, but " + requested
                    + " was asked for");
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(folder.resolve("weights"))) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".npy"))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new WeightLoadException(folder + " has no readable weights/ folder", e);
        }
        List<ConvWeights> convolutions = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (!name.endsWith("_weight.npy")) {
                continue;
            }
            String stem = name.substring(0, name.length() - "_weight.npy".length());
            Path bias = file.resolveSibling(stem + "_bias.npy");
            convolutions.add(new ConvWeights(stem.substring(stem.indexOf('_') + 1), NpyFolderWeights.read(file),
                    NpyFolderWeights.read(bias), Activation.IDENTITY));
        }
        try {
            return new NetworkWeights(architecture, convolutions, preprocessing,
                    Boolean.parseBoolean(description.getProperty("ceilModePooling")),
                    "npy " + folder.getFileName() + " (from " + description.getProperty("source", "?") + ")");
        } catch (IllegalArgumentException e) {
            throw new WeightLoadException(folder + ": " + e.getMessage(), e);
        }
    }

    static Properties description(Path folder) throws WeightLoadException {
        Properties description = new Properties();
        try (Reader in = Files.newBufferedReader(folder.resolve(DESCRIPTION), StandardCharsets.UTF_8)) {
            description.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new WeightLoadException("cannot read " + folder.resolve(DESCRIPTION) + ": " + e.getMessage(), e);
        }
        return description;
    }

    private static String writeArray(Path file, org.nd4j.linalg.api.ndarray.INDArray array) throws IOException {
        byte[] bytes = NpyFiles.toBytes(array);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(bytes);
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)) + "  weights/"
                    + file.getFileName();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isEmptyFolder(Path folder) {
        try (Stream<Path> list = Files.list(folder)) {
            return list.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path folder) {
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a hidden temporary folder is left
        }
    }
}
