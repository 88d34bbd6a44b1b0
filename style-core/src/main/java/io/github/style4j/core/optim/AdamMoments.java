package io.github.style4j.core.optim;

import io.github.style4j.core.tensor.NpyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adam's first and second moments as ND4J's updater lays them out: one float32 array
 * {@code [1, 2n]} for {@code n} parameters, the first moments, then the second. Held in memory,
 * or in a {@code .npy} file: when {@link Adam} keeps its state on disk (print-size images), and
 * in a checkpoint read back, so that a large state is never loaded only to be written again.
 */
public sealed interface AdamMoments permits AdamMoments.InMemory, AdamMoments.InFile {
    /** The moments as an array: this one's own, or read from the file. */
    INDArray toArray() throws IOException;

    /** Writes them as a {@code .npy} file (copied, when they already are one). */
    void writeTo(Path file) throws IOException;

    /** Moments in memory: the optimiser's own array, valid during a checkpoint sink's call. */
    record InMemory(INDArray array) implements AdamMoments {
        public InMemory {
            Objects.requireNonNull(array, "array");
        }

        @Override
        public INDArray toArray() {
            return array;
        }

        @Override
        public void writeTo(Path file) throws IOException {
            NpyFiles.write(file, array);
        }
    }

    /** Moments in a float32 {@code .npy} file of shape {@code [1, 2n]}, read when needed. */
    record InFile(Path file) implements AdamMoments {
        public InFile {
            Objects.requireNonNull(file, "file");
        }

        @Override
        public INDArray toArray() throws IOException {
            return NpyFiles.read(file);
        }

        @Override
        public void writeTo(Path target) throws IOException {
            Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
