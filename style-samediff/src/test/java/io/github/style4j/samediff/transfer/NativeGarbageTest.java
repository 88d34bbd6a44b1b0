package io.github.style4j.samediff.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link NativeGarbage}'s policy with a hand-driven clock and memory gauge. (Its premise, that
 * unreachable ND4J arrays stay resident until a collection, and its effect, 26.7 -> 12.9 s an
 * evaluation at 4096 px under a 6 GiB cap, are measured by {@code ./style4j-bench large}, not
 * here: in a test JVM shared with other tests any collection can run at any time.)
 */
class NativeGarbageTest {
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

    @Test
    void freeMemoryIsReturnedOnlyWhenACollectionLeavesResidentMemoryHigh() {
        int[] trimmed = {0};
        long[] afterCollection = {0};
        NativeGarbage garbage = new NativeGarbage(1000, 1600, () -> resident, () -> {
            collected++;
            resident = afterCollection[0];
            now += 1;
        }, () -> trimmed[0]++, () -> now);
        resident = 2000;
        afterCollection[0] = 1500; // the collection freed enough
        now += 1_000_000;
        garbage.maybeCollect();
        assertEquals(1, collected);
        assertEquals(0, trimmed[0]);
        resident = 2000;
        afterCollection[0] = 1700; // still above the trim threshold after collecting
        now += 1_000_000;
        garbage.maybeCollect();
        assertEquals(2, collected);
        assertEquals(1, trimmed[0]);
        assertEquals(1, garbage.trims());
    }

    @Test
    void javaCppsTrimIsReachable() {
        // Private in JavaCPP 1.5.7 and reached by reflection: a JavaCPP upgrade that moves it must be noticed.
        assertTrue(NativeGarbage.canTrim(), "Pointer.trimMemory() was not found");
    }
}
