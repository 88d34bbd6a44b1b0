package io.github.style4j.samediff.weights;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict reader of the pickles PyTorch writes for a {@code state_dict}: it understands the
 * data opcodes (numbers, strings, tuples, lists, dicts, memo) and exactly the globals a
 * state_dict needs, and builds plain Java values from them. It never imports, calls or
 * constructs anything a pickle names: {@code collections.OrderedDict} becomes a
 * {@link LinkedHashMap}, {@code torch._utils._rebuild_tensor_v2} a {@link TensorRef}, storages
 * {@link StorageRef}s. Any other global, and any opcode that could run code ({@code INST},
 * {@code OBJ}, {@code NEWOBJ}, extensions), is refused with a message naming it.
 */
final class PickleReader {
    /** A tensor's place in a storage, as {@code _rebuild_tensor(_v2)} describes it. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    }

    /** A storage a pickle refers to by persistent id; its bytes live elsewhere in the file. */
    record StorageRef(String key, StorageType type, long elements) {
    }

    /** The element types of storages style4j reads. */
    enum StorageType {
        FLOAT(4), DOUBLE(8), HALF(2), BFLOAT16(2);

        final int bytes;

        StorageType(int bytes) {
            this.bytes = bytes;
        }

        static StorageType of(String className) {
            return switch (className) {
                case "FloatStorage" -> FLOAT;
                case "DoubleStorage" -> DOUBLE;
                case "HalfStorage" -> HALF;
                case "BFloat16Storage" -> BFLOAT16;
                default -> null;
            };
        }
    }

    /** A global the pickle named; only ever compared, never resolved. */
    private record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    private record Tuple(List<Object> items) {
    }

    private static final Object MARK = new Object();
    private static final Object NONE = new Object();
    private static final Set<String> ALLOWED = Set.of("collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_parameter");
    private static final int MAX_DEPTH = 100_000;

    private final ByteBuffer in;
    private final String what;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private PickleReader(ByteBuffer in, String what) {
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
        this.what = what;
    }

    /**
     * Reads one pickle from {@code in} (advancing it past the STOP opcode).
     *
     * @param what the file, for messages
     * @return Java values: Map, List, String, Long, BigInteger, Double, Boolean, null, TensorRef
     */
    static Object read(ByteBuffer in, String what) throws MalformedWeightsException {
        return new PickleReader(in, what).run();
    }

