package io.github.style4j.samediff.transfer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.samediff.network.Architecture;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryEstimateTest {
    private static final List<String> VGG_LAYERS = List.of("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu4_2",
            "relu5_1");

    @Test
    void agreesWithWhatTheBenchmarkMeasured() {
        // ./style4j-bench network --sizes 1024 --networks vgg19 --split-iterations 12 --history 10
        // --memory-cap 6g: the run completed, peak 5.4 GB resident, 4.9 GB live after a full GC.
        MemoryEstimate big = MemoryEstimate.of(Architecture.VGG19, VGG_LAYERS, 1024, 1024,
                StyleTransferConfig.OptimizerKind.LBFGS, 10);
        assertTrue(big.gigabytes() > 5.4 && big.gigabytes() < 7, big.toString());
        // A loss graph (guided style) keeps about four more tap-sized arrays per tap.
        assertTrue(MemoryEstimate.of(Architecture.VGG19, VGG_LAYERS, 1024, 1024,
                StyleTransferConfig.OptimizerKind.LBFGS, 10, true).bytes() > big.bytes() + 2_000_000_000L);
        // Each L-BFGS pair is two 3x1024x1024 float vectors.
        MemoryEstimate longHistory = MemoryEstimate.of(Architecture.VGG19, VGG_LAYERS, 1024, 1024,
                StyleTransferConfig.OptimizerKind.LBFGS, 100);
        assertTrue(Math.abs(longHistory.bytes() - big.bytes() - 90L * 2 * 3 * 1024 * 1024 * 4) < 1e6);
        MemoryEstimate vgg = MemoryEstimate.of(Architecture.VGG19, VGG_LAYERS, 512, 512,
                StyleTransferConfig.OptimizerKind.LBFGS, 10);
        assertTrue(big.activations() == 4 * vgg.activations(), "activations grow with the pixel count");
        MemoryEstimate squeeze = MemoryEstimate.of(Architecture.SQUEEZENET, List.of("fire9"), 512, 512,
                StyleTransferConfig.OptimizerKind.LBFGS, 100);
        assertTrue(squeeze.gigabytes() > 0.5 && squeeze.gigabytes() < 3, squeeze.toString());
    }

    @Test
    void aRunThatCannotFitIsRefusedBeforeItStarts() {
        StyleTransferConfig config = StyleTransferConfig.builder().setContentImage(SharedFiles.image("chelsea.png"))
                .addStyleImage(SharedFiles.image("starry_night.jpg")).optWeights(architecture -> {
                    throw new AssertionError("weights were loaded: the run was not refused before it started");
                })
                .optImageSize(8192).build();
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> new StyleTransfer(config)
                .addListener(progress -> fail("an iteration ran")).run());
        assertTrue(error.getMessage().contains("-image_size") && error.getMessage().contains("squeezenet"),
                error.getMessage());
    }
}
