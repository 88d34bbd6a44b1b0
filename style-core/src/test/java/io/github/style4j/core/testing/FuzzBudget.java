package io.github.style4j.core.testing;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one fuzz input under a time limit and an allocation limit, so that the two failures
 * fuzzing exists for become findings instead of passing: a hang (Jazzer's own per-input
 * timeout is off under JUnit, and replayed seeds have none) and a decompression bomb (which
 * the code under test may catch as an {@code OutOfMemoryError} and report as a refusal).
 * An input is a finding when it runs past the time limit, allocates more than the byte limit
 * on its thread, or fails with an {@code OutOfMemoryError} or {@code StackOverflowError}
 * anywhere in its exception's causes.
 *
 * <p>While Jazzer fuzzes ({@code JAZZER_FUZZ} set: the {@code fuzz} executions), its
 * instrumentation multiplies what the code under test allocates and how long it takes (a
 * 216-byte TIFF: 0.1 s replayed, over 10 s instrumented; the first call into picocli allocated
 * 496 MB while its classes were instrumented), so there the allocation limit is not applied,
 * the time limit is six times longer, and a bomb shows as an {@code OutOfMemoryError} under the
 * fuzz JVM's 1 GB heap. Replayed (every test run), each seed and finding meets the tight limits.
 */
public final class FuzzBudget {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** Whether Jazzer is fuzzing rather than replaying inputs. */
    public static final boolean FUZZING = System.getenv("JAZZER_FUZZ") != null
            && !System.getenv("JAZZER_FUZZ").isBlank();
    private static ExecutorService worker = newWorker();
    private static volatile Thread workerThread;

    private FuzzBudget() {
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "fuzz-input");
            thread.setDaemon(true); // a hung input must not keep the JVM alive
            return thread;
        });
    }

    /** What one input used. */
    private record Outcome<T>(T value, Exception failure, long allocatedBytes) {
    }

    /**
     * Runs {@code input}; returns its value or rethrows its exception, unless it broke a limit,
     * in which case an {@link AssertionError} says which.
     */
    public static synchronized <T> T run(Duration timeLimit, long maxAllocatedBytes, Callable<T> input)
            throws Exception {
        if (FUZZING) {
            timeLimit = timeLimit.multipliedBy(6);
            maxAllocatedBytes = Long.MAX_VALUE;
        }
        Future<Outcome<T>> future = worker.submit(() -> {
            workerThread = Thread.currentThread();
            long before = THREADS.getCurrentThreadAllocatedBytes();
            try {
                T value = input.call();
                return new Outcome<>(value, null, THREADS.getCurrentThreadAllocatedBytes() - before);
            } catch (Exception e) {
                return new Outcome<>(null, e, THREADS.getCurrentThreadAllocatedBytes() - before);
            }
        });
        Outcome<T> outcome;
        try {
            outcome = future.get(timeLimit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException hang) {
            StringBuilder where = new StringBuilder();
            Thread stuck = workerThread;
            if (stuck != null) {
                for (StackTraceElement frame : stuck.getStackTrace()) {
                    where.append("\n    at ").append(frame);
                }
            }
            future.cancel(true);
            worker.shutdownNow();
            worker = newWorker(); // the stuck thread is abandoned; later inputs get a fresh one
            throw new AssertionError("the input ran for more than " + timeLimit.toMillis() + " ms: a hang, here:"
                    + where);
        } catch (ExecutionException e) {
            throw new AssertionError("the input failed with an Error: " + e.getCause(), e.getCause());
        }
        if (outcome.failure() != null) {
            Throwable exhausted = resourceExhaustion(outcome.failure());
            if (exhausted != null) {
                throw new AssertionError("the input exhausted " + (exhausted instanceof OutOfMemoryError ? "memory"
                        : "the stack") + " (" + exhausted + "), even if it was then reported as a refusal: a bomb",
                        outcome.failure());
            }
        }
        if (outcome.allocatedBytes() > maxAllocatedBytes) {
            throw new AssertionError("the input allocated " + (outcome.allocatedBytes() >> 20) + " MiB, over the "
                    + (maxAllocatedBytes >> 20) + " MiB budget: a bomb", outcome.failure());
        }
        if (outcome.failure() != null) {
            throw outcome.failure();
        }
        return outcome.value();
    }

    /** The first {@code OutOfMemoryError} or {@code StackOverflowError} among causes and suppressed, or null. */
    static Throwable resourceExhaustion(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> pending = new ArrayDeque<>();
        pending.add(failure);
        while (!pending.isEmpty()) {
            Throwable t = pending.poll();
            if (!seen.add(t)) {
                continue;
            }
            if (t instanceof OutOfMemoryError || t instanceof StackOverflowError) {
                return t;
            }
            if (t.getCause() != null) {
                pending.add(t.getCause());
            }
            Collections.addAll(pending, t.getSuppressed());
        }
        return null;
    }
}
