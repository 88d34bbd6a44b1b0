package io.github.style4j.examples.cli;

import io.github.style4j.core.backend.NativeBuildSelector;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./style4j}: stylise a photo. Flag names follow Justin Johnson's neural-style
 * ({@code -content_image}, ...), with {@code --double-dash} spellings accepted too.
 *
 * <p>The optimisation itself arrives with the end-to-end work; until then the command
 * checks its arguments and says so, exiting with status 3.
 */
@Command(name = "style4j", mixinStandardHelpOptions = true, version = "style4j 0.1.0-SNAPSHOT",
        description = "Paints the content image in the style of the style image(s) (Gatys et al.).")
public final class StyliseCommand implements Callable<Integer> {
    /** Exit status while stylising is not implemented yet. */
    static final int NOT_YET = 3;

    @Option(names = {"-content_image", "--content-image"}, required = true, paramLabel = "FILE",
            description = "The photo to repaint.")
    Path contentImage;

    @Option(names = {"-style_image", "--style-image"}, required = true, split = ",", paramLabel = "FILE",
            description = "One or more style images, comma separated.")
    List<Path> styleImages;

    @Option(names = {"-output_image", "--output-image"}, paramLabel = "FILE", defaultValue = "out.png",
            description = "Where to write the result (default: ${DEFAULT-VALUE}).")
    Path outputImage;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        for (Path input : concat(contentImage, styleImages)) {
            if (!Files.isRegularFile(input)) {
                err.println("style4j: no such image file: " + input + " (check the path; see --help)");
                return CommandLine.ExitCode.USAGE;
            }
        }
        NativeBuildSelector.select();
        err.println("style4j: stylising is not implemented yet (tracked by the end-to-end issue); "
                + "the arguments are valid and " + outputImage + " was not written.");
        return NOT_YET;
    }

    private static List<Path> concat(Path first, List<Path> rest) {
        List<Path> all = new java.util.ArrayList<>(rest);
        all.add(0, first);
        return all;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new StyliseCommand()).execute(args));
    }
}
