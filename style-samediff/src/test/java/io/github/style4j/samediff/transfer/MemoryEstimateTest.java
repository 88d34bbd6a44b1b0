package io.github.style4j.samediff.transfer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.weights.WeightSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryEstimateTest {
    private static final List<String> VGG_LAYERS = List.of("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu4_2",
            "relu5_1");

    @Test
    void agreesWithWhatTheBenchmarkMeasured() {
        // ./style4j-bench network: VGG-19 to relu5_1 at 512x512 peaked at 6.2 GB, SqueezeNet to fire9 at 2.0 GB.
        MemoryEstimate vgg = MemoryEstimate.of(Architecture.VGG19, VGG_LAYERS, 512, 512,
                StyleTransferConfig.OptimizerKind.LBFGS, 100);
        assertTrue(vgg.gigabytes() > 4 && vgg.gigabytes() < 10, vgg.toString());
        MemoryEstimate squeeze = MemoryEstimate.of(Architecture.SQUEEZENET, List.of("fire9"), 512, 512,
                StyleTransferConfig.OptimizerKind.LBFGS, 100);
        assertTrue(squeeze.gigabytes() > 0.5 && squeeze.gigabytes() < 3, squeeze.toString());
        MemoryEstimate big = MemoryEstimate.of(Architecture.VGG19, VGG_LAYERS, 1024, 1024,
                StyleTransferConfig.OptimizerKind.LBFGS, 100);
        assertTrue(big.bytes() > 3.5 * vgg.bytes(), "memory grows with the pixel count");
    }

    @Test
    void aRunThatCannotFitIsRefusedBeforeItStarts() {
        StyleTransferConfig config = StyleTransferConfig.builder().setContentImage(SharedFiles.image("chelsea.png"))
                .addStyleImage(SharedFiles.image("starry_night.jpg")).optWeights(WeightSource.zooInit(1))
                .optImageSize(8192).build();
        long started = System.nanoTime();
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> new StyleTransfer(config).run());
        assertTrue(error.getMessage().contains("-image_size") && error.getMessage().contains("squeezenet"),
                error.getMessage());
        assertTrue(System.nanoTime() - started < 20_000_000_000L, "refused without building the network");
    }
}
