package io.github.style4j.samediff.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.transfer.StyleTransfer;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import io.github.style4j.samediff.weights.WeightSource;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The model the README shows ({@code docs/models/starry_night.style4j}) is what its manifest
 * says, and on a photo it never saw it paints: scored on the optimisation's own objective, its
 * picture has a far lower style loss than the photo, while keeping the photo's content better than
 * the untrained network does.
 */
@Tag("shared")
class DemoModelTest {
    private static final Path MODEL = Path.of("..", "docs", "models", "starry_night.style4j");

    @Test
    void theDemoModelPaintsAPhotoItNeverSaw() throws Exception {
        FastStyleModel model = FastStyleModel.load(MODEL);
        assertEquals(TransformerNetwork.half(), model.network());
        assertEquals("SQUEEZENET", model.manifest("lossNetwork").path("architecture").asText());
        assertEquals(3, model.manifest("training").path("photos").asInt());
        assertTrue(model.manifest("training").path("files").toString().contains("astronaut.png"));
        assertTrue(!model.manifest("training").path("files").toString().contains("chelsea.png"), "chelsea is held out");

        Path chelsea = SharedFiles.image("chelsea.png");
        RgbImage photo = ImageReader.defaults().read(chelsea);
        StyleTransfer objective = new StyleTransfer(StyleTransferConfig.builder().setContentImage(chelsea)
                .addStyleImage(SharedFiles.image("starry_night.jpg")).optNetwork(Architecture.SQUEEZENET)
                .optWeights(WeightSource.npyFolder(SharedFiles.require("models/squeezenet1.1")))
                .optImageSize(256).optStyleScale(1.0).build());
        Map<String, Double> atPhoto = objective.terms(photo);
        Map<String, Double> fast = objective.terms(FastStyle.of(model).stylise(photo));
        Map<String, Double> untrained = objective.terms(FastStyle.of(FastStyleModel.untrained(TransformerNetwork.half(), 0))
                .stylise(photo));
        assertTrue(fast.get("style") < 0.2 * atPhoto.get("style"), "style: photo " + atPhoto + ", fast " + fast);
        assertTrue(fast.get("content") < untrained.get("content"), "content: fast " + fast + ", untrained " + untrained);
        assertTrue(fast.get("total") < atPhoto.get("total"), "total: photo " + atPhoto + ", fast " + fast);
    }
}
