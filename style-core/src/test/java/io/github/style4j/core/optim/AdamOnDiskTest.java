package io.github.style4j.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam with its state on disk ({@link Adam.Builder#optStateOnDisk}) against Adam in memory: the
 * same iterates bit for bit, across chunk borders (small chunks, a short last one), with clamping,
 * NaN rollback and checkpoints; the files gone afterwards.
 */
class AdamOnDiskTest {
    private static final int N = 1003; // 15 chunks of 64 and one of 43
    private static final int CHUNK = 64;

    @TempDir
    Path folder;

    /** A float32 separable quadratic Σ c_i (x_i - t_i)² whose minimiser lies partly outside [0, 1]. */
    private static Objective quadratic() {
        INDArray curvature = Nd4j.linspace(DataType.FLOAT, 0.5, 20, N).reshape(1, N);
        INDArray target = Nd4j.linspace(DataType.FLOAT, -0.5, 1.5, N).reshape(1, N);
        return x -> {
            INDArray difference = x.sub(target);
            double loss = difference.mul(difference).muli(curvature).sumNumber().doubleValue();
            return new Evaluation(loss, difference.muli(curvature).muli(2), Map.of());
        };
    }

    /** Fixed, inside [0, 1], running against the targets (0.7 where they are -0.5, 0.3 where 1.5). */
    private static INDArray start() {
        return Nd4j.linspace(DataType.FLOAT, 0.7, 0.3, N).reshape(1, N);
    }

    /** Steps of about 0.05: within 30 iterations the coordinates whose targets lie outside [0, 1] reach the bounds. */
    private static Adam.Builder adam(int iterations) {
        return Adam.builder().optLearningRate(0.05).optMaxIterations(iterations).optClamp(0, 1);
    }

    @Test
    void takesTheSameStepsAsInMemoryAndLeavesNoFiles() throws IOException {
        INDArray start = start();
        List<StepReport> memorySteps = new ArrayList<>();
        List<StepReport> diskSteps = new ArrayList<>();
        OptimizationResult inMemory = adam(30).addListener(memorySteps::add).build().minimize(quadratic(), start);
        Adam onDisk = adam(30).addListener(diskSteps::add).optStateOnDisk(folder).chunk(CHUNK).build();
        assertTrue(onDisk.toString().contains("state on disk in " + folder), onDisk.toString());
        OptimizationResult fromDisk = onDisk.minimize(quadratic(), start);

        assertEquals(inMemory.parameters(), fromDisk.parameters(), "bit for bit");
        assertEquals(inMemory.loss(), fromDisk.loss(), 0.0);
        for (int i = 0; i < memorySteps.size(); i++) {
            assertEquals(memorySteps.get(i).stepLength(), diskSteps.get(i).stepLength(),
                    1e-5 * memorySteps.get(i).stepLength(), "step length of iteration " + (i + 1));
        }
        double min = fromDisk.parameters().minNumber().doubleValue();
        double max = fromDisk.parameters().maxNumber().doubleValue();
        assertTrue(min == 0 && max == 1, "clamped at both bounds: [" + min + ", " + max + "]");
        try (var left = Files.list(folder)) {
            assertEquals(List.of(), left.toList(), "temporary state files removed");
        }
    }

    @Test
    void aNanReturnsThePointBeforeTheStepReadBackFromDisk() {
        List<INDArray> seen = new ArrayList<>();
        Objective objective = quadratic();
        Objective poisoned = p -> {
            seen.add(p.dup());
            return seen.size() == 8 ? new Evaluation(Double.NaN, p.dup(), Map.of()) : objective.evaluate(p);
        };
        OptimizationResult result = adam(50).optStateOnDisk(folder).chunk(CHUNK).build().minimize(poisoned, start());
        assertEquals(StopReason.NON_FINITE, result.reason());
        assertEquals(seen.get(6), result.parameters(), "the 7th evaluated point, the last finite one");
        assertEquals(6, result.iterations());
    }

    @Test
    void checkpointsOnDiskResumeExactlyInMemoryOrOnDisk() throws IOException {
        INDArray start = start();
        OptimizationResult whole = adam(40).build().minimize(quadratic(), start);
        Path checkpoints = folder.resolve("checkpoints");
        Path state = Files.createDirectories(folder.resolve("state"));
        adam(25).optStateOnDisk(state).chunk(CHUNK).optCheckpoints(5, s -> {
            assertTrue(s instanceof OptimizerState.Adam adam && adam.moments() instanceof AdamMoments.InFile,
                    "a state on disk is checkpointed from its file");
            try {
                Checkpoints.write(checkpoints, s, Map.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).build().minimize(quadratic(), start);

        OptimizerState saved = Checkpoints.read(checkpoints).state();
        assertEquals(25, saved.iteration());
        OptimizationResult inMemory = adam(40).build().resume(quadratic(), saved);
        OptimizationResult onDisk = adam(40).optStateOnDisk(state).chunk(CHUNK).build().resume(quadratic(), saved);
        assertEquals(whole.parameters(), inMemory.parameters(), "resumed in memory, bit for bit");
        assertEquals(whole.parameters(), onDisk.parameters(), "resumed on disk, bit for bit");
        try (var left = Files.list(state)) {
            assertEquals(List.of(), left.toList(), "temporary state files removed");
        }
    }

    @Test
    void aFolderThatCannotHoldTheStateIsNamed() throws IOException {
        Path notAFolder = Files.writeString(folder.resolve("file"), "x");
        RuntimeException error = assertThrows(RuntimeException.class, () -> adam(3).optStateOnDisk(notAFolder).build()
                .minimize(quadratic(), start()));
        assertTrue(error.getMessage().contains(notAFolder.toString()), error.getMessage());
        IllegalArgumentException doubles = assertThrows(IllegalArgumentException.class, () -> adam(3)
                .optStateOnDisk(folder).build().minimize(quadratic(), Nd4j.rand(DataType.DOUBLE, 1, N)));
        assertTrue(doubles.getMessage().contains("float32"), doubles.getMessage());
    }

    /**
     * A killed run cannot delete its moments file (deleteOnExit does not run): the next run
     * deletes those no process holds a lock on and nobody has written for an hour, and leaves
     * a file another process holds (a second JVM here), a recent one and files of other names.
     */
    @Test
    void stateFilesLeftByKilledRunsAreDeletedByTheNextRun() throws Exception {
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(Adam.STALE_AFTER).minusSeconds(60));
        Path stale = Files.write(folder.resolve(Adam.MOMENTS_PREFIX + "1.npy"), new byte[16]);
        Path held = Files.write(folder.resolve(Adam.MOMENTS_PREFIX + "2.npy"), new byte[16]);
        Path recent = Files.write(folder.resolve(Adam.MOMENTS_PREFIX + "3.npy"), new byte[16]);
        Path other = Files.write(folder.resolve("moments.npy"), new byte[16]);
        for (Path file : List.of(stale, held, other)) {
            Files.setLastModifiedTime(file, old);
        }
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LockHolder.class.getName(), held.toString())
                .redirectErrorStream(true).start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8)).readLine();
            assertEquals("locked", line, "the second JVM did not lock the file");
            Files.setLastModifiedTime(held, old); // opening it for the lock did not write it; to be sure
            // A run with its state in the folder cleans up as it starts, and its own file goes at the end.
            adam(3).optStateOnDisk(folder).chunk(CHUNK).build().minimize(quadratic(), start());
            assertTrue(Files.notExists(stale), "the stale file is still there");
            assertTrue(Files.exists(held), "a file another process holds was deleted");
            assertTrue(Files.exists(recent) && Files.exists(other), "a recent file or another name was deleted");
            try (var left = Files.list(folder)) {
                assertEquals(3, left.count(), "the run's own files were not deleted at its end");
            }
        } finally {
            holder.destroyForcibly().waitFor();
        }
        // Once its holder is gone, the held file is stale too.
        assertEquals(1, Adam.removeStaleStateFiles(folder));
        assertTrue(Files.notExists(held));
    }

    /** A second JVM's lock on a file, held until it is killed. */
    static final class LockHolder {
        public static void main(String[] args) throws Exception {
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(Path.of(args[0]),
                    java.nio.file.StandardOpenOption.WRITE);
                 java.nio.channels.FileLock lock = channel.lock()) {
                System.out.println("locked");
                System.out.flush();
                Thread.sleep(120_000);
            }
        }
    }
}
