package io.github.style4j.samediff.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One tensor of a weight file, located but not yet read: readers list every tensor this way
 * and only the convolutions style4j needs are ever read, so a VGG file's classifier (about 80%
 * of its bytes) is never held in memory. Convolution kernels are always described
 * {@code [out, in, kH, kW]}; a reader whose format stores them otherwise converts in
 * {@link Values#read()}.
 *
 * @param name   the tensor's name in the file
 * @param shape  its shape (OIHW for kernels)
 * @param values how to read its values, row-major in {@code shape}
 */
record StoredTensor(String name, long[] shape, Values values) {
    /** Reads a tensor's values; called at most once per tensor. */
    @FunctionalInterface
    interface Values {
        float[] read() throws IOException;
    }

    StoredTensor {
        shape = shape.clone();
    }

    int rank() {
        return shape.length;
    }

    long count() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** The values as a float32 array of {@link #shape()}. */
    INDArray read() throws IOException {
        float[] data = values.read();
        if (data.length != count()) {
            throw new MalformedWeightsException(name + " holds " + data.length + " values, but its shape "
                    + Arrays.toString(shape) + " needs " + count());
        }
        return Nd4j.create(data, shape, 'c').castTo(DataType.FLOAT);
    }

    /** Little-endian float32 values from a view of a file. */
    static Values float32(ByteBuffer bytes, long count, String name) {
        return float32(java.util.List.of(bytes), count, name);
    }

    /**
     * Little-endian float32 values stored in several views (a protobuf repeated float field,
     * packed or not, can come in pieces), which together must hold exactly {@code count}.
     */
    static Values float32(java.util.List<ByteBuffer> parts, long count, String name) {
        return () -> {
            long bytes = 0;
            for (ByteBuffer part : parts) {
                bytes += part.remaining();
            }
            if (bytes != count * 4) {
                throw new MalformedWeightsException(name + " has " + bytes + " bytes for " + count
                        + " float32 values");
            }
            float[] data = new float[(int) count];
            int at = 0;
            for (ByteBuffer part : parts) {
                int n = part.remaining() / 4;
                part.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data, at, n);
                at += n;
            }
            return data;
        };
    }

    /** A bias of zeros for a convolution stored without one. */
    static StoredTensor zeros(String layer, long count) {
        return new StoredTensor(layer + " (no bias: zeros)", new long[] {count}, () -> new float[(int) count]);
    }

    /** IEEE 754 half precision to single (Java 17 has no {@code Float.float16ToFloat}). */
    static float halfToFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float value = mantissa * 0x1p-24f;
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
