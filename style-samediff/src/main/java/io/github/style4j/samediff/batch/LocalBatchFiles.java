package io.github.style4j.samediff.batch;

import io.github.style4j.core.image.AtomicFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A batch's files on the local file system: outputs under one folder, written to a temporary
 * file and renamed (fsynced first), so that a crash leaves the old output or the new one; the
 * manifest appended and forced to disk line by line.
 */
public final class LocalBatchFiles implements BatchFiles {
    private final Path folder;

    /**
     * @throws IllegalArgumentException the folder cannot be created or written (with the remedy)
     */
    public LocalBatchFiles(Path folder) {
        this.folder = folder;
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new IllegalArgumentException("the output folder " + folder + " cannot be created (" + e
                    + "); choose another --output-dir", e);
        }
        if (!Files.isWritable(folder)) {
            throw new IllegalArgumentException("the output folder " + folder + " is not writable; choose another "
                    + "--output-dir or change its permissions");
        }
    }

    public Path folder() {
        return folder;
    }

    /** The output's path; refuses names that would leave the folder. */
    public Path resolve(String output) {
        Path path = folder.resolve(output).normalize();
        if (!path.startsWith(folder.normalize())) {
            throw new IllegalArgumentException("the output " + output + " would be outside " + folder);
        }
        return path;
    }

    @Override
    public byte[] readInput(String location) throws IOException {
        Path path = Path.of(location);
        long size = Files.size(path);
        if (size > io.github.style4j.core.image.ImageReader.DEFAULT_MAX_FILE_BYTES) {
            throw new io.github.style4j.core.image.ImageFileException(path, "is " + size + " bytes, over the limit of "
                    + io.github.style4j.core.image.ImageReader.DEFAULT_MAX_FILE_BYTES + " bytes for an image");
        }
        return Files.readAllBytes(path);
    }

    @Override
    public boolean exists(String output) {
        return Files.isRegularFile(resolve(output));
    }

    @Override
    public byte[] readOutput(String output) throws IOException {
        return Files.readAllBytes(resolve(output));
    }

    @Override
    public void writeOutput(String output, byte[] bytes) throws IOException {
        Path path = resolve(output);
        Files.createDirectories(path.getParent());
        AtomicFiles.write(path, out -> out.write(bytes));
    }

    @Override
    public List<String> readManifest() throws IOException {
        Path manifest = folder.resolve(MANIFEST);
        if (!Files.exists(manifest)) {
            return List.of();
        }
        return List.of(new String(Files.readAllBytes(manifest), StandardCharsets.UTF_8).split("\n", -1));
    }

    @Override
    public void appendManifest(List<String> lines) throws IOException {
        Path manifest = folder.resolve(MANIFEST);
        try (FileChannel channel = FileChannel.open(manifest, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            StringBuilder text = new StringBuilder();
            // A line cut short by a crash is ignored when read; start after it, never inside it.
            if (channel.size() > 0 && lastByte(manifest, channel.size()) != '\n') {
                text.append('\n');
            }
            lines.forEach(line -> text.append(line).append('\n'));
            channel.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
        }
    }

    private static int lastByte(Path file, long size) throws IOException {
        try (FileChannel read = FileChannel.open(file, StandardOpenOption.READ)) {
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            read.read(one, size - 1);
            return one.get(0);
        }
    }

    @Override
    public String describe(String output) {
        return resolve(output).toString();
    }

    @Override
    public String toString() {
        return "LocalBatchFiles[" + folder + "]";
    }
}
