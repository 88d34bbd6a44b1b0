package io.github.style4j.samediff.weights;

import io.github.style4j.samediff.weights.PickleReader.StorageRef;
import io.github.style4j.samediff.weights.PickleReader.StorageType;
import io.github.style4j.samediff.weights.PickleReader.TensorRef;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * PyTorch {@code .pth} / {@code .pt} files holding a {@code state_dict}: the zip format of
 * {@code torch.save} since PyTorch 1.6 ({@code NAME/data.pkl}, storages in {@code NAME/data/KEY}),
 * and the older format torchvision's VGG files still use (pickles one after another, then the
 * raw storages). The pickles go through {@link PickleReader}, which never runs code. A checkpoint
 * dict holding the state_dict under {@code state_dict}, {@code model} or
 * {@code model_state_dict} is accepted too. Only the storages of convolutions are ever read.
 */
final class TorchWeights {
    /** The number PyTorch's legacy format starts with. */
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long MAX_PICKLE_BYTES = 64L << 20;

    private TorchWeights() {
    }

    /** Reads a zip-format file. */
    static FileLayout readZip(Path file) throws IOException {
        ZipFile zip = new ZipFile(file.toFile());
        try {
            String dataPkl = null;
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                    if (dataPkl != null) {
                        throw new MalformedWeightsException("the zip holds two data.pkl files");
                    }
                    dataPkl = name;
                }
            }
            if (dataPkl == null) {
                throw new MalformedWeightsException("a zip without NAME/data.pkl is not a PyTorch file");
            }
            String prefix = dataPkl.substring(0, dataPkl.length() - "data.pkl".length());
            ZipEntry pickle = zip.getEntry(dataPkl);
            if (pickle.getSize() > MAX_PICKLE_BYTES) {
                throw new MalformedWeightsException("its data.pkl is " + pickle.getSize() + " bytes; a state_dict's "
                        + "is a few kilobytes");
            }
            byte[] bytes;
            try (InputStream in = zip.getInputStream(pickle)) {
                bytes = in.readNBytes((int) MAX_PICKLE_BYTES + 1);
            }
            Object root = PickleReader.read(ByteBuffer.wrap(bytes), file.getFileName().toString());
            Map<String, TensorRef> tensors = stateDict(root);
            Map<String, ByteBuffer> loaded = new HashMap<>();
            return layout(WeightFormat.PYTORCH, tensors, storage -> {
                ByteBuffer cached = loaded.get(storage.key());
                if (cached != null) {
                    return cached;
                }
                ZipEntry entry = zip.getEntry(prefix + "data/" + storage.key());
                long expected = storage.elements() * storage.type().bytes;
                if (entry == null) {
                    throw new MalformedWeightsException("storage " + storage.key() + " is missing from the zip");
                }
                if (entry.getSize() != expected) {
                    throw new MalformedWeightsException("storage " + storage.key() + " has " + entry.getSize()
                            + " bytes, expected " + expected);
                }
                byte[] data = new byte[(int) expected];
                int read;
                try (InputStream in = zip.getInputStream(entry)) {
                    read = in.readNBytes(data, 0, data.length);
                }
                if (read != expected) {
                    throw new MalformedWeightsException("storage " + storage.key() + " ends early (truncated file)");
                }
                ByteBuffer buffer = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                // Several tensors can share one storage (rare in a state_dict); keep only small ones.
                if (expected < (1 << 20)) {
                    loaded.put(storage.key(), buffer);
                }
                return buffer;
            }, zip);
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    /** Reads a legacy-format file from its bytes (memory-mapped by the caller). */
    static FileLayout readLegacy(ByteBuffer bytes, String name) throws IOException {
        ByteBuffer in = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Object magic = PickleReader.read(in, name);
        if (!(magic instanceof BigInteger number) || !number.equals(LEGACY_MAGIC)) {
            throw new MalformedWeightsException("it starts with a pickle but not PyTorch's magic number");
        }
        Object protocol = PickleReader.read(in, name);
        if (!Long.valueOf(1001).equals(protocol)) {
            throw new MalformedWeightsException("PyTorch legacy protocol " + protocol + " (1001 expected)");
        }
        Object sysInfo = PickleReader.read(in, name);
        if (sysInfo instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
            throw new MalformedWeightsException("it was saved on a big-endian machine");
        }
        Map<String, TensorRef> tensors = stateDict(PickleReader.read(in, name));
        Object keys = PickleReader.read(in, name);
        if (!(keys instanceof List<?> keyList)) {
            throw new MalformedWeightsException("the storage list is missing");
        }
        Map<String, StorageType> types = new HashMap<>();
        for (TensorRef tensor : tensors.values()) {
            types.put(tensor.storage().key(), tensor.storage().type());
        }
        // The storages follow in the order of the key list, each an int64 element count and its bytes.
        Map<String, ByteBuffer> storages = new HashMap<>();
        for (Object key : keyList) {
            StorageType type = types.get(String.valueOf(key));
            if (type == null) {
                throw new MalformedWeightsException("storage " + key + " belongs to no tensor");
            }
            if (in.remaining() < 8) {
                throw new MalformedWeightsException("the file ends before storage " + key + " (truncated?)");
            }
            long count = in.getLong();
            if (count < 0 || count > in.remaining() / type.bytes) {
                throw new MalformedWeightsException("storage " + key + " claims " + count
                        + " values, more than the file holds (truncated?)");
            }
            int length = (int) (count * type.bytes);
            storages.put(String.valueOf(key), in.slice(in.position(), length).order(ByteOrder.LITTLE_ENDIAN));
            in.position(in.position() + length);
        }
        return layout(WeightFormat.PYTORCH_LEGACY, tensors, storage -> {
            ByteBuffer buffer = storages.get(storage.key());
            if (buffer == null) {
                throw new MalformedWeightsException("storage " + storage.key() + " is missing");
            }
            return buffer;
        }, null);
    }

