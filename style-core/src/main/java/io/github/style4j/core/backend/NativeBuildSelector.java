package io.github.style4j.core.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the fastest native build of ND4J's CPU backend that both this CPU can run and
 * the class path holds, and tells JavaCPP to load it.
 *
 * <p>{@code nd4j-native} ships one jar of native code per build (Maven classifiers
 * {@code linux-x86_64}, {@code linux-x86_64-onednn-avx512}, ...). JavaCPP loads the one
 * named by the system property {@code org.bytedeco.javacpp.platform.extension}, read when
 * ND4J first loads its native library. Without it JavaCPP tries the extensions ND4J's
 * preset lists ({@code -onednn-avx2} before the default build, for one) and loads the first
 * jar present without asking the CPU: a class path carrying an AVX-512 jar would stop an
 * older CPU with an illegal instruction. On an AVX-512
 * Xeon the oneDNN AVX-512 build ran a VGG-19 forward and backward pass about five times
 * faster than the default, so the choice is made for the user: {@link #select()} runs
 * once per JVM, before ND4J starts, from style4j's entry points.
 *
 * <p>Overrides, in order of precedence:
 * <ul>
 *   <li>{@code -Dorg.bytedeco.javacpp.platform.extension=...} set by the user is left alone;</li>
 *   <li>{@code -Dstyle4j.native.build=auto|default|onednn-avx512|avx512|onednn-avx2|avx2|onednn}
 *       asks for one build; it is refused, with a warning and the automatic choice, when the
 *       CPU cannot run it or the class path lacks it.</li>
 * </ul>
 * Only CPU builds are chosen; a CUDA backend on the class path is left to its defaults.
 */
public final class NativeBuildSelector {
    /** The style4j property that asks for one build; {@code auto} (the default) chooses. */
    public static final String BUILD_PROPERTY = "style4j.native.build";
    /** JavaCPP's property naming the variant of a native library to load. */
    public static final String JAVACPP_EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";

    private static final Logger log = LoggerFactory.getLogger(NativeBuildSelector.class);
    private static final String CPU_BINDINGS = "org/nd4j/linalg/cpu/nativecpu/bindings/";
    private static Selection selection;

    private NativeBuildSelector() {
    }

    /**
     * The outcome of a choice.
     *
     * @param build    the build JavaCPP will load; {@code null} where style4j left the choice
     *                 to JavaCPP (no CPU backend on the class path, or the user set the
     *                 JavaCPP property)
     * @param reason   one sentence for the log and for benchmarks
     * @param warning  whether the reason reports a refused override or a missing build
     */
    public record Selection(NativeBuild build, String reason, boolean warning) {
    }

    /**
     * Chooses once per JVM and sets JavaCPP's property; later calls return the first
     * answer. Has an effect only when called before ND4J loads its native library.
     */
    public static synchronized Selection select() {
        if (selection == null) {
            selection = decide(System.getProperty(BUILD_PROPERTY), System.getProperty(JAVACPP_EXTENSION_PROPERTY),
                    CpuFeatures.current(), NativeBuildSelector::onClassPath);
            if (selection.build() != null) {
                System.setProperty(JAVACPP_EXTENSION_PROPERTY, selection.build().javacppExtension());
            }
            if (selection.warning()) {
                log.warn("ND4J native build: {}", selection.reason());
            } else if (selection.build() == null) {
                log.debug("ND4J native build: {}", selection.reason()); // a CUDA class path: Backend says what runs
            } else {
                log.info("ND4J native build: {}", selection.reason());
            }
        }
        return selection;
    }

    /**
     * The decision itself, free of the machine it runs on.
     *
     * @param requested       value of {@value #BUILD_PROPERTY}, or null
     * @param presetExtension value of {@value #JAVACPP_EXTENSION_PROPERTY} before style4j ran, or null
     * @param cpuFlags        the CPU's flags, as {@link CpuFeatures#current()} gives them
     * @param onClassPath     whether a build's native library is on the class path
     */
    static Selection decide(String requested, String presetExtension, Set<String> cpuFlags,
                            Predicate<NativeBuild> onClassPath) {
        if (presetExtension != null) {
            return new Selection(null, JAVACPP_EXTENSION_PROPERTY + "='" + presetExtension
                    + "' was set by the user and is left as it is", false);
        }
        List<NativeBuild> present = new ArrayList<>();
        for (NativeBuild build : NativeBuild.values()) {
            if (onClassPath.test(build)) {
                present.add(build);
            }
        }
        if (present.isEmpty()) {
            return new Selection(null, "no nd4j-native build on the class path; ND4J chooses its backend itself",
                    false);
        }
        String refusal = null;
        if (requested != null && !requested.isBlank() && !requested.trim().equalsIgnoreCase("auto")) {
            NativeBuild wanted = NativeBuild.parse(requested);
            if (!wanted.runsOn(cpuFlags)) {
                Set<String> missing = new java.util.TreeSet<>(wanted.requiredCpuFlags());
                missing.removeAll(cpuFlags);
                refusal = BUILD_PROPERTY + "=" + requested + " refused: this CPU lacks " + missing
                        + " and would stop with an illegal instruction";
            } else if (!present.contains(wanted)) {
                refusal = BUILD_PROPERTY + "=" + requested + " refused: add org.nd4j:nd4j-native with classifier "
                        + "<platform>" + wanted.platformExtension() + " to the class path";
            } else {
                return new Selection(wanted, wanted + " (requested with -D" + BUILD_PROPERTY + ")", false);
            }
        }
        for (NativeBuild build : present) {
            if (build.runsOn(cpuFlags)) {
                String reason = build + " (fastest this CPU runs among " + present + " on the class path)";
                return new Selection(build, refusal == null ? reason : refusal + "; using " + reason,
                        refusal != null);
            }
        }
        return new Selection(null, (refusal == null ? "" : refusal + "; ")
                + "no nd4j-native build on the class path runs on this CPU (have " + present
                + "); add org.nd4j:nd4j-native with the classifier of your platform", true);
    }

    /** Whether the class path holds this build's native library for this platform. */
    public static boolean onClassPath(NativeBuild build) {
        String resource = CPU_BINDINGS + javacppPlatform() + build.platformExtension() + "/"
                + System.mapLibraryName("jnind4jcpu");
        return NativeBuildSelector.class.getClassLoader().getResource(resource) != null;
    }

    /** JavaCPP's platform name ({@code linux-x86_64}, {@code macosx-arm64}, ...), computed as JavaCPP does. */
    static String javacppPlatform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osName = os.startsWith("windows") ? "windows" : os.startsWith("mac") ? "macosx" : os.replace(" ", "");
        String archName = switch (arch) {
            case "amd64", "x86_64", "x86-64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            case "i386", "i486", "i586", "i686", "x86" -> "x86";
            default -> arch;
        };
        return osName + "-" + archName;
    }
}
