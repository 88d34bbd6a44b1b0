package io.github.style4j.core.optim;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A vector's elements on the Java heap in its own precision, for the bounded L-BFGS's
 * element-wise steps: a float32 image takes 4 bytes an element here, not the 8 a double copy
 * took (at 4096 px, 200 MB instead of 400 MB for each of the few copies an iteration makes).
 * Arithmetic on the elements is in double either way, rounded once when stored.
 */
final class HostVector {
    private final float[] floats;
    private final double[] doubles;

    private HostVector(float[] floats, double[] doubles) {
        this.floats = floats;
        this.doubles = doubles;
    }

    /** A copy of {@code a}'s elements (c order), float for float arrays, double otherwise. */
    static HostVector of(INDArray a) {
        INDArray whole = a.isView() || a.data().length() != a.length() ? a.dup() : a;
        return a.dataType() == DataType.FLOAT ? new HostVector(whole.data().asFloat(), null)
                : new HostVector(null, whole.data().asDouble());
    }

    /** Zeros of {@code like}'s precision and length. */
    static HostVector zerosLike(INDArray like) {
        int length = Math.toIntExact(like.length());
        return like.dataType() == DataType.FLOAT ? new HostVector(new float[length], null)
                : new HostVector(null, new double[length]);
    }

    int length() {
        return floats != null ? floats.length : doubles.length;
    }

    double get(int i) {
        return floats != null ? floats[i] : doubles[i];
    }

    void set(int i, double value) {
        if (floats != null) {
            floats[i] = (float) value;
        } else {
            doubles[i] = value;
        }
    }

    /** A new vector (off the heap) holding these elements, of this precision. */
    INDArray toArray() {
        return floats != null ? Nd4j.createFromArray(floats) : Nd4j.createFromArray(doubles);
    }
}
