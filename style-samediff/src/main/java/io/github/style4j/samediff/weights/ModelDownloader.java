package io.github.style4j.samediff.weights;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Adler32;
import java.util.zip.CheckedInputStream;
import org.deeplearning4j.common.resources.DL4JResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads pretrained weight files into a cache folder, once.
 *
 * <p>A file in the cache is used only if its checksum matches. A download goes to
 * {@code NAME.part} in the cache folder (locked, so two processes never write one file) and is
 * renamed into place only when it is complete and its checksum matches; a file that fails its
 * checksum is deleted, so nothing from a failed or mismatching download is ever taken for a
 * valid file. A transfer that breaks off keeps its {@code .part}, and the next attempt resumes
 * it with an HTTP {@code Range} request (starting afresh if the server ignores the range).
 *
 * <p>Sources are tried in order: the mirrors set with {@link Builder#optMirror} (each serves the
 * zoo's files under their own names), then the file's own URL. When every source fails, the
 * error names each URL with what went wrong and the local alternatives. Immutable and
 * thread-safe.
 */
public final class ModelDownloader {
    private static final Logger log = LoggerFactory.getLogger(ModelDownloader.class);

    private final Path cacheDir;
    private final List<URI> mirrors;
    private final DownloadListener listener;
    private final Duration timeout;

    private ModelDownloader(Builder builder) {
        this.cacheDir = builder.cacheDir;
        this.mirrors = List.copyOf(builder.mirrors);
        this.listener = builder.listener;
        this.timeout = builder.timeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** Where {@code file} is fetched from, in the order tried: each mirror, then the file's own URL. */
    public List<URI> sourcesOf(PretrainedFile file) {
        List<URI> sources = new ArrayList<>();
        for (URI mirror : mirrors) {
            String base = mirror.toString();
            sources.add(URI.create(base.endsWith("/") ? base + file.fileName() : base + "/" + file.fileName()));
        }
        if (!sources.contains(file.url())) {
            sources.add(file.url());
        }
        return sources;
    }

    /** A source that did not deliver the file; {@code keepPart} when what arrived can be resumed. */
    private static final class SourceFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean keepPart;

        SourceFailure(String reason, boolean keepPart) {
            super(reason, null, false, false);
            this.keepPart = keepPart;
        }
    }

    /**
     * The cached file, downloading it first if it is missing or fails its checksum.
     *
     * @throws WeightLoadException naming every URL tried and its failure, and how to use local weights instead
     */
    public Path fetch(PretrainedFile file) throws WeightLoadException {
        Path target = cacheDir.resolve(file.fileName());
        if (Files.isRegularFile(target)) {
            long actual = adler32(target);
            if (actual == file.adler32()) {
                log.debug("Using cached {}", target);
                return target;
            }
            log.warn("Cached {} fails its checksum (Adler-32 {} instead of {}); downloading it again", target, actual,
                    file.adler32());
            deleteQuietly(target);
        }
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw new WeightLoadException("cannot create the weight cache folder " + cacheDir + ": " + e.getMessage()
                    + "; choose another with optCacheDir(...)", e);
        }
        Path part = cacheDir.resolve(file.fileName() + ".part");
        List<String> failures = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new WeightLoadException("another download of " + file.fileName() + " into " + cacheDir
                        + " is running; wait for it to finish");
            }
            for (URI source : sourcesOf(file)) {
                for (int attempt = 0; attempt < 2; attempt++) {
                    boolean resumed = channel.size() > 0;
                    try {
                        long checksum = download(source, file.fileName(), channel);
                        if (checksum == file.adler32()) {
                            channel.force(true);
                            moveIntoPlace(part, target);
                            log.info("Downloaded {} to {}", source, target);
                            return target;
                        }
                        channel.truncate(0);
                        if (resumed) {
                            continue; // the part may be from another version of the file: once more from the start
                        }
                        failures.add(source + " (served a file that fails the checksum: Adler-32 " + checksum
                                + ", expected " + file.adler32() + "; another version of the file?)");
                    } catch (SourceFailure e) {
                        if (!e.keepPart) {
                            channel.truncate(0);
                        }
                        failures.add(source + " (" + e.getMessage() + ")");
                    }
                    break;
                }
            }
        } catch (IOException e) {
            if (e instanceof WeightLoadException w) {
                throw w;
            }
            throw new WeightLoadException("Could not save " + file.fileName() + " in " + cacheDir + ": "
                    + e.getMessage() + "; nothing was cached", e);
        } finally {
            deleteIfEmpty(part);
        }
        boolean resumable = Files.exists(part);
        throw new WeightLoadException("Could not download " + file.fileName() + "; tried " + String.join(", ", failures)
                + (resumable ? ". The part received is kept: run again to resume it" : ". Nothing was cached")
                + ". Offline or without the zoo, pass local weights with --weights FILE (WeightSource.of): "
                + "torchvision's vgg19-dcbb9e9d.pth, Keras' vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5, "
                + "neural-style's VGG_ILSVRC_19_layers.caffemodel, an ONNX VGG, a DL4J model zip or a folder of "
                + ".npy files (./style4j weights --help), or name a reachable mirror (--mirror URL)");
    }

    private static void moveIntoPlace(Path part, Path target) throws IOException {
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Fetches {@code source} into {@code part}, resuming after what it already holds when the
     * server honours a Range request, and returns the Adler-32 of the whole file.
     */
    private long download(URI source, String fileName, FileChannel part) throws SourceFailure, IOException {
        long start = part.size();
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(source).timeout(timeout).GET();
        if (start > 0) {
            request.header("Range", "bytes=" + start + "-");
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceFailure("interrupted", true);
        } catch (IOException | IllegalArgumentException e) {
            throw new SourceFailure(e instanceof IOException io ? reason(io) : e.getMessage(), true);
        }
        int status = response.statusCode();
        if (status == 416 && start > 0) {
            closeQuietly(response.body());
            part.truncate(0); // the part is longer than the file: start again
            return download(source, fileName, part);
        }
        if (status == 200 && start > 0) {
            log.info("{} does not resume transfers; downloading {} from the start", source, fileName);
            part.truncate(0);
            start = 0;
        } else if (status == 206) {
            String range = response.headers().firstValue("Content-Range").orElse("");
            if (!range.startsWith("bytes " + start + "-")) {
                closeQuietly(response.body());
                part.truncate(0);
                throw new SourceFailure("answered a resume with the wrong range '" + range + "'", false);
            }
        } else if (status != 200) {
            closeQuietly(response.body());
            throw new SourceFailure("HTTP " + status, true);
        }
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1L);
        long total = length < 0 ? -1 : start + length;
        Adler32 checksum = new Adler32();
        checksumOf(part, start, checksum);
        long received = start;
        part.position(start);
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[1 << 16];
            long lastReport = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                checksum.update(buffer, 0, n);
                ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                while (bytes.hasRemaining()) {
                    part.write(bytes);
                }
                received += n;
                if (received - lastReport >= (1 << 20)) {
                    listener.onProgress(fileName, received, total);
                    lastReport = received;
                }
            }
        } catch (IOException e) {
            if (part.size() != received) {
                part.truncate(received);
            }
            throw new SourceFailure("broke off after " + received + " of " + (total < 0 ? "?" : String.valueOf(total))
                    + " bytes: " + reason(e) + ". Run again to resume", true);
        }
        if (total >= 0 && received != total) {
            throw new SourceFailure("ended after " + received + " of " + total + " bytes. Run again to resume", true);
        }
        listener.onProgress(fileName, received, total);
        return checksum.getValue();
    }

    /** Adds the first {@code length} bytes of {@code file} to {@code checksum}. */
    private static void checksumOf(FileChannel file, long length, Adler32 checksum) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        long at = 0;
        while (at < length) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), length - at));
            int n = file.read(buffer, at);
            if (n < 0) {
                throw new IOException("the partial download is shorter than it was");
            }
            checksum.update(buffer.array(), 0, n);
            at += n;
        }
    }

    private static void deleteIfEmpty(Path part) {
        try {
            if (Files.exists(part) && Files.size(part) == 0) {
                Files.delete(part);
            }
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", part, e.getMessage());
        }
    }

    private static String reason(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused or unreachable";
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "connection timed out";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage();
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    static long adler32(Path file) throws WeightLoadException {
        Adler32 checksum = new Adler32();
        try (InputStream in = new CheckedInputStream(Files.newInputStream(file), checksum)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new WeightLoadException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        return checksum.getValue();
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Could not delete {}: {}", file, e.getMessage());
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing useful to do
        }
    }

    @Override
    public String toString() {
        return "ModelDownloader[cache=" + cacheDir + (mirrors.isEmpty() ? "" : ", mirrors=" + mirrors) + ", timeout="
                + timeout + "]";
    }

    /** Builder for {@link ModelDownloader}; every setting is optional. */
    public static final class Builder {
        private Path cacheDir = defaultCacheDir();
        private final List<URI> mirrors = new ArrayList<>();
        private DownloadListener listener = DownloadListener.NONE;
        private Duration timeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /**
         * DL4J's resource folder ({@code org.deeplearning4j.resources.directory}, default
         * {@code ~/.deeplearning4j}) plus {@code models}.
         */
        private static Path defaultCacheDir() {
            String dl4j = System.getProperty(DL4JResources.DL4J_RESOURCES_DIR_PROPERTY);
            return (dl4j != null ? Path.of(dl4j) : Path.of(System.getProperty("user.home"), ".deeplearning4j"))
                    .resolve("models");
        }

        /** The cache folder (default {@code ~/.deeplearning4j/models}, where DL4J keeps zoo downloads). */
        public Builder optCacheDir(Path cacheDir) {
            this.cacheDir = cacheDir;
            return this;
        }

        /**
         * A base URL serving the zoo's files under their own names, tried before the zoo's host;
         * several calls add several mirrors, tried in the order given.
         */
        public Builder optMirror(URI mirror) {
            this.mirrors.add(java.util.Objects.requireNonNull(mirror, "mirror"));
            return this;
        }

        public Builder optListener(DownloadListener listener) {
            this.listener = listener;
            return this;
        }

        /** Connection and request timeout (default 60 s). */
        public Builder optTimeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public ModelDownloader build() {
            if (cacheDir == null || listener == null || timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("cacheDir, listener and a positive timeout are required");
            }
            return new ModelDownloader(this);
        }
    }
}
