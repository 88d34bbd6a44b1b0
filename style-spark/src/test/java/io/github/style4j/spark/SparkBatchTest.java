package io.github.style4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.examples.cli.BatchCommand;
import io.github.style4j.samediff.batch.BatchFiles;
import io.github.style4j.samediff.batch.BatchRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job in local mode with 2 workers on tiny images: the same pictures and manifest as
 * {@code ./style4j batch}, resumption after a failed job, bad inputs recorded.
 */
@Tag("shared")
class SparkBatchTest {
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("style4j test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    private List<String> arguments(Path folder, Path out) {
        return new ArrayList<>(List.of(folder.toString(), "--output-dir", out.toString(),
                "--style", SharedFiles.image("starry_night.jpg").toString(),
                "--weights", SharedFiles.require("models/squeezenet1.1").toString(), "-image_size", "32",
                "-num_iterations", "5", "-init", "image", "--no-progress"));
    }

    private Path photos(String... names) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("photos"));
        for (String name : names) {
            Files.copy(SharedFiles.image(name), folder.resolve(name));
        }
        return folder;
    }

    private static SparkBatch.Outcome run(List<String> arguments) throws Exception {
        return SparkBatch.run(spark, arguments, 2, new PrintWriter(new StringWriter()));
    }

    @Test
    void theJobMakesWhatTheBatchCommandMakes() throws Exception {
        Path folder = photos("chelsea.png", "coffee.png", "astronaut.png");
        Files.createDirectories(folder.resolve("more"));
        Files.copy(SharedFiles.image("rocket.jpg"), folder.resolve("more/rocket.jpg"));
        Path sparkOut = dir.resolve("spark");
        SparkBatch.Outcome outcome = run(arguments(folder, sparkOut));
        assertEquals(4, outcome.done(), outcome.toString());
        assertEquals(0, outcome.failed());

        Path localOut = dir.resolve("local");
        List<String> local = arguments(folder, localOut);
        assertEquals(0, BatchCommand.commandLine(new BatchCommand()).setOut(new PrintWriter(new StringWriter()))
                .execute(local.toArray(String[]::new)));
        for (String output : List.of("chelsea_starry_night.png", "coffee_starry_night.png",
                "astronaut_starry_night.png", "more/rocket_starry_night.png")) {
            assertArrayEquals(Files.readAllBytes(localOut.resolve(output)), Files.readAllBytes(sparkOut.resolve(output)),
                    output + ": the same picture from both");
        }
        // The manifest reads as the command's: one line per item, parts folded in, no side files.
        BatchRecord.Manifest manifest = BatchRecord.parse(Files.readAllLines(sparkOut.resolve(BatchFiles.MANIFEST)));
        assertEquals(4, manifest.latest().size());
        assertTrue(manifest.latest().values().stream().allMatch(BatchRecord::done));
        assertTrue(Files.notExists(sparkOut.resolve(HadoopBatchFiles.PARTS)) || isEmpty(sparkOut.resolve(
                HadoopBatchFiles.PARTS)));
        try (Stream<Path> files = Files.walk(sparkOut)) {
            assertEquals(List.of(), files.filter(file -> file.getFileName().toString().startsWith(".")).toList(),
                    "no temporary or checksum files");
        }
        // Run again: nothing to do; and ./style4j batch agrees the folder is done.
        SparkBatch.Outcome again = run(arguments(folder, sparkOut));
        assertEquals(4, again.alreadyDone());
        assertEquals(0, again.done());
        StringWriter said = new StringWriter();
        BatchCommand.commandLine(new BatchCommand()).setOut(new PrintWriter(said))
                .execute(arguments(folder, sparkOut).toArray(String[]::new));
        assertTrue(said.toString().contains("0 item(s) to do; 4 already done"), said.toString());
    }

    @Test
    void aFailedJobResumesFromItsPartsAndBadInputsAreRecorded() throws Exception {
        Path folder = photos("chelsea.png", "coffee.png");
        Files.write(folder.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Path out = dir.resolve("out");
        // A job that died after recording one item: its part file, no consolidated manifest.
        HadoopBatchFiles files = new HadoopBatchFiles(out.toString(), java.util.Map.of());
        SparkBatch.Outcome first = run(arguments(folder, out));
        assertEquals(2, first.done());
        assertEquals(1, first.failed());
        assertTrue(first.records().stream().filter(r -> !r.done()).findFirst().orElseThrow().error()
                .contains("broken.png"));
        List<String> lines = Files.readAllLines(out.resolve(BatchFiles.MANIFEST));
        String chelsea = lines.stream().filter(line -> line.contains("chelsea")).findFirst().orElseThrow();
        Files.delete(out.resolve(BatchFiles.MANIFEST));
        files.appendManifest(List.of(chelsea)); // as an executor of the dead job left it
        SparkBatch.Outcome resumed = run(arguments(folder, out));
        assertEquals(1, resumed.alreadyDone(), "chelsea was recorded by the dead job");
        assertEquals(1, resumed.done(), "coffee was not recorded, so it is done again");
        assertEquals(1, resumed.failed(), "broken.png has no record either, so it is tried again and fails again");
        assertEquals(3, BatchRecord.parse(Files.readAllLines(out.resolve(BatchFiles.MANIFEST))).latest().size());
    }

    @Test
    void usageErrorsAndChangedSettingsAreRefusedBeforeAnyWork() throws Exception {
        Path folder = photos("chelsea.png");
        Path out = dir.resolve("out");
        List<String> noStyle = List.of(folder.toString(), "--output-dir", out.toString());
        assertThrows(IllegalArgumentException.class, () -> run(noStyle));
        run(arguments(folder, out));
        List<String> changed = arguments(folder, out);
        changed.set(changed.indexOf("5"), "6");
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> run(changed));
        assertTrue(refused.getMessage().contains("other settings"), refused.getMessage());
    }

    private static boolean isEmpty(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.findAny().isEmpty();
        }
    }
}
