package io.github.style4j.samediff.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.style4j.core.image.ImageReader;
import io.github.style4j.core.image.ImageWriter;
import io.github.style4j.core.image.RgbImage;
import io.github.style4j.core.testing.SharedFiles;
import io.github.style4j.samediff.network.Architecture;
import io.github.style4j.samediff.transfer.StyleTransfer;
import io.github.style4j.samediff.transfer.StyleTransferConfig;
import io.github.style4j.samediff.weights.WeightSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batches on the real SqueezeNet weights at 48 px: the same pictures as single runs, the
 * network and style targets paid once, resumption after simulated crashes, bad inputs and
 * changed settings.
 */
class BatchRunnerTest {
    @TempDir
    Path dir;

    static StyleTransferConfig.Builder settings() {
        return StyleTransferConfig.builder().setContentImage(Path.of("unused.png"))
                .addStyleImage(SharedFiles.image("starry_night.jpg")).optNetwork(Architecture.SQUEEZENET)
                .optWeights(WeightSource.npyFolder(SharedFiles.require("models/squeezenet1.1")))
                .optImageSize(48).optIterations(6).optInit(StyleTransferConfig.Init.CONTENT);
    }

    private BatchRunner runner(StyleTransferConfig config, Path out) {
        return BatchRunner.builder().setConfig(config).addStyle(BatchStyle.images(config.styleImages()))
                .setFiles(new LocalBatchFiles(out)).build();
    }

    private static List<BatchInput> photos(String... names) {
        List<BatchInput> inputs = new ArrayList<>();
        for (String name : names) {
            inputs.add(new BatchInput(SharedFiles.image(name).toString(), name.substring(0, name.indexOf('.'))));
        }
        return inputs;
    }

    /** Records what a run planned. */
    private static final class Plan implements BatchListener {
        List<BatchItem> todo;
        int alreadyDone = -1;
        int failedBefore = -1;

        @Override
        public void planned(List<BatchItem> todo, int alreadyDone, int failedBefore) {
            this.todo = todo;
            this.alreadyDone = alreadyDone;
            this.failedBefore = failedBefore;
        }
    }

    @Test
    void aBatchPaintsWhatSingleRunsPaintAndLoadsTheNetworkAndTargetsOnce() throws Exception {
        StyleTransferConfig config = settings().build();
        Path out = dir.resolve("out");
        BatchRunner runner = runner(config, out);
        BatchResult result = runner.run(photos("chelsea.png", "coffee.png"), new BatchListener() { });
        assertEquals(2, result.done().size(), result.toString());
        // Network, style image and style targets computed once; the second item found all three.
        assertEquals(3, runner.cache().misses(), runner.cache().toString());
        assertTrue(runner.cache().hits() >= 3, runner.cache().toString());
        for (String photo : List.of("chelsea", "coffee")) {
            RgbImage single = new StyleTransfer(config.toBuilder().setContentImage(SharedFiles.image(photo + ".png"))
                    .build()).run().image();
            Path alone = dir.resolve(photo + "_alone.png");
            ImageWriter.defaults().write(single, alone);
            assertArrayEquals(Files.readAllBytes(alone), Files.readAllBytes(out.resolve(photo + "_starry_night.png")),
                    photo + ": the batch's picture is the single run's");
        }
        List<String> lines = Files.readAllLines(out.resolve(BatchFiles.MANIFEST));
        assertEquals(2, lines.size());
        BatchRecord first = BatchRecord.parse(lines).latest().get("chelsea_starry_night.png");
        assertTrue(first.done() && first.seconds() > 0 && first.input().endsWith("chelsea.png"), first.toString());
    }

    @Test
    void aRerunAfterACrashRedoesOnlyTheItemInProgress() throws Exception {
        StyleTransferConfig config = settings().build();
        Path out = dir.resolve("out");
        List<BatchInput> inputs = photos("chelsea.png", "coffee.png", "astronaut.png");
        runner(config, out).run(inputs, new BatchListener() { });
        Path manifest = out.resolve(BatchFiles.MANIFEST);
        List<String> lines = Files.readAllLines(manifest);
        // Killed while appending the third line, after its picture was written, with a temporary
        // file of a fourth picture half written beside it.
        String cut = lines.get(0) + "\n" + lines.get(1) + "\n" + lines.get(2).substring(0, 40);
        Files.writeString(manifest, cut);
        Files.write(out.resolve(".astronaut_starry_night.png.123.tmp"), new byte[] {(byte) 0x89, 'P'});
        long chelseaTime = Files.getLastModifiedTime(out.resolve("chelsea_starry_night.png")).toMillis();
        Plan plan = new Plan();
        BatchResult rerun = runner(config, out).run(inputs, plan);
        assertEquals(2, plan.alreadyDone);
        assertEquals(1, plan.todo.size());
        BatchItem redone = plan.todo.get(0);
        assertEquals("astronaut_starry_night.png", redone.output());
        assertEquals(1, rerun.done().size());
        assertEquals(chelseaTime, Files.getLastModifiedTime(out.resolve("chelsea_starry_night.png")).toMillis(),
                "done items are not touched");
        // A done item whose picture was deleted is made again.
        Files.delete(out.resolve("coffee_starry_night.png"));
        Plan third = new Plan();
        runner(config, out).run(inputs, third);
        assertEquals(List.of("coffee_starry_night.png"), third.todo.stream().map(BatchItem::output).toList());
    }

