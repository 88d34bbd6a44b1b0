package io.github.style4j.samediff.batch;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a batch paints its inputs with: style images optimised for (blended when more than one,
 * as in a single run), or a trained fast-style model applied in one pass. {@link #name()} goes
 * into output names and the manifest.
 */
public sealed interface BatchStyle {
    /** Short name: the images' file stems joined by '+', or the model's stem. */
    String name();

    /** Style images for an optimisation run (a blend when more than one). */
    record Images(List<Path> images, String name) implements BatchStyle {
        public Images {
            images = List.copyOf(images);
            Objects.requireNonNull(name, "name");
            if (images.isEmpty()) {
                throw new IllegalArgumentException("a style needs at least one image");
            }
        }
    }

    /** A trained fast-style model file ({@code ./style4j train}). */
    record Model(Path model, String name) implements BatchStyle {
        public Model {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(name, "name");
        }
    }

    static BatchStyle images(List<Path> images) {
        return new Images(images, String.join("+", images.stream().map(BatchStyle::stem).toList()));
    }

    static BatchStyle model(Path model) {
        return new Model(model, stem(model));
    }

    /** A file's name without its extension, with anything but letters, digits, '.', '-', '+' made '_'. */
    static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return safe(dot > 0 ? name.substring(0, dot) : name);
    }

    static String safe(String text) {
        return text.replaceAll("[^A-Za-z0-9._+-]", "_");
    }
}
