package io.github.style4j.core.tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads NumPy {@code .npy} files (format versions 1 to 3; little- or big-endian float32,
 * float64, int32, int64; C order) into ND4J arrays, in Java.
 *
 * <p>Why not {@code Nd4j.createFromNpyFile}: in 1.0.0-M2.1 its native parser kills the JVM
 * (SIGSEGV in {@code lengthForShapeBufferPointer}) on headers written as
 * {@code "{ 'descr': ..."}, the spelling of the SqueezeNet weights in {@code ../shared/models}.
 * A malformed file here is an {@link IOException} naming the file and the problem.
 */
public final class NpyFiles {
    static {
        // Choose ND4J's native build before this class can start ND4J.
        io.github.style4j.core.backend.NativeBuildSelector.select();
    }

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyFiles() {
    }

    /** Reads an array; float data keeps its precision, integer data is returned as INT32/INT64. */
    public static INDArray read(Path file) throws IOException {
        io.github.style4j.core.backend.Backend.start();
        // Mapped, not read into a byte[]: the values are copied once, into the array's float[].
        ByteBuffer mapped;
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
            if (channel.size() > Integer.MAX_VALUE) {
                throw new IOException(file + ": a .npy file over 2 GiB is not supported");
            }
            mapped = channel.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, channel.size());
        }
        byte[] head = new byte[(int) Math.min(mapped.capacity(), 1 << 16)];
        mapped.get(0, head);
        return read(file, mapped, head);
    }

    /** Reads an array from the bytes of a {@code .npy} file (e.g. a zip entry); {@code name} is for messages. */
    public static INDArray fromBytes(byte[] bytes, String name) throws IOException {
        io.github.style4j.core.backend.Backend.start();
        return read(Path.of(name), ByteBuffer.wrap(bytes), java.util.Arrays.copyOf(bytes, Math.min(bytes.length, 1 << 16)));
    }

    private static INDArray read(Path file, ByteBuffer all, byte[] bytes) throws IOException {
        if (bytes.length < 10 || !startsWithMagic(bytes)) {
            throw new IOException(file + ": not a NumPy .npy file (no \\x93NUMPY signature)");
        }
        int major = bytes[6] & 0xff;
        int headerLength;
        int headerStart;
        if (major == 1) {
            headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new IOException(file + ": truncated .npy header");
            }
            headerLength = ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            headerStart = 12;
        } else {
            throw new IOException(file + ": unsupported .npy format version " + major);
        }
        if (headerLength < 0 || headerStart + headerLength > bytes.length) {
            throw new IOException(file + ": truncated .npy header");
        }
        String header = new String(bytes, headerStart, headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeMatch = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeMatch.find()) {
            throw new IOException(file + ": malformed .npy header " + header.trim());
        }
        if (fortran.group(1).equals("True")) {
            throw new IOException(file + ": Fortran-order arrays are not supported; save with np.ascontiguousarray");
        }
        ByteOrder order = descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        char kind = descr.group(2).charAt(0);
        int size = Integer.parseInt(descr.group(3));
        DataType type = switch (kind + String.valueOf(size)) {
            case "f4" -> DataType.FLOAT;
            case "f8" -> DataType.DOUBLE;
            case "i4" -> DataType.INT32;
            case "i8" -> DataType.INT64;
            default -> throw new IOException(file + ": unsupported .npy dtype " + descr.group());
        };
        long[] shape = parseShape(shapeMatch.group(1), file);
        long count = 1;
        for (long dimension : shape) {
            count = Math.multiplyExact(count, dimension);
        }
        int dataStart = headerStart + headerLength;
        long expectedBytes = count * size;
        if (all.capacity() - dataStart != expectedBytes) {
            throw new IOException(file + ": shape " + java.util.Arrays.toString(shape) + " needs " + expectedBytes
                    + " bytes of data but the file has " + (all.capacity() - dataStart) + "; it is truncated or damaged");
        }
        ByteBuffer data = all.slice(dataStart, (int) expectedBytes).order(order);
        int n = (int) count;
        long[] arrayShape = shape.length == 0 ? new long[0] : shape;
        if (type == DataType.FLOAT && order == ByteOrder.LITTLE_ENDIAN && ByteOrder.nativeOrder() == order) {
            // Straight into the array's native memory: no float[] of the whole file on the heap
            // (an optimiser state of 1 GB at 8192 px would not fit a 2 GB heap twice).
            INDArray array = Nd4j.create(DataType.FLOAT, arrayShape, 'c');
            if (n > 0) {
                array.data().asNio().put(data.duplicate().order(ByteOrder.LITTLE_ENDIAN));
            }
            return array;
        }
        return switch (type) {
            case FLOAT -> {
                float[] values = new float[n];
                data.asFloatBuffer().get(values);
                yield Nd4j.create(values, arrayShape, 'c');
            }
            case DOUBLE -> {
                double[] values = new double[n];
                data.asDoubleBuffer().get(values);
                yield Nd4j.create(values, arrayShape, 'c');
            }
            case INT -> {
                int[] values = new int[n];
                data.asIntBuffer().get(values);
                yield Nd4j.createFromArray(values).reshape(arrayShape);
            }
            default -> {
                long[] values = new long[n];
                data.asLongBuffer().get(values);
                yield Nd4j.createFromArray(values).reshape(arrayShape);
            }
        };
    }

    /**
     * Writes a float32 or float64 array as a {@code .npy} file (as {@link #toBytes}), streamed from
     * the array's native memory in chunks: no copy of the array on the Java heap. Not atomic by
     * itself: callers that need that write to a temporary name and move it.
     */
    public static void write(Path file, INDArray array) throws IOException {
        boolean isDouble = array.dataType() == DataType.DOUBLE;
        if (!isDouble && array.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("only FLOAT and DOUBLE arrays are written, got " + array.dataType());
        }
        boolean whole = !array.isView() && array.ordering() == 'c' && array.data().length() == array.length();
        INDArray c = whole ? array : array.dup('c');
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
                java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(header(array.shape(), isDouble)));
            if (c.length() > 0) {
                ByteBuffer data = c.data().asNio().order(ByteOrder.nativeOrder());
                if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                    throw new IOException("writing .npy files needs a little-endian machine");
                }
                data.limit((int) (c.length() * (isDouble ? 8 : 4)));
                while (data.hasRemaining()) {
                    channel.write(data);
                }
            }
        } finally {
            if (c != array) {
                c.close();
            }
        }
    }

    /**
     * The header of a float32 {@code .npy} file of {@code shape} (format 1.0, little-endian, C order),
     * padded so that the data starts on a 64-byte boundary: the bytes {@link #write} puts first.
     */
    public static byte[] floatHeader(long... shape) {
        return header(shape, false);
    }

    private static byte[] header(long[] dimensions, boolean isDouble) {
        StringBuilder shape = new StringBuilder("(");
        for (long dimension : dimensions) {
            shape.append(dimension).append(", ");
        }
        if (dimensions.length > 1) {
            shape.setLength(shape.length() - 2);
        } else if (dimensions.length == 1) {
            shape.setLength(shape.length() - 1);
        }
        shape.append(")");
        String dict = "{'descr': '<" + (isDouble ? "f8" : "f4") + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length())
                .put(header.getBytes(StandardCharsets.ISO_8859_1));
        return out.array();
    }

    /**
     * Writes a float32 or float64 array as a {@code .npy} file (format 1.0, little-endian,
     * C order) that NumPy and {@link #read} read back exactly. Not atomic by itself: callers
     * that need that write through {@code AtomicFiles}.
     */
    public static byte[] toBytes(INDArray array) {
        boolean isDouble = array.dataType() == DataType.DOUBLE;
        if (!isDouble && array.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("only FLOAT and DOUBLE arrays are written, got " + array.dataType());
        }
        byte[] header = header(array.shape(), isDouble);
        int itemSize = isDouble ? 8 : 4;
        ByteBuffer out = ByteBuffer.allocate(header.length + (int) array.length() * itemSize)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(header);
        INDArray c = array.dup('c');
        if (isDouble) {
            for (double v : c.data().asDouble()) {
                out.putDouble(v);
            }
        } else {
            for (float v : c.data().asFloat()) {
                out.putFloat(v);
            }
        }
        return out.array();
    }

    private static boolean startsWithMagic(byte[] bytes) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static long[] parseShape(String text, Path file) throws IOException {
        List<Long> dimensions = new ArrayList<>();
        for (String part : text.split(",")) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                long dimension = Long.parseLong(trimmed.replace("L", ""));
                if (dimension < 0) {
                    throw new NumberFormatException("negative");
                }
                dimensions.add(dimension);
            } catch (NumberFormatException e) {
                throw new IOException(file + ": malformed shape (" + text + ") in .npy header", e);
            }
        }
        return dimensions.stream().mapToLong(Long::longValue).toArray();
    }
}
