package io.github.style4j.samediff.fast;

import io.github.style4j.core.colour.ColourTransfer;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.tensor.ImageTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained fast-style network, ready to stylise photos of any size in one forward pass:
 * <pre>{@code
 * RgbImage result = FastStyle.load(Path.of("starry.style4j")).stylise(photo);
 * }</pre>
 * Sides that are not multiples of {@value TransformerNetwork#SIZE_MULTIPLE} are padded by
 * reflection and cropped back, so the output has the input's size. The graph is built once;
 * calls are serialised (one SameDiff graph is not safe to run from two threads at once).
 */
public final class FastStyle {
    /** Sides below this are refused: the network's reflection padding needs more pixels. */
    public static final int MIN_SIDE = 16;
    private static final String INPUT = "photo";

    private final FastStyleModel model;
    private final SameDiff sd;

    private FastStyle(FastStyleModel model) {
        this.model = model;
        this.sd = SameDiff.create();
        SDVariable photo = sd.placeHolder(INPUT, DataType.FLOAT, -1, 3, -1, -1);
        model.network().define(sd, photo, model.variables());
    }

    /** Loads a model file (see {@link FastStyleModel#load}). */
    public static FastStyle load(Path modelFile) throws IOException {
        return new FastStyle(FastStyleModel.load(modelFile));
    }

    public static FastStyle of(FastStyleModel model) {
        return new FastStyle(model);
    }

    public FastStyleModel model() {
        return model;
    }

    /** The stylised image, the input's size; alpha, if any, carried over. */
    public RgbImage stylise(RgbImage image) {
        return stylise(image, false);
    }

    /**
     * The stylised image; with {@code preserveColours}, only its luminance is kept, on the
     * photo's colours (as {@code -original_colors 1} of an optimisation run).
     */
    public RgbImage stylise(RgbImage image, boolean preserveColours) {
        RgbImage opaque = image.withoutAlpha();
        INDArray input = ImageTensors.toTensor(opaque);
        INDArray output = stylise(input);
        RgbImage result = ImageTensors.toImage(output);
        input.close();
        output.close();
        if (preserveColours) {
            result = ColourTransfer.luminanceOnly(result, opaque);
        }
        return image.hasAlpha() ? result.withAlpha(image.alpha()) : result;
    }

    /** Stylises a {@code [N, 3, H, W]} RGB batch in {@code [0, 1]}; returns the same shape. */
    public synchronized INDArray stylise(INDArray rgb) {
        if (rgb.rank() != 4 || rgb.size(1) != 3) {
            throw new IllegalArgumentException("expected an [N, 3, H, W] RGB tensor, got "
                    + java.util.Arrays.toString(rgb.shape()));
        }
        long height = rgb.size(2);
        long width = rgb.size(3);
        if (height < MIN_SIDE || width < MIN_SIDE) {
            throw new IllegalArgumentException("the image is " + width + " x " + height + " px; fast style needs at least "
                    + MIN_SIDE + " px a side");
        }
        INDArray padded = padToMultiple(rgb.castTo(DataType.FLOAT));
        INDArray out = sd.output(Map.of(INPUT, padded), TransformerNetwork.OUTPUT).get(TransformerNetwork.OUTPUT);
        if (padded.size(2) == height && padded.size(3) == width) {
            return out;
        }
        INDArray cropped = out.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, height),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, width)).dup('c');
        out.close();
        padded.close();
        return cropped;
    }

    /** Bottom and right padded by reflection up to multiples of {@value TransformerNetwork#SIZE_MULTIPLE}. */
    static INDArray padToMultiple(INDArray x) {
        int m = TransformerNetwork.SIZE_MULTIPLE;
        long h = x.size(2);
        long w = x.size(3);
        long ph = (m - h % m) % m;
        long pw = (m - w % m) % m;
        if (ph == 0 && pw == 0) {
            return x;
        }
        // The forward pass of pad's REFLECT mode is right (only its gradient is wrong in M2.1).
        INDArray paddings = Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {0, (int) ph}, {0, (int) pw}});
        return Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.Pad(x, paddings, org.nd4j.enums.PadMode.REFLECT,
                0.0))[0];
    }

    @Override
    public String toString() {
        return "FastStyle[" + model + "]";
    }
}
