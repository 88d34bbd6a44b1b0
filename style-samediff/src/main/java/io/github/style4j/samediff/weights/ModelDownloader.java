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
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.zip.Adler32;
import java.util.zip.CheckedInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads pretrained weight files into a cache folder, once.
 *
 * <p>A file in the cache is used only if its checksum matches; a download goes to a
 * temporary {@code .part} file in the cache folder and is renamed into place only when it is
 * complete and its checksum matches, so an interrupted or corrupted transfer is never taken
 * for a valid file later. A mirror base URL replaces the zoo's host: the file is fetched from
 * {@code mirror + fileName}. Immutable and thread-safe.
 */
public final class ModelDownloader {
    private static final Logger log = LoggerFactory.getLogger(ModelDownloader.class);

    private final Path cacheDir;
    private final URI mirror;
    private final DownloadListener listener;
    private final Duration timeout;

    private ModelDownloader(Builder builder) {
        this.cacheDir = builder.cacheDir;
        this.mirror = builder.mirror;
        this.listener = builder.listener;
        this.timeout = builder.timeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** Where {@code file} is fetched from: the mirror if one is set, else the zoo's URL. */
    public URI sourceOf(PretrainedFile file) {
        if (mirror == null) {
            return file.url();
        }
        String base = mirror.toString();
        return URI.create(base.endsWith("/") ? base + file.fileName() : base + "/" + file.fileName());
    }

    /**
     * The cached file, downloading it first if it is missing or fails its checksum.
     *
     * @throws WeightLoadException naming the URL and the failure, and how to use local weights instead
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
        URI source = sourceOf(file);
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw new WeightLoadException("cannot create the weight cache folder " + cacheDir + ": " + e.getMessage()
                    + "; choose another with optCacheDir(...)", e);
        }
        Path part = null;
        try {
            part = Files.createTempFile(cacheDir, file.fileName() + ".", ".part");
            long checksum = download(source, file.fileName(), part);
            if (checksum != file.adler32()) {
                throw new WeightLoadException("The file downloaded from " + source + " fails its checksum (Adler-32 "
                        + checksum + ", expected " + file.adler32() + "): it is not the file DL4J published (a "
                        + "mirror serving another version?). Nothing was cached; check the URL or use local weights");
            }
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            }
            part = null;
            log.info("Downloaded {} to {}", source, target);
            return target;
        } catch (WeightLoadException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightLoadException("Could not save " + file.fileName() + " in " + cacheDir + ": " + e.getMessage(), e);
        } finally {
            if (part != null) {
                deleteQuietly(part);
            }
        }
    }

    private long download(URI source, String fileName, Path part) throws WeightLoadException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpRequest request = HttpRequest.newBuilder(source).timeout(timeout).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeightLoadException("Download of " + source + " was interrupted", e);
        } catch (IOException e) {
            throw new WeightLoadException("Could not download " + source + " (" + reason(e) + "). style4j needs the "
                    + "network once to fetch pretrained weights; offline, use local weights instead: a DL4J model "
                    + "zip (WeightSource.dl4jModel, --weights FILE.zip) or a folder of .npy files "
                    + "(WeightSource.npyFolder, --weights FOLDER), or set a reachable mirror", e);
        }
        if (response.statusCode() != 200) {
            closeQuietly(response.body());
            throw new WeightLoadException("Could not download " + source + ": the server answered HTTP "
                    + response.statusCode() + "; check the URL or mirror, or use local weights");
        }
        long total = response.headers().firstValueAsLong("Content-Length").orElse(-1L);
        long received = 0;
        Adler32 checksum = new Adler32();
        try (InputStream in = new CheckedInputStream(response.body(), checksum);
             OutputStream out = Files.newOutputStream(part)) {
            byte[] buffer = new byte[1 << 16];
            long lastReport = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                received += n;
                if (received - lastReport >= (1 << 20)) {
                    listener.onProgress(fileName, received, total);
                    lastReport = received;
                }
            }
        } catch (IOException e) {
            throw new WeightLoadException("Download of " + source + " broke off after " + received + " of "
                    + (total < 0 ? "?" : String.valueOf(total)) + " bytes (" + reason(e) + "); nothing was cached. "
                    + "Run again to retry", e);
        }
        if (total >= 0 && received != total) {
            throw new WeightLoadException("Download of " + source + " ended after " + received + " of " + total
                    + " bytes; nothing was cached. Run again to retry");
        }
        listener.onProgress(fileName, received, total);
        return checksum.getValue();
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
        return "ModelDownloader[cache=" + cacheDir + (mirror == null ? "" : ", mirror=" + mirror) + ", timeout="
                + timeout + "]";
    }

    /** Builder for {@link ModelDownloader}; every setting is optional. */
    public static final class Builder {
        private Path cacheDir = Path.of(System.getProperty("user.home"), ".deeplearning4j", "models");
        private URI mirror;
        private DownloadListener listener = DownloadListener.NONE;
        private Duration timeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /** The cache folder (default {@code ~/.deeplearning4j/models}, where DL4J keeps zoo downloads). */
        public Builder optCacheDir(Path cacheDir) {
            this.cacheDir = cacheDir;
            return this;
        }

        /** A base URL serving the zoo's files under their own names, used instead of the zoo's host. */
        public Builder optMirror(URI mirror) {
            this.mirror = mirror;
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
