package io.github.style4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.samediff.fast.FastStyleModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./style4j train} and {@code apply} end to end on a tiny network, with the real SqueezeNet weights. */
@Tag("shared")
class FastStyleCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Object command, String... args) {
        CommandLine cli = FastStyleCommand.commandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void trainThenApplyThroughTheCommandLine(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("starry.style4j");
        String photos = SharedFiles.image("astronaut.png") + "," + SharedFiles.image("coffee.png");
        assertEquals(0, run(new FastStyleCommand.Train(), "-style_image", SharedFiles.image("starry_night.jpg").toString(),
                "--images", photos, "--model-out", model.toString(), "--weights",
                SharedFiles.require("models/squeezenet1.1").toString(), "--iterations", "3", "--batch", "2",
                "-image_size", "32", "--width", "4", "--no-progress", "--checkpoint-every", "2"), err::toString);
        assertTrue(out.toString().contains("Training on 2 photos"), out::toString);
        FastStyleModel trained = FastStyleModel.load(model);
        assertEquals(3, trained.iteration());
        assertFalse(trained.isCheckpoint(), "the model file holds no optimiser state");
        assertTrue(FastStyleModel.load(dir.resolve("starry.style4j.ckpt")).isCheckpoint());
        assertTrue(Files.size(dir.resolve("starry_losses.png")) > 0);
        assertEquals("SQUEEZENET", trained.manifest("lossNetwork").path("architecture").asText());

        // Several photos into a folder, one of them unreadable: the rest are written, exit 1.
        Path outputs = Files.createDirectory(dir.resolve("out"));
        Path broken = Files.write(dir.resolve("broken.png"), new byte[] {1, 2, 3});
        out.getBuffer().setLength(0);
        assertEquals(1, run(new FastStyleCommand.Apply(), "--style-model", model.toString(), "-content_image",
                SharedFiles.image("chelsea.png") + "," + broken, "--output-dir", outputs.toString(), "-image_size", "64"));
        RgbImage chelsea = ImageReader.defaults().read(outputs.resolve("chelsea_stylised.png"));
        assertEquals(64, Math.max(chelsea.width(), chelsea.height()));
        assertTrue(err.toString().contains("broken.png") && err.toString().contains("1 of 2 photos failed"), err::toString);
        assertFalse(Files.exists(outputs.resolve("broken_stylised.png")));
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyWork(@TempDir Path dir) throws Exception {
        Path photo = SharedFiles.image("chelsea.png");
        assertEquals(1, run(new FastStyleCommand.Apply(), "--style-model", dir.resolve("none.style4j").toString(),
                "-content_image", photo.toString(), "-output_image", dir.resolve("o.png").toString()));
        assertTrue(err.toString().contains("no such model file"), err::toString);
        assertEquals(CommandLine.ExitCode.USAGE, run(new FastStyleCommand.Apply(), "--style-model", "m",
                "-content_image", photo.toString(), "-output_image", photo.toString()));
        assertTrue(err.toString().contains("overwrite the input"), err::toString);
        assertEquals(CommandLine.ExitCode.USAGE, run(new FastStyleCommand.Train(), "-style_image", photo.toString(),
                "--images", photo.toString(), "--model-out", dir.resolve("m").toString(), "-image_size", "30"));
        assertTrue(err.toString().contains("multiple of 4"), err::toString);
        byte[] before = Files.readAllBytes(photo);
        assertArrayEquals(before, Files.readAllBytes(photo));
    }
}
