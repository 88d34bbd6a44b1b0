package io.github.style4j.core.backend;

/**
 * ND4J's backend cannot start: the message says which backend the class path holds, what
 * failed to load, and what to do (install the driver, or build for the CPU). Thrown by the
 * first style4j call that needs ND4J, and by every later one.
 */
public final class BackendUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
