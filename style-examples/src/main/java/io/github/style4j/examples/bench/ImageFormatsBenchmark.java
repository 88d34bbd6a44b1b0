package io.github.style4j.examples.bench;

import io.github.style4j.core.image.ImageException;
import io.github.style4j.core.image.ImageReader;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Issue #17's limits, format by format: a 12-megapixel photo-like image written in every format
 * the JDK can write (PNG 8 and 16 bits, baseline and progressive JPEG, BMP, GIF, TIFF 8-bit
 * and 16-bit deflate, 16-bit PPM; WebP when Debian's cwebp is installed) must read within 1 s
 * and 300 MB allocated; hostile files (bombs, huge declared sizes, truncations) must be refused
 * within 0.1 s and 64 MB. Each is read in turn, median of {@code --repeats}.
 */
@Command(name = "image-limits", mixinStandardHelpOptions = true,
        description = "Times reading a 12 MP image in every format, and refusing hostile files.")
final class ImageFormatsBenchmark implements Callable<Integer> {
    private static final int W = 4032;
    private static final int H = 3024;

    @Option(names = "--repeats", description = "Reads per file (default: ${DEFAULT-VALUE}).")
    int repeats = 3;

    @Override
    public Integer call() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        BufferedImage photo = ImageLoadBenchmark.photoLike(W, H);
        files.put("PNG 8-bit", write(photo, "png", null));
        files.put("PNG 16-bit", write(sixteenBit(photo), "png", null));
        files.put("JPEG baseline", write(photo, "jpeg", null));
        files.put("JPEG progressive", write(photo, "jpeg", ImageWriteParam.MODE_DEFAULT));
        files.put("BMP 24-bit", write(photo, "bmp", null));
        files.put("GIF (palette)", write(palette(photo), "gif", null));
        files.put("TIFF 8-bit", write(photo, "tiff", null));
        files.put("TIFF 16-bit deflate", tiff16(sixteenBit(photo)));
        files.put("PPM 16-bit", ppm16(sixteenBit(photo)));
        byte[] webp = webp(files.get("PNG 8-bit"), List.of());
        if (webp != null) {
            files.put("WebP lossy (cwebp)", webp);
            // Film grain leaves lossy WebP many more coefficients to decode (4-5 MB, not 0.2).
            files.put("WebP lossy -q 90, grainy", webp(write(grainy(photo), "png", null), List.of("-q", "90")));
            files.put("WebP lossless -z 0", webp(files.get("PNG 8-bit"), List.of("-lossless", "-z", "0")));
            files.put("WebP lossless -z 6", webp(files.get("PNG 8-bit"), List.of("-lossless", "-z", "6")));
        }
        Map<String, byte[]> hostile = hostile(files.get("JPEG baseline"), files.get("PNG 8-bit"),
                files.get("WebP lossy -q 90, grainy"));
        ImageReader reader = ImageReader.defaults();
        System.out.printf(Locale.ROOT, "%-26s %9s %9s %10s %12s %6s%n", "file (12 MP)", "MB", "read ms", "alloc MB",
                "-Xmx300m", "goal");
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            double[] m = measure(reader, file.getValue(), file.getKey(), false);
            boolean fits = readsInSmallHeap(file.getValue(), file.getKey());
            System.out.printf(Locale.ROOT, "%-26s %9.1f %9.0f %10.0f %12s %6s%n", file.getKey(),
                    file.getValue().length / 1e6, m[0], m[1] / 1e6, fits ? "reads" : "OUT OF HEAP",
                    m[0] <= 1000 && m[1] <= 300e6 ? "met" : "MISSED");
        }
        System.out.printf(Locale.ROOT, "%n%-26s %9s %9s %10s %6s%n", "hostile file", "KB", "refuse ms", "alloc MB",
                "goal");
        for (Map.Entry<String, byte[]> file : hostile.entrySet()) {
            double[] m = measure(reader, file.getValue(), file.getKey(), true);
            System.out.printf(Locale.ROOT, "%-26s %9.1f %9.1f %10.1f %6s%n", file.getKey(), file.getValue().length / 1e3,
                    m[0], m[1] / 1e6, m[0] <= 100 && m[1] <= 64e6 ? "met" : "MISSED");
        }
        System.out.println("(median of " + repeats + " after a warm-up; goals: a file within the pixel limit read in "
                + "<= 1 s and <= 300 MB allocated, a hostile one refused in <= 0.1 s and <= 64 MB; -Xmx300m: "
                + "whether a fresh JVM with a 300 MB heap reads it, i.e. whether what is allocated is also held)");
        return 0;
    }

    /**
     * Whether a fresh JVM limited to a 300 MB heap reads the file: allocation counts garbage
     * too, this what must be held at once.
     */
    private static boolean readsInSmallHeap(byte[] bytes, String name) throws Exception {
        Path file = Files.createTempFile("style4j-bench-", "-" + name.replaceAll("[^A-Za-z0-9]", "_"));
        try {
            Files.write(file, bytes);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-Xmx300m", "-cp", System.getProperty("java.class.path"),
                    ReadOnce.class.getName(), file.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return child.waitFor() == 0;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Reads one image and exits 0, or exits 1 (out of memory included). */
    public static final class ReadOnce {
        private ReadOnce() {
        }

        public static void main(String[] args) {
            try {
                ImageReader.defaults().read(Path.of(args[0]));
            } catch (Throwable e) {
                System.exit(1);
            }
        }
    }

    /** {median ms, median bytes allocated}; a hostile file must be refused, a good one read. */
    private double[] measure(ImageReader reader, byte[] bytes, String name, boolean mustFail) throws Exception {
        Path path = Path.of(name.replace(' ', '_'));
        List<Double> times = new ArrayList<>();
        List<Double> allocated = new ArrayList<>();
        for (int i = 0; i <= repeats; i++) {
            System.gc();
            long before = ImageLoadBenchmark.allThreadsAllocated();
            long start = System.nanoTime();
            boolean failed = false;
            try {
                reader.read(bytes, path);
            } catch (ImageException e) {
                failed = true;
            }
            double ms = (System.nanoTime() - start) / 1e6;
            double bytesAllocated = ImageLoadBenchmark.allThreadsAllocated() - before;
            if (failed != mustFail) {
                throw new IllegalStateException(name + (mustFail ? " was read" : " was refused"));
            }
            if (i > 0) {
                times.add(ms);
                allocated.add(bytesAllocated);
            }
        }
        return new double[] {NetworkBenchmark.median(times), NetworkBenchmark.median(allocated)};
    }

    private static BufferedImage sixteenBit(BufferedImage photo) {
        ComponentColorModel model = new ComponentColorModel(java.awt.color.ColorSpace.getInstance(
                java.awt.color.ColorSpace.CS_sRGB), false, false, java.awt.Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = model.createCompatibleWritableRaster(W, H);
        int[] rgb = new int[W];
        int[] samples = new int[3 * W];
        for (int y = 0; y < H; y++) {
            photo.getRGB(0, y, W, 1, rgb, 0, W);
            for (int x = 0; x < W; x++) {
                for (int c = 0; c < 3; c++) {
                    samples[3 * x + c] = ((rgb[x] >> (16 - 8 * c)) & 0xff) * 257 + (x + y + c) % 200;
                }
            }
            raster.setPixels(0, y, W, 1, samples);
        }
        return new BufferedImage(model, raster, false, null);
    }

    private static BufferedImage palette(BufferedImage photo) {
        BufferedImage indexed = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_INDEXED);
        indexed.getGraphics().drawImage(photo, 0, 0, null);
        return indexed;
    }

    private static byte[] write(BufferedImage image, String format, Integer progressive) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (progressive != null) {
                param.setProgressiveMode(progressive);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static byte[] tiff16(BufferedImage image) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("tiff").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionType("Deflate");
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static byte[] ppm16(BufferedImage image) {
        byte[] header = ("P6\n" + W + " " + H + "\n65535\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(header.length + W * H * 6).put(header);
        int[] samples = image.getRaster().getPixels(0, 0, W, H, (int[]) null);
        for (int v : samples) {
            out.putShort((short) v);
        }
        return out.array();
    }

    /** The image with Gaussian grain (sigma 12 levels, fixed seed) in every channel. */
    private static BufferedImage grainy(BufferedImage image) {
        BufferedImage out = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        java.util.Random random = new java.util.Random(17);
        int[] row = new int[3 * W];
        for (int y = 0; y < H; y++) {
            image.getRaster().getPixels(0, y, W, 1, row);
            for (int i = 0; i < row.length; i++) {
                row[i] = Math.max(0, Math.min(255, (int) Math.round(row[i] + 12 * random.nextGaussian())));
            }
            out.getRaster().setPixels(0, y, W, 1, row);
        }
        return out;
    }

    /**
     * A WebP of the PNG by Debian's cwebp with these options (none: lossy at cwebp's defaults),
     * or null if cwebp is not installed.
     */
    private static byte[] webp(byte[] png, List<String> options) {
        try {
            Path in = Files.createTempFile("style4j-bench-", ".png");
            Path out = Files.createTempFile("style4j-bench-", ".webp");
            try {
                Files.write(in, png);
                List<String> command = new ArrayList<>(List.of("cwebp", "-quiet"));
                command.addAll(options);
                command.addAll(List.of(in.toString(), "-o", out.toString()));
                Process cwebp = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                return cwebp.waitFor() == 0 ? Files.readAllBytes(out) : null;
            } finally {
                Files.deleteIfExists(in);
                Files.deleteIfExists(out);
            }
        } catch (Exception e) {
            return null;
        }
    }

    /** Bombs, huge declarations and truncations, made here from the good files and by hand. */
    private static Map<String, byte[]> hostile(byte[] jpeg, byte[] png, byte[] lossyWebp) throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("PNG iCCP inflating to 1 GB", pngWithIccpBomb());
        byte[] huge = png.clone();
        ByteBuffer.wrap(huge, 16, 8).putInt(200_000).putInt(200_000); // IHDR width, height (CRC now wrong)
        files.put("PNG declaring 200k x 200k", huge);
        byte[] sof = jpeg.clone();
        for (int i = 2; i + 8 < sof.length; i++) {
            if ((sof[i] & 0xff) == 0xff && (sof[i + 1] & 0xff) == 0xc0) {
                ByteBuffer.wrap(sof, i + 5, 4).putShort((short) 65500).putShort((short) 65500);
                break;
            }
        }
        files.put("JPEG declaring 65500^2", sof);
        files.put("JPEG cut in half", java.util.Arrays.copyOf(jpeg, jpeg.length / 2));
        files.put("PNG cut in half", java.util.Arrays.copyOf(png, png.length / 2));
        files.put("PNG 7000^2 with 1 KB of data", pngWithLittleData(7000, 7000));
        ByteBuffer bmp = ByteBuffer.allocate(54).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bmp.put((byte) 'B').put((byte) 'M').putInt(54).putInt(0).putInt(54).putInt(40).putInt(1 << 30).putInt(1 << 30)
                .putShort((short) 1).putShort((short) 24);
        files.put("BMP declaring 2^30 squared", bmp.array());
        byte[] gif = "GIF89a".getBytes(StandardCharsets.US_ASCII);
        files.put("GIF declaring 65535^2", ByteBuffer.allocate(13).put(gif).put(new byte[] {(byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, 0, 0, 0}).array());
        byte[] random = new byte[100_000];
        new Random(7).nextBytes(random);
        random[0] = (byte) 0xff;
        random[1] = (byte) 0xd8;
        random[2] = (byte) 0xff;
        files.put("JPEG marker, then noise", random);
        if (lossyWebp != null) {
            files.put("WebP lossy cut in half", java.util.Arrays.copyOf(lossyWebp, lossyWebp.length / 2));
            byte[] webpHuge = lossyWebp.clone(); // the VP8 frame header's 14-bit width and height
            ByteBuffer.wrap(webpHuge, 26, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort((short) 16383)
                    .putShort((short) 16383);
            files.put("WebP lossy declaring 16383^2", webpHuge);
        }
        return files;
    }

    private static byte[] pngWithIccpBomb() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(1).putInt(1).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        Deflater deflater = new Deflater(9);
        byte[] zeros = new byte[1 << 20];
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        for (int i = 0; i < 1024; i++) {
            deflater.setInput(zeros);
            while (!deflater.needsInput()) {
                compressed.write(buffer, 0, deflater.deflate(buffer));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            compressed.write(buffer, 0, deflater.deflate(buffer));
        }
        ByteArrayOutputStream iccp = new ByteArrayOutputStream();
        iccp.write("bomb".getBytes(StandardCharsets.US_ASCII));
        iccp.write(new byte[] {0, 0});
        iccp.write(compressed.toByteArray());
        chunk(out, "iCCP", iccp.toByteArray());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        Deflater pixels = new Deflater();
        pixels.setInput(new byte[] {0, 1, 2, 3});
        pixels.finish();
        byte[] idatBytes = new byte[64];
        int n = pixels.deflate(idatBytes);
        idat.write(idatBytes, 0, n);
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** A valid header declaring 49 MP (under the limit), then one row's worth of image data. */
    private static byte[] pngWithLittleData(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[1 + 3 * w]);
        deflater.finish();
        byte[] compressed = new byte[1 << 16];
        int n = deflater.deflate(compressed);
        chunk(out, "IDAT", java.util.Arrays.copyOf(compressed, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
