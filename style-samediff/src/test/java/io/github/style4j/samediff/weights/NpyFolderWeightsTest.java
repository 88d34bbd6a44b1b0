package io.github.style4j.samediff.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.tensor.NpyFiles;
import io.github.style4j.core.tensor.Preprocessing;
import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.NetworkWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyFolderWeightsTest {
    @Test
    void loadsTheSharedSqueezeNetWithItsConventions() throws Exception {
        Path folder = SharedFiles.require("models/squeezenet1.1");
        NetworkWeights weights = WeightSource.npyFolder(folder).load(Architecture.SQUEEZENET);
        assertEquals(26, weights.convolutions().size());
        assertEquals(Preprocessing.TORCHVISION, weights.preprocessing());
        assertTrue(weights.ceilModePooling());
        assertEquals(NpyFiles.read(folder.resolve("weights/squeezenet0_conv7_weight.npy")),
                weights.convolutions().get(7).weight());
    }

    @Test
    void refusesOtherArchitecturesAndBrokenFolders(@TempDir Path dir) throws Exception {
        WeightLoadException vgg = assertThrows(WeightLoadException.class,
                () -> WeightSource.npyFolder(dir).load(Architecture.VGG19));
        assertTrue(vgg.getMessage().contains("SqueezeNet"), vgg.getMessage());
        WeightLoadException empty = assertThrows(WeightLoadException.class,
                () -> WeightSource.npyFolder(dir).load(Architecture.SQUEEZENET));
        assertTrue(empty.getMessage().contains("weights/"), empty.getMessage());
        Files.createDirectories(dir.resolve("weights"));
        WeightLoadException missing = assertThrows(WeightLoadException.class,
                () -> WeightSource.npyFolder(dir).load(Architecture.SQUEEZENET));
        assertTrue(missing.getMessage().contains("squeezenet0_conv0_weight.npy"), missing.getMessage());
    }

    @Test
    void aDamagedWeightFileFailsItsChecksum(@TempDir Path dir) throws Exception {
        Path shared = SharedFiles.require("models/squeezenet1.1");
        Path copy = dir.resolve("squeezenet1.1");
        Files.createDirectories(copy.resolve("weights"));
        Files.copy(shared.resolve("SHA256SUMS"), copy.resolve("SHA256SUMS"));
        try (var files = Files.list(shared.resolve("weights"))) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve("weights").resolve(file.getFileName()));
            }
        }
        Path victim = copy.resolve("weights/squeezenet0_conv3_weight.npy");
        byte[] bytes = Files.readAllBytes(victim);
        bytes[bytes.length - 1] ^= 1;
        Files.write(victim, bytes);
        WeightLoadException error = assertThrows(WeightLoadException.class,
                () -> WeightSource.npyFolder(copy).load(Architecture.SQUEEZENET));
        assertTrue(error.getMessage().contains("squeezenet0_conv3_weight.npy") && error.getMessage().contains("SHA256SUMS"),
                error.getMessage());
    }
}
