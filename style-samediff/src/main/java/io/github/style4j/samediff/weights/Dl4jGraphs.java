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
