package io.github.style4j.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.style4j.core.image.RgbImage;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class PreprocessingTest {
    private static RgbImage image() {
        Random random = new Random(11);
        int w = 5;
        int h = 4;
        float[] rgb = new float[3 * w * h];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = random.nextFloat();
        }
        float[] alpha = new float[w * h];
        java.util.Arrays.fill(alpha, 0.5f);
        return RgbImage.of(w, h, rgb, alpha);
    }

    @Test
    void tensorLayoutIsNchwRgb() {
        RgbImage image = image();
        INDArray tensor = ImageTensors.toTensor(image);
        assertArrayEquals(new long[] {1, 3, 4, 5}, tensor.shape());
        assertEquals(DataType.FLOAT, tensor.dataType());
        assertEquals(image.get(2, 3, 1), tensor.getFloat(0, 2, 1, 3));
        assertEquals(image.get(0, 4, 3), tensor.getFloat(0, 0, 3, 4));
    }

    @Test
    void tensorRoundTripIsExactAndReattachesAlpha() {
        RgbImage image = image();
        RgbImage back = ImageTensors.toImage(ImageTensors.toTensor(image), image.alpha());
        assertArrayEquals(image.rgb(), back.rgb());
        assertArrayEquals(image.alpha(), back.alpha());
        assertThrows(IllegalArgumentException.class,
                () -> ImageTensors.toImage(org.nd4j.linalg.factory.Nd4j.zeros(1, 4, 2, 2)));
    }

    @Test
    void caffeIsBgrIn255WithTheImagenetMeanRemoved() {
        RgbImage image = image();
        INDArray input = Preprocessing.CAFFE_BGR.apply(ImageTensors.toTensor(image));
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 5; x++) {
                assertEquals(image.get(2, x, y) * 255 - 103.939, input.getDouble(0, 0, y, x), 1e-3, "blue first");
                assertEquals(image.get(1, x, y) * 255 - 116.779, input.getDouble(0, 1, y, x), 1e-3);
                assertEquals(image.get(0, x, y) * 255 - 123.68, input.getDouble(0, 2, y, x), 1e-3, "red last");
            }
        }
    }

    @Test
    void torchvisionIsRgbNormalisedByMeanAndStd() {
        RgbImage image = image();
        INDArray input = Preprocessing.TORCHVISION.apply(ImageTensors.toTensor(image));
        double[] mean = {0.485, 0.456, 0.406};
        double[] std = {0.229, 0.224, 0.225};
        for (int c = 0; c < 3; c++) {
            assertEquals((image.get(c, 2, 3) - mean[c]) / std[c], input.getDouble(0, c, 3, 2), 1e-5);
        }
    }

    @ParameterizedTest
    @EnumSource(Preprocessing.class)
    void invertUndoesApply(Preprocessing preprocessing) {
        INDArray rgb = ImageTensors.toTensor(image());
        INDArray untouched = rgb.dup();
        INDArray back = preprocessing.invert(preprocessing.apply(rgb));
        assertEquals(0, back.sub(rgb).amaxNumber().doubleValue(), 1e-5);
        assertEquals(untouched, rgb, "apply and invert must not modify their argument");
    }
}
