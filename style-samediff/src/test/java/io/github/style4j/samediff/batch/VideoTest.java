package io.github.style4j.samediff.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.core.video.OpticalFlow;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Video mode on a pan across a shared photo (a window sliding 4 px a frame, so the backward
 * flow is exactly +4 px everywhere): frames start from the previous result warped along the
 * flow, resume as if never interrupted, and flicker less than independent frames.
 */
class VideoTest {
    private static final int FRAMES = 5;
    private static final int STEP = 4;

    @TempDir
    Path dir;

    /** Frames {@code frame_00001.png}... of a 96x64 window panning right, and their backward flows. */
    private Path clip(Path flows) throws Exception {
        RgbImage photo = ImageReader.defaults().read(SharedFiles.image("coffee.png"));
        Path frames = Files.createDirectories(dir.resolve("frames"));
        Files.createDirectories(flows);
        for (int k = 0; k < FRAMES; k++) {
            int width = 96;
            int height = 64;
            float[] rgb = new float[3 * width * height];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        rgb[c * width * height + y * width + x] = photo.get(c, 150 + k * STEP + x, 120 + y);
                    }
                }
            }
            String stem = String.format("frame_%05d", k + 1);
            ImageWriter.defaults().write(RgbImage.of(width, height, rgb, null), frames.resolve(stem + ".png"));
            if (k > 0) {
                // this frame's pixel x showed the point at x + STEP in the frame before
                OpticalFlow.uniform(width, height, STEP, 0).write(flows.resolve("backward_" + stem + ".flo"));
            }
        }
        return frames;
    }

    private static StyleTransferConfig config() {
        return BatchRunnerTest.settings().optImageSize(48).optIterations(30)
                .optInit(StyleTransferConfig.Init.RANDOM).build();
    }

    private static BatchRunner runner(Path out, VideoOptions video) {
        StyleTransferConfig config = config();
        BatchRunner.Builder builder = BatchRunner.builder().setConfig(config)
                .addStyle(BatchStyle.images(config.styleImages())).setFiles(new LocalBatchFiles(out));
        if (video != null) {
            builder.optVideo(video);
        }
        return builder.build();
    }

    @Test
    void coherentFramesFlickerLessThanIndependentOnesAndResumeExactly() throws Exception {
        Path flows = dir.resolve("flow");
        List<BatchInput> frames = BatchInputs.expand(List.of(clip(flows).toString()));
        VideoOptions video = new VideoOptions(flows, 1e3, 0);
        BatchResult coherent = runner(dir.resolve("coherent"), video).run(frames, new BatchListener() { });
        BatchResult independent = runner(dir.resolve("independent"), null).run(frames, new BatchListener() { });
        assertEquals(FRAMES, coherent.done().size(), coherent.toString());
        coherent.done().forEach(record -> assertNull(record.note(), record.toString()));
        BatchResult.VideoFlicker withFlow = coherent.flicker().get("starry_night");
        assertEquals(FRAMES, withFlow.frames());
        // The independent run's outputs, measured the same way.
        List<RgbImage> outputs = new ArrayList<>();
        List<OpticalFlow> pan = new ArrayList<>();
        for (BatchRecord record : independent.done()) {
            outputs.add(ImageReader.defaults().read(dir.resolve("independent").resolve(record.output())));
            pan.add(pan.isEmpty() ? null : OpticalFlow.uniform(96, 64, STEP, 0));
        }
        double independentAlongFlow = io.github.style4j.core.video.Flicker.warpedChange(outputs, pan);
        assertTrue(withFlow.outputsAlongFlow() < 0.8 * independentAlongFlow, "coherent " + withFlow
                + " vs independent along the flow " + independentAlongFlow);

        // Killed after the third frame: the rerun makes frames 4 and 5 from frame 3 as saved.
        Path resumed = dir.resolve("resumed");
        Files.createDirectories(resumed);
        List<String> lines = Files.readAllLines(dir.resolve("coherent").resolve(BatchFiles.MANIFEST));
        Files.write(resumed.resolve(BatchFiles.MANIFEST), lines.subList(0, 3));
        for (int k = 1; k <= 3; k++) {
            String name = String.format("frame_%05d_starry_night.png", k);
            Files.copy(dir.resolve("coherent").resolve(name), resumed.resolve(name));
        }
        BatchResult rest = runner(resumed, video).run(frames, new BatchListener() { });
        assertEquals(2, rest.done().size());
        for (int k = 4; k <= 5; k++) {
            String name = String.format("frame_%05d_starry_night.png", k);
            assertArrayEquals(Files.readAllBytes(dir.resolve("coherent").resolve(name)),
                    Files.readAllBytes(resumed.resolve(name)), name + " as in the uninterrupted run");
        }
    }

    @Test
    void missingFlowsAndOddFramesAreReportedAndTheVideoGoesOn() throws Exception {
        Path flows = dir.resolve("flow");
        Path folder = clip(flows);
        Files.delete(flows.resolve("backward_frame_00003.flo"));
        Files.writeString(flows.resolve("backward_frame_00002.flo"), "damaged");
        // frame 4 replaced by a portrait picture
        ImageWriter.defaults().write(RgbImage.filled(40, 80, 0.5f, 0.5f, 0.5f), folder.resolve("frame_00004.png"));
        BatchResult result = runner(dir.resolve("out"), new VideoOptions(flows, 1e3, 4))
                .run(BatchInputs.expand(List.of(folder.toString())), new BatchListener() { });
        assertEquals(4, result.done().size(), result.toString());
        assertEquals(1, result.failed().size());
        assertTrue(result.failed().get(0).error().contains("frame_00004") || result.failed().get(0).error()
                .contains("same size"), result.failed().get(0).error());
        BatchRecord third = result.done().stream().filter(r -> r.output().startsWith("frame_00003")).findFirst()
                .orElseThrow();
        assertTrue(third.note().contains("backward_frame_00003.flo"), third.note());
        BatchRecord second = result.done().stream().filter(r -> r.output().startsWith("frame_00002")).findFirst()
                .orElseThrow();
        assertTrue(second.note().contains("backward_frame_00002.flo") && second.note().contains("unwarped"),
                second.note());
        BatchRecord fifth = result.done().stream().filter(r -> r.output().startsWith("frame_00005")).findFirst()
                .orElseThrow();
        assertTrue(fifth.note().contains("frame_00003"), "continued from the last good frame: " + fifth.note());
    }
}
