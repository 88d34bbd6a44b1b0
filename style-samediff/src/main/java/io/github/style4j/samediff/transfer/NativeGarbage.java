package io.github.style4j.samediff.transfer;

import java.util.Locale;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the JVM to collect between evaluations while resident memory is high, so that the
 * native memory of arrays nobody holds is returned before it piles up.
 *
 * <p>ND4J (1.0.0-M2.1, CPU) returns an array's native memory when the array is closed or
 * when the JVM collects it. Much is never closed (ND4J's and SameDiff's own temporaries, an
 * optimiser's previous gradient), and the Java heap stays nearly empty, so the collector seldom
 * runs by itself; the garbage grows off the heap until JavaCPP's physical cap forces
 * collections, each followed by a 100 ms wait. A 4096 px SqueezeNet run in tiles under a 6 GB
 * cap took 26.7 s an evaluation that way and
 * 12.7 s with the cap lifted (peak 10 GB). So after each evaluation, while resident memory is
 * above a share of the budget, and after each tile of a tiled evaluation (an evaluation at 4096 px
 * leaves about 2 GB of garbage), this collects, but never so often that collections take more
 * than a tenth of the time.
 *
 * <p>With {@code bin/run-java}'s allocator settings glibc keeps what ND4J frees, for reuse, and
 * a freed hole that smaller arrays have cut into no longer takes the next image-sized array: at
 * 8192 px each evaluation's new gradient added about 0.25 GB to resident memory until
 * JavaCPP's cap forced a trim. So when a collection leaves resident memory above
 * {@link #TRIM_SHARE} of the budget, this hands the free memory back to the system too
 * ({@code malloc_trim}, JavaCPP's {@code Pointer.trimMemory}).
 */
final class NativeGarbage {
    private static final Logger log = LoggerFactory.getLogger(NativeGarbage.class);
    /** The share of the budget above which resident memory is worth a collection. */
    static final double SHARE = 0.5;
    /** Collections take at most one part in this many of the time. */
    static final long TIME_RATIO = 10;
    /** The share of the budget above which, after a collection, free native memory is returned. */
    static final double TRIM_SHARE = 0.8;

    private final long threshold;
    private final long trimAbove;
    private final LongSupplier resident;
    private final Runnable collect;
    private final Runnable trim;
    private final LongSupplier nanoClock;
    private long lastEnd;
    private long lastCost;
    private long collections;
    private long trims;

    NativeGarbage(long threshold, LongSupplier resident, Runnable collect, LongSupplier nanoClock) {
        this(threshold, Long.MAX_VALUE, resident, collect, () -> { }, nanoClock);
    }

    NativeGarbage(long threshold, long trimAbove, LongSupplier resident, Runnable collect, Runnable trim,
                  LongSupplier nanoClock) {
        this.threshold = threshold;
        this.trimAbove = trimAbove;
        this.resident = resident;
        this.collect = collect;
        this.trim = trim;
        this.nanoClock = nanoClock;
    }

    /** For a run planned against {@code budget} bytes: resident memory from JavaCPP, collections by the JVM. */
    static NativeGarbage forBudget(long budget) {
        return new NativeGarbage((long) (budget * SHARE), (long) (budget * TRIM_SHARE),
                org.bytedeco.javacpp.Pointer::physicalBytes, System::gc, TRIM, System::nanoTime);
    }

    /**
     * JavaCPP's {@code Pointer.trimMemory()} ({@code malloc_trim(0)}: free pages anywhere in the
     * heap go back to the system), which JavaCPP itself calls at its cap; private in 1.5.7 (public
     * later), so reached by reflection; a no-op where it cannot be.
     */
    private static final Runnable NO_TRIM = () -> { };
    private static final Runnable TRIM = trimMemory();

    /** Whether free native memory can be handed back (JavaCPP's trimMemory was found). */
    static boolean canTrim() {
        return TRIM != NO_TRIM;
    }

    private static Runnable trimMemory() {
        try {
            java.lang.reflect.Method method = org.bytedeco.javacpp.Pointer.class.getDeclaredMethod("trimMemory");
            method.setAccessible(true);
            return () -> {
                try {
                    method.invoke(null);
                } catch (ReflectiveOperationException e) {
                    log.debug("could not trim native memory: {}", e.toString());
                }
            };
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("JavaCPP's trimMemory is not reachable ({}): free native memory stays with the allocator",
                    e.toString());
            return NO_TRIM;
        }
    }

    /** Collects if resident memory is high and the last collection is long enough ago. */
    void maybeCollect() {
        long now = nanoClock.getAsLong();
        if (collections > 0 && now - lastEnd < TIME_RATIO * lastCost) {
            return;
        }
        long before = resident.getAsLong();
        if (before < threshold) {
            return;
        }
        collect.run();
        if (resident.getAsLong() > trimAbove) {
            trim.run();
            trims++;
        }
        lastEnd = nanoClock.getAsLong();
        lastCost = lastEnd - now;
        collections++;
        if (log.isDebugEnabled()) {
            log.debug(String.format(Locale.ROOT, "collected at %.2f GB resident (threshold %.2f GB) in %.0f ms",
                    before / 1e9, threshold / 1e9, lastCost / 1e6));
        }
    }

    /** Times free native memory was handed back so far. */
    long trims() {
        return trims;
    }

    /** Collections asked for so far. */
    long collections() {
        return collections;
    }
}
