package io.github.style4j.samediff.weights;

import java.io.IOException;

/** Weights could not be loaded or downloaded; the message says why and what to do instead. */
public class WeightLoadException extends IOException {
    private static final long serialVersionUID = 1L;

    public WeightLoadException(String message) {
        super(message);
    }

    public WeightLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
