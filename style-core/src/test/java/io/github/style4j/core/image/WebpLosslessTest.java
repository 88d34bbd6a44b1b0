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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * style4j's VP8L decoder against libwebp itself: each fixture (made by cwebp, see
 * make-webp-fixtures.sh) decodes to exactly the pixels dwebp writes for it, read back by the
 * JDK's PNG decoder. The fixtures cover every transform, the colour cache, backward
 * references, 1/2/4/8-bit palettes, alpha and sizes that are no multiple of a block.
 */
class WebpLosslessTest {
    private static byte[] resource(String name) throws Exception {
        return TestImages.fixture(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lossless-smooth-z0", "lossless-smooth-z6", "lossless-smooth-z9", "lossless-palette-2",
        "lossless-palette-4", "lossless-palette-16", "lossless-palette-200", "lossless-alpha", "lossless-odd",
        "lossless-plasma"})
    void decodesExactlyWhatLibwebpDecodes(String name) throws Exception {
        byte[] webp = resource(name + ".webp");
        BufferedImage reference = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                resource(name + "-dwebp.png")));
        int w = reference.getWidth();
        int h = reference.getHeight();
        int[] payload = WebpLossless.payload(webp);
        assertNotNull(payload, "a VP8L stream");
        RgbImage image = WebpLossless.decode(webp, payload, w, h, Path.of(name));
        // libwebp's PNG may write any colour under full transparency.
        TestImages.assertSamePixels(name, image, reference, false);
        // And through the public reader, which picks this decoder for VP8L files.
        RgbImage viaReader = ImageReader.defaults().read(webp, Path.of(name + ".webp"));
        assertTrue(Arrays.equals(image.rgb(), viaReader.rgb()));
    }

    @Test
    void lossyAnimatedAndIccFilesAreNotForThisDecoder() throws Exception {
        assertNull(WebpLossless.payload(resource("pattern-lossy.webp")));
        // An extended file whose VP8X flags say "animation" (bit 1), whatever follows.
        byte[] vp8l = resource("lossless-odd.webp");
        byte[] animated = new byte[vp8l.length + 18];
        System.arraycopy(vp8l, 0, animated, 0, 12);
        System.arraycopy("VP8X".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, animated, 12, 4);
        animated[16] = 10;
        animated[20] = 0x02;
        System.arraycopy(vp8l, 12, animated, 30, vp8l.length - 12);
        assertNull(WebpLossless.payload(animated));
        animated[20] = 0x20; // an ICC profile: left to the path that converts it to sRGB
        assertNull(WebpLossless.payload(animated));
        animated[20] = 0; // the same file, still: its VP8L chunk is found after the VP8X chunk
        assertEquals(WebpLossless.payload(vp8l)[0] + 18, WebpLossless.payload(animated)[0]);
    }

    @Test
    void aStreamLargerThanItsContainerSaysIsRefusedBeforeDecoding() throws Exception {
        byte[] webp = resource("lossless-odd.webp");
        CorruptImageException e = assertThrows(CorruptImageException.class,
                () -> WebpLossless.decode(webp, WebpLossless.payload(webp), 16, 16, Path.of("x.webp")));
        assertTrue(e.getMessage().contains("37x23") && e.getMessage().contains("16x16"), e.getMessage());
    }

    @Test
    void truncatedDataIsRefused() throws Exception {
        byte[] webp = resource("lossless-smooth-z6.webp");
        int[] payload = WebpLossless.payload(webp);
        byte[] cut = Arrays.copyOf(webp, payload[0] + payload[1] / 2);
        CorruptImageException e = assertThrows(CorruptImageException.class,
                () -> WebpLossless.decode(cut, WebpLossless.payload(cut), 96, 64, Path.of("cut.webp")));
        assertTrue(e.getMessage().contains("ends before the image does"), e.getMessage());
    }

    /** Damaged bytes anywhere: a clear refusal or some picture, never another exception. */
    @Test
    void damagedStreamsDecodeOrAreRefusedCleanly() throws Exception {
        Random random = new Random(5);
        for (String name : new String[] {"lossless-smooth-z9", "lossless-palette-16", "lossless-alpha"}) {
            byte[] original = resource(name + ".webp");
            int[] payload = WebpLossless.payload(original);
            BufferedImage reference = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                    resource(name + "-dwebp.png")));
            for (int trial = 0; trial < 300; trial++) {
                byte[] damaged = original.clone();
                for (int k = 0; k < 1 + random.nextInt(4); k++) {
                    int at = payload[0] + 5 + random.nextInt(payload[1] - 5); // past the size fields
                    damaged[at] ^= (byte) (1 << random.nextInt(8));
                }
                try {
                    WebpLossless.decode(damaged, payload, reference.getWidth(), reference.getHeight(), Path.of("d"));
                } catch (CorruptImageException refused) {
                    assertTrue(refused.getMessage().contains("WebP lossless"), refused.getMessage());
                }
            }
        }
    }
}
