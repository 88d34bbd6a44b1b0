package io.github.style4j.spark;

import io.github.style4j.examples.cli.BatchCommand;
import io.github.style4j.samediff.batch.BatchInput;
import io.github.style4j.samediff.batch.BatchItem;
import io.github.style4j.samediff.batch.BatchListener;
import io.github.style4j.samediff.batch.BatchRecord;
import io.github.style4j.samediff.batch.BatchRunner;
import io.github.style4j.samediff.weights.WeightLoadException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;

/**
 * {@code ./style4j batch} on Apache Spark: the same flags, items, output names and manifest.
 * The driver lists the inputs and reads the manifest (through Hadoop's FileSystem), makes a
 * Dataset of the items left to do, and spreads it over the executors; each executor JVM parses
 * the same flags once, so it loads the network and computes each style's targets once (the
 * weights travel as their location, never as arrays), then runs its items and records each in
 * the manifest. A failed or killed job is resumed by running it again.
 *
 * <pre>
 *   spark-submit --class io.github.style4j.spark.SparkBatch style-spark/target/style-spark-jar-with-dependencies.jar \
 *       hdfs://nn/photos --output-dir hdfs://nn/styled --style /shared/starry_night.jpg --weights /shared/squeezenet1.1
 * </pre>
 *
 * Without spark-submit (or {@code --master}), it runs in an embedded {@code local[*]} Spark.
 */
