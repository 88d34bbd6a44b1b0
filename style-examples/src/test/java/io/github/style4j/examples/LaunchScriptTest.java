package io.github.style4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.testing.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/run-java}, the launcher behind {@code ./style4j}, {@code ./style4j-bench} and
 * {@code ./style4j-jshell}: it builds when the class path is missing or a source, pom or
 * properties file is newer, and not otherwise; a failed build stops it with Maven's output;
 * {@code STYLE4J_JAVA_OPTS} replaces its JVM options. Run in a copy of the script inside a
 * scratch project, with stand-in {@code mvn} and {@code java} commands first on the PATH that
 * record how they were called.
 */
class LaunchScriptTest {
    @TempDir
    Path root;
    private Path calls;
    private Path source;
    private Path classpath;

    @BeforeEach
    void scratchProject() throws Exception {
        Path script = Path.of("..", "bin", "run-java").toAbsolutePath().normalize();
        Files.createDirectories(root.resolve("bin"));
        Files.copy(script, root.resolve("bin/run-java"));
        source = root.resolve("style-examples/src/main/java/Example.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class Example {}");
        classpath = root.resolve("style-examples/target/classpath.txt");
        calls = root.resolve("calls.log");
        Path tools = Files.createDirectories(root.resolve("tools"));
        // mvn: records its arguments, writes the class path; fails when asked to by a marker file.
        executable(tools.resolve("mvn"), "#!/bin/sh\necho \"mvn $*\" >> '" + calls + "'\n"
                + "if [ -f '" + root.resolve("fail-build") + "' ]; then echo 'COMPILATION ERROR: Example.java'; exit 1; fi\n"
                + "mkdir -p '" + classpath.getParent() + "'\necho /lib/a.jar > '" + classpath + "'\n");
        executable(tools.resolve("java"), "#!/bin/sh\necho \"java $*\" >> '" + calls + "'\n");
    }

    private static void executable(Path file, String text) throws Exception {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private ChildProcess.Finished launch(Map<String, String> extra) throws Exception {
        Files.deleteIfExists(calls);
        Map<String, String> environment = new java.util.HashMap<>(Map.of("PATH",
                root.resolve("tools") + ":" + System.getenv("PATH")));
        environment.putAll(extra);
        return ChildProcess.run(List.of("bash", root.resolve("bin/run-java").toString(), "demo.Main", "--flag"),
                environment, Duration.ofSeconds(60));
    }

    private List<String> calls() throws Exception {
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    @Test
    void buildsOnFirstUseAndWhenASourceChangesButNotOtherwise() throws Exception {
        ChildProcess.Finished first = launch(Map.of());
        assertEquals(0, first.exitCode(), first.output());
        assertTrue(calls().get(0).startsWith("mvn ") && calls().get(0).contains("package"), calls().toString());
        assertTrue(calls().get(1).startsWith("java ") && calls().get(1).endsWith("demo.Main --flag"), calls().toString());

        launch(Map.of());
        assertEquals(1, calls().size(), "nothing changed, so no build: " + calls());
        assertTrue(calls().get(0).startsWith("java "));

        Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(5)));
        launch(Map.of());
        assertTrue(calls().get(0).startsWith("mvn "), "a newer source rebuilds: " + calls());
    }

    @Test
    void aFailedBuildShowsMavensOutputAndRunsNothing() throws Exception {
        Files.writeString(root.resolve("fail-build"), "");
        ChildProcess.Finished failed = launch(Map.of());
        assertEquals(1, failed.exitCode());
        assertTrue(failed.output().contains("COMPILATION ERROR: Example.java") && failed.output().contains("build failed"),
                failed.output());
        assertFalse(calls().stream().anyMatch(call -> call.startsWith("java ")), calls().toString());
    }

    @Test
    void javaOptionsComeFromStyle4jJavaOptsWhenSet() throws Exception {
        launch(Map.of());
        String defaults = calls().get(calls().size() - 1);
        assertTrue(defaults.contains("-Xmx2g") && defaults.contains("maxphysicalbytes=10g"), defaults);
        launch(Map.of("STYLE4J_JAVA_OPTS", "-Xmx123m -Dstyle4j.native.build=default"));
        String custom = calls().get(calls().size() - 1);
        assertTrue(custom.contains("-Xmx123m") && custom.contains("-Dstyle4j.native.build=default"), custom);
        assertFalse(custom.contains("-Xmx2g"), "the variable replaces the defaults: " + custom);
        assertTrue(custom.contains(":/lib/a.jar"), "the class path Maven wrote: " + custom);
    }
}
