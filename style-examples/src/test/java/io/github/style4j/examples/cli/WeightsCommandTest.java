package io.github.style4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.testing.SharedFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./style4j weights ...} and {@code --weights} with every format, on the real SqueezeNet files. */
class WeightsCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int weights(String... args) {
        CommandLine cli = WeightsCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private int stylise(String... args) {
        CommandLine cli = StyliseCommand.commandLine(new StyliseCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private static Path formats(String name) {
        return SharedFiles.require("models/squeezenet1.1/formats/" + name);
    }

    @Test
    void infoSaysFormatNetworkPreprocessingHashAndRecognition() {
        assertEquals(0, weights("info", formats("squeezenet1_1.onnx").toString()), err::toString);
        String text = out.toString();
        assertTrue(text.contains("format:        ONNX model"), text);
        assertTrue(text.contains("architecture:  SqueezeNet 1.1"), text);
        assertTrue(text.contains("(torchvision)"), text);
        assertTrue(text.contains("sha256:        b843b5b2de56a8fd"), text);
        assertTrue(text.contains("recognised: style4j fixture"), text);
    }

    @Test
    void verifyCatchesAFileNamedLikeAPublishedOneWithAnotherHash(@TempDir Path dir) throws Exception {
        Path impostor = dir.resolve("squeezenet1_1-b8a52dc0.pth");
        Files.copy(formats("squeezenet1_1.pth"), impostor);
        assertEquals(1, weights("verify", impostor.toString()));
        assertTrue(err.toString().contains("hash differs from the published one"), err::toString);
        assertEquals(0, weights("verify", formats("squeezenet1_1_keras.h5").toString()), err::toString);
        assertTrue(out.toString().startsWith("OK: "), out::toString);
    }

    @Test
    void convertWritesAFolderThatStyliseTakesWithoutModel(@TempDir Path dir) throws Exception {
        Path folder = dir.resolve("squeezenet-npy");
        assertEquals(0, weights("convert", formats("squeezenet1_1.pth").toString(), "--to", folder.toString()),
                err::toString);
        assertTrue(Files.isRegularFile(folder.resolve("style4j-weights.properties")));
        assertEquals(1, weights("convert", formats("squeezenet1_1.pth").toString(), "--to", folder.toString()));
        assertTrue(err.toString().contains("already exists"), err::toString);
        Path output = dir.resolve("out.png");
        assertEquals(0, stylise("-content_image", SharedFiles.image("chelsea.png").toString(), "-style_image",
                SharedFiles.image("starry_night.jpg").toString(), "--weights", folder.toString(), "-image_size", "32",
                "-num_iterations", "2", "--no-progress", "-output_image", output.toString()), err::toString);
        assertTrue(out.toString().contains("SqueezeNet"), "the network came from the folder: " + out);
        assertTrue(Files.isRegularFile(output));
    }

    @Test
    void styliseSaysWhetherItRecognisesTheFile(@TempDir Path dir) {
        assertEquals(0, stylise("-content_image", SharedFiles.image("chelsea.png").toString(), "-style_image",
                SharedFiles.image("starry_night.jpg").toString(), "--weights", formats("squeezenet1_1.pth").toString(),
                "-image_size", "32", "-num_iterations", "1", "--no-progress", "-output_image",
                dir.resolve("o.png").toString()), err::toString);
        assertTrue(out.toString().contains("PyTorch state_dict (zip), SqueezeNet 1.1; recognised: style4j fixture"),
                out::toString);
    }

    @Test
    void aModelThatContradictsTheFileIsOneLineAndNoWork(@TempDir Path dir) {
        assertEquals(1, stylise("-content_image", SharedFiles.image("chelsea.png").toString(), "-style_image",
                SharedFiles.image("starry_night.jpg").toString(), "--weights", formats("squeezenet1_1.onnx").toString(),
                "--model", "vgg19", "-output_image", dir.resolve("o.png").toString()));
        assertEquals(1, err.toString().strip().lines().count(), err::toString);
        assertTrue(err.toString().contains("holds SqueezeNet 1.1 weights, but --model vgg19"), err::toString);
        assertFalse(Files.exists(dir.resolve("o.png")));
    }

    @Test
    void aBrokenWeightFileIsOneLineWithoutAStackTrace(@TempDir Path dir) throws Exception {
        Path page = dir.resolve("vgg19-dcbb9e9d.pth");
        Files.writeString(page, "<html><body>Service Unavailable</body></html>");
        assertEquals(1, weights("info", page.toString()));
        assertEquals(1, err.toString().strip().lines().count(), err::toString);
        assertTrue(err.toString().contains("HTML") && !err.toString().contains("\tat "), err::toString);
        err.getBuffer().setLength(0);
        assertEquals(1, stylise("-content_image", SharedFiles.image("chelsea.png").toString(), "-style_image",
                SharedFiles.image("starry_night.jpg").toString(), "--weights", page.toString(), "-output_image",
                dir.resolve("o.png").toString()));
        assertEquals(1, err.toString().strip().lines().count(), err::toString);
    }

    @Test
    void whereListsTheCachesAndTheKnownFiles() {
        assertEquals(0, weights("where"));
        assertTrue(out.toString().contains("vgg19-dcbb9e9d.pth") && out.toString().contains("download cache"),
                out::toString);
    }
}
