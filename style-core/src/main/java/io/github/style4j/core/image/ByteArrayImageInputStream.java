package io.github.style4j.core.image;

import java.io.EOFException;
import java.nio.ByteOrder;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An ImageIO input stream over bytes already in memory. The JDK's only choice for that,
 * {@code MemoryCacheImageInputStream}, copies the bytes once more into a cache of its own as the
 * decoder reads them; this one hands out the array's bytes directly.
 */
final class ByteArrayImageInputStream extends ImageInputStreamImpl {
    private final byte[] bytes;

    ByteArrayImageInputStream(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public int read() {
        checkOpen();
        bitOffset = 0;
        return streamPos < bytes.length ? bytes[(int) streamPos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] target, int offset, int length) {
        checkOpen();
        if (offset < 0 || length < 0 || offset + length > target.length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", array " + target.length);
        }
        bitOffset = 0;
        if (length == 0) {
            return 0;
        }
        if (streamPos >= bytes.length) {
            return -1;
        }
        int n = (int) Math.min(length, bytes.length - streamPos);
        System.arraycopy(bytes, (int) streamPos, target, offset, n);
        streamPos += n;
        return n;
    }

    // The single-value reads below are what TwelveMonkeys' WebP decoders call for every few
    // bits (its lossless bit reader: readLong, then readByte, for each refill); the inherited
    // versions go through read(byte[]) and the byte-order logic and took 40% of a 12 MP read.

    @Override
    public byte readByte() throws EOFException {
        checkOpen();
        bitOffset = 0;
        if (streamPos >= bytes.length) {
            throw new EOFException();
        }
        return bytes[(int) streamPos++];
    }

    @Override
    public int readUnsignedByte() throws EOFException {
        return readByte() & 0xff;
    }

    @Override
    public long readLong() throws EOFException {
        checkOpen();
        bitOffset = 0;
        if (streamPos + 8 > bytes.length) {
            streamPos = bytes.length; // as readFully leaves it: what there was is consumed
            throw new EOFException();
        }
        int at = (int) streamPos;
        streamPos += 8;
        long value = 0;
        if (byteOrder == ByteOrder.BIG_ENDIAN) {
            for (int i = 0; i < 8; i++) {
                value = value << 8 | bytes[at + i] & 0xff;
            }
        } else {
            for (int i = 7; i >= 0; i--) {
                value = value << 8 | bytes[at + i] & 0xff;
            }
        }
        return value;
    }

    @Override
    public long length() {
        return bytes.length;
    }

    private void checkOpen() {
        if (bytes == null) {
            throw new IllegalStateException("closed");
        }
    }
}
