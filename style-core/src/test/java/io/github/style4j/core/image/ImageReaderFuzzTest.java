package io.github.style4j.core.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;

/**
 * Any bytes at all: the reader returns an image or throws an {@link ImageException}; anything
 * else (a RuntimeException from a decoder, an OutOfMemoryError, a hang) is a finding.
 * The default test run replays the seeds and committed findings in
 * {@code src/test/resources/io/github/style4j/core/image/ImageReaderFuzzTestInputs/};
 * with {@code JAZZER_FUZZ=1} (the {@code fuzz} surefire execution) Jazzer mutates them.
 */
class ImageReaderFuzzTest {
    /** A small limit keeps decompression bombs cheap while fuzzing. */
    private static final ImageReader READER = ImageReader.builder().optMaxPixels(1 << 20).build();

    @FuzzTest(maxDuration = "45s")
    void decodesOrRefuses(byte[] data) {
        try {
            RgbImage image = READER.read(data, Path.of("fuzz.bin"));
            if (image.width() <= 0 || (long) image.width() * image.height() > READER.maxPixels()) {
                throw new AssertionError("impossible image " + image);
            }
        } catch (ImageException expected) {
            // a clear refusal is the right answer for most random inputs
        }
    }
}
