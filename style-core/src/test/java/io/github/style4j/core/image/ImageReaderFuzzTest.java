package io.github.style4j.core.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.style4j.core.testing.FuzzBudget;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Any bytes at all: the reader returns a well-formed image or throws an {@link ImageException}
 * that names the file. Anything else is a finding: another exception, an image whose size,
 * buffers or values are wrong, an input that runs past {@link #TIME_LIMIT} (a hang), or one
 * that allocates more than {@link #ALLOCATION_LIMIT} or runs out of memory on the way to a
 * refusal (a bomb; see {@link FuzzBudget}).
 *
 * <p>The default test run replays the seeds (one per decoder path: grey, 16-bit, palette and
 * grey+alpha PNG, ICC and EXIF, progressive JPEG, WebP, PAM, PGM, BMP, GIF, TIFF, and hostile
 * ones) and committed findings in
 * {@code src/test/resources/io/github/style4j/core/image/ImageReaderFuzzTestInputs/};
 * with {@code JAZZER_FUZZ=1} (the {@code fuzz} surefire execution) Jazzer mutates them.
 */
class ImageReaderFuzzTest {
    /** 1 megapixel: a decoded image is at most 16 MB of floats, so bombs stand out. */
    private static final ImageReader READER = ImageReader.builder().optMaxPixels(1 << 20).build();
    /** Generous for a legitimate 1-megapixel decode on a slow, shared machine; a hang never ends. */
    static final Duration TIME_LIMIT = Duration.ofSeconds(10);
    /**
     * About twice the most a legitimate 1-megapixel decode allocates (measured: TIFF 130 MiB,
     * PNG 96, GIF 84, JPEG 31, BMP 30); the iCCP bomb seed allocates 336 MiB when its chunk is
     * not bounded. (While fuzzing, FuzzBudget relies on the heap cap instead.)
     */
    static final long ALLOCATION_LIMIT = 256L << 20;
    private static final Path NAME = Path.of("fuzz.bin");

    static {
        warmUp();
    }

    /**
     * Reads every seed once, outside the budget: the first use of a decoder loads its classes,
     * and while fuzzing Jazzer instruments each class as it loads, on the loading thread. That
     * costs hundreds of megabytes of allocation once (seen: 561 MiB for the first BMP), which
     * the budget would otherwise count against whichever input came first.
     */
    private static void warmUp() {
        try (var seeds = java.nio.file.Files.list(Path.of(ImageReaderFuzzTest.class
                .getResource("ImageReaderFuzzTestInputs/decodesOrRefuses").toURI()))) {
            for (Path seed : seeds.toList()) {
                try {
                    READER.read(java.nio.file.Files.readAllBytes(seed), NAME);
                } catch (RuntimeException | java.io.IOException ignored) {
                    // only the class loading matters here
                }
            }
        } catch (java.io.IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot list the fuzz seeds", e);
        }
    }

    @FuzzTest(maxDuration = "45s")
    void decodesOrRefuses(byte[] data) throws Exception {
        RgbImage image;
        try {
            image = FuzzBudget.run(TIME_LIMIT, ALLOCATION_LIMIT, () -> READER.read(data, NAME));
        } catch (AssertionError finding) {
            throw new AssertionError(finding.getMessage() + " (input of " + data.length + " bytes starting "
                    + java.util.HexFormat.of().formatHex(data, 0, Math.min(16, data.length)) + ")", finding);
        } catch (ImageException refused) {
            if (refused.getMessage() == null || !refused.getMessage().contains(NAME.toString())) {
                throw new AssertionError("a refusal that does not name the file: " + refused.getMessage(), refused);
            }
            return;
        }
        requireWellFormed(image);
    }

    /** What every decoded image must satisfy, whatever the file said. */
    static void requireWellFormed(RgbImage image) {
        int w = image.width();
        int h = image.height();
        if (w <= 0 || h <= 0 || (long) w * h > READER.maxPixels()) {
            throw new AssertionError("impossible size " + w + "x" + h);
        }
        float[] rgb = image.rgbView();
        if (rgb.length != 3L * w * h) {
            throw new AssertionError("RGB buffer of " + rgb.length + " values for " + w + "x" + h);
        }
        float[] alpha = image.alpha();
        if (alpha != null && alpha.length != (long) w * h) {
            throw new AssertionError("alpha buffer of " + alpha.length + " values for " + w + "x" + h);
        }
        requireUnitRange(rgb, "RGB");
        if (alpha != null) {
            requireUnitRange(alpha, "alpha");
        }
        if (image.sourceBitDepth() != 8 && image.sourceBitDepth() != 16) {
            throw new AssertionError("source bit depth " + image.sourceBitDepth());
        }
    }

    private static void requireUnitRange(float[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (!(v >= 0f && v <= 1f)) { // also catches NaN
                throw new AssertionError(what + " value " + v + " at index " + i + " is outside [0, 1]");
            }
        }
    }
}
