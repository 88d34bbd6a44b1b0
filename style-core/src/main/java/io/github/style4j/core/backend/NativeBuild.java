package io.github.style4j.core.backend;

import java.util.Locale;
import java.util.Set;

/**
 * The native builds of ND4J's CPU backend, one per Maven classifier suffix of
 * {@code nd4j-native}, fastest first.
 *
 * <p>Each build is compiled for an instruction set; loading one the CPU lacks dies in
 * native code with an illegal instruction, so {@link #requiredCpuFlags()} lists the
 * Linux {@code /proc/cpuinfo} flags the build's compiler flags assume.
 */
public enum NativeBuild {
    /** oneDNN kernels, compiled for Skylake-X style AVX-512. */
    ONEDNN_AVX512("onednn-avx512", Set.of("avx2", "fma", "bmi1", "bmi2", "f16c",
            "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl")),
    /** Plain libnd4j compiled for AVX-512. */
    AVX512("avx512", Set.of("avx2", "fma", "bmi1", "bmi2", "f16c",
            "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl")),
    /** oneDNN kernels, compiled for Haswell style AVX2. */
    ONEDNN_AVX2("onednn-avx2", Set.of("avx2", "fma", "bmi1", "bmi2", "f16c")),
    /** Plain libnd4j compiled for AVX2. */
    AVX2("avx2", Set.of("avx2", "fma", "bmi1", "bmi2", "f16c")),
    /** oneDNN kernels for any x86-64 CPU (oneDNN dispatches on the CPU at run time). */
    ONEDNN("onednn", Set.of()),
    /** The default build: what {@code nd4j-native} loads when nobody chooses. */
    DEFAULT("", Set.of());

    private final String suffix;
    private final Set<String> requiredCpuFlags;

    NativeBuild(String suffix, Set<String> requiredCpuFlags) {
        this.suffix = suffix;
        this.requiredCpuFlags = requiredCpuFlags;
    }

    /** The classifier suffix, e.g. {@code onednn-avx512}; empty for {@link #DEFAULT}. */
    public String suffix() {
        return suffix;
    }

    /**
     * The suffix of the build's native folder after the JavaCPP platform name, e.g.
     * {@code -onednn-avx512} in {@code linux-x86_64-onednn-avx512}; empty for {@link #DEFAULT}.
     */
    public String platformExtension() {
        return suffix.isEmpty() ? "" : "-" + suffix;
    }

    /**
     * The value of JavaCPP's {@code org.bytedeco.javacpp.platform.extension} property that
     * loads this build. {@link #DEFAULT} needs {@code "-"} (the spelling ND4J's own preset
     * uses for "no extension"): with the property unset, JavaCPP does not load the default
     * build but tries ND4J's extensions in a fixed order, taking the first jar present
     * whatever the CPU.
     */
    public String javacppExtension() {
        return suffix.isEmpty() ? "-" : "-" + suffix;
    }

    /** CPU flags (as Linux names them in {@code /proc/cpuinfo}) the build needs. */
    public Set<String> requiredCpuFlags() {
        return requiredCpuFlags;
    }

    /** Whether a CPU with these flags can run this build. */
    public boolean runsOn(Set<String> cpuFlags) {
        return cpuFlags.containsAll(requiredCpuFlags);
    }

    /**
     * Parses a build name as written in {@code -Dstyle4j.native.build}: a classifier suffix
     * such as {@code onednn-avx2} (a leading {@code -} is allowed) or {@code default}.
     *
     * @throws IllegalArgumentException naming the valid values
     */
    public static NativeBuild parse(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        if (wanted.startsWith("-")) {
            wanted = wanted.substring(1);
        }
        if (wanted.equals("default") || wanted.equals("plain")) {
            return DEFAULT;
        }
        for (NativeBuild build : values()) {
            if (build.suffix.equals(wanted)) {
                return build;
            }
        }
        throw new IllegalArgumentException("Unknown ND4J native build '" + name + "'; valid values: auto, default, "
                + "onednn-avx512, avx512, onednn-avx2, avx2, onednn");
    }

    @Override
    public String toString() {
        return suffix.isEmpty() ? "default" : suffix;
    }
}
