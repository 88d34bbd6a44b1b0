package io.github.style4j.core.image;

import java.nio.file.Path;

/** The file claims a known format but its contents are truncated or damaged. */
public class CorruptImageException extends ImageException {
    private static final long serialVersionUID = 1L;

    public CorruptImageException(Path path, String problem) {
        super(path, problem);
    }

    public CorruptImageException(Path path, String problem, Throwable cause) {
        super(path, problem, cause);
    }
}
