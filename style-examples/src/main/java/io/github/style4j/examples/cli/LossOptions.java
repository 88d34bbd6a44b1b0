package io.github.style4j.examples.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The loss options an optimisation run and a fast-style training share (neural-style's
 * spellings), so that both say the same thing in the same words.
 */
final class LossOptions {
    @Option(names = {"-content_weight", "--content-weight"}, paramLabel = "W",
            description = "Weight of the content loss (default: 5 for VGG, 100 for SqueezeNet).")
    Double contentWeight;

    @Option(names = {"-style_weight", "--style-weight"}, paramLabel = "W",
            description = "Weight of the style loss (default: 100 for VGG, 3e4 for SqueezeNet).")
    Double styleWeight;

    @Option(names = {"-tv_weight", "--tv-weight"}, paramLabel = "W",
            description = "Weight of total-variation smoothing, as neural-style defines it: half the squared "
                    + "neighbour differences on its 0-255 scale (default: 1e-3 for VGG, 1e-5 for SqueezeNet).")
    Double tvWeight;

    @Option(names = {"-content_layers", "--content-layers"}, split = ",", paramLabel = "LAYER[:W]",
            description = "Content layers with optional weights, e.g. relu4_2 (default: relu4_2; fire4 for "
                    + "SqueezeNet).")
    List<String> contentLayers = new ArrayList<>();

    @Option(names = {"-style_layers", "--style-layers"}, split = ",", paramLabel = "LAYER[:W]",
            description = "Style layers with optional weights, e.g. relu1_1:2,relu2_1 (default: relu1_1, relu2_1, "
                    + "relu3_1, relu4_1, relu5_1; for SqueezeNet relu1:1000, fire2:300, fire3:100, fire4:10, fire5:1).")
    List<String> styleLayers = new ArrayList<>();

    /** {@code relu1_1:2,relu2_1} as layer weights (1 where none is given). */
    static Map<String, Double> layerWeights(List<String> specs) {
        Map<String, Double> weights = new LinkedHashMap<>();
        for (String spec : specs) {
            String[] parts = spec.split(":", 2);
            try {
                weights.put(parts[0].trim(), parts.length == 2 ? Double.parseDouble(parts[1]) : 1.0);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("layer weight in '" + spec + "' is not a number; write LAYER:WEIGHT");
            }
        }
        return weights;
    }
}
