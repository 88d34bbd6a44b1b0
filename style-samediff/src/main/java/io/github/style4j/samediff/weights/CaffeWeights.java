package io.github.style4j.samediff.weights;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Caffe {@code .caffemodel} files, as neural-style's {@code VGG_ILSVRC_19_layers.caffemodel}:
 * a {@code NetParameter} protocol buffer whose convolution layers carry their kernel and bias
 * as blobs. Both layer encodings are read: the 2014 one ({@code layers}, field 2, the one
 * the VGG files use) and the current one ({@code layer}, field 100). Read with
 * {@link ProtoReader}; fully connected layers are skipped without reading their blobs.
 */
final class CaffeWeights {
    // caffe.proto field numbers
    private static final int NET_LAYERS_V1 = 2;
    private static final int NET_LAYER = 100;
    private static final int V1_NAME = 4;
    private static final int V1_TYPE = 5;
    private static final int V1_BLOBS = 6;
    private static final int V1_CONVOLUTION = 4;
    private static final int LAYER_NAME = 1;
    private static final int LAYER_TYPE = 2;
    private static final int LAYER_BLOBS = 7;
    private static final int BLOB_NUM = 1;
    private static final int BLOB_CHANNELS = 2;
    private static final int BLOB_HEIGHT = 3;
    private static final int BLOB_WIDTH = 4;
    private static final int BLOB_DATA = 5;
    private static final int BLOB_SHAPE = 7;
    private static final int SHAPE_DIM = 1;

    private CaffeWeights() {
    }

    /** Whether the whole buffer parses as a NetParameter holding at least one layer. */
    static boolean looksLikeCaffe(ByteBuffer file) {
        try {
            ProtoReader net = new ProtoReader(file);
            boolean layers = false;
            while (net.next()) {
                layers |= (net.field() == NET_LAYERS_V1 || net.field() == NET_LAYER)
                        && net.wireType() == ProtoReader.LENGTH_DELIMITED;
                net.skip();
            }
            return layers;
        } catch (MalformedWeightsException e) {
            return false;
        }
    }

    static FileLayout read(ByteBuffer file) throws MalformedWeightsException {
        ProtoReader net = new ProtoReader(file);
        List<StoredConv> convolutions = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        while (net.next()) {
            boolean v1 = net.field() == NET_LAYERS_V1;
            if (!v1 && net.field() != NET_LAYER) {
                net.skip();
                continue;
            }
            ProtoReader layer = net.readMessage();
            String name = "";
            boolean convolution = false;
            List<ProtoReader> blobs = new ArrayList<>();
            while (layer.next()) {
                int field = layer.field();
                if (field == (v1 ? V1_NAME : LAYER_NAME)) {
                    name = layer.readString();
                } else if (field == (v1 ? V1_TYPE : LAYER_TYPE)) {
                    convolution = v1 ? layer.readInt() == V1_CONVOLUTION : layer.readString().equals("Convolution");
                } else if (field == (v1 ? V1_BLOBS : LAYER_BLOBS)) {
                    blobs.add(layer.readMessage());
                } else {
                    layer.skip();
                }
            }
            if (!convolution) {
                if (!blobs.isEmpty()) {
                    skipped.add(name);
                }
                continue;
            }
            if (blobs.isEmpty()) {
                throw new MalformedWeightsException("convolution " + name + " has no weights (a deploy .prototxt "
                        + "rather than a trained .caffemodel?)");
            }
            StoredTensor kernel = blob(blobs.get(0), name + ".weight", 4);
            long out = kernel.shape()[0];
            StoredTensor bias = blobs.size() > 1 ? blob(blobs.get(1), name + ".bias", 1)
                    : StoredTensor.zeros(name, out);
            convolutions.add(new StoredConv(name, kernel, bias));
        }
        return new FileLayout(WeightFormat.CAFFE, convolutions, skipped, null);
    }

    /** A blob's shape (the 4-D num/channels/height/width of old files, or its BlobShape) and data. */
    private static StoredTensor blob(ProtoReader blob, String name, int rank) throws MalformedWeightsException {
        long[] legacy = {0, 0, 0, 0};
        List<Long> dims = new ArrayList<>();
        List<ByteBuffer> data = new ArrayList<>();
        int singles = 0;
        while (blob.next()) {
            switch (blob.field()) {
                case BLOB_NUM -> legacy[0] = blob.readInt();
                case BLOB_CHANNELS -> legacy[1] = blob.readInt();
                case BLOB_HEIGHT -> legacy[2] = blob.readInt();
                case BLOB_WIDTH -> legacy[3] = blob.readInt();
                case BLOB_SHAPE -> {
                    ProtoReader shape = blob.readMessage();
                    while (shape.next()) {
                        if (shape.field() == SHAPE_DIM) {
                            shape.readInts(dims);
                        } else {
                            shape.skip();
                        }
                    }
                }
                case BLOB_DATA -> {
                    singles += blob.wireType() == ProtoReader.LENGTH_DELIMITED ? 0 : 1;
                    data.add(blob.readFloats());
                }
                default -> blob.skip();
            }
            if (singles > 100_000_000) {
                throw new MalformedWeightsException(name + " stores too many unpacked values");
            }
        }
        long[] shape;
        if (!dims.isEmpty()) {
            shape = dims.stream().mapToLong(Long::longValue).toArray();
        } else {
            shape = legacy;
        }
        long count = 1;
        for (long d : shape) {
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new MalformedWeightsException(name + " has dimension " + d);
            }
            count = Math.multiplyExact(count, d);
        }
        if (rank == 1) {
            shape = new long[] {count}; // old files store a bias as 1 x 1 x 1 x out
        } else if (shape.length != 4) {
            throw new MalformedWeightsException(name + " is not 4-D");
        }
        return new StoredTensor(name, shape, StoredTensor.float32(data, count, name));
    }
}
