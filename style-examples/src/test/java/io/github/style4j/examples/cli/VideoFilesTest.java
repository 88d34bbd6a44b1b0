package io.github.style4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.testing.SharedFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Video files through FFmpeg: frames out and back in, and {@code ./style4j batch --video clip.mp4}. */
@Tag("shared")
class VideoFilesTest {
    private static final int FRAMES = 6;

    @TempDir
    Path dir;

    /** A 96x64 window panning 4 px a frame across a shared photo, as PNG frames. */
    private List<Path> panFrames() throws Exception {
        RgbImage photo = ImageReader.defaults().read(SharedFiles.image("coffee.png"));
        Path folder = Files.createDirectories(dir.resolve("pan"));
        List<Path> frames = new ArrayList<>();
        for (int k = 0; k < FRAMES; k++) {
            float[] rgb = new float[3 * 96 * 64];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 96; x++) {
                        rgb[c * 96 * 64 + y * 96 + x] = photo.get(c, 150 + 4 * k + x, 120 + y);
                    }
                }
            }
            Path frame = folder.resolve(String.format(Locale.ROOT, "frame_%05d.png", k + 1));
            ImageWriter.defaults().write(RgbImage.of(96, 64, rgb, null), frame);
            frames.add(frame);
        }
        return frames;
    }

    private static double meanAbsoluteDifference(RgbImage a, RgbImage b) {
        float[] x = a.rgb();
        float[] y = b.rgb();
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += Math.abs(x[i] - y[i]);
        }
        return sum / x.length;
    }

    @Test
    void framesGoIntoAVideoAndComeBackOutClose() throws Exception {
        List<Path> frames = panFrames();
        Path video = dir.resolve("clip.mp4");
        VideoFiles.encode(frames, 12, video);
        assertTrue(Files.size(video) > 1000, "an mp4 was written");
        VideoFiles.Extracted extracted = VideoFiles.extractFrames(video, dir.resolve("back"));
        assertEquals(FRAMES, extracted.frames());
        assertEquals(96, extracted.width());
        assertEquals(12, extracted.frameRate(), 0.01);
        for (int k = 0; k < FRAMES; k++) {
            RgbImage original = ImageReader.defaults().read(frames.get(k));
            RgbImage decoded = ImageReader.defaults().read(dir.resolve("back").resolve(
                    String.format(Locale.ROOT, "frame_%05d.png", k + 1)));
            // MPEG-4 at qscale 2 is lossy but close; a different frame is far further off.
            double error = meanAbsoluteDifference(original, decoded);
            assertTrue(error < 0.03, "frame " + (k + 1) + " decoded within 0.03: " + error);
            if (k > 0) {
                assertTrue(meanAbsoluteDifference(ImageReader.defaults().read(frames.get(k - 1)), decoded) > error,
                        "frames come back in order");
            }
        }
    }

    @Test
    void badVideosAndOddFramesAreRefusedWithTheReason() throws Exception {
        Path notAVideo = Files.writeString(dir.resolve("broken.mp4"), "this is not a video");
        IOException unreadable = assertThrows(IOException.class,
                () -> VideoFiles.extractFrames(notAVideo, dir.resolve("f")));
        assertTrue(unreadable.getMessage().contains("broken.mp4"), unreadable.getMessage());
        List<Path> frames = new ArrayList<>(panFrames());
        Path portrait = dir.resolve("portrait.png");
        ImageWriter.defaults().write(RgbImage.filled(40, 80, 0, 0, 0), portrait);
        frames.add(portrait);
        Path video = dir.resolve("mixed.mp4");
        IOException mixed = assertThrows(IOException.class, () -> VideoFiles.encode(frames, 25, video));
        assertTrue(mixed.getMessage().contains("same size"), mixed.getMessage());
        assertTrue(Files.notExists(video), "no half-written video");
        assertThrows(IOException.class, () -> VideoFiles.encode(frames.subList(0, 2), 25, dir.resolve("x.gif")));
    }

    @Test
    void theBatchCommandStylisesAVideoFileIntoAVideo() throws Exception {
        Path clip = dir.resolve("clip.mp4");
        VideoFiles.encode(panFrames(), 10, clip);
        Path out = dir.resolve("out");
        Path styled = dir.resolve("styled.mp4");
        StringWriter said = new StringWriter();
        StringWriter errors = new StringWriter();
        int status = BatchCommand.commandLine(new BatchCommand()).setOut(new PrintWriter(said))
                .setErr(new PrintWriter(errors)).execute(clip.toString(), "--video", "--video-out", styled.toString(),
                        "--style", SharedFiles.image("starry_night.jpg").toString(), "--weights",
                        SharedFiles.require("models/squeezenet1.1").toString(), "-image_size", "48",
                        "-num_iterations", "5", "-init", "image", "--no-progress", "--output-dir", out.toString());
        assertEquals(0, status, said + "\n" + errors);
        assertTrue(said.toString().contains(FRAMES + " frames of 96x64"), said.toString());
        VideoFiles.Extracted back = VideoFiles.extractFrames(styled, dir.resolve("styled-frames"));
        assertEquals(FRAMES, back.frames());
        assertEquals(48, back.width());
        assertEquals(10, back.frameRate(), 0.01);
    }
}
