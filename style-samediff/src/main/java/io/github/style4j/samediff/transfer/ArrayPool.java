package io.github.style4j.samediff.transfer;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A SameDiff session memory manager for a graph run many times at one size: arrays released
 * by the session are kept by exact type and shape and handed out again, without limit, so
 * after the first evaluation the graph allocates nothing. (SameDiff's default cache keeps at
 * most a quarter of memory and allocates every array it hands to the caller anew; measured
 * on VGG-19 at 512 px, allocation took more time than the loss graph's ops.) The caller
 * recycles everything once it has read a call's results ({@link #recycleAll}).
 *
 * <p>Not thread-safe, like the objective that owns it.
 */
public final class ArrayPool extends AbstractMemoryMgr {
    private static final Deque<INDArray> EMPTY = new ArrayDeque<>();
    private final Map<String, Deque<INDArray>> free = new HashMap<>();
    private final Set<INDArray> owned = Collections.newSetFromMap(new IdentityHashMap<>());

    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        Deque<INDArray> arrays = free.get(key(dataType, shape));
        if (arrays != null && !arrays.isEmpty()) {
            return arrays.pop();
        }
        INDArray array = Nd4j.createUninitializedDetached(dataType, shape);
        owned.add(array);
        return array;
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        return allocate(detached, descriptor.dataType(), descriptor.getShape());
    }

    @Override
    public void release(INDArray array) {
        if (array != null && owned.contains(array) && !free.getOrDefault(key(array), EMPTY).contains(array)) {
            free.computeIfAbsent(key(array), k -> new ArrayDeque<>()).push(array);
        }
    }

    /**
     * Marks every array this pool has handed out as free again. SameDiff 1.0.0-M2.1 releases few
     * of its intermediate arrays (the rest wait for the Java GC), but none outlives the call that
     * made it; so once the caller has read a call's outputs and gradients, all are dead.
     */
    public void recycleAll() {
        free.clear();
        for (INDArray array : owned) {
            free.computeIfAbsent(key(array), k -> new ArrayDeque<>()).push(array);
        }
    }

    @Override
    public void close() {
        for (INDArray array : owned) {
            if (array.closeable()) {
                array.close();
            }
        }
        owned.clear();
        free.clear();
    }

    /**
     * Makes this pool the memory manager of the calling thread's sessions of {@code sd} and its
     * gradient function (SameDiff keeps one session per thread and graph, made on first use with
     * its default memory manager). Call before each run: a new thread gets new sessions.
     */
    public void useIn(org.nd4j.autodiff.samediff.SameDiff sd) {
        for (org.nd4j.autodiff.samediff.SameDiff graph : java.util.Arrays.asList(sd, sd.getFunction("grad"))) {
            if (graph == null) {
                continue;
            }
            org.nd4j.autodiff.samediff.internal.InferenceSession session = graph.getSessions().computeIfAbsent(
                    Thread.currentThread().getId(), id -> new org.nd4j.autodiff.samediff.internal.InferenceSession(graph));
            if (session.getMmgr() != this) {
                session.getMmgr().close();
                session.setMmgr(this);
            }
        }
    }

    /** Arrays allocated so far (for tests: steady state means this stops growing). */
    int allocated() {
        return owned.size();
    }

    private static String key(INDArray array) {
        return key(array.dataType(), array.shape());
    }

    private static String key(DataType dataType, long[] shape) {
        return dataType + Arrays.toString(shape);
    }
}
