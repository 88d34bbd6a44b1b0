package io.github.style4j.core.backend;

import java.util.Locale;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts ND4J's backend once per JVM, from style4j's entry points, and either says once which
 * device runs the work or fails with a {@link BackendUnavailableException} that says which
 * backend the class path holds, what failed to load, and what to do.
 *
 * <p>ND4J, left to itself, prints the {@code UnsatisfiedLinkError} of a backend it cannot load
 * (a CUDA build on a machine without the NVIDIA driver: {@code libcuda.so.1: cannot open
 * shared object file}) and then fails every later call with an {@code ExceptionInInitializerError}
 * from its static initialiser. So the native libraries are loaded here first, before ND4J
 * looks for a backend: a failure is caught here, said in one sentence, and remembered, so that
 * every later call gets the same exception.
 */
public final class Backend {
    private static final Logger log = LoggerFactory.getLogger(Backend.class);
    static final String CUDA_BACKEND = "org.nd4j.linalg.jcublas.JCublasBackend";
    static final String CPU_BACKEND = "org.nd4j.linalg.cpu.nativecpu.CpuBackend";
    /** Classes whose static initialisers load the native libraries, in the order ND4J needs them. */
    private static final String[] CUDA_NATIVES = {"org.bytedeco.cuda.global.cudart", "org.nd4j.nativeblas.Nd4jCuda"};
    private static final String[] CPU_NATIVES = {"org.nd4j.nativeblas.Nd4jCpu"};

    private static String description;
    private static boolean cudaRunning;
    private static BackendUnavailableException failure;

    private Backend() {
    }

    /**
     * Starts the backend (choosing the CPU build first, see {@link NativeBuildSelector}) and
     * returns one line saying what runs the work; later calls return the same line.
     *
     * @throws BackendUnavailableException the backend cannot start (the same exception on every call)
     */
    public static synchronized String start() {
        if (description != null) {
            return description;
        }
        if (failure != null) {
            throw failure;
        }
        NativeBuildSelector.select();
        ClassLoader loader = Backend.class.getClassLoader();
        boolean cuda = present(CUDA_BACKEND, loader);
        boolean cpu = present(CPU_BACKEND, loader);
        if (!cuda && !cpu) {
            throw remember(new BackendUnavailableException("no ND4J backend is on the class path; add org.nd4j:"
                    + "nd4j-native-platform (CPU) or build with -Pcuda (see the README's \"Native build\")", null));
        }
        String kind = cuda ? "CUDA" : "CPU";
        for (String natives : cuda ? CUDA_NATIVES : CPU_NATIVES) {
            try {
                Class.forName(natives, true, loader);
            } catch (ClassNotFoundException e) {
                // not part of this version's backend: ND4J will say what is missing below
            } catch (LinkageError | RuntimeException e) {
                throw remember(new BackendUnavailableException(message(kind, cause(e)), e));
            }
        }
        try {
            Properties environment = org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation();
            description = describe(kind, environment);
        } catch (LinkageError | RuntimeException e) {
            throw remember(new BackendUnavailableException(message(kind, cause(e)), e));
        }
        cudaRunning = cuda;
        log.info("ND4J backend: {}", description);
        return description;
    }

    /** Whether the started backend is CUDA ({@link #start()} first). */
    public static synchronized boolean usesCuda() {
        start();
        return cudaRunning;
    }

    private static BackendUnavailableException remember(BackendUnavailableException e) {
        failure = e;
        return e;
    }

    private static boolean present(String className, ClassLoader loader) {
        return loader.getResource(className.replace('.', '/') + ".class") != null;
    }

    /**
     * The sentence for a backend that cannot start: which, what failed, what to do.
     *
     * @param kind  "CUDA" or "CPU"
     * @param cause the innermost failure's text, e.g. {@code libcuda.so.1: cannot open shared object file}
     */
    static String message(String kind, String cause) {
        if (kind.equals("CUDA")) {
            return "ND4J's CUDA backend (a -Pcuda build, nd4j-cuda-11.6) cannot start: " + cause + ". Install the "
                    + "NVIDIA driver and the CUDA 11.6 runtime with cuDNN 8, or run on the CPU: STYLE4J_BACKEND=cpu "
                    + "./style4j ... (it rebuilds for the CPU), or mvn -B -DskipTests package without -Pcuda";
        }
        return "ND4J's CPU backend (nd4j-native) cannot start: " + cause + ". Rebuild with mvn -B -DskipTests "
                + "package; ND4J 1.0.0-M2.1's CPU builds run on 64-bit Linux, macOS and Windows (x86-64; Linux also "
                + "arm64), and -D" + NativeBuildSelector.BUILD_PROPERTY + "=default picks its plainest build";
    }

    /** The innermost message, without the folder JavaCPP extracted the library to. */
    static String cause(Throwable e) {
        Throwable innermost = e;
        while (innermost.getCause() != null && innermost.getCause() != innermost) {
            innermost = innermost.getCause();
        }
        String text = String.valueOf(innermost.getMessage());
        int library = text.lastIndexOf(".so: ");
        if (library < 0) {
            library = text.lastIndexOf(".dylib: ");
        }
        if (library < 0) {
            library = text.lastIndexOf(".dll: ");
        }
        String cause = library >= 0 ? text.substring(text.indexOf(": ", library) + 2) : text;
        return cause.replaceAll("[.\\s]+$", ""); // the message adds its own full stop
    }

    private static String describe(String kind, Properties environment) {
        String cores = String.valueOf(environment.getOrDefault("cores", "?"));
        String blas = String.valueOf(environment.getOrDefault("blas.vendor", "?"));
        String threads = String.valueOf(environment.getOrDefault("omp.threads", "?"));
        if (kind.equals("CUDA")) {
            Object devices = environment.get("cuda.devicesInformation");
            return String.format(Locale.ROOT, "CUDA, devices %s (CUDA_VISIBLE_DEVICES=%s), %s host cores",
                    devices, System.getenv().getOrDefault("CUDA_VISIBLE_DEVICES", "unset"), cores);
        }
        NativeBuild chosen = NativeBuildSelector.select().build();
        String build = chosen == null ? "chosen by JavaCPP" : chosen.toString();
        return String.format(Locale.ROOT, "CPU, build %s, %s cores, %s OpenMP threads, BLAS %s", build, cores,
                threads, blas);
    }
}
