package io.github.style4j.samediff.preview;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.optim.StopReason;
import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.transfer.StyleTransfer;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import io.github.style4j.samediff.transfer.StyleTransferResult;
import io.github.style4j.samediff.weights.WeightSource;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The preview's HTTP side, during real transfers (SqueezeNet, 48 px): the token, the 403s and
 * 405s, content types, the picture changing, per-run panels, Stop, and the server ending on close.
 */
@Tag("shared")
class LivePreviewTest {
    private static final byte[] JPEG_START = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static StyleTransferConfig config(int iterations) {
        return StyleTransferConfig.builder().setContentImage(SharedFiles.image("chelsea.png"))
                .addStyleImage(SharedFiles.image("starry_night.jpg")).optNetwork(Architecture.SQUEEZENET)
                .optWeights(WeightSource.npyFolder(SharedFiles.require("models/squeezenet1.1")))
                .optImageSize(48).optIterations(iterations).optInit(StyleTransferConfig.Init.CONTENT).build();
    }

    private HttpResponse<byte[]> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> post(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String state(LivePreview preview) throws Exception {
        HttpResponse<byte[]> response = get(preview.url().resolve("state"));
        assertEquals(200, response.statusCode());
        assertEquals("application/json; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
        return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static int field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return Integer.parseInt(m.group(1));
    }

    @Test
    void servesOnlyWithItsTokenOnLoopback() throws Exception {
        try (LivePreview preview = LivePreview.start()) {
            URI url = preview.url();
            assertTrue(InetAddress.getByName(url.getHost()).isLoopbackAddress(), url.toString());
            String token = url.getPath().replace("/", "");
            assertEquals(32, token.length(), "a 128-bit token in hex");
            URI root = url.resolve("/");

            HttpResponse<byte[]> page = get(url);
            assertEquals(200, page.statusCode());
            assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(""));
            String html = new String(page.body(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(html.contains("<canvas") || html.contains("\"canvas\""), "the page draws loss curves");
            assertFalse(html.matches("(?s).*(src|href)=\"https?://.*"), "nothing loaded from elsewhere");
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'none'"));

            assertEquals(403, get(root).statusCode(), "no token");
            assertEquals(403, get(root.resolve("state")).statusCode(), "no token");
            assertEquals(403, get(root.resolve("/" + "0".repeat(32) + "/state")).statusCode(), "wrong token");
            assertEquals(403, get(root.resolve("/" + token.substring(0, 31) + "/")).statusCode(), "token prefix");
            assertEquals(403, post(root.resolve("stop/1")).statusCode(), "stop without the token");
            assertEquals(404, get(url.resolve("../" + token + "/etc/passwd")).statusCode(), "only its own resources");
            assertEquals(404, get(url.resolve("image/1/current.jpg")).statusCode(), "no run yet");
            assertEquals(405, get(url.resolve("stop/1")).statusCode(), "Stop needs POST");
            assertEquals(404, post(url.resolve("stop/1")).statusCode(), "no such run");
            assertEquals(405, http.send(HttpRequest.newBuilder(url.resolve("state"))
                    .method("DELETE", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals("{\"runs\":[]}", state(preview));
        }
    }

    @Test
    void showsThePictureChangingAndStopsTheRunOnPost() throws Exception {
        try (LivePreview preview = LivePreview.builder().optImageInterval(Duration.ZERO).optImageEvery(1).start()) {
            // Adam: it never stops on its own before its iterations run out, so only Stop can end it early.
            StyleTransfer transfer = new StyleTransfer(config(5000).toBuilder()
                    .optOptimizer(StyleTransferConfig.OptimizerKind.ADAM).optLearningRate(0.02).build())
                    .addRunListener(preview);
            CompletableFuture<StyleTransferResult> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return transfer.run();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            // Wait until the page has shown two different pictures of the run.
            Set<String> pictures = new HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (pictures.size() < 2 && System.nanoTime() < deadline && !run.isDone()) {
                state(preview); // as the page does: pictures are made only while someone asks
                HttpResponse<byte[]> image = get(preview.url().resolve("image/1/current.jpg"));
                if (image.statusCode() == 200) {
                    assertEquals("image/jpeg", image.headers().firstValue("Content-Type").orElse(""));
                    assertArrayEquals(JPEG_START, Arrays.copyOf(image.body(), 3));
                    pictures.add(Arrays.toString(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(image.body())));
                }
                Thread.sleep(100);
            }
            assertEquals(2, pictures.size(), "the picture changed while the run went on");
            String state = state(preview);
            assertTrue(state.contains("\"status\":\"running\""), state);
            assertTrue(field(state, "imageVersion") >= 2, state);
            assertTrue(state.contains("\"style\":[["), "a style-loss curve: " + state);
            assertTrue(state.contains("chelsea.png in the style of starry_night.jpg"), state);
            HttpResponse<byte[]> content = get(preview.url().resolve("image/1/content.jpg"));
            assertEquals(200, content.statusCode());
            assertArrayEquals(JPEG_START, Arrays.copyOf(content.body(), 3));
            assertEquals(200, get(preview.url().resolve("image/1/style-0.jpg")).statusCode());
            assertEquals(404, get(preview.url().resolve("image/1/style-1.jpg")).statusCode());
            assertEquals(404, get(preview.url().resolve("image/1/style-x.jpg")).statusCode());

            assertEquals(202, post(preview.url().resolve("stop/1")).statusCode());
            StyleTransferResult result = run.get(60, TimeUnit.SECONDS);
            assertEquals(StopReason.STOPPED, result.stopReason());
            int done = result.history().size();
            assertTrue(done < 5000, "stopped early, after " + done + " iterations");
            assertTrue(transfer.stopRequested());
            String after = state(preview);
            assertTrue(after.contains("\"status\":\"stopped\""), after);
            assertEquals(done, field(after, "iteration"), "the panel saw every iteration");
        }
    }

    private static StyleTransferResult run(StyleTransferConfig config, LivePreview preview) {
        try {
            return new StyleTransfer(config).addRunListener(preview).run();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void eachTransferGetsItsOwnPanelAndTheServerEndsOnClose() throws Exception {
        URI url;
        try (LivePreview preview = LivePreview.start()) {
            url = preview.url();
            // Two transfers at once, on two threads.
            CompletableFuture<StyleTransferResult> first = CompletableFuture.supplyAsync(() -> run(config(3), preview));
            CompletableFuture<StyleTransferResult> second = CompletableFuture.supplyAsync(() -> run(config(4), preview));
            assertEquals(3, first.get(120, TimeUnit.SECONDS).history().size());
            assertEquals(4, second.get(120, TimeUnit.SECONDS).history().size());
            String state = state(preview);
            assertTrue(state.contains("\"id\":1") && state.contains("\"id\":2"), state);
            assertEquals(2, state.split("\"status\":\"finished\"", -1).length - 1, state);
            assertTrue(state.contains("\"iteration\":3") && state.contains("\"iteration\":4"), "a panel each: " + state);
            int status = 0;
            for (int tries = 0; tries < 100 && status != 200; tries++) { // encoded on the preview's thread
                status = get(url.resolve("image/2/current.jpg")).statusCode();
                Thread.sleep(50);
            }
            assertEquals(200, status, "the result is shown");
            assertTrue(preview.toString().contains("2 panels"), preview.toString());
        }
        assertThrows(ConnectException.class, () -> {
            try {
                get(url);
            } catch (IOException e) {
                throw e instanceof ConnectException ? e : (e.getCause() instanceof ConnectException c ? c : e);
            }
        });
    }
}
