package io.github.style4j.samediff.weights;

import io.github.style4j.core.tensor.Preprocessing;
import io.github.style4j.samediff.network.Architecture;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@link WeightFiles#inspect} found out about a weight file or folder.
 *
 * @param path          the file or folder
 * @param format        its format, told by content
 * @param architecture  the network its convolutions fit
 * @param layers        its convolution names, in network order
 * @param skipped       tensors it holds that style4j does not read (classifier layers)
 * @param preprocessing the input convention the weights expect
 * @param bytes         the file's size (a folder's: its files' total)
 * @param sha256        the file's SHA-256 (null for a folder)
 * @param recognisedAs  the published file it is, if its hash says so
 */
public record WeightReport(Path path, WeightFormat format, Architecture architecture, List<String> layers,
                           List<String> skipped, Preprocessing preprocessing, long bytes, String sha256,
                           Optional<String> recognisedAs) {
    public WeightReport {
        layers = List.copyOf(layers);
        skipped = List.copyOf(skipped);
    }

    /** "recognised: torchvision VGG-19 (ImageNet)" or "not a known file; loaded by its layout". */
    public String recognition() {
        return recognisedAs.map(r -> "recognised: " + r).orElse("not a known file; loaded by its layout");
    }

    /** The input convention in words. */
    public static String describe(Preprocessing preprocessing) {
        return switch (preprocessing) {
            case TORCHVISION -> "RGB in [0, 1], then (x - mean) / std per channel (torchvision)";
            case CAFFE_BGR -> "BGR in [0, 255], ImageNet mean subtracted (Caffe / Keras 'caffe')";
            case NONE -> "fed as given";
        };
    }
}
