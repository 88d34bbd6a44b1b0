package io.github.style4j.samediff.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ONNX models ({@code .onnx}): the convolutions are the {@code Conv} nodes of the graph, in
 * graph order, with their weight and bias initializers. Read with style4j's own
 * protocol-buffer wire reader ({@link ProtoReader}) over the memory-mapped file rather than
 * the generated ONNX classes: those parse the whole model into memory (a VGG-19 file is 548 MB,
 * 80% classifier), while the wire reader only records where each initializer's bytes are and
 * reads the convolutions' alone. It needs five field numbers of {@code onnx.proto}, which ONNX
 * keeps stable.
 */
final class OnnxWeights {
    // onnx.proto field numbers
    private static final int MODEL_IR_VERSION = 1;
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OP_TYPE = 4;
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_FLOAT_DATA = 4;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int TENSOR_DATA_LOCATION = 14;
    private static final int FLOAT = 1;
    private static final int FLOAT16 = 10;
    private static final int DOUBLE = 11;

    private OnnxWeights() {
    }

    private record Node(String opType, List<String> inputs) {
    }

    /** Whether the bytes parse as an ONNX ModelProto's first fields (ir_version, then others). */
    static boolean looksLikeOnnx(ByteBuffer head) {
        try {
            ProtoReader reader = new ProtoReader(head);
            return reader.next() && reader.field() == MODEL_IR_VERSION && reader.wireType() == ProtoReader.VARINT;
        } catch (MalformedWeightsException e) {
            return false;
        }
    }

    static FileLayout read(ByteBuffer file) throws MalformedWeightsException {
        ProtoReader model = new ProtoReader(file);
        ProtoReader graph = null;
        while (model.next()) {
            if (model.field() == MODEL_GRAPH) {
                graph = model.readMessage();
            } else {
                model.skip();
            }
        }
        if (graph == null) {
            throw new MalformedWeightsException("an ONNX model without a graph");
        }
        List<Node> nodes = new ArrayList<>();
        Map<String, StoredTensor> initializers = new HashMap<>();
        while (graph.next()) {
            if (graph.field() == GRAPH_NODE) {
                nodes.add(node(graph.readMessage()));
            } else if (graph.field() == GRAPH_INITIALIZER) {
                StoredTensor tensor = tensor(graph.readMessage());
                initializers.put(tensor.name(), tensor);
            } else {
                graph.skip();
            }
        }
        List<StoredConv> convolutions = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        for (Node node : nodes) {
            if (node.opType().equals("BatchNormalization")) {
                throw new MalformedWeightsException("its graph has batch normalisation (a vgg19_bn-like network); "
                        + "style4j builds the plain VGG and SqueezeNet networks");
            }
            if (!node.opType().equals("Conv") || node.inputs().size() < 2) {
                continue;
            }
            StoredTensor kernel = initializers.get(node.inputs().get(1));
            if (kernel == null) {
                throw new MalformedWeightsException("convolution weight " + node.inputs().get(1)
                        + " is computed in the graph, not stored; style4j reads stored weights only");
            }
            StoredTensor bias = node.inputs().size() > 2 ? initializers.get(node.inputs().get(2)) : null;
            if (bias == null) {
                bias = StoredTensor.zeros(kernel.name(), kernel.shape().length > 0 ? kernel.shape()[0] : 0);
            }
            used.add(kernel.name());
            used.add(bias.name());
            String name = kernel.name().endsWith(".weight")
                    ? kernel.name().substring(0, kernel.name().length() - ".weight".length()) : kernel.name();
            convolutions.add(new StoredConv(name, kernel, bias));
        }
        List<String> skipped = new ArrayList<>();
        for (String name : initializers.keySet()) {
            if (!used.contains(name)) {
                skipped.add(name);
            }
        }
        skipped.sort(null);
        return new FileLayout(WeightFormat.ONNX, convolutions, skipped, null);
    }

    private static Node node(ProtoReader node) throws MalformedWeightsException {
        List<String> inputs = new ArrayList<>();
        String opType = "";
        while (node.next()) {
            switch (node.field()) {
                case NODE_INPUT -> inputs.add(node.readString());
                case NODE_OP_TYPE -> opType = node.readString();
                default -> node.skip();
            }
        }
        return new Node(opType, inputs);
    }

    private static StoredTensor tensor(ProtoReader tensor) throws MalformedWeightsException {
        List<Long> dims = new ArrayList<>();
        long dataType = 0;
        String name = "";
        ByteBuffer raw = null;
        List<ByteBuffer> floatData = new ArrayList<>();
        boolean external = false;
        while (tensor.next()) {
            switch (tensor.field()) {
                case TENSOR_DIMS -> tensor.readInts(dims);
                case TENSOR_DATA_TYPE -> dataType = tensor.readInt();
                case TENSOR_NAME -> name = tensor.readString();
                case TENSOR_RAW_DATA -> raw = tensor.readBytes();
                case TENSOR_FLOAT_DATA -> floatData.add(tensor.readFloats());
                case TENSOR_DATA_LOCATION -> external = tensor.readInt() == 1;
                default -> tensor.skip();
            }
        }
        long[] shape = new long[dims.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i);
            if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
                throw new MalformedWeightsException("initializer " + name + " has dimension " + shape[i]);
            }
            count = Math.multiplyExact(count, shape[i]);
        }
        String tensorName = name;
        long total = count;
        if (external) {
            return new StoredTensor(name, shape, () -> {
                throw new MalformedWeightsException("initializer " + tensorName + " is stored in an external file; "
                        + "save the model with its weights inside (onnx.save(..., save_as_external_data=False))");
            });
        }
        if (raw != null) {
            ByteBuffer bytes = raw;
            long type = dataType;
            return switch ((int) dataType) {
                case FLOAT -> new StoredTensor(name, shape, StoredTensor.float32(bytes, total, name));
                case FLOAT16 -> new StoredTensor(name, shape, () -> {
                    checkBytes(bytes, total * 2, tensorName);
                    float[] data = new float[(int) total];
                    for (int i = 0; i < data.length; i++) {
                        data[i] = StoredTensor.halfToFloat(bytes.getShort(i * 2));
                    }
                    return data;
                });
                case DOUBLE -> new StoredTensor(name, shape, () -> {
                    checkBytes(bytes, total * 8, tensorName);
                    float[] data = new float[(int) total];
                    for (int i = 0; i < data.length; i++) {
                        data[i] = (float) bytes.getDouble(i * 8);
                    }
                    return data;
                });
                default -> new StoredTensor(name, shape, () -> {
                    throw new MalformedWeightsException("initializer " + tensorName + " has ONNX data type "
                            + type + "; style4j reads float, float16 and double weights");
                });
            };
        }
        if (dataType == FLOAT) {
            return new StoredTensor(name, shape, StoredTensor.float32(floatData, total, "initializer " + name));
        }
        return new StoredTensor(name, shape, () -> {
            throw new MalformedWeightsException("initializer " + tensorName + " has no float data");
        });
    }

    private static void checkBytes(ByteBuffer bytes, long expected, String name) throws MalformedWeightsException {
        if (bytes.remaining() != expected) {
            throw new MalformedWeightsException("initializer " + name + " has " + bytes.remaining() + " bytes, "
                    + "expected " + expected);
        }
    }
}
