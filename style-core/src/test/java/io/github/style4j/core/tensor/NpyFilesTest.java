package io.github.style4j.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.testing.SharedFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NpyFilesTest {
    @TempDir
    Path dir;

    /** A .npy v1 file exactly as NumPy's format spec describes it, with the given header text. */
    private Path write(String name, String dict, ByteBuffer data) throws IOException {
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(header.length() & 0xff);
        out.write(header.length() >> 8);
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
        out.write(data.array());
        Path file = dir.resolve(name);
        Files.write(file, out.toByteArray());
        return file;
    }

    @Test
    void readsFloat32InTheSpellingThatCrashesNd4j() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(4 * 6).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            data.putFloat(i * 1.5f);
        }
        Path file = write("w.npy", "{ 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3) }", data);
        INDArray array = NpyFiles.read(file);
        assertArrayEquals(new long[] {2, 3}, array.shape());
        assertEquals(DataType.FLOAT, array.dataType());
        assertEquals(4.5f, array.getFloat(1, 0));
    }

    @Test
    void readsBigEndianDoublesAndOneDimensionalShapes() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(8 * 3).order(ByteOrder.BIG_ENDIAN);
        data.putDouble(1).putDouble(-2).putDouble(3.25);
        INDArray array = NpyFiles.read(write("d.npy", "{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }", data));
        assertArrayEquals(new double[] {1, -2, 3.25}, array.toDoubleVector());
    }

    @Test
    void agreesWithNd4jOnAFileNd4jCanRead() throws IOException {
        Path file = SharedFiles.require("models/squeezenet1.1/test_data_set_0/input_0.npy");
        assertEquals(Nd4j.createFromNpyFile(file.toFile()), NpyFiles.read(file));
    }

    @Test
    void damagedFilesAreErrorsNamingTheFile() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(4 * 5).order(ByteOrder.LITTLE_ENDIAN);
        Path short1 = write("short.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data);
        IOException error = assertThrows(IOException.class, () -> NpyFiles.read(short1));
        assertTrue(error.getMessage().contains("short.npy") && error.getMessage().contains("truncated"),
                error.getMessage());
        Path notNpy = dir.resolve("text.npy");
        Files.writeString(notNpy, "hello there, not numpy");
        assertThrows(IOException.class, () -> NpyFiles.read(notNpy));
        Path fortran = write("f.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }",
                ByteBuffer.allocate(4));
        assertTrue(assertThrows(IOException.class, () -> NpyFiles.read(fortran)).getMessage().contains("Fortran"));
        byte[] truncatedHeader = Arrays.copyOf(Files.readAllBytes(short1), 20);
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, truncatedHeader);
        assertThrows(IOException.class, () -> NpyFiles.read(cut));
    }
}
