package io.github.style4j.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child process for tests, written so that its time limit can fire and it can never outlive
 * the test: its output goes to a file (never a pipe read before waiting, which would block past
 * any timeout), and {@link #close()} kills it, with its descendants, if it is still running.
 * Use in try-with-resources.
 */
public final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ChildProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** {@code java} (this JVM's) with the options, this JVM's class path, and the main class and arguments. */
    public static List<String> java(List<String> jvmOptions, String mainClass, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(arguments);
        return command;
    }

    /** Starts {@code command} with standard input closed and standard output and error into {@code log}. */
    public static ChildProcess start(List<String> command, Path log) throws IOException {
        return start(command, Map.of(), log);
    }

    /** {@link #start(List, Path)} with these variables added to (or replacing) the environment. */
    public static ChildProcess start(List<String> command, Map<String, String> environment, Path log)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().putAll(environment);
        return new ChildProcess(builder.start(), log);
    }

    /**
     * Runs {@code command} to the end and returns its output; fails the test, with the output
     * so far, if it runs past {@code limit} (and kills it).
     */
    public static Finished run(List<String> command, Duration limit) throws IOException, InterruptedException {
        return run(command, Map.of(), limit);
    }

    /** {@link #run(List, Duration)} with these variables added to (or replacing) the environment. */
    public static Finished run(List<String> command, Map<String, String> environment, Duration limit)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("style4j-child-", ".log");
        try (ChildProcess child = start(command, environment, log)) {
            if (!child.waitFor(limit)) {
                throw new AssertionError("the child process ran past " + limit.toSeconds() + " s and was killed: "
                        + command + "\n" + child.output());
            }
            return new Finished(child.process.exitValue(), child.output());
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** How a child ended. */
    public record Finished(int exitCode, String output) {
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code limit}; whether it ended. */
    public boolean waitFor(Duration limit) throws InterruptedException {
        return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Everything it printed so far. */
    public String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** Sends a signal by name (e.g. {@code INT}, as Ctrl-C does) with the system's {@code kill}. */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            kill.destroyForcibly();
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Kills the process and its descendants if still running, and waits for the end. */
    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
