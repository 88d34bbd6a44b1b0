package io.github.style4j.core.image;

import java.nio.file.Path;

/**
 * The header declares more pixels than the configured limit allows. Raised from the header
 * alone, before any pixel memory is allocated, so that a decompression bomb costs nothing.
 */
public class ImageTooLargeException extends ImageException {
    private static final long serialVersionUID = 1L;
    private final long width;
    private final long height;
    private final long maxPixels;

    public ImageTooLargeException(Path path, long width, long height, long maxPixels) {
        super(path, "declares " + width + "x" + height + " = " + java.math.BigInteger.valueOf(width).multiply(java.math.BigInteger.valueOf(height)) + " pixels, over the limit of "
                + maxPixels + "; shrink the image first, or raise the limit with ImageReader.builder()"
                + ".optMaxPixels(...) if you trust the file and have the memory");
        this.width = width;
        this.height = height;
        this.maxPixels = maxPixels;
    }

    public long width() {
        return width;
    }

    public long height() {
        return height;
    }

    public long maxPixels() {
        return maxPixels;
    }
}
