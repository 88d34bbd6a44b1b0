package io.github.style4j.core.image;

import java.nio.file.Path;

/**
 * Writing failed (disk full, read-only folder, ...). Whatever was at the path before is
 * still there, untouched: writes go to a temporary file that replaces it only when complete.
 */
public class ImageWriteException extends ImageException {
    private static final long serialVersionUID = 1L;

    public ImageWriteException(Path path, String problem, Throwable cause) {
        super(path, problem, cause);
    }
}