    @Test
    void aBadInputIsRecordedAndTheBatchGoesOn() throws Exception {
        Path broken = dir.resolve("broken.png");
        byte[] png = Files.readAllBytes(SharedFiles.image("chelsea.png"));
        Files.write(broken, java.util.Arrays.copyOf(png, 200)); // truncated
        List<BatchInput> inputs = new ArrayList<>(photos("coffee.png"));
        inputs.add(0, new BatchInput(broken.toString(), "broken"));
        StyleTransferConfig config = settings().build();
        Path out = dir.resolve("out");
        BatchResult result = runner(config, out).run(inputs, new BatchListener() { });
        assertEquals(1, result.done().size());
        assertEquals(1, result.failed().size());
        BatchRecord failure = result.failed().get(0);
        assertTrue(failure.error().contains("broken.png"), failure.error());
        assertTrue(!Files.exists(out.resolve("broken_starry_night.png")), "no output for a failed item");
        Plan skip = new Plan();
        runner(config, out).run(inputs, skip);
        assertEquals(1, skip.failedBefore);
        assertEquals(0, skip.todo.size(), "failures are not retried unless asked");
        Plan retry = new Plan();
        BatchRunner.builder().setConfig(config).addStyle(BatchStyle.images(config.styleImages()))
                .setFiles(new LocalBatchFiles(out)).optRetryFailed(true).build().run(inputs, retry);
        assertEquals(List.of("broken_starry_night.png"), retry.todo.stream().map(BatchItem::output).toList());
    }

    @Test
    void otherSettingsInTheManifestAreRefusedUnlessOverwriting() throws Exception {
        Path out = dir.resolve("out");
        List<BatchInput> inputs = photos("chelsea.png");
        runner(settings().build(), out).run(inputs, new BatchListener() { });
        StyleTransferConfig changed = settings().optIterations(7).build();
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> runner(changed, out).run(inputs, new BatchListener() { }));
        assertTrue(refused.getMessage().contains("other settings") && refused.getMessage().contains("chelsea"),
                refused.getMessage());
        Plan plan = new Plan();
        BatchRunner.builder().setConfig(changed).addStyle(BatchStyle.images(changed.styleImages()))
                .setFiles(new LocalBatchFiles(out)).optOverwrite(true).build().run(inputs, plan);
        assertEquals(1, plan.todo.size());
        // The output folder is the same, so only the latest settings are on record.
        Plan again = new Plan();
        runner(changed, out).run(inputs, again);
        assertEquals(1, again.alreadyDone);
    }

    @Test
    void aBadStyleStopsTheBatchBeforeAnyWork() throws Exception {
        Path notAnImage = dir.resolve("style.png");
        Files.writeString(notAnImage, "text", StandardCharsets.UTF_8);
        StyleTransferConfig config = settings().build();
        BatchRunner runner = BatchRunner.builder().setConfig(config)
                .addStyle(BatchStyle.images(List.of(notAnImage))).setFiles(new LocalBatchFiles(dir.resolve("out")))
                .build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> runner.run(photos("chelsea.png"), new BatchListener() { }));
        assertTrue(e.getMessage().contains("style.png"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("out").resolve(BatchFiles.MANIFEST)));
    }

    @Test
    void fastStyleModelsRunAsBatchItems() throws Exception {
        Path model = dir.resolve("m.style4j");
        io.github.style4j.samediff.fast.FastStyleModel.untrained(
                io.github.style4j.samediff.fast.TransformerNetwork.of(4, 1), 3).save(model);
        Path out = dir.resolve("out");
        StyleTransferConfig config = settings().optImageSize(40).build();
        BatchResult result = BatchRunner.builder().setConfig(config).addStyle(BatchStyle.model(model))
                .setFiles(new LocalBatchFiles(out)).optFormat("jpg").build()
                .run(photos("chelsea.png", "coffee.png"), new BatchListener() { });
        assertEquals(2, result.done().size(), result.toString());
        RgbImage chelsea = ImageReader.defaults().read(out.resolve("chelsea_m.jpg"));
        assertEquals(40, Math.max(chelsea.width(), chelsea.height()));
        RgbImage expected = io.github.style4j.samediff.fast.FastStyle.load(model).stylise(
                io.github.style4j.core.image.Resizing.fitToMaxSide(ImageReader.defaults()
                        .read(SharedFiles.image("coffee.png")), 40));
        Path alone = dir.resolve("alone.jpg");
        ImageWriter.defaults().write(expected, alone);
        assertNotNull(expected);
        assertArrayEquals(Files.readAllBytes(alone), Files.readAllBytes(out.resolve("coffee_m.jpg")));
    }
}
