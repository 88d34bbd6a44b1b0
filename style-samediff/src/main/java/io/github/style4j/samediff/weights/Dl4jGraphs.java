package io.github.style4j.samediff.weights;

import io.github.style4j.core.tensor.Preprocessing;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.network.ConvWeights;
import io.github.style4j.samediff.network.NetworkWeights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.model.SqueezeNet;
import org.deeplearning4j.zoo.model.VGG16;
import org.deeplearning4j.zoo.model.VGG19;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads convolution weights out of DL4J {@link ComputationGraph}s, by structure. */
final class Dl4jGraphs {
    static {
        // Choose ND4J's native build before this class can start ND4J.
        io.github.style4j.core.backend.NativeBuildSelector.select();
    }

    private static final Logger log = LoggerFactory.getLogger(Dl4jGraphs.class);

    private Dl4jGraphs() {
    }

    /** The zoo model of an architecture (1000 ImageNet classes). */
    static ZooModel<?> zooModel(Architecture architecture, long seed) {
        return switch (architecture) {
            case VGG16 -> VGG16.builder().numClasses(1000).seed(seed).build();
            case VGG19 -> VGG19.builder().numClasses(1000).seed(seed).build();
            case SQUEEZENET -> SqueezeNet.builder().numClasses(1000).seed(seed).build();
        };
    }

    /**
     * The weights of {@code architecture} found in {@code graph}: its convolution layers in
     * topological order, each matched to the next expected shape. DL4J zoo weights (VGG and
     * SqueezeNet, pretrained from Keras) expect Caffe-style BGR input and floor pooling.
     */
    static NetworkWeights extract(Architecture architecture, ComputationGraph graph, String description)
            throws WeightLoadException {
        List<ConvWeights> found = new ArrayList<>();
        List<long[]> expected = architecture.convolutionShapes();
        List<String> unused = new ArrayList<>();
        for (String name : graph.getConfiguration().getTopologicalOrderStr()) {
            GraphVertex vertex = graph.getConfiguration().getVertices().get(name);
            if (!(vertex instanceof LayerVertex layerVertex)
                    || !(layerVertex.getLayerConf().getLayer() instanceof ConvolutionLayer conv)
                    || conv.getClass() != ConvolutionLayer.class) {
                continue;
            }
            var weight = graph.getLayer(name).getParam("W");
            var bias = graph.getLayer(name).getParam("b");
            int next = found.size();
            if (next < expected.size() && Arrays.equals(expected.get(next), weight.shape())) {
                found.add(new ConvWeights(name, weight.dup(), bias.reshape(bias.length()).dup(), activation(name, conv)));
            } else {
                unused.add(name + Arrays.toString(weight.shape()));
            }
        }
        if (found.size() != expected.size() || !unused.isEmpty()) {
            throw new WeightLoadException(description + " does not have " + architecture + "'s structure: matched "
                    + found.size() + " of its " + expected.size() + " convolutions"
                    + (unused.isEmpty() ? "" : "; unexpected convolution layers " + unused)
                    + ". Is it a " + architecture + " model?");
        }
        return new NetworkWeights(architecture, found, Preprocessing.CAFFE_BGR, false, description);
    }

    /**
     * The architecture a DL4J model zip holds, from its {@code configuration.json} alone: the
     * shapes of its plain convolution layers, in topological order, against each architecture's.
     * Reads no parameters (a VGG-19 zip's are 575 MB). Null if it matches none.
     */
    static Architecture architectureOf(java.nio.file.Path zip) throws WeightLoadException {
        List<long[]> shapes = new ArrayList<>(convolutionsOf(zip).values());
        for (Architecture candidate : Architecture.values()) {
            List<long[]> expected = candidate.convolutionShapes();
            boolean same = expected.size() == shapes.size();
            for (int i = 0; same && i < expected.size(); i++) {
                same = Arrays.equals(expected.get(i), shapes.get(i));
            }
            if (same) {
                return candidate;
            }
        }
        return null;
    }

    /** A DL4J model zip's plain convolution layers, name to {@code [out, in, kH, kW]}, in topological order. */
    static java.util.Map<String, long[]> convolutionsOf(java.nio.file.Path zip) throws WeightLoadException {
        String json;
        try (java.util.zip.ZipFile file = new java.util.zip.ZipFile(zip.toFile())) {
            java.util.zip.ZipEntry entry = file.getEntry("configuration.json");
            if (entry == null || entry.getSize() > (64 << 20)) {
                throw new WeightLoadException(zip + " has no usable configuration.json; it is not a DL4J model zip");
            }
            try (java.io.InputStream in = file.getInputStream(entry)) {
                json = new String(in.readNBytes(64 << 20), java.nio.charset.StandardCharsets.UTF_8);
            }
        } catch (java.io.IOException e) {
            throw new WeightLoadException("cannot read " + zip + " (" + e.getMessage() + ")", e);
        }
        org.deeplearning4j.nn.conf.ComputationGraphConfiguration configuration;
        try {
            configuration = org.deeplearning4j.nn.conf.ComputationGraphConfiguration.fromJson(json);
        } catch (RuntimeException e) {
            throw new WeightLoadException(zip + " holds a configuration.json DL4J cannot read as a ComputationGraph ("
                    + e.getMessage() + ")", e);
        }
        java.util.Map<String, long[]> convolutions = new java.util.LinkedHashMap<>();
        for (String name : topologicalOrder(configuration)) {
            GraphVertex vertex = configuration.getVertices().get(name);
            if (vertex instanceof LayerVertex layerVertex && layerVertex.getLayerConf().getLayer() instanceof ConvolutionLayer conv
                    && conv.getClass() == ConvolutionLayer.class) {
                convolutions.put(name, new long[] {conv.getNOut(), conv.getNIn(), conv.getKernelSize()[0],
                        conv.getKernelSize()[1]});
            }
        }
        return convolutions;
    }

    /**
     * The configuration's own order when a saved model carries it, else Kahn's: vertices whose
     * inputs are all placed, in the order they were added (so a fire module's 1x1 expansion
     * comes before its 3x3, as the zoo builds them and as DL4J orders them).
     */
    private static List<String> topologicalOrder(org.deeplearning4j.nn.conf.ComputationGraphConfiguration configuration) {
        if (configuration.getTopologicalOrderStr() != null) {
            return configuration.getTopologicalOrderStr();
        }
        java.util.Set<String> placed = new java.util.LinkedHashSet<>(configuration.getNetworkInputs());
        List<String> order = new ArrayList<>();
        boolean progress = true;
        while (progress) {
            progress = false;
            for (String name : configuration.getVertices().keySet()) {
                if (!placed.contains(name)
                        && placed.containsAll(configuration.getVertexInputs().getOrDefault(name, List.of()))) {
                    placed.add(name);
                    order.add(name);
                    progress = true;
                }
            }
        }
        return order;
    }

    private static Activation activation(String name, Layer conv) throws WeightLoadException {
        IActivation fn = ((ConvolutionLayer) conv).getActivationFn();
        if (fn == null || fn instanceof ActivationIdentity || fn instanceof ActivationReLU) {
            return Activation.IDENTITY;
        }
        if (fn instanceof ActivationSigmoid) {
            log.warn("Layer {} applies sigmoid inside the convolution (DL4J's default activation, as in the zoo's "
                    + "SqueezeNet configuration); the SameDiff graph reproduces it", name);
            return Activation.SIGMOID;
        }
        throw new WeightLoadException("Layer " + name + " uses activation " + fn + ", which style4j does not map");
    }
}
