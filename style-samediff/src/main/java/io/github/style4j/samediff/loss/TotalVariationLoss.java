package io.github.style4j.samediff.loss;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.nd4j.autodiff.samediff.NameScope;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.INDArrayIndex;

/**
 * Total variation of the image: a smoothness prior against high-frequency noise (Mahendran
 * and Vedaldi 2015; used by Johnson et al. and neural-style). With Δy = x[y+1, x] − x[y, x]
 * and Δx = x[y, x+1] − x[y, x] over every channel and batch entry:
 * <pre>
 *   SQUARED:  L = Σ Δy² + Σ Δx²
 *   L1:       L = Σ |Δy| + Σ |Δx|        (anisotropic; neural-style's TVLoss)
 * </pre>
 * Sums, not means, as in those papers; on style4j's [0, 1] images (neural-style works on a
 * 0–255 scale, so its L1 TV weights are 255 times ours). The differences are computed by
 * two fixed 2-pixel convolutions, whose gradient SameDiff handles reliably.
 */
public final class TotalVariationLoss implements PerceptualLoss {
    /** The penalty on neighbour differences. */
    public enum Form {
        SQUARED,
        L1
    }

    private final String name;
    private final Form form;
    private final int channels;

    private TotalVariationLoss(String name, Form form, int channels) {
        this.name = name;
        this.form = form;
        this.channels = channels;
    }

    /** TV of an RGB image, named {@code tv}. */
    public static TotalVariationLoss of(Form form) {
        return new TotalVariationLoss("tv", form, 3);
    }

    /** TV of an image with {@code channels} channels, named {@code name}. */
    public static TotalVariationLoss of(String name, Form form, int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be at least 1, got " + channels);
        }
        return new TotalVariationLoss(Objects.requireNonNull(name), Objects.requireNonNull(form), channels);
    }

    @Override
    public SDVariable define(SameDiff sd, LossInputs inputs) {
        SDVariable image = inputs.image();
        SDVariable total;
        try (NameScope scope = sd.withNameScope(name)) {
            SDVariable dy = difference(sd, image, 2, 1, "dy");
            SDVariable dx = difference(sd, image, 1, 2, "dx");
            total = form == Form.SQUARED
                    ? sd.sum(sd.math().square(dy)).add(sd.sum(sd.math().square(dx)))
                    : sd.sum(sd.math().abs(dy)).add(sd.sum(sd.math().abs(dx)));
        }
        return sd.identity(name, total);
    }

    /** Neighbour differences along one axis: a VALID convolution with kernel (-1, 1) per channel. */
    private SDVariable difference(SameDiff sd, SDVariable image, int kernelHeight, int kernelWidth, String label) {
        INDArray kernel = Nd4j.zeros(DataType.DOUBLE, kernelHeight, kernelWidth, channels, channels);
        for (int c = 0; c < channels; c++) {
            kernel.putScalar(new long[] {0, 0, c, c}, -1);
            kernel.putScalar(new long[] {kernelHeight - 1, kernelWidth - 1, c, c}, 1);
        }
        SDVariable weights = sd.constant(label + "_kernel", kernel.castTo(image.dataType()));
        return sd.cnn().conv2d(label, image, weights, Conv2DConfig.builder().kH(kernelHeight).kW(kernelWidth)
                .sH(1).sW(1).paddingMode(PaddingMode.VALID).dataFormat("NCHW").build());
    }

    /** Neighbour differences as views; each adds ±(sign or 2·Δ) to the two pixels it joins. */
    @Override
    public java.util.Optional<ArrayLoss> arrays() {
        return java.util.Optional.of((arrays, scale, values) -> {
            INDArray image = arrays.image();
            long h = image.size(2);
            long w = image.size(3);
            double total = difference(image, arrays.imageGradient(), scale, 2, h, w)
                    + difference(image, arrays.imageGradient(), scale, 3, h, w);
            values.put(name, total);
            return total;
        });
    }

    /** The penalty along {@code axis} (2: rows, 3: columns); adds its gradient into {@code gradient}. */
    private double difference(INDArray image, INDArray gradient, double scale, int axis, long h, long w) {
        INDArrayIndex all = NDArrayIndex.all();
        INDArrayIndex[] later = axis == 2 ? new INDArrayIndex[] {all, all, NDArrayIndex.interval(1, h), all}
                : new INDArrayIndex[] {all, all, all, NDArrayIndex.interval(1, w)};
        INDArrayIndex[] earlier = axis == 2 ? new INDArrayIndex[] {all, all, NDArrayIndex.interval(0, h - 1), all}
                : new INDArrayIndex[] {all, all, all, NDArrayIndex.interval(0, w - 1)};
        if ((axis == 2 ? h : w) < 2) {
            return 0;
        }
        try (INDArray delta = image.get(later).sub(image.get(earlier))) {
            double value;
            INDArray slope;
            if (form == Form.SQUARED) {
                value = Nd4j.getBlasWrapper().dot(delta.reshape(delta.length()), delta.reshape(delta.length()));
                slope = delta.mul(2 * scale);
            } else {
                value = delta.norm1Number().doubleValue();
                slope = Transforms.sign(delta, true).muli(scale);
            }
            gradient.get(later).addi(slope);
            gradient.get(earlier).subi(slope);
            slope.close();
            return value;
        }
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
        return String.format(Locale.ROOT, "TotalVariationLoss[%s, %s, %d channels]", name, form, channels);
    }
}
