package io.github.style4j.samediff.weights;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.style4j.core.testing.FuzzBudget;
import io.github.style4j.samediff.network.NetworkWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Any bytes at all as a weight file: {@link WeightFile} opens it and, if it fits a network,
 * loads it, or refuses with a {@link WeightLoadException} naming the file. Anything else is a
 * finding: another exception, a hang past {@link #TIME_LIMIT}, or an allocation past
 * {@link #ALLOCATION_LIMIT} (see {@link FuzzBudget}).
 *
 * <p>Seeds (two-convolution files of every format, written by make-weight-fixtures.py) are in
 * {@code src/test/resources/io/github/style4j/samediff/weights/WeightFileFuzzTestInputs/};
 * the default test run replays them, {@code JAZZER_FUZZ=1} (the {@code fuzz} execution) mutates.
 */
class WeightFileFuzzTest {
    static final Duration TIME_LIMIT = Duration.ofSeconds(10);
    /** A seed's load allocates under 1 MiB; anything near this is a file that talks the reader into allocating. */
    static final long ALLOCATION_LIMIT = 64L << 20;
    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("style4j-fuzz-", ".weights");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        warmUp();
    }

    /**
     * Opens every seed once outside the budget: the first load starts ND4J and loads (and,
     * while fuzzing, instruments) the readers' classes, which allocates far more than any input.
     */
    private static void warmUp() {
        try (var seeds = Files.list(Path.of(WeightFileFuzzTest.class
                .getResource("WeightFileFuzzTestInputs/opensOrRefuses").toURI()))) {
            for (Path seed : seeds.toList()) {
                try (WeightFile file = WeightFile.open(seed)) {
                    file.layers();
                } catch (IOException | RuntimeException ignored) {
                    // only the class loading matters here
                }
            }
            io.github.style4j.samediff.network.Architecture.SQUEEZENET.convolutionShapes();
            org.nd4j.linalg.factory.Nd4j.create(new float[] {1f}, new long[] {1}, 'c');
        } catch (IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot list the fuzz seeds", e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void opensOrRefuses(byte[] data) throws Exception {
        Files.write(FILE, data);
        try {
            FuzzBudget.run(TIME_LIMIT, ALLOCATION_LIMIT, () -> {
                try (WeightFile file = WeightFile.open(FILE)) {
                    file.layers();
                    if (file.architecture().isPresent()) {
                        NetworkWeights weights = file.load(null);
                        return weights.architecture();
                    }
                    return null;
                }
            });
        } catch (AssertionError finding) {
            throw new AssertionError(finding.getMessage() + " (input of " + data.length + " bytes starting "
                    + java.util.HexFormat.of().formatHex(data, 0, Math.min(16, data.length)) + ")", finding);
        } catch (WeightLoadException refused) {
            if (refused.getMessage() == null || !refused.getMessage().contains(FILE.toString())) {
                throw new AssertionError("a refusal that does not name the file: " + refused.getMessage(), refused);
            }
        }
    }
}
