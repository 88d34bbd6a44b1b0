package io.github.style4j.samediff.weights;

import io.github.style4j.core.tensor.Preprocessing;
import io.github.style4j.samediff.network.Architecture;

/**
 * The weight file formats style4j reads, told apart by content (never by file name), each with
 * the input convention its ecosystem's ImageNet weights were trained under.
 */
public enum WeightFormat {
    /** {@code torch.save(state_dict)} since PyTorch 1.6: a zip of a pickle and raw storages. */
    PYTORCH("PyTorch state_dict (zip)", Preprocessing.TORCHVISION),
    /** The PyTorch format before 1.6, still that of torchvision's VGG downloads. */
    PYTORCH_LEGACY("PyTorch state_dict (legacy format)", Preprocessing.TORCHVISION),
    /** An ONNX model; its convolutions are its Conv nodes' initializers. */
    ONNX("ONNX model", Preprocessing.TORCHVISION),
    /** Keras {@code save_weights()} HDF5, or a whole saved Keras model. */
    KERAS_HDF5("Keras HDF5 weights", Preprocessing.CAFFE_BGR),
    /** A Caffe {@code .caffemodel}, such as neural-style's VGG files. */
    CAFFE("Caffe model", Preprocessing.CAFFE_BGR),
    /** A DL4J ComputationGraph zip, such as the DL4J zoo's downloads. */
    DL4J_ZIP("DL4J model zip", Preprocessing.CAFFE_BGR),
    /** A folder of NumPy files: the layout of {@code ../shared/models/squeezenet1.1}, or one {@code weights convert} wrote. */
    NPY_FOLDER("folder of .npy files", Preprocessing.TORCHVISION);

    private final String description;
    private final Preprocessing preprocessing;

    WeightFormat(String description, Preprocessing preprocessing) {
        this.description = description;
        this.preprocessing = preprocessing;
    }

    /**
     * The input convention of ImageNet weights in this format when the file is not a known one:
     * PyTorch and ONNX files come from torchvision (RGB, mean/std); Keras, Caffe and DL4J zoo VGG
     * weights from Caffe (BGR, 0-255, mean subtracted).
     */
    public Preprocessing defaultPreprocessing() {
        return preprocessing;
    }

    /**
     * Whether pooling rounds up: SqueezeNet 1.1 was trained in Caffe, whose pooling does, and
     * torchvision and ONNX keep {@code ceil_mode=True}; Keras and DL4J round down. VGG's 2x2
     * pools agree either way on even sizes and every framework here rounds down.
     */
    boolean ceilModePooling(Architecture architecture) {
        return architecture == Architecture.SQUEEZENET && this != KERAS_HDF5 && this != DL4J_ZIP;
    }

    @Override
    public String toString() {
        return description;
    }
}
