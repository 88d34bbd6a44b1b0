package io.github.style4j.samediff.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.weights.WeightSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Training a tiny transformer end to end: the loss falls, a resumed run equals an uninterrupted one, NaN is caught. */
class FastStyleTrainerTest {
    @TempDir
    static Path folder;
    static Path photos;
    static Path style;

    /** Smooth random pictures: sums of a few sinusoids per channel. */
    static RgbImage picture(int width, int height, long seed) {
        Random random = new Random(seed);
        float[] rgb = new float[3 * width * height];
        for (int c = 0; c < 3; c++) {
            double fx = random.nextDouble() * 0.3;
            double fy = random.nextDouble() * 0.3;
            double phase = random.nextDouble() * 6;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    rgb[c * width * height + y * width + x] = (float) (0.5 + 0.4 * Math.sin(fx * x + fy * y + phase));
                }
            }
        }
        return RgbImage.of(width, height, rgb, null);
    }

    @BeforeAll
    static void images() throws Exception {
        photos = Files.createDirectories(folder.resolve("photos"));
        for (int i = 0; i < 3; i++) {
            ImageWriter.defaults().write(picture(48 + 8 * i, 40 + 4 * i, i), photos.resolve("photo" + i + ".png"));
        }
        Files.writeString(photos.resolve("notes.txt"), "not a photo, ignored");
        style = folder.resolve("style.png");
        // Stripes: a style with strong Gram structure.
        float[] rgb = new float[3 * 32 * 32];
        for (int i = 0; i < 32 * 32; i++) {
            rgb[i] = (i % 32) / 4 % 2;
            rgb[2 * 32 * 32 + i] = 1 - rgb[i];
        }
        ImageWriter.defaults().write(RgbImage.of(32, 32, rgb, null), style);
    }

    static FastStyleTraining.Builder tiny() {
        return FastStyleTraining.builder().setStyleImage(style).setPhotos(photos)
                .optTransformer(TransformerNetwork.of(4, 1)).optWeights(WeightSource.zooInit(3))
                .optArchitecture(Architecture.SQUEEZENET).optImageSize(32).optBatchSize(2).optLearningRate(0.02)
                .optSeed(5);
    }

    @Test
    void aFewStepsLowerTheLoss() throws Exception {
        List<Double> losses = new ArrayList<>();
        List<Path> used = new ArrayList<>();
        FastStyleModel model = new FastStyleTrainer(tiny().optIterations(24).build()).train(new FastStyleTrainer.Listener() {
            @Override
            public void started(FastStyleTraining config, List<Path> photos, List<String> skipped, int start) {
                used.addAll(photos);
            }

            @Override
            public void iterationDone(FastStyleTrainer.Progress progress) {
                Map<String, Double> terms = progress.terms();
                assertEquals(terms.get("total"), terms.get("content") + terms.get("style") + terms.get("tv"),
                        1e-4 * terms.get("total"), "the terms add up to the total");
                losses.add(terms.get("total"));
            }
        });
        assertEquals(3, used.size(), "the three photos, not the text file");
        assertEquals(24, losses.size());
        double first = losses.subList(0, 4).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = losses.subList(20, 24).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.7 * first, "loss went from " + first + " to " + last);
        assertEquals(24, model.iteration());
        assertEquals(3, model.manifest("training").path("photos").asInt());
    }

    @Test
    void aResumedTrainingEqualsAnUninterruptedOne() throws Exception {
        Path straight = folder.resolve("straight.ckpt");
        Path interrupted = folder.resolve("interrupted.ckpt");
        FastStyleModel whole = new FastStyleTrainer(tiny().optIterations(4).optCheckpoint(straight, 10).build())
                .train(new FastStyleTrainer.Listener() { });
        new FastStyleTrainer(tiny().optIterations(2).optCheckpoint(interrupted, 1).build())
                .train(new FastStyleTrainer.Listener() { });
        assertTrue(FastStyleModel.load(interrupted).isCheckpoint());
        int[] startedAt = {-1};
        FastStyleModel resumed = new FastStyleTrainer(tiny().optIterations(4).optCheckpoint(interrupted, 1)
                .optResume(true).build()).train(new FastStyleTrainer.Listener() {
                    @Override
                    public void started(FastStyleTraining config, List<Path> photos, List<String> skipped, int start) {
                        startedAt[0] = start;
                    }
                });
        assertEquals(2, startedAt[0]);
        for (Map.Entry<String, INDArray> variable : whole.variables().entrySet()) {
            INDArray other = resumed.variables().get(variable.getKey());
            double difference = variable.getValue().sub(other).amaxNumber().doubleValue();
            assertTrue(difference < 1e-5, variable.getKey() + " differs by " + difference);
        }
        // Without Adam's state the second half would differ: the comparison can fail.
        FastStyleModel fresh = new FastStyleTrainer(tiny().optIterations(2).build()).train(new FastStyleTrainer.Listener() { });
        assertTrue(fresh.variables().get("conv1/W").sub(whole.variables().get("conv1/W")).amaxNumber().doubleValue() > 1e-4);

        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> new FastStyleTrainer(
                tiny().optIterations(4).optLearningRate(0.5).optCheckpoint(interrupted, 1).optResume(true).build())
                .train(new FastStyleTrainer.Listener() { }));
        assertTrue(other.getMessage().contains("other settings"), other.getMessage());
    }

    @Test
    void aNonFiniteLossStopsTrainingAndKeepsTheLastGoodWeights() {
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> new FastStyleTrainer(
                tiny().optIterations(3).optStyleWeight(1e300).build()).train(new FastStyleTrainer.Listener() { }));
        assertTrue(e.getMessage().contains("iteration 1"), e.getMessage());
        Map<String, INDArray> initial = TransformerNetwork.of(4, 1).initialVariables(5, org.nd4j.linalg.api.buffer.DataType.FLOAT);
        for (Map.Entry<String, INDArray> variable : e.lastGood().variables().entrySet()) {
            assertEquals(initial.get(variable.getKey()), variable.getValue(), variable.getKey());
        }
    }

    @Test
    void badSettingsAreRefusedBeforeTraining() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> tiny().optImageSize(30).build());
        assertThrows(IllegalArgumentException.class, () -> tiny().optBatchSize(0).build());
        Path empty = Files.createDirectories(folder.resolve("empty"));
        IOException none = assertThrows(IOException.class, () -> new FastStyleTrainer(tiny().setPhotos(empty).build())
                .train(new FastStyleTrainer.Listener() { }));
        assertTrue(none.getMessage().contains("no image files"), none.getMessage());
        Path broken = Files.createDirectories(folder.resolve("broken"));
        Files.write(broken.resolve("a.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        IllegalArgumentException unreadable = assertThrows(IllegalArgumentException.class, () -> new FastStyleTrainer(
                tiny().setPhotos(broken).build()).train(new FastStyleTrainer.Listener() { }));
        assertTrue(unreadable.getMessage().contains("could be read"), unreadable.getMessage());
    }
}
