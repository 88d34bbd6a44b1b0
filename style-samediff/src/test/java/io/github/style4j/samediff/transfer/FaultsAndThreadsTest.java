package io.github.style4j.samediff.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.optim.Evaluation;
import io.github.style4j.core.optim.StopReason;
import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

@Tag("shared")
class FaultsAndThreadsTest {
    private static StyleTransferConfig.Builder config(StyleTransferConfig.OptimizerKind optimizer, String style) {
        return StyleTransferConfig.builder().setContentImage(SharedFiles.image("chelsea.png"))
                .addStyleImage(SharedFiles.image(style)).optNetwork(Architecture.SQUEEZENET)
                .optWeights(WeightSource.npyFolder(SharedFiles.require("models/squeezenet1.1")))
                .optImageSize(64).optIterations(12).optInit(StyleTransferConfig.Init.CONTENT).optOptimizer(optimizer)
                .optLearningRate(0.03);
    }

    /** NaN, and infinite losses of either sign (a diverging run), end with the last good image. */
    @ParameterizedTest
    @CsvSource({"LBFGS, NaN", "ADAM, NaN", "LBFGS, Infinity", "ADAM, Infinity", "LBFGS, -Infinity"})
    void aNonFiniteLossMidRunGivesTheLastGoodImageNotABlackOne(StyleTransferConfig.OptimizerKind optimizer,
                                                                double fault) throws Exception {
        AtomicInteger evaluations = new AtomicInteger();
        List<RgbImage> seen = new ArrayList<>();
        StyleTransferResult result = new StyleTransfer(config(optimizer, "starry_night.jpg").build())
                .addListener(p -> seen.add(p.image().get()))
                .decorateObjective(objective -> parameters -> {
                    Evaluation evaluation = objective.evaluate(parameters);
                    // From the 8th evaluation on, the loss is not finite (as a diverging run would give).
                    return evaluations.incrementAndGet() >= 8 ? Evaluation.of(fault, evaluation.gradient())
                            : evaluation;
                }).run();
        assertEquals(StopReason.NON_FINITE, result.stopReason(), result.message());
        assertTrue(!seen.isEmpty(), "some steps succeeded before the fault");
        assertArrayEquals(seen.get(seen.size() - 1).rgb(), result.image().rgb(),
                "the result is the last good step's image");
        float[] rgb = result.image().rgb();
        double mean = 0;
        for (float v : rgb) {
            assertTrue(Float.isFinite(v));
            mean += v / rgb.length;
        }
        assertTrue(mean > 0.1 && mean < 0.9, "not black, not white: mean " + mean);
    }

    @Test
    void twoTransfersOnTwoThreadsEqualTheSameRunsAlone() throws Exception {
        StyleTransferConfig first = config(StyleTransferConfig.OptimizerKind.LBFGS, "starry_night.jpg").build();
        StyleTransferConfig second = config(StyleTransferConfig.OptimizerKind.ADAM, "the_scream.jpg")
                .optInit(StyleTransferConfig.Init.RANDOM).optSeed(5).build();
        RgbImage aloneFirst = new StyleTransfer(first).run().image();
        RgbImage aloneSecond = new StyleTransfer(second).run().image();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<RgbImage> a = pool.submit(() -> new StyleTransfer(first).run().image());
            Future<RgbImage> b = pool.submit(() -> new StyleTransfer(second).run().image());
            assertArrayEquals(aloneFirst.rgb(), a.get().rgb(), "L-BFGS run beside another");
            assertArrayEquals(aloneSecond.rgb(), b.get().rgb(), "Adam run (seeded noise) beside another");
        } finally {
            pool.shutdownNow();
        }
    }
}
