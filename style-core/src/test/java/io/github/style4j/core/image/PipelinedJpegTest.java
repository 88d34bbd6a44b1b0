package io.github.style4j.core.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Large JPEGs are converted to floats row band by row band while the JDK decoder is still
 * decoding (progressive ones after the decode, as their rows are refined pass by pass): the
 * result must equal the JDK decoder's own samples divided by 255, read here sample by sample.
 */
class PipelinedJpegTest {
    private static byte[] jpeg(int w, int h, boolean progressive, boolean grey) throws Exception {
        BufferedImage image = new BufferedImage(w, h, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        Random random = new Random(w * 31L + h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (x * 255 / w + random.nextInt(20)) & 0xff;
                int g = (y * 255 / h) & 0xff;
                int b = ((x ^ y) + random.nextInt(8)) & 0xff;
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (progressive) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    @ParameterizedTest
    @CsvSource({"640, 480, false, false", "1001, 333, false, false", "640, 480, true, false",
            "700, 500, false, true", "100, 90, false, false"})
    void equalsTheJdkDecodersSamples(int w, int h, boolean progressive, boolean grey) throws Exception {
        byte[] file = jpeg(w, h, progressive, grey);
        RgbImage image = ImageReader.defaults().read(file, Path.of("test.jpg"));
        Raster jdk = ImageIO.read(new java.io.ByteArrayInputStream(file)).getRaster();
        assertEquals(w, image.width());
        assertEquals(h, image.height());
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    // The JDK's 3BYTE_BGR raster has bands R, G, B in its sample model's order.
                    float expected = jdk.getSample(x, y, grey ? 0 : c) / 255f;
                    if (image.get(c, x, y) != expected) {
                        assertEquals(expected, image.get(c, x, y), "pixel " + x + "," + y + " channel " + c);
                    }
                }
            }
        }
    }
}
