package io.github.style4j.core.image;

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
