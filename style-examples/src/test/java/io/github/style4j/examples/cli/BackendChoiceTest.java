package io.github.style4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.testing.ChildProcess;
import io.github.style4j.core.testing.SharedFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Choosing the backend (#21): bin/run-java's decision to rebuild for the backend asked for
 * (-gpu N, --backend, STYLE4J_BACKEND, else the one built), the command line's check that the
 * class path holds it, and one clear line, no stack trace, when ND4J cannot start.
 */
class BackendChoiceTest {
    private static final Path ROOT = Path.of(System.getProperty("style4j.root", "..")).toAbsolutePath().normalize();

    @ParameterizedTest(name = "built {0}, asked [{1}] / STYLE4J_BACKEND={2}: {3}")
    @CsvSource(delimiter = '|', value = {
        "cpu  |             |     | backend=cpu built=cpu rebuild=no CUDA_VISIBLE_DEVICES=unset",
        "cpu  | -gpu 1      |     | backend=cuda built=cpu rebuild=yes CUDA_VISIBLE_DEVICES=1",
        "cpu  | -gpu -1     |     | backend=cpu built=cpu rebuild=no CUDA_VISIBLE_DEVICES=unset",
        "cpu  | --backend cuda |  | backend=cuda built=cpu rebuild=yes CUDA_VISIBLE_DEVICES=unset",
        "cuda |             |     | backend=cuda built=cuda rebuild=no CUDA_VISIBLE_DEVICES=unset",
        "cuda | -gpu -1     |     | backend=cpu built=cuda rebuild=yes CUDA_VISIBLE_DEVICES=unset",
        "cuda |             | cpu | backend=cpu built=cuda rebuild=yes CUDA_VISIBLE_DEVICES=unset",
        "cpu  |             | cuda | backend=cuda built=cpu rebuild=yes CUDA_VISIBLE_DEVICES=unset",
        "none |             |     | backend=cpu built=cpu rebuild=yes CUDA_VISIBLE_DEVICES=unset"})
    void runJavaRebuildsForTheBackendAskedFor(String built, String asked, String variable, String decision,
                                              @TempDir Path dir) throws Exception {
        Path classpath = dir.resolve("classpath.txt");
        if (built.equals("cpu")) {
            Files.writeString(classpath, "/m2/org/nd4j/nd4j-native/1.0.0-M2.1/nd4j-native-1.0.0-M2.1.jar");
        } else if (built.equals("cuda")) {
            Files.writeString(classpath, "/m2/org/nd4j/nd4j-cuda-11.6/1.0.0-M2.1/nd4j-cuda-11.6-1.0.0-M2.1.jar");
        }
        List<String> command = new ArrayList<>(List.of("bash", ROOT.resolve("bin/run-java").toString(), "Main"));
        if (asked != null) {
            command.addAll(List.of(asked.trim().split(" ")));
        }
        Map<String, String> environment = new java.util.HashMap<>(Map.of("STYLE4J_CLASSPATH_FILE",
                classpath.toString(), "STYLE4J_BACKEND_DECISION_ONLY", "1"));
        environment.put("STYLE4J_BACKEND", variable == null ? "" : variable);
        var run = ChildProcess.run(command, environment, Duration.ofSeconds(30));
        assertEquals(0, run.exitCode(), run.output());
        String expected = built.equals("none") ? decision.replace("rebuild=yes", "rebuild=no") : decision;
        assertEquals(expected, run.output().trim());
    }

    @Test
    void anUnknownBackendIsRefusedBeforeAnyBuild(@TempDir Path dir) throws Exception {
        var run = ChildProcess.run(List.of("bash", ROOT.resolve("bin/run-java").toString(), "Main", "--backend", "tpu"),
                Map.of("STYLE4J_CLASSPATH_FILE", dir.resolve("none.txt").toString(), "STYLE4J_BACKEND_DECISION_ONLY",
                        "1"), Duration.ofSeconds(30));
        assertEquals(2, run.exitCode());
        assertTrue(run.output().contains("unknown backend 'tpu'"), run.output());
    }

    @Test
    void askingForCudaOnACpuClassPathIsOneClearLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = StyliseCommand.commandLine(new StyliseCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute("-content_image", SharedFiles.image("chelsea.png").toString(), "-style_image",
                SharedFiles.image("starry_night.jpg").toString(), "-output_image",
                Path.of(System.getProperty("java.io.tmpdir"), "never-written.png").toString(), "-gpu", "0");
        assertEquals(1, exit, err.toString());
        assertTrue(err.toString().contains("-gpu 0 asks for the CUDA backend, but this class path has ND4J's CPU "
                + "backend"), err.toString());
        assertEquals(2, StyliseCommand.commandLine(new StyliseCommand()).execute("-content_image", "a.png",
                "-style_image", "b.png", "--backend", "tpu"));
    }

    @Test
    void ndFourJThatCannotStartIsOneLineAndExitOne(@TempDir Path dir) throws Exception {
        var run = ChildProcess.run(ChildProcess.java(List.of("-Dorg.bytedeco.javacpp.platform=linux-ppc64le"),
                StyliseCommand.class.getName(), List.of("-content_image", SharedFiles.image("chelsea.png").toString(),
                        "-style_image", SharedFiles.image("starry_night.jpg").toString(), "-output_image",
                        dir.resolve("out.png").toString(), "--model", "squeezenet", "--weights",
                        SharedFiles.require("models/squeezenet1.1").toString())), Duration.ofSeconds(120));
        assertEquals(1, run.exitCode(), run.output());
        List<String> ours = run.output().lines().filter(l -> l.startsWith("style4j: ")).toList();
        assertEquals(1, ours.size(), run.output());
        assertTrue(ours.get(0).startsWith("style4j: ND4J's CPU backend (nd4j-native) cannot start: "), ours.get(0));
        assertFalse(run.output().contains("\tat "), "no stack trace:\n" + run.output());
        assertFalse(Files.exists(dir.resolve("out.png")));
    }
}
