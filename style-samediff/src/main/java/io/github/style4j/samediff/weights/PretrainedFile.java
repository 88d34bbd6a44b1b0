package io.github.style4j.samediff.weights;

import java.net.URI;

/**
 * A file of pretrained weights as the DL4J zoo publishes it: its name, where it is served,
 * and its Adler-32 checksum (the zoo's own check).
 */
public record PretrainedFile(String fileName, URI url, long adler32) {
    public PretrainedFile {
        if (fileName.isBlank() || fileName.contains("/") || fileName.contains("\\")) {
            throw new IllegalArgumentException("fileName must be a plain file name, got '" + fileName + "'");
        }
    }
}
