package io.github.style4j.samediff.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.image.RgbImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Applying a model: any size, the same output after a save and load, damaged files refused. */
class FastStyleTest {
    @TempDir
    Path folder;

    private static FastStyleModel model() {
        return FastStyleModel.untrained(TransformerNetwork.of(4, 1), 11);
    }

    @Test
    void saveLoadApplyGivesBitIdenticalOutput() throws Exception {
        FastStyleModel model = model();
        Path file = folder.resolve("m.style4j");
        model.save(file);
        FastStyleModel loaded = FastStyleModel.load(file);
        assertEquals(model.network(), loaded.network());
        RgbImage photo = FastStyleTrainerTest.picture(37, 29, 3);
        float[] before = FastStyle.of(model).stylise(photo).rgb();
        float[] after = FastStyle.load(file).stylise(photo).rgb();
        assertArrayEquals(before, after, "bit-identical after save and load");
        assertFalse(loaded.isCheckpoint());
    }

    @Test
    void oddSizesComeOutTheirOwnSizeAndMatchTheUnpaddedCentre() {
        FastStyle style = FastStyle.of(model());
        for (int[] size : new int[][] {{16, 16}, {17, 23}, {37, 29}, {64, 18}}) {
            RgbImage result = style.stylise(FastStyleTrainerTest.picture(size[0], size[1], 1));
            assertEquals(size[0], result.width());
            assertEquals(size[1], result.height());
            for (float v : result.rgb()) {
                assertTrue(v >= 0 && v <= 1, "sigmoid output in [0, 1]: " + v);
            }
        }
        // The padding to multiples of 4 reflects the last rows and columns (numpy's "reflect").
        INDArray x = Nd4j.arange(0, 2 * 5 * 6).reshape(1, 2, 5, 6).castTo(DataType.FLOAT);
        INDArray padded = FastStyle.padToMultiple(x);
        assertArrayEquals(new long[] {1, 2, 8, 8}, padded.shape());
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 8; y++) {
                for (int xx = 0; xx < 8; xx++) {
                    int sy = y < 5 ? y : 8 - y; // 2n - 2 - y with n = 5
                    int sx = xx < 6 ? xx : 10 - xx;
                    assertEquals(x.getFloat(0, c, sy, sx), padded.getFloat(0, c, y, xx), 0);
                }
            }
        }
    }

    @Test
    void tilesWithTheImagesOwnStatisticsEqualTheWholeImage() {
        FastStyle style = FastStyle.of(model());
        INDArray photo = io.github.style4j.core.tensor.ImageTensors.toTensor(FastStyleTrainerTest.picture(203, 150, 8));
        INDArray whole = style.stylise(photo);
        INDArray tiled = style.styliseInTiles(photo, style.statistics(photo), 48, FastStyle.HALO);
        assertArrayEquals(whole.shape(), tiled.shape());
        double difference = whole.sub(tiled).amaxNumber().doubleValue();
        assertTrue(difference < 1e-5, "tiled differs from whole by " + difference);
        // A halo smaller than the receptive field shows at the tile borders: the check can fail.
        INDArray short_ = style.styliseInTiles(photo, style.statistics(photo), 48, 8);
        assertTrue(whole.sub(short_).amaxNumber().doubleValue() > 1e-3);
    }

    @Test
    void aBlankPhotoGivesAPictureNotNaN() {
        RgbImage blank = RgbImage.filled(32, 24, 0.3f, 0.3f, 0.3f);
        for (float v : FastStyle.of(model()).stylise(blank).rgb()) {
            assertTrue(Float.isFinite(v), "a constant channel must not divide by zero in instance norm");
        }
    }

    @Test
    void alphaAndColourPreservation() {
        RgbImage photo = FastStyleTrainerTest.picture(20, 20, 4);
        float[] alpha = new float[400];
        java.util.Arrays.fill(alpha, 0.5f);
        RgbImage result = FastStyle.of(model()).stylise(photo.withAlpha(alpha), true);
        assertTrue(result.hasAlpha());
        assertArrayEquals(alpha, result.alpha());
        // Luminance-only: the chroma is the photo's. In YIQ terms, I and Q of result equal the photo's.
        for (int i = 0; i < 400; i++) {
            float[] p = {photo.rgb()[i], photo.rgb()[400 + i], photo.rgb()[800 + i]};
            float[] r = {result.rgb()[i], result.rgb()[400 + i], result.rgb()[800 + i]};
            double pi = 0.596 * p[0] - 0.274 * p[1] - 0.322 * p[2];
            double ri = 0.596 * r[0] - 0.274 * r[1] - 0.322 * r[2];
            assertEquals(pi, ri, 0.02, "chroma I at " + i);
        }
    }

    @Test
    void tinyImagesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FastStyle.of(model()).stylise(FastStyleTrainerTest.picture(15, 40, 1)));
        assertTrue(e.getMessage().contains("at least 16"), e.getMessage());
    }

    @Test
    void damagedOrForeignFilesAreRefusedWithTheReason() throws Exception {
        Path good = folder.resolve("good.style4j");
        model().save(good);
        Map<String, byte[]> entries = read(good);

        assertRefused(Files.write(folder.resolve("photo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0}),
                "not a style4j fast-style model");
        byte[] truncated = java.util.Arrays.copyOf(Files.readAllBytes(good), Files.readAllBytes(good).length / 2);
        assertRefused(Files.write(folder.resolve("truncated.style4j"), truncated), "");

        Map<String, byte[]> flipped = new LinkedHashMap<>(entries);
        byte[] weights = flipped.get("variables/conv1/W.npy").clone();
        weights[weights.length - 3] ^= 0x40;
        flipped.put("variables/conv1/W.npy", weights);
        assertRefused(write(flipped, "flipped"), "does not match its checksum");

        Map<String, byte[]> missing = new LinkedHashMap<>(entries);
        missing.remove("variables/res1_b/gamma.npy");
        assertRefused(write(missing, "missing"), "res1_b/gamma.npy is missing");

        Map<String, byte[]> newer = new LinkedHashMap<>(entries);
        newer.put(FastStyleModel.MANIFEST, new String(entries.get(FastStyleModel.MANIFEST), StandardCharsets.UTF_8)
                .replace("\"version\" : 1", "\"version\" : 7").getBytes(StandardCharsets.UTF_8));
        assertRefused(write(newer, "newer"), "written by a newer style4j");

        Map<String, byte[]> wider = new LinkedHashMap<>(entries);
        wider.put(FastStyleModel.MANIFEST, new String(entries.get(FastStyleModel.MANIFEST), StandardCharsets.UTF_8)
                .replace("\"width\" : 4", "\"width\" : 8").getBytes(StandardCharsets.UTF_8));
        assertRefused(write(wider, "wider"), "the network needs");

        Map<String, byte[]> noManifest = new LinkedHashMap<>(entries);
        noManifest.remove(FastStyleModel.MANIFEST);
        assertRefused(write(noManifest, "nomanifest"), "no manifest.json");
    }

    @Test
    void aFailedSaveLeavesTheOldFile() throws Exception {
        Path file = folder.resolve("kept.style4j");
        model().save(file);
        byte[] before = Files.readAllBytes(file);
        assertThrows(Exception.class, () -> model().save(folder.resolve("no-such-folder/x.style4j")));
        Files.createDirectory(folder.resolve("a-folder.style4j"));
        assertThrows(Exception.class, () -> model().save(folder.resolve("a-folder.style4j")));
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    private void assertRefused(Path file, String reason) {
        IOException e = assertThrows(IOException.class, () -> FastStyleModel.load(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    private static Map<String, byte[]> read(Path file) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                entries.put(entry.getName(), zip.readAllBytes());
            }
        }
        return entries;
    }

    private Path write(Map<String, byte[]> entries, String name) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
        return Files.write(folder.resolve(name + ".style4j"), bytes.toByteArray());
    }
}
