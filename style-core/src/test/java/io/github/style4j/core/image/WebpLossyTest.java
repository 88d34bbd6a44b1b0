package io.github.style4j.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * style4j's VP8 decoder against libwebp itself: each fixture (made by cwebp and libvpx's vpxenc,
 * see make-webp-lossy-fixtures.sh) decodes to exactly the pixels and alpha dwebp writes for it,
 * read back by the JDK's PNG decoder. Between them the fixtures use both loop filters, every
 * sharpness class the encoders chose, segments, one to eight token partitions, loop-filter
 * deltas, coarse and fine quantisers, 4x4 modes, odd sizes and the three kinds of alpha chunk.
 */
class WebpLossyTest {
    private static byte[] resource(String name) throws Exception {
        return TestImages.fixture(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lossy-q75", "lossy-q5-simple", "lossy-q100-nofilter", "lossy-q60-sharpness6",
        "lossy-rose-m6", "lossy-alpha-fast", "lossy-alpha-best", "lossy-alpha-raw", "lossy-vpx-partitions",
        "lossy-vpx-simple-odd"})
    void decodesExactlyWhatLibwebpDecodes(String name) throws Exception {
        byte[] webp = resource(name + ".webp");
        BufferedImage reference = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                resource(name + "-dwebp.png")));
        int w = reference.getWidth();
        int h = reference.getHeight();
        int[] payload = WebpLossy.payload(webp);
        assertNotNull(payload, "a VP8 frame");
        RgbImage image = WebpLossy.decode(webp, payload, w, h, Path.of(name));
        TestImages.assertSamePixels(name, image, reference, true);
        // And through the public reader, which picks this decoder for lossy files.
        RgbImage viaReader = ImageReader.defaults().read(webp, Path.of(name + ".webp"));
        assertTrue(Arrays.equals(image.rgb(), viaReader.rgb()));
        assertEquals(8, viaReader.sourceBitDepth());
    }

    @Test
    void losslessAnimatedAndIccFilesAreNotForThisDecoder() throws Exception {
        assertNull(WebpLossy.payload(resource("lossless-odd.webp")));
        byte[] vp8 = resource("lossy-q75.webp");
        // The same frame behind a VP8X chunk whose flags say "animation" (bit 1), then "ICC profile".
        byte[] extended = new byte[vp8.length + 18];
        System.arraycopy(vp8, 0, extended, 0, 12);
        System.arraycopy("VP8X".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, extended, 12, 4);
        extended[16] = 10;
        extended[20] = 0x02;
        System.arraycopy(vp8, 12, extended, 30, vp8.length - 12);
        assertNull(WebpLossy.payload(extended));
        extended[20] = 0x20; // an ICC profile: left to the path that converts it to sRGB
        assertNull(WebpLossy.payload(extended));
        extended[20] = 0; // still, no profile: the frame is found after the VP8X chunk
        assertEquals(WebpLossy.payload(vp8)[0] + 18, WebpLossy.payload(extended)[0]);
        assertEquals(-1, WebpLossy.payload(extended)[2], "no alpha chunk");
    }

    @Test
    void aFrameOfAnotherSizeThanItsContainerIsRefusedBeforeDecoding() throws Exception {
        byte[] webp = resource("lossy-q75.webp");
        CorruptImageException e = assertThrows(CorruptImageException.class,
                () -> WebpLossy.decode(webp, WebpLossy.payload(webp), 16, 16, Path.of("x.webp")));
        assertTrue(e.getMessage().contains("67x45") && e.getMessage().contains("16x16"), e.getMessage());
    }

    @Test
    void anInterFrameIsRefused() throws Exception {
        byte[] webp = resource("lossy-q75.webp").clone();
        int[] payload = WebpLossy.payload(webp);
        webp[payload[0]] |= 1; // frame type bit: an inter frame, which needs a previous frame
        CorruptImageException e = assertThrows(CorruptImageException.class,
                () -> ImageReader.defaults().read(webp, Path.of("inter.webp")));
        assertTrue(e.getMessage().contains("inter.webp") && e.getMessage().contains("not a key frame"),
                e.getMessage());
    }

    @Test
    void aTruncatedFileIsRefusedBeforeDecoding() throws Exception {
        byte[] webp = resource("lossy-vpx-partitions.webp");
        byte[] cut = Arrays.copyOf(webp, webp.length / 2);
        CorruptImageException e = assertThrows(CorruptImageException.class,
                () -> ImageReader.defaults().read(cut, Path.of("cut.webp")));
        assertTrue(e.getMessage().contains("cut.webp") && e.getMessage().contains("truncated")
                && e.getMessage().contains("VP8 chunk declares"), e.getMessage());
    }

    @Test
    void partitionsThatEndBeforeTheirMacroblocksAreRefused() throws Exception {
        // Whole chunks whose data runs out: the declared sizes are shrunk with the data.
        byte[] single = resource("lossy-rose-m6.webp"); // one token partition
        byte[] cut = shortened(single, WebpLossy.payload(single)[1] / 4);
        CorruptImageException e = assertThrows(CorruptImageException.class,
                () -> WebpLossy.decode(cut, WebpLossy.payload(cut), 70, 46, Path.of("cut.webp")));
        assertTrue(e.getMessage().contains("a token partition ends before its macroblocks do"), e.getMessage());
        // Eight partitions, half their bytes gone: the sizes point past the end, none is left for the last.
        byte[] eight = resource("lossy-vpx-partitions.webp");
        byte[] half = shortened(eight, WebpLossy.payload(eight)[1] / 2);
        e = assertThrows(CorruptImageException.class,
                () -> WebpLossy.decode(half, WebpLossy.payload(half), 128, 96, Path.of("half.webp")));
        assertTrue(e.getMessage().contains("the last token partition is empty"), e.getMessage());
    }

    /** A simple lossy file with {@code drop} bytes cut from its VP8 chunk's end and the sizes made to agree. */
    private static byte[] shortened(byte[] webp, int drop) {
        int[] payload = WebpLossy.payload(webp);
        int length = payload[1] - drop;
        byte[] cut = Arrays.copyOf(webp, payload[0] + length);
        java.nio.ByteBuffer.wrap(cut).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(4, cut.length - 8)
                .putInt(payload[0] - 4, length);
        return cut;
    }

    /** Damaged bytes anywhere: a clear refusal or some picture, never another exception. */
    @Test
    void damagedFramesDecodeOrAreRefusedCleanly() throws Exception {
        Random random = new Random(11);
        for (String name : new String[] {"lossy-rose-m6", "lossy-alpha-best", "lossy-vpx-partitions"}) {
            byte[] original = resource(name + ".webp");
            for (int trial = 0; trial < 150; trial++) {
                byte[] damaged = original.clone();
                int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    damaged[20 + random.nextInt(damaged.length - 20)] ^= (byte) (1 << random.nextInt(8));
                }
                if (trial % 3 == 0) {
                    damaged = Arrays.copyOf(damaged, 30 + random.nextInt(damaged.length - 30));
                }
                try {
                    RgbImage image = ImageReader.defaults().read(damaged, Path.of(name + ".webp"));
                    assertTrue(image.width() > 0);
                } catch (ImageException expected) {
                    assertTrue(expected.getMessage().contains(name), expected.getMessage());
                }
            }
        }
    }

    /**
     * #17's allocation goal: the decoder allocates the planes it returns and its own 8-bit planes,
     * not garbage per block (TwelveMonkeys' decoder allocated ~120 bytes a pixel at 12 MP).
     */
    @Test
    void allocatesLittleMoreThanTheImageItReturns() throws Exception {
        byte[] webp = resource("lossy-vpx-partitions.webp");
        int[] payload = WebpLossy.payload(webp);
        WebpLossy.decode(webp, payload, 128, 96, Path.of("warm-up.webp"));
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        RgbImage image = WebpLossy.decode(webp, payload, 128, 96, Path.of("x.webp"));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        long planes = 3L * 4 * image.width() * image.height();
        long eightBit = (long) (16 * 8 + 1 + 4) * (16 * 6 + 1) + 2L * (8 * 8 + 1) * (8 * 6 + 1);
        assertTrue(allocated < planes + eightBit + (32 << 10),
                "allocated " + allocated + " bytes for " + planes + " bytes of planes and " + eightBit + " of YUV");
    }
}
