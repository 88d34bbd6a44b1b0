package io.github.style4j.samediff.weights;

import io.jhdf.HdfFile;
import io.jhdf.Superblock;
import io.jhdf.exceptions.HdfException;
import io.jhdf.storage.HdfBackingStorage;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * jhdf's view of a memory-mapped HDF5 file, with two guards jhdf lacks against hostile files
 * (both fuzz findings): every read is a view of the mapped file, checked against its end, so a
 * header that declares 2 GB costs nothing (jhdf's own file storage allocates the declared size
 * first); and reads are counted, so headers whose continuations form a cycle (a 147-byte file
 * kept jhdf reading forever) fail once they have read the file a few times over.
 */
final class BoundedHdfStorage implements HdfBackingStorage {
    private final ByteBuffer file;
    private final Superblock superblock;
    private final long budget;
    private final long maxReads;
    private long spent;
    private long reads;

    private BoundedHdfStorage(ByteBuffer file, Superblock superblock) {
        this.file = file;
        this.superblock = superblock;
        // The file read twice over plus 1 MiB, in at most 5000 reads plus one per 50 bytes: a Keras
        // VGG file needs a fraction of that.
        this.budget = 2L * file.capacity() + (1 << 20);
        this.maxReads = 5000 + file.capacity() / 50;
    }

    /** An {@link HdfFile} reading {@code mapped} (an HDF5 file with its signature at byte 0) through these guards. */
    static HdfFile open(ByteBuffer mapped) {
        ByteBuffer file = mapped.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Superblock superblock = Superblock.readSuperblock(file.duplicate().order(ByteOrder.LITTLE_ENDIAN));
        BoundedHdfStorage storage = new BoundedHdfStorage(file, superblock);
        try {
            // jhdf builds files on a storage of its own choosing only; this is its constructor for that.
            Constructor<HdfFile> constructor = HdfFile.class.getDeclaredConstructor(HdfBackingStorage.class);
            constructor.setAccessible(true);
            return constructor.newInstance(storage);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new HdfException("cannot open the file", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("jhdf " + HdfFile.class.getPackage().getImplementationVersion()
                    + " lacks the constructor style4j uses; use the version in style4j's pom", e);
        }
    }

    @Override
    public ByteBuffer readBufferFromAddress(long address, int length) {
        return map(address, length);
    }

    @Override
    public ByteBuffer map(long address, long length) {
        return mapNoOffset(address + superblock.getBaseAddressByte(), length);
    }

    @Override
    public ByteBuffer mapNoOffset(long offset, long length) {
        spent += Math.max(length, 1);
        reads++;
        if (spent > budget || reads > maxReads) {
            throw new HdfException("the file's structure makes the reader go round in circles (" + reads
                    + " reads, " + spent + " bytes, of a " + file.capacity() + "-byte file)");
        }
        if (offset < 0 || length < 0 || offset + length > file.capacity()) {
            throw new HdfException("the file points to bytes " + offset + " to " + (offset + length)
                    + ", past its end (" + file.capacity() + " bytes)");
        }
        return file.slice((int) offset, (int) length).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public long getUserBlockSize() {
        return superblock.getBaseAddressByte();
    }

    @Override
    public Superblock getSuperblock() {
        return superblock;
    }

    @Override
    public FileChannel getFileChannel() {
        throw new HdfException("a mapped file has no channel");
    }

    @Override
    public int getSizeOfOffsets() {
        return superblock.getSizeOfOffsets();
    }

    @Override
    public int getSizeOfLengths() {
        return superblock.getSizeOfLengths();
    }

    @Override
    public void close() {
        // the mapping goes with the buffer
    }

    @Override
    public long size() {
        return file.capacity();
    }

    @Override
    public boolean inMemory() {
        return true;
    }
}