public final class SparkBatch {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SparkBatch.class);
    /** Per executor JVM: one runner per flag list, shared by the JVM's task threads. */
    private static final Map<List<String>, BatchRunner> RUNNERS = new ConcurrentHashMap<>();

    private SparkBatch() {
    }

    /** What a job did. */
    public record Outcome(int done, int failed, int alreadyDone, int failedBefore, List<BatchRecord> records) {
    }

    /**
     * Runs the batch that {@code batchArguments} ({@code ./style4j batch}'s flags) describe on
     * {@code spark}, in {@code partitions} parts (0: one per item, up to the default parallelism).
     *
     * @throws IllegalArgumentException a usage error
     * @throws IllegalStateException    the manifest holds other settings (without --overwrite), a style cannot be used
     */
    public static Outcome run(SparkSession spark, List<String> batchArguments, int partitions, PrintWriter out)
            throws IOException {
        BatchCommand command = BatchCommand.parse(batchArguments.toArray(String[]::new));
        Map<String, String> hadoop = HadoopBatchFiles.settingsOf(spark.sparkContext().hadoopConfiguration());
        HadoopBatchFiles files = new HadoopBatchFiles(command.outputDir(), hadoop);
        files.consolidate(); // parts left by a job that failed
        BatchRunner planner = command.runnerBuilder(command.config()).setFiles(files).build();
        List<BatchInput> inputs = HadoopInputs.expand(command.inputArguments(), files.configuration());
        BatchRunner.Plan plan = planner.plan(inputs);
        out.printf(Locale.ROOT, "%d item(s) to do; %d already done%s; %d in other shards%n", plan.todo().size(),
                plan.alreadyDone(), plan.failedBefore() > 0 ? ", " + plan.failedBefore() + " failed before "
                        + "(--retry-failed redoes them)" : "", plan.otherShards());
        out.flush();
        List<ItemRow> rows = new ArrayList<>();
        for (BatchItem item : plan.todo()) {
            rows.add(new ItemRow(item.input().location(), item.input().name(), item.style().name()));
        }
        List<BatchRecord> records = new ArrayList<>();
        if (!rows.isEmpty()) {
            int parts = partitions > 0 ? partitions : Math.min(rows.size(), spark.sparkContext().defaultParallelism());
            Dataset<ItemRow> items = spark.createDataset(rows, Encoders.bean(ItemRow.class)).repartition(parts);
            List<String> json;
            try {
                // The flags, weights location included, go to each executor once; never the arrays.
                Broadcast<List<String>> flags = JavaSparkContext.fromSparkContext(spark.sparkContext())
                        .broadcast(List.copyOf(batchArguments));
                json = items.mapPartitions(new RunItems(flags, files), Encoders.STRING()).collectAsList();
            } finally {
                files.consolidate();
            }
            json.forEach(line -> records.add(BatchRecord.parse(List.of(line)).latest().values().iterator().next()));
        }
        int done = (int) records.stream().filter(BatchRecord::done).count();
        return new Outcome(done, records.size() - done, plan.alreadyDone(), plan.failedBefore(), records);
    }

    /** Runs a partition's items with this JVM's runner; returns their records as JSON. */
    private static final class RunItems implements MapPartitionsFunction<ItemRow, String>, Serializable {
        private static final long serialVersionUID = 1L;
        private final Broadcast<List<String>> arguments;
        private final HadoopBatchFiles files;

        RunItems(Broadcast<List<String>> arguments, HadoopBatchFiles files) {
            this.arguments = arguments;
            this.files = files;
        }

        @Override
        public Iterator<String> call(Iterator<ItemRow> rows) throws IOException, WeightLoadException {
            BatchRunner runner = RUNNERS.computeIfAbsent(arguments.value(), key -> {
                BatchCommand command = BatchCommand.parse(key.toArray(String[]::new));
                return command.runnerBuilder(command.config()).setFiles(files).build();
            });
            List<String> records = new ArrayList<>();
            while (rows.hasNext()) {
                ItemRow row = rows.next();
                BatchItem item = runner.items(List.of(new BatchInput(row.getLocation(), row.getName()))).stream()
                        .filter(candidate -> candidate.style().name().equals(row.getStyle())).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no style " + row.getStyle()));
                BatchRecord record = runner.runOne(item, new BatchListener() { });
                log.info("{} {} ({} s)", record.status(), record.output(), String.format(Locale.ROOT, "%.1f",
                        record.seconds()));
                records.add(record.toJson());
            }
            return records.iterator();
        }
    }

    /**
     * {@code SparkBatch [--master URL] [--partitions N] <./style4j batch's arguments>}. Exit 0
     * when every item is done, 1 when some failed or the job could not run, 2 on a usage error.
     */
    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.log.io.github.style4j.samediff.transfer.StyleTransfer", "warn");
        System.setProperty("java.awt.headless", "true");
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        if (java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h")) {
            out.println("Usage: ./style4j-spark [--master URL] [--partitions N] <the arguments of ./style4j batch>");
            out.println("  --master URL     Spark master (default: spark-submit's, else an embedded local[*])");
            out.println("  --partitions N   parts the items are split into (default: one per item, up to the "
                    + "default parallelism)");
            out.println();
            BatchCommand.commandLine(new BatchCommand()).usage(out);
            System.exit(0);
        }
        String master = null;
        int partitions = 0;
        List<String> batch = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--master") && i + 1 < args.length) {
                    master = args[++i];
                } else if (args[i].equals("--partitions") && i + 1 < args.length) {
                    partitions = Integer.parseInt(args[++i]);
                } else {
                    batch.add(args[i]);
                }
            }
            BatchCommand.parse(batch.toArray(String[]::new)); // usage errors before Spark starts
        } catch (RuntimeException e) {
            err.println("style4j spark: " + e.getMessage());
            err.println("Usage: SparkBatch [--master URL] [--partitions N] <the arguments of ./style4j batch>");
            System.exit(2);
        }
        SparkSession.Builder builder = SparkSession.builder().appName("style4j batch");
        if (master != null) {
            builder.master(master);
        } else if (!new org.apache.spark.SparkConf().contains("spark.master")) {
            builder.master("local[*]"); // not under spark-submit: embedded
        }
        int status;
        try (SparkSession spark = builder.getOrCreate()) {
            long start = System.nanoTime();
            Outcome outcome = run(spark, batch, partitions, out);
            out.printf(Locale.ROOT, "Done %d item(s) in %.1f s; %d failed%n", outcome.done(),
                    (System.nanoTime() - start) / 1e9, outcome.failed());
            outcome.records().stream().filter(record -> !record.done())
                    .forEach(record -> err.println("  " + record.input() + ": " + record.error()));
            status = outcome.failed() == 0 ? 0 : 1;
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            err.println("style4j spark: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }
}
