package io.github.style4j.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import io.github.style4j.core.testing.ChildProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A JVM loads one native build for its life, so each request is checked in a fresh JVM:
 * the folder JavaCPP really loaded ND4J from must be the requested build's.
 */
class ForkedNativeBuildTest {
    private static final String LOADED = "LOADED ";

    @ParameterizedTest
    @EnumSource(NativeBuild.class)
    void aRequestedBuildIsTheOneLoaded(NativeBuild build) throws Exception {
        assumeTrue(NativeBuildSelector.onClassPath(build), () -> "Skipped: " + build + " is not on the test class path");
        assumeTrue(build.runsOn(CpuFeatures.current()), () -> "Skipped: this CPU cannot run " + build);
        String folder = loadedFolder("-D" + NativeBuildSelector.BUILD_PROPERTY + "=" + build);
        assertEquals(Loader.getPlatform() + build.platformExtension(), folder);
    }

    @ParameterizedTest
    @EnumSource(value = NativeBuild.class, names = {"ONEDNN_AVX512", "AVX512"})
    void anAvx512RequestOnACpuWithoutItIsRefusedNotCrashed(NativeBuild build) throws Exception {
        assumeTrue(NativeBuildSelector.onClassPath(build), () -> "Skipped: " + build + " is not on the test class path");
        // This CPU's flags less AVX-512, with this class path: the request must give way to a build it runs.
        var flags = new java.util.HashSet<>(CpuFeatures.current());
        flags.removeIf(flag -> flag.startsWith("avx512"));
        var selection = NativeBuildSelector.decide(build.suffix(), null, flags, NativeBuildSelector::onClassPath);
        assertTrue(selection.warning());
        assertTrue(selection.build() == null || selection.build().runsOn(flags), selection.reason());
    }

    /** Entry point of the child JVM: select, start ND4J, report the folder of the loaded library. */
    public static void main(String[] args) {
        NativeBuildSelector.select();
        Nd4j.create(1);
        System.out.println(LOADED + Path.of(Loader.getLoadedLibraries().get("jnind4jcpu")).getParent().getFileName());
    }

    private static String loadedFolder(String... jvmArgs) throws IOException, InterruptedException {
        var child = ChildProcess.run(ChildProcess.java(List.of(jvmArgs), ForkedNativeBuildTest.class.getName(),
                List.of()), Duration.ofSeconds(120));
        assertEquals(0, child.exitCode(), child.output());
        return child.output().lines().filter(l -> l.startsWith(LOADED)).map(l -> l.substring(LOADED.length()))
                .findFirst().orElseThrow(() -> new AssertionError("child printed no loaded library:\n" + child.output()));
    }
}
