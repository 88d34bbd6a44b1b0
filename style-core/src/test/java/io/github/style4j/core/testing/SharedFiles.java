package io.github.style4j.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code ../shared} folder beside the project (real SqueezeNet weights, test images),
 * which tests read in place and never copy. Maven passes its location as
 * {@code style4j.shared.dir}; a test that needs it is skipped, saying why, when it is absent.
 */
public final class SharedFiles {
    private SharedFiles() {
    }

    /** The shared folder, as configured; may not exist. */
    public static Path root() {
        String configured = System.getProperty("style4j.shared.dir");
        return configured != null ? Path.of(configured).normalize() : Path.of("..", "shared").toAbsolutePath().normalize();
    }

    /**
     * A file or folder under the shared folder; skips the calling test, with the reason,
     * when it is missing.
     */
    public static Path require(String relative) {
        Path path = root().resolve(relative);
        assumeTrue(Files.exists(path), () -> "Skipped: needs " + path + " (the ../shared folder beside the project, "
                + "present in CI and in this workplace; see CONTRIBUTING.md)");
        return path;
    }

    /** A test image from {@code ../shared/images}. */
    public static Path image(String name) {
        return require("images/" + name);
    }
}
