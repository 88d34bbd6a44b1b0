package io.github.style4j.samediff.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownWeightFileTest {
    @Test
    void everyHashHasTheLengthOfItsKindAndEveryFileIsListedOnce() {
        Set<String> names = new HashSet<>();
        for (KnownWeightFile known : KnownWeightFile.ALL) {
            int length = switch (known.hashKind()) {
                case SHA256 -> 64;
                case SHA256_PREFIX -> 8;
                case MD5 -> 32;
            };
            assertTrue(known.hash().matches("[0-9a-f]{" + length + "}"), known.toString());
            assertTrue(names.add(known.fileName()), "listed twice: " + known);
        }
    }

    @Test
    void aPrefixMatchesOnlyTheHashesThatStartWithIt() {
        KnownWeightFile vgg19 = KnownWeightFile.ALL.stream().filter(k -> k.fileName().equals("vgg19-dcbb9e9d.pth"))
                .findFirst().orElseThrow();
        assertTrue(vgg19.matches("dcbb9e9d" + "0".repeat(56), null));
        assertFalse(vgg19.matches("dcbb9e9e" + "0".repeat(56), null));
        assertTrue(vgg19.couldBe(WeightFormat.PYTORCH_LEGACY), "torchvision's files are in the legacy format");
        assertFalse(vgg19.couldBe(WeightFormat.ONNX));
    }

    /** A converted folder loads without hashing; verify then catches a changed array. */
    @Test
    void verifyChecksAConvertedFoldersSums(@TempDir Path dir) throws Exception {
        Path source = WeightFormatsTest.fixture("vgg16-torchvision.pth.gz", dir);
        Path folder = dir.resolve("npy");
        WeightFiles.convert(source, folder);
        assertEquals(13, WeightFiles.verify(folder).layers().size());
        Path array = folder.resolve("weights/05_conv3_2_bias.npy");
        byte[] bytes = Files.readAllBytes(array);
        bytes[bytes.length - 1] ^= 1;
        Files.write(array, bytes);
        WeightLoadException e = org.junit.jupiter.api.Assertions.assertThrows(WeightLoadException.class,
                () -> WeightFiles.verify(folder));
        assertTrue(e.getMessage().contains("05_conv3_2_bias.npy") && e.getMessage().contains("SHA256SUMS"),
                e.getMessage());
    }
}
