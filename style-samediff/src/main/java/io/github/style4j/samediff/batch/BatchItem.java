package io.github.style4j.samediff.batch;

/**
 * One unit of work: an input painted with a style, written to {@code output} (a path relative to
 * the output folder, unique in the batch, which is also the item's key in the manifest).
 */
public record BatchItem(BatchInput input, BatchStyle style, String output) {
    @Override
    public String toString() {
        return input.location() + " x " + style.name() + " -> " + output;
    }
}
