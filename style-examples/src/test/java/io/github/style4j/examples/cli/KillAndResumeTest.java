package io.github.style4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.optim.Checkpoints;
import io.github.style4j.core.testing.ChildProcess;
import io.github.style4j.core.testing.SharedFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * A run killed with SIGKILL mid-way and resumed from its checkpoint ends with the same loss
 * as a run never interrupted, and loses at most one checkpoint interval; Ctrl-C and SIGTERM
 * save the image so far. Each child process is killed when its test ends, pass or fail.
 */
@Tag("shared")
class KillAndResumeTest {
    private static final int ITERATIONS = 120;
    private static final int EVERY = 10;

    private static List<String> arguments(Path output) {
        return new ArrayList<>(List.of("-content_image", SharedFiles.image("chelsea.png").toString(),
                "-style_image", SharedFiles.image("starry_night.jpg").toString(),
                "--model", "squeezenet", "--weights", SharedFiles.require("models/squeezenet1.1").toString(),
                "-image_size", "96", "-num_iterations", String.valueOf(ITERATIONS), "-init", "image",
                "--no-progress", "-output_image", output.toString()));
    }

    private static String run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = StyliseCommand.commandLine(new StyliseCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        assertEquals(0, cli.execute(args.toArray(String[]::new)), err::toString);
        return out.toString();
    }

    private static double finalTotal(String output) {
        Matcher matcher = Pattern.compile("Losses at the result:.*?total ([0-9.e+-]+)").matcher(output);
        assertTrue(matcher.find(), output);
        return Double.parseDouble(matcher.group(1));
    }

    private static List<String> childCommand(List<String> arguments) {
        return ChildProcess.java(List.of("-Xmx2g", "-Djava.awt.headless=true"), StyliseCommand.class.getName(),
                arguments);
    }

    /** Ctrl-C (SIGINT) and SIGTERM both run the shutdown hook that saves the image so far. */
    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void anInterruptSavesTheImageSoFar(String signal, @TempDir Path dir) throws Exception {
        Path output = dir.resolve("out.png");
        List<String> arguments = arguments(output);
        arguments.addAll(List.of("-print_iter", "1"));
        try (ChildProcess child = ChildProcess.start(childCommand(arguments), dir.resolve("child.log"))) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (System.nanoTime() < deadline && child.isAlive() && !child.output().contains("iteration 3:")) {
                Thread.sleep(20);
            }
            assertTrue(child.isAlive(), "finished before it could be interrupted:\n" + child.output());
            child.signal(signal);
            assertTrue(child.waitFor(Duration.ofSeconds(60)), "did not stop on SIG" + signal);
            String text = child.output();
            Path partial = dir.resolve("out_interrupted.png");
            assertTrue(text.contains("interrupted") && Files.exists(partial), text);
            assertEquals(96, io.github.style4j.core.image.ImageReader.defaults().read(partial).width());
            assertTrue(Files.notExists(output), "no finished-looking result from an interrupted run");
        }
    }

    @Test
    void killNineThenResumeReachesTheSameLoss(@TempDir Path dir) throws Exception {
        double uninterrupted = finalTotal(run(arguments(dir.resolve("whole.png"))));

        Path checkpoints = dir.resolve("checkpoints");
        List<String> resumable = arguments(dir.resolve("resumed.png"));
        resumable.addAll(List.of("--checkpoint-dir", checkpoints.toString(), "--checkpoint-every",
                String.valueOf(EVERY), "--resume"));
        int reached = 0;
        try (ChildProcess child = ChildProcess.start(childCommand(resumable), dir.resolve("child.log"))) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (System.nanoTime() < deadline && child.isAlive()) {
                if (Checkpoints.exists(checkpoints)) {
                    try {
                        reached = Checkpoints.read(checkpoints).state().iteration();
                    } catch (java.io.IOException racingWithTheWriter) {
                        reached = 0; // 'latest' names the newest complete checkpoint; an older read may race a delete
                    }
                    if (reached >= 3 * EVERY) {
                        break;
                    }
                }
                Thread.sleep(20);
            }
            assertTrue(child.isAlive(), "the run finished before it could be killed:\n" + child.output());
            child.signal("KILL"); // no shutdown hooks, no cleanup
            assertTrue(child.waitFor(Duration.ofSeconds(30)));
        }
        assertTrue(Files.notExists(dir.resolve("resumed.png")), "killed before the end");

        int atResume = Checkpoints.read(checkpoints).state().iteration();
        assertTrue(atResume >= reached && atResume % EVERY == 0, "resumes from a complete checkpoint: " + atResume);
        String resumed = run(resumable);
        double total = finalTotal(resumed);
        assertEquals(uninterrupted, total, 1e-4 * uninterrupted,
                "uninterrupted " + uninterrupted + ", killed at iteration >= " + reached + " and resumed " + total);
        assertTrue(java.util.Arrays.equals(
                io.github.style4j.core.image.ImageReader.defaults().read(dir.resolve("whole.png")).rgb(),
                io.github.style4j.core.image.ImageReader.defaults().read(dir.resolve("resumed.png")).rgb()),
                "the resumed run paints the same picture, pixel for pixel");
        System.out.printf("kill -9 / resume: uninterrupted total %s, killed after iteration %d, resumed from %d, "
                + "final total %s%n", uninterrupted, reached, atResume, total);
    }
}
