package io.github.style4j.core.image;

import java.nio.file.Path;

/** The path is not a readable, non-empty file: missing, a directory, unreadable or empty. */
public class ImageFileException extends ImageException {
    private static final long serialVersionUID = 1L;

    public ImageFileException(Path path, String problem) {
        super(path, problem);
    }

    public ImageFileException(Path path, String problem, Throwable cause) {
        super(path, problem, cause);
    }
}
