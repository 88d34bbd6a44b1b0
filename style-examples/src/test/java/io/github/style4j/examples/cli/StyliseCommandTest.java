package io.github.style4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.testing.SharedFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

    /**
     * Every neural-style spelling (-content_image) has a --double-dash one, and both set the
     * same value. The options come from picocli's model of the command, so a new one is covered.
     */
    @Test
    void everyOptionHasADoubleDashSpellingThatMeansTheSame() {
        var options = StyliseCommand.commandLine(new StyliseCommand()).getCommandSpec().options();
        int compared = 0;
        for (var option : options) {
            if (option.usageHelp() || option.versionHelp()) {
                continue;
            }
            String[] names = option.names();
            String doubleDash = java.util.Arrays.stream(names).filter(n -> n.startsWith("--")).findFirst()
                    .orElseThrow(() -> new AssertionError(java.util.Arrays.toString(names) + " has no --spelling"));
            for (String name : names) {
                String value = option.arity().max() == 0 ? null : option.type() == int.class
                        || option.type() == long.class || option.type() == Integer.class ? "3"
                        : option.type() == double.class || option.type() == Double.class ? "0.5" : "2";
                if (option.type() == List.class) {
                    value = "2";
                }
                Object viaName = parsedValue(name, value, option.longestName());
                Object viaDoubleDash = parsedValue(doubleDash, value, option.longestName());
                assertEquals(String.valueOf(viaDoubleDash), String.valueOf(viaName), name + " vs " + doubleDash);
                compared++;
            }
        }
        assertTrue(compared > 30, "compared " + compared + " spellings");
    }

    private static Object parsedValue(String name, String value, String longest) {
        CommandLine cli = StyliseCommand.commandLine(new StyliseCommand());
        List<String> args = new ArrayList<>(List.of("--content-image", "c.png", "--style-image", "s.png"));
        if (!name.equals("--content-image") && !name.equals("-content_image")
                && !name.equals("--style-image") && !name.equals("-style_image")) {
            args.add(name);
            if (value != null) {
                args.add(value);
            }
        }
        cli.parseArgs(args.toArray(String[]::new));
        return cli.getCommandSpec().findOption(longest).getValue();
    }

    @Test
    void memoryBudgetAndTilesReachTheConfig() {
        assertEquals(6L << 30, StyliseCommand.parseBytes("6g"));
        assertEquals(1500L << 20, StyliseCommand.parseBytes("1500M"));
        assertEquals((long) (2.5 * (1L << 30)), StyliseCommand.parseBytes("2.5GB"));
        assertEquals(512L << 20, StyliseCommand.parseBytes("512mib"));
        StyliseCommand command = new StyliseCommand();
        StyliseCommand.commandLine(command).parseArgs("-content_image", "c.png", "-style_image", "s.png",
                "--max-memory", "3g", "--tile-size", "256", "-image_size", "3000");
        var config = command.config();
        assertEquals(3L << 30, config.maxMemory());
        assertEquals(256, config.tileSize());
        assertEquals(List.of(375, 750, 1500, 3000), config.scales());
        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> StyliseCommand.parseBytes("lots"));
        assertTrue(bad.getMessage().contains("6g"), bad.getMessage());
    }

    @Test
    void movingTilesAreAskedForByNameAndNeedAdam() {
        StyliseCommand exact = new StyliseCommand();
        StyliseCommand.commandLine(exact).parseArgs("-content_image", "c.png", "-style_image", "s.png");
        assertEquals(io.github.style4j.samediff.transfer.StyleTransferConfig.TileBorders.EXACT,
                exact.config().tileBorders());
        StyliseCommand moving = new StyliseCommand();
        StyliseCommand.commandLine(moving).parseArgs("-content_image", "c.png", "-style_image", "s.png",
                "--tile-borders", "moving", "-optimizer", "adam");
        assertEquals(io.github.style4j.samediff.transfer.StyleTransferConfig.TileBorders.MOVING,
                moving.config().tileBorders());
        assertTrue(moving.config().toString().contains("moving"), moving.config().toString());
        StyliseCommand lbfgs = new StyliseCommand();
        StyliseCommand.commandLine(lbfgs).parseArgs("-content_image", "c.png", "-style_image", "s.png",
                "--tile-borders", "moving");
        IllegalArgumentException error = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                lbfgs::config);
        assertTrue(error.getMessage().contains("Adam"), error.getMessage());
    }

    @Test
    void aSizeTheBudgetCannotHoldIsRefusedWithWhatToChange(@TempDir Path dir) {
        int exit = run("-content_image", SharedFiles.image("chelsea.png").toString(), "-style_image",
                SharedFiles.image("starry_night.jpg").toString(), "-output_image", dir.resolve("out.png").toString(),
                "--model", "squeezenet", "--weights", SharedFiles.require("models/squeezenet1.1").toString(),
                "-image_size", "8192", "--scales", "8192", "--max-memory", "1g", "--no-progress");
        assertTrue(exit != 0, "exit " + exit);
        assertTrue(err.toString().contains("--max-memory") && err.toString().contains("-image_size"), err.toString());
        assertFalse(Files.exists(dir.resolve("out.png")));
    }

    @Test
    void lbfgsKeepsTheImageInRangeUnlessToldOtherwise() {
        StyliseCommand bounded = new StyliseCommand();
        StyliseCommand.commandLine(bounded).parseArgs("-content_image", "c.png", "-style_image", "s.png");
        assertTrue(bounded.config().lbfgsBounded());
        StyliseCommand unbounded = new StyliseCommand();
        StyliseCommand.commandLine(unbounded).parseArgs("-content_image", "c.png", "-style_image", "s.png",
                "--lbfgs-unbounded");
        assertFalse(unbounded.config().lbfgsBounded());
        assertTrue(unbounded.config().toString().contains("unbounded, clamped at the end"));
        assertFalse(bounded.config().normalizeGradients());
        StyliseCommand normalised = new StyliseCommand();
        StyliseCommand.commandLine(normalised).parseArgs("-content_image", "c.png", "-style_image", "s.png",
                "-normalize_gradients");
        assertTrue(normalised.config().normalizeGradients());
    }

    /** --weights with a DL4J model zip (here the zoo's SqueezeNet, seeded) runs a transfer from it. */
    @Test
    void weightsFromADl4jModelZip(@TempDir Path dir) throws Exception {
        Path zip = dir.resolve("squeezenet-dl4j.zip");
        var model = (org.deeplearning4j.nn.graph.ComputationGraph) org.deeplearning4j.zoo.model.SqueezeNet.builder()
                .numClasses(1000).seed(3).build().init();
        org.deeplearning4j.util.ModelSerializer.writeModel(model, zip.toFile(), false);
        Path output = dir.resolve("from-zip.png");
        int exit = run("-content_image", png(dir.resolve("c.png")).toString(), "-style_image",
                png(dir.resolve("s.png")).toString(), "--model", "squeezenet", "--weights", zip.toString(),
                "-image_size", "32", "-num_iterations", "2", "--no-progress", "-output_image", output.toString());
        assertEquals(0, exit, err::toString);
        assertTrue(out.toString().contains("weights(" + zip) && out.toString().contains("DL4J model zip, SqueezeNet 1.1"),
                out::toString);
        assertEquals(32, ImageReader.defaults().read(output).width());
    }

    @Test
    void anUnknownFlagIsAUsageErrorThatNamesIt() {
        assertEquals(CommandLine.ExitCode.USAGE, run("-content_image", "a.png", "-style_image", "b.png", "-nope"));
        assertTrue(err.toString().contains("-nope"), err::toString);
        assertEquals(2, err.toString().lines().count(), () -> "one line and a pointer to --help:\n" + err);
        assertTrue(err.toString().contains("--help"), err::toString);
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

    /** A small real PNG, so that the file checks see an image (they run before any decoding). */
    private static Path png(Path file) throws Exception {
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageWriter.defaults().write(RgbImage.filled(4, 3, 0.2f, 0.4f, 0.6f), file);
        return file;
    }

    private void assertRefusedAndUnchanged(Path input, String... args) throws Exception {
        byte[] before = Files.readAllBytes(input);
        assertEquals(CommandLine.ExitCode.USAGE, run(args), () -> "not refused: " + err);
        assertTrue(err.toString().contains(input.getFileName().toString()), err::toString);
        assertArrayEquals(before, Files.readAllBytes(input), "the input must be untouched");
    }

    /** Each file derived from -output_image is checked against each kind of input, not only the result itself. */
    @ParameterizedTest
    @CsvSource({"x_losses.png, -content_image", "x_side_by_side.png, -style_image", "x_interrupted.png, -content_image",
            "x_2.png, -style_image", "x_6.png, --style-masks", "x_losses.png, -init_image"})
    void noDerivedOutputMayReplaceAnInput(String inputName, String flag, @TempDir Path dir) throws Exception {
        Path input = png(dir.resolve(inputName));
        Path content = flag.equals("-content_image") ? input : png(dir.resolve("content.png"));
        Path style = flag.equals("-style_image") ? input : png(dir.resolve("style.png"));
        List<String> args = new ArrayList<>(List.of("-content_image", content.toString(), "-style_image",
                style.toString(), "-output_image", dir.resolve("x.png").toString(), "-save_iter", "2",
                "-num_iterations", "6", "--no-progress"));
        if (flag.equals("--style-masks") || flag.equals("-init_image")) {
            args.addAll(List.of(flag, input.toString()));
        }
        assertRefusedAndUnchanged(input, args.toArray(String[]::new));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith("x")
                    && !f.equals(input)).toList(), "nothing written");
        }
    }

    @Test
    void anOutputReachedThroughALinkOrDotsIsStillAnInput(@TempDir Path dir) throws Exception {
        Path content = png(dir.resolve("photos/content.png"));
        Path style = png(dir.resolve("style.png"));
        Path link = Files.createSymbolicLink(dir.resolve("out.png"), content);
        assertRefusedAndUnchanged(content, "-content_image", content.toString(), "-style_image", style.toString(),
                "-output_image", link.toString());
        // later.png's loss curve, later_losses.png, is a link to an input elsewhere.
        Path losses = png(dir.resolve("photos/painting.png"));
        Files.createSymbolicLink(dir.resolve("later_losses.png"), losses);
        assertRefusedAndUnchanged(losses, "-content_image", content.toString(), "-style_image", losses.toString(),
                "-output_image", dir.resolve("later.png").toString());
        assertRefusedAndUnchanged(content, "-content_image", content.toString(), "-style_image", style.toString(),
                "-output_image", dir.resolve("photos/../photos/./content.png").toString());
    }

    @Test
    void anInputInsideTheCheckpointFolderIsRefused(@TempDir Path dir) throws Exception {
        Path checkpoints = dir.resolve("ckpt");
        Path style = png(checkpoints.resolve("checkpoint-50-1/style.png"));
        assertRefusedAndUnchanged(style, "-content_image", png(dir.resolve("c.png")).toString(), "-style_image",
                style.toString(), "-output_image", dir.resolve("o.png").toString(), "--checkpoint-dir",
                checkpoints.toString());
        Path latest = Files.copy(png(dir.resolve("photo.png")), checkpoints.resolve("latest")); // a PNG without extension
        assertRefusedAndUnchanged(latest, "-content_image", latest.toString(), "-style_image",
                png(dir.resolve("s.png")).toString(), "-output_image", dir.resolve("o.png").toString(),
                "--checkpoint-dir", checkpoints.toString());
    }

    @Test
    void aMissingOutputFolderIsReportedBeforeAnyWork(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("no/such/folder/out.png");
        int exit = run("-content_image", png(dir.resolve("c.png")).toString(), "-style_image",
                png(dir.resolve("s.png")).toString(), "-output_image", output.toString());
        assertEquals(CommandLine.ExitCode.USAGE, exit);
        assertTrue(err.toString().contains(dir.resolve("no/such/folder").toString())
                && err.toString().contains("does not exist"), err::toString);
    }

    @Test
    void aFolderGivenAsAnImageIsCalledAFolder(@TempDir Path dir) throws Exception {
        int exit = run("-content_image", dir.toString(), "-style_image", png(dir.resolve("s.png")).toString(),
                "-output_image", dir.resolve("o.png").toString());
        assertEquals(CommandLine.ExitCode.USAGE, exit);
        assertTrue(err.toString().contains("is a folder"), err::toString);
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
