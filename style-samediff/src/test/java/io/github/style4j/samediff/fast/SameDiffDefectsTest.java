package io.github.style4j.samediff.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.samediff.QuietGradients;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The SameDiff 1.0.0-M2.1 behaviours the fast-style code works around (docs/decisions/0003).
 * Each asserts the defect; when one fails, ND4J has fixed it and the workaround can go.
 */
class SameDiffDefectsTest {
    @Test
    void padReflectGradientDropsWhatTheBorderReceived() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.rand(DataType.DOUBLE, 1, 1, 4, 4));
        SDVariable padded = sd.nn().pad(x, sd.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {1, 1}, {1, 1}})),
                PadMode.REFLECT, 0.0);
        padded.sum().markAsLoss();
        QuietGradients.createGradFunction(sd);
        INDArray gradient = sd.calculateGradients(Map.of(), "x").get("x");
        // d(sum of the padded image)/dx counts how often each pixel appears: 4 at (1, 1) (itself and its
        // reflections across both borders); M2.1 says 1 everywhere.
        assertEquals(1.0, gradient.getDouble(0, 0, 1, 1), 0, "pad REFLECT's gradient is fixed: see 0003");
    }

    @Test
    void upsamplingWithOneScaleFailsShapeInference() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.rand(DataType.FLOAT, 1, 2, 3, 3));
        assertThrows(IllegalStateException.class, () -> sd.cnn().upsampling2d(x, 2).eval());
        assertEquals(6, sd.cnn().upsampling2d(x, 2, 2, true).eval().size(2));
    }

    @Test
    void upsamplingGradientIsWrongForNhwc() {
        SameDiff sd = SameDiff.create();
        INDArray value = Nd4j.rand(DataType.DOUBLE, 1, 2, 3, 2); // NHWC
        SDVariable x = sd.var("x", value);
        sd.cnn().upsampling2d(x, 2, 2, false).sum().markAsLoss();
        QuietGradients.createGradFunction(sd);
        INDArray gradient = sd.calculateGradients(Map.of(), "x").get("x");
        // Each input pixel appears 4 times in the output: d(sum)/dx = 4 everywhere.
        assertFalse(gradient.equalsWithEps(Nd4j.valueArrayOf(value.shape(), 4.0), 1e-9),
                "upsampling2d's NHWC gradient is fixed: see 0003");
    }

    @Test
    void fitReportsZeroLosses() {
        SameDiff sd = SameDiff.create();
        SDVariable input = sd.placeHolder("in", DataType.FLOAT, -1, 2);
        SDVariable w = sd.var("w", Nd4j.ones(DataType.FLOAT, 2, 1));
        input.mmul(w).add(3).sum("loss").markAsLoss();
        sd.setTrainingConfig(TrainingConfig.builder().updater(new Adam(0.1)).dataSetFeatureMapping("in")
                .markLabelsUnused().build());
        double[] reported = {Double.NaN};
        QuietGradients.createGradFunction(sd);
        sd.fit(new DataSet(Nd4j.ones(DataType.FLOAT, 1, 2), null), new BaseListener() {
            @Override
            public boolean isActive(Operation operation) {
                return true;
            }

            @Override
            public void iterationDone(SameDiff sd, At at, org.nd4j.linalg.dataset.api.MultiDataSet batch, Loss loss) {
                reported[0] = loss.totalLoss();
            }
        });
        // The loss was 1 + 1 + 3 = 5 before the step; fit says 0.
        assertEquals(0.0, reported[0], 0, "fit reports its loss now: see 0003");
        assertFalse(Double.isNaN(reported[0]));
    }
}
