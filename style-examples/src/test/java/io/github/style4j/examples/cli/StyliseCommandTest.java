package io.github.style4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.testing.SharedFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StyliseCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = StyliseCommand.commandLine(new StyliseCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpExplainsTheNeuralStyleFlags() {
        assertEquals(0, run("--help"));
        for (String flag : new String[] {"-content_image", "--content-image", "-style_image", "-output_image",
                "-style_blend_weights", "-image_size", "-content_weight", "-style_weight", "-tv_weight",
                "-num_iterations", "-init", "-optimizer", "-learning_rate", "-save_iter", "-print_iter", "-seed",
                "-original_colors", "-pooling", "-style_scale", "--model", "--weights"}) {
            assertTrue(out.toString().contains(flag), () -> flag + " missing from --help:\n" + out);
        }
    }

    @Test
    void anUnknownFlagIsAUsageErrorThatNamesIt() {
        assertEquals(CommandLine.ExitCode.USAGE, run("-content_image", "a.png", "-style_image", "b.png", "-nope"));
        assertTrue(err.toString().contains("-nope"), err::toString);
    }

    @Test
    void aMissingImageIsNamedAndNothingIsWritten(@TempDir Path dir) {
        Path output = dir.resolve("out.png");
        int exit = run("-content_image", dir.resolve("missing.png").toString(), "-style_image",
                dir.resolve("missing-style.jpg").toString(), "-output_image", output.toString());
        assertEquals(CommandLine.ExitCode.USAGE, exit);
        assertTrue(err.toString().contains("missing.png"), err::toString);
        assertTrue(Files.notExists(output));
    }

    @Test
    void aBadValueNamesTheFlag(@TempDir Path dir) {
        int exit = run("-content_image", SharedFiles.image("chelsea.png").toString(), "-style_image",
                SharedFiles.image("starry_night.jpg").toString(), "-optimizer", "sgd", "-output_image",
                dir.resolve("o.png").toString());
        assertEquals(CommandLine.ExitCode.USAGE, exit);
        assertTrue(err.toString().contains("-optimizer") && err.toString().contains("lbfgs"), err::toString);
    }

    @Test
    void theOutputMayNotBeAnInput(@TempDir Path dir) throws Exception {
        Path content = dir.resolve("content.png");
        Files.copy(SharedFiles.image("chelsea.png"), content);
        byte[] before = Files.readAllBytes(content);
        int exit = run("-content_image", content.toString(), "-style_image",
                SharedFiles.image("starry_night.jpg").toString(), "-output_image", content.toString());
        assertEquals(CommandLine.ExitCode.USAGE, exit);
        assertTrue(err.toString().contains("input"), err::toString);
        assertArrayEquals(before, Files.readAllBytes(content));
    }

    @Test
    void aTinyRunWritesTheResultItsLossCurveAndTheSideBySide(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("tiny.png");
        int exit = run("-content_image", SharedFiles.image("chelsea.png").toString(),
                "-style_image", SharedFiles.image("starry_night.jpg").toString(),
                "--model", "squeezenet", "--weights", SharedFiles.require("models/squeezenet1.1").toString(),
                "-image_size", "48", "-num_iterations", "4", "-save_iter", "2", "-print_iter", "2", "--no-progress",
                "-output_image", output.toString());
        assertEquals(0, exit, err::toString);
        RgbImage result = ImageReader.defaults().read(output);
        assertEquals(48, result.width());
        assertTrue(Files.exists(dir.resolve("tiny_2.png")), "intermediate save");
        assertTrue(ImageReader.defaults().read(dir.resolve("tiny_losses.png")).width() > 100);
        assertTrue(ImageReader.defaults().read(dir.resolve("tiny_side_by_side.png")).width() > 3 * 30);
        assertTrue(out.toString().contains("iteration 2:"), out::toString);
        assertTrue(out.toString().contains("SqueezeNet"), "the configuration is printed");
    }
}
