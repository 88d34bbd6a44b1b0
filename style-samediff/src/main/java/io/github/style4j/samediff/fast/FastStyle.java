package io.github.style4j.samediff.fast;

import io.github.style4j.core.colour.ColourTransfer;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.tensor.ImageTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained fast-style network, ready to stylise photos of any size in one forward pass:
 * <pre>{@code
 * RgbImage result = FastStyle.load(Path.of("starry.style4j")).stylise(photo);
 * }</pre>
 * Sides that are not multiples of {@value TransformerNetwork#SIZE_MULTIPLE} are padded by
 * reflection and cropped back, so the output has the input's size. The pass runs op by op
 * ({@code TransformerPass}, not a SameDiff session); calls are serialised.
 */
public final class FastStyle {
    /** Sides below this are refused: the network's reflection padding needs more pixels. */
    public static final int MIN_SIDE = 16;

    /** Above this many pixels, {@link #stylise(RgbImage)} works in tiles, so memory is a tile's. */
    public static final long TILE_ABOVE_PIXELS = 2_400_000L;
    /** Side of the part of the image each tile computes. */
    static final int TILE_CORE = 512;
    /**
     * Pixels around a tile's core that it reads but does not keep: more than the network's
     * receptive-field radius (about 58 px: 9x9 at full size, ten 3x3 at a quarter, ...), a multiple
     * of {@value TransformerNetwork#SIZE_MULTIPLE} so tiles keep the stride grid.
     */
    static final int HALO = 64;
    /**
     * Longest side of the copy of a large image whose instance-norm statistics all tiles use: about
     * the largest that runs whole (exact statistics of the full image would need one pass over the
     * tiles per normalisation layer, as each depends on the ones before).
     */
    static final int STATISTICS_SIDE = 1536;

    private final FastStyleModel model;
    private final TransformerPass pass;

    private FastStyle(FastStyleModel model) {
        this.model = model;
        this.pass = new TransformerPass(model.network(), model.variables());
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
        INDArray output;
        if ((long) opaque.width() * opaque.height() > TILE_ABOVE_PIXELS) {
            INDArray small = ImageTensors.toTensor(io.github.style4j.core.image.Resizing.fitToMaxSide(opaque,
                    STATISTICS_SIDE));
            output = styliseInTiles(input, statistics(small), TILE_CORE, HALO);
            small.close();
        } else {
            output = stylise(input);
        }
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
        INDArray out = pass.forward(padded, null, null);
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

    /**
     * The mean and variance of every instance normalisation on {@code rgb} ({@code [1, 3, H, W]}),
     * by {@link TransformerNetwork#meanName} and {@link TransformerNetwork#varianceName}.
     */
    synchronized Map<String, INDArray> statistics(INDArray rgb) {
        INDArray padded = padToMultiple(rgb.castTo(DataType.FLOAT));
        Map<String, INDArray> statistics = new LinkedHashMap<>();
        pass.forward(padded, null, statistics).close();
        return statistics;
    }

    /**
     * Stylises {@code rgb} ({@code [1, 3, H, W]}) tile by tile: each computes a {@code core}-px
     * square of the output from the square plus {@code halo} px around it, every instance
     * normalisation using the given statistics, so memory is that of one tile. With the
     * image's own statistics this equals the whole-image pass (the halo covers the receptive
     * field; tiles start on multiples of {@value TransformerNetwork#SIZE_MULTIPLE}, the network's
     * stride grid); {@link #stylise(RgbImage)} takes them from a smaller copy of the image.
     */
    synchronized INDArray styliseInTiles(INDArray rgb, Map<String, INDArray> statistics, int core, int halo) {
        int m = TransformerNetwork.SIZE_MULTIPLE;
        if (core % m != 0 || halo % m != 0 || core <= 0) {
            throw new IllegalArgumentException("tile core and halo must be positive multiples of " + m);
        }
        long height = rgb.size(2);
        long width = rgb.size(3);
        INDArray padded = padToMultiple(rgb.castTo(DataType.FLOAT));
        long h = padded.size(2);
        long w = padded.size(3);
        INDArray out = Nd4j.create(DataType.FLOAT, 1, 3, h, w);
        for (long y0 = 0; y0 < h; y0 += core) {
            for (long x0 = 0; x0 < w; x0 += core) {
                long y1 = Math.min(h, y0 + core);
                long x1 = Math.min(w, x0 + core);
                long cy0 = Math.max(0, y0 - halo);
                long cx0 = Math.max(0, x0 - halo);
                INDArray crop = padded.get(all(), all(), interval(cy0, Math.min(h, y1 + halo)),
                        interval(cx0, Math.min(w, x1 + halo))).dup('c');
                INDArray tile = pass.forward(crop, statistics, null);
                out.get(all(), all(), interval(y0, y1), interval(x0, x1))
                        .assign(tile.get(all(), all(), interval(y0 - cy0, y1 - cy0), interval(x0 - cx0, x1 - cx0)));
                tile.close();
                crop.close();
            }
        }
        if (h == height && w == width) {
            return out;
        }
        INDArray cropped = out.get(all(), all(), interval(0, height), interval(0, width)).dup('c');
        out.close();
        return cropped;
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex all() {
        return org.nd4j.linalg.indexing.NDArrayIndex.all();
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex interval(long from, long to) {
        return org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to);
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