    /** Whether these bytes start like a legacy-format file (a protocol-2 pickle of a long). */
    static boolean looksLegacy(byte[] head) {
        return head.length >= 3 && (head[0] & 0xFF) == 0x80 && head[1] == 2 && (head[2] & 0xFF) == 0x8a;
    }

    private interface StorageBytes {
        ByteBuffer of(StorageRef storage) throws IOException;
    }

    private static FileLayout layout(WeightFormat format, Map<String, TensorRef> tensors, StorageBytes storages,
                                     java.io.Closeable file) throws MalformedWeightsException {
        List<StoredConv> convolutions = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Map.Entry<String, TensorRef> entry : tensors.entrySet()) {
            String key = entry.getKey();
            if (key.endsWith("running_mean")) {
                throw new MalformedWeightsException("it holds batch normalisation (" + key + "), as vgg19_bn does; "
                        + "style4j builds the plain VGG and SqueezeNet networks");
            }
            if (!key.endsWith(".weight") || entry.getValue().size().length != 4) {
                if (!key.endsWith(".bias") || !tensors.containsKey(key.replaceAll("bias$", "weight"))
                        || tensors.get(key.replaceAll("bias$", "weight")).size().length != 4) {
                    skipped.add(key);
                }
                continue;
            }
            String layer = key.substring(0, key.length() - ".weight".length());
            TensorRef bias = tensors.get(layer + ".bias");
            TensorRef kernel = entry.getValue();
            StoredTensor kernelTensor = tensor(key, kernel, storages);
            StoredTensor biasTensor = bias != null ? tensor(layer + ".bias", bias, storages)
                    : StoredTensor.zeros(layer, kernel.size()[0]);
            convolutions.add(new StoredConv(layer, kernelTensor, biasTensor));
        }
        return new FileLayout(format, convolutions, skipped, file);
    }

    private static StoredTensor tensor(String name, TensorRef ref, StorageBytes storages)
            throws MalformedWeightsException {
        long count = 1;
        long last = ref.offset();
        for (int i = 0; i < ref.size().length; i++) {
            count = Math.multiplyExact(count, ref.size()[i]);
            if (ref.size()[i] > 0) {
                last += (ref.size()[i] - 1) * ref.stride()[i];
            }
        }
        if (ref.size().length != ref.stride().length || count > Integer.MAX_VALUE || (count > 0
                && last >= ref.storage().elements())) {
            throw new MalformedWeightsException(name + " lies outside its storage (" + ref.storage().elements()
                    + " values)");
        }
        long total = count;
        return new StoredTensor(name, ref.size(), () -> gather(ref, storages.of(ref.storage()), (int) total));
    }

    /** The tensor's values in row-major order, following its strides through the storage. */
    private static float[] gather(TensorRef ref, ByteBuffer storage, int count) {
        float[] out = new float[count];
        long[] size = ref.size();
        long[] stride = ref.stride();
        if (ref.storage().type() == StorageType.FLOAT && isContiguous(size, stride)) {
            storage.duplicate().order(ByteOrder.LITTLE_ENDIAN).position((int) (ref.offset() * 4)).asFloatBuffer()
                    .get(out);
            return out;
        }
        long[] index = new long[size.length];
        StorageType type = ref.storage().type();
        for (int i = 0; i < count; i++) {
            long at = ref.offset();
            for (int d = 0; d < size.length; d++) {
                at += index[d] * stride[d];
            }
            int byteAt = (int) (at * type.bytes);
            out[i] = switch (type) {
                case FLOAT -> storage.getFloat(byteAt);
                case DOUBLE -> (float) storage.getDouble(byteAt);
                case HALF -> StoredTensor.halfToFloat(storage.getShort(byteAt));
                case BFLOAT16 -> Float.intBitsToFloat((storage.getShort(byteAt) & 0xFFFF) << 16);
            };
            for (int d = size.length - 1; d >= 0; d--) {
                if (++index[d] < size[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return out;
    }

    private static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= size[d];
        }
        return true;
    }

    /** The tensors of a state_dict, or of the state_dict inside a training checkpoint. */
    private static Map<String, TensorRef> stateDict(Object root) throws MalformedWeightsException {
        if (root instanceof Map<?, ?> map) {
            for (String key : List.of("state_dict", "model_state_dict", "model")) {
                if (map.get(key) instanceof Map<?, ?> inner) {
                    return stateDict(inner);
                }
            }
            Map<String, TensorRef> tensors = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (entry.getKey() instanceof String key && entry.getValue() instanceof TensorRef tensor) {
                    tensors.put(key, tensor);
                }
            }
            if (!tensors.isEmpty()) {
                return tensors;
            }
        }
        throw new MalformedWeightsException("it holds no state_dict of tensors (a whole pickled model, or "
                + "another kind of object?); save it with torch.save(model.state_dict(), path)");
    }
}
