package io.github.style4j.core.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.image.CorruptImageException;
import io.github.style4j.core.image.ImageFileException;
import io.github.style4j.core.image.RgbImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpticalFlowTest {
    @TempDir
    Path dir;

    /** A picture whose value encodes where it is: red = x/100, green = y/100, blue = (x+y)/200. */
    private static RgbImage ramp(int width, int height) {
        int n = width * height;
        float[] rgb = new float[3 * n];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                rgb[y * width + x] = x / 100f;
                rgb[n + y * width + x] = y / 100f;
                rgb[2 * n + y * width + x] = (x + y) / 200f;
            }
        }
        return RgbImage.of(width, height, rgb, null);
    }

    @Test
    void floFilesAreMiddleburyLayoutAndRoundTrip() throws Exception {
        float[] u = {1.5f, -2f, 0f, 3.25f, 7f, -0.5f};
        float[] v = {0f, 1f, -4f, 2f, 0.125f, 9f};
        Path file = dir.resolve("f.flo");
        OpticalFlow.of(3, 2, u, v).write(file);
        byte[] bytes = Files.readAllBytes(file);
        // The header read as text is "PIEH"; then 3 and 2 as little-endian ints; 6 (u, v) pairs.
        assertEquals("PIEH", new String(bytes, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(3, bytes[4]);
        assertEquals(2, bytes[8]);
        assertEquals(12 + 6 * 8, bytes.length);
        // u of pixel 0 is 1.5f = 0x3FC00000, stored little-endian right after the header
        assertEquals((byte) 0xC0, bytes[14]);
        assertEquals((byte) 0x3F, bytes[15]);
        OpticalFlow back = OpticalFlow.read(file);
        assertEquals(3, back.width());
        assertEquals(2, back.height());
        assertEquals(3.25f, back.u(0, 1));
        assertEquals(9f, back.v(2, 1));
    }

    @Test
    void badFlowFilesAreNamedWithTheProblem() throws Exception {
        Path missing = dir.resolve("none.flo");
        ImageFileException absent = assertThrows(ImageFileException.class, () -> OpticalFlow.read(missing));
        assertTrue(absent.getMessage().contains("none.flo"), absent.getMessage());
        Path text = dir.resolve("text.flo");
        Files.writeString(text, "not a flow file at all");
        assertThrows(CorruptImageException.class, () -> OpticalFlow.read(text));
        Path whole = dir.resolve("whole.flo");
        OpticalFlow.uniform(4, 4, 1, 1).write(whole);
        byte[] bytes = Files.readAllBytes(whole);
        Path cut = dir.resolve("cut.flo");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 5));
        CorruptImageException truncated = assertThrows(CorruptImageException.class, () -> OpticalFlow.read(cut));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
    }

    @Test
    void warpingSamplesThePreviousFrameWhereTheFlowPoints() {
        RgbImage previous = ramp(20, 10);
        // Backward flow (+3, +1): pixel (x, y) of this frame was at (x + 3, y + 1) in the previous one.
        RgbImage warped = OpticalFlow.uniform(20, 10, 3, 1).warp(previous);
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 17; x++) {
                assertEquals((x + 3) / 100f, warped.get(0, x, y), 1e-6f);
                assertEquals((y + 1) / 100f, warped.get(1, x, y), 1e-6f);
                assertEquals((x + y + 4) / 200f, warped.get(2, x, y), 1e-6f);
            }
        }
        // Half a pixel: the mean of the two neighbours (a linear ramp is reproduced exactly).
        RgbImage half = OpticalFlow.uniform(20, 10, 0.5f, 0).warp(previous);
        assertEquals(5.5f / 100f, half.get(0, 5, 4), 1e-6f);
        // Past the edge: the edge pixel.
        assertEquals(19 / 100f, warped.get(0, 18, 2), 1e-6f);
    }

    @Test
    void reliabilityDropsPixelsLeavingTheFrameAndDisocclusions() {
        OpticalFlow backward = OpticalFlow.uniform(12, 6, 3, 0);
        float[] inBounds = backward.reliability(null);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 12; x++) {
                assertEquals(x + 3 <= 11 ? 1f : 0f, inBounds[y * 12 + x], "pixel " + x + "," + y);
            }
        }
        // A forward flow that undoes the backward one agrees everywhere in bounds...
        assertArrayEquals(inBounds, backward.reliability(OpticalFlow.uniform(12, 6, -3, 0)));
        // ...one that says nothing moved contradicts it: |(-0) + 3|² = 9 > 0.01·9 + 0.5.
        float[] contradicted = backward.reliability(OpticalFlow.uniform(12, 6, 0, 0));
        for (float w : contradicted) {
            assertEquals(0f, w);
        }
        // A motion boundary: left half still, right half moving 4 px; the columns where u jumps are dropped.
        float[] u = new float[12 * 6];
        for (int y = 0; y < 6; y++) {
            for (int x = 6; x < 12; x++) {
                u[y * 12 + x] = -4;
            }
        }
        float[] boundary = OpticalFlow.of(12, 6, u, new float[12 * 6]).reliability(null);
        assertEquals(1f, boundary[2 * 12 + 2]);
        assertEquals(0f, boundary[2 * 12 + 5]);
        assertEquals(0f, boundary[2 * 12 + 6]);
        assertEquals(1f, boundary[2 * 12 + 9]);
    }

    @Test
    void unknownFlowIsNeverTrusted() {
        float[] u = new float[5];
        float[] v = new float[5];
        u[4] = 1e10f;
        float[] weights = OpticalFlow.of(5, 1, u, v).reliability(null);
        assertEquals(0f, weights[4]);
        assertEquals(0f, weights[3], "next to unknown flow is a boundary");
        assertEquals(1f, weights[0]);
    }

    @Test
    void resizingScalesTheDisplacements() {
        OpticalFlow small = OpticalFlow.uniform(100, 40, 4, -2).resized(50, 20);
        assertEquals(50, small.width());
        assertEquals(2f, small.u(10, 10), 1e-6f);
        assertEquals(-1f, small.v(10, 10), 1e-6f);
    }

    @Test
    void flickerIsTheMeanAbsoluteFrameToFrameChange() {
        RgbImage black = RgbImage.filled(4, 4, 0, 0, 0);
        RgbImage white = RgbImage.filled(4, 4, 1, 1, 1);
        RgbImage grey = RgbImage.filled(4, 4, 0.25f, 0.25f, 0.25f);
        assertEquals(0, Flicker.meanAbsoluteChange(List.of(black, black, black)));
        assertEquals(1, Flicker.meanAbsoluteChange(List.of(black, white, black)), 1e-12);
        // changes 0.25 then 0.75: mean 0.5
        assertEquals(0.5, Flicker.meanAbsoluteChange(List.of(black, grey, white)), 1e-7);
        assertEquals(4, Flicker.relative(List.of(black, white), List.of(black, grey)), 1e-6);
    }
}
