package io.github.style4j.samediff.weights;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * What a format reader found in a weight file: its convolutions in the file's order (not yet
 * read), the names of the tensors it will not use (classifier layers, for instance), and the
 * open file behind the tensors, closed with this layout.
 */
record FileLayout(WeightFormat format, List<StoredConv> convolutions, List<String> skipped, Closeable file)
        implements Closeable {
    FileLayout {
        convolutions = List.copyOf(convolutions);
        skipped = List.copyOf(skipped);
    }

    @Override
    public void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }
}
