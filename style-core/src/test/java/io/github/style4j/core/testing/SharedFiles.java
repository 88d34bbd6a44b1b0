package io.github.style4j.core.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code ../shared} folder beside the project (real SqueezeNet weights, test images),
 * which tests read in place and never copy. Maven passes its location as
 * {@code style4j.shared.dir}. A test that needs a missing file is skipped, saying why, on a
 * developer's machine; where the shared files are required (CI: {@code .ci/run} sets
 * {@code STYLE4J_REQUIRE_SHARED=true}, or {@code -Dstyle4j.require.shared=true}) it fails
 * instead, so that a renamed or missing file can never turn the suite quietly green.
 */
public final class SharedFiles {
    /** System property that makes a missing shared file a failure. */
    public static final String REQUIRE_PROPERTY = "style4j.require.shared";
    /** Environment variable with the same meaning, set by {@code .ci/run}. */
    public static final String REQUIRE_VARIABLE = "STYLE4J_REQUIRE_SHARED";

    private SharedFiles() {
    }

    /** The shared folder, as configured; may not exist. */
    public static Path root() {
        String configured = System.getProperty("style4j.shared.dir");
        return configured != null ? Path.of(configured).normalize() : Path.of("..", "shared").toAbsolutePath().normalize();
    }

    /** Whether a missing shared file fails the test rather than skipping it. */
    public static boolean required() {
        String property = System.getProperty(REQUIRE_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Boolean.parseBoolean(property.trim());
        }
        return Boolean.parseBoolean(String.valueOf(System.getenv(REQUIRE_VARIABLE)).trim());
    }

    /**
     * A file or folder under the shared folder. When it is missing, the calling test is
     * skipped with the reason, or fails when {@link #required()}.
     */
    public static Path require(String relative) {
        return require(root(), relative, required());
    }

    /** {@link #require(String)} with the folder and the mode given (for testing this class). */
    static Path require(Path root, String relative, boolean required) {
        Path path = root.resolve(relative);
        if (!Files.exists(path)) {
            String reason = "needs " + path + " (the ../shared folder beside the project, present in CI and in this "
                    + "workplace; see CONTRIBUTING.md)";
            if (required) {
                fail("Missing shared test file, and shared files are required here (" + REQUIRE_VARIABLE + " / -D"
                        + REQUIRE_PROPERTY + "): " + reason);
            }
            assumeTrue(false, "Skipped: " + reason);
        }
        return path;
    }

    /** A test image from {@code ../shared/images}. */
    public static Path image(String name) {
        return require("images/" + name);
    }
}
