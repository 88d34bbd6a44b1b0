package io.github.style4j.samediff.weights;

import io.github.style4j.core.tensor.NpyFiles;
import io.github.style4j.core.tensor.Preprocessing;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.ConvWeights;
import io.github.style4j.samediff.network.NetworkWeights;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Weights as NumPy files, in one of two layouts:
 * <ul>
 *   <li>the layout of {@code ../shared/models/squeezenet1.1} (SqueezeNet only, ONNX model zoo /
 *       MXNet Gluon names): {@code weights/squeezenet0_convN_weight.npy} and {@code ..._bias.npy},
 *       N = 0..25 in network order; torchvision-convention weights (RGB input normalised by
 *       ImageNet mean/std, ceil-mode pooling);</li>
 *   <li>the layout {@code style4j weights convert} writes, for any architecture: a
 *       {@link NpyWeightFolders#DESCRIPTION} file naming the architecture, input convention and
 *       pooling, and {@code weights/NN_NAME_weight.npy} / {@code _bias.npy} in network order.</li>
 * </ul>
 * Weights are {@code [out, in, kH, kW]}. If the folder has a {@code SHA256SUMS} file, every
 * weight file is checked against it first.
 */
final class NpyFolderWeights implements WeightSource {
    private final Path folder;

    NpyFolderWeights(Path folder) {
        this.folder = folder;
    }

    @Override
    public NetworkWeights load(Architecture architecture) throws WeightLoadException {
        if (Files.isRegularFile(folder.resolve(NpyWeightFolders.DESCRIPTION))) {
            // A converted folder is made to load fast: its sizes and shapes are checked here, its
            // SHA256SUMS by WeightFiles.verify (./style4j weights verify).
            return NpyWeightFolders.read(folder, architecture);
        }
        if (architecture != Architecture.SQUEEZENET) {
            throw new WeightLoadException(folder + " holds SqueezeNet 1.1 weights (the layout of "
                    + "../shared/models/squeezenet1.1), not " + architecture);
        }
        Path weights = folder.resolve("weights");
        if (!Files.isDirectory(weights)) {
            throw new WeightLoadException(folder + " has no weights/ folder; expected the layout of "
                    + "../shared/models/squeezenet1.1 (weights/squeezenet0_convN_weight.npy)");
        }
        verifyChecksums();
        int count = architecture.convolutionShapes().size();
        List<ConvWeights> convolutions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String stem = "squeezenet0_conv" + i;
            convolutions.add(new ConvWeights(stem, read(weights.resolve(stem + "_weight.npy")),
                    read(weights.resolve(stem + "_bias.npy")), Activation.IDENTITY));
        }
        try {
            return new NetworkWeights(architecture, convolutions, Preprocessing.TORCHVISION, true, "npy " + folder);
        } catch (IllegalArgumentException e) {
            throw new WeightLoadException(e.getMessage(), e);
        }
    }

    static INDArray read(Path file) throws WeightLoadException {
        if (!Files.isRegularFile(file)) {
            throw new WeightLoadException(file + " is missing");
        }
        try {
            return NpyFiles.read(file);
        } catch (IOException | RuntimeException e) {
            throw new WeightLoadException(file + " is not a readable .npy array (" + e.getMessage() + ")", e);
        }
    }

    void verifyChecksums() throws WeightLoadException {
        Path sums = folder.resolve("SHA256SUMS");
        if (!Files.isRegularFile(sums)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(sums)) {
                String[] parts = line.trim().split("\\s+\\*?", 2);
                String name = parts.length == 2 && parts[1].startsWith("./") ? parts[1].substring(2)
                        : parts.length == 2 ? parts[1] : "";
                if (!name.startsWith("weights/")) {
                    continue;
                }
                Path file = folder.resolve(name);
                String actual = sha256(file);
                if (!actual.equalsIgnoreCase(parts[0])) {
                    throw new WeightLoadException(file + " does not match SHA256SUMS (expected " + parts[0]
                            + ", found " + actual + "); the file is damaged, replace it");
                }
            }
        } catch (IOException e) {
            if (e instanceof WeightLoadException w) {
                throw w;
            }
            throw new WeightLoadException("cannot verify " + sums + ": " + e.getMessage(), e);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "npyFolder(" + folder + ")";
    }
}
