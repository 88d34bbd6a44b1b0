package io.github.style4j.core.optim;

import io.github.style4j.core.image.AtomicFiles;
import io.github.style4j.core.tensor.NpyFiles;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Optimiser states on disk, crash-safe. Each checkpoint is a folder
 * ({@code checkpoint-<n>}: {@code state.properties} plus {@code .npy} arrays) written under a
 * temporary name and renamed into place when complete; the file {@code latest} names the
 * newest complete one and is itself replaced atomically. A process killed at any moment
 * leaves {@code latest} pointing at a complete checkpoint (the new one or the one before).
 * Doubles are stored in Java's round-trip decimal form, arrays bit for bit, so a resumed run
 * continues exactly.
 */
public final class Checkpoints {
    private static final String LATEST = "latest";
    private static final String STATE = "state.properties";

    private Checkpoints() {
    }

    /** A checkpoint read back: the optimiser state and the caller's own entries. */
    public record Loaded(OptimizerState state, Map<String, String> extra) {
    }

    /**
     * Writes {@code state} (and the caller's {@code extra} entries, e.g. which scale) as the new
     * latest checkpoint in {@code folder}, then removes older ones.
     */
    public static void write(Path folder, OptimizerState state, Map<String, String> extra) throws IOException {
        Files.createDirectories(folder);
        Path temporary = Files.createTempDirectory(folder, ".checkpoint-");
        Properties properties = new Properties();
        extra.forEach((key, value) -> properties.setProperty("extra." + key, value));
        properties.setProperty("iteration", Integer.toString(state.iteration()));
        properties.setProperty("evaluations", Integer.toString(state.evaluations()));
        properties.setProperty("loss", Double.toString(state.loss()));
        writeArray(temporary.resolve("parameters.npy"), state.parameters());
        if (state instanceof OptimizerState.Lbfgs lbfgs) {
            properties.setProperty("kind", "lbfgs");
            properties.setProperty("gamma", Double.toString(lbfgs.gamma()));
            properties.setProperty("history", Integer.toString(lbfgs.s().size()));
            writeArray(temporary.resolve("gradient.npy"), lbfgs.gradient());
            for (int i = 0; i < lbfgs.s().size(); i++) {
                properties.setProperty("rho." + i, Double.toString(lbfgs.rho().get(i)));
                writeArray(temporary.resolve(String.format("s_%04d.npy", i)), lbfgs.s().get(i));
                writeArray(temporary.resolve(String.format("y_%04d.npy", i)), lbfgs.y().get(i));
            }
        } else if (state instanceof OptimizerState.Adam adam) {
            properties.setProperty("kind", "adam");
            adam.moments().writeTo(temporary.resolve("moments.npy"));
        }
        StringWriter text = new StringWriter();
        properties.store(text, "style4j optimiser checkpoint");
        Files.writeString(temporary.resolve(STATE), text.toString(), StandardCharsets.ISO_8859_1);
        String name = "checkpoint-" + state.iteration() + "-" + System.nanoTime();
        Path complete = folder.resolve(name);
        try {
            Files.move(temporary, complete, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, complete);
        }
        AtomicFiles.write(folder.resolve(LATEST), out -> out.write(name.getBytes(StandardCharsets.UTF_8)));
        removeAllBut(folder, name);
    }

    /** Whether {@code folder} holds a complete checkpoint. */
    public static boolean exists(Path folder) {
        return Files.isRegularFile(folder.resolve(LATEST));
    }

    /** Reads the latest checkpoint of {@code folder}. */
    public static Loaded read(Path folder) throws IOException {
        if (!exists(folder)) {
            throw new IOException(folder + " holds no checkpoint (no 'latest' file); start without resuming");
        }
        Path checkpoint = folder.resolve(Files.readString(folder.resolve(LATEST), StandardCharsets.UTF_8).trim());
        Properties properties = new Properties();
        properties.load(new StringReader(Files.readString(checkpoint.resolve(STATE), StandardCharsets.ISO_8859_1)));
        Map<String, String> extra = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("extra.")) {
                extra.put(key.substring("extra.".length()), properties.getProperty(key));
            }
        }
        int iteration = Integer.parseInt(properties.getProperty("iteration"));
        int evaluations = Integer.parseInt(properties.getProperty("evaluations"));
        double loss = Double.parseDouble(properties.getProperty("loss"));
        INDArray parameters = NpyFiles.read(checkpoint.resolve("parameters.npy"));
        OptimizerState state = switch (properties.getProperty("kind", "")) {
            case "lbfgs" -> {
                int history = Integer.parseInt(properties.getProperty("history"));
                List<INDArray> s = new ArrayList<>();
                List<INDArray> y = new ArrayList<>();
                List<Double> rho = new ArrayList<>();
                for (int i = 0; i < history; i++) {
                    s.add(NpyFiles.read(checkpoint.resolve(String.format("s_%04d.npy", i))));
                    y.add(NpyFiles.read(checkpoint.resolve(String.format("y_%04d.npy", i))));
                    rho.add(Double.parseDouble(properties.getProperty("rho." + i)));
                }
                yield new OptimizerState.Lbfgs(parameters, NpyFiles.read(checkpoint.resolve("gradient.npy")), loss, s,
                        y, rho, Double.parseDouble(properties.getProperty("gamma")), iteration, evaluations);
            }
            case "adam" -> {
                // Left in the file until the optimiser reads it (or copies it, keeping its state on disk).
                Path moments = checkpoint.resolve("moments.npy");
                if (!Files.isRegularFile(moments)) {
                    throw new IOException(checkpoint + " has no moments.npy; it is damaged: start without resuming");
                }
                yield new OptimizerState.Adam(parameters, new AdamMoments.InFile(moments), loss, iteration,
                        evaluations);
            }
            default -> throw new IOException(checkpoint + ": unknown optimiser kind '" + properties.getProperty("kind")
                    + "'");
        };
        return new Loaded(state, extra);
    }

    private static void writeArray(Path file, INDArray array) throws IOException {
        NpyFiles.write(file, array); // streamed: a print-size state does not fit the heap as bytes
    }

    private static void removeAllBut(Path folder, String keep) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (Files.isDirectory(entry) && name.startsWith("checkpoint-") && !name.equals(keep)) {
                    deleteTree(entry);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
