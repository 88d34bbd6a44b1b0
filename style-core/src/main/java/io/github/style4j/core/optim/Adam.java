package io.github.style4j.core.optim;

import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;

/**
 * Adam (Kingma and Ba 2015) through ND4J's own {@code AdamUpdater}: moments live in one ND4J
 * state array on the device, and each step is ND4J's in-place update, with no copy of the
 * parameters to the host. For parameters too large to keep the moments and the previous point
 * in memory as well (a print-size image), {@link Builder#optStateOnDisk} streams them through
 * temporary files in chunks, with the same updater and the same iterates.
 *
 * <p>ND4J's form (as TensorFlow's) puts epsilon outside the bias correction:
 * {@code x -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)}, which differs from the
 * paper's {@code m_hat / (sqrt(v_hat) + eps)} only in how large epsilon effectively is.
 * Defaults are ND4J's and the paper's: learning rate 0.001, beta1 0.9, beta2 0.999,
 * epsilon 1e-8; 1000 iterations; no clamping.
 */
public final class Adam implements Optimizer {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Adam.class);
    /** Prefix of the moments files in the state folder; {@link #removeStaleStateFiles} knows them by it. */
    static final String MOMENTS_PREFIX = "style4j-adam-moments-";
    /** A moments file nobody has locked and nobody has written for this long was left by a run that was killed. */
    static final java.time.Duration STALE_AFTER = java.time.Duration.ofHours(1);
    /**
     * Moments files of live runs in this JVM: the scan must not open them, since closing any
     * channel to a file releases this JVM's lock on it (POSIX record locks).
     */
    private static final java.util.Set<Path> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Floats per chunk of a state on disk: 16 MB arrays, three of them. */
    static final int DEFAULT_CHUNK = 1 << 22;
    static {
        // Choose ND4J's native build before this class can start ND4J.
        io.github.style4j.core.backend.NativeBuildSelector.select();
    }

    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final int maxIterations;
    private final double clampMin;
    private final double clampMax;
    private final List<OptimizationListener> listeners;
    private final java.util.function.BooleanSupplier stopWhen;
    private final int checkpointEvery;
    private final java.util.function.Consumer<OptimizerState> checkpointSink;
    private final Path stateFolder;
    private final int chunk;

    private Adam(Builder builder) {
        this.learningRate = builder.learningRate;
        this.beta1 = builder.beta1;
        this.beta2 = builder.beta2;
        this.epsilon = builder.epsilon;
        this.maxIterations = builder.maxIterations;
        this.clampMin = builder.clampMin;
        this.clampMax = builder.clampMax;
        this.listeners = List.copyOf(builder.listeners);
        this.stopWhen = builder.stopWhen;
        this.checkpointEvery = builder.checkpointEvery;
        this.checkpointSink = builder.checkpointSink;
        this.stateFolder = builder.stateFolder;
        this.chunk = builder.chunk;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public OptimizationResult minimize(Objective objective, INDArray initial) {
        io.github.style4j.core.backend.Backend.start();
        INDArray x = initial.dup('c');
        Evaluation evaluation = objective.evaluate(x);
        if (!evaluation.isFinite()) {
            return new OptimizationResult(x, evaluation.loss(), 0, 1, StopReason.NON_FINITE,
                    "the objective is not finite at the starting point");
        }
        checkOnDisk(x);
        try (StepMemory memory = stateFolder == null ? new InMemory(Nd4j.zeros(x.dataType(), 1, 2 * x.length()))
                : new OnDisk(x.length(), null)) {
            return run(objective, x, evaluation, memory, 0, 1);
        }
    }

    @Override
    public OptimizationResult resume(Objective objective, OptimizerState state) {
        io.github.style4j.core.backend.Backend.start();
        if (!(state instanceof OptimizerState.Adam adam)) {
            throw new IllegalArgumentException("Adam cannot resume from a " + state.getClass().getSimpleName()
                    + " checkpoint; resume with the optimiser that wrote it");
        }
        INDArray x = adam.parameters().dup('c');
        checkOnDisk(x);
        StepMemory memory;
        if (stateFolder == null) {
            INDArray moments;
            try {
                moments = adam.moments() instanceof AdamMoments.InMemory inMemory ? inMemory.array().dup()
                        : adam.moments().toArray();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("could not read the checkpoint's Adam moments: " + e.getMessage(),
                        e);
            }
            if (moments.length() != 2 * x.length()) {
                throw new IllegalArgumentException("the checkpoint's Adam moments hold " + moments.length()
                        + " values; parameters of " + x.length() + " need " + 2 * x.length());
            }
            memory = new InMemory(moments.reshape(1, moments.length()));
        } else {
            memory = new OnDisk(x.length(), adam.moments());
        }
        try (memory) {
            // The gradient at the checkpointed point is recomputed: one extra, identical evaluation.
            Evaluation evaluation = objective.evaluate(x);
            return run(objective, x, evaluation, memory, adam.iteration(), adam.evaluations() + 1);
        }
    }

    private OptimizationResult run(Objective objective, INDArray x, Evaluation evaluation, StepMemory memory,
                                   int done, int evaluationsSoFar) {
        long start = System.nanoTime();
        org.nd4j.linalg.learning.config.Adam config = new org.nd4j.linalg.learning.config.Adam(learningRate, beta1,
                beta2, epsilon);
        memory.begin(config);
        double lastLoss = evaluation.loss();
        int evaluations = evaluationsSoFar;
        for (int iteration = done + 1; iteration <= maxIterations; iteration++) {
            // The step is formed in the gradient itself (the caller owns it: Objective), which is
            // then freed: no image-sized copy per iteration.
            INDArray gradient = evaluation.gradient();
            double stepLength = memory.step(x, gradient, iteration);
            free(gradient);
            evaluation = objective.evaluate(x);
            evaluations++;
            if (!evaluation.isFinite()) {
                return new OptimizationResult(memory.previous(x), lastLoss, iteration - 1, evaluations,
                        StopReason.NON_FINITE, "the objective became " + evaluation.loss() + " at iteration "
                        + iteration + "; returning the last point where it was finite");
            }
            lastLoss = evaluation.loss();
            StepReport report = new StepReport(iteration, evaluation.loss(), evaluation.terms(),
                    evaluation.gradient().norm2Number().doubleValue(), stepLength, evaluations,
                    Duration.ofNanos(System.nanoTime() - start));
            for (OptimizationListener listener : listeners) {
                listener.onStep(report, x);
            }
            if (checkpointEvery > 0 && iteration % checkpointEvery == 0) {
                checkpointSink.accept(new OptimizerState.Adam(x, memory.moments(), lastLoss, iteration, evaluations));
            }
            if (iteration < maxIterations && stopWhen.getAsBoolean()) {
                return new OptimizationResult(x, lastLoss, iteration, evaluations, StopReason.STOPPED,
                        "stopped on request after iteration " + iteration);
            }
        }
        return new OptimizationResult(x, lastLoss, maxIterations, evaluations, StopReason.MAX_ITERATIONS,
                "ran " + maxIterations + " iterations");
    }

    private void checkOnDisk(INDArray x) {
        if (stateFolder != null && x.dataType() != org.nd4j.linalg.api.buffer.DataType.FLOAT) {
            throw new IllegalArgumentException("Adam keeps its state on disk in float32; the parameters are "
                    + x.dataType() + ": keep the state in memory (no optStateOnDisk)");
        }
    }

    private static void free(INDArray array) {
        if (array.closeable() && !array.wasClosed()) {
            array.close();
        }
    }

    /** Where the moments and the point before the last step live, and how a step goes through them. */
    private interface StepMemory extends AutoCloseable {
        void begin(org.nd4j.linalg.learning.config.Adam config);

        /** Steps {@code x} in place (clamped) with the gradient, which it may overwrite; returns the step's length. */
        double step(INDArray x, INDArray gradient, int iteration);

        /** The point before the last step. */
        INDArray previous(INDArray x);

        AdamMoments moments();

        @Override
        void close();
    }

    /** Everything in memory: one ND4J updater over the whole state, a copy of the point before the step. */
    private final class InMemory implements StepMemory {
        private final INDArray moments;
        private GradientUpdater<?> updater;
        private INDArray previous;

        InMemory(INDArray moments) {
            this.moments = moments;
        }

        @Override
        public void begin(org.nd4j.linalg.learning.config.Adam config) {
            updater = config.instantiate(moments, false);
        }

        @Override
        public double step(INDArray x, INDArray gradient, int iteration) {
            if (previous == null) {
                previous = x.dup();
            } else {
                previous.assign(x);
            }
            INDArray update = gradient.reshape(x.shape());
            updater.applyUpdater(update, iteration - 1, 0);
            x.subi(update);
            clamp(x);
            return x.distance2(previous);
        }

        @Override
        public INDArray previous(INDArray x) {
            return previous;
        }

        @Override
        public AdamMoments moments() {
            return new AdamMoments.InMemory(moments);
        }

        @Override
        public void close() {
            // The arrays are handed on (previous, checkpoints): left to the collector.
        }
    }

    /**
     * The moments (a float32 {@code .npy} file, so that a checkpoint copies it) and the point
     * before the step (raw floats) in temporary files, deleted on close; each step streams them
     * through chunk-sized arrays with the same ND4J updater, element for element as in memory.
     */
    private final class OnDisk implements StepMemory {
        private final Path momentsFile;
        private final java.nio.channels.FileChannel moments;
        private final java.nio.channels.FileChannel previous;
        private final long dataStart;
        private final long n;
        private org.nd4j.linalg.learning.config.Adam config;
        private ChunkArrays full;
        private ChunkArrays tail;

        /** Temporary files for {@code n} parameters in {@code stateFolder}, the moments from {@code from} (null: zeros). */
        OnDisk(long n, AdamMoments from) {
            this.n = n;
            if (chunk < 1) {
                throw new IllegalArgumentException("chunk must be at least 1, got " + chunk);
            }
            long bytes = 3 * n * Float.BYTES;
            byte[] header = io.github.style4j.core.tensor.NpyFiles.floatHeader(1, 2 * n);
            this.dataStart = header.length;
            Path momentsPath = null;
            java.nio.channels.FileChannel momentsChannel = null;
            try {
                java.nio.file.Files.createDirectories(stateFolder);
                long free = java.nio.file.Files.getFileStore(stateFolder).getUsableSpace();
                if (free < bytes + (64L << 20)) {
                    throw new IllegalStateException(String.format(Locale.ROOT, "Adam's state needs %.2f GB on disk in "
                            + "%s, which has %.2f GB free: free some space there or keep the state in another folder",
                            bytes / 1e9, stateFolder, free / 1e9));
                }
                removeStaleStateFiles(stateFolder);
                momentsPath = java.nio.file.Files.createTempFile(stateFolder, MOMENTS_PREFIX, ".npy");
                if (from == null) {
                    java.nio.file.Files.write(momentsPath, header);
                } else {
                    copyMoments(from, momentsPath, header);
                }
                // Kept by name (checkpoints copy it) and deleted on close; the other file is unlinked at once.
                momentsPath.toFile().deleteOnExit();
                momentsChannel = java.nio.channels.FileChannel.open(momentsPath, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                LIVE.add(momentsPath.toAbsolutePath());
                lockQuietly(momentsChannel);
                if (from == null) { // zeros, as a sparse file
                    momentsChannel.write(java.nio.ByteBuffer.wrap(new byte[] {0}), dataStart + 2 * n * Float.BYTES - 1);
                }
                this.previous = java.nio.channels.FileChannel.open(java.nio.file.Files.createTempFile(stateFolder,
                                "style4j-adam-previous-", ".f32"), StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.DELETE_ON_CLOSE);
            } catch (java.io.IOException e) {
                abandon(momentsChannel, momentsPath);
                throw failure("could not create Adam's state files", e);
            } catch (RuntimeException e) {
                abandon(momentsChannel, momentsPath);
                throw e;
            }
            this.momentsFile = momentsPath;
            this.moments = momentsChannel;
        }

        private static void abandon(java.nio.channels.FileChannel channel, Path file) {
            closeQuietly(channel);
            deleteQuietly(file);
            if (file != null) {
                LIVE.remove(file.toAbsolutePath());
            }
        }

        private void copyMoments(AdamMoments from, Path target, byte[] header) throws java.io.IOException {
            if (from instanceof AdamMoments.InFile inFile && java.nio.file.Files.size(inFile.file())
                    == header.length + 2 * n * Float.BYTES && java.util.Arrays.equals(header,
                    readHeader(inFile.file(), header.length))) {
                java.nio.file.Files.copy(inFile.file(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return;
            }
            INDArray array = from.toArray();
            if (array.length() != 2 * n) {
                throw new IllegalArgumentException("the checkpoint's Adam moments hold " + array.length()
                        + " values; parameters of " + n + " need " + 2 * n);
            }
            io.github.style4j.core.tensor.NpyFiles.write(target, array.reshape(1, 2 * n));
        }

        private static byte[] readHeader(Path file, int length) throws java.io.IOException {
            try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
                return in.readNBytes(length);
            }
        }

        @Override
        public void begin(org.nd4j.linalg.learning.config.Adam config) {
            this.config = config;
        }

        @Override
        public double step(INDArray x, INDArray gradient, int iteration) {
            INDArray flatX = x.reshape('c', 1, n);
            INDArray flatGradient = gradient.reshape('c', 1, n);
            double squared = 0;
            try {
                for (long at = 0; at < n; at += chunk) {
                    int length = (int) Math.min(chunk, n - at);
                    ChunkArrays arrays = arrays(length);
                    read(moments, dataStart + at * Float.BYTES, arrays.state, 0, length);
                    read(moments, dataStart + (n + at) * Float.BYTES, arrays.state, length, length);
                    INDArray xs = flatX.get(NDArrayIndex.all(), NDArrayIndex.interval(at, at + length));
                    arrays.before.assign(xs);
                    write(previous, at * Float.BYTES, arrays.before, 0, length);
                    arrays.update.assign(flatGradient.get(NDArrayIndex.all(), NDArrayIndex.interval(at, at + length)));
                    config.instantiate(arrays.state, false).applyUpdater(arrays.update, iteration - 1, 0);
                    xs.subi(arrays.update);
                    clamp(xs);
                    squared += xs.squaredDistance(arrays.before);
                    write(moments, dataStart + at * Float.BYTES, arrays.state, 0, length);
                    write(moments, dataStart + (n + at) * Float.BYTES, arrays.state, length, length);
                }
            } catch (java.io.IOException e) {
                throw failure("could not read or write Adam's state (is the disk full?)", e);
            }
            return Math.sqrt(squared);
        }

        private ChunkArrays arrays(int length) {
            if (length == chunk) {
                return full == null ? full = new ChunkArrays(length) : full;
            }
            if (tail == null || tail.length != length) {
                tail = new ChunkArrays(length);
            }
            return tail;
        }

        @Override
        public INDArray previous(INDArray x) {
            INDArray before = Nd4j.create(x.dataType(), x.shape(), 'c');
            try {
                read(previous, 0, before, 0, n);
            } catch (java.io.IOException e) {
                throw failure("could not read the point before the last step back", e);
            }
            return before;
        }

        @Override
        public AdamMoments moments() {
            return new AdamMoments.InFile(momentsFile);
        }

        @Override
        public void close() {
            closeQuietly(moments);
            closeQuietly(previous);
            deleteQuietly(momentsFile);
            LIVE.remove(momentsFile.toAbsolutePath());
        }

        private RuntimeException failure(String what, java.io.IOException e) {
            return new java.io.UncheckedIOException(what + " in " + stateFolder + ": " + e.getMessage(), e);
        }
    }

    /** A chunk's moments ({@code [1, 2 length]}: first, then second), update and point before the step. */
    private static final class ChunkArrays {
        final int length;
        final INDArray state;
        final INDArray update;
        final INDArray before;

        ChunkArrays(int length) {
            this.length = length;
            this.state = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 2L * length);
            this.update = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, length);
            this.before = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, length);
        }
    }

    /** Reads {@code count} floats at byte {@code position} of {@code channel} into {@code array} from float {@code offset}. */
    private static void read(java.nio.channels.FileChannel channel, long position, INDArray array, long offset,
                             long count) throws java.io.IOException {
        java.nio.ByteBuffer bytes = floats(array, offset, count);
        while (bytes.hasRemaining()) {
            if (channel.read(bytes, position + bytes.position()) < 0) {
                throw new java.io.EOFException("the state file ends early");
            }
        }
    }

    private static void write(java.nio.channels.FileChannel channel, long position, INDArray array, long offset,
                              long count) throws java.io.IOException {
        java.nio.ByteBuffer bytes = floats(array, offset, count);
        while (bytes.hasRemaining()) {
            channel.write(bytes, position + bytes.position());
        }
    }

    private static java.nio.ByteBuffer floats(INDArray array, long offset, long count) {
        if (array.dataType() != org.nd4j.linalg.api.buffer.DataType.FLOAT || array.isView()) {
            throw new IllegalArgumentException("Adam keeps float32 state on disk, got " + array.dataType());
        }
        return array.data().asNio().order(java.nio.ByteOrder.nativeOrder())
                .slice((int) (offset * Float.BYTES), (int) (count * Float.BYTES));
    }

    private static void closeQuietly(java.nio.channels.FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (java.io.IOException ignored) {
                // the file is temporary; nothing else to do
            }
        }
    }

    /**
     * Deletes moments files in {@code folder} that a run killed before it could delete them left
     * behind (a deleted-on-exit file survives SIGKILL and out-of-memory kills; at 8192 px one is
     * 0.9 GB): those no process holds a lock on and nobody has written for {@link #STALE_AFTER}.
     * A live run holds its file's lock from just after creating it, and writes it every step;
     * the age covers the moment before the lock, and a lock released early (closing any channel
     * to a file, a checkpoint's copy say, releases the process's POSIX locks on it).
     * Never fails: what cannot be checked or deleted is left.
     *
     * @return how many files were deleted
     */
    static int removeStaleStateFiles(Path folder) {
        int removed = 0;
        try (java.nio.file.DirectoryStream<Path> files = java.nio.file.Files.newDirectoryStream(folder,
                MOMENTS_PREFIX + "*.npy")) {
            java.nio.file.attribute.FileTime cutoff = java.nio.file.attribute.FileTime.from(
                    java.time.Instant.now().minus(STALE_AFTER));
            for (Path file : files) {
                try {
                    if (LIVE.contains(file.toAbsolutePath())
                            || java.nio.file.Files.getLastModifiedTime(file).compareTo(cutoff) > 0) {
                        continue;
                    }
                    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                            StandardOpenOption.WRITE);
                         java.nio.channels.FileLock lock = channel.tryLock()) {
                        if (lock == null) {
                            continue; // another process's live run
                        }
                        java.nio.file.Files.delete(file);
                        removed++;
                        log.info("Deleted {}: Adam's state from a run that ended without deleting it", file);
                    }
                } catch (java.nio.channels.OverlappingFileLockException e) {
                    // a live run in this JVM holds it
                } catch (java.io.IOException | RuntimeException e) {
                    log.debug("Left {} ({})", file, e.toString());
                }
            }
        } catch (java.io.IOException e) {
            log.debug("Could not look for stale Adam state files in {} ({})", folder, e.toString());
        }
        return removed;
    }

    /** Holds a lock on a live run's moments file until the channel closes, where the file system has locks. */
    private static void lockQuietly(java.nio.channels.FileChannel channel) {
        try {
            channel.tryLock();
        } catch (java.io.IOException | RuntimeException e) {
            log.debug("Adam's state file cannot be locked ({}); other runs will go by its age alone", e.toString());
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                java.nio.file.Files.deleteIfExists(file);
            } catch (java.io.IOException ignored) {
                // the file is temporary; nothing else to do
            }
        }
    }

    private void clamp(INDArray x) {
        if (clampMin > Double.NEGATIVE_INFINITY || clampMax < Double.POSITIVE_INFINITY) {
            org.nd4j.linalg.ops.transforms.Transforms.max(x, clampMin, false);
            org.nd4j.linalg.ops.transforms.Transforms.min(x, clampMax, false);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Adam[learningRate=%g, beta1=%g, beta2=%g, epsilon=%g, maxIterations=%d%s%s]",
                learningRate, beta1, beta2, epsilon, maxIterations,
                stateFolder == null ? "" : ", state on disk in " + stateFolder,
                clampMin > Double.NEGATIVE_INFINITY || clampMax < Double.POSITIVE_INFINITY
                        ? String.format(Locale.ROOT, ", clamp=[%g, %g]", clampMin, clampMax) : "");
    }

    /** Builder for {@link Adam}; every setting is optional. */
    public static final class Builder {
        private double learningRate = 1e-3;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private int maxIterations = 1000;
        private double clampMin = Double.NEGATIVE_INFINITY;
        private double clampMax = Double.POSITIVE_INFINITY;
        private final List<OptimizationListener> listeners = new ArrayList<>();
        private java.util.function.BooleanSupplier stopWhen = () -> false;
        private int checkpointEvery;
        private java.util.function.Consumer<OptimizerState> checkpointSink;
        private Path stateFolder;
        private int chunk = DEFAULT_CHUNK;

        private Builder() {
        }

        /**
         * Keeps the moments and the point before each step in temporary files in {@code folder}
         * (deleted when the run ends) instead of memory, streamed through in chunks once a step:
         * three parameter-sized float32 arrays fewer in memory (1.6 GB for an image of 8192 x 5461),
         * for reading and writing about as much once a step, mostly from the page cache. The steps
         * are the same, bit for bit. Needs float32 parameters. Null: in memory (the default).
         */
        public Builder optStateOnDisk(Path folder) {
            this.stateFolder = folder;
            return this;
        }

        /** Floats per chunk of a state on disk (tests use small ones to cross chunk borders). */
        Builder chunk(int floats) {
            this.chunk = floats;
            return this;
        }

        /** Hands the full state to {@code sink} every {@code every} iterations (0: never). */
        public Builder optCheckpoints(int every, java.util.function.Consumer<OptimizerState> sink) {
            this.checkpointEvery = every;
            this.checkpointSink = sink;
            return this;
        }

        public Builder optLearningRate(double learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public Builder optBetas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        public Builder optEpsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        public Builder optMaxIterations(int maxIterations) {
            this.maxIterations = maxIterations;
            return this;
        }

        /** Clamp the parameters to [min, max] after every step (e.g. [0, 1] for an image). */
        public Builder optClamp(double min, double max) {
            this.clampMin = min;
            this.clampMax = max;
            return this;
        }

        /**
         * Asked after every iteration (after the listeners): true ends the run there with
         * {@link StopReason#STOPPED}. For a stop from another thread (a Stop button).
         */
        public Builder optStopWhen(java.util.function.BooleanSupplier stopWhen) {
            this.stopWhen = java.util.Objects.requireNonNull(stopWhen, "stopWhen");
            return this;
        }

        public Builder addListener(OptimizationListener listener) {
            listeners.add(listener);
            return this;
        }

        public Adam build() {
            if (!(learningRate > 0)) {
                throw new IllegalArgumentException("learningRate must be positive, got " + learningRate);
            }
            if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(epsilon > 0)) {
                throw new IllegalArgumentException("epsilon must be positive, got " + epsilon);
            }
            if (maxIterations < 1) {
                throw new IllegalArgumentException("maxIterations must be at least 1, got " + maxIterations);
            }
            if (!(clampMin < clampMax)) {
                throw new IllegalArgumentException("clamp range must have min < max, got [" + clampMin + ", "
                        + clampMax + "]");
            }
            if (checkpointEvery < 0 || (checkpointEvery > 0 && checkpointSink == null)) {
                throw new IllegalArgumentException("checkpoints need every >= 1 and a sink");
            }
            return new Adam(this);
        }
    }
}
