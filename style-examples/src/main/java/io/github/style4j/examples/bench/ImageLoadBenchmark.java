package io.github.style4j.examples.bench;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.tensor.ImageTensors;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Milliseconds to load a JPEG into a {@code [1, 3, H, W]} float tensor: style4j's reader
 * (Commons Imaging with its checks) against the JDK's ImageIO decoder plus the same tensor
 * conversion, taking turns in one JVM.
 */
@Command(name = "images", mixinStandardHelpOptions = true,
        description = "Times loading JPEGs into tensors: style4j's ImageReader against the JDK's ImageIO.")
final class ImageLoadBenchmark implements Callable<Integer> {
    @Option(names = "--shared", description = "The shared folder with images/ (default: ${DEFAULT-VALUE}).")
    Path shared = Path.of("..", "shared");

    @Option(names = "--repeats", description = "Timed loads per image and decoder (default: ${DEFAULT-VALUE}).")
    int repeats = 5;

    @Override
    public Integer call() throws Exception {
        Map<String, Path> files = new LinkedHashMap<>();
        Path scream = shared.resolve("images/the_scream.jpg");
        if (Files.exists(scream)) {
            files.put("the_scream.jpg", scream);
        } else {
            System.out.println("(" + scream + " not found: timing only the generated image)");
        }
        Path generated = Files.createTempFile("style4j-bench-", ".jpg");
        try {
            writeLargeJpeg(generated, 4000, 3000);
            files.put("generated 4000x3000", generated);
            System.out.printf(Locale.ROOT, "%-22s %11s %11s %9s %12s%n", "image", "style4j ms", "JDK ms",
                    "ratio", "megapixels");
            for (Map.Entry<String, Path> file : files.entrySet()) {
                time(file.getKey(), file.getValue());
            }
        } finally {
            Files.deleteIfExists(generated);
        }
        System.out.println("(median of " + repeats + " after one warm-up each; ratio = style4j / JDK, lower is "
                + "better for style4j)");
        return 0;
    }

    private void time(String name, Path file) throws Exception {
        ImageReader reader = ImageReader.defaults();
        List<Double> ours = new ArrayList<>();
        List<Double> jdk = new ArrayList<>();
        INDArray a = ImageTensors.toTensor(reader.read(file));
        INDArray b = jdkTensor(file);
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            a = ImageTensors.toTensor(reader.read(file));
            ours.add((System.nanoTime() - start) / 1e6);
            start = System.nanoTime();
            b = jdkTensor(file);
            jdk.add((System.nanoTime() - start) / 1e6);
        }
        double mean = a.sub(b).norm1Number().doubleValue() / a.length();
        double oursMs = NetworkBenchmark.median(ours);
        double jdkMs = NetworkBenchmark.median(jdk);
        System.out.printf(Locale.ROOT, "%-22s %11.1f %11.1f %8.2fx %12.1f   (mean |difference| %.4f)%n", name,
                oursMs, jdkMs, oursMs / jdkMs, a.size(2) * a.size(3) / 1e6, mean);
    }

    /** The JDK's decoder and the same [1, 3, H, W] float layout, written directly. */
    private static INDArray jdkTensor(Path file) throws Exception {
        BufferedImage image = ImageIO.read(file.toFile());
        int w = image.getWidth();
        int h = image.getHeight();
        int n = w * h;
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        float[] rgb = new float[3 * n];
        for (int i = 0; i < n; i++) {
            rgb[i] = ((argb[i] >> 16) & 0xff) / 255f;
            rgb[n + i] = ((argb[i] >> 8) & 0xff) / 255f;
            rgb[2 * n + i] = (argb[i] & 0xff) / 255f;
        }
        return Nd4j.create(rgb, new long[] {1, 3, h, w}, 'c');
    }

    /** A photo-like test card: smooth gradients plus a little noise, so JPEG has work to do. */
    private static void writeLargeJpeg(Path file, int w, int h) throws Exception {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(1);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (int) (127 + 100 * Math.sin(x / 150.0)) + random.nextInt(16);
                int g = (int) (127 + 100 * Math.cos(y / 110.0)) + random.nextInt(16);
                int b = (x + y) * 255 / (w + h);
                row[x] = (Math.min(r, 255) << 16) | (Math.min(g, 255) << 8) | b;
            }
            image.setRGB(0, y, w, 1, row, 0, w);
        }
        ImageIO.write(image, "jpeg", file.toFile());
    }

}
