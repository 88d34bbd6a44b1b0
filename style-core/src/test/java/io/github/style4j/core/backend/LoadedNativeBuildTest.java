package io.github.style4j.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** The build JavaCPP really loaded in this JVM is the one the selector chose. */
class LoadedNativeBuildTest {
    @Test
    void javacppLoadedTheSelectedBuild() {
        NativeBuildSelector.Selection selection = NativeBuildSelector.select();
        assertNotNull(selection.build(), selection.reason());
        assertEquals(2.0 + 3.0, Nd4j.createFromArray(2.0f, 3.0f).sumNumber().doubleValue(), 0.0);

        String loaded = Loader.getLoadedLibraries().get("jnind4jcpu");
        assertNotNull(loaded, "ND4J's JNI library is not among JavaCPP's loaded libraries");
        String folder = Path.of(loaded).getParent().getFileName().toString();
        assertEquals(Loader.getPlatform() + selection.build().platformExtension(), folder);
    }

    /** The machines this project is built on (and CI) are AVX-512 Xeons: they must get the fast build. */
    @Test
    void avx512MachinesGetTheOneDnnAvx512Build() {
        assumeTrue(NativeBuild.ONEDNN_AVX512.runsOn(CpuFeatures.current()),
                "Skipped: this CPU lacks AVX-512, so the AVX-512 build must not be chosen here");
        assertEquals("-onednn-avx512", System.getProperty(NativeBuildSelector.JAVACPP_EXTENSION_PROPERTY));
        assertEquals(NativeBuild.ONEDNN_AVX512, NativeBuildSelector.select().build());
    }
}
