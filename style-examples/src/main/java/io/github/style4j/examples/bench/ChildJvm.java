package io.github.style4j.examples.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a benchmark step in a fresh JVM with this one's class path and JVM options, and
 * returns the fields of the line it prints after a marker. A JVM loads one ND4J native build
 * for life, and peak memory is per process: both need a process per measurement.
 */
final class ChildJvm {
    private ChildJvm() {
    }

    static String[] run(Class<?> main, String marker, List<String> jvmArgs, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            boolean overridden = jvmArgs.stream().anyMatch(a -> a.startsWith("-D") && arg.startsWith(a.split("=")[0] + "="));
            if (!overridden && !arg.startsWith("-Dorg.bytedeco.javacpp.platform.extension")) {
                command.add(arg);
            }
        }
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String result = null;
        List<String> output = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith(marker)) {
                    result = line.substring(marker.length());
                } else {
                    output.add(line);
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0 || result == null) {
            throw new IllegalStateException("benchmark child " + String.join(" ", args) + " failed (exit " + exit + "):"
                    + System.lineSeparator() + String.join(System.lineSeparator(), output));
        }
        return result.trim().split(" ");
    }

    static String[] run(Class<?> main, String marker, String... args) throws IOException, InterruptedException {
        return run(main, marker, List.of(), args);
    }
}
