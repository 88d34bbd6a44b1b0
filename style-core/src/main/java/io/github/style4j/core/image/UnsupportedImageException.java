package io.github.style4j.core.image;

import java.nio.file.Path;

/** The file is not an image style4j reads or writes: unknown format, extension or colour space. */
public class UnsupportedImageException extends ImageException {
    private static final long serialVersionUID = 1L;

    public UnsupportedImageException(Path path, String problem) {
        super(path, problem);
    }

    public UnsupportedImageException(Path path, String problem, Throwable cause) {
        super(path, problem, cause);
    }
}
