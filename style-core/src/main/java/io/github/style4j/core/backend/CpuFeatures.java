package io.github.style4j.core.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The instruction-set flags of the CPU this JVM runs on, as Linux names them.
 *
 * <p>Read from {@code /proc/cpuinfo}, which lists a flag only when both the CPU and the
 * kernel support it (AVX-512 state saving included). Elsewhere the set is empty, which
 * makes {@link NativeBuildSelector} choose only builds that need no particular
 * instruction set: slower, never an illegal-instruction crash.
 */
public final class CpuFeatures {
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");
    private static volatile Set<String> current;

    private CpuFeatures() {
    }

    /** The flags every core of this machine has; empty where they cannot be read. */
    public static Set<String> current() {
        Set<String> flags = current;
        if (flags == null) {
            flags = read();
            current = flags;
        }
        return flags;
    }

    private static Set<String> read() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        if (!x86 || !Files.isReadable(CPUINFO)) {
            return Set.of();
        }
        try {
            return parseCpuinfo(Files.readAllLines(CPUINFO));
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }

    /**
     * The flags common to every processor listed in {@code /proc/cpuinfo} text (hybrid
     * CPUs may list different flags per core; only the intersection is safe).
     */
    static Set<String> parseCpuinfo(List<String> lines) {
        Set<String> common = null;
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.substring(0, colon).trim().equals("flags")) {
                continue;
            }
            Set<String> flags = new HashSet<>(Arrays.asList(line.substring(colon + 1).trim().split("\\s+")));
            if (common == null) {
                common = flags;
            } else {
                common.retainAll(flags);
            }
        }
        return common == null ? Set.of() : Set.copyOf(common);
    }
}
