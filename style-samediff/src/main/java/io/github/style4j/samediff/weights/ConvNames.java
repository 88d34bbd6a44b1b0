package io.github.style4j.samediff.weights;

import io.github.style4j.samediff.network.Architecture;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The canonical names of an architecture's convolutions ({@code conv4_2} for VGG,
 * {@code fire3/expand3x3} for SqueezeNet), and the names the ecosystems give them: torchvision
 * ({@code features.21}, {@code features.4.expand3x3}, {@code classifier.1}), Keras
 * ({@code block4_conv2}, {@code fire3/expand3x3}) and Caffe ({@code conv4_2}).
 */
final class ConvNames {
    private static final Pattern TORCH_FEATURE = Pattern.compile("(?:.*\\.)?features\\.(\\d+)(?:\\.(squeeze|expand1x1|expand3x3))?");
    private static final Pattern KERAS_VGG = Pattern.compile("block(\\d)_conv(\\d)");
    private static final Pattern CAFFE_VGG = Pattern.compile("conv(\\d)_(\\d)");
    private static final Pattern FIRE = Pattern.compile("fire(\\d)[/_.](squeeze1x1|expand1x1|expand3x3)");

    private ConvNames() {
    }

    /** The canonical names in {@link Architecture#convolutionShapes()} order. */
    static List<String> canonical(Architecture architecture) {
        List<String> names = new ArrayList<>();
        for (Architecture.Op op : architecture.ops()) {
            if (op instanceof Architecture.Conv conv) {
                names.add(conv.name());
            } else if (op instanceof Architecture.Fire fire) {
                names.add(fire.name() + "/squeeze1x1");
                names.add(fire.name() + "/expand1x1");
                names.add(fire.name() + "/expand3x3");
            }
        }
        return names;
    }

    /** The canonical name a file's convolution name stands for in {@code architecture}, or null. */
    static String canonicalName(Architecture architecture, String stored) {
        String name = stored.replaceFirst("^module\\.", "");
        Matcher torch = TORCH_FEATURE.matcher(name);
        if (torch.matches()) {
            int index = Integer.parseInt(torch.group(1));
            if (index >= architecture.ops().size()) {
                return null;
            }
            Architecture.Op op = architecture.ops().get(index);
            if (op instanceof Architecture.Conv conv && torch.group(2) == null) {
                return conv.name();
            }
            if (op instanceof Architecture.Fire fire && torch.group(2) != null) {
                return fire.name() + "/" + (torch.group(2).equals("squeeze") ? "squeeze1x1" : torch.group(2));
            }
            return null;
        }
        if (architecture == Architecture.SQUEEZENET) {
            if (name.equals("classifier.1") || name.equals("conv10")) {
                return "conv10";
            }
            if (name.equals("conv1")) {
                return "conv1";
            }
            Matcher fire = FIRE.matcher(name);
            return fire.matches() ? "fire" + fire.group(1) + "/" + fire.group(2) : null;
        }
        Matcher keras = KERAS_VGG.matcher(name);
        Matcher caffe = CAFFE_VGG.matcher(name);
        String canonical = keras.matches() ? "conv" + keras.group(1) + "_" + keras.group(2)
                : caffe.matches() ? name : null;
        return canonical != null && canonical(architecture).contains(canonical) ? canonical : null;
    }
}
