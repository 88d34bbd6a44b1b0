package io.github.style4j.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.tensor.NpyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A run stopped at a checkpoint and resumed from disk ends exactly where an uninterrupted run ends. */
class CheckpointTest {
    @TempDir
    Path dir;

    private static INDArray start() {
        double[] x = new double[10];
        for (int i = 0; i < 10; i++) {
            x[i] = i % 2 == 0 ? -1.2 : 1.0;
        }
        return Nd4j.createFromArray(x).castTo(DataType.FLOAT).reshape(2, 5);
    }

    private static java.util.function.Consumer<OptimizerState> sink(Path folder) {
        return state -> {
            try {
                Checkpoints.write(folder, state, Map.of("note", "test"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Test
    void lbfgsResumesExactly() throws Exception {
        Objective f = TestFunctions.rosenbrock();
        OptimizationResult whole = Lbfgs.builder().optHistory(5).optMaxIterations(60).optChangeTolerance(0)
                .optGradientTolerance(0).build().minimize(f, start());
        Lbfgs.builder().optHistory(5).optMaxIterations(30).optChangeTolerance(0).optGradientTolerance(0)
                .optCheckpoints(10, sink(dir)).build().minimize(f, start());
        Checkpoints.Loaded loaded = Checkpoints.read(dir);
        assertEquals(30, loaded.state().iteration());
        assertEquals("test", loaded.extra().get("note"));
        OptimizationResult resumed = Lbfgs.builder().optHistory(5).optMaxIterations(60).optChangeTolerance(0)
                .optGradientTolerance(0).build().resume(f, loaded.state());
        assertEquals(whole.parameters(), resumed.parameters(), "bit for bit");
        assertEquals(whole.loss(), resumed.loss(), 0.0);
        assertEquals(whole.evaluations(), resumed.evaluations());
        assertEquals(60, resumed.iterations());
    }

    /**
     * Bounded, with variables held at the upper bound: a resumed run continues bit for bit.
     * (It sums over held variables afresh where the uninterrupted run updated those sums
     * incrementally; the latter sums afresh at each checkpoint too, so that rounding cannot make
     * the two differ.)
     */
    @Test
    void boundedLbfgsResumesExactly(@org.junit.jupiter.api.io.TempDir Path other) throws Exception {
        Objective f = TestFunctions.rosenbrock();
        double[] values = new double[40];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 2 == 0 ? -1.2 : 1.0;
        }
        INDArray start = org.nd4j.linalg.factory.Nd4j.create(values, new long[] {values.length},
                org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        OptimizationResult whole = Lbfgs.builder().optHistory(5).optBounds(-2, 0.8).optMaxIterations(40)
                .optChangeTolerance(0).optGradientTolerance(0).optCheckpoints(10, sink(other)).build()
                .minimize(f, start);
        Lbfgs.builder().optHistory(5).optBounds(-2, 0.8).optMaxIterations(20).optChangeTolerance(0)
                .optGradientTolerance(0).optCheckpoints(10, sink(dir)).build().minimize(f, start);
        OptimizationResult resumed = Lbfgs.builder().optHistory(5).optBounds(-2, 0.8).optMaxIterations(40)
                .optChangeTolerance(0).optGradientTolerance(0).build().resume(f, Checkpoints.read(dir).state());
        assertEquals(whole.parameters(), resumed.parameters(), "bit for bit");
        assertEquals(whole.loss(), resumed.loss(), 0.0);
        assertEquals(whole.evaluations(), resumed.evaluations());
    }

    @Test
    void adamResumesExactly() throws Exception {
        Objective f = TestFunctions.rosenbrock();
        OptimizationResult whole = Adam.builder().optLearningRate(0.01).optMaxIterations(40).build().minimize(f, start());
        Adam.builder().optLearningRate(0.01).optMaxIterations(25).optCheckpoints(5, sink(dir)).build()
                .minimize(f, start());
        OptimizationResult resumed = Adam.builder().optLearningRate(0.01).optMaxIterations(40).build()
                .resume(f, Checkpoints.read(dir).state());
        assertEquals(whole.parameters(), resumed.parameters());
        assertEquals(whole.loss(), resumed.loss(), 0.0);
    }

    @Test
    void onlyTheLatestCompleteCheckpointIsKept() throws Exception {
        Lbfgs.builder().optMaxIterations(12).optChangeTolerance(0).optGradientTolerance(0)
                .optCheckpoints(3, sink(dir)).build().minimize(TestFunctions.rosenbrock(), start());
        try (var entries = Files.list(dir)) {
            var names = entries.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(2, names.size(), names.toString());
            assertTrue(names.contains("latest"));
        }
        assertEquals(12, Checkpoints.read(dir).state().iteration());
    }

    @Test
    void aStateOfTheOtherOptimiserIsRefused() throws Exception {
        Adam.builder().optMaxIterations(2).optCheckpoints(1, sink(dir)).build()
                .minimize(TestFunctions.rosenbrock(), start());
        var error = assertThrows(IllegalArgumentException.class,
                () -> Lbfgs.builder().build().resume(TestFunctions.rosenbrock(), Checkpoints.read(dir).state()));
        assertTrue(error.getMessage().contains("Adam"), error.getMessage());
        assertThrows(IOException.class, () -> Checkpoints.read(dir.resolve("empty")));
    }

    @Test
    void npyWriterRoundTripsExactly() throws Exception {
        INDArray floats = Nd4j.rand(DataType.FLOAT, 3, 4, 5);
        INDArray doubles = Nd4j.rand(DataType.DOUBLE, 7);
        Path a = dir.resolve("a.npy");
        Path b = dir.resolve("b.npy");
        Files.write(a, NpyFiles.toBytes(floats));
        Files.write(b, NpyFiles.toBytes(doubles));
        assertEquals(floats, NpyFiles.read(a));
        assertEquals(doubles, NpyFiles.read(b));
        assertEquals(floats, Nd4j.createFromNpyFile(a.toFile()), "ND4J's own reader agrees");
    }
}
