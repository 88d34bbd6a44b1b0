package io.github.style4j.examples.cli;

import io.github.style4j.samediff.network.NetworkWeights;
import io.github.style4j.samediff.weights.KnownWeightFile;
import io.github.style4j.samediff.weights.ModelDownloader;
import io.github.style4j.samediff.weights.WeightFiles;
import io.github.style4j.samediff.weights.WeightLoadException;
import io.github.style4j.samediff.weights.WeightReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./style4j weights}: look at, check and convert weight files in any format style4j
 * reads, and see what is in the download cache.
 */
@Command(name = "weights", mixinStandardHelpOptions = true, version = "style4j 0.1.0-SNAPSHOT",
        description = {"Weight files: PyTorch .pth, ONNX, Keras .h5, Caffe .caffemodel, DL4J zip or a folder of .npy.",
                "Pass any of them to ./style4j --weights; the network is taken from the file."},
        subcommands = {WeightsCommand.Info.class, WeightsCommand.Verify.class, WeightsCommand.Convert.class,
                WeightsCommand.Where.class})
public final class WeightsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static void print(PrintWriter out, WeightReport report) {
        out.printf(Locale.ROOT, "file:          %s (%s)%n", report.path(), megabytes(report.bytes()));
        out.printf(Locale.ROOT, "format:        %s%n", report.format());
        out.printf(Locale.ROOT, "architecture:  %s%n", report.architecture() == null
                ? "none style4j builds (" + report.layers().size() + " convolutions)" : report.architecture());
        List<String> layers = report.layers();
        out.printf(Locale.ROOT, "layers:        %d convolutions%s%n", layers.size(), layers.isEmpty() ? ""
                : ": " + layers.get(0) + (layers.size() > 1 ? " ... " + layers.get(layers.size() - 1) : ""));
        if (!report.skipped().isEmpty()) {
            out.printf(Locale.ROOT, "not read:      %d tensors (%s%s)%n", report.skipped().size(), report.skipped().get(0),
                    report.skipped().size() > 1 ? ", ..." : "");
        }
        out.printf(Locale.ROOT, "preprocessing: %s%n", WeightReport.describe(report.preprocessing()));
        if (report.sha256() != null) {
            out.printf(Locale.ROOT, "sha256:        %s%n", report.sha256());
        }
        out.printf(Locale.ROOT, "%s%n", report.recognition());
    }

    private static String megabytes(long bytes) {
        return bytes < 0 ? "? MB" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** Runs a subcommand's work, turning a weight error into one line and exit status 1. */
    private static int report(CommandSpec spec, Work work) {
        try {
            work.run(spec.commandLine().getOut());
            return 0;
        } catch (WeightLoadException | io.github.style4j.core.backend.BackendUnavailableException e) {
            spec.commandLine().getErr().println("style4j weights: " + e.getMessage());
            return 1;
        }
    }

    @FunctionalInterface
    private interface Work {
        void run(PrintWriter out) throws WeightLoadException;
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Format, network, layers, preprocessing, hash, and whether it is a known published file.")
    static final class Info implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "A weight file or folder.")
        Path file;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return report(spec, out -> print(out, WeightFiles.inspect(file)));
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Reads every weight and checks it: hashes, shapes, no NaN. Exit status 1 if anything is wrong.")
    static final class Verify implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "A weight file or folder.")
        Path file;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return report(spec, out -> {
                WeightReport report = WeightFiles.verify(file);
                out.printf(Locale.ROOT, "OK: %s, %s, %d convolutions read, all finite; %s%n", file, report.architecture(),
                        report.layers().size(), report.recognition());
            });
        }
    }

    @Command(name = "convert", mixinStandardHelpOptions = true,
            description = "Writes the weights as a folder of .npy files, the fastest to load (--weights DIR).")
    static final class Convert implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "A weight file or folder.")
        Path file;

        @Option(names = "--to", required = true, paramLabel = "DIR", description = "The new folder (must not exist).")
        Path target;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return report(spec, out -> {
                NetworkWeights weights = WeightFiles.convert(file, target);
                out.printf(Locale.ROOT, "Wrote %s: %s, %d convolutions, %s. Use it with --weights %s%n", target,
                        weights.architecture(), weights.convolutions().size(),
                        WeightReport.describe(weights.preprocessing()), target);
            });
        }
    }

    @Command(name = "where", mixinStandardHelpOptions = true,
            description = "The download cache folder and the weight files in it and in PyTorch's and Keras' caches.")
    static final class Where implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Path home = Path.of(System.getProperty("user.home"));
            Path cache = ModelDownloader.builder().build().cacheDir();
            out.println("style4j download cache (DL4J zoo files): " + cache);
            list(out, cache);
            out.println("PyTorch hub cache: " + home.resolve(".cache/torch/hub/checkpoints"));
            list(out, home.resolve(".cache/torch/hub/checkpoints"));
            out.println("Keras cache: " + home.resolve(".keras/models"));
            list(out, home.resolve(".keras/models"));
            out.println("Known files (pass any with --weights):");
            for (KnownWeightFile known : KnownWeightFile.ALL) {
                if (known.url() != null) {
                    out.printf(Locale.ROOT, "  %-52s %s%n", known.fileName(), known.description());
                }
            }
            return 0;
        }

        private static void list(PrintWriter out, Path folder) {
            if (!Files.isDirectory(folder)) {
                out.println("  (no such folder)");
                return;
            }
            try (Stream<Path> files = Files.list(folder)) {
                List<Path> weights = files.filter(Files::isRegularFile)
                        .filter(p -> !p.getFileName().toString().endsWith(".part")).sorted().toList();
                if (weights.isEmpty()) {
                    out.println("  (empty)");
                }
                for (Path file : weights) {
                    String what;
                    try {
                        WeightReport report = WeightFiles.inspect(file);
                        what = report.format() + ", " + report.architecture() + "; " + report.recognition();
                    } catch (WeightLoadException e) {
                        what = "not usable: " + e.getMessage().replace(file.toString() + ": ", "");
                    }
                    out.printf(Locale.ROOT, "  %s (%s): %s%n", file.getFileName(), megabytes(file.toFile().length()), what);
                }
            } catch (IOException e) {
                out.println("  (cannot list: " + e.getMessage() + ")");
            }
        }
    }

    static CommandLine commandLine() {
        return new CommandLine(new WeightsCommand()).setExpandAtFiles(false)
                .setParameterExceptionHandler((error, args) -> {
                    PrintWriter err = error.getCommandLine().getErr();
                    err.println("style4j weights: " + error.getMessage());
                    err.println("Run ./style4j weights --help for the subcommands.");
                    return CommandLine.ExitCode.USAGE;
                });
    }
}