    private Object run() throws MalformedWeightsException {
        while (true) {
            int op = u8();
            switch (op) {
                case 0x80 -> u8(); // PROTO
                case 0x95 -> skip(8); // FRAME
                case '.' -> { // STOP
                    Object result = pop();
                    return result == NONE ? null : result;
                }
                case '(' -> push(MARK);
                case '}' -> push(new LinkedHashMap<Object, Object>());
                case ']' -> push(new ArrayList<>());
                case ')' -> push(new Tuple(List.of()));
                case 't' -> push(new Tuple(popToMark()));
                case 0x85 -> push(tuple(1));
                case 0x86 -> push(tuple(2));
                case 0x87 -> push(tuple(3));
                case 'l' -> push(new ArrayList<>(popToMark()));
                case 'd' -> {
                    List<Object> items = popToMark();
                    Map<Object, Object> map = new LinkedHashMap<>();
                    putAll(map, items);
                    push(map);
                }
                case 'a' -> {
                    Object value = pop();
                    list(peek()).add(value);
                }
                case 'e' -> {
                    List<Object> items = popToMark();
                    list(peek()).addAll(items);
                }
                case 's' -> {
                    Object value = pop();
                    Object key = pop();
                    map(peek()).put(key, value);
                }
                case 'u' -> {
                    List<Object> items = popToMark();
                    putAll(map(peek()), items);
                }
                case 'J' -> push((long) fixed(4).getInt());
                case 'K' -> push((long) u8());
                case 'M' -> push((long) (fixed(2).getShort() & 0xFFFF));
                case 0x8a -> push(long1(u8()));
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(fixed(8).getLong())));
                case 'N' -> push(NONE);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'X' -> push(text(u32(), StandardCharsets.UTF_8));
                case 0x8c -> push(text(u8(), StandardCharsets.UTF_8));
                case 0x8d -> push(text(u64(), StandardCharsets.UTF_8));
                case 'T' -> push(text(u32(), StandardCharsets.ISO_8859_1)); // Python 2 str
                case 'U' -> push(text(u8(), StandardCharsets.ISO_8859_1));
                case 'B' -> push(text(u32(), StandardCharsets.ISO_8859_1)); // bytes, kept as text
                case 'C' -> push(text(u8(), StandardCharsets.ISO_8859_1));
                case 'c' -> push(global(line(), line()));
                case 0x93 -> {
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw malformed("STACK_GLOBAL without two names");
                    }
                    push(global(m, n));
                }
                case 'R' -> {
                    Object args = pop();
                    Object callable = pop();
                    push(reduce(callable, args));
                }
                case 'b' -> build();
                case 'Q' -> push(persistent(pop()));
                case 'q' -> memo.put((long) u8(), peek());
                case 'r' -> memo.put(u32(), peek());
                case 0x94 -> memo.put((long) memo.size(), peek());
                case 'h' -> push(recall(u8()));
                case 'j' -> push(recall(u32()));
                case '0' -> pop();
                case '1' -> popToMark();
                case '2' -> push(peek());
                case 'i', 'o', 0x81, 0x92, 0x82, 0x83, 0x84, 'P', 'I', 'L', 'F', 'S', 'V', 'g', 'p' ->
                        throw new MalformedWeightsException(what + " uses pickle opcode " + opName(op)
                                + ", which a PyTorch state_dict never needs; refusing to go on (style4j runs "
                                + "nothing a pickle asks for)");
                default -> throw malformed("unknown pickle opcode 0x" + Integer.toHexString(op));
            }
        }
    }

    private static String opName(int op) {
        return switch (op) {
            case 'i' -> "INST (create an object)";
            case 'o' -> "OBJ (create an object)";
            case 0x81, 0x92 -> "NEWOBJ (create an object)";
            case 0x82, 0x83, 0x84 -> "EXT (registered code)";
            default -> "'" + (char) op + "' (protocol 0 text)";
        };
    }

    private Object global(String module, String name) throws MalformedWeightsException {
        String full = module + "." + name;
        if (ALLOWED.contains(full)) {
            return new Global(module, name);
        }
        if (module.equals("torch") && StorageType.of(name) != null) {
            return new Global(module, name);
        }
        throw new MalformedWeightsException(what + " asks to run `" + full + "`; refusing: style4j reads only "
                + "state_dicts of tensors and never runs code from a weight file. Save the weights with "
                + "torch.save(model.state_dict(), path)");
    }

    private Object reduce(Object callable, Object args) throws MalformedWeightsException {
        if (!(callable instanceof Global global) || !(args instanceof Tuple tuple)) {
            throw malformed("REDUCE of " + describe(callable));
        }
        List<Object> a = tuple.items();
        switch (global.toString()) {
            case "collections.OrderedDict" -> {
                if (!a.isEmpty()) {
                    throw malformed("OrderedDict with arguments");
                }
                return new LinkedHashMap<Object, Object>();
            }
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (a.size() < 4 || !(a.get(0) instanceof StorageRef storage)) {
                    throw malformed("a tensor without its storage");
                }
                return new TensorRef(storage, number(a.get(1)), longs(a.get(2)), longs(a.get(3)));
            }
            case "torch._utils._rebuild_parameter" -> {
                if (a.isEmpty() || !(a.get(0) instanceof TensorRef tensor)) {
                    throw malformed("a parameter without its tensor");
                }
                return tensor;
            }
            default -> throw new MalformedWeightsException(what + " asks to call `" + global + "`; refusing");
        }
    }

    /** BUILD sets attributes; only an OrderedDict's {@code _metadata} is expected, and it is dropped. */
    private void build() throws MalformedWeightsException {
        Object state = pop();
        Object target = peek();
        if (!(target instanceof Map) || !(state instanceof Map || state instanceof Tuple)) {
            throw malformed("BUILD on " + describe(target));
        }
    }

    private Object persistent(Object pid) throws MalformedWeightsException {
        if (!(pid instanceof Tuple tuple) || tuple.items().size() < 5 || !"storage".equals(tuple.items().get(0))) {
            throw malformed("a persistent id other than a storage: " + describe(pid));
        }
        List<Object> p = tuple.items();
        if (!(p.get(1) instanceof Global type) || !(p.get(2) instanceof String key)) {
            throw malformed("a storage without its type and key");
        }
        StorageType storageType = StorageType.of(type.name());
        if (storageType == null) {
            throw new MalformedWeightsException(what + " holds a " + type.name()
                    + "; style4j reads float, double, half and bfloat16 weights");
        }
        // Legacy files: ('storage', type, key, location, size, view_metadata); zip: ..., numel.
        return new StorageRef(key, storageType, number(p.get(4)));
    }

    private long number(Object value) throws MalformedWeightsException {
        if (value instanceof Long l) {
            return l;
        }
        throw malformed("a number expected, found " + describe(value));
    }

    private long[] longs(Object value) throws MalformedWeightsException {
        if (!(value instanceof Tuple tuple)) {
            throw malformed("a tuple of sizes expected, found " + describe(value));
        }
        long[] result = new long[tuple.items().size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = number(tuple.items().get(i));
            if (result[i] < 0) {
                throw malformed("a negative size or stride");
            }
        }
        return result;
    }

    private Tuple tuple(int n) throws MalformedWeightsException {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = unwrap(pop());
        }
        return new Tuple(java.util.Arrays.asList(items));
    }

    private List<Object> popToMark() throws MalformedWeightsException {
        int mark = stack.lastIndexOf(MARK);
        if (mark < 0) {
            throw malformed("a pickle MARK is missing");
        }
        List<Object> items = new ArrayList<>();
        for (Object o : stack.subList(mark + 1, stack.size())) {
            items.add(unwrap(o));
        }
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private static Object unwrap(Object o) {
        return o == NONE ? null : o;
    }

    private void putAll(Map<Object, Object> map, List<Object> items) throws MalformedWeightsException {
        if (items.size() % 2 != 0) {
            throw malformed("a dict with an odd number of items");
        }
        for (int i = 0; i < items.size(); i += 2) {
            map.put(items.get(i), items.get(i + 1));
        }
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> map(Object o) throws MalformedWeightsException {
        if (o instanceof Map) {
            return (Map<Object, Object>) o;
        }
        throw malformed("SETITEM on " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) throws MalformedWeightsException {
        if (o instanceof List) {
            return (List<Object>) o;
        }
        throw malformed("APPEND on " + describe(o));
    }

    private Object recall(long index) throws MalformedWeightsException {
        if (!memo.containsKey(index)) {
            throw malformed("a pickle refers to memo entry " + index + ", which was never stored");
        }
        return memo.get(index);
    }

    private void push(Object o) throws MalformedWeightsException {
        if (stack.size() >= MAX_DEPTH) {
            throw malformed("a pickle stack deeper than " + MAX_DEPTH);
        }
        stack.add(o);
    }

    private Object pop() throws MalformedWeightsException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw malformed("a pickle pops from an empty stack");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws MalformedWeightsException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw malformed("a pickle reads from an empty stack");
        }
        return stack.get(stack.size() - 1);
    }

    private Object long1(int n) throws MalformedWeightsException {
        byte[] bytes = bytes(n);
        byte[] bigEndian = new byte[Math.max(n, 1)];
        for (int i = 0; i < n; i++) {
            bigEndian[n - 1 - i] = bytes[i];
        }
        BigInteger value = new BigInteger(bigEndian);
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private String text(long length, java.nio.charset.Charset charset) throws MalformedWeightsException {
        if (length > in.remaining()) {
            throw malformed("a string of " + length + " bytes runs past the end");
        }
        return new String(bytes((int) length), charset);
    }

    private String line() throws MalformedWeightsException {
        StringBuilder text = new StringBuilder();
        for (int c = u8(); c != '\n'; c = u8()) {
            if (text.length() > 256) {
                throw malformed("a global name longer than 256 characters");
            }
            text.append((char) c);
        }
        return text.toString();
    }

    private byte[] bytes(int n) throws MalformedWeightsException {
        if (n < 0 || n > in.remaining()) {
            throw malformed("the pickle ends early");
        }
        byte[] bytes = new byte[n];
        in.get(bytes);
        return bytes;
    }

    /** The input, after checking that {@code n} more bytes are there. */
    private ByteBuffer fixed(int n) throws MalformedWeightsException {
        if (in.remaining() < n) {
            throw malformed("the pickle ends early");
        }
        return in;
    }

    private int u8() throws MalformedWeightsException {
        if (!in.hasRemaining()) {
            throw malformed("the pickle ends before its STOP opcode (truncated file?)");
        }
        return in.get() & 0xFF;
    }

    private long u32() throws MalformedWeightsException {
        if (in.remaining() < 4) {
            throw malformed("the pickle ends early");
        }
        return in.getInt() & 0xFFFFFFFFL;
    }

    private long u64() throws MalformedWeightsException {
        if (in.remaining() < 8) {
            throw malformed("the pickle ends early");
        }
        long value = in.getLong();
        if (value < 0) {
            throw malformed("a length over 2^63");
        }
        return value;
    }

    private void skip(int n) throws MalformedWeightsException {
        bytes(n);
    }

    private static String describe(Object o) {
        return o == null || o == NONE ? "None" : o.getClass().getSimpleName();
    }

    private MalformedWeightsException malformed(String problem) {
        return new MalformedWeightsException(what + " is not a PyTorch state_dict this reader understands: "
                + problem);
    }
}
