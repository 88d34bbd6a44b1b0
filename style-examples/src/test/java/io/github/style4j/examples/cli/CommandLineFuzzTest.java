package io.github.style4j.examples.cli;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Any command line: parsing and validation end in a usage error with a message, or a valid
 * configuration; never another exception. (Running the transfer itself is not fuzzed: too
 * slow per input.) Its first finding, committed beside it as {@code crash-22890fe...}: with
 * {@code -h} picocli skips the required-option check, and this harness then built a
 * configuration {@code execute()} never builds (a harness bug, kept as a regression input).
 * The second, {@code crash-...} with {@code @/}: picocli expanded it as an argument file and
 * failed with an InitializationException, which the real command would have shown as a stack
 * trace; {@code @}-file expansion is now off.
 */
class CommandLineFuzzTest {
    private static final String[] FLAGS = {"-content_image", "-style_image", "-style_blend_weights", "-output_image",
            "-image_size", "--model", "--weights", "-content_weight", "-style_weight", "-tv_weight",
            "-content_layers", "-style_layers", "-num_iterations", "-init", "-init_image", "-optimizer",
            "-learning_rate", "-normalization", "-pooling", "-style_scale", "-original_colors", "--colour", "--scales",
            "--style-masks", "-seed", "-save_iter", "-print_iter", "--checkpoint-dir", "--checkpoint-every",
            "--resume", "--no-progress", "--mirror"};

    @FuzzTest(maxDuration = "30s")
    void parsesOrExplains(FuzzedDataProvider data) {
        List<String> args = new ArrayList<>();
        int count = data.consumeInt(0, 12);
        for (int i = 0; i < count; i++) {
            args.add(data.consumeBoolean() ? data.pickValue(FLAGS) : data.consumeString(24));
        }
        StyliseCommand command = new StyliseCommand();
        CommandLine cli = StyliseCommand.commandLine(command);
        try {
            cli.parseArgs(args.toArray(String[]::new));
            if (cli.isUsageHelpRequested() || cli.isVersionHelpRequested()) {
                return; // execute() prints help and stops here; required options are not checked
            }
            command.config();
        } catch (CommandLine.ParameterException | IllegalArgumentException expected) {
            if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                throw new AssertionError("a refusal without a message for " + args, expected);
            }
        }
    }
}
