package io.github.style4j.samediff.transfer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What transfers with the same network and styles can share: the loaded network, the decoded
 * style images, and the style targets (Gram matrices) at each size. Give one cache to every
 * {@link StyleTransfer} of a batch ({@link StyleTransfer#useCache}) and the weights are loaded,
 * and each style's targets computed, once for all of them. Entries are keyed by every setting
 * they depend on, so transfers with other settings share only what is the same.
 *
 * <p>Safe to share between threads; the cached network and targets are read, never changed.
 * Holds its arrays until dropped: one cache per batch.
 */
public final class TransferCache {
    private final Map<String, Object> entries = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger hits = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger misses = new java.util.concurrent.atomic.AtomicInteger();

    /** Something computed for the cache that may fail with a checked exception. */
    @FunctionalInterface
    interface Computation<T, E extends Exception> {
        T compute() throws E;
    }

    /** The entry for {@code key}, computed by {@code computation} the first time (once, even across threads). */
    @SuppressWarnings("unchecked")
    <T, E extends Exception> T get(String key, Computation<T, E> computation) throws E {
        Object present = entries.get(key);
        if (present != null) {
            hits.incrementAndGet();
            return (T) present;
        }
        synchronized (this) { // computing twice would load the weights twice: one at a time
            present = entries.get(key);
            if (present != null) {
                hits.incrementAndGet();
                return (T) present;
            }
            T value = computation.compute();
            entries.put(key, value);
            misses.incrementAndGet();
            return value;
        }
    }

    /** Entries held. */
    public int size() {
        return entries.size();
    }

    /** Lookups answered from the cache. */
    public int hits() {
        return hits.get();
    }

    /** Lookups that computed their entry. */
    public int misses() {
        return misses.get();
    }

    @Override
    public String toString() {
        return "TransferCache[" + entries.size() + " entries, " + hits + " hits, " + misses + " misses]";
    }
}
