package io.github.style4j.samediff.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class NativeGarbageTest {
    /**
     * Why {@link NativeGarbage} exists: an array nobody closed returns its native memory only
     * when the JVM collects it, however long it has been unreachable.
     */
    @Test
    void anUnclosedArrayReturnsItsMemoryOnlyWhenCollected() throws InterruptedException {
        long arrayBytes = 40L << 20; // above glibc's largest mmap threshold (32 MiB): freed blocks leave the process
        int arrays = 16;
        collectUntilStable();
        long before = Pointer.physicalBytes();
        for (int i = 0; i < arrays; i++) {
            Nd4j.create(DataType.FLOAT, arrayBytes / 4).assign(1); // every page touched, then unreachable
        }
        Thread.sleep(500);
        long unreachable = Pointer.physicalBytes();
        assertTrue(unreachable - before > arrays * arrayBytes / 2, String.format(java.util.Locale.ROOT,
                "%d unreachable arrays of %d MB left only %d MB more resident (a collection ran already?)",
                arrays, arrayBytes >> 20, (unreachable - before) >> 20));
        long collected = collectUntilStable();
        assertTrue(unreachable - collected > arrays * arrayBytes / 2, String.format(java.util.Locale.ROOT,
                "a collection returned only %d MB of %d MB", (unreachable - collected) >> 20,
                (unreachable - before) >> 20));
    }

    /** Collects until resident memory stops falling (ND4J frees collected arrays on its own thread); returns it. */
    private static long collectUntilStable() throws InterruptedException {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            System.gc();
            Thread.sleep(200);
            long now = Pointer.physicalBytes();
            if (now > last - (4L << 20)) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /** A clock that evaluations and collections advance by hand. */
    private long now;
    private long resident;
    private int collected;

    private NativeGarbage garbage(long collectionNanos) {
        return new NativeGarbage(1000, () -> resident, () -> {
            collected++;
            now += collectionNanos;
        }, () -> now);
    }

    @Test
    void collectsOnlyWhileResidentMemoryIsAboveTheThreshold() {
        NativeGarbage garbage = garbage(1);
        resident = 999;
        for (int i = 0; i < 5; i++) {
            now += 1_000_000;
            garbage.maybeCollect();
        }
        assertEquals(0, collected);
        resident = 1000;
        now += 1_000_000;
        garbage.maybeCollect();
        assertEquals(1, collected);
    }

    @Test
    void collectionsTakeAtMostATenthOfTheTime() {
        // Collections of 100 ms after evaluations of 30 ms: one at most every 1 s (10 x 100 ms) after the last.
        NativeGarbage garbage = garbage(100_000_000);
        resident = 5000;
        long start = now;
        for (int i = 0; i < 1000; i++) {
            now += 30_000_000;
            garbage.maybeCollect();
        }
        long elapsed = now - start;
        long collecting = collected * 100_000_000L;
        assertEquals(collected, garbage.collections());
        // No more than a tenth of the time (give or take the collection in progress) ...
        assertTrue(collecting * NativeGarbage.TIME_RATIO <= elapsed + 100_000_000L * NativeGarbage.TIME_RATIO,
                collecting + " ns collecting of " + elapsed);
        // ... and not much less: a collection as soon as 10 x its cost has passed (plus one evaluation).
        long cycle = 100_000_000L * (NativeGarbage.TIME_RATIO + 1) + 30_000_000L;
        assertTrue(collected >= elapsed / cycle - 1, collected + " collections in " + elapsed + " ns");
    }

    @Test
    void longEvaluationsAreEachFollowedByACollection() {
        NativeGarbage garbage = garbage(100_000_000);
        resident = 5000;
        for (int i = 0; i < 10; i++) {
            now += 2_000_000_000L; // 2 s an evaluation: more than 10 x a 100 ms collection
            garbage.maybeCollect();
        }
        assertEquals(10, collected);
    }
}
