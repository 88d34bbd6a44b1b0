package io.github.style4j.samediff.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue #18: loss values through a float32 graph must be as accurate as float32 can hold, not
 * off in the fifth digit from summing 10⁵ terms in float. Each loss is evaluated on float32
 * feature maps and on the same maps in double precision (the reference); their values must
 * agree to 1e-6 relative.
 */
class GraphPrecisionTest {
    private static final int C = 64;
    private static final int SIDE = 64;

    private static double value(PerceptualLoss loss, INDArray features, INDArray image, DataType type) {
        SameDiff sd = SameDiff.create();
        SDVariable tap = sd.constant("a", features.castTo(type));
        SDVariable value = loss.define(sd, new LossInputs(sd.constant("image", image.castTo(type)), Map.of("a", tap)));
        return sd.output(Map.of(), value.name()).get(value.name()).getDouble(0);
    }

    private static void assertPrecise(PerceptualLoss loss, INDArray features, INDArray image) {
        double reference = value(loss, features, image, DataType.DOUBLE);
        double single = value(loss, features, image, DataType.FLOAT);
        double relative = Math.abs(single - reference) / Math.abs(reference);
        System.out.printf("%s: float32 graph off by %.2e relative%n", loss.name(), relative);
        assertTrue(reference != 0);
        assertTrue(relative <= 1e-6, loss.name() + ": float32 graph off by " + relative + " relative");
    }

    @Test
    void contentStyleAndTotalVariationValuesAreFloatAccurate() {
        Nd4j.getRandom().setSeed(8);
        // Positive, ReLU-like features: sums of like-signed terms, where float accumulation errs most.
        INDArray features = Nd4j.rand(DataType.DOUBLE, 1, C, SIDE, SIDE).muli(3);
        INDArray target = Nd4j.rand(DataType.DOUBLE, 1, C, SIDE, SIDE).muli(3);
        INDArray image = Nd4j.rand(DataType.DOUBLE, 1, 3, 256, 256);
        assertPrecise(ContentLoss.builder().optName("content").addLayer("a", 1).setTargets(Map.of("a", target)).build(),
                features, image);
        assertPrecise(StyleLoss.builder().optName("style").addLayer("a", 1)
                .setTargets(new StyleTargets(Map.of("a", FeatureStatistics.gram(target)))).build(), features, image);
        assertPrecise(TotalVariationLoss.of("tv", TotalVariationLoss.Form.SQUARED, 3), features, image);
        assertPrecise(TotalVariationLoss.of("tv_l1", TotalVariationLoss.Form.L1, 3), features, image);
    }
}
