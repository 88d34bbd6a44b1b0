package io.github.style4j.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.style4j.core.image.RgbImage;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Images to tensors and back, element by element, including tensors that are views or not float32. */
class ImageTensorsTest {
    private static RgbImage image(int width, int height) {
        float[] rgb = new float[3 * width * height];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (i * 37 % 101) / 100f;
        }
        return RgbImage.of(width, height, rgb, null);
    }

    @Test
    void aTensorHoldsEachChannelAtItsRowAndColumn() {
        RgbImage image = image(5, 3);
        INDArray tensor = ImageTensors.toTensor(image);
        assertArrayEquals(new long[] {1, 3, 3, 5}, tensor.shape());
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 5; x++) {
                    assertEquals(image.get(c, x, y), tensor.getFloat(0, c, y, x), 0f, c + " " + x + " " + y);
                }
            }
        }
        assertArrayEquals(image.rgb(), ImageTensors.toImage(tensor).rgb(), 0f);
    }

    @Test
    void viewsAndDoublesComeBackAsTheirValues() {
        INDArray big = Nd4j.rand(DataType.DOUBLE, 1, 3, 6, 8);
        INDArray view = big.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, 4),
                NDArrayIndex.interval(2, 7));
        RgbImage image = ImageTensors.toImage(view, new float[15]);
        assertEquals(5, image.width());
        assertEquals(3, image.height());
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 5; x++) {
                    assertEquals((float) big.getDouble(0, c, y + 1, x + 2), image.get(c, x, y), 0f);
                }
            }
        }
        assertEquals(0f, image.alpha(4, 2), 0f);
    }
}
