package io.github.style4j.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NativeBuildSelectorTest {
    // Flag sets as Linux prints them for three generations of x86-64 CPUs (abridged).
    private static final Set<String> SSE_ONLY = Set.of("fpu", "sse", "sse2", "ssse3", "sse4_1", "sse4_2", "popcnt");
    private static final Set<String> HASWELL = union(SSE_ONLY, Set.of("avx", "avx2", "fma", "bmi1", "bmi2", "f16c"));
    private static final Set<String> SKYLAKE_X = union(HASWELL,
            Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"));
    /** What style-examples and the test class path carry. */
    private static final Set<NativeBuild> SHIPPED = EnumSet.of(NativeBuild.ONEDNN_AVX512, NativeBuild.ONEDNN_AVX2,
            NativeBuild.ONEDNN, NativeBuild.DEFAULT);

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void picksTheFastestBuildTheCpuRuns() {
        assertEquals(NativeBuild.ONEDNN_AVX512, NativeBuildSelector.decide(null, null, SKYLAKE_X, SHIPPED::contains).build());
        assertEquals(NativeBuild.ONEDNN_AVX2, NativeBuildSelector.decide(null, null, HASWELL, SHIPPED::contains).build());
        assertEquals(NativeBuild.ONEDNN, NativeBuildSelector.decide("auto", null, SSE_ONLY, SHIPPED::contains).build());
        // Unknown CPU (flags unreadable, e.g. not Linux): nothing that needs an instruction set.
        assertEquals(NativeBuild.ONEDNN, NativeBuildSelector.decide(null, null, Set.of(), SHIPPED::contains).build());
    }

    @Test
    void picksOnlyWhatTheClassPathHolds() {
        Set<NativeBuild> plainOnly = EnumSet.of(NativeBuild.DEFAULT);
        assertEquals(NativeBuild.DEFAULT, NativeBuildSelector.decide(null, null, SKYLAKE_X, plainOnly::contains).build());
        Set<NativeBuild> avx512Plain = EnumSet.of(NativeBuild.AVX512, NativeBuild.DEFAULT);
        assertEquals(NativeBuild.AVX512, NativeBuildSelector.decide(null, null, SKYLAKE_X, avx512Plain::contains).build());
        assertEquals(NativeBuild.DEFAULT, NativeBuildSelector.decide(null, null, HASWELL, avx512Plain::contains).build());
    }

    @Test
    void avx512NeedsEveryAvx512SubsetItWasCompiledFor() {
        Set<String> foundationOnly = union(HASWELL, Set.of("avx512f"));
        assertEquals(NativeBuild.ONEDNN_AVX2,
                NativeBuildSelector.decide(null, null, foundationOnly, SHIPPED::contains).build());
    }

    @Test
    void honoursARequestTheCpuAndClassPathAllow() {
        var selection = NativeBuildSelector.decide("default", null, SKYLAKE_X, SHIPPED::contains);
        assertEquals(NativeBuild.DEFAULT, selection.build());
        assertFalse(selection.warning());
        assertEquals(NativeBuild.ONEDNN_AVX2,
                NativeBuildSelector.decide("-onednn-avx2", null, SKYLAKE_X, SHIPPED::contains).build());
    }

    @Test
    void refusesARequestThatWouldCrashAndSaysWhy() {
        var selection = NativeBuildSelector.decide("onednn-avx512", null, HASWELL, SHIPPED::contains);
        assertEquals(NativeBuild.ONEDNN_AVX2, selection.build());
        assertTrue(selection.warning());
        assertTrue(selection.reason().contains("avx512f"), selection.reason());
        assertTrue(selection.reason().contains("illegal instruction"), selection.reason());
    }

    @Test
    void refusesARequestForABuildNotOnTheClassPath() {
        var selection = NativeBuildSelector.decide("avx512", null, SKYLAKE_X, SHIPPED::contains);
        assertEquals(NativeBuild.ONEDNN_AVX512, selection.build());
        assertTrue(selection.warning());
        assertTrue(selection.reason().contains("-avx512"), selection.reason());
    }

    @Test
    void leavesAUserSetJavacppExtensionAlone() {
        var selection = NativeBuildSelector.decide("onednn", "-avx2", SKYLAKE_X, SHIPPED::contains);
        assertNull(selection.build());
        assertTrue(selection.reason().contains("-avx2"));
    }

    @Test
    void doesNothingWithoutACpuBackend() {
        var selection = NativeBuildSelector.decide(null, null, SKYLAKE_X, build -> false);
        assertNull(selection.build());
        assertFalse(selection.warning());
    }

    @Test
    void warnsWhenNoShippedBuildRunsOnTheCpu() {
        Set<NativeBuild> avx512Only = EnumSet.of(NativeBuild.ONEDNN_AVX512);
        var selection = NativeBuildSelector.decide(null, null, HASWELL, avx512Only::contains);
        assertNull(selection.build());
        assertTrue(selection.warning());
    }

    @Test
    void unknownBuildNamesListTheValidOnes() {
        var error = assertThrows(IllegalArgumentException.class, () -> NativeBuild.parse("avx1024"));
        assertTrue(error.getMessage().contains("onednn-avx512"), error.getMessage());
        assertEquals(NativeBuild.DEFAULT, NativeBuild.parse("plain"));
    }

    @Test
    void cpuFlagsAreThoseEveryCoreHas() {
        List<String> cpuinfo = List.of(
                "processor\t: 0", "flags\t\t: fpu sse2 avx2 avx512f", "",
                "processor\t: 1", "flags\t\t: fpu sse2 avx2", "");
        assertEquals(Set.of("fpu", "sse2", "avx2"), CpuFeatures.parseCpuinfo(cpuinfo));
        assertEquals(Set.of(), CpuFeatures.parseCpuinfo(List.of("processor : 0")));
    }

    @Test
    void platformNamesMatchJavacpp() {
        assertEquals(org.bytedeco.javacpp.Loader.getPlatform(), NativeBuildSelector.javacppPlatform());
    }
}
