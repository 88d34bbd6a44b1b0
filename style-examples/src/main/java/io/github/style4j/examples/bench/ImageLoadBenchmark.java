package io.github.style4j.examples.bench;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.RgbImage;
import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Reading baseline JPEGs of 0.3 to 12 megapixels (the last a phone photo's 4032x3024):
 * style4j's {@code ImageReader} (file to float RGB planes, with its checks, EXIF and ICC)
 * against the JDK's own ImageIO JPEG decoder (file to an 8-bit {@code BufferedImage}, nothing
 * more), taking turns in one JVM. Also the bytes each allocates per read, against the size of
 * the 8-bit raster and of the float RGB planes style4j returns.
 */
@Command(name = "images", mixinStandardHelpOptions = true,
        description = "Times reading JPEGs: style4j's ImageReader against the JDK's ImageIO JPEG decoder.")
final class ImageLoadBenchmark implements Callable<Integer> {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * Bytes allocated so far by every live thread: a read may allocate on other threads (the
     * JPEG reader converts rows on a pool thread), and those bytes count too.
     */
    static long allThreadsAllocated() {
        long total = 0;
        for (long bytes : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
            total += Math.max(0, bytes);
        }
        return total;
    }

    @Option(names = "--shared", description = "The shared folder with images/ (default: ${DEFAULT-VALUE}).")
    Path shared = Path.of("..", "shared");

    @Option(names = "--repeats", description = "Timed reads per image and decoder (default: ${DEFAULT-VALUE}).")
    int repeats = 7;

    @Override
    public Integer call() throws Exception {
        List<Path> files = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Path scream = shared.resolve("images/the_scream.jpg");
        if (Files.exists(scream)) {
            files.add(scream);
            names.add("the_scream.jpg");
        }
        int[][] sizes = {{640, 480}, {1280, 960}, {2000, 1500}, {4032, 3024}};
        List<Path> generated = new ArrayList<>();
        try {
            for (int[] size : sizes) {
                Path file = Files.createTempFile("style4j-bench-", ".jpg");
                generated.add(file);
                writePhotoLikeJpeg(file, size[0], size[1]);
                files.add(file);
                names.add(size[0] + "x" + size[1]);
            }
            System.out.printf(Locale.ROOT, "%-16s %6s %11s %9s %7s %12s %12s %10s %11s %11s%n", "image", "MP",
                    "style4j ms", "JDK ms", "ratio", "JDK RGB ms", "style4j MB", "JDK MB", "/ 8-bit", "/ float");
            for (int i = 0; i < files.size(); i++) {
                time(names.get(i), files.get(i));
            }
        } finally {
            for (Path file : generated) {
                Files.deleteIfExists(file);
            }
        }
        System.out.println("(median of " + repeats + " after one warm-up each; ratio = style4j / JDK; 'JDK RGB': the "
                + "same decoder into an R,G,B-ordered raster, as style4j uses it, instead of its default B,G,R; MB allocated "
                + "per read; '/ 8-bit' and '/ float' divide style4j's allocation by the 8-bit raster (3 bytes a "
                + "pixel) and by the float planes it returns (12 bytes a pixel))");
        return 0;
    }

    private void time(String name, Path file) throws Exception {
        ImageReader reader = ImageReader.defaults();
        RgbImage image = reader.read(file);
        jdkDecode(file, false);
        jdkDecode(file, true);
        List<Double> ours = new ArrayList<>();
        List<Double> jdk = new ArrayList<>();
        List<Double> jdkRgb = new ArrayList<>();
        List<Double> oursBytes = new ArrayList<>();
        List<Double> jdkBytes = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            long allocated = allThreadsAllocated();
            long start = System.nanoTime();
            image = reader.read(file);
            ours.add((System.nanoTime() - start) / 1e6);
            oursBytes.add((double) (allThreadsAllocated() - allocated));
            allocated = allThreadsAllocated();
            start = System.nanoTime();
            jdkDecode(file, false);
            jdk.add((System.nanoTime() - start) / 1e6);
            jdkBytes.add((double) (allThreadsAllocated() - allocated));
            start = System.nanoTime();
            jdkDecode(file, true);
            jdkRgb.add((System.nanoTime() - start) / 1e6);
        }
        double pixels = (double) image.width() * image.height();
        double oursMs = NetworkBenchmark.median(ours);
        double jdkMs = NetworkBenchmark.median(jdk);
        double oursMb = NetworkBenchmark.median(oursBytes) / 1e6;
        System.out.printf(Locale.ROOT, "%-16s %6.2f %11.1f %9.1f %6.2fx %12.1f %12.1f %10.1f %10.2fx %10.2fx%n", name,
                pixels / 1e6, oursMs, jdkMs, oursMs / jdkMs, NetworkBenchmark.median(jdkRgb), oursMb,
                NetworkBenchmark.median(jdkBytes) / 1e6,
                oursMb * 1e6 / (3 * pixels), oursMb * 1e6 / (12 * pixels));
    }

    /**
     * The JDK's own JPEG reader, picked by class so that a TwelveMonkeys plugin on the class path
     * is not used; into its default image, or into an R,G,B-ordered one.
     */
    private static BufferedImage jdkDecode(Path file, boolean rgbOrder) throws Exception {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<javax.imageio.ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
            while (readers.hasNext()) {
                javax.imageio.ImageReader reader = readers.next();
                if (reader.getClass().getName().startsWith("com.sun.imageio.")) {
                    try {
                        reader.setInput(in, true, true);
                        javax.imageio.ImageReadParam param = reader.getDefaultReadParam();
                        if (rgbOrder) {
                            int w = reader.getWidth(0);
                            int h = reader.getHeight(0);
                            param.setDestination(new BufferedImage(new java.awt.image.ComponentColorModel(
                                    java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB), false,
                                    false, java.awt.Transparency.OPAQUE, java.awt.image.DataBuffer.TYPE_BYTE),
                                    java.awt.image.Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE,
                                            w, h, 3 * w, 3, new int[] {0, 1, 2}, null), false, null));
                        }
                        return reader.read(0, param);
                    } finally {
                        reader.dispose();
                    }
                }
            }
        }
        throw new IllegalStateException("the JDK's JPEG reader is not registered");
    }

    /** A photo-like test card written as a JPEG. */
    private static void writePhotoLikeJpeg(Path file, int w, int h) throws Exception {
        ImageIO.write(photoLike(w, h), "jpeg", file.toFile());
    }

    /** A photo-like test card: smooth gradients plus a little noise, so the encoders have work to do. */
    static BufferedImage photoLike(int w, int h) {
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
        return image;
    }
}
