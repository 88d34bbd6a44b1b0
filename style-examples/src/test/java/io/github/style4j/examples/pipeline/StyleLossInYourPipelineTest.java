package io.github.style4j.examples.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.testing.SharedFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example program runs as documented (briefly) and writes a picture. */
@Tag("shared")
class StyleLossInYourPipelineTest {
    @Test
    void runs(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("texture.png");
        StyleLossInYourPipeline.main(new String[] {SharedFiles.image("starry_night.jpg").toString(),
                SharedFiles.require("models/squeezenet1.1").toString(), "3", output.toString()});
        assertEquals(96, ImageReader.defaults().read(output).width());
    }
}
