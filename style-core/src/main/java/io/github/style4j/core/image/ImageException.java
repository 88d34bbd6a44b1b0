package io.github.style4j.core.image;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Why an image could not be read or written. Every message names the file and the problem
 * and, where there is one, what to do about it; the subclasses let callers tell the cases
 * apart.
 */
public class ImageException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;

    public ImageException(Path path, String problem) {
        this(path, problem, null);
    }

    public ImageException(Path path, String problem, Throwable cause) {
        super(path + ": " + problem, cause);
        this.path = path;
    }

    /** The file concerned. */
    public Path path() {
        return path;
    }
}
