package io.github.style4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.testing.ChildProcess;
import io.github.style4j.core.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The README's jshell session, as a script, runs in a real jshell and exits cleanly. */
@Tag("shared")
class JshellQuickstartTest {
    @Test
    void quickstartScriptRuns() throws Exception {
        Path shared = SharedFiles.require("models/squeezenet1.1").getParent().getParent();
        Path script = Path.of("jshell", "quickstart.jsh").toAbsolutePath();
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path jshell = javaHome.resolve("bin").resolve("jshell");
        if (!Files.isExecutable(jshell)) {
            jshell = Path.of("jshell"); // a JRE layout: take jshell from the PATH
        }
        List<String> command = List.of(jshell.toString(), "--class-path", System.getProperty("java.class.path"),
                "-R-Xmx2g", "-R-Dstyle4j.shared.dir=" + shared, script.toString());
        var jshellRun = ChildProcess.run(command, Duration.ofMinutes(5));
        String text = jshellRun.output();
        assertEquals(0, jshellRun.exitCode(), text);
        assertTrue(text.contains("losses at the result:"), text);
        assertTrue(text.matches("(?s).*LivePreview\\[http://127\\.0\\.0\\.1:\\d+/[0-9a-f]{32}/, 0 panels\\].*"), text);
        assertTrue(!text.contains("Error:"), text);
    }
}
