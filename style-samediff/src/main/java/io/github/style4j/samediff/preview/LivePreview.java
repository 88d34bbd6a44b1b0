package io.github.style4j.samediff.preview;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.image.Resizing;
import io.github.style4j.samediff.transfer.StyleTransfer;
import io.github.style4j.samediff.transfer.StyleTransferListener;
import io.github.style4j.samediff.transfer.StyleTransferProgress;
import io.github.style4j.samediff.transfer.StyleTransferResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A local web page that shows style transfers as they run: the picture forming, the content
 * and style images, loss curves per term, the settings, scale, iteration and ETA, and a Stop
 * button that ends a run after its current iteration (the result is then saved as usual).
 *
 * <pre>{@code
 * try (LivePreview preview = LivePreview.start()) {
 *     System.out.println(preview.url());                // open it in a browser
 *     new StyleTransfer(config).addRunListener(preview).run();
 * }
 * }</pre>
 *
 * <p>One preview can watch several transfers at once (threads, a batch): each gets its own
 * panel. The server listens on the loopback address only, every URL carries a random token
 * (requests without it get 403), Stop needs a POST with the token, and nothing but the page,
 * its state and its images is served. Pictures are made only while a page is open (it asks for
 * the state every second), encoded as JPEG on a thread of the preview's own, at most one at a
 * time, no more often than {@link Builder#optImageInterval} and {@link Builder#optImageEvery}
 * both allow: the optimisation thread only copies the current image when one is due. The
 * content and style images are read and encoded once, when the page first asks for them.
 * {@link #close()} stops the server.
 */
public final class LivePreview implements StyleTransferListener, AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LivePreview.class);
    private static final int THUMBNAIL_SIDE = 256;
    private static final int MAX_CURVE_POINTS = 1000;
    /** A page that has not asked for the state this long is taken as closed (it asks every second). */
    private static final long WATCHED_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    private static final ImageWriter JPEG = ImageWriter.builder().optJpegQuality(0.9f).build();

    private final HttpServer server;
    private final ExecutorService httpThreads;
    private final ExecutorService encoder;
    private final String token;
    private final Duration imageInterval;
    private final int imageEvery;
    private final int maxImageSide;
    private final byte[] page;
    private final Map<StyleTransfer, Panel> current = new IdentityHashMap<>();
    private final List<Panel> panels = new ArrayList<>();
    private final AtomicBoolean encoding = new AtomicBoolean();
    private volatile boolean closed;
    /** When the page last asked for the state: no one watching, no pictures made. */
    private volatile long lastPollNanos = Long.MIN_VALUE / 2;

    private LivePreview(Builder builder) throws IOException {
        this.imageInterval = builder.imageInterval;
        this.imageEvery = builder.imageEvery;
        this.maxImageSide = builder.maxImageSide;
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.token = HexFormat.of().formatHex(random);
        try (InputStream in = LivePreview.class.getResourceAsStream("preview.html")) {
            if (in == null) {
                throw new IllegalStateException("preview.html is missing from the style-samediff jar");
            }
            this.page = in.readAllBytes();
        }
        this.encoder = Executors.newSingleThreadExecutor(daemon("style4j-preview-encoder"));
        this.httpThreads = Executors.newFixedThreadPool(2, daemon("style4j-preview-http"));
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), builder.port), 16);
        server.setExecutor(httpThreads);
        server.createContext("/", this::handle);
        server.start();
        log.debug("Live preview at {}", url()); // the caller shows the URL (the command line prints it once)
    }

    /** A preview on a free port with the default settings. */
    public static LivePreview start() throws IOException {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The page's address, token included: {@code http://127.0.0.1:PORT/TOKEN/}. */
    public URI url() {
        return URI.create("http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":"
                + server.getAddress().getPort() + "/" + token + "/");
    }

    /** Stops the server and the encoder; the page then says the preview has ended. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            server.stop(0);
            encoder.shutdownNow();
            httpThreads.shutdownNow();
        }
    }

    @Override
    public String toString() {
        synchronized (panels) {
            return "LivePreview[" + (closed ? "closed" : url()) + ", " + panels.size() + " panel"
                    + (panels.size() == 1 ? "" : "s") + "]";
        }
    }

    // ---- the listener: called on each transfer's own thread ----

    @Override
    public void started(StyleTransfer transfer) {
        Panel panel;
        synchronized (panels) {
            panel = new Panel(panels.size() + 1, transfer);
            panels.add(panel);
            current.put(transfer, panel);
        }
    }

    @Override
    public void progressed(StyleTransfer transfer, StyleTransferProgress progress) {
        Panel panel;
        synchronized (panels) {
            panel = current.get(transfer);
        }
        if (panel == null) {
            return; // added to a transfer that was already running
        }
        panel.record(progress);
        long now = System.nanoTime();
        if (now - lastPollNanos <= WATCHED_NANOS && now - panel.lastImageNanos >= imageInterval.toNanos()
                && progress.iterationsDone() - panel.lastImageIteration >= imageEvery
                && encoding.compareAndSet(false, true)) {
            panel.lastImageNanos = now;
            panel.lastImageIteration = progress.iterationsDone();
            RgbImage image;
            try {
                image = progress.image().get(); // the one copy made on this thread
            } catch (RuntimeException e) {
                encoding.set(false);
                log.warn("Live preview: cannot copy the picture: {}", e.toString()); // the run goes on
                return;
            }
            if (!submit(() -> {
                try {
                    panel.publish(encode(image, maxImageSide));
                } finally {
                    encoding.set(false);
                }
            })) {
                encoding.set(false);
            }
        }
    }

    @Override
    public void finished(StyleTransfer transfer, StyleTransferResult result, Throwable failure) {
        Panel panel;
        synchronized (panels) {
            panel = current.remove(transfer);
        }
        if (panel == null) {
            return;
        }
        panel.finish(result, failure);
        if (result != null) {
            submit(() -> panel.publish(encode(result.image(), maxImageSide)));
        }
    }

    private boolean submit(Runnable task) {
        if (closed) {
            return false;
        }
        try {
            encoder.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("Live preview: could not encode an image: {}", e.toString());
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * JPEG bytes (quality 0.9) of the image, fitted within {@code maxSide}: for a preview,
     * several times faster to encode than PNG and a fraction of its size.
     */
    static byte[] encode(RgbImage image, int maxSide) {
        RgbImage fitted = Math.max(image.width(), image.height()) > maxSide ? Resizing.fitToMaxSide(image, maxSide)
                : image;
        return JPEG.jpegBytes(fitted);
    }

    // ---- the server ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String prefix = "/" + token + "/";
            if (!path.startsWith("/") || path.length() < prefix.length() || !MessageDigest.isEqual(
                    path.substring(0, prefix.length()).getBytes(StandardCharsets.UTF_8),
                    prefix.getBytes(StandardCharsets.UTF_8))) {
                send(exchange, 403, "text/plain; charset=utf-8", "forbidden: this preview's URL has a token\n");
                return;
            }
            String rest = path.substring(prefix.length());
            String method = exchange.getRequestMethod();
            if (rest.startsWith("stop/")) {
                if (!method.equals("POST")) {
                    exchange.getResponseHeaders().set("Allow", "POST");
                    send(exchange, 405, "text/plain; charset=utf-8", "Stop needs POST\n");
                    return;
                }
                Panel panel = panel(rest.substring("stop/".length()));
                if (panel == null) {
                    send(exchange, 404, "text/plain; charset=utf-8", "no such run\n");
                    return;
                }
                panel.transfer.stop();
                send(exchange, 202, "text/plain; charset=utf-8", "stopping after this iteration\n");
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
            if (rest.isEmpty()) {
                send(exchange, 200, "text/html; charset=utf-8", page);
            } else if (rest.equals("state")) {
                lastPollNanos = System.nanoTime();
                send(exchange, 200, "application/json; charset=utf-8", state().getBytes(StandardCharsets.UTF_8));
            } else if (rest.startsWith("image/")) {
                // image/RUN/current.jpg, image/RUN/content.jpg, image/RUN/style-K.jpg
                String[] parts = rest.split("/");
                Panel panel = parts.length == 3 ? panel(parts[1]) : null;
                byte[] jpeg = panel == null ? null : panel.image(parts[2]);
                if (jpeg == null) {
                    send(exchange, 404, "text/plain; charset=utf-8", "no such image\n");
                } else {
                    send(exchange, 200, "image/jpeg", jpeg);
                }
            } else {
                send(exchange, 404, "text/plain; charset=utf-8", "not found\n");
            }
        }
    }

    private Panel panel(String id) {
        synchronized (panels) {
            for (Panel panel : panels) {
                if (String.valueOf(panel.id).equals(id)) {
                    return panel;
                }
            }
        }
        return null;
    }

    private String state() {
        StringBuilder json = new StringBuilder("{\"runs\":[");
        synchronized (panels) {
            for (int i = 0; i < panels.size(); i++) {
                if (i > 0) {
                    json.append(',');
                }
                panels.get(i).appendJson(json);
            }
        }
        return json.append("]}").toString();
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        send(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", type);
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Content-Security-Policy", "default-src 'none'; img-src 'self'; connect-src 'self'; "
                + "script-src 'unsafe-inline'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One transfer's panel: what the page shows of it. Fields read by the server are guarded by this. */
    private final class Panel {
        final int id;
        final StyleTransfer transfer;
        final String settings;
        final String title;
        final long startNanos = System.nanoTime();
        final Map<String, List<double[]>> curves = new java.util.LinkedHashMap<>();
        long lastImageNanos = Long.MIN_VALUE / 2;
        int lastImageIteration = Integer.MIN_VALUE / 2;
        String status = "running";
        String message = "";
        int scale;
        int scales = 1;
        int size;
        int iterationsDone;
        int iterationsTotal;
        double loss = Double.NaN;
        byte[] currentJpeg;
        int imageVersion;
        final java.util.concurrent.ConcurrentHashMap<Integer, byte[]> thumbnails =
                new java.util.concurrent.ConcurrentHashMap<>();

        Panel(int id, StyleTransfer transfer) {
            this.id = id;
            this.transfer = transfer;
            this.settings = transfer.config().toString();
            List<String> styles = transfer.config().styleImages().stream().map(p -> p.getFileName().toString())
                    .toList();
            this.title = transfer.config().contentImage().getFileName() + " in the style of " + String.join(", ", styles);
        }

        /** The content (index -1) or a style image, read and encoded once, when the page first asks. */
        private byte[] thumbnail(int index) {
            return thumbnails.computeIfAbsent(index, i -> {
                Path file = i < 0 ? transfer.config().contentImage() : transfer.config().styleImages().get(i);
                try {
                    return encode(ImageReader.defaults().read(file), THUMBNAIL_SIDE);
                } catch (Exception e) {
                    log.warn("Live preview: cannot show {}: {}", file, e.getMessage());
                    return new byte[0];
                }
            });
        }

        synchronized void record(StyleTransferProgress progress) {
            scale = progress.scale();
            scales = progress.scales();
            size = progress.size();
            iterationsDone = progress.iterationsDone();
            iterationsTotal = progress.iterationsTotal();
            loss = progress.step().loss();
            progress.step().terms().forEach((name, value) -> curve(name).add(new double[] {iterationsDone, value}));
            if (!progress.step().terms().containsKey("total")) {
                curve("total").add(new double[] {iterationsDone, loss});
            }
        }

        private List<double[]> curve(String name) {
            return curves.computeIfAbsent(name, n -> new ArrayList<>());
        }

        synchronized void publish(byte[] jpeg) {
            currentJpeg = jpeg;
            imageVersion++;
        }

        synchronized void finish(StyleTransferResult result, Throwable failure) {
            if (failure != null) {
                status = "failed";
                message = String.valueOf(failure.getMessage());
            } else {
                status = transfer.stopRequested() ? "stopped" : "finished";
                message = result.message();
            }
        }

        byte[] image(String name) {
            byte[] found = null;
            if (name.equals("current.jpg")) {
                synchronized (this) {
                    found = currentJpeg;
                }
            } else if (name.equals("content.jpg")) {
                found = thumbnail(-1);
            } else if (name.startsWith("style-") && name.endsWith(".jpg")) {
                try {
                    int k = Integer.parseInt(name.substring("style-".length(), name.length() - ".jpg".length()));
                    found = k >= 0 && k < transfer.config().styleImages().size() ? thumbnail(k) : null;
                } catch (NumberFormatException e) {
                    found = null;
                }
            }
            return found == null || found.length == 0 ? null : found;
        }

        synchronized void appendJson(StringBuilder json) {
            double elapsed = (System.nanoTime() - startNanos) / 1e9;
            double eta = iterationsDone > 0 && status.equals("running")
                    ? elapsed * (iterationsTotal - iterationsDone) / iterationsDone : 0;
            json.append("{\"id\":").append(id)
                    .append(",\"title\":").append(quote(title))
                    .append(",\"status\":").append(quote(status))
                    .append(",\"message\":").append(quote(message))
                    .append(",\"settings\":").append(quote(settings))
                    .append(",\"scale\":").append(scale + 1)
                    .append(",\"scales\":").append(scales)
                    .append(",\"size\":").append(size)
                    .append(",\"iteration\":").append(iterationsDone)
                    .append(",\"iterations\":").append(iterationsTotal)
                    .append(",\"elapsedSeconds\":").append(number(elapsed))
                    .append(",\"etaSeconds\":").append(number(eta))
                    .append(",\"loss\":").append(number(loss))
                    .append(",\"imageVersion\":").append(imageVersion)
                    .append(",\"styles\":").append(transfer.config().styleImages().size())
                    .append(",\"curves\":{");
            boolean first = true;
            for (Map.Entry<String, List<double[]>> curve : curves.entrySet()) {
                json.append(first ? "" : ",").append(quote(curve.getKey())).append(":[");
                first = false;
                List<double[]> points = curve.getValue();
                int stride = Math.max(1, (points.size() + MAX_CURVE_POINTS - 1) / MAX_CURVE_POINTS);
                boolean firstPoint = true;
                for (int i = 0; i < points.size(); i += stride) {
                    int k = Math.min(points.size() - 1, i + stride - 1); // the newest of each stride
                    json.append(firstPoint ? "" : ",").append('[').append((long) points.get(k)[0]).append(',')
                            .append(number(points.get(k)[1])).append(']');
                    firstPoint = false;
                }
                json.append(']');
            }
            json.append("}}");
        }
    }

    /** A JSON number (Double.toString's shortest form is valid JSON, and cheap), or null. */
    private static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Settings for {@link LivePreview}; every one is optional. */
    public static final class Builder {
        private int port;
        private Duration imageInterval = Duration.ofSeconds(2);
        private int imageEvery = 5;
        private int maxImageSide = 768;

        private Builder() {
        }

        /** The port to listen on (default 0: a free one, see {@link LivePreview#url()}). */
        public Builder optPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("a port is 0 (any free one) to 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** The picture is updated no more often than this (default 2 s) ... */
        public Builder optImageInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("the image interval cannot be negative: " + interval);
            }
            this.imageInterval = interval;
            return this;
        }

        /** ... nor more often than every this many iterations (default 5): whichever is rarer. */
        public Builder optImageEvery(int iterations) {
            if (iterations < 1) {
                throw new IllegalArgumentException("the image is updated every 1 or more iterations, got " + iterations);
            }
            this.imageEvery = iterations;
            return this;
        }

        /** The shown picture's longest side at most (default 768 px; the run's own size is not changed). */
        public Builder optMaxImageSide(int pixels) {
            if (pixels < 16) {
                throw new IllegalArgumentException("the preview's image side must be at least 16 px, got " + pixels);
            }
            this.maxImageSide = pixels;
            return this;
        }

        /**
         * Starts the server.
         *
         * @throws IOException the port is taken (say another with {@link #optPort}, or 0)
         */
        public LivePreview start() throws IOException {
            try {
                return new LivePreview(this);
            } catch (java.net.BindException e) {
                throw new java.net.BindException("cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
                        + "); choose another port, or 0 for any free one");
            }
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "LivePreview.Builder[port=%s, imageInterval=%s, imageEvery=%d, "
                    + "maxImageSide=%d]", port == 0 ? "any free" : port, imageInterval, imageEvery, maxImageSide);
        }
    }
}
