package io.github.style4j.samediff.weights;

import java.io.IOException;

/** A weight file's bytes do not make sense as its format; the reader adds the file's name. */
class MalformedWeightsException extends IOException {
    private static final long serialVersionUID = 1L;

    MalformedWeightsException(String message) {
        super(message);
    }
}
