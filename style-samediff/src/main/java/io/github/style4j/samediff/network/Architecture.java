package io.github.style4j.samediff.network;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The feature networks style4j builds: their layers in order, the canonical tap names, and
 * the convolution shapes weights must have. Only what style transfer needs is defined: the
 * convolutional trunks of VGG (no fully connected layers), and SqueezeNet 1.1 with its
 * convolutional classifier (so that pretrained weights can be checked against reference
 * logits).
 */
public enum Architecture {
    /** VGG-16 (Simonyan and Zisserman 2014), configuration D: 13 convolutions in 5 blocks. */
    VGG16(vgg(new int[] {2, 2, 3, 3, 3})),
    /** VGG-19, configuration E: 16 convolutions in 5 blocks; Gatys et al.'s network. */
    VGG19(vgg(new int[] {2, 2, 4, 4, 4})),
    /**
     * SqueezeNet 1.1 (Iandola et al. 2016; the torchvision / ONNX model zoo variant). Taps and
     * their index in torchvision's {@code features}: {@code conv1} (0), {@code relu1} (1),
     * {@code pool1} (2), {@code fire2} (3), {@code fire3} (4), {@code pool3} (5), {@code fire4}
     * (6), {@code fire5} (7), {@code pool5} (8), {@code fire6} (9), {@code fire7} (10),
     * {@code fire8} (11), {@code fire9} (12); then the classifier: {@code conv10}, {@code relu10}
     * and {@code logits} (global average, {@code [N, 1000]}).
     */
    SQUEEZENET(squeezenet());

    /** One step of a network. */
    public sealed interface Op permits Conv, Relu, Pool, Fire, GlobalAverage {
        String name();
    }

    /** A convolution with bias; {@code same} pads to keep the size (stride 1). */
    public record Conv(String name, int in, int out, int kernel, int stride, boolean same) implements Op {
    }

    public record Relu(String name) implements Op {
    }

    /** Max or average pooling (the caller chooses); floor or ceil rounding comes with the weights. */
    public record Pool(String name, int kernel, int stride) implements Op {
    }

    /** A SqueezeNet fire module: squeeze 1x1, then expand 1x1 and expand 3x3 concatenated (1x1 first). */
    public record Fire(String name, int in, int squeeze, int expand) implements Op {
    }

    public record GlobalAverage(String name) implements Op {
    }

    private final List<Op> ops;
    private final Map<String, String> aliases;

    Architecture(List<Op> ops) {
        this.ops = Collections.unmodifiableList(ops);
        this.aliases = kerasAliases(ops);
    }

    /** The steps in order. */
    public List<Op> ops() {
        return ops;
    }

    /** Every tap name, in network order. */
    public List<String> layerNames() {
        List<String> names = new ArrayList<>();
        for (Op op : ops) {
            names.add(op.name());
        }
        return names;
    }

    /**
     * The canonical name of a layer, accepting Keras / DL4J zoo aliases for VGG
     * ({@code block1_conv1} is {@code relu1_1}: Keras' convolutions include their ReLU;
     * {@code block1_pool} is {@code pool1}).
     *
     * @throws IllegalArgumentException listing the valid names
     */
    public String canonicalName(String layer) {
        String name = layer.trim();
        if (layerNames().contains(name)) {
            return name;
        }
        String alias = aliases.get(name);
        if (alias != null) {
            return alias;
        }
        throw new IllegalArgumentException("Unknown layer '" + layer + "' for " + this + "; valid names: "
                + String.join(", ", layerNames()) + (aliases.isEmpty() ? "" : " (Keras names such as "
                + aliases.keySet().iterator().next() + " are accepted too)"));
    }

    /** Position of a (canonical or alias) layer name among {@link #ops()}. */
    public int indexOf(String layer) {
        return layerNames().indexOf(canonicalName(layer));
    }

    /** The convolutions weights must supply, in order, as {@code [out, in, kH, kW]} shapes. */
    public List<long[]> convolutionShapes() {
        List<long[]> shapes = new ArrayList<>();
        for (Op op : ops) {
            if (op instanceof Conv conv) {
                shapes.add(new long[] {conv.out(), conv.in(), conv.kernel(), conv.kernel()});
            } else if (op instanceof Fire fire) {
                shapes.add(new long[] {fire.squeeze(), fire.in(), 1, 1});
                shapes.add(new long[] {fire.expand(), fire.squeeze(), 1, 1});
                shapes.add(new long[] {fire.expand(), fire.squeeze(), 3, 3});
            }
        }
        return shapes;
    }

    @Override
    public String toString() {
        return switch (this) {
            case VGG16 -> "VGG-16";
            case VGG19 -> "VGG-19";
            case SQUEEZENET -> "SqueezeNet 1.1";
        };
    }

    /** Parses {@code vgg16}, {@code VGG-19}, {@code squeezenet}, ... */
    public static Architecture parse(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        return switch (key) {
            case "vgg16" -> VGG16;
            case "vgg19" -> VGG19;
            case "squeezenet", "squeezenet11", "squeezenet1.1" -> SQUEEZENET;
            default -> throw new IllegalArgumentException("Unknown network '" + name
                    + "'; valid: vgg16, vgg19, squeezenet");
        };
    }

    private static List<Op> vgg(int[] convsPerBlock) {
        int[] channels = {64, 128, 256, 512, 512};
        List<Op> ops = new ArrayList<>();
        int in = 3;
        for (int block = 1; block <= 5; block++) {
            for (int i = 1; i <= convsPerBlock[block - 1]; i++) {
                ops.add(new Conv("conv" + block + "_" + i, in, channels[block - 1], 3, 1, true));
                ops.add(new Relu("relu" + block + "_" + i));
                in = channels[block - 1];
            }
            ops.add(new Pool("pool" + block, 2, 2));
        }
        return ops;
    }

    private static List<Op> squeezenet() {
        return List.of(
                new Conv("conv1", 3, 64, 3, 2, false), new Relu("relu1"), new Pool("pool1", 3, 2),
                new Fire("fire2", 64, 16, 64), new Fire("fire3", 128, 16, 64), new Pool("pool3", 3, 2),
                new Fire("fire4", 128, 32, 128), new Fire("fire5", 256, 32, 128), new Pool("pool5", 3, 2),
                new Fire("fire6", 256, 48, 192), new Fire("fire7", 384, 48, 192),
                new Fire("fire8", 384, 64, 256), new Fire("fire9", 512, 64, 256),
                new Conv("conv10", 512, 1000, 1, 1, false), new Relu("relu10"), new GlobalAverage("logits"));
    }

    private static Map<String, String> kerasAliases(List<Op> ops) {
        Map<String, String> aliases = new LinkedHashMap<>();
        for (Op op : ops) {
            String name = op.name();
            if (name.matches("relu\\d_\\d")) {
                aliases.put("block" + name.charAt(4) + "_conv" + name.charAt(6), name);
            } else if (name.matches("pool\\d") && ops.get(0).name().equals("conv1_1")) {
                aliases.put("block" + name.charAt(4) + "_pool", name);
            }
        }
        return aliases;
    }
}
