package io.github.style4j.samediff.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listing inputs, naming outputs, splitting into shards, reading manifests: no network involved. */
class BatchPlanTest {
    @TempDir
    Path dir;

    private Path touch(String relative) throws Exception {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[] {1});
        return file;
    }

    @Test
    void foldersGlobsAndListFilesExpandInNameOrder() throws Exception {
        touch("shoot/b.jpg");
        touch("shoot/a.png");
        touch("shoot/day2/c.JPG");
        touch("shoot/notes.md");
        touch("shoot/.hidden.png");
        List<BatchInput> folder = BatchInputs.expand(List.of(dir.resolve("shoot").toString()));
        assertEquals(List.of("a", "b", "day2/c"), folder.stream().map(BatchInput::name).toList());

        List<BatchInput> glob = BatchInputs.expand(List.of(dir.resolve("shoot") + "/*.jpg"));
        assertEquals(List.of("b"), glob.stream().map(BatchInput::name).toList());
        List<BatchInput> deep = BatchInputs.expand(List.of(dir.resolve("shoot") + "/**/*.JPG"));
        assertEquals(List.of("day2/c"), deep.stream().map(BatchInput::name).toList());

        Path list = dir.resolve("list.txt");
        Files.writeString(list, "# the two I like\nshoot/b.jpg\n\n  shoot/day2/c.JPG  \n");
        List<BatchInput> listed = BatchInputs.expand(List.of(list.toString(),
                dir.resolve("shoot/b.jpg").toString()));
        assertEquals(List.of("b", "c"), listed.stream().map(BatchInput::name).toList(),
                "listed once each, in the list's order");
    }

    @Test
    void inputsThatNameNothingAreReportedWithTheArgument() throws Exception {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> BatchInputs.expand(List.of(dir.resolve("nope").toString())));
        assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
        Files.createDirectories(dir.resolve("empty"));
        assertThrows(IllegalArgumentException.class, () -> BatchInputs.expand(List.of(dir.resolve("empty").toString())));
        assertThrows(IllegalArgumentException.class, () -> BatchInputs.expand(List.of(dir + "/*.png")));
        Path list = dir.resolve("bad.lst");
        Files.writeString(list, "gone.png\n");
        IllegalArgumentException badLine = assertThrows(IllegalArgumentException.class,
                () -> BatchInputs.expand(List.of(list.toString())));
        assertTrue(badLine.getMessage().contains("line 1"), badLine.getMessage());
    }

    @Test
    void outputsAreNamedAfterInputAndStyleAndMustNotCollide() throws Exception {
        BatchStyle starry = BatchStyle.images(List.of(Path.of("art/starry night.jpg")));
        BatchStyle blend = BatchStyle.images(List.of(Path.of("a.png"), Path.of("b.jpg")));
        BatchStyle model = BatchStyle.model(Path.of("models/scream.style4j"));
        List<BatchItem> items = BatchPlan.items(List.of(new BatchInput("x/beach.png", "day1/beach")),
                List.of(starry, blend, model), "jpg");
        assertEquals(List.of("day1/beach_starry_night.jpg", "day1/beach_a+b.jpg", "day1/beach_scream.jpg"),
                items.stream().map(BatchItem::output).toList());
        IllegalArgumentException clash = assertThrows(IllegalArgumentException.class, () -> BatchPlan.items(
                List.of(new BatchInput("one/beach.png", "beach"), new BatchInput("two/beach.jpg", "beach")),
                List.of(starry), "png"));
        assertTrue(clash.getMessage().contains("one/beach.png") && clash.getMessage().contains("two/beach.jpg"),
                clash.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BatchPlan.items(List.of(), List.of(starry), "gif"));
    }

    @Test
    void shardsCoverEveryItemExactlyOnce() {
        List<BatchInput> inputs = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            inputs.add(new BatchInput("in/" + i + ".png", "photo_" + i));
        }
        List<BatchItem> items = BatchPlan.items(inputs, List.of(BatchStyle.images(List.of(Path.of("s.png"))),
                BatchStyle.images(List.of(Path.of("t.png")))), "png");
        for (int count : new int[] {1, 2, 3, 7}) {
            Map<String, Integer> owners = new HashMap<>();
            int[] sizes = new int[count];
            for (int index = 1; index <= count; index++) {
                Shard shard = Shard.parse(index + "/" + count);
                for (BatchItem item : items) {
                    if (shard.contains(item)) {
                        assertNull(owners.put(item.output(), index), item.output() + " in two shards");
                        sizes[index - 1]++;
                    }
                }
            }
            assertEquals(items.size(), owners.size(), "every item in some shard of " + count);
            for (int size : sizes) {
                // 1000 items: each shard near 1000/count (a hash, not a round robin)
                assertTrue(Math.abs(size - items.size() / (double) count) < 0.25 * items.size() / count + 10,
                        java.util.Arrays.toString(sizes));
            }
        }
        // The same item lands in the same shard whatever its absolute location.
        BatchItem here = BatchPlan.items(List.of(new BatchInput("/a/b/x.png", "x")), List.of(BatchStyle.images(
                List.of(Path.of("s.png")))), "png").get(0);
        BatchItem there = BatchPlan.items(List.of(new BatchInput("/elsewhere/x.png", "x")), List.of(BatchStyle.images(
                List.of(Path.of("other/s.png")))), "png").get(0);
        for (int index = 1; index <= 5; index++) {
            assertEquals(new Shard(index, 5).contains(here), new Shard(index, 5).contains(there));
        }
        assertThrows(IllegalArgumentException.class, () -> Shard.parse("0/3"));
        assertThrows(IllegalArgumentException.class, () -> Shard.parse("4/3"));
        assertThrows(IllegalArgumentException.class, () -> Shard.parse("two"));
    }

    @Test
    void manifestKeepsEachItemsLatestLineAndSkipsLinesCutShort() throws Exception {
        BatchRecord failed = new BatchRecord("in/a.png", "s", "a_s.png", "h1", BatchRecord.FAILED, 1.5, "boom", null);
        BatchRecord done = new BatchRecord("in/a.png", "s", "a_s.png", "h1", BatchRecord.DONE, 2.5, null, "note");
        BatchRecord other = new BatchRecord("in/b.png", "s", "b_s.png", "h1", BatchRecord.DONE, 1, null, null);
        String cut = other.toJson().substring(0, 30);
        BatchRecord.Manifest manifest = BatchRecord.parse(List.of(failed.toJson(), done.toJson(), cut, ""));
        assertEquals(1, manifest.latest().size());
        assertEquals(1, manifest.unreadableLines());
        BatchRecord back = manifest.latest().get("a_s.png");
        assertTrue(back.done());
        assertEquals(2.5, back.seconds());
        assertEquals("note", back.note());
        assertNull(back.error());

        LocalBatchFiles files = new LocalBatchFiles(dir.resolve("out"));
        Files.writeString(dir.resolve("out").resolve(BatchFiles.MANIFEST), failed.toJson() + "\n" + cut);
        files.appendManifest(List.of(other.toJson()));
        BatchRecord.Manifest appended = BatchRecord.parse(files.readManifest());
        assertEquals(2, appended.latest().size(), "the line after a cut one starts on a line of its own");
        assertEquals(1, appended.unreadableLines());
    }

    @Test
    void anOutputFolderThatCannotBeMadeIsReported() throws Exception {
        Path file = touch("plain-file");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LocalBatchFiles(file.resolve("sub")));
        assertTrue(e.getMessage().contains("cannot be created") && e.getMessage().contains("--output-dir"),
                e.getMessage());
        LocalBatchFiles files = new LocalBatchFiles(dir.resolve("ok"));
        assertThrows(IllegalArgumentException.class, () -> files.resolve("../escape.png"));
    }
}
