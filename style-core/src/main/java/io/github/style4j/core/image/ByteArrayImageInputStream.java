package io.github.style4j.core.image;

import java.io.EOFException;
import java.io.IOException;
import javax.imageio.IIOException;
import java.nio.ByteOrder;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An ImageIO input stream over bytes already in memory. The JDK's only choice for that,
 * {@code MemoryCacheImageInputStream}, copies the bytes once more into a cache of its own as the
 * decoder reads them; this one hands out the array's bytes directly.
 */
final class ByteArrayImageInputStream extends ImageInputStreamImpl {
    /**
     * Reads at the end after which the file is taken to be cut short. TwelveMonkeys' WebP bit
     * reader catches the end-of-file exception, seeks back and decodes on from stale bits, so a
     * crafted lossless file made it read past the end forever (found by the fuzzer); an
     * {@link IIOException} is not an {@code EOFException}, so it ends the decode. A whole file
     * reaches its end a few times at most.
     */
    static final int READS_PAST_END = 4096;

    private final byte[] bytes;
    private int readsPastEnd;

    ByteArrayImageInputStream(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public int read() throws IIOException {
        checkOpen();
        bitOffset = 0;
        if (streamPos < bytes.length) {
            return bytes[(int) streamPos++] & 0xff;
        }
        pastEnd();
        return -1;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IIOException {
        checkOpen();
        if (offset < 0 || length < 0 || offset + length > target.length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + ", array " + target.length);
        }
        bitOffset = 0;
        if (length == 0) {
            return 0;
        }
        if (streamPos >= bytes.length) {
            pastEnd();
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
    public byte readByte() throws IOException {
        checkOpen();
        bitOffset = 0;
        if (streamPos >= bytes.length) {
            pastEnd();
            throw new EOFException();
        }
        return bytes[(int) streamPos++];
    }

    @Override
    public int readUnsignedByte() throws IOException {
        return readByte() & 0xff;
    }

    @Override
    public long readLong() throws IOException {
        checkOpen();
        bitOffset = 0;
        if (streamPos + 8 > bytes.length) {
            streamPos = bytes.length; // as readFully leaves it: what there was is consumed
            pastEnd();
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

    /** Counts a read at the end; past {@link #READS_PAST_END}, the file is refused as cut short. */
    private void pastEnd() throws IIOException {
        if (++readsPastEnd > READS_PAST_END) {
            throw new IIOException("the decoder kept reading past the end of the file (" + bytes.length
                    + " bytes): it is truncated or corrupt");
        }
    }

    private void checkOpen() {
        if (bytes == null) {
            throw new IllegalStateException("closed");
        }
    }
}
