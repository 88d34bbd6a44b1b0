package io.github.style4j.samediff.loss;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.nd4j.autodiff.samediff.NameScope;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Ruder et al.'s short-term temporal loss (2016): the image should equal the previous
 * stylised frame warped into this one, wherever the flow is trusted:
 * <pre>
 *   L = 1/D · Σ_{c,y,x} m[y, x] · (x[c, y, x] − w[c, y, x])²,   D = C·H·W
 * </pre>
 * with {@code w} the warped previous output ({@code [1, C, H, W]}) and {@code m} the
 * flow-consistency weights ({@code [1, 1, H, W]}, 0 where the flow is occluded or unreliable,
 * 1 elsewhere). Reads no layer; both arrays are constants.
 */
public final class TemporalLoss implements PerceptualLoss {
    private final String name;
    private final INDArray target;
    private final INDArray weights;

    private TemporalLoss(String name, INDArray target, INDArray weights) {
        this.name = name;
        this.target = target;
        this.weights = weights;
    }

    /**
     * @param target  the previous output warped to this frame, {@code [1, C, H, W]}
     * @param weights per-pixel weights {@code [1, 1, H, W]} (the consistency mask)
     */
    public static TemporalLoss of(String name, INDArray target, INDArray weights) {
        Objects.requireNonNull(name, "name");
        if (target.rank() != 4 || target.size(0) != 1) {
            throw new IllegalArgumentException("target must be [1, C, H, W], got " + java.util.Arrays.toString(
                    target.shape()));
        }
        if (weights.rank() != 4 || weights.size(0) != 1 || weights.size(1) != 1 || weights.size(2) != target.size(2)
                || weights.size(3) != target.size(3)) {
            throw new IllegalArgumentException("weights must be [1, 1, " + target.size(2) + ", " + target.size(3)
                    + "] to match the target, got " + java.util.Arrays.toString(weights.shape()));
        }
        return new TemporalLoss(name, target, weights);
    }

    @Override
    public SDVariable define(SameDiff sd, LossInputs inputs) {
        SDVariable total;
        try (NameScope scope = sd.withNameScope(name)) {
            SDVariable image = inputs.image();
            SDVariable w = sd.constant("target", target.castTo(image.dataType()));
            SDVariable m = sd.constant("weights", weights.castTo(image.dataType()));
            SDVariable delta = image.sub(w);
            total = Reductions.sum(sd, delta.mul(delta).mul(m)).div(target.length());
        }
        return sd.identity(name, total);
    }

    @Override
    public java.util.Optional<ArrayLoss> arrays() {
        return java.util.Optional.of((arrays, scale, values) -> {
            INDArray image = arrays.image();
            double d = target.length();
            try (INDArray delta = image.sub(target.castTo(image.dataType()));
                 INDArray weighted = delta.mul(weights.castTo(image.dataType()))) {
                double value = weighted.mul(delta).sumNumber().doubleValue() / d;
                arrays.imageGradient().addi(weighted.muli(2 * scale / d));
                values.put(name, value);
                return value;
            }
        });
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<String> layers() {
        return Set.of();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "TemporalLoss[%s, %dx%d, %.0f%% of pixels weighted]", name, target.size(3),
                target.size(2), 100 * weights.meanNumber().doubleValue());
    }
}
