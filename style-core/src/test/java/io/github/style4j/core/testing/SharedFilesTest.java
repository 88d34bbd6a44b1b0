package io.github.style4j.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A missing shared file skips on a developer's machine and fails where shared files are required (CI). */
class SharedFilesTest {
    @TempDir
    Path root;

    @Test
    void aPresentFileIsReturnedInEitherMode() throws Exception {
        Path file = Files.createDirectories(root.resolve("images")).resolve("a.png");
        Files.writeString(file, "x");
        assertEquals(file, SharedFiles.require(root, "images/a.png", false));
        assertEquals(file, SharedFiles.require(root, "images/a.png", true));
    }

    @Test
    void aMissingFileSkipsWithItsPathWhenNotRequired() {
        var skipped = assertThrows(TestAbortedException.class, () -> SharedFiles.require(root, "images/gone.png", false));
        assertTrue(skipped.getMessage().contains(root.resolve("images/gone.png").toString()), skipped.getMessage());
    }

    @Test
    void aMissingFileFailsWhenRequired() {
        var failed = assertThrows(AssertionFailedError.class, () -> SharedFiles.require(root, "images/gone.png", true));
        assertTrue(failed.getMessage().contains(root.resolve("images/gone.png").toString())
                && failed.getMessage().contains(SharedFiles.REQUIRE_VARIABLE), failed.getMessage());
    }

    @Test
    void theSwitchIsReadFromThePropertyFirst() {
        String before = System.getProperty(SharedFiles.REQUIRE_PROPERTY);
        try {
            System.setProperty(SharedFiles.REQUIRE_PROPERTY, "true");
            assertTrue(SharedFiles.required());
            System.setProperty(SharedFiles.REQUIRE_PROPERTY, "false");
            assertTrue(!SharedFiles.required());
        } finally {
            if (before == null) {
                System.clearProperty(SharedFiles.REQUIRE_PROPERTY);
            } else {
                System.setProperty(SharedFiles.REQUIRE_PROPERTY, before);
            }
        }
    }
}
