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
 *   SQUARED:       L = Σ Δy² + Σ Δx²                    (every neighbour pair)
 *   L1:            L = Σ |Δy| + Σ |Δx|                  (anisotropic)
 *   NEURAL_STYLE:  L = ½ Σ_{y &lt; H−1, x &lt; W−1} (Δy² + Δx²)
 * </pre>
 * NEURAL_STYLE is what neural-style's {@code TVLoss} optimises: its {@code updateGradInput}
 * adds the right and down differences of the first H−1 rows and W−1 columns, which is the
 * gradient of half their squares (it is not L1, though often described so). neural-style works
 * on a 0–255 scale: its {@code -tv_weight w} is {@code w · 255²} on style4j's [0, 1] images.
 * {@link Reduction#SUM} (the default) sums, as those papers do, so the weight depends on the
 * image size; {@link Reduction#MEAN} divides by the H·W pixels, so it does not. The
 * differences are computed by fixed 2-pixel convolutions, whose gradient SameDiff handles
 * reliably.
 */
public final class TotalVariationLoss implements PerceptualLoss {
    /** The penalty on neighbour differences. */
    public enum Form {
        SQUARED,
        L1,
        NEURAL_STYLE
    }

    /** How the penalties over the image are combined. */
    public enum Reduction {
        /** Their sum. */
        SUM,
        /** Their sum divided by the number of pixels H·W (per image, channels summed). */
        MEAN
    }

    private final String name;
    private final Form form;
    private final Reduction reduction;
    private final int channels;
    private final long stripElements;

    /**
     * Elements of the differences computed at once by the array form: strips of rows this large,
     * so that its temporaries stay small whatever the image (two image-sized ones made 536 MB
     * each at 8192 px).
     */
    static final long STRIP_ELEMENTS = 4L << 20;

    private TotalVariationLoss(String name, Form form, Reduction reduction, int channels, long stripElements) {
        this.name = name;
        this.form = form;
        this.reduction = reduction;
        this.channels = channels;
        this.stripElements = stripElements;
    }

    /** This loss with the array form's strips holding {@code elements} (tests: several strips on small images). */
    TotalVariationLoss withStripElements(long elements) {
        return new TotalVariationLoss(name, form, reduction, channels, Math.max(1, elements));
    }

    /** TV of an RGB image, named {@code tv}. */
    public static TotalVariationLoss of(Form form) {
        return of("tv", form, Reduction.SUM, 3);
    }

    /** TV of an image with {@code channels} channels, named {@code name}, summed. */
    public static TotalVariationLoss of(String name, Form form, int channels) {
        return of(name, form, Reduction.SUM, channels);
    }

    /** TV of an image with {@code channels} channels, named {@code name}, summed or averaged per pixel. */
    public static TotalVariationLoss of(String name, Form form, Reduction reduction, int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be at least 1, got " + channels);
        }
        return new TotalVariationLoss(Objects.requireNonNull(name), Objects.requireNonNull(form),
                Objects.requireNonNull(reduction), channels, STRIP_ELEMENTS);
    }

    @Override
    public SDVariable define(SameDiff sd, LossInputs inputs) {
        SDVariable image = inputs.image();
        SDVariable total;
        try (NameScope scope = sd.withNameScope(name)) {
            // neural-style's form: both differences over the first H-1 rows and W-1 columns,
            // i.e. 2x2 kernels whose second row or column is the one compared.
            boolean block = form == Form.NEURAL_STYLE;
            SDVariable dy = difference(sd, image, 2, block ? 2 : 1, 1, 0, "dy");
            SDVariable dx = difference(sd, image, block ? 2 : 1, 2, 0, 1, "dx");
            total = switch (form) {
                case SQUARED -> Reductions.sum(sd, sd.math().square(dy)).add(Reductions.sum(sd, sd.math().square(dx)));
                case L1 -> Reductions.sum(sd, sd.math().abs(dy)).add(Reductions.sum(sd, sd.math().abs(dx)));
                case NEURAL_STYLE -> Reductions.sum(sd, sd.math().square(dy))
                        .add(Reductions.sum(sd, sd.math().square(dx))).mul(0.5);
            };
            if (reduction == Reduction.MEAN) {
                SDVariable spatial = sd.stridedSlice(sd.shape(image), new long[] {2}, new long[] {4}, 1);
                total = total.div(sd.prod(spatial, 0).castTo(image.dataType()));
            }
        }
        return sd.identity(name, total);
    }

    /**
     * Neighbour differences: a VALID convolution per channel with −1 at the kernel's top left
     * and +1 at ({@code dy}, {@code dx}).
     */
    private SDVariable difference(SameDiff sd, SDVariable image, int kernelHeight, int kernelWidth, int dy, int dx,
                                  String label) {
        INDArray kernel = Nd4j.zeros(DataType.DOUBLE, kernelHeight, kernelWidth, channels, channels);
        for (int c = 0; c < channels; c++) {
            kernel.putScalar(new long[] {0, 0, c, c}, -1);
            kernel.putScalar(new long[] {dy, dx, c, c}, 1);
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
            double per = reduction == Reduction.MEAN ? 1.0 / (h * w) : 1.0;
            double total = per * (difference(image, arrays.imageGradient(), scale * per, 2, h, w)
                    + difference(image, arrays.imageGradient(), scale * per, 3, h, w));
            values.put(name, total);
            return total;
        });
    }

    /**
     * The penalty along {@code axis} (2: rows, 3: columns); adds its gradient into {@code gradient}.
     * Works through strips of rows in one reused buffer.
     */
    private double difference(INDArray image, INDArray gradient, double scale, int axis, long h, long w) {
        // neural-style's form leaves out the last row of horizontal and the last column of
        // vertical differences.
        boolean block = form == Form.NEURAL_STYLE;
        if ((axis == 2 ? h : w) < 2 || block && Math.min(h, w) < 2) {
            return 0;
        }
        long rows = axis == 2 || block ? h - 1 : h; // rows of differences
        long columns = axis == 3 || block ? w - 1 : w;
        long planes = image.size(0) * image.size(1);
        long stripRows = Math.min(rows, Math.max(1, stripElements / (planes * columns)));
        INDArrayIndex all = NDArrayIndex.all();
        double half = form == Form.NEURAL_STYLE ? 0.5 : 1;
        double value = 0;
        try (INDArray buffer = Nd4j.createUninitialized(image.dataType(), planes * stripRows * columns)) {
            for (long r0 = 0; r0 < rows; r0 += stripRows) {
                long r1 = Math.min(rows, r0 + stripRows);
                INDArrayIndex[] earlier = {all, all, NDArrayIndex.interval(r0, r1), NDArrayIndex.interval(0, columns)};
                INDArrayIndex[] later = axis == 2
                        ? new INDArrayIndex[] {all, all, NDArrayIndex.interval(r0 + 1, r1 + 1),
                                NDArrayIndex.interval(0, columns)}
                        : new INDArrayIndex[] {all, all, NDArrayIndex.interval(r0, r1),
                                NDArrayIndex.interval(1, columns + 1)};
                long length = planes * (r1 - r0) * columns;
                INDArray flat = buffer.get(NDArrayIndex.interval(0, length));
                INDArray delta = flat.reshape('c', image.size(0), image.size(1), r1 - r0, columns);
                delta.assign(image.get(later)).subi(image.get(earlier));
                if (form != Form.L1) {
                    value += half * Nd4j.getBlasWrapper().dot(flat, flat);
                    delta.muli(2 * half * scale); // now the slope
                } else {
                    value += delta.norm1Number().doubleValue();
                    Transforms.sign(delta, false).muli(scale);
                }
                gradient.get(later).addi(delta);
                gradient.get(earlier).subi(delta);
            }
        }
        return value;
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
        return String.format(Locale.ROOT, "TotalVariationLoss[%s, %s, %s, %d channels]", name, form, reduction,
                channels);
    }
}
