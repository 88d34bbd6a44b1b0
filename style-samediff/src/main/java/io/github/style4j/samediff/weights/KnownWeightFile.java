package io.github.style4j.samediff.weights;

import io.github.style4j.core.tensor.Preprocessing;
import io.github.style4j.samediff.network.Architecture;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * A public weight file style4j recognises by its hash, with what it holds and the input
 * convention it was trained under. Every hash is the one its publisher gives (never one style4j
 * computed from a file it could not fetch): torchvision and torch.hub name their files after the
 * first 8 hex digits of the file's SHA-256, Keras lists an MD5 in {@code keras.applications}, and
 * the SqueezeNet fixtures in {@code ../shared/models} come with a {@code SHA256SUMS} file.
 *
 * @param fileName       the published file name
 * @param description    what it is, e.g. "torchvision VGG-19 (ImageNet)"
 * @param format         its format ({@link WeightFormat#PYTORCH} stands for both PyTorch formats)
 * @param architecture   the network it holds
 * @param preprocessing  the input convention of these weights
 * @param hashKind       which hash {@code hash} is
 * @param hash           lowercase hex
 * @param url            where to get it ({@code null} for files that are not downloadable)
 * @param hashSource     where the hash is published
 */
public record KnownWeightFile(String fileName, String description, WeightFormat format, Architecture architecture,
                              Preprocessing preprocessing, HashKind hashKind, String hash, URI url,
                              String hashSource) {
    /** How a known file's hash is given. */
    public enum HashKind {
        /** A whole SHA-256. */
        SHA256,
        /** The leading hex digits of a SHA-256 (torch.hub's file-name convention). */
        SHA256_PREFIX,
        /** A whole MD5 (Keras' {@code get_file(file_hash=...)}). */
        MD5
    }

    public KnownWeightFile {
        hash = hash.toLowerCase(Locale.ROOT);
    }

    /** Whether a file of this format could be this one (both PyTorch formats count as one). */
    public boolean couldBe(WeightFormat other) {
        return format == other || (format == WeightFormat.PYTORCH && other == WeightFormat.PYTORCH_LEGACY);
    }

    /** Whether a file with these digests is this one. */
    public boolean matches(String sha256, String md5) {
        return switch (hashKind) {
            case SHA256 -> hash.equals(sha256);
            case SHA256_PREFIX -> sha256 != null && sha256.startsWith(hash);
            case MD5 -> hash.equals(md5);
        };
    }

    private static final String TORCHVISION_SOURCE = "torchvision/models (file named after its SHA-256 prefix, "
            + "checked by torch.hub)";
    private static final String PYTORCH_VGG_SOURCE = "jcjohnson/pytorch-vgg (file named after its SHA-256 prefix, "
            + "torch.hub convention); Caffe's VGG weights converted to PyTorch";
    private static final String KERAS_SOURCE = "keras-team/keras-applications %s.py, get_file(file_hash=...)";
    private static final String FIXTURE_SOURCE = "../shared/models/squeezenet1.1/formats/SHA256SUMS";

    /** Every file style4j recognises. */
    public static final List<KnownWeightFile> ALL = List.of(
            torch("vgg16-397923af.pth", "torchvision VGG-16 (ImageNet)", Architecture.VGG16,
                    Preprocessing.TORCHVISION, "https://download.pytorch.org/models/", TORCHVISION_SOURCE),
            torch("vgg19-dcbb9e9d.pth", "torchvision VGG-19 (ImageNet)", Architecture.VGG19,
                    Preprocessing.TORCHVISION, "https://download.pytorch.org/models/", TORCHVISION_SOURCE),
            torch("squeezenet1_1-b8a52dc0.pth", "torchvision SqueezeNet 1.1 (ImageNet)", Architecture.SQUEEZENET,
                    Preprocessing.TORCHVISION, "https://download.pytorch.org/models/", TORCHVISION_SOURCE),
            torch("vgg16-00b39a1b.pth", "Caffe VGG-16 in PyTorch (pytorch-vgg, ImageNet)", Architecture.VGG16,
                    Preprocessing.CAFFE_BGR, "https://web.eecs.umich.edu/~justincj/models/", PYTORCH_VGG_SOURCE),
            torch("vgg19-d01eb7cb.pth", "Caffe VGG-19 in PyTorch (pytorch-vgg, ImageNet)", Architecture.VGG19,
                    Preprocessing.CAFFE_BGR, "https://web.eecs.umich.edu/~justincj/models/", PYTORCH_VGG_SOURCE),
            keras("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "Keras VGG-16 without top (ImageNet)",
                    Architecture.VGG16, "6d6bbae143d832006294945121d1f1fc", "vgg16"),
            keras("vgg16_weights_tf_dim_ordering_tf_kernels.h5", "Keras VGG-16 (ImageNet)",
                    Architecture.VGG16, "64373286793e3c8b2b4e3219cbf3544b", "vgg16"),
            keras("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", "Keras VGG-19 without top (ImageNet)",
                    Architecture.VGG19, "253f8cb515780f3b799900260a226db6", "vgg19"),
            keras("vgg19_weights_tf_dim_ordering_tf_kernels.h5", "Keras VGG-19 (ImageNet)",
                    Architecture.VGG19, "cbe5617147190e668d6c5d5026f83318", "vgg19"),
            fixture("squeezenet1_1.pth", WeightFormat.PYTORCH, "torch.save zip format",
                    "713f0809ead14097470ffe3ce9eefb98442dd3631f562aa93afeabb12043e1ae"),
            fixture("squeezenet1_1.onnx", WeightFormat.ONNX, "torch.onnx.export",
                    "b843b5b2de56a8fdd9bfc922d1ba210c4cc82854cd9a83d03cb85dfb94ff525f"),
            fixture("squeezenet1_1_keras.h5", WeightFormat.KERAS_HDF5, "in Keras' layout",
                    "f6faa13e7bc29f31643404b3e99dffeb53902f279a9c6e3518190d537ad8a5d0"));

    /** A torch.hub-style file: named {@code NAME-XXXXXXXX.pth} after the first 8 hex digits of its SHA-256. */
    private static KnownWeightFile torch(String name, String description, Architecture architecture,
                                         Preprocessing preprocessing, String folderUrl, String source) {
        String prefix = name.substring(name.lastIndexOf('-') + 1, name.length() - ".pth".length());
        return new KnownWeightFile(name, description, WeightFormat.PYTORCH, architecture, preprocessing,
                HashKind.SHA256_PREFIX, prefix, URI.create(folderUrl + name), source);
    }

    private static KnownWeightFile keras(String name, String description, Architecture architecture, String md5,
                                         String module) {
        return new KnownWeightFile(name, description, WeightFormat.KERAS_HDF5, architecture, Preprocessing.CAFFE_BGR,
                HashKind.MD5, md5,
                URI.create("https://storage.googleapis.com/tensorflow/keras-applications/" + module + "/" + name),
                String.format(KERAS_SOURCE, module));
    }

    private static KnownWeightFile fixture(String name, WeightFormat format, String how, String sha256) {
        return new KnownWeightFile(name, "style4j fixture: torchvision SqueezeNet 1.1, " + how, format,
                Architecture.SQUEEZENET, Preprocessing.TORCHVISION, HashKind.SHA256, sha256, null, FIXTURE_SOURCE);
    }

    @Override
    public String toString() {
        return description + " [" + fileName + "]";
    }
}
