package io.github.style4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        CommandLine cli = new CommandLine(new StyliseCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpExplainsTheNeuralStyleFlags() {
        assertEquals(0, run("--help"));
        for (String flag : new String[] {"-content_image", "--content-image", "-style_image", "-output_image"}) {
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
    void validArgumentsSayStylisingIsNotThereYet(@TempDir Path dir) {
        Path output = dir.resolve("out.png");
        int exit = run("-content_image", SharedFiles.image("chelsea.png").toString(),
                "--style-image", SharedFiles.image("starry_night.jpg").toString(), "-output_image", output.toString());
        assertEquals(StyliseCommand.NOT_YET, exit);
        assertTrue(err.toString().contains("not implemented yet"), err::toString);
        assertTrue(Files.notExists(output), "nothing may be written before stylising exists");
    }
}
