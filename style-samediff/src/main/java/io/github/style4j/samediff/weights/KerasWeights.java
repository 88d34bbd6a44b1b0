package io.github.style4j.samediff.weights;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keras HDF5 weight files ({@code .h5}): what {@code model.save_weights()} writes (root attribute
 * {@code layer_names}, each layer a group with attribute {@code weight_names}), and the
 * {@code model_weights} group of a whole saved model. Keras 2 names ({@code block1_conv1/kernel:0})
 * and Keras 1 names ({@code block1_conv1_W_1:0}) both work, since the kernel is told from the
 * bias by rank. Kernels are stored {@code [kH, kW, in, out]} (TensorFlow's order) and transposed
 * on reading. Read with jhdf, a pure-Java HDF5 reader, over {@link BoundedHdfStorage}: a damaged
 * file raises an exception rather than crashing native code, looping or allocating what it
 * declares, and nothing but the convolutions is read.
 */
final class KerasWeights {
    private KerasWeights() {
    }

    static FileLayout read(Path file, long fileSize) throws MalformedWeightsException {
        HdfFile hdf;
        java.nio.ByteBuffer mapped;
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
            if (fileSize > Integer.MAX_VALUE) {
                throw new MalformedWeightsException("it is over 2 GiB; style4j reads Keras files up to 2 GiB");
            }
            mapped = channel.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, fileSize);
        } catch (java.io.IOException e) {
            if (e instanceof MalformedWeightsException m) {
                throw m;
            }
            throw new MalformedWeightsException("cannot open it (" + e.getMessage() + ")");
        }
        try {
            hdf = BoundedHdfStorage.open(mapped);
        } catch (RuntimeException e) {
            throw new MalformedWeightsException("it starts like HDF5 but cannot be read as HDF5 (" + reason(e)
                    + "); the file may be truncated or damaged");
        }
        try {
            Group root = hdf;
            Attribute names = hdf.getAttribute("layer_names");
            if (names == null && hdf.getChild("model_weights") instanceof Group weights) {
                root = weights;
                names = weights.getAttribute("layer_names");
            }
            if (names == null) {
                throw new MalformedWeightsException("an HDF5 file without Keras' layer_names attribute is not a "
                        + "Keras weight file");
            }
            List<StoredConv> convolutions = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            for (String layer : strings(names.getData(), "layer_names")) {
                Node node = root.getChildren().containsKey(layer) ? root.getChild(layer) : find(root, layer);
                if (!(node instanceof Group group)) {
                    throw new MalformedWeightsException("layer " + layer + " is listed but has no group");
                }
                Attribute weightNames = group.getAttribute("weight_names");
                // Layers without weights (pooling) list none: Keras writes an empty array.
                List<String> weights = weightNames == null || weightNames.isEmpty() || weightNames.getSize() == 0
                        ? List.of() : strings(weightNames.getData(), "weight_names");
                StoredTensor kernel = null;
                StoredTensor bias = null;
                for (String weight : weights) {
                    if (weight.contains("moving_mean") || weight.contains("gamma")) {
                        throw new MalformedWeightsException("layer " + layer + " is batch normalisation; style4j "
                                + "builds the plain VGG and SqueezeNet networks");
                    }
                    Node child = find(group, weight);
                    if (!(child instanceof Dataset dataset)) {
                        throw new MalformedWeightsException("weight " + weight + " of layer " + layer + " is missing");
                    }
                    if (dataset.getSizeInBytes() > fileSize || dataset.getSizeInBytes() < 0) {
                        throw new MalformedWeightsException("weight " + weight + " claims more bytes than the file "
                                + "holds (truncated?)");
                    }
                    int[] dims = dataset.getDimensions();
                    if (dims.length == 4 && kernel == null) {
                        kernel = kernel(layer + "/" + weight, dataset, dims);
                    } else if (dims.length == 1 && bias == null) {
                        bias = new StoredTensor(layer + "/" + weight, new long[] {dims[0]}, () -> floats(dataset));
                    }
                }
                if (kernel == null) {
                    if (!weights.isEmpty()) {
                        skipped.add(layer);
                    }
                    continue;
                }
                if (bias == null) {
                    bias = StoredTensor.zeros(layer, kernel.shape()[0]);
                }
                convolutions.add(new StoredConv(layer, kernel, bias));
            }
            // Nothing to close: the mapping goes with the buffer (jhdf's own close() would ask for a
            // file path a mapped file does not have).
            return new FileLayout(WeightFormat.KERAS_HDF5, convolutions, skipped, null);
        } catch (RuntimeException e) {
            throw new MalformedWeightsException("its HDF5 structure is damaged (" + reason(e) + ")");
        }
    }

    /** jhdf's message, or the innermost one (the storage's guard) when jhdf wraps a failure. */
    private static String reason(RuntimeException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }


    private static Node find(Group root, String path) {
        try {
            return root.getByPath(path);
        } catch (HdfException e) {
            return null;
        }
    }

    /** A {@code [kH, kW, in, out]} kernel described, and read, as {@code [out, in, kH, kW]}. */
    private static StoredTensor kernel(String name, Dataset dataset, int[] hwio) throws MalformedWeightsException {
        if (hwio[0] != hwio[1] && hwio[2] == hwio[3]) {
            throw new MalformedWeightsException(name + " is stored " + java.util.Arrays.toString(hwio)
                    + ", in Theano's order; use the tf_dim_ordering file instead");
        }
        int kh = hwio[0];
        int kw = hwio[1];
        int in = hwio[2];
        int out = hwio[3];
        return new StoredTensor(name, new long[] {out, in, kh, kw}, () -> {
            float[] source = floats(dataset);
            float[] target = new float[source.length];
            for (int y = 0; y < kh; y++) {
                for (int x = 0; x < kw; x++) {
                    for (int i = 0; i < in; i++) {
                        int from = ((y * kw + x) * in + i) * out;
                        for (int o = 0; o < out; o++) {
                            target[((o * in + i) * kh + y) * kw + x] = source[from + o];
                        }
                    }
                }
            }
            return target;
        });
    }

    private static float[] floats(Dataset dataset) throws MalformedWeightsException {
        Object data;
        try {
            data = dataset.getDataFlat();
        } catch (HdfException | IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException
                 | UnsupportedOperationException e) {
            throw new MalformedWeightsException("dataset " + dataset.getPath() + " cannot be read (" + e.getMessage()
                    + ")");
        }
        if (data instanceof float[] floats) {
            return floats;
        }
        if (data instanceof double[] doubles) {
            float[] floats = new float[doubles.length];
            for (int i = 0; i < doubles.length; i++) {
                floats[i] = (float) doubles[i];
            }
            return floats;
        }
        throw new MalformedWeightsException("dataset " + dataset.getPath() + " holds "
                + (data == null ? "nothing" : data.getClass().getSimpleName()) + ", not float weights");
    }

    private static List<String> strings(Object data, String what) throws MalformedWeightsException {
        List<String> result = new ArrayList<>();
        if (data instanceof String[] strings) {
            result.addAll(List.of(strings));
        } else if (data instanceof String single) {
            result.add(single);
        } else {
            throw new MalformedWeightsException("attribute " + what + " is not a list of names");
        }
        return result;
    }
}
