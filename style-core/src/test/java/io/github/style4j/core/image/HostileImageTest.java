package io.github.style4j.core.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.style4j.core.testing.SharedFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Broken and hostile files: each gets its own exception, naming the file, and nothing worse. */
class HostileImageTest {
    @TempDir
    Path dir;

    private final ImageReader reader = ImageReader.defaults();

    private <T extends ImageException> T refused(Class<T> type, Path file, String... words) {
        T error = assertThrows(type, () -> reader.read(file));
        assertTrue(error.getMessage().contains(file.toString()), () -> "message must name the file: " + error.getMessage());
        for (String word : words) {
            assertTrue(error.getMessage().contains(word), () -> "message must say '" + word + "': " + error.getMessage());
        }
        assertEquals(file, error.path());
        return error;
    }

    @Test
    void zeroBytes() throws IOException {
        refused(ImageFileException.class, Files.createFile(dir.resolve("empty.png")), "empty");
    }

    @Test
    void missingFile() {
        refused(ImageFileException.class, dir.resolve("nope.png"), "no such file");
    }

    @Test
    void directory() throws IOException {
        refused(ImageFileException.class, Files.createDirectory(dir.resolve("folder.png")), "directory");
    }

    @Test
    void unreadableFile() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")),
                "Skipped: running as root, which reads files whatever their permissions; see unopenableFile()");
        Path file = dir.resolve("secret.png");
        ImageWriter.defaults().write(RgbImage.filled(2, 2, 0, 0, 0), file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        refused(ImageFileException.class, file, "permission denied");
    }

    /** A file that cannot be opened even by root: a symbolic link that points at itself. */
    @Test
    void unopenableFile() throws IOException {
        Path loop = dir.resolve("loop.png");
        Files.createSymbolicLink(loop, loop.getFileName());
        ImageFileException error = assertThrows(ImageFileException.class, () -> reader.read(loop));
        assertTrue(error.getMessage().contains(loop.toString()), error.getMessage());
    }

    /**
     * A lossless WebP (110 bytes, found by the fuzzer) whose Huffman codes send TwelveMonkeys'
     * bit reader past the end of the file: it catches the end-of-file exception and read on from
     * stale bits forever. Refused as cut short, at once.
     */
    @Test
    void webpThatReadsPastItsEndForever() throws IOException {
        Path file = dir.resolve("past-end.webp");
        Files.write(file, java.util.Base64.getDecoder().decode("UklGRgAAAABXRUJQVlA4TMAAAAAvJ8AFAB9fQUxQSEHHCDCAOIQE"
                + "xBmDvPC/SgIBosSuE1Fu5j8yT5bqAMdfQUxQSEHatuNRrA0YeC51jRRwq1GOsrNDwA2yr7AF4IKU+XQTOEXH4UoEuH/7RwE="));
        long start = System.nanoTime();
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20),
                () -> refused(CorruptImageException.class, file, "past the end", "truncated or corrupt"));
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "took " + (System.nanoTime() - start) / 1e9 + " s");
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpg"})
    void truncated(String format) throws IOException {
        Path good = dir.resolve("good." + format);
        ImageWriter.defaults().write(TestImages.random(64, 64, 255, false, 5), good);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut." + format);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length * 2 / 3));
        refused(CorruptImageException.class, cut, "truncated");
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpg", "tif", "gif", "bmp"})
    void randomBytesBehindAValidSignature(String format) throws IOException {
        byte[] signature = switch (format) {
            case "png" -> new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
            case "jpg" -> new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff};
            case "tif" -> new byte[] {'I', 'I', 42, 0};
            case "gif" -> new byte[] {'G', 'I', 'F', '8', '9', 'a', 8, 0, 8, 0}; // declares 8x8
            default -> new byte[] {'B', 'M'};
        };
        byte[] noise = new byte[4096];
        new Random(42).nextBytes(noise);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(signature);
        file.write(noise);
        Path path = dir.resolve("noise." + format);
        Files.write(path, file.toByteArray());
        ImageException error = assertThrows(ImageException.class, () -> reader.read(path));
        assertTrue(error instanceof CorruptImageException || error instanceof ImageTooLargeException,
                () -> "expected corrupt or too large, got " + error);
        assertTrue(error.getMessage().contains(path.toString()), error.getMessage());
        assertTrue(!java.util.regex.Pattern.compile("[A-Z][A-Za-z]*(Exception|Error)\\b").matcher(error.getMessage()).find(),
                () -> "a message for users names no Java class: " + error.getMessage());
    }

    @Test
    void textFileNamedPng() throws IOException {
        Path file = dir.resolve("notes.png");
        Files.writeString(file, "this is not a picture\n");
        refused(UnsupportedImageException.class, file, ".png", "PNG, JPEG");
    }

    /** A PNG that is nothing but a signature and a header declaring 100000 x 100000 pixels. */
    static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        crc.update(ihdr.array());
        return ByteBuffer.allocate(8 + 4 + 4 + 13 + 4).put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
                .putInt(13).put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put(ihdr.array())
                .putInt((int) crc.getValue()).array();
    }

    @Test
    void dimensionsWhoseProductOverflowsALongAreTooLarge() throws IOException {
        // 0xffffffff x 0xffff00aa: the product of two 32-bit fields wraps past a long, and
        // came out negative ("small") before (fuzz finding crash-940702...).
        Path bomb = dir.resolve("wrap.png");
        Files.write(bomb, pngHeaderOnly(0xffffffff, 0xffff00aa));
        refused(ImageTooLargeException.class, bomb, "4294967295x4294901930 = 18446463324582379350 pixels");
    }

    @Test
    void pngBombIsStoppedByItsHeaderAlone() throws IOException {
        Path bomb = dir.resolve("bomb.png");
        Files.write(bomb, pngHeaderOnly(100_000, 100_000));
        // No pixel data at all follows: only the header can have decided.
        long allocated = allocatedBytesDuring(() -> refused(ImageTooLargeException.class, bomb, "100000x100000"));
        assertTrue(allocated < 8L << 20, "reading a bomb allocated " + allocated + " bytes");
    }

    @Test
    void jpegBombIsStoppedByItsHeaderAlone() throws IOException {
        // SOI, then a baseline frame header declaring 60000 x 60000 with 3 components, nothing more.
        byte[] sof = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xc0, 0, 17, 8, (byte) 0xea, 0x60, (byte) 0xea,
                0x60, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1};
        Path bomb = dir.resolve("bomb.jpg");
        Files.write(bomb, sof);
        ImageTooLargeException error = refused(ImageTooLargeException.class, bomb);
        assertEquals(60_000, error.width());
        assertEquals(60_000, error.height());
    }

    /**
     * A 1x1 PNG whose iCCP chunk is 64 KB of deflate that inflates to 64 MiB: refused from the
     * chunk, before a decoder inflates it whole (uncapped, the decoders allocate over 300 MiB
     * for a 48 MiB profile, and the JDK's default heap lets a 1 GiB one through).
     */
    @Test
    void aCompressedProfileBombIsStoppedBeforeAnyDecoderInflatesIt() throws IOException {
        ByteArrayOutputStream deflated = new ByteArrayOutputStream();
        try (var out = new java.util.zip.DeflaterOutputStream(deflated, new java.util.zip.Deflater(9))) {
            out.write(new byte[64 << 20]);
        }
        byte[] header = pngHeaderOnly(1, 1);
        ByteBuffer file = ByteBuffer.allocate(header.length + 12 + 6 + deflated.size() + 12 + 11 + 12);
        file.put(header);
        putChunk(file, "iCCP", concat("bomb\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                deflated.toByteArray()));
        putChunk(file, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0});
        putChunk(file, "IEND", new byte[0]);
        Path bomb = dir.resolve("profile-bomb.png");
        Files.write(bomb, Arrays.copyOf(file.array(), file.position()));
        long allocated = allocatedBytesDuring(() -> refused(CorruptImageException.class, bomb, "iCCP", "too large"));
        assertTrue(allocated < 32L << 20, "refusing the bomb allocated " + (allocated >> 20) + " MiB");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static void putChunk(ByteBuffer file, String type, byte[] data) {
        byte[] name = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        file.putInt(data.length).put(name).put(data).putInt((int) crc.getValue());
    }

    /**
     * Headers alone, declaring 60000 x 60000 (3.6 gigapixels): BMP (24-bit), GIF (logical screen
     * and image descriptor) and TIFF (baseline tags). Each is refused as too large from the header,
     * with little memory, whatever follows.
     */
    @ParameterizedTest
    @ValueSource(strings = {"bmp", "gif", "tif"})
    void otherFormatsAreStoppedByTheirHeaders(String format) throws IOException {
        int side = 60_000;
        ByteBuffer b = ByteBuffer.allocate(256);
        switch (format) {
            case "bmp" -> b.order(java.nio.ByteOrder.LITTLE_ENDIAN).put((byte) 'B').put((byte) 'M').putInt(54 + 16)
                    .putInt(0).putInt(54).putInt(40).putInt(side).putInt(side).putShort((short) 1)
                    .putShort((short) 24).putInt(0).putInt(0).putInt(2835).putInt(2835).putInt(0).putInt(0)
                    .put(new byte[16]);
            case "gif" -> b.order(java.nio.ByteOrder.LITTLE_ENDIAN).put("GIF89a".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                    .putShort((short) side).putShort((short) side).put((byte) 0).put((byte) 0).put((byte) 0)
                    .put((byte) 0x2c).putShort((short) 0).putShort((short) 0).putShort((short) side)
                    .putShort((short) side).put((byte) 0).put((byte) 2).put((byte) 0).put((byte) 0x3b);
            default -> {
                // Little-endian TIFF, one IFD: width, height, 8-bit samples x 3, RGB, one strip.
                b.order(java.nio.ByteOrder.LITTLE_ENDIAN).put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
                int[][] tags = {{256, 4, side}, {257, 4, side}, {258, 3, 8}, {262, 3, 2}, {273, 4, 200},
                        {277, 3, 3}, {278, 4, side}, {279, 4, 16}};
                b.putShort((short) tags.length);
                for (int[] tag : tags) {
                    b.putShort((short) tag[0]).putShort((short) tag[1]).putInt(1);
                    if (tag[1] == 3) {
                        b.putShort((short) tag[2]).putShort((short) 0);
                    } else {
                        b.putInt(tag[2]);
                    }
                }
                b.putInt(0);
            }
        }
        Path bomb = dir.resolve("huge." + format);
        Files.write(bomb, Arrays.copyOf(b.array(), Math.max(b.position(), 220)));
        long allocated = allocatedBytesDuring(() -> {
            ImageTooLargeException error = refused(ImageTooLargeException.class, bomb, "60000x60000");
            assertEquals(side, error.width());
        });
        assertTrue(allocated < 16L << 20, format + ": refusing allocated " + (allocated >> 20) + " MiB");
    }

    @Test
    void thePixelLimitIsConfigurable() throws IOException {
        Path photo = SharedFiles.image("chelsea.png");
        ImageReader tight = ImageReader.builder().optMaxPixels(10_000).build();
        ImageTooLargeException error = assertThrows(ImageTooLargeException.class, () -> tight.read(photo));
        assertEquals(10_000, error.maxPixels());
        assertTrue(error.getMessage().contains("optMaxPixels"), error.getMessage());
        RgbImage read = ImageReader.defaults().read(photo);
        assertEquals(error.width(), read.width());
        assertEquals(error.height(), read.height());
    }

    @Test
    void fileSizeLimit() throws IOException {
        Path file = dir.resolve("big.png");
        ImageWriter.defaults().write(TestImages.random(64, 64, 255, false, 6), file);
        ImageReader small = ImageReader.builder().optMaxFileBytes(100).build();
        ImageFileException error = assertThrows(ImageFileException.class, () -> small.read(file));
        assertTrue(error.getMessage().contains("optMaxFileBytes"), error.getMessage());
    }

    private static long allocatedBytesDuring(Runnable action) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        action.run();
        return threads.getThreadAllocatedBytes(id) - before;
    }

    // --- writing ---

    @Test
    void aFailedWriteLeavesTheExistingFileAndNoLitter() throws IOException {
        Path target = dir.resolve("result.png");
        ImageWriter.defaults().write(TestImages.random(8, 8, 255, false, 7), target);
        byte[] good = Files.readAllBytes(target);
        ImageWriteException error = assertThrows(ImageWriteException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[1000]);
            throw new IOException("No space left on device");
        }));
        assertTrue(error.getMessage().contains("No space left on device") && error.getMessage().contains("unchanged"),
                error.getMessage());
        assertArrayEquals(good, Files.readAllBytes(target));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "the temporary file must be gone");
        }
    }

    @Test
    void writtenFilesGetOrdinaryPermissionsNotTheTemporaryFilesOnes() throws IOException {
        Path fresh = dir.resolve("fresh.png");
        ImageWriter.defaults().write(RgbImage.filled(1, 1, 0, 0, 0), fresh);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));
        Files.setPosixFilePermissions(fresh, PosixFilePermissions.fromString("rw-rw-r--"));
        ImageWriter.defaults().write(RgbImage.filled(1, 1, 1, 1, 1), fresh);
        assertEquals("rw-rw-r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));
    }

    @Test
    void aWriteIntoAMissingFolderIsRefused() {
        Path target = dir.resolve("no/such/folder/out.png");
        ImageWriteException error = assertThrows(ImageWriteException.class,
                () -> ImageWriter.defaults().write(RgbImage.filled(1, 1, 0, 0, 0), target));
        assertTrue(error.getMessage().contains("does not exist"), error.getMessage());
    }

    @Test
    void aReadOnlyFolderIsRefusedAndTheFileKept() throws IOException {
        assumeTrue(!"root".equals(System.getProperty("user.name")),
                "Skipped: running as root, which writes into read-only folders; the failing-writer test covers it");
        Path folder = Files.createDirectory(dir.resolve("ro"));
        Path target = folder.resolve("out.png");
        ImageWriter.defaults().write(RgbImage.filled(1, 1, 1, 0, 0), target);
        byte[] good = Files.readAllBytes(target);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assertThrows(ImageWriteException.class,
                    () -> ImageWriter.defaults().write(RgbImage.filled(1, 1, 0, 1, 0), target));
            assertArrayEquals(good, Files.readAllBytes(target));
        } finally {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void anUnknownOutputExtensionIsRefused() {
        Path target = dir.resolve("out.xyz");
        UnsupportedImageException error = assertThrows(UnsupportedImageException.class,
                () -> ImageWriter.defaults().write(RgbImage.filled(1, 1, 0, 0, 0), target));
        assertTrue(error.getMessage().contains(".xyz") && error.getMessage().contains(".png"), error.getMessage());
    }
}
