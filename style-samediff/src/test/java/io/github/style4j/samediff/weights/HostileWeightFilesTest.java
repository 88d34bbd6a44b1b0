package io.github.style4j.samediff.weights;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.samediff.network.Architecture;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Weight files that are not what they claim: pickles that ask to run code, truncated and
 * corrupted files, error pages, other networks. Each must end in one {@link WeightLoadException}
 * naming the file, and nothing from the file may run.
 */
class HostileWeightFilesTest {
    /** The file the malicious fixtures' command would create (see make-weight-fixtures.py). */
    private static final Path MARKER = Path.of("/tmp/style4j-pickle-ran-code");

    @TempDir
    Path dir;

    private WeightLoadException refused(Path file) {
        WeightLoadException e = assertThrows(WeightLoadException.class, () -> WeightSource.of(file).load(null));
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"malicious-os-system.pth", "malicious-legacy.pth"})
    void aPickleThatAsksToRunCodeIsRefusedAndNothingRuns(String name) throws Exception {
        Files.deleteIfExists(MARKER);
        Path file = WeightFormatsTest.fixture(name, dir);
        // The fixture really is the attack: its pickle names os.system (posix.system on Linux).
        assertTrue(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains("system"));
        WeightLoadException e = refused(file);
        assertTrue(e.getMessage().contains("asks to run `posix.system`; refusing"), e.getMessage());
        assertFalse(Files.exists(MARKER), "the pickle's command ran");
    }

    @Test
    void everyOpcodeThatBuildsObjectsIsRefused() {
        // INST, OBJ, NEWOBJ, NEWOBJ_EX, EXT1: object construction or registered code
        for (int op : new int[] {'i', 'o', 0x81, 0x92, 0x82}) {
            ByteBuffer pickle = ByteBuffer.wrap(new byte[] {(byte) 0x80, 2, (byte) op, '.'});
            MalformedWeightsException e = assertThrows(MalformedWeightsException.class,
                    () -> PickleReader.read(pickle, "x.pth"));
            assertTrue(e.getMessage().contains("refusing"), e.getMessage());
        }
        byte[] eval = "\u0080\u0002cbuiltins\neval\nq\u0000.".getBytes(StandardCharsets.ISO_8859_1);
        MalformedWeightsException e = assertThrows(MalformedWeightsException.class,
                () -> PickleReader.read(ByteBuffer.wrap(eval), "x.pth"));
        assertTrue(e.getMessage().contains("`builtins.eval`"), e.getMessage());
    }

    @Test
    void anHtmlErrorPageSavedAsPthIsCalledOne() throws Exception {
        Path file = dir.resolve("vgg19-dcbb9e9d.pth");
        Files.writeString(file, "<!DOCTYPE html>\n<html><body><h1>403 Forbidden</h1></body></html>\n");
        assertTrue(refused(file).getMessage().contains("HTML"));
    }

    @Test
    void anotherNetworkIsNamedAsSuch() throws Exception {
        WeightLoadException e = refused(WeightFormatsTest.fixture("other-network.onnx", dir));
        assertTrue(e.getMessage().contains("2 convolutions") && e.getMessage().contains("another network"),
                e.getMessage());
    }

    @Test
    void aVggWithOneWrongShapeFitsNothing() throws Exception {
        WeightLoadException e = refused(WeightFormatsTest.fixture("vgg16-wrong-shape.pth.gz", dir));
        assertTrue(e.getMessage().contains("13 convolutions") && e.getMessage().contains("fit none"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"vgg16-torchvision.pth.gz", "vgg19-torchvision-legacy.pth.gz", "vgg19-keras2.h5.gz",
            "vgg16-mxnet-names.onnx.gz", "vgg19-caffe-v1.caffemodel.gz"})
    void aTruncatedFileIsAClearErrorAtAnyLength(String name) throws Exception {
        byte[] whole = Files.readAllBytes(WeightFormatsTest.fixture(name, dir));
        for (double fraction : new double[] {0.0001, 0.01, 0.3, 0.7, 0.999}) {
            Path cut = dir.resolve("cut-" + fraction + "-" + name.replace(".gz", ""));
            Files.write(cut, Arrays.copyOf(whole, (int) (whole.length * fraction)));
            refused(cut);
        }
    }

    /**
     * Random damage anywhere: the file either still loads (damaged numbers are still numbers) or
     * fails with a WeightLoadException; never another exception, a hang, or a huge allocation.
     */
    @ParameterizedTest
    @ValueSource(strings = {"vgg19-torchvision-legacy.pth.gz", "vgg19-keras2.h5.gz", "vgg16-mxnet-names.onnx.gz",
            "vgg16-caffe.caffemodel.gz", "vgg16-torchvision.pth.gz"})
    void corruptedBytesNeverEscapeAsAnotherException(String name) throws Exception {
        byte[] whole = Files.readAllBytes(WeightFormatsTest.fixture(name, dir));
        Random random = new Random(name.hashCode());
        // Damage the structure: the first 4 KiB and the last 4 KiB hold headers, pickles, HDF5 metadata.
        for (int round = 0; round < 16; round++) {
            byte[] damaged = whole.clone();
            for (int k = 0; k < 4; k++) {
                int at = random.nextBoolean() ? random.nextInt(Math.min(4096, whole.length))
                        : whole.length - 1 - random.nextInt(Math.min(4096, whole.length));
                damaged[at] = (byte) random.nextInt(256);
            }
            Path file = dir.resolve("damaged-" + round + "-" + name.replace(".gz", ""));
            Files.write(file, damaged);
            try {
                WeightSource.of(file).load(Architecture.values()[round % 2 == 0 ? 0 : 1]);
            } catch (WeightLoadException expected) {
                assertTrue(expected.getMessage().contains(file.toString()), expected.getMessage());
            }
            Files.delete(file);
        }
    }
}
