package io.github.style4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.testing.ChildProcess;
import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.samediff.batch.BatchFiles;
import io.github.style4j.samediff.batch.BatchRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./style4j batch} end to end: results, reruns, bad inputs, shards, and a SIGKILL mid-batch. */
@Tag("shared")
class BatchCommandTest {
    @TempDir
    Path dir;

    private static List<String> arguments(Path out, String... more) {
        return arguments(8, out, more);
    }

    private static List<String> arguments(int iterations, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("--style", SharedFiles.image("starry_night.jpg").toString(),
                "--weights", SharedFiles.require("models/squeezenet1.1").toString(), "-image_size", "48",
                "-num_iterations", String.valueOf(iterations), "-init", "image", "--no-progress", "--output-dir",
                out.toString()));
        args.addAll(List.of(more));
        return args;
    }

    private record Result(int status, String out, String err) {
    }

    private static Result run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = BatchCommand.commandLine(new BatchCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int status = cli.execute(args.toArray(String[]::new));
        return new Result(status, out.toString(), err.toString());
    }

    private Path photos(String... names) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("photos"));
        for (String name : names) {
            Files.copy(SharedFiles.image(name), folder.resolve(name));
        }
        return folder;
    }

    @Test
    void aFolderWithABadFileIsDoneExceptThatFileAndTheExitSaysSo() throws Exception {
        Path folder = photos("chelsea.png", "coffee.png");
        Files.write(folder.resolve("damaged.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
        Path out = dir.resolve("out");
        Result first = run(arguments(out, folder.toString()));
        assertEquals(1, first.status(), first.out() + first.err());
        assertTrue(first.err().contains("1 item(s) failed") && first.err().contains("damaged.png"), first.err());
        assertTrue(first.out().contains("done   chelsea_starry_night.png"), first.out());
        assertEquals(48, ImageReader.defaults().read(out.resolve("coffee_starry_night.png")).width());

        Result again = run(arguments(out, folder.toString()));
        assertEquals(0, again.status(), again.err());
        assertTrue(again.out().contains("0 item(s) to do; 2 already done, 1 failed before"), again.out());

        Result changed = run(arguments(9, out, folder.toString()));
        assertEquals(1, changed.status());
        assertTrue(changed.err().contains("other settings") && changed.err().contains("--overwrite"), changed.err());
    }

    @Test
    void shardsTogetherDoEveryItemOnce() throws Exception {
        Path folder = photos("chelsea.png", "coffee.png", "astronaut.png");
        Path out = dir.resolve("out");
        int total = 0;
        for (int i = 1; i <= 2; i++) {
            Result part = run(arguments(out, folder.toString(), "--style", SharedFiles.image("the_scream.jpg")
                    .toString(), "--shard", i + "/2"));
            assertEquals(0, part.status(), part.err());
            total += (int) part.out().lines().filter(line -> line.startsWith("done ")).count();
        }
        assertEquals(6, total, "3 photos x 2 styles");
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(6, files.filter(file -> file.toString().endsWith(".png")).count());
        }
        assertEquals(6, BatchRecord.parse(Files.readAllLines(out.resolve(BatchFiles.MANIFEST))).latest().size());
    }

    @Test
    void usageErrorsNameTheProblem() throws Exception {
        Path folder = photos("chelsea.png");
        Result noStyle = run(List.of(folder.toString(), "--output-dir", dir.resolve("o").toString()));
        assertEquals(2, noStyle.status());
        assertTrue(noStyle.err().contains("no style"), noStyle.err());
        Result badShard = run(arguments(dir.resolve("o"), folder.toString(), "--shard", "3/2"));
        assertEquals(2, badShard.status());
        assertTrue(badShard.err().contains("I/N"), badShard.err());
        Result flowWithoutVideo = run(arguments(dir.resolve("o"), folder.toString(), "--flow-dir", dir.toString()));
        assertEquals(2, flowWithoutVideo.status());
        Path file = Files.writeString(dir.resolve("file"), "x");
        Result unwritable = run(arguments(file.resolve("sub"), folder.toString()));
        assertEquals(2, unwritable.status());
        assertTrue(unwritable.err().contains("cannot be created"), unwritable.err());
    }

    /**
     * SIGKILL while items are in progress: every picture in the folder is whole, and the rerun
     * does exactly the items without a manifest line (at most one of them had been started).
     */
    @Test
    void aBatchKilledWithSigkillRedoesAtMostTheItemInProgress() throws Exception {
        Path folder = photos("chelsea.png", "coffee.png", "astronaut.png");
        Path out = dir.resolve("out");
        List<String> args = arguments(40, out, folder.toString(), "--style", SharedFiles.image("the_scream.jpg")
                .toString(), "--style", SharedFiles.image("shipwreck.jpg").toString());
        Path manifest = out.resolve(BatchFiles.MANIFEST);
        int linesAtKill;
        try (ChildProcess child = ChildProcess.start(ChildProcess.java(List.of("-Xmx2g", "-Djava.awt.headless=true"),
                StyliseCommand.class.getName(), prepend("batch", args)), dir.resolve("child.log"))) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (System.nanoTime() < deadline && child.isAlive()
                    && (!Files.exists(manifest) || Files.readAllLines(manifest).size() < 2)) {
                Thread.sleep(10);
            }
            assertTrue(child.isAlive(), "finished before it could be killed:\n" + child.output());
            child.signal("KILL");
            assertTrue(child.waitFor(Duration.ofSeconds(30)));
        }
        BatchRecord.Manifest recorded = BatchRecord.parse(Files.readAllLines(manifest));
        linesAtKill = recorded.latest().size();
        assertTrue(linesAtKill >= 2 && linesAtKill < 9, "killed mid-batch: " + linesAtKill);
        int pictures = 0;
        try (Stream<Path> files = Files.list(out)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".png")).toList()) {
                assertTrue(!file.getFileName().toString().startsWith("."), "a temporary file kept its final name");
                assertEquals(48, Math.max(ImageReader.defaults().read(file).width(),
                        ImageReader.defaults().read(file).height()), file + " is whole");
                pictures++;
            }
        }
        assertTrue(pictures - linesAtKill <= 1, "at most the item in progress is written without a manifest line");
        Result rerun = run(args);
        assertEquals(0, rerun.status(), rerun.err());
        assertTrue(rerun.out().contains((9 - linesAtKill) + " item(s) to do; " + linesAtKill + " already done"),
                rerun.out());
        assertEquals(9, BatchRecord.parse(Files.readAllLines(manifest)).latest().size());
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }
}
