package io.github.style4j.samediff.fast;

import io.github.style4j.core.image.ImageException;
import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.Resizing;
import io.github.style4j.core.image.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training batches from a folder of photos of any size: each sample is a random photo, a random
 * square of between half and all of its shorter side (scale jitter) at a random place, resized
 * to {@code size x size} and flipped left-right half the time.
 *
 * <p>Photos are decoded once and kept at a shorter side of at most twice the crop size (no crop
 * needs more) while they fit {@link #CACHE_BYTES}; the rest are decoded again when drawn. A
 * photo that cannot be read is skipped with a warning and listed in {@link #skipped()}.
 */
final class PhotoCrops {
    private static final Logger LOG = LoggerFactory.getLogger(PhotoCrops.class);
    /** Decoded photos kept in memory up to this many bytes. */
    static final long CACHE_BYTES = 1L << 30;
    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff",
            ".webp", ".ppm", ".pgm", ".pnm");

    private final List<Path> photos;
    private final List<String> skipped = new ArrayList<>();
    private final RgbImage[] cache;
    private final int size;
    private final ImageReader reader;
    private long cachedBytes;

    PhotoCrops(List<Path> candidates, int size, ImageReader reader) throws ImageException {
        this.size = size;
        this.reader = reader;
        List<Path> readable = new ArrayList<>();
        List<RgbImage> decoded = new ArrayList<>();
        for (Path photo : candidates) {
            try {
                RgbImage image = shrink(reader.read(photo));
                readable.add(photo);
                long bytes = 12L * image.width() * image.height();
                if (cachedBytes + bytes <= CACHE_BYTES) {
                    cachedBytes += bytes;
                    decoded.add(image);
                } else {
                    decoded.add(null);
                }
            } catch (ImageException e) {
                LOG.warn("skipping training photo {}: {}", photo, e.getMessage());
                skipped.add(photo.getFileName() + ": " + e.getMessage());
            }
        }
        if (readable.isEmpty()) {
            throw new IllegalArgumentException("none of the " + candidates.size() + " training photos could be read"
                    + (skipped.isEmpty() ? "" : ": " + skipped));
        }
        this.photos = List.copyOf(readable);
        this.cache = decoded.toArray(new RgbImage[0]);
    }

    /** The image files in each folder (recursively, sorted) and the files given, without repeats. */
    static List<Path> list(List<Path> foldersOrFiles) throws IOException {
        java.util.LinkedHashSet<Path> all = new java.util.LinkedHashSet<>();
        for (Path path : foldersOrFiles) {
            all.addAll(list(path));
        }
        return List.copyOf(all);
    }

    /** The image files in a folder (recursively, sorted) or the one file given. */
    static List<Path> list(Path folderOrFile) throws IOException {
        if (!Files.exists(folderOrFile)) {
            throw new IOException(folderOrFile + ": no such folder or file");
        }
        if (!Files.isDirectory(folderOrFile)) {
            return List.of(folderOrFile);
        }
        try (Stream<Path> files = Files.walk(folderOrFile)) {
            List<Path> images = files.filter(Files::isRegularFile).filter(PhotoCrops::looksLikeImage).sorted().toList();
            if (images.isEmpty()) {
                throw new IOException(folderOrFile + " holds no image files (" + String.join(", ", EXTENSIONS) + ")");
            }
            return images;
        }
    }

    private static boolean looksLikeImage(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    /** The photos in use, in order. */
    List<Path> photos() {
        return photos;
    }

    /** Photos that could not be read, each with the reason. */
    List<String> skipped() {
        return Collections.unmodifiableList(skipped);
    }

    /** A {@code [batch, 3, size, size]} float batch drawn with {@code random}. */
    INDArray batch(int batch, Random random) throws ImageException {
        INDArray result = Nd4j.create(DataType.FLOAT, batch, 3, size, size);
        for (int i = 0; i < batch; i++) {
            int index = random.nextInt(photos.size());
            RgbImage photo = cache[index] != null ? cache[index] : shrink(reader.read(photos.get(index)));
            RgbImage crop = crop(photo, random);
            result.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).assign(
                    Nd4j.create(crop.rgb(), new long[] {3, size, size}, 'c'));
        }
        return result;
    }

    private RgbImage crop(RgbImage photo, Random random) {
        int shorter = Math.min(photo.width(), photo.height());
        int side = Math.max(1, (int) Math.round(shorter * (0.5 + 0.5 * random.nextDouble())));
        int left = random.nextInt(photo.width() - side + 1);
        int top = random.nextInt(photo.height() - side + 1);
        boolean flip = random.nextBoolean();
        int plane = side * side;
        float[] rgb = new float[3 * plane];
        // Read in place: rgb() would copy the whole photo for every crop.
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    rgb[c * plane + y * side + x] = photo.get(c, left + (flip ? side - 1 - x : x), top + y);
                }
            }
        }
        return Resizing.resize(RgbImage.of(side, side, rgb, null), size, size);
    }

    /** Scaled down so that the shorter side is at most twice the crop size; alpha dropped. */
    private RgbImage shrink(RgbImage image) {
        RgbImage opaque = image.withoutAlpha();
        int shorter = Math.min(opaque.width(), opaque.height());
        if (shorter <= 2 * size) {
            return opaque;
        }
        double factor = 2.0 * size / shorter;
        return Resizing.resize(opaque, Math.max(1, (int) Math.round(opaque.width() * factor)),
                Math.max(1, (int) Math.round(opaque.height() * factor)));
    }
}
