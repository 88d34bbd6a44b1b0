package io.github.style4j.core.tensor;

import io.github.style4j.core.image.RgbImage;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link RgbImage} to and from ND4J tensors. The one tensor convention of style4j outside a
 * network: shape {@code [1, 3, H, W]} (NCHW), RGB order, float32, values in {@code [0, 1]}
 * as stored in the file (sRGB encoded). Per-network conversions from there are in
 * {@link Preprocessing}. Alpha is not part of the tensor; keep it from the image and
 * re-attach it with {@link #toImage(INDArray, float[])}.
 */
public final class ImageTensors {
    static {
        // Choose ND4J's native build before this class can start ND4J.
        io.github.style4j.core.backend.NativeBuildSelector.select();
    }

    private ImageTensors() {
    }

    /** A {@code [1, 3, H, W]} float tensor of the image's RGB values. */
    public static INDArray toTensor(RgbImage image) {
        io.github.style4j.core.backend.Backend.start();
        // Straight from the image's planes into native memory: no copy on the heap (537 MB at 8192 px).
        INDArray tensor = Nd4j.create(DataType.FLOAT, new long[] {1, 3, image.height(), image.width()}, 'c');
        tensor.data().asNio().order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer().put(image.rgbBuffer());
        return tensor;
    }

    /** The image a {@code [1, 3, H, W]} (or {@code [3, H, W]}) RGB tensor holds, opaque. */
    public static RgbImage toImage(INDArray tensor) {
        return toImage(tensor, null);
    }

    /**
     * The image a {@code [1, 3, H, W]} (or {@code [3, H, W]}) RGB tensor holds, with this alpha
     * plane ({@code H * W} values, e.g. from the source image's {@link RgbImage#alpha()}) or none.
     */
    public static RgbImage toImage(INDArray tensor, float[] alpha) {
        long[] shape = tensor.shape();
        boolean batched = shape.length == 4;
        if (!(batched && shape[0] == 1 && shape[1] == 3) && !(shape.length == 3 && shape[0] == 3)) {
            throw new IllegalArgumentException("expected an RGB tensor of shape [1, 3, H, W] or [3, H, W], got "
                    + java.util.Arrays.toString(shape));
        }
        int height = (int) shape[shape.length - 2];
        int width = (int) shape[shape.length - 1];
        // One copy, onto the heap (asFloat gives a new array), unless the tensor must be made contiguous first.
        boolean direct = tensor.dataType() == DataType.FLOAT && !tensor.isView() && tensor.ordering() == 'c'
                && tensor.data().length() == tensor.length();
        INDArray contiguous = direct ? tensor : tensor.castTo(DataType.FLOAT).dup('c');
        float[] rgb = contiguous.data().asFloat();
        if (contiguous != tensor) {
            contiguous.close();
        }
        return RgbImage.adopt(width, height, rgb, alpha == null ? null : alpha.clone());
    }
}
