package io.github.style4j.samediff.batch;

import java.util.Objects;

/**
 * One input picture: where to read it ({@code location}: a local path, or a Hadoop URI in a
 * cluster job) and its {@code name}, the '/'-separated path below the folder it was listed from,
 * without extension, from which output names are made.
 */
public record BatchInput(String location, String name) {
    public BatchInput {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.startsWith("/") || name.contains("..")) {
            throw new IllegalArgumentException("an input's name must be a relative path without '..', got '" + name
                    + "'");
        }
    }
}
