package io.github.style4j.samediff.weights;

import io.github.style4j.core.tensor.Preprocessing;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.ConvWeights;
import io.github.style4j.samediff.network.NetworkWeights;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A weight file opened for inspection and loading: its format (told by content, not name), the
 * convolutions it holds, the architecture they fit, its hash, and whether it is a
 * {@link KnownWeightFile}. Opening reads only the file's structure; {@link #load} reads the
 * convolutions and nothing else. Formats: PyTorch (zip and legacy), ONNX, Keras HDF5 and Caffe;
 * DL4J zips and {@code .npy} folders go through {@link WeightSource#of(Path)}.
 *
 * <pre>{@code
 * try (WeightFile file = WeightFile.open(Path.of("vgg19-dcbb9e9d.pth"))) {
 *     NetworkWeights weights = file.load(null); // architecture inferred
 * }
 * }</pre>
 */
public final class WeightFile implements Closeable {
    static {
        // Choose ND4J's native build before reading weights can start ND4J.
        io.github.style4j.core.backend.NativeBuildSelector.select();
    }

    private static final long MAX_MAPPED = Integer.MAX_VALUE;

    private final Path path;
    private final long size;
    private final FileLayout layout;
    private final Architecture architecture;
    private final List<StoredConv> ordered;
    private String sha256;
    private String md5;
    private Optional<KnownWeightFile> known;

    private WeightFile(Path path, long size, FileLayout layout) throws WeightLoadException {
        this.path = path;
        this.size = size;
        this.layout = layout;
        Architecture found = null;
        List<StoredConv> order = null;
        for (Architecture candidate : Architecture.values()) {
            List<StoredConv> match = match(candidate, layout.convolutions());
            if (match != null) {
                found = candidate;
                order = match;
                break;
            }
        }
        this.architecture = found;
        this.ordered = order;
    }

    /**
     * Opens a PyTorch, ONNX, Keras HDF5 or Caffe file.
     *
     * @throws WeightLoadException one line naming the file, what it seems to be and what was expected
     */
    public static WeightFile open(Path path) throws WeightLoadException {
        if (!Files.isRegularFile(path)) {
            throw new WeightLoadException(path + ": no such weight file");
        }
        FileChannel channel = null;
        try {
            long size = Files.size(path);
            byte[] head = new byte[(int) Math.min(size, 64)];
            try (InputStream in = Files.newInputStream(path)) {
                int n = in.readNBytes(head, 0, head.length);
                head = Arrays.copyOf(head, n);
            }
            FileLayout layout;
            if (startsWith(head, 'P', 'K', 3, 4)) {
                layout = TorchWeights.readZip(path);
            } else if (startsWith(head, 0x89, 'H', 'D', 'F', '\r', '\n', 0x1A, '\n')) {
                layout = KerasWeights.read(path, size);
            } else {
                if (size > MAX_MAPPED) {
                    throw new WeightLoadException(path + " is " + size + " bytes; style4j reads ONNX, Caffe and "
                            + "legacy PyTorch files up to 2 GiB");
                }
                channel = FileChannel.open(path, StandardOpenOption.READ);
                MappedByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
                if (TorchWeights.looksLegacy(head)) {
                    layout = TorchWeights.readLegacy(bytes, path.getFileName().toString());
                } else if (OnnxWeights.looksLikeOnnx(bytes.slice(0, head.length))) {
                    layout = OnnxWeights.read(bytes);
                } else if (CaffeWeights.looksLikeCaffe(bytes)) {
                    layout = CaffeWeights.read(bytes);
                } else {
                    throw new WeightLoadException(path + " is " + guess(head) + ", not a weight file style4j reads "
                            + "(PyTorch .pth, ONNX, Keras .h5, Caffe .caffemodel, DL4J zip or a folder of .npy)");
                }
                FileChannel open = channel;
                layout = new FileLayout(layout.format(), layout.convolutions(), layout.skipped(), open);
            }
            return new WeightFile(path, size, layout);
        } catch (WeightLoadException e) {
            closeQuietly(channel);
            throw e;
        } catch (MalformedWeightsException e) {
            closeQuietly(channel);
            throw new WeightLoadException(path + ": " + e.getMessage(), e);
        } catch (java.util.zip.ZipException e) {
            closeQuietly(channel);
            throw new WeightLoadException(path + " starts like a zip but is damaged or truncated (" + e.getMessage()
                    + "); download it again", e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw new WeightLoadException(path + " cannot be read as weights (" + e + ")", e);
        }
    }

    /** What the first bytes look like, for messages about files that are not weights. */
    static String guess(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1).trim().toLowerCase(Locale.ROOT);
        if (text.startsWith("<!doctype html") || text.startsWith("<html") || text.startsWith("<?xml")
                || text.startsWith("<")) {
            return "an HTML or XML page (an error page saved by a failed download?)";
        }
        if (head.length == 0) {
            return "empty";
        }
        if (startsWith(head, 0x80) && head.length > 1) {
            return "a pickle that is not a PyTorch file";
        }
        if (text.startsWith("{") || text.startsWith("[")) {
            return "a JSON text";
        }
        return "of an unknown kind (first bytes " + HexFormat.of().formatHex(head, 0, Math.min(8, head.length)) + ")";
    }

    private static boolean startsWith(byte[] head, int... magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** The convolutions of {@code candidate} from {@code stored}, in network order, or null if they do not fit. */
    private static List<StoredConv> match(Architecture candidate, List<StoredConv> stored) {
        List<long[]> shapes = candidate.convolutionShapes();
        if (stored.size() != shapes.size()) {
            return null;
        }
        List<String> canonical = ConvNames.canonical(candidate);
        StoredConv[] byName = new StoredConv[canonical.size()];
        boolean named = true;
        for (StoredConv conv : stored) {
            String name = ConvNames.canonicalName(candidate, conv.name());
            int index = name == null ? -1 : canonical.indexOf(name);
            if (index < 0 || byName[index] != null) {
                named = false;
                break;
            }
            byName[index] = conv;
        }
        List<StoredConv> order = named ? Arrays.asList(byName) : stored;
        for (int i = 0; i < shapes.size(); i++) {
            if (!Arrays.equals(shapes.get(i), order.get(i).kernel().shape())
                    || order.get(i).bias().count() != shapes.get(i)[0]) {
                return null;
            }
        }
        return List.copyOf(order);
    }

    public Path path() {
        return path;
    }

    public WeightFormat format() {
        return layout.format();
    }

    /** The architecture the file's convolutions fit, if any. */
    public Optional<Architecture> architecture() {
        return Optional.ofNullable(architecture);
    }

    /** The file's convolution layer names, in network order (file order when they fit no architecture). */
    public List<String> layers() {
        List<String> names = new ArrayList<>();
        for (StoredConv conv : ordered != null ? ordered : layout.convolutions()) {
            names.add(conv.name());
        }
        return names;
    }

    /** Tensors the file holds that style4j does not read (classifier layers, for instance). */
    public List<String> skipped() {
        return layout.skipped();
    }

    /** The file's SHA-256, lowercase hex (computed on first use: it reads the whole file). */
    public String sha256() throws WeightLoadException {
        if (sha256 == null) {
            digest();
        }
        return sha256;
    }

    /** The public file this is, recognised by its published hash, if it is one. */
    public Optional<KnownWeightFile> knownFile() throws WeightLoadException {
        if (known == null) {
            String sha = sha256();
            known = KnownWeightFile.ALL.stream().filter(k -> k.couldBe(format()) && k.matches(sha, md5)).findFirst();
        }
        return known;
    }

    /** The input convention: the known file's, else the format's usual one. */
    public Preprocessing preprocessing() throws WeightLoadException {
        return knownFile().map(KnownWeightFile::preprocessing).orElse(format().defaultPreprocessing());
    }

    /**
     * Reads the weights.
     *
     * @param requested the architecture asked for, or null to use the one the file fits
     * @throws WeightLoadException when the file holds another network, or its data is damaged
     */
    public NetworkWeights load(Architecture requested) throws WeightLoadException {
        if (architecture == null) {
            throw new WeightLoadException(path + " (" + format() + ") holds " + layout.convolutions().size()
                    + " convolutions " + summary(layout.convolutions()) + ", which fit none of VGG-16 (13), VGG-19 (16) "
                    + "or SqueezeNet 1.1 (26 with these shapes): it is another network");
        }
        if (requested != null && requested != architecture) {
            throw new WeightLoadException(path + " holds " + architecture + " weights, but " + requested
                    + " was asked for; drop --model or pass --model " + architecture.name().toLowerCase(Locale.ROOT));
        }
        // Hashing a 550 MB file costs about as much as reading it: done only where recognition can
        // change the result (a published file of this network with another convention).
        Optional<KnownWeightFile> knownFile = recognitionMatters() ? knownFile() : Optional.empty();
        if (knownFile.isPresent() && knownFile.get().architecture() != architecture) {
            throw new WeightLoadException(path + " has the hash of " + knownFile.get() + " but holds "
                    + architecture + " weights");
        }
        List<ConvWeights> convolutions = new ArrayList<>();
        for (StoredConv conv : ordered) {
            try {
                INDArray kernel = conv.kernel().read();
                INDArray bias = conv.bias().read().reshape(conv.bias().count());
                convolutions.add(new ConvWeights(conv.name(), kernel, bias, Activation.IDENTITY));
            } catch (IOException | RuntimeException e) {
                throw new WeightLoadException(path + ": cannot read " + conv.name() + " (" + e.getMessage()
                        + "); the file is damaged or truncated", e);
            }
        }
        boolean ceil = architecture == Architecture.SQUEEZENET
                && (knownFile.isPresent() || format().ceilModePooling(architecture));
        String description = format() + " " + path.getFileName()
                + knownFile.map(k -> " = " + k.description()).orElse("");
        Preprocessing preprocessing = knownFile.map(KnownWeightFile::preprocessing)
                .orElse(format().defaultPreprocessing());
        return new NetworkWeights(architecture, convolutions, preprocessing, ceil, description);
    }

    private boolean recognitionMatters() {
        for (KnownWeightFile known : KnownWeightFile.ALL) {
            if (known.architecture() == architecture && known.couldBe(format())
                    && (known.preprocessing() != format().defaultPreprocessing()
                    || (architecture == Architecture.SQUEEZENET && !format().ceilModePooling(architecture)))) {
                return true;
            }
        }
        return false;
    }

    private static String summary(List<StoredConv> convolutions) {
        List<String> shapes = new ArrayList<>();
        for (StoredConv conv : convolutions.subList(0, Math.min(3, convolutions.size()))) {
            shapes.add(Arrays.toString(conv.kernel().shape()));
        }
        return "(" + String.join(", ", shapes) + (convolutions.size() > 3 ? ", ..." : "") + ")";
    }

    /** A file's digests, by path, size and modification time: inspecting and then loading hashes once. */
    private record Digests(String sha256, String md5) {
    }

    private static final java.util.Map<String, Digests> DIGESTS = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, Digests> eldest) {
                    return size() > 32;
                }
            });

    private void digest() throws WeightLoadException {
        String key;
        try {
            key = path.toRealPath() + "|" + size + "|" + Files.getLastModifiedTime(path).toMillis() + "|" + format();
        } catch (IOException e) {
            throw new WeightLoadException("cannot read " + path + ": " + e.getMessage(), e);
        }
        Digests cached = DIGESTS.get(key);
        if (cached != null) {
            sha256 = cached.sha256();
            md5 = cached.md5();
            return;
        }
        computeDigests();
        DIGESTS.put(key, new Digests(sha256, md5));
    }

    private void computeDigests() throws WeightLoadException {
        try (InputStream in = Files.newInputStream(path)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            // Keras publishes MD5s; the other known files have SHA-256s.
            MessageDigest md = format() == WeightFormat.KERAS_HDF5 ? MessageDigest.getInstance("MD5") : null;
            byte[] buffer = new byte[1 << 20];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                sha.update(buffer, 0, n);
                if (md != null) {
                    md.update(buffer, 0, n);
                }
            }
            sha256 = HexFormat.of().formatHex(sha.digest());
            md5 = md == null ? null : HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new WeightLoadException("cannot read " + path + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // the first failure is the one to report
            }
        }
    }

    @Override
    public void close() throws IOException {
        layout.close();
    }

    @Override
    public String toString() {
        return "WeightFile[" + path.getFileName() + ", " + format() + ", "
                + (architecture == null ? "no known architecture" : architecture) + ", " + layout.convolutions().size()
                + " convolutions, " + size + " bytes]";
    }
}
