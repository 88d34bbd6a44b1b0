package io.github.style4j.examples.cli;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.testing.FuzzBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Any command line: parsing and everything {@code call()} checks before work
 * ({@link StyliseCommand#validate()}: input files, settings, outputs against inputs) end in a
 * usage error with a message, or a valid configuration; never another exception, and never
 * past the time and allocation budget. The flags are every name picocli knows for the command
 * (so a new option is fuzzed without editing this list); values are fuzzed strings or, to reach
 * the file checks, the names of real small images, a folder, and derived output names.
 * Running the transfer itself is not fuzzed: too slow per input.
 *
 * <p>Committed findings, replayed every run: {@code crash-22890fe...} (with {@code -h} picocli
 * skips the required-option check; a harness bug) and {@code crash-...} with {@code @/}
 * (picocli expanded it as an argument file and failed with an InitializationException;
 * {@code @}-file expansion is now off).
 */
class CommandLineFuzzTest {
    private static final String[] FLAGS = flags();
    private static final String[] FILES = files();

    private static String[] flags() {
        List<String> names = new ArrayList<>();
        for (OptionSpec option : StyliseCommand.commandLine(new StyliseCommand()).getCommandSpec().options()) {
            names.addAll(List.of(option.names()));
        }
        return names.toArray(String[]::new);
    }

    /** Real files for the file checks to find: two images, a folder, and names that collide with derived outputs. */
    private static String[] files() {
        try {
            Path dir = Files.createTempDirectory("style4j-cli-fuzz");
            dir.toFile().deleteOnExit();
            List<String> names = new ArrayList<>(List.of(dir.toString(), dir.resolve("missing/out.png").toString(),
                    dir.resolve("out.png").toString()));
            for (String name : new String[] {"content.png", "style.jpg", "out_losses.png", "out_2.png"}) {
                Path file = dir.resolve(name);
                ImageWriter.defaults().write(RgbImage.filled(3, 2, 0.1f, 0.5f, 0.9f), file);
                file.toFile().deleteOnExit();
                names.add(file.toString());
            }
            return names.toArray(String[]::new);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void parsesOrExplains(FuzzedDataProvider data) throws Exception {
        List<String> args = new ArrayList<>();
        int count = data.consumeInt(0, 14);
        for (int i = 0; i < count; i++) {
            args.add(switch (data.consumeInt(0, 2)) {
                case 0 -> data.pickValue(FLAGS);
                case 1 -> data.pickValue(FILES);
                default -> data.consumeString(24);
            });
        }
        FuzzBudget.run(Duration.ofSeconds(10), 128L << 20, () -> {
            StyliseCommand command = new StyliseCommand();
            CommandLine cli = StyliseCommand.commandLine(command);
            try {
                cli.parseArgs(args.toArray(String[]::new));
                if (cli.isUsageHelpRequested() || cli.isVersionHelpRequested()) {
                    return null; // execute() prints help and stops here; required options are not checked
                }
                command.validate();
            } catch (CommandLine.ParameterException | IllegalArgumentException expected) {
                if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                    throw new AssertionError("a refusal without a message for " + args, expected);
                }
            }
            return null;
        });
    }
}
