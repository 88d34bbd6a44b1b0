package io.github.style4j.samediff.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A reader of the protocol-buffer wire format over a byte buffer (usually a memory-mapped
 * file), enough to walk ONNX and Caffe messages field by field. Length-delimited fields are
 * returned as views, never copied, so a reader can skip a 400 MB classifier initializer without
 * touching its bytes. Every length is checked against what is left, so a damaged file fails with
 * {@link MalformedWeightsException} rather than reading past the end.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final ByteBuffer buffer;
    private int tag;

    ProtoReader(ByteBuffer buffer) {
        this.buffer = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Moves to the next field; false at the end of the message. */
    boolean next() throws MalformedWeightsException {
        if (!buffer.hasRemaining()) {
            return false;
        }
        long key = readVarint();
        int field = (int) (key >>> 3);
        int wireType = (int) (key & 7);
        if (field <= 0 || key >>> 3 > Integer.MAX_VALUE || wireType == 3 || wireType == 4 || wireType > 5) {
            throw new MalformedWeightsException("invalid protobuf field key " + key + " at byte "
                    + (buffer.position()));
        }
        tag = (int) key;
        return true;
    }

    int field() {
        return tag >>> 3;
    }

    int wireType() {
        return tag & 7;
    }

    long readVarint() throws MalformedWeightsException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!buffer.hasRemaining()) {
                throw new MalformedWeightsException("the file ends inside a number");
            }
            byte b = buffer.get();
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new MalformedWeightsException("a protobuf number is longer than 10 bytes");
    }

    /** The current length-delimited field's bytes, as a view. */
    ByteBuffer readBytes() throws MalformedWeightsException {
        expect(LENGTH_DELIMITED);
        long length = readVarint();
        if (length < 0 || length > buffer.remaining()) {
            throw new MalformedWeightsException("a field says it holds " + length + " bytes but only "
                    + buffer.remaining() + " are left (the file is truncated or is not this format)");
        }
        ByteBuffer view = buffer.slice(buffer.position(), (int) length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(buffer.position() + (int) length);
        return view;
    }

    ProtoReader readMessage() throws MalformedWeightsException {
        return new ProtoReader(readBytes());
    }

    String readString() throws MalformedWeightsException {
        ByteBuffer bytes = readBytes();
        if (bytes.remaining() > 4096) {
            throw new MalformedWeightsException("a name of " + bytes.remaining() + " bytes");
        }
        byte[] text = new byte[bytes.remaining()];
        bytes.get(text);
        return new String(text, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** An integer field (varint). */
    long readInt() throws MalformedWeightsException {
        expect(VARINT);
        return readVarint();
    }

    /**
     * The bytes of a repeated float field's current entry, as a view: a packed run of values,
     * or one unpacked fixed32 value.
     */
    ByteBuffer readFloats() throws MalformedWeightsException {
        if (wireType() == LENGTH_DELIMITED) {
            return readBytes();
        }
        expect(FIXED32);
        require(4);
        ByteBuffer view = buffer.slice(buffer.position(), 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(buffer.position() + 4);
        return view;
    }

    /** Skips the current field's value. */
    void skip() throws MalformedWeightsException {
        switch (wireType()) {
            case VARINT -> readVarint();
            case FIXED64 -> advance(8);
            case LENGTH_DELIMITED -> readBytes();
            case FIXED32 -> advance(4);
            default -> throw new MalformedWeightsException("unsupported protobuf wire type " + wireType());
        }
    }

    /** Repeated varints of the current field, packed or not, appended to {@code into}. */
    void readInts(java.util.List<Long> into) throws MalformedWeightsException {
        if (wireType() == LENGTH_DELIMITED) {
            ProtoReader packed = new ProtoReader(readBytes());
            while (packed.buffer.hasRemaining()) {
                into.add(packed.readVarint());
            }
        } else {
            into.add(readInt());
        }
    }

    private void advance(int bytes) throws MalformedWeightsException {
        require(bytes);
        buffer.position(buffer.position() + bytes);
    }

    private void require(int bytes) throws MalformedWeightsException {
        if (buffer.remaining() < bytes) {
            throw new MalformedWeightsException("the file ends inside a field");
        }
    }

    private void expect(int wireType) throws MalformedWeightsException {
        if (wireType() != wireType) {
            throw new MalformedWeightsException("field " + field() + " has wire type " + wireType()
                    + " where " + wireType + " was expected (not the message this reader expects)");
        }
    }
}
