package io.github.style4j.examples.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./style4j-bench}: the project's benchmarks, one subcommand each. */
@Command(name = "style4j-bench", mixinStandardHelpOptions = true,
        description = "style4j benchmarks. Numbers from a shared machine are noisy: compare only rows of one run.",
        subcommands = {BackendBenchmark.class, ImageLoadBenchmark.class, NetworkBenchmark.class,
                WeightLoadBenchmark.class, ImageFormatsBenchmark.class, ReadmeBenchmark.class,
                LargeImageBenchmark.class, FastStyleBenchmark.class, BatchBenchmark.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }
}
