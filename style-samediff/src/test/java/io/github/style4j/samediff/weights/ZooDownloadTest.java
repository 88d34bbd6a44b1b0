package io.github.style4j.samediff.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.NetworkWeights;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Adler32;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real download path (HTTP, cache, checksum, progress, mirror) against a server on the
 * loopback interface, serving a DL4J model zip made from the zoo's SqueezeNet {@code init()}.
 */
class ZooDownloadTest {
    private static byte[] zip;
    private static long adler32;
    private static ComputationGraph model;

    @TempDir
    Path cache;

    private HttpServer server;

    @BeforeAll
    static void makeModelZip(@TempDir Path dir) throws IOException {
        model = (ComputationGraph) Dl4jGraphs.zooModel(Architecture.SQUEEZENET, 99).init();
        Path file = dir.resolve("squeezenet.zip");
        ModelSerializer.writeModel(model, file.toFile(), false);
        zip = Files.readAllBytes(file);
        Adler32 checksum = new Adler32();
        checksum.update(zip);
        adler32 = checksum.getValue();
    }

    /** Serves {@code body}, but stops after {@code cutAfter} bytes while announcing the full length. */
    private URI serve(byte[] body, int cutAfter, AtomicInteger requests) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/models/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body, 0, Math.min(cutAfter, body.length));
                out.flush();
                if (cutAfter < body.length) {
                    exchange.getHttpContext().getServer().stop(0); // the connection drops mid-transfer
                }
            } catch (IOException ignored) {
                // the client sees the broken transfer
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/models/");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private ZooPretrainedWeights source(URI base, long checksum, List<long[]> progress) {
        ModelDownloader downloader = ModelDownloader.builder().optCacheDir(cache).optTimeout(Duration.ofSeconds(10))
                .optListener((file, bytes, total) -> progress.add(new long[] {bytes, total})).build();
        return ZooPretrainedWeights.builder().optDownloader(downloader).optFile(Architecture.SQUEEZENET,
                new PretrainedFile("squeezenet_test.zip", base.resolve("squeezenet_test.zip"), checksum)).build();
    }

    @Test
    void downloadsVerifiesCachesAndLoads() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        List<long[]> progress = new ArrayList<>();
        ZooPretrainedWeights source = source(serve(zip, Integer.MAX_VALUE, requests), adler32, progress);
        NetworkWeights weights = source.load(Architecture.SQUEEZENET);
        assertEquals(model.getParam("conv1_W"), weights.convolutions().get(0).weight());
        assertTrue(Files.isRegularFile(source.cachedFile(Architecture.SQUEEZENET)));
        long[] last = progress.get(progress.size() - 1);
        assertArrayEquals(new long[] {zip.length, zip.length}, last, "final progress report");
        // A second load uses the cache: no new request.
        source.load(Architecture.SQUEEZENET);
        assertEquals(1, requests.get());
        try (var files = Files.list(cache)) {
            assertEquals(List.of("squeezenet_test.zip"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aChecksumMismatchIsAClearErrorAndCachesNothing() throws Exception {
        ZooPretrainedWeights source = source(serve(zip, Integer.MAX_VALUE, new AtomicInteger()), adler32 + 1,
                new ArrayList<>());
        WeightLoadException error = assertThrows(WeightLoadException.class, () -> source.load(Architecture.SQUEEZENET));
        assertTrue(error.getMessage().contains("checksum"), error.getMessage());
        assertCacheEmpty();
    }

    @Test
    void aRefusedConnectionSaysHowToUseLocalWeights() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        ZooPretrainedWeights source = source(URI.create("http://127.0.0.1:" + port + "/models/"), adler32,
                new ArrayList<>());
        WeightLoadException error = assertThrows(WeightLoadException.class, () -> source.load(Architecture.SQUEEZENET));
        assertTrue(error.getMessage().contains("connection refused") && error.getMessage().contains("--weights"),
                error.getMessage());
        assertCacheEmpty();
    }

    /** Serves {@code body} honouring {@code Range: bytes=N-} with 206, recording each Range header ("" if none). */
    private URI serveRanges(byte[] body, List<String> ranges) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/models/", exchange -> {
            String range = exchange.getRequestHeaders().getFirst("Range");
            ranges.add(range == null ? "" : range);
            int from = 0;
            if (range != null && range.matches("bytes=\\d+-")) {
                from = Integer.parseInt(range.substring(6, range.length() - 1));
                exchange.getResponseHeaders().add("Content-Range",
                        "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
                exchange.sendResponseHeaders(206, body.length - from);
            } else {
                exchange.sendResponseHeaders(200, body.length);
            }
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body, from, body.length - from);
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/models/");
    }

    private Path part() {
        return cache.resolve("squeezenet_test.zip.part");
    }

    @Test
    void anInterruptedTransferIsResumedWithARangeRequest() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        ZooPretrainedWeights broken = source(serve(zip, zip.length / 3, requests), adler32, new ArrayList<>());
        WeightLoadException error = assertThrows(WeightLoadException.class, () -> broken.load(Architecture.SQUEEZENET));
        assertTrue(error.getMessage().contains("broke off") && error.getMessage().contains("resume"),
                error.getMessage());
        assertFalse(Files.exists(cache.resolve("squeezenet_test.zip")), "nothing that looks valid");
        byte[] received = Files.readAllBytes(part());
        assertTrue(received.length > 0 && received.length <= zip.length / 3, "kept " + received.length);
        assertArrayEquals(java.util.Arrays.copyOf(zip, received.length), received);
        stop();
        List<String> ranges = new ArrayList<>();
        ZooPretrainedWeights working = source(serveRanges(zip, ranges), adler32, new ArrayList<>());
        assertEquals(model.getParam("conv10_b").length(),
                working.load(Architecture.SQUEEZENET).convolutions().get(25).bias().length());
        assertEquals(List.of("bytes=" + received.length + "-"), ranges, "only the rest was asked for");
        assertArrayEquals(zip, Files.readAllBytes(cache.resolve("squeezenet_test.zip")));
        assertFalse(Files.exists(part()));
    }

    @Test
    void aServerThatIgnoresRangesIsDownloadedFromTheStart() throws Exception {
        Files.write(part(), java.util.Arrays.copyOf(zip, 1000));
        AtomicInteger requests = new AtomicInteger();
        source(serve(zip, Integer.MAX_VALUE, requests), adler32, new ArrayList<>()).load(Architecture.SQUEEZENET);
        assertArrayEquals(zip, Files.readAllBytes(cache.resolve("squeezenet_test.zip")));
    }

    @Test
    void aPartOfAnotherFileIsDiscardedAndTheFileFetchedWhole() throws Exception {
        byte[] other = new byte[5000];
        java.util.Arrays.fill(other, (byte) 7);
        Files.write(part(), other);
        List<String> ranges = new ArrayList<>();
        source(serveRanges(zip, ranges), adler32, new ArrayList<>()).load(Architecture.SQUEEZENET);
        assertEquals(List.of("bytes=5000-", ""), ranges, "resumed, failed the checksum, fetched again whole");
        assertArrayEquals(zip, Files.readAllBytes(cache.resolve("squeezenet_test.zip")));
    }

    @Test
    void mirrorsAreTriedInOrderAndEveryFailureIsNamed() throws Exception {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = socket.getLocalPort();
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger forbidden = new AtomicInteger();
        server.createContext("/forbidden/", exchange -> {
            forbidden.incrementAndGet();
            exchange.sendResponseHeaders(403, -1);
            exchange.close();
        });
        server.createContext("/good/", exchange -> {
            exchange.sendResponseHeaders(200, zip.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(zip);
            }
        });
        server.start();
        String local = "http://127.0.0.1:" + server.getAddress().getPort();
        URI dead = URI.create("http://127.0.0.1:" + deadPort + "/models/");
        PretrainedFile file = new PretrainedFile("squeezenet_test.zip",
                URI.create(local + "/forbidden/squeezenet_test.zip"), adler32);
        ModelDownloader failing = ModelDownloader.builder().optCacheDir(cache).optMirror(dead)
                .optTimeout(Duration.ofSeconds(10)).build();
        WeightLoadException error = assertThrows(WeightLoadException.class, () -> failing.fetch(file));
        String message = error.getMessage();
        assertTrue(message.contains(dead + "squeezenet_test.zip (connection refused")
                && message.contains(local + "/forbidden/squeezenet_test.zip (HTTP 403)")
                && message.contains("--weights") && message.contains("vgg19-dcbb9e9d.pth"), message);
        assertCacheEmpty();
        ModelDownloader working = ModelDownloader.builder().optCacheDir(cache).optMirror(dead)
                .optMirror(URI.create(local + "/good/")).build();
        assertArrayEquals(zip, Files.readAllBytes(working.fetch(file)));
        assertEquals(1, forbidden.get(), "the zoo's own URL was not needed the second time");
    }

    @Test
    void aSecondDownloadOfTheSameFileWaitsItsTurn() throws Exception {
        try (var channel = java.nio.channels.FileChannel.open(part(), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE); var lock = channel.lock()) {
            ZooPretrainedWeights source = source(serve(zip, Integer.MAX_VALUE, new AtomicInteger()), adler32,
                    new ArrayList<>());
            WeightLoadException error = assertThrows(WeightLoadException.class,
                    () -> source.load(Architecture.SQUEEZENET));
            assertTrue(error.getMessage().contains("another download"), error.getMessage());
        }
    }

    @Test
    void dl4jsBaseUrlPropertyMovesTheZooFiles() {
        String property = org.deeplearning4j.common.resources.DL4JResources.DL4J_BASE_URL_PROPERTY;
        System.setProperty(property, "http://127.0.0.1:9/dl4j-mirror");
        try {
            assertEquals(URI.create("http://127.0.0.1:9/dl4j-mirror/models/vgg19_dl4j_inference.zip"),
                    ZooPretrainedWeights.zooFile(Architecture.VGG19).url());
        } finally {
            System.clearProperty(property);
        }
    }

    @Test
    void aCorruptedCacheFileIsReplaced() throws Exception {
        Files.write(cache.resolve("squeezenet_test.zip"), new byte[] {1, 2, 3});
        AtomicInteger requests = new AtomicInteger();
        ZooPretrainedWeights source = source(serve(zip, Integer.MAX_VALUE, requests), adler32, new ArrayList<>());
        source.load(Architecture.SQUEEZENET);
        assertEquals(1, requests.get());
        assertEquals(zip.length, Files.size(cache.resolve("squeezenet_test.zip")));
    }

    @Test
    void aMirrorServesTheZoosFileNames() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        URI mirror = serve(zip, Integer.MAX_VALUE, requests);
        ModelDownloader downloader = ModelDownloader.builder().optCacheDir(cache).optMirror(mirror).build();
        PretrainedFile file = new PretrainedFile("squeezenet_test.zip",
                URI.create("http://unreachable.invalid/models/squeezenet_test.zip"), adler32);
        assertEquals(List.of(mirror.resolve("squeezenet_test.zip"), file.url()), downloader.sourcesOf(file));
        Path fetched = downloader.fetch(file);
        assertEquals(1, requests.get());
        assertArrayEquals(zip, Files.readAllBytes(fetched));
    }

    @Test
    void theZoosOwnFilesAreKnown() {
        PretrainedFile vgg19 = ZooPretrainedWeights.zooFile(Architecture.VGG19);
        assertEquals("vgg19_dl4j_inference.zip", vgg19.fileName());
        assertTrue(vgg19.url().toString().endsWith("/vgg19_dl4j_inference.zip"), vgg19.url().toString());
    }

    @Test
    void aLocalModelZipLoadsAndANonModelIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.zip");
        Files.write(file, zip);
        assertEquals(model.getParam("fire9_exp3x3_W"),
                WeightSource.dl4jModel(file).load(Architecture.SQUEEZENET).convolutions().get(24).weight());
        Path junk = dir.resolve("junk.zip");
        Files.writeString(junk, "not a model");
        WeightLoadException error = assertThrows(WeightLoadException.class,
                () -> WeightSource.dl4jModel(junk).load(Architecture.SQUEEZENET));
        assertTrue(error.getMessage().contains("junk.zip"), error.getMessage());
        WeightLoadException wrong = assertThrows(WeightLoadException.class,
                () -> WeightSource.dl4jModel(file).load(Architecture.VGG16));
        assertTrue(wrong.getMessage().contains("VGG-16"), wrong.getMessage());
    }

    private void assertCacheEmpty() throws IOException {
        try (var files = Files.list(cache)) {
            List<Path> left = files.toList();
            assertFalse(left.stream().anyMatch(p -> p.getFileName().toString().endsWith(".zip")), left.toString());
            assertTrue(left.isEmpty(), "no partial files may remain: " + left);
        }
    }
}
