package io.github.style4j.samediff.fast;

import io.github.style4j.core.image.AtomicFiles;
import io.github.style4j.core.image.ImageWriteException;
import io.github.style4j.core.tensor.NpyFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * A trained fast-style network in one file: a zip of {@code manifest.json} (what the network
 * is, how and on what it was trained, a SHA-256 per array) and one {@code .npy} per variable
 * under {@code variables/} (NumPy reads them; so can a PyTorch port). A training checkpoint is
 * the same file plus the Adam state under {@code updater/} and the iteration reached.
 *
 * <p>{@link #load} refuses, naming the problem, anything that is not such a file, a newer
 * format, a network it cannot build, a missing, misshapen, altered or non-finite array.
 * {@link #save} writes atomically: a failed save leaves any existing file as it was.
 */
public final class FastStyleModel {
    /** The manifest's {@code format} value. */
    public static final String FORMAT = "style4j-fast-style";
    /** The manifest's {@code version}; files from newer versions are refused. */
    public static final int VERSION = 1;
    static final String MANIFEST = "manifest.json";
    private static final long MAX_ENTRY_BYTES = 1L << 30;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final TransformerNetwork network;
    private final Map<String, INDArray> variables;
    private final ObjectNode manifest;
    private final Map<String, Map<String, INDArray>> updaterState;
    private final int iteration;

    FastStyleModel(TransformerNetwork network, Map<String, INDArray> variables, ObjectNode manifest,
                   Map<String, Map<String, INDArray>> updaterState, int iteration) {
        this.network = network;
        this.variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        this.manifest = manifest.deepCopy();
        this.updaterState = updaterState == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(updaterState));
        this.iteration = iteration;
    }

    /** A model with fresh (untrained) weights: for benchmarks and tests. */
    public static FastStyleModel untrained(TransformerNetwork network, long seed) {
        ObjectNode manifest = newManifest();
        manifest.put("settings", "untrained, seed " + seed);
        return new FastStyleModel(network, network.initialVariables(seed, DataType.FLOAT), manifest, null, 0);
    }

    public TransformerNetwork network() {
        return network;
    }

    /** The trained values by variable name ({@code conv1/W}, ...), float32. */
    public Map<String, INDArray> variables() {
        return variables;
    }

    /** The manifest as JSON text. */
    public String manifestJson() {
        try {
            return JSON.writeValueAsString(manifest);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One manifest field ({@code "training"}, {@code "loss"}, ...), or null. */
    public JsonNode manifest(String field) {
        JsonNode node = manifest.get(field);
        return node == null ? null : node.deepCopy();
    }

    ObjectNode manifestNode() {
        return manifest.deepCopy();
    }

    /** Adam's state per variable; empty unless this is a checkpoint. */
    Map<String, Map<String, INDArray>> updaterState() {
        return updaterState;
    }

    /** Training iterations done. */
    public int iteration() {
        return iteration;
    }

    /** Whether this file can resume training (it holds the optimiser's state). */
    public boolean isCheckpoint() {
        return !updaterState.isEmpty();
    }

    /** This model without the optimiser state: what a finished training saves. */
    public FastStyleModel withoutUpdaterState() {
        return new FastStyleModel(network, variables, manifest, null, iteration);
    }

    /** Writes the file atomically. */
    public void save(Path file) throws ImageWriteException {
        ObjectNode written = manifest.deepCopy();
        written.put("format", FORMAT);
        written.put("version", VERSION);
        ObjectNode transformer = written.putObject("transformer");
        transformer.put("width", network.width());
        transformer.put("residualBlocks", network.residualBlocks());
        written.put("iteration", iteration);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        ObjectNode sums = written.putObject("sha256");
        for (Map.Entry<String, INDArray> variable : variables.entrySet()) {
            put(entries, sums, "variables/" + variable.getKey() + ".npy", variable.getValue());
        }
        for (Map.Entry<String, Map<String, INDArray>> perVariable : updaterState.entrySet()) {
            for (Map.Entry<String, INDArray> state : perVariable.getValue().entrySet()) {
                put(entries, sums, "updater/" + perVariable.getKey() + "/" + state.getKey() + ".npy", state.getValue());
            }
        }
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.putNextEntry(new ZipEntry(MANIFEST));
            zip.write(JSON.writeValueAsBytes(written));
            zip.closeEntry();
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    private static void put(Map<String, byte[]> entries, ObjectNode sums, String name, INDArray array) {
        byte[] bytes = NpyFiles.toBytes(array.castTo(DataType.FLOAT));
        entries.put(name, bytes);
        sums.put(name, sha256(bytes));
    }

    /**
     * Reads a model or checkpoint.
     *
     * @throws IOException naming the file and what is wrong with it
     */
    public static FastStyleModel load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such model file");
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                entries.put(entry.getName(), readBounded(zip, file, entry.getName()));
            }
        } catch (ZipException | java.io.EOFException e) {
            throw new IOException(file + ": damaged or truncated model file (" + e.getMessage() + ")", e);
        }
        byte[] manifestBytes = entries.get(MANIFEST);
        if (manifestBytes == null) {
            throw new IOException(file + ": not a style4j fast-style model (no " + MANIFEST
                    + "); train one with ./style4j train");
        }
        ObjectNode manifest;
        try {
            manifest = (ObjectNode) JSON.readTree(new String(manifestBytes, StandardCharsets.UTF_8));
        } catch (IOException | ClassCastException e) {
            throw new IOException(file + ": its " + MANIFEST + " is not a JSON object", e);
        }
        if (!FORMAT.equals(manifest.path("format").asText())) {
            throw new IOException(file + ": not a style4j fast-style model (format '" + manifest.path("format").asText()
                    + "', expected '" + FORMAT + "')");
        }
        int version = manifest.path("version").asInt(-1);
        if (version < 1 || version > VERSION) {
            throw new IOException(file + ": model format version " + version + "; this style4j reads version "
                    + VERSION + (version > VERSION ? " (the file was written by a newer style4j)" : ""));
        }
        int width = manifest.path("transformer").path("width").asInt(-1);
        int blocks = manifest.path("transformer").path("residualBlocks").asInt(-1);
        if (width < 1 || width > 1024 || blocks < 0 || blocks > 64) {
            throw new IOException(file + ": the manifest describes no buildable network (width " + width
                    + ", residual blocks " + blocks + ")");
        }
        TransformerNetwork network = TransformerNetwork.of(width, blocks);
        JsonNode sums = manifest.path("sha256");
        Map<String, INDArray> variables = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> expected : network.variableShapes().entrySet()) {
            String name = "variables/" + expected.getKey() + ".npy";
            INDArray value = array(file, entries, sums, name);
            if (!Arrays.equals(value.shape(), expected.getValue())) {
                throw new IOException(file + ": " + name + " has shape " + Arrays.toString(value.shape())
                        + ", the network needs " + Arrays.toString(expected.getValue()));
            }
            variables.put(expected.getKey(), value);
        }
        Map<String, Map<String, INDArray>> updater = new LinkedHashMap<>();
        for (String name : entries.keySet()) {
            if (name.startsWith("updater/") && name.endsWith(".npy")) {
                String rest = name.substring("updater/".length(), name.length() - ".npy".length());
                int slash = rest.lastIndexOf('/');
                if (slash < 0 || !network.variableShapes().containsKey(rest.substring(0, slash))) {
                    throw new IOException(file + ": unexpected entry " + name);
                }
                updater.computeIfAbsent(rest.substring(0, slash), k -> new LinkedHashMap<>())
                        .put(rest.substring(slash + 1), array(file, entries, sums, name));
            }
        }
        manifest.remove("sha256");
        int iteration = manifest.path("iteration").asInt(0);
        return new FastStyleModel(network, variables, manifest, updater, iteration);
    }

    private static INDArray array(Path file, Map<String, byte[]> entries, JsonNode sums, String name)
            throws IOException {
        byte[] bytes = entries.get(name);
        if (bytes == null) {
            throw new IOException(file + ": damaged or incomplete model file: " + name + " is missing");
        }
        if (!sha256(bytes).equals(sums.path(name).asText())) {
            throw new IOException(file + ": damaged model file: " + name + " does not match its checksum");
        }
        INDArray value = NpyFiles.fromBytes(bytes, file + "!" + name).castTo(DataType.FLOAT);
        if (value.isNaN().any() || value.isInfinite().any()) {
            throw new IOException(file + ": " + name + " holds NaN or infinite values");
        }
        return value;
    }

    private static byte[] readBounded(InputStream in, Path file, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
            if (total > MAX_ENTRY_BYTES) {
                throw new IOException(file + ": entry " + name + " is over 1 GiB; not a model file");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode newManifest() {
        return JSON.createObjectNode();
    }

    @Override
    public String toString() {
        JsonNode style = manifest.path("style");
        JsonNode loss = manifest.path("lossNetwork");
        return "FastStyleModel[" + network + ", style=" + style.path("file").asText("?") + ", lossNetwork="
                + loss.path("architecture").asText("?") + ", iterations=" + iteration
                + (isCheckpoint() ? ", checkpoint" : "") + "]";
    }
}
