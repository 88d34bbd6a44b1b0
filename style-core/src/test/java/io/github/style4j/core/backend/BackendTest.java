package io.github.style4j.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.testing.ChildProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A backend that cannot start gives one sentence (which backend, what failed, what to do) as a
 * {@link BackendUnavailableException}, the same on every call, and nothing else on the console:
 * simulated in a fresh JVM by asking JavaCPP for a platform whose native libraries the class
 * path lacks, as a CUDA build without the NVIDIA driver lacks libcuda.
 */
class BackendTest {
    private static final String MESSAGE = "MESSAGE ";

    @Test
    void theFailingLibraryIsNamedWithoutTheCacheFolder() {
        UnsatisfiedLinkError error = new UnsatisfiedLinkError("/root/.javacpp/cache/cuda-11.6-8.3-1.5.7-linux-x86_64"
                + ".jar/org/bytedeco/cuda/linux-x86_64/libjnicudart.so: libcuda.so.1: cannot open shared object file: "
                + "No such file or directory");
        assertEquals("libcuda.so.1: cannot open shared object file: No such file or directory",
                Backend.cause(new ExceptionInInitializerError(error)));
        assertEquals("no jnind4jcpu in java.library.path", Backend.cause(
                new RuntimeException("wrapped", new UnsatisfiedLinkError("no jnind4jcpu in java.library.path."))));
    }

    @Test
    void theCudaMessageSaysWhatToInstallAndHowToRunOnTheCpu() {
        String message = Backend.message("CUDA", "libcuda.so.1: cannot open shared object file");
        assertTrue(message.startsWith("ND4J's CUDA backend"), message);
        assertTrue(message.contains("libcuda.so.1"), message);
        assertTrue(message.contains("NVIDIA driver") && message.contains("CUDA 11.6"), message);
        assertTrue(message.contains("STYLE4J_BACKEND=cpu ./style4j") && message.contains("without -Pcuda"), message);
    }

    @Test
    void aBackendThatCannotStartGivesOneClearSentenceEveryTime() throws Exception {
        var child = ChildProcess.run(ChildProcess.java(List.of("-Dorg.bytedeco.javacpp.platform=linux-ppc64le"),
                BackendTest.class.getName(), List.of()), Duration.ofSeconds(120));
        assertEquals(3, child.exitCode(), child.output());
        List<String> messages = child.output().lines().filter(l -> l.startsWith(MESSAGE)).toList();
        assertEquals(2, messages.size(), child.output());
        assertEquals(messages.get(0), messages.get(1), "the same exception on the second call");
        String message = messages.get(0);
        assertTrue(message.contains("ND4J's CPU backend (nd4j-native) cannot start: "), message);
        assertTrue(message.contains("Rebuild with mvn -B -DskipTests package"), message);
        assertFalse(child.output().contains("\tat "), "no stack trace:\n" + child.output());
        assertFalse(child.output().contains("ExceptionInInitializerError"), child.output());
    }

    /** Entry point of the child JVM: start the backend twice; exit 3 when it cannot start. */
    public static void main(String[] args) {
        try {
            Backend.start();
        } catch (BackendUnavailableException first) {
            try {
                Backend.start();
            } catch (BackendUnavailableException second) {
                System.out.println(MESSAGE + first.getMessage());
                System.out.println(MESSAGE + (second == first ? first.getMessage() : "a different exception"));
                System.exit(3);
            }
        }
        System.exit(0);
    }
}
